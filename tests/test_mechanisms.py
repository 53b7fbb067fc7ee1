"""The mechanisms a referee checks (issue "Mechanisms a referee would accept").

- the HTE programme raises reported R&D: switching off the tax benefit and the reward
  lowers district R&D and the number of HTE (paired, same seeds);
- firms bunch just above the R&D-intensity criterion;
- every lever's budget binds: four times the plan's budget raises spending and moves an
  indicator (paired z > 2), or leaves spending unchanged for a documented reason;
- the talent departure hazard stays inside its sourced range in every shipped scenario;
- HTE have the size of the sourced references.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS
from innosim import INDICATORS, LEVERS, InnovationModel, default_scenario, load_scenario, simulate
from innosim.facts import default_facts
from innosim.model import rd
from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.talent import departure_hazard


def _reported_rd(seed: int, programme: bool = True) -> tuple[float, ...]:
    """Full size, baseline, from the same 2015 state: firms' reported R&D summed over 2016-2020 and
    2016-2025 (亿元, every firm, as the tax records of Chen et al. 2021 count it; the statistic counts
    above-scale firms only), the 2025 HTE, and the statistic (R&D expenditure, 亿元) summed over 2016-2020
    and in 2020 and 2025 (``tools/programme_effect.py`` prints them all). Without the programme the status
    never pays from 2016 on."""
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=seed)
    totals = {2020: 0.0, 2025: 0.0}
    with pytest.MonkeyPatch.context() as mp:
        if not programme:
            mp.setattr(rd, "hte_net_benefit", lambda model, own, target: np.full(model.firms.n, -1.0))
        while model.year < 2025:
            model.run(until=model.year + 1)
            fi = model.firms
            for end in totals:
                if model.year <= end:
                    totals[end] += float((fi.rd_y1 * fi.alive).sum()) / 1e4 * model.price_level
    statistic = {y: model.records[y]["rd_expenditure"] for y in range(2016, 2026)}
    return (
        totals[2020],
        totals[2025],
        model.records[2025]["hte_count"],
        sum(statistic[y] for y in range(2016, 2021)),
        statistic[2020],
        statistic[2025],
    )


@pytest.mark.slow
def test_the_hte_programme_raises_reported_rd():
    """Full size, 24 paired seeds from the same 2015 state: without the programme from 2016 (the
    status never pays: no tax saving, no rewards; the firms bunching in 2015 stop, and the 2015
    certificates expire by 2018) firms report less R&D over 2016-2020 and over 2016-2025 (one-sided
    paired z > 2), and there are no HTE in 2025 (docs/model.md 3.1). Switching the programme off in
    the 2015 synthesis too would compare two states fitted to the same 2015 R&D, which by construction
    gives the 2015 bunchers' R&D to the other firms of their group."""
    seeds = range(1, 25)
    on = [_reported_rd(s) for s in seeds]
    off = [_reported_rd(s, programme=False) for s in seeds]
    for k, name in ((0, "reported R&D 2016-2020"), (1, "reported R&D 2016-2025"), (2, "HTE 2025")):
        diff = np.array([a[k] - b[k] for a, b in zip(on, off, strict=True)])
        z = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
        assert z > 2, f"{name}: programme on minus off = {diff} (paired z {z:.2f})"
    assert all(b[2] == 0 for b in off)


def test_the_2015_state_has_the_first_round_of_bunchers_and_no_backlog():
    """End of 2015: the firms that started bunching in 2015 (Guangzhou's rewards began with that
    year's certificates) meet the R&D criterion on their 2013-2015 accounts; the other firms that
    meet every criterion and for whom the status pays are no more than one year's applications;
    2015 business R&D keeps its fact."""
    from innosim.model.certification import hte_eligible

    m = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=2, scale=0.5)
    fi = m.firms
    started = fi.bunching
    assert m.first_year_bunching == started.sum() > 0 and not (started & fi.hte).any()
    sales3, rd3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3, fi.rd_y1 + fi.rd_y2 + fi.rd_y3
    criterion = rd.rd_criterion(m, fi.sales_y1, 2015) * sales3
    assert (rd3[started] >= criterion[started] * (1 - 1e-9)).all()
    ready = hte_eligible(m, 2015, m.employees()) & ~fi.hte & ~started & rd.status_pays(m)
    # one year's applications, at the model's scale (rounded either way at random)
    assert ready.sum() <= np.ceil(C.hte_new_share_2015 * m.facts.value("hte_count", 2015) * m.scale)
    assert m.district_rd() / m.gdp[2015] == pytest.approx(m.facts.value("rd_intensity", 2015), rel=1e-3)


@pytest.mark.xfail(
    strict=True,
    reason="known defect (docs/model.md 6, docs/calibration.md): since firms' high-tech shares are their own "
    "and applicants present the 60% criterion from a lower true share, the 2016 reform lets every firm that can "
    "already present the criteria certify at once: 384-408 HTE in 2016 at the declared values (seeds 1-3) "
    "against the estimated 287 (+34% to +42%), while the stock levels off in 2018-2020 as Guangzhou's did",
)
def test_2016_hte_follow_the_first_round():
    """The 2016 stock is within 25% of the path Guangzhou's stock implies for Baiyun (287, data
    file), at full size over three seeds."""
    proxy = load_scenario(SCENARIOS / "baseline.toml")
    counts = [InnovationModel(proxy, rng=s).run(2016).records[2016]["hte_count"] for s in (1, 2, 3)]
    reference = InnovationModel(proxy, rng=1, scale=0.01).facts.value("hte_count", 2016)
    assert all(abs(c / reference - 1) <= 0.25 for c in counts), f"2016 HTE {counts} against {reference}"


def test_firms_bunch_just_above_the_rd_criterion():
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1, scale=0.5).run(2020)
    fi = model.firms
    sales3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3
    ratio = (fi.rd_y1 + fi.rd_y2 + fi.rd_y3) / np.maximum(sales3, 1.0)
    ratio = ratio / rd.rd_criterion(model, fi.sales_y1 * model.price_level, 2020)
    live = fi.alive & (fi.rd_y1 > 0)
    below = int((live & (ratio >= 0.9) & (ratio < 1.0)).sum())
    above = int((live & (ratio >= 1.0) & (ratio < 1.1)).sum())
    assert above > 1.5 * below, f"firms within 10% above the criterion {above}, within 10% below {below}"


def test_bunching_firms_make_up_the_three_year_shortfall():
    """The criterion is on three years' sums: a firm that starts bunching reports, in its
    first year, what its three-year sums need, so it can qualify in the next year's round."""
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=2, scale=0.5).run(2017)
    fi = model.firms
    newly = ~fi.hte | (fi.hte_expiry == 2017 + st.HTE_VALID_YEARS)  # certified this year or not at all
    starters = fi.alive & fi.bunching & newly & (fi.rd_y2 < 0.8 * fi.rd_y1)  # R&D raised this year
    assert starters.sum() >= 10
    sales3 = np.maximum(fi.sales_y1 + fi.sales_y2 + fi.sales_y3, 1.0)
    ratio = (fi.rd_y1 + fi.rd_y2 + fi.rd_y3) / sales3 / rd.rd_criterion(model, fi.sales_y1 * model.price_level, 2017)
    assert np.median(ratio[starters]) >= 0.98, np.median(ratio[starters])


def test_firms_that_grow_start_rd():
    """A firm without R&D starts in the year its participation probability at its new size exceeds
    the draw that decided it at birth, with a positive intensity; a performer that shrinks keeps its R&D."""
    from innosim.model.demography import rd_active_probability

    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=4, scale=0.3)
    fi = model.firms
    idle = np.flatnonzero(fi.alive & (fi.rd_propensity == 0) & ~fi.industrial)[:500]
    doers = np.flatnonzero(fi.alive & (fi.rd_propensity > 0))[:50]
    fi.revenue[idle] *= 1000.0
    fi.revenue[doers] /= 30.0
    kept = fi.rd_propensity[doers].copy()
    slope = model.p.rd_active_size_slope
    chance = rd_active_probability(fi.sector[idle], fi.revenue[idle], fi.industrial[idle], model.rd_active_shift, slope)
    rd.start_rd(model)
    started = fi.rd_propensity[idle] > 0
    assert 20 <= started.sum() < len(idle)
    assert np.array_equal(started, fi.rd_start_draw[idle] < chance)
    assert np.array_equal(fi.rd_propensity[doers], kept)


def test_above_scale_industry_keeps_its_share_of_rd_performers():
    """Firms that grow into above-scale industry start R&D as the size gradient says, so the share of
    above-scale industrial firms doing R&D does not fall with the firms that cross the threshold
    (it fell from 54% in 2016 to 34% in 2020 before they could start): over three seeds the change
    averages less than a 5-point fall (one seed's 2016 share varies from 38% to 67%, and one seed
    alone fell 5.5 points in 2017 after firms' high-tech shares became their own)."""
    changes = []
    for seed in (1, 2, 3):
        model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=seed).run(until=2020)
        first, last = (model.records[y]["above_scale_industrial_rd_performers"] for y in (2016, 2020))
        changes.append(last - first)
    assert sum(changes) / len(changes) >= -0.05, changes


@pytest.mark.parametrize(
    ("year", "first", "renewal"),
    [
        (2016, [120, 120, 120, 120], [0, 0, 0, 0]),  # 20万 on application + 100万 on certification
        (2019, [30, 50, 100, 100], [0, 0, 0, 0]),  # by R&D (<200万, 200-1000万, more); 100万 above scale
        (2022, [20, 20, 40, 100], [10, 10, 30, 90]),  # 20万 first, 10万 renewal, + scale and R&D bonuses
    ],
)
def test_guangzhou_reward_schedule(year, first, renewal):
    """Guangzhou's reward by year, R&D (万元) and scale, as its policy documents state."""
    rd = np.array([100.0, 500.0, 2000.0, 20000.0])
    big = np.array([False, False, False, True])
    assert st.city_hte_reward(year, rd, big, np.zeros(4, bool)).tolist() == first
    assert st.city_hte_reward(year, rd, big, np.ones(4, bool)).tolist() == renewal


def test_grants_follow_the_patent_offices_pace():
    """The examination's throughput is 1 to 2019 and CNIPA's grants per application of two years
    before, relative to 2019's, after it (data file); held after the last year with data."""
    from innosim.model.knowledge import grant_throughput

    facts = default_facts()
    path = grant_throughput(facts, 2026)
    assert all(path[y] == 1.0 for y in range(2016, 2020))

    def ratio(year: int) -> float:
        grants = facts.value("national_invention_patents_granted", year)
        return grants / facts.value("national_invention_patent_applications", year - 2)

    assert path[2022] == pytest.approx(ratio(2022) / ratio(2019))
    assert 1.4 < path[2021] < path[2022] < path[2023] < path[2024] < 2.1
    assert path[2026] == path[2025] == path[2024]
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=3, scale=0.2)
    assert all(model.grant_throughput[y] == path[y] for y in range(2016, model.end_year + 1))


def test_the_first_year_of_bunching_lasts_as_long_as_the_rewards_were_known():
    """Firms start bunching in 2015 only over the part of the year in which Guangzhou's rewards
    were known (``rewards_known_2015``): none with none of it, more with more of it, and with the
    whole year at ``bunching_rate`` as in any later year. The same draws decide, so the starters
    of a shorter exposure are among those of a longer one."""
    started = {}
    for share in (0.0, 0.3, 1.0):
        m = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=2, scale=0.3, rewards_known_2015=share)
        started[share] = set(m.firms.uid[m.firms.bunching & ~m.firms.hte].tolist())
    assert not started[0.0]
    assert 0 < len(started[0.3]) < len(started[1.0])
    assert started[0.3] <= started[1.0]


def test_participation_is_solved_on_the_reference_population_and_each_synthesis_keeps_its_totals():
    """The participation shifts are the reference population's: the same for every seed and
    scale (so replicates differ by their draws, not by the level of participation their own
    sample implied), and each synthesis still meets its 2015 R&D exactly."""
    models = [
        InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=s, scale=x)
        for s, x in ((1, 0.2), (2, 0.2), (3, 0.5))
    ]
    shifts = {(m.asi_rd_active_shift, m.rd_active_shift) for m in models}
    assert len(shifts) == 1
    for m in models:
        assert m.district_rd() / m.gdp[2015] == pytest.approx(m.facts.value("rd_intensity", 2015), rel=1e-3)
    steeper = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1, scale=0.2, rd_active_size_slope=0.6)
    assert (steeper.asi_rd_active_shift, steeper.rd_active_shift) not in shifts


def test_the_2015_contract_turnover_keeps_its_fact():
    """The registered share of 2015 is solved so that the 2015 turnover is the district's
    (1.32亿): whatever the multiplier, the push of 2016-2020 starts from the fact."""
    from innosim.model import carriers

    for multiplier in (2.5, 5.5):
        m = InnovationModel(
            load_scenario(SCENARIOS / "baseline.toml"), rng=5, scale=0.3, contract_multiplier=multiplier
        )
        turnover = m.contract_registration_2015 * carriers.contract_turnover_per_share(m)
        assert turnover == pytest.approx(m.facts.value("tech_contract_turnover", 2015), rel=1e-12)
        assert 0.005 < m.contract_registration_2015 < 0.05


def test_contract_registration_holds_after_the_push():
    """The registered share of R&D rises through 2016-2020 and holds after: turnover per yuan of
    R&D of the firms is the same in 2021 and 2023 as in 2020."""
    from innosim.model import network

    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=4, scale=0.2)
    per_rd = {}
    for year in (2019, 2020, 2021, 2023):
        model.run(year)
        fi = model.firms
        rd_all = fi.rd * fi.alive
        base = (rd_all.sum() + model.p.link_effect * rd_all[network.linked(model)].sum()) / 1e4 / model.scale
        per_rd[year] = model.records[year]["tech_contract_turnover"] / (base * model.price_level)
    assert per_rd[2019] < per_rd[2020]
    # holds to within links that expire at the year's turn (a rising share would add about 10% a year)
    assert per_rd[2021] == pytest.approx(per_rd[2020], rel=1e-3)
    assert per_rd[2023] == pytest.approx(per_rd[2020], rel=1e-3)


def test_an_unrenewed_certificate_is_not_won_back_in_the_same_round():
    """At a renewal rate of 0 every expiring certificate lapses at its expiry (none is re-won in
    the same round through the ordinary application)."""
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=2, scale=0.3, hte_renewal_rate=0.0)
    model.run(2018)
    for _ in range(4):  # through 2019's round, the first large expiry
        fi = model.firms
        expiring = fi.uid[fi.hte & (fi.hte_expiry <= 2019)]
        model.step()
    fi = model.firms
    assert len(expiring) > 0
    assert not fi.hte[np.isin(fi.uid, expiring)].any()


def test_st_services_demand_is_their_clients_rd_not_their_own():
    """S&T-services demand grows with their clients' R&D: their own R&D is not demand for
    their services (counting it made the demand feed on itself at the edges of the priors)."""
    from innosim.model.carriers import client_rd

    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1, scale=0.2).run(2016)
    fi = model.firms
    before = client_rd(model)
    fi.rd_reported[fi.sector == st.ST_SERVICES] *= 10
    assert client_rd(model) == before
    fi.rd_reported[fi.alive & (fi.sector != st.ST_SERVICES)] *= 2
    assert client_rd(model) > before


UNBINDING: dict[str, str] = {
    "rd_subsidy": "the plan's 2.6亿 already funds every project the call approves (the 13th-plan approval "
    "rate of 26.5%, each grant a share of the firm's R&D up to a cap): more money needs a higher approval rate "
    "or grant share",
    "hte_reward": "the plan's 0.8亿 already pays every first certificate's 30万元 and the cultivation pool's grants "
    "in full (0.62亿 a year spent in 2021-2025, 0.63亿 at four times): more money needs a larger reward per certificate",
}
"""Levers whose budget does not bind at four times the plan's, with the reason (docs/model.md, 4.1)."""


@pytest.fixture(scope="module")
def plan_runs():
    plan = load_scenario(SCENARIOS / "plan.toml")  # full size: small lever effects need it
    return plan, simulate(plan, seed=5, replicates=8, workers=0)


def _at(table, iid, year=2025):
    rows = table[(table.indicator == iid) & (table.year == year)].sort_values("replicate")
    return rows["value"].to_numpy()


def _spent(table, lid):
    rows = table[(table.indicator == f"spending_{lid}") & (table.year >= 2021)]
    return rows.groupby("replicate")["value"].sum().to_numpy()


RARE: dict[str, int] = {"listing_support": 64}
"""Levers whose effect is a rare event, with the paired replicates that show it (run with the slow
tests): a listing is one HTE's yearly chance of `listing_rate`, raised by `listing_response` in the
reserve (docs/model.md, 4.1), and a listed firm counts while it holds its certificate. At four times
the budget, 0.81 more listed HTE by 2025 over 64 replicates (standard error 0.20); 24 replicates gave
0.54 ± 0.39 once a lapsed certificate could no longer be won back in the same round."""


@pytest.mark.parametrize("lid", [pytest.param(lid, marks=pytest.mark.slow) if lid in RARE else lid for lid in LEVERS])
def test_four_times_the_budget_binds_and_acts(plan_runs, lid):
    plan, base = plan_runs
    budget = getattr(plan.policy, lid).budget
    n = RARE.get(lid, 8)
    if n != 8:
        base = simulate(plan, seed=5, replicates=n, workers=0)
    table = simulate(plan.with_overrides({f"policy.{lid}.budget": 4 * budget}), seed=5, replicates=n, workers=0)
    ratio = _spent(table, lid).mean() / _spent(base, lid).mean()
    if lid in UNBINDING:
        assert ratio < 1.25, f"{lid}: spending x{ratio:.2f}; it binds after all, drop it from UNBINDING"
        return
    assert ratio >= 1.05, f"{lid}: spending only x{ratio:.2f} at four times the budget"
    moved = {}
    for iid in INDICATORS:
        if iid.startswith("spending_"):
            continue
        diff = _at(table, iid) - _at(base, iid)
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        moved[iid] = abs(diff.mean()) / se if se > 0 else (np.inf if diff.mean() != 0 else 0.0)
    best = max(moved, key=moved.get)
    assert moved[best] > 2, f"{lid}: largest paired z is {moved[best]:.2f} ({best})"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_talent_departure_hazard_stays_in_its_sourced_range(path):
    lo, hi = C.talent_hazard_range
    model = InnovationModel(load_scenario(path), rng=1, scale=0.05)
    while not model.finished:
        model.step()
        for card in (False, True):
            h = departure_hazard(model, np.array([card]))[0]
            assert lo <= h <= hi, (model.year, card, h)


@pytest.fixture(scope="module")
def posterior_runs():
    """The projection as `innosim run --replicates 20 --seed 0` makes it (posterior, full size)."""
    table = simulate(default_scenario(), seed=0, replicates=20, workers=0)
    return lambda iid, year: float(table[(table.indicator == iid) & (table.year == year)]["value"].median())


def test_hte_have_the_size_of_the_sourced_references(posterior_runs):
    """2020 HTE average revenue and staff within 25% of the district estimate (data file)."""
    facts = default_facts()
    for iid in ("hte_mean_revenue", "hte_mean_staff"):
        ratio = posterior_runs(iid, 2020) / facts.value(iid, 2020)
        assert abs(ratio - 1) <= 0.25, (iid, ratio)


def test_above_scale_share_of_hte_is_near_the_published_value(posterior_runs):
    """The share of above-scale firms among HTE in 2020 within 10 points of the nearest published value
    (Fuzhou's 54.4% in 2018; no Baiyun, Guangzhou or Guangdong value found): 49.3%, 5.1 points short."""
    share = posterior_runs("above_scale_hte_share", 2020)
    assert abs(share - default_facts().value("fuzhou_above_scale_hte_share", 2018)) <= 0.10, share


def test_above_scale_share_of_hte_falls_only_as_the_docs_explain(posterior_runs):
    """After 2020 the share falls as small firms keep certifying for the rewards, as Guangzhou's did in
    2015-2019 (docs/model.md 3.1); by no more than 8 points to 2025."""
    fall = posterior_runs("above_scale_hte_share", 2020) - posterior_runs("above_scale_hte_share", 2025)
    assert fall <= 0.08, fall
