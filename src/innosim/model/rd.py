"""Process 3: firms decide R&D.

A firm's desired R&D intensity is its propensity (the return it expects from R&D, drawn
at birth from its sector), shifted by the R&D user cost: the corporate tax rate it pays and
the super-deduction in force, with the user-cost elasticity of Chen et al. (2021). There is
no time trend: R&D grows with sales, with the super-deduction, with grants and with the HTE
notch. Young firms without equity or credit forgo part of it; R&D is cut where S&T posts
cannot be filled.

The HTE notch (decided in Q1, for the year): certification lowers the income-tax rate from
25% to 15%, a saving of 10 points on the firm's profits, and brings the district's reward
(paid pro rata when the budget is oversubscribed). A firm below the R&D-intensity criterion
weighs that saving against the after-tax cost of the extra R&D (the relabelled part costs
nothing) and the fixed cost of certifying; where it pays, the firm raises reported R&D to just
above the criterion ("bunching"). A certified firm whose own R&D has fallen below the
criterion weighs the same and keeps its R&D at the criterion while keeping the certificate
pays, so certification never pushes a firm below the threshold. R&D is persistent: at the
year's end a bunching firm keeps ``rd_persistence`` of the real R&D it added (the staff and
projects), as part of its own desired R&D.

The desired intensity uses the user cost at the standard 25% rate for every firm. At the
15% rate the super-deduction is worth less per yuan, and at Chen et al.'s elasticity of 1.1
that would cut certified firms' own R&D by about a fifth; Chen et al. estimate that
elasticity from the notch response itself and find that the programme raises R&D, so the
model does not apply it a second time (an assumption, written in docs/model.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from innosim.model import production
from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.demography import rd_active_probability

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def decide_rd(model: InnovationModel) -> None:
    """Firms set R&D: desired intensity shifted by user cost, finance, talent, grants, notch.

    References:
        Chen, Liu, Suarez Serrato & Xu (2021), AER 111(7): user-cost elasticity,
        bunching at the HTE notch and relabelling.
        Dimos & Pugh (2016), RP 45(4); Boeing (2016), RP 45(9): grant additionality.
    """
    p, fi, year = model.p, model.firms, model.year
    if model.quarter == 1:
        start_rd(model)
    uc = st.rd_user_cost(year, fi.industrial, np.zeros(fi.n, dtype=bool))  # see the module docstring
    young = model.firm_age() < C.young_firm_age
    constrained = young & (fi.financed_until < model.t)
    # desired R&D per unit of propensity: revenue shifted by the user cost and the finance constraint
    unit = fi.revenue * (uc / st.USER_COST_2015) ** (-p.user_cost_elasticity)
    unit = unit * np.where(constrained, 1 - p.credit_constraint, 1.0)
    desired = fi.rd_propensity * unit
    capacity = (fi.staff + C.staff_slack) * model.rd_cost_per_staff()
    short = np.where(desired > 0, np.minimum(1.0, capacity / np.maximum(desired, 1e-9)), 1.0)
    real = desired * short**p.talent_elasticity
    target = notch_target(model)
    if model.quarter == 1:
        fi.bunching = notch_decision(model, real, target)
    gap = np.where(fi.bunching, np.maximum(target - real, 0.0), 0.0)
    reported = real + gap
    model.add_flow("notch_rd", float(gap.sum()) / 4 / WAN_PER_YI / model.scale * model.price_level)
    real = real + gap * (1 - p.relabel_share)
    if model.quarter == 4:  # the year's end: bunching firms keep part of the real R&D they added
        kept = p.rd_persistence * gap * (1 - p.relabel_share) / np.maximum(unit, 1e-9)
        fi.rd_propensity = np.minimum(fi.rd_propensity + kept, C.rd_intensity_max)
    extra = p.grant_pass_through * fi.grant
    fi.rd = np.where(fi.alive, real + extra, 0.0)
    fi.rd_reported = np.where(fi.alive, reported + extra, 0.0)
    fi.rd_year += fi.rd_reported / 4
    fi.sales_year += np.where(fi.alive, fi.revenue, 0.0) / 4


def start_rd(model: InnovationModel) -> None:
    """Firms that have grown start R&D, so that larger firms do R&D more often over time as they
    do in the 2015 cross-section.

    Whether a firm does R&D is decided at birth by a uniform draw against its participation
    probability (:func:`~innosim.model.demography.rd_active_probability`: its sector's share,
    rising with size, at its group's shift); the draw is kept, and a firm without R&D starts in
    the year its probability at its current size exceeds it. A firm that grows thus starts with
    the probability that the cross-section gives the size it has grown into, and one that shrinks
    keeps its R&D (performers rarely stop: Máñez et al. 2009). The new performer's intensity is
    drawn like a 2015 performer's of its group: its sector's median times ``rd_intensity_scale``
    times the group's closing factor, lognormal.
    """
    fi = model.firms
    big = st.above_scale_industrial(fi.revenue * model.price_level, fi.industrial)
    shift = np.where(big, model.asi_rd_active_shift, model.rd_active_shift)
    chance = rd_active_probability(fi.sector, fi.revenue, fi.industrial, shift, model.p.rd_active_size_slope)
    start = fi.alive & (fi.rd_propensity <= 0) & (fi.rd_start_draw < chance)
    if not start.any():
        return
    z = ndtri(model.firm_uniform("rd"))[start]
    scale = np.where(big[start], model.group_rd_scale[0], model.group_rd_scale[1])
    prop = st.SECTOR_RD_MEDIAN[fi.sector[start]] * model.p.rd_intensity_scale * scale * np.exp(C.rd_intensity_sigma * z)
    fi.rd_propensity[start] = np.minimum(prop, C.rd_intensity_max)
    # a new performer's product mix is drawn like a 2015 performer's at its intensity
    drawn = production.cross_section_share(model, fi.rd_propensity[start], model.stream("rd"))
    fi.hightech_share[start] = np.maximum(fi.hightech_share[start], drawn)


def notch_target(
    model: InnovationModel,
    sales: np.ndarray | None = None,
    past_sales: np.ndarray | None = None,
    past_rd: np.ndarray | None = None,
) -> np.ndarray:
    """R&D (万元 a year) each firm must report this year to meet the HTE criterion, with
    ``bunching_margin``, on its three-year sums in the next round.

    The criterion is on three years' sums (R&D over sales), so a firm whose past two years fell
    short makes up the shortfall this year; a firm that has been at the criterion needs the
    criterion times this year's sales. By default this year's sales are the firm's revenue and
    the past two years are its last two completed ones (the synthesis passes 2015's and 2013-14's).
    """
    fi = model.firms
    sales = fi.revenue if sales is None else sales
    past_sales = fi.sales_y1 + fi.sales_y2 if past_sales is None else past_sales
    past_rd = fi.rd_y1 + fi.rd_y2 if past_rd is None else past_rd
    return np.maximum(_aim(model, sales) * (sales + past_sales) - past_rd, 0.0)


def _aim(model: InnovationModel, sales: np.ndarray) -> np.ndarray:
    """The R&D-to-sales ratio bunching firms aim at: the criterion of the band of ``sales``
    (万元 a year, real) times ``bunching_margin``."""
    return rd_criterion(model, sales * model.price_level, model.year) * model.p.bunching_margin


def rd_criterion(model: InnovationModel, sales: np.ndarray, year: int) -> np.ndarray:
    """The ratio of R&D, as the statistics and the model count it, to ``sales`` (万元, nominal)
    at which a firm meets the HTE criterion of ``year``: the official threshold of its sales
    band over ``certification_rd_ratio`` (certification counts more of a firm's costs as R&D)."""
    return st.hte_rd_threshold(sales, year) / model.p.certification_rd_ratio


def hte_net_benefit(model: InnovationModel, own_rd: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Yearly net benefit (万元) of holding HTE status, for every firm row.

    The tax saving (10 points on profits) and the other value of the status
    (``hte_status_value``), plus the expected rewards (the district's, paid pro
    rata from its budget, and the city's schedule, :func:`~innosim.model.structure.city_hte_reward`;
    a firm that holds or once held a certificate gets the renewal amounts, since a lapsed firm
    that applies again is re-certified, 重新认定, not certified for the first time)
    spread over the certificate's three years, less the after-tax cost of the real part of the R&D needed
    to reach ``target`` from ``own_rd`` and the fixed cost of certifying (per year of the
    certificate), which includes acquiring core IP for a firm that has none. The part of
    ``target`` that makes up past years' shortfall (:func:`notch_target`) is paid once, so
    it counts for a third (one year of the certificate). Cultivation-pool firms' fixed cost
    is reduced by their pool grant.
    """
    p, fi, gov = model.p, model.firms, model.government
    lever = gov.lever("hte_reward")
    saving = (st.CIT_RATE - st.CIT_RATE_HTE) * p.profit_margin * fi.revenue
    uc_hte = st.rd_user_cost(model.year, fi.industrial, np.ones(fi.n, dtype=bool))
    steady = _aim(model, fi.revenue) * fi.revenue
    gap = np.maximum(np.minimum(target, steady) - own_rd, 0.0)
    catch_up = np.maximum(target - np.maximum(steady, own_rd), 0.0)
    extra_cost = (gap + catch_up / st.HTE_VALID_YEARS) * (1 - p.relabel_share) * uc_hte
    certified_before = fi.hte_expiry > 0  # holds a certificate, or held one: a renewal (重新认定), not a first
    district = np.where(certified_before, 0.0, lever.reward * WAN_PER_YI * model.hte_reward_paid_share)
    nominal = model.price_level
    city = st.city_hte_reward(
        model.year,
        np.maximum(own_rd, target) * nominal * p.certification_rd_ratio,
        st.above_scale(fi.revenue * nominal, fi.industrial),
        renewal=certified_before,
    )
    reward = district + city / nominal
    fixed = p.hte_fixed_cost + np.where(
        st.has_core_ip(fi.patents, fi.knowledge, fi.other_ip), 0.0, C.ip_acquisition_cost
    )
    fixed = np.maximum(fixed - np.where(fi.pool, lever.pool_grant * WAN_PER_YI, 0.0), 0.0)
    return saving + p.hte_status_value + (reward - fixed) / st.HTE_VALID_YEARS - extra_cost


def status_pays(model: InnovationModel) -> np.ndarray:
    """Whether HTE status pays each firm that already meets the criteria (no extra R&D needed):
    what decides applications, renewals and the 2015 state."""
    return hte_net_benefit(model, model.firms.rd_y1, np.zeros(model.firms.n)) > 0


def notch_decision(model: InnovationModel, real: np.ndarray, target: np.ndarray, exposure: float = 1.0) -> np.ndarray:
    """Q1: which firms hold reported R&D at the HTE criterion this year.

    Certified firms below the criterion keep it there while the certificate pays. Others
    whose high-tech share can be presented as the criterion (``presentable_hightech_min``, the
    gate of :func:`~innosim.model.certification.hte_eligible`) bunch where it pays,
    starting at the yearly rate ``bunching_rate`` (adjustment takes time; coached pool firms
    act faster) and going on while it pays; a firm without core IP acquires some when it starts.
    ``exposure``: the part of a year over which firms could start (a constant hazard), below 1 in
    the first year of the rewards (:func:`~innosim.model.synthesis.synthesise`).
    """
    p, fi, rng = model.p, model.firms, model.stream("rd")
    below = fi.alive & (real < target)
    pays = hte_net_benefit(model, real, target) > 0
    keep = below & fi.hte & pays
    candidate = below & ~fi.hte & pays & (fi.hightech_share >= p.presentable_hightech_min)
    rate = np.where(fi.pool, min(1.0, p.pool_bunching_factor * p.bunching_rate), p.bunching_rate)
    if exposure != 1.0:
        rate = 1.0 - (1.0 - rate) ** exposure
    started = candidate & ~fi.bunching & (rng.random(fi.n) < rate)
    fi.other_ip |= started  # a firm without core IP acquires it (utility models, software copyrights)
    return keep | (candidate & fi.bunching) | started
