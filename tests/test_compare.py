"""Comparisons: paired replicates, effects, target odds, spending and cost-effectiveness."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import SCENARIOS, run_cli
from innosim import INDICATORS, LEVERS, compare, load_scenario

PLAN_INDICATORS = [i for i, ind in INDICATORS.items() if ind.plan]


@pytest.fixture(scope="module")
def small():
    scns = [load_scenario(SCENARIOS / f).with_overrides({"scale": 0.1}) for f in ("baseline.toml", "plan.toml")]
    return compare(scns, seed=3, replicates=6, workers=1)


def test_pairing_makes_13th_plan_years_identical(small):
    before = small.indicators[(small.indicators.scenario == "plan") & (small.indicators.year < 2021)]
    assert len(before) and (before[["effect_median", "effect_p05", "effect_p95"]] == 0).all().all()
    runs = small.runs.pivot_table(index=["replicate", "year", "indicator"], columns="scenario", values="value")
    assert (runs.xs(2020, level="year")["plan"] == runs.xs(2020, level="year")["baseline"]).all()
    seeds = small.runs.groupby("replicate")[["seed", "draw"]].nunique()
    assert (seeds == 1).all().all()


def test_effects_spending_and_cost_effectiveness_are_consistent(small):
    t = small.indicators.set_index(["scenario", "indicator", "year"])
    runs = small.runs.pivot_table(index=["replicate", "year", "indicator"], columns="scenario", values="value")
    diff = (runs["plan"] - runs["baseline"]).xs((2025, "incubators"), level=["year", "indicator"])
    assert t.loc[("plan", "incubators", 2025), "effect_median"] == diff.median()
    assert np.isnan(t.loc[("baseline", "incubators", 2025), "effect_median"])
    # target odds are shares of replicates at or above the target
    at = runs.xs((2025, "incubators"), level=["year", "indicator"])["plan"]
    assert t.loc[("plan", "incubators", 2025), "p_target"] == (at >= INDICATORS["incubators"].target()).mean()
    assert np.isnan(t.loc[("plan", "incubators", 2024), "p_target"])
    spend = small.spending.set_index(["scenario", "lever"])
    assert spend.loc[("plan", "total"), "spent"] > spend.loc[("baseline", "total"), "spent"] > 0
    assert spend.loc[("plan", "total"), "budget"] == pytest.approx(
        sum(spend.loc[("plan", lever), "budget"] for lever in LEVERS)
    )
    assert (spend["uptake"].dropna() <= 1 + 1e-9).all()
    cost = small.cost_effectiveness.set_index("indicator")
    assert list(cost.index) == PLAN_INDICATORS
    # the effect per 亿元 is taken replicate by replicate: each replicate's effect over its own extra spending
    total = runs.xs("spending_total", level="indicator")
    total = total[total.index.get_level_values("year") >= 2021].groupby(level="replicate").sum()
    per_yi = diff / (total["plan"] - total["baseline"]).reindex(diff.index)
    assert cost.loc["incubators", "per_yi_median"] == pytest.approx(per_yi.median(), rel=1e-9)
    assert cost.loc["incubators", "extra_spending"] == pytest.approx((total["plan"] - total["baseline"]).median())


def test_same_comparison_on_one_worker_or_two(small):
    again = compare(list(small.scenarios), seed=3, replicates=6, workers=2)
    assert again.runs.equals(small.runs) and again.indicators.equals(small.indicators)


@pytest.mark.slow
def test_plan_against_baseline_cli(tmp_path):
    """The acceptance command: every 14th-plan indicator with its paired effect, target odds and the plan's
    cost-effectiveness, as a table and as JSON."""
    out = tmp_path / "cmp"
    r = run_cli(
        "compare",
        str(SCENARIOS / "baseline.toml"),
        str(SCENARIOS / "plan.toml"),
        "--replicates",
        "30",
        "--out",
        str(out),
        columns=200,
    )
    assert r.returncode == 0, r.stderr
    for iid in PLAN_INDICATORS:
        assert INDICATORS[iid].name_zh in r.stdout
    for words in ("effect", "P(target)", "per 亿元", "public spending 2021-2025", "合计", "年达标指标数"):
        assert words in r.stdout
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert doc["reference"] == "baseline" and doc["replicates"] == 30 and doc["year"] == 2025
    rows = {(i["scenario"], i["id"], i["year"]): i for i in doc["indicators"]}
    for iid in PLAN_INDICATORS:
        row = rows[("plan", iid, 2025)]
        assert set(row["effect"]) == {"median", "p05", "p95", "p_positive"}
        assert row["effect"]["p05"] <= row["effect"]["median"] <= row["effect"]["p95"]
        assert (row["p_target"] is None) == (INDICATORS[iid].target() is None)
        assert rows[("baseline", iid, 2025)]["effect"] is None
    cost = {c["id"]: c for c in doc["cost_effectiveness"]}
    assert set(cost) == set(PLAN_INDICATORS) and cost["hte_count"]["extra_spending"] > 0
    assert cost["incubators"]["per_yi"]["median"] > 0
    levers = {(s["scenario"], s["lever"]) for s in doc["spending"]}
    assert {("plan", lid) for lid in [*LEVERS, "total"]} <= levers
    js = run_cli(
        "compare",
        str(SCENARIOS / "baseline.toml"),
        str(SCENARIOS / "plan.toml"),
        "--replicates",
        "30",
        "--format",
        "json",
    )
    assert js.returncode == 0 and json.loads(js.stdout) == doc


@pytest.mark.parametrize(
    "args, words",
    [
        (["baseline.toml"], "at least two scenarios"),
        (["baseline.toml", "baseline.toml"], "distinct `name`"),
        (["baseline.toml", "missing.toml"], "file not found"),
    ],
)
def test_bad_comparisons(tmp_path, args, words):
    r = run_cli("compare", *[str(SCENARIOS / a) for a in args], "--replicates", "2", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


def test_targets_met_counts_each_replicate_and_pairs_the_difference():
    """Targets met per replicate from a hand-made table: the reference meets none, the other
    scenario every target in replicate 0, all but one in replicate 1, none in replicate 2."""
    from innosim.effects import targets_met_table
    from innosim.indicators import INDICATORS

    targets = [i for i, ind in INDICATORS.items() if ind.plan and ind.target() is not None]

    def value(iid: str, meets: bool) -> float:
        ind = INDICATORS[iid]
        t = float(ind.target())
        return t * (1.5 if meets == ind.higher_is_better else 0.5)

    rows = []
    for rep, met in enumerate([len(targets), len(targets) - 1, 0]):
        for k, iid in enumerate(targets):
            rows.append(
                {"scenario": "ref", "replicate": rep, "year": 2025, "indicator": iid, "value": value(iid, False)}
            )
            rows.append(
                {"scenario": "alt", "replicate": rep, "year": 2025, "indicator": iid, "value": value(iid, k < met)}
            )
    table = targets_met_table(pd.DataFrame(rows), "ref").set_index("scenario")
    n = len(targets)
    assert table.loc["ref", "targets"] == n and table.loc["ref", "mean"] == 0 and table.loc["ref", "p_all"] == 0
    alt = table.loc["alt"]
    d = np.array([n, n - 1, 0], dtype=float)
    assert alt["mean"] == pytest.approx(d.mean()) and alt["p_all"] == pytest.approx(1 / 3)
    assert alt["diff_mean"] == pytest.approx(d.mean())
    assert alt["diff_se"] == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    assert alt["diff_low"] == pytest.approx(d.mean() - 1.6448536 * alt["diff_se"])
    assert alt["p_more"] == pytest.approx(2 / 3) and alt["p_fewer"] == 0
    assert targets_met_table(pd.DataFrame(rows).assign(year=2024), "ref").empty
