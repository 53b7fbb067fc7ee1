"""The initial state: the district at the end of 2015, synthesised from the facts.

Firms are drawn by sector (the 6+6 system) and zone; their revenue is scaled so that
above-scale industrial output, S&T-services revenue and high-tech product output add up
to the 2015 facts; the 2015 HTE are the most innovative eligible-looking firms; business
R&D adds up to its share of 2015 R&D expenditure. S&T personnel fill the posts firms'
R&D needs; carriers, institutions and funds are the Mesa agents of 2015. The GDP, price
and population paths are :mod:`~innosim.model.macro`'s.
The fixed assumptions used here are the :mod:`~innosim.model.constants`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from innosim.facts import FactBook
from innosim.model import carriers, production, talent
from innosim.model import rd as rd_rules
from innosim.model import structure as st
from innosim.model.agents import INSTITUTION_NAMES, Fund, RdInstitution
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.demography import rd_active_probability
from innosim.model.network import Links
from innosim.model.population import Firms, Talent
from innosim.parameters import Parameters
from innosim.timeline import FIRST_YEAR, PLAN_13, START_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel

FUND_KINDS = ("guidance", "venture", "credit")
"""The funds of the district: the guidance fund, private VC and the tech-credit banks."""
RD_COLUMNS = ("rd_propensity", "rd", "rd_reported", "rd_y1", "rd_y2", "rd_y3")
"""The firm columns that hold a firm's R&D (its propensity, rates and accounts), scaled together."""


class FirmDraws(NamedTuple):
    """The first draws of a 2015 population (:func:`draw_firms`)."""

    sector: np.ndarray
    industrial: np.ndarray
    age: np.ndarray
    revenue: np.ndarray
    """万元 a year."""
    rev_per_emp: np.ndarray
    zone: np.ndarray
    prop: np.ndarray
    """The R&D intensity each firm would have as an R&D performer."""
    big: np.ndarray
    """Above-scale industrial firms."""
    groups: tuple[tuple[np.ndarray, np.ndarray, float], ...]
    """The R&D groups: (members, the members the statistics count, their 2015 R&D in 万元),
    above-scale industry and the other firms."""


def draw_firms(rng: np.random.Generator, facts: FactBook, p: Parameters, n: int, scale: float) -> FirmDraws:
    """``n`` firms of the 2015 district at ``scale``: sectors, sizes, ages, zones and the R&D
    intensities they would have as performers, and the R&D each group must spend."""
    sector = rng.choice(len(st.SECTORS), size=n, p=st.SECTOR_WEIGHTS)
    industrial = rng.random(n) < st.SECTOR_INDUSTRIAL[sector]
    age = rng.exponential(C.firm_age_mean, n)
    # Above-scale industrial output must add up to the 2015 figure (亿元 -> 万元).
    target_ind = facts.value("above_scale_industrial_output", START_YEAR) * WAN_PER_YI * scale
    revenue = _revenue(rng, industrial, p.revenue_sigma, target_ind)
    rev_per_emp = np.where(industrial, C.revenue_per_employee_industrial, C.revenue_per_employee_other) * np.exp(
        rng.normal(0.0, C.revenue_per_employee_sigma, n)
    )
    zone = rng.choice(len(st.ZONES), size=n, p=st.ZONE_WEIGHTS)
    for _ in range(6):
        big = st.above_scale_industrial(revenue, industrial)
        revenue[big] *= target_ind / revenue[big].sum()
    prop = np.minimum(
        st.SECTOR_RD_MEDIAN[sector] * p.rd_intensity_scale * np.exp(rng.normal(0.0, C.rd_intensity_sigma, n)),
        C.rd_intensity_max,
    )
    # The statistics count the R&D of above-scale firms only (their scope for enterprises):
    # above-scale industry its own share of its revenue, the other above-scale firms the rest of
    # business R&D; the firms below scale, outside the statistics, behave as the above-scale
    # firms of their group.
    target_rd = facts.value("rd_expenditure", START_YEAR) * p.business_rd_share * WAN_PER_YI * scale
    target_asi = min(facts.value("above_scale_industrial_rd_intensity", START_YEAR) * revenue[big].sum(), target_rd)
    groups = ((big, big, target_asi), (~big, ~big & st.above_scale(revenue, industrial), target_rd - target_asi))
    return FirmDraws(sector, industrial, age, revenue, rev_per_emp, zone, prop, big, groups)


def participation_shifts(facts: FactBook, p: Parameters) -> tuple[float, float]:
    """The logit shifts of R&D participation (above-scale industry, the other firms) at which
    each group spends its 2015 R&D in expectation, solved on a reference population: the
    district at ``C.reference_population_scale`` times full size, drawn with a fixed seed.

    Which firms do R&D: larger firms more often (a logit slope on log size), at a level per
    group. Solved on each synthesis's own firms, the level carried that sample's idiosyncrasy
    (2015 R&D is a sum of heavy-tailed products, so a sample with a few large spenders got
    fewer performers), and with it most of the replicates' spread of the HTE path. The shifts
    are properties of the parameters and the facts, so every replicate takes the reference's;
    each still meets its own 2015 totals exactly, through its intensities (:func:`synthesise`).
    """
    scale = C.reference_population_scale
    rng = np.random.default_rng(C.reference_population_seed)
    d = draw_firms(rng, facts, p, round(p.initial_firms * scale), scale)
    asi, other = (
        _participation_shift(d.sector[c], d.revenue[c], d.industrial[c], d.prop[c], goal, p.rd_active_size_slope)
        for _, c, goal in d.groups
    )
    return asi, other


def synthesise(model: InnovationModel) -> None:
    """Build the end-2015 state of ``model`` so that it matches the 2015 facts."""
    f, p, rng, scale = model.facts, model.p, model.rng, model.scale
    n = model.sampled(p.initial_firms)
    model.firms = Firms(capacity=int(n * C.firm_capacity_headroom) + 64)
    model.talent = Talent(capacity=n + 64)
    model.links = Links(capacity=n // 20 + 16)
    sector, industrial, age, revenue, rev_per_emp, zone, prop, big, groups = draw_firms(rng, f, p, n, scale)
    slope = p.rd_active_size_slope
    model.asi_rd_active_shift, model.rd_active_shift = participation_shifts(f, p)
    shift = np.where(big, model.asi_rd_active_shift, model.rd_active_shift)
    draw = rng.random(n)  # kept: the firm starts R&D later if it grows (innosim.model.rd.start_rd)
    active = draw < rd_active_probability(sector, revenue, industrial, shift, slope)
    rd_prop = np.where(active, prop, 0.0)
    # High-tech product share rises with R&D intensity; scaled to the 2015 output.
    hts_raw = production.cross_section_share(model, rd_prop, rng)
    hts = np.where(active, hts_raw, C.hightech_inactive_factor * hts_raw)
    big = st.above_scale_industrial(revenue, industrial)
    target_ht = f.value("hightech_output", START_YEAR) * WAN_PER_YI * scale
    for _ in range(8):
        hts[big] = np.minimum(hts[big] * target_ht / (revenue[big] * hts[big]).sum(), C.hightech_share_max)
    # HTE: the most innovative eligible-looking firms hold certificates: those whose R&D intensity
    # meets the criterion first, and among them (the tax saving scales with profits) the larger.
    n_hte = model.sampled(f.value("hte_count", START_YEAR))
    thr = rd_rules.rd_criterion(model, revenue, START_YEAR)
    score = rd_prop * hts * revenue * (age >= st.HTE_MIN_AGE_YEARS) * rng.lognormal(0.0, C.hte_score_sigma, n)
    hte_rows = np.lexsort((-score, rd_prop < thr))[:n_hte]
    hte = np.zeros(n, dtype=bool)
    hte[hte_rows] = True
    floor = np.zeros(n)  # the certificate holders' R&D meets the criterion
    floor[hte] = thr[hte] * rng.uniform(*C.hte_rd_margin, n_hte)
    hts[hte] = np.maximum(hts[hte], rng.uniform(*C.hte_hightech_share, n_hte))
    rest = big & ~hte  # the other above-scale firms make up the rest of the 2015 output
    for _ in range(20):
        residual = target_ht - (revenue * hts)[big & hte].sum()
        hts[rest] = np.minimum(hts[rest] * residual / (revenue[rest] * hts[rest]).sum(), C.hightech_share_max)
    # Above-scale industry's R&D and the other above-scale firms' add up to their 2015 values
    # exactly: each group's firms scale their intensities to close its gap, the certificate holders
    # not below the criterion; entrants and later starters draw theirs with their group's factor.
    model.group_rd_scale = []
    for members, counted, goal in groups:
        factor = _closing_factor(revenue * rd_prop, revenue * floor, counted, goal)
        rd_prop[members] = np.maximum(factor * rd_prop[members], floor[members])
        model.group_rd_scale.append(factor)
    rd = revenue * rd_prop
    # young firms start finance-constrained, as in innosim.model.rd
    constrained = np.where(age < C.young_firm_age, 1 - p.credit_constraint, 1.0)
    rd_prop = rd_prop / constrained
    knowledge = rd / (p.knowledge_depreciation + C.knowledge_growth_2015)
    rg, sg = C.rd_growth_before_2015, C.sales_growth_before_2015
    model.firms.add(
        n,
        uid=np.arange(n, dtype=np.uint64),
        sector=sector,
        zone=zone,
        industrial=industrial,
        birth=START_YEAR - age,
        revenue=revenue,
        rev_per_employee=rev_per_emp,
        hightech_share=hts,
        rd_propensity=rd_prop,
        rd=rd,
        rd_reported=rd,
        rd_y1=rd,
        rd_y2=rd / rg,
        rd_y3=rd / rg**2,
        sales_y1=revenue,
        sales_y2=revenue / sg,
        sales_y3=revenue / sg**2,
        knowledge=knowledge,
        hte=hte,
        rd_start_draw=draw,
    )
    fi = model.firms
    fi.hte_expiry[hte] = rng.integers(FIRST_YEAR, FIRST_YEAR + st.HTE_VALID_YEARS, n_hte)
    # Valid invention patents: firms hold their share, allocated by knowledge.
    firm_patents = f.value("valid_invention_patents", START_YEAR) * C.firm_patent_share * scale
    weight = knowledge**C.patent_weight_exponent
    fi.patents = rng.multinomial(int(round(firm_patents)), weight / weight.sum()).astype(float)
    fi.patents[hte] = np.maximum(fi.patents[hte], 1.0)
    model.institution_patents = f.value("valid_invention_patents", START_YEAR) * (1 - C.firm_patent_share)
    # Listed HTE: the largest certified firms.
    n_listed = model.sampled(f.value("listed_hte", START_YEAR))
    order = np.argsort(-(revenue * hte), kind="stable")[:n_listed]
    fi.listed[order] = True
    model.hte_reward_paid_share = 1.0
    model.setup_due = []
    _first_year(model, groups)
    _talent(model)
    _agents(model)
    _no_backlog(model, groups)
    model.knowledge_before = fi.knowledge.copy()
    model.rd_last_year = carriers.client_rd(model)
    # the registered share of R&D at which the 2015 contract turnover is met
    model.contract_registration_2015 = min(
        f.value("tech_contract_turnover", START_YEAR) / carriers.contract_turnover_per_share(model),
        C.contract_registration_max_2015,
    )
    model.st_growth = 0.0
    model.next_uid = np.uint64(n)
    model.alive_firms = {START_YEAR: n}


def _first_year(model: InnovationModel, groups: tuple[tuple[np.ndarray, np.ndarray, float], ...]) -> None:
    """The first year of the firms' response to Guangzhou's rewards, which began with the
    certificates of 2015 (穗府办函〔2015〕127号): firms for whom reaching the R&D criterion paid
    started bunching in 2015, at ``bunching_rate`` over the part of the year in which the rewards
    were known (``rewards_known_2015``) and by the rule of :mod:`~innosim.model.rd`, raising their
    2015 R&D so as to meet the criterion on their 2013-2015 accounts and apply in 2016. In each
    group of :func:`synthesise` (its members, the rows the statistics count, their R&D goal in
    万元) the members that neither hold a certificate nor bunch give up as much R&D (their
    intensities scale), so 2015 R&D keeps its facts. Valid patents were allocated before, by the
    knowledge of the synthesis (a difference of a few per cent for the firms that scale)."""
    fi, p = model.firms, model.p
    target = rd_rules.notch_target(model, fi.sales_y1, fi.sales_y2 + fi.sales_y3, fi.rd_y2 + fi.rd_y3)
    started = rd_rules.notch_decision(model, fi.rd_y1, target, exposure=p.rewards_known_2015) & ~fi.hte
    gap = np.where(started, np.maximum(target - fi.rd_y1, 0.0), 0.0)
    fi.rd_y1 += gap
    fi.rd_reported += gap
    fi.rd += gap * (1 - p.relabel_share)
    fi.bunching = started
    _close(model, groups, fi.hte | started)
    model.first_year_bunching = int(started.sum())


def _closing_factor(scalable: np.ndarray, floor: np.ndarray, counted: np.ndarray, goal: float) -> float:
    """The factor f at which the R&D of the ``counted`` firms, max(f × ``scalable``, ``floor``) each,
    adds up to ``goal`` (万元): 0 where the floors alone reach it, 1 where nothing can scale (as in
    a tiny sample with no R&D performer in a group)."""
    x, low = scalable[counted], floor[counted]
    if x.sum() <= 0:
        return 1.0
    if low.sum() >= goal:
        return 0.0
    return float(brentq(lambda f: np.maximum(f * x, low).sum() - goal, 0.0, 2 * goal / x.sum()))


def _revenue(rng: np.random.Generator, industrial: np.ndarray, sigma: float, output: float) -> np.ndarray:
    """Revenue (万元) of the 2015 firms: lognormal (log-sd ``sigma``) below the above-scale
    threshold, and for above-scale industry a Pareto tail truncated at ``C.above_scale_revenue_cap``,
    with as many firms as its ``output`` (万元) needs at the tail's mean.

    The industrial firms with the largest lognormal draws are the above-scale ones and take the
    Pareto values in the same order; the other industrial firms' draws are mapped, quantile for
    quantile, onto the lognormal below the threshold.
    """
    n = len(industrial)
    log_median = np.where(industrial, math.log(C.revenue_median_industrial), math.log(C.revenue_median_other))
    z = rng.normal(0.0, 1.0, n)
    revenue = np.exp(log_median + sigma * z)
    alpha, low = C.above_scale_pareto_alpha, st.ABOVE_SCALE_INDUSTRIAL
    ratio = low / C.above_scale_revenue_cap
    mean = low * alpha / (alpha - 1) * (1 - ratio ** (alpha - 1)) / (1 - ratio**alpha)
    rows = np.flatnonzero(industrial)
    rows = rows[np.argsort(-z[rows], kind="stable")]
    k = min(round(output / mean), len(rows))
    tail = low * (1 - rng.random(k) * (1 - ratio**alpha)) ** (-1 / alpha)
    revenue[rows[:k]] = np.sort(tail)[::-1]
    body = rows[k:]
    below = ndtr((math.log(low) - log_median[body]) / sigma)
    # (capped just below the threshold: a draw far out in the tail would otherwise map onto it)
    revenue[body] = np.minimum(np.exp(log_median[body] + sigma * ndtri(ndtr(z[body]) * below)), np.nextafter(low, 0))
    return revenue


def _participation_shift(
    sector: np.ndarray, revenue: np.ndarray, industrial: np.ndarray, prop: np.ndarray, goal: float, slope: float
) -> float:
    """The logit shift of R&D participation at which firms with intensities ``prop`` spend
    ``goal`` (万元) on R&D in expectation.

    At a shift of 10 (almost) every firm does R&D: where even then R&D falls short of its goal
    (low intensities with a large business share, at the edges of the priors), that shift is
    taken and the exact rescaling in :func:`synthesise` closes the gap; at -30 (almost) none
    does, the shift for a goal of zero.
    """
    lo, hi = -30.0, 10.0

    def excess(shift: float) -> float:
        return float((rd_active_probability(sector, revenue, industrial, shift, slope) * revenue * prop).sum() - goal)

    if excess(hi) <= 0:
        return hi
    if excess(lo) >= 0:
        return lo
    return float(brentq(excess, lo, hi))


def _close(model: InnovationModel, groups: tuple[tuple[np.ndarray, np.ndarray, float], ...], fixed: np.ndarray) -> None:
    """Scale the R&D of each group's members that are not ``fixed`` so that the R&D the
    statistics count of the group (see :func:`synthesise`) is its 2015 goal again. This makes
    room in the 2015 totals for the firms that bunch or sit below the criterion; it is not a
    lower propensity of the sector, so entrants and the firms that start R&D later keep the
    group's factor from before it (``model.group_rd_scale``)."""
    fi = model.firms
    for members, counted, goal in groups:
        free = members & ~fixed
        factor = _closing_factor(np.where(free, fi.rd_y1, 0.0), np.where(free, 0.0, fi.rd_y1), counted, goal)
        for name in (*RD_COLUMNS, "knowledge"):
            getattr(fi, name)[free] *= factor


def _no_backlog(model: InnovationModel, groups: tuple[tuple[np.ndarray, np.ndarray, float], ...]) -> None:
    """Firms that meet every 2015 HTE criterion without holding a certificate, and for whom
    the status pays, are, besides the firms that bunched in 2015 (:func:`_first_year`, the 2016
    round's applicants), no more than one year's applications (``C.hte_new_share_2015`` of the
    2015 stock): the others are set just below the R&D criterion, where the notch may draw
    them over it later, and the other firms of their group make up the R&D they give up. The 2016
    reform then makes a further group eligible, as it did in Guangzhou."""
    from innosim.model.certification import hte_eligible

    fi, rng = model.firms, model.rng
    allowed = model.sampled(C.hte_new_share_2015 * model.facts.value("hte_count", START_YEAR))
    lowered = np.zeros(fi.n, dtype=bool)
    found = -1
    for _ in range(10):  # making up the R&D given up can lift a few others over the criterion
        ready = hte_eligible(model, START_YEAR, model.employees()) & ~fi.hte & ~fi.bunching
        rows = np.flatnonzero(ready & rd_rules.status_pays(model))
        found = len(rows) if found < 0 else found
        if len(rows) <= allowed:
            break
        excess = rows[rng.permutation(len(rows))[allowed:]]
        thr = rd_rules.rd_criterion(model, fi.sales_y1[excess], START_YEAR)
        factor = thr * rng.uniform(*C.backlog_rd_below, len(excess)) / (fi.rd_y1[excess] / fi.sales_y1[excess])
        for name in RD_COLUMNS:
            getattr(fi, name)[excess] *= factor
        lowered[excess] = True
        _close(model, groups, fi.hte | fi.bunching | lowered)
    model.backlog_2015 = (found, int(lowered.sum()))


def _talent(model: InnovationModel) -> None:
    """S&T personnel: as many as firms' R&D needs, plus those between jobs."""
    rng = model.rng
    need = talent.desired_staff(model)
    n_t = int(need.sum() * C.talent_unemployed_share)
    level = rng.choice(3, size=n_t, p=st.TALENT_LEVEL_SHARES).astype(np.int8)
    model.talent.add(n_t, level=level, arrived=START_YEAR - rng.exponential(C.talent_tenure_mean, n_t))
    talent.fill_vacancies(model, np.arange(n_t), need)


def _agents(model: InnovationModel) -> None:
    """Carriers (2015), universities and institutes (as counted in 2020), funds; institutions' R&D."""
    f, rng = model.facts, model.rng
    for kind, fact in (("incubator", "incubators"), ("maker_space", "maker_spaces")):
        count = int(f.value(fact, START_YEAR))
        area = f.value("incubation_area", START_YEAR) / max(count, 1)
        for _ in range(count):
            carriers.open_carrier(model, kind, "private", START_YEAR, area=area)
    for kind, fact, cap in (
        ("university", "universities", C.university_capacity),
        ("research_institute", "research_institutes", C.institute_capacity),
    ):
        names = INSTITUTION_NAMES[kind]
        for k in range(int(f.value(fact, PLAN_13[1]))):
            zone = int(rng.choice(len(st.ZONES), p=st.ZONE_WEIGHTS))
            RdInstitution(model, kind, zone, cap, C.institution_founded, names[k] if k < len(names) else "")
    for kind in FUND_KINDS:
        Fund(model, kind)
    inst_rd = f.value("rd_expenditure", START_YEAR) * (1 - model.p.business_rd_share)
    model.inst_rd_per_capacity = inst_rd / model.institution_capacity()
    model.zone_capacity_ref = model.institution_capacity() / len(st.ZONES)
