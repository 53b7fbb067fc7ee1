"""The Mesa model: initial state, calibration window, budgets, agents, determinism."""

import mesa
import numpy as np
import pytest

from innosim import INDICATORS, LEVERS, InnovationModel, default_scenario, simulate
from innosim.facts import default_facts
from innosim.model import structure as st
from innosim.model.agents import Fund, Government, IncubationCarrier, RdInstitution


@pytest.fixture(scope="module")
def model():
    return InnovationModel(default_scenario(), rng=11)


def test_is_a_mesa_model_with_agent_types(model):
    assert isinstance(model, mesa.Model)
    for cls in (Government, IncubationCarrier, Fund, RdInstitution):
        assert cls in model.agents_by_type and len(model.agents_by_type[cls]) > 0


def test_price_level_is_realised_to_2024_then_the_parameter():
    """Firms' money is in 2015 prices: the level compounds the facts' consumer-price rises to 2024,
    then ``price_growth``, which moves nothing before 2025 (and 2025's nominal GDP with it)."""
    f = default_facts()
    low, high = (InnovationModel(default_scenario(), rng=1, scale=0.05, price_growth=g) for g in (0.0, 0.03))
    level = 1.0
    for year in range(2016, 2025):
        level *= 1 + f.value("cpi_growth", year)
        assert low.prices[year] == high.prices[year] == pytest.approx(level)
        assert low.gdp[year] == high.gdp[year]
    assert low.prices[2020] == pytest.approx(1.134, abs=0.001)
    assert high.prices[2025] / low.prices[2025] == pytest.approx(1.03)
    assert high.gdp[2025] / low.gdp[2025] == pytest.approx(1.03)
    low.run(until=2016)
    assert low.price_level == low.prices[2016]


def test_initial_state_matches_2015_facts(model):
    f = default_facts()
    fi = model.firms
    assert fi.n >= 20000 and model.talent.n >= 10000  # full size: one agent per firm and person
    assert fi.hte.sum() == f.value("hte_count", 2015)
    assert len([c for c in model.carriers if c.is_incubator]) == f.value("incubators", 2015)
    assert len([c for c in model.carriers if c.kind == "maker_space"]) == f.value("maker_spaces", 2015)
    big = fi.industrial & (fi.revenue >= 2000)
    assert (fi.revenue * fi.hightech_share)[big].sum() / 1e4 == pytest.approx(
        f.value("hightech_output", 2015), rel=0.01
    )
    assert fi.revenue[big].sum() / 1e4 == pytest.approx(f.value("above_scale_industrial_output", 2015), rel=0.01)
    rd = model.district_rd()
    assert rd / model.gdp[2015] == pytest.approx(f.value("rd_intensity", 2015), rel=0.02)
    assert fi.rd_reported[big].sum() / fi.revenue[big].sum() == pytest.approx(
        f.value("above_scale_industrial_rd_intensity", 2015), rel=0.01
    )


def test_initial_state_is_reproducible():
    a, b = InnovationModel(rng=5), InnovationModel(rng=5)
    for col in ("revenue", "rd", "hte", "sector"):
        assert np.array_equal(getattr(a.firms, col), getattr(b.firms, col))
    assert not np.array_equal(InnovationModel(rng=6).firms.revenue[:100], a.firms.revenue[:100])


@pytest.fixture(scope="module")
def baseline_table():
    return simulate(default_scenario(), seed=2024, replicates=8, workers=1, parameters="defaults")


@pytest.mark.parametrize("iid", ["hte_count", "incubators", "maker_spaces", "hightech_output", "rd_intensity"])
def test_default_parameters_reproduce_2020_within_25_percent(baseline_table, iid):
    values = baseline_table.query("indicator == @iid and year == 2020")["value"]
    fact = INDICATORS[iid].fact(2020)
    assert abs(values.median() / fact - 1) <= 0.25, (iid, values.median(), fact)


def test_spending_never_exceeds_budget_and_is_recorded(baseline_table):
    base = default_scenario().policy
    for lid in LEVERS:
        spent = baseline_table[baseline_table.indicator == f"spending_{lid}"]
        assert (spent["value"] <= getattr(base, lid).budget + 1e-9).all(), lid
    total = baseline_table.query("indicator == 'spending_total' and year == 2020")["value"]
    assert (total > 1.0).all()  # the 13th-plan levers are actually spent


def test_past_is_shared_by_every_scenario():
    plan = default_scenario().with_overrides({f"policy.{lid}.budget": 5.0 for lid in LEVERS})
    a = InnovationModel(default_scenario(), rng=3).run().records
    b = InnovationModel(plan, rng=3).run().records
    assert all(a[y] == b[y] for y in range(2016, 2021))
    assert a[2025] != b[2025]


def test_scale_samples_and_rescales():
    small = default_scenario().with_overrides({"scale": 0.1})
    m = InnovationModel(small, rng=1)
    assert 1800 <= m.firms.n <= 2600
    m.run()
    # a tenth of the firms: one run's count varies by ±40% (720-1,550 over six seeds); the median of three
    counts = [m.records[2020]["hte_count"]] + [
        InnovationModel(small, rng=s).run(2020).records[2020]["hte_count"] for s in (2, 3)
    ]
    assert sorted(counts)[1] == pytest.approx(1046, rel=0.4)
    table = simulate(small, seed=1, replicates=1)
    assert (table["scale"] == 0.1).all()


def test_end_year_extends_the_run():
    m = InnovationModel(default_scenario().with_overrides({"end_year": 2030, "scale": 0.05}), rng=1).run()
    assert max(m.records) == 2030 and m.steps == 60


def test_hte_size_and_industrial_rd_intensity_indicators_read_the_firm_table():
    m = InnovationModel(default_scenario(), rng=3, scale=0.2).run(until=2019)
    fi, rec = m.firms, m.records[2019]
    hte = fi.hte & fi.alive
    assert rec["hte_mean_revenue"] == pytest.approx((fi.sales_y1 * m.price_level)[hte].mean() / 1e4)
    assert rec["hte_mean_staff"] == pytest.approx(m.employees()[hte].mean())
    big = fi.alive & fi.industrial & (fi.sales_y1 * m.price_level >= 2000)
    intensity = fi.rd_y1[big].sum() / fi.sales_y1[big].sum()
    assert rec["above_scale_industrial_rd_intensity"] == pytest.approx(intensity)
    assert rec["above_scale_industrial_rd_performers"] == pytest.approx((fi.rd_y1[big] > 0).mean())
    sales = fi.sales_y1 * m.price_level
    leading = big & (sales >= 50000)  # 5亿
    assert leading.any() and rec["leading_industrial_firms"] == pytest.approx(leading.sum() / m.scale)
    assert rec["leading_industrial_output_share"] == pytest.approx(sales[leading].sum() / sales[big].sum())
    above = fi.alive & st.above_scale(fi.sales_y1 * m.price_level, fi.industrial)
    assert rec["hte_share_of_business_rd"] == pytest.approx(fi.rd_y1[hte].sum() / fi.rd_y1[above].sum())
    institutions = m.institution_rd() * m.price_level
    assert rec["rd_expenditure"] == pytest.approx(
        (fi.rd_y1[above].sum() / 1e4 / m.scale) * m.price_level + institutions
    )
    assert 0 < intensity < 0.1 and 0.01 < rec["hte_mean_revenue"] < 10


def test_synthesis_matches_2015_rd_at_the_edges_of_the_priors():
    """Where even every firm doing R&D at the sectors' intensities falls short of 2015 business
    R&D (found by a Morris screen over the priors), the intensities close the gap instead."""
    short = {"rd_intensity_scale": 0.4, "business_rd_share": 0.95, "initial_firms": 15000, "revenue_sigma": 1.2}
    m = InnovationModel(default_scenario(), rng=1, scale=0.3, **short)
    assert m.rd_active_shift == 10.0  # every firm that can do R&D does
    assert m.district_rd() / m.gdp[2015] == pytest.approx(default_facts().value("rd_intensity", 2015), rel=0.02)


def test_a_process_given_its_own_stream_root_changes_its_draws_only():
    """``Streams(root, roots)``: a process re-rooted draws other numbers (from its generator and its
    per-firm draws), every other process draws as before, and a root equal to the model's changes nothing."""
    from innosim.model.streams import PROCESSES, Streams

    uid = np.arange(50, dtype=np.uint64)

    def draws(streams: Streams) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {p: (streams.get(p, 7).random(5), streams.uniform(uid, p, 7)) for p in PROCESSES}

    base = draws(Streams(11))
    same = draws(Streams(11, dict.fromkeys(PROCESSES, 11)))
    rerooted = draws(Streams(11, {"rd": 12}))
    for p in PROCESSES:
        assert all(np.array_equal(a, b) for a, b in zip(base[p], same[p], strict=True))
        changed = [not np.array_equal(a, b) for a, b in zip(base[p], rerooted[p], strict=True)]
        assert changed == ([True, True] if p == "rd" else [False, False]), p
    with pytest.raises(ValueError, match="no such random process: rnd"):
        Streams(11, {"rnd": 1})


def test_stream_roots_hold_every_process_while_the_seed_changes_the_2015_state():
    """With every stream's root given, two seeds differ only in the synthesis: same roots, other firms."""
    from innosim.model.streams import PROCESSES

    roots = dict.fromkeys(PROCESSES, 3)
    a = InnovationModel(rng=1, scale=0.02, stream_roots=roots)
    b = InnovationModel(rng=2, scale=0.02, stream_roots=roots)
    assert a.streams.get("rd", 4).random() == b.streams.get("rd", 4).random()
    assert not np.array_equal(a.firms.revenue[:50], b.firms.revenue[:50])
