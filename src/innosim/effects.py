"""Paired effects, target attainment and spending, from the runs of several scenarios.

The tables of a :class:`~innosim.comparison.Comparison` (definitions in its module docstring
and in ``docs/experiments.md``), computed from a long table of paired runs; the charts and
the report use them too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from innosim.indicators import INDICATOR_ORDER, INDICATORS, target_indicators
from innosim.levers import LEVERS
from innosim.scenario import Scenario
from innosim.simulation import quantiles
from innosim.timeline import PLAN_START, TARGET_YEAR

EXTRA_SPENDING_FLOOR = 1e-6
"""Extra spending (亿元) below which no cost-effectiveness is reported."""


def meets_target(indicator: str, values: pd.Series) -> pd.Series:
    """Whether each value meets the indicator's 2025 target (at or above it; at or below where lower is better)."""
    ind = INDICATORS[indicator]
    target = ind.target()
    return values >= target if ind.higher_is_better else values <= target


def attainment(values: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """Whether each row (a run) meets each target: ``values`` holds the targets' 2025 values."""
    return pd.DataFrame({t: meets_target(t, values[t]) for t in targets}, index=values.index)


TARGETS_MET_Z = 1.6448536269514722
"""The normal quantile of a 90% interval (of the mean paired difference in targets met)."""


def targets_met_table(runs: pd.DataFrame, reference: str) -> pd.DataFrame:
    """How many of the plan's 2025 targets each scenario meets, replicate by replicate, and paired
    against ``reference`` (empty when the runs stop before 2025).

    Columns: ``scenario, targets`` (how many are counted), ``mean, p05, p95`` of the count over
    replicates, ``p_all`` (share of replicates meeting every one); for the other scenarios the
    paired difference in the count, replicate by replicate: ``diff_mean, diff_se`` (its standard
    error, sd/sqrt(n)), ``diff_low, diff_high`` (the 90% interval of the mean difference, normal)
    and ``p_more, p_fewer`` (share of replicates meeting more, fewer targets than the reference).
    """
    at = runs[runs["year"] == TARGET_YEAR]
    targets = target_indicators()
    columns = ["scenario", "targets", "mean", "median", "p05", "p95", "p_all"]
    columns += ["diff_mean", "diff_se", "diff_low", "diff_high"]
    if at.empty:
        return pd.DataFrame(columns=[*columns, "p_more", "p_fewer"])
    scenarios = list(dict.fromkeys(runs["scenario"]))
    wide = at[at["indicator"].isin(targets)].pivot_table(
        index=["scenario", "replicate"], columns="indicator", values="value", aggfunc="first"
    )
    met = attainment(wide, targets)
    count = met.sum(axis=1).unstack("scenario")[scenarios]
    rows = []
    for name in scenarios:
        c = count[name]
        row = {"scenario": name, "targets": len(targets), "mean": float(c.mean()), **quantiles(c)}
        row["p_all"] = float(met.xs(name, level="scenario").all(axis=1).mean())
        if name != reference:
            d = (c - count[reference]).to_numpy(dtype=float)
            se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else np.nan
            row.update(
                diff_mean=float(d.mean()),
                diff_se=se,
                diff_low=float(d.mean() - TARGETS_MET_Z * se),
                diff_high=float(d.mean() + TARGETS_MET_Z * se),
                p_more=float((d > 0).mean()),
                p_fewer=float((d < 0).mean()),
            )
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=[*columns, "p_more", "p_fewer"])


def summarise_comparison(runs: pd.DataFrame, reference: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator table and cost-effectiveness table of paired runs (see :class:`Comparison`).

    ``runs`` is a long table with columns ``scenario, replicate, year, indicator, value``.
    """
    scenarios = list(dict.fromkeys(runs["scenario"]))
    wide = runs.pivot_table(
        index=["indicator", "year", "replicate"], columns="scenario", values="value", aggfunc="first"
    )[scenarios]
    effects = wide.sub(wide[reference], axis=0)
    frames = []
    for name in scenarios:
        grouped = wide[name].groupby(level=["indicator", "year"])
        frame = pd.DataFrame(quantiles(grouped))
        if name != reference:
            eff = effects[name].groupby(level=["indicator", "year"])
            frame = frame.assign(**quantiles(eff, "effect_"), p_positive=eff.apply(lambda v: float((v > 0).mean())))
        frames.append(frame.reset_index().assign(scenario=name))
    table = pd.concat(frames, ignore_index=True)
    table["target"] = [
        INDICATORS[i].target() if y == TARGET_YEAR else None for i, y in zip(table["indicator"], table["year"])
    ]
    table["target"] = table["target"].astype(float)
    p_target = {}
    for name in scenarios:
        if TARGET_YEAR not in wide.index.get_level_values("year"):
            continue
        at = wide[name].xs(TARGET_YEAR, level="year")
        for iid in at.index.get_level_values("indicator").unique():
            if INDICATORS[iid].target() is not None:
                p_target[(name, iid, TARGET_YEAR)] = float(meets_target(iid, at.xs(iid, level="indicator")).mean())
    table["p_target"] = [p_target.get(k, np.nan) for k in zip(table["scenario"], table["indicator"], table["year"])]
    cols = [
        "scenario",
        "indicator",
        "year",
        "median",
        "p05",
        "p95",
        "effect_median",
        "effect_p05",
        "effect_p95",
        "p_positive",
        "target",
        "p_target",
    ]
    table = table.reindex(columns=cols)
    table["_s"] = table["scenario"].map({n: i for i, n in enumerate(scenarios)})
    table["_i"] = table["indicator"].map(INDICATOR_ORDER)
    table = table.sort_values(["_s", "_i", "year"], kind="stable").drop(columns=["_s", "_i"]).reset_index(drop=True)

    period = runs[(runs["indicator"] == "spending_total") & (runs["year"] >= PLAN_START) & (runs["year"] <= year)]
    spent = period.groupby(["scenario", "replicate"])["value"].sum().unstack("scenario")[scenarios]
    extra = spent.sub(spent[reference], axis=0)
    rows = []
    for name in scenarios[1:]:
        for iid, ind in INDICATORS.items():
            if not ind.plan:
                continue
            gain = effects[name].xs((iid, year), level=["indicator", "year"])
            row = {
                "scenario": name,
                "indicator": iid,
                "effect": float(gain.median()),
                "extra_spending": float(extra[name].median()),
            }
            if (extra[name] > EXTRA_SPENDING_FLOOR).all():
                ratio = gain / extra[name].reindex(gain.index)
                row.update(quantiles(ratio, "per_yi_"))
            rows.append(row)
    cost = pd.DataFrame(
        rows, columns=["scenario", "indicator", "effect", "extra_spending", "per_yi_median", "per_yi_p05", "per_yi_p95"]
    )
    return table, cost.astype({c: float for c in cost.columns[2:]})


def spending_table(runs: pd.DataFrame, scenarios: Sequence[Scenario], year: int) -> pd.DataFrame:
    """Spending by lever over ``PLAN_START..year`` per scenario (see :class:`Comparison`)."""
    reference = scenarios[0].name
    period = runs[(runs["year"] >= PLAN_START) & (runs["year"] <= year) & runs["indicator"].str.startswith("spending_")]
    spent = period.groupby(["indicator", "scenario", "replicate"])["value"].sum()
    years = year - PLAN_START + 1
    rows = []
    for scn in scenarios:
        for lever in [*LEVERS, "total"]:
            budget = scn.policy.total_budget() if lever == "total" else getattr(scn.policy, lever).budget
            mine = spent.xs((f"spending_{lever}", scn.name), level=["indicator", "scenario"])
            ref = spent.xs((f"spending_{lever}", reference), level=["indicator", "scenario"])
            rows.append(
                {
                    "scenario": scn.name,
                    "lever": lever,
                    "budget": budget,
                    "spent": float(mine.median()),
                    "uptake": float(mine.median() / (budget * years)) if budget > 0 else np.nan,
                    "extra": float((mine - ref).median()),
                }
            )
    return pd.DataFrame(rows)
