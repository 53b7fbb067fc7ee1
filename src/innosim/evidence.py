"""The evidence table: each lever's paired effect per 亿元 beside the empirical range.

For every lever, the baseline with that lever's budget raised (and nothing else: the number of
cases the lever pays for follows its budget) is compared with the baseline on paired
replicates (:func:`innosim.compare`): the budget becomes ``max(3 x baseline, baseline + 0.5)``
亿元 a year from 2021. The table gives the extra public money spent over 2021-2025, and the 2025 effect on each indicator the lever acts on per 亿元
of it, replicate by replicate (median and 5-95%). Beside it stands what the literature or
programme records say (``calibration/data/evidence.toml``), with the model's counterpart of
that measure where one exists (:data:`METRICS`) and whether it falls inside the range.

``innosim evidence --out docs/levers.md`` writes the table; docs/model.md explains the
levers that fall outside.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from innosim.indicators import INDICATORS, format_value
from innosim.levers import LEVERS
from innosim.posterior import Posterior, shipped_posterior
from innosim.timeline import PLAN_START, TARGET_YEAR


def raised_budget(baseline: float) -> float:
    """The budget of a lever's scenario: three times the baseline's, at least 0.5亿元 a year more."""
    return max(3 * baseline, baseline + 0.5)


@dataclass(frozen=True)
class Evidence:
    """One row of ``evidence.toml``: what the literature says about a lever."""

    lever: str
    measure: str
    metric: str
    citation: str
    status: str
    note: str
    low: float | None = None
    high: float | None = None


def load_evidence() -> dict[str, Evidence]:
    """The shipped evidence, by lever id (every lever has one row)."""
    text = resources.files("innosim").joinpath("data/evidence.toml").read_text(encoding="utf-8")
    rows = [Evidence(**row) for row in tomllib.loads(text)["evidence"]]
    return {row.lever: row for row in rows}


def _per_replicate(runs: pd.DataFrame, scenario: str, reference: str, indicator: str, years: range) -> np.ndarray:
    table = runs[(runs.indicator == indicator) & runs.year.isin(list(years))]
    by = table.groupby(["scenario", "replicate"])["value"].sum()
    return (by.xs(scenario) - by.xs(reference)).sort_index().to_numpy()


def _per_yuan(diff: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Effect per 亿元 of extra spending, replicate by replicate, over the replicates in which the
    raised budget was spent (paired noise can leave a lever whose budget hardly binds with none)."""
    spent = extra > 0
    return diff[spent] / extra[spent]


def _quantiles(values: np.ndarray) -> np.ndarray:
    """5/50/95% quantiles, or NaN where there are no values."""
    return np.quantile(values, (0.05, 0.5, 0.95)) if len(values) else np.full(3, np.nan)


def _rd_per_yuan(runs: pd.DataFrame, scenario: str, reference: str, lever: str, posterior: Posterior) -> np.ndarray:
    years = range(PLAN_START, TARGET_YEAR + 1)
    extra = _per_replicate(runs, scenario, reference, f"spending_{lever}", years)
    return _per_yuan(_per_replicate(runs, scenario, reference, "rd_expenditure", years), extra)


def _parameter(name: str) -> Callable[..., np.ndarray]:
    def metric(runs: pd.DataFrame, scenario: str, reference: str, lever: str, posterior: Posterior) -> np.ndarray:
        path = f"parameters.{name}"
        if path in posterior.paths:
            return posterior.quantiles((0.05, 0.5, 0.95)).loc[path].to_numpy()
        from innosim.parameters import Parameters

        return np.array([getattr(Parameters(), name)] * 3)

    return metric


def _private_per_public(
    runs: pd.DataFrame, scenario: str, reference: str, lever: str, posterior: Posterior
) -> np.ndarray:
    from innosim.levers import GuidanceFund

    return _parameter("fund_raise_rate")(runs, scenario, reference, lever, posterior) * GuidanceFund().leverage


METRICS: dict[str, Callable[..., np.ndarray]] = {
    "rd_per_yuan": _rd_per_yuan,
    "private_per_public": _private_per_public,
    **{
        f"parameter:{name}": _parameter(name)
        for name in ("relabel_share", "incubator_survival_effect", "ip_project_effect")
    },
}
"""The model's counterpart of each literature measure: per-replicate values or 5/50/95% quantiles."""


def evidence_table(
    seed: int = 1, replicates: int = 20, scale: float = 1.0, workers: int = 0, progress: Any = None
) -> pd.DataFrame:
    """Run the lever comparisons and return one row per lever (see the module docstring)."""
    from innosim.comparison import compare
    from innosim.scenario import default_scenario

    base = default_scenario().with_overrides({"scale": scale})
    scns = [base]
    for lid in LEVERS:
        budget = raised_budget(getattr(base.policy, lid).budget)
        raised = base.with_overrides({f"policy.{lid}.budget": budget})
        scns.append(raised.model_copy(update={"name": f"more_{lid}", "description": f"{lid} budget {budget:g}亿元/yr"}))
    comparison = compare(scns, seed=seed, replicates=replicates, workers=workers, progress=progress)
    runs, reference = comparison.runs, scns[0].name
    posterior = shipped_posterior()
    evidence = load_evidence()
    rows = []
    for lid, scn in zip(LEVERS, scns[1:], strict=True):
        extra = _per_replicate(runs, scn.name, reference, f"spending_{lid}", range(PLAN_START, TARGET_YEAR + 1))
        effects = []
        for iid in LEVERS[lid].acts_on:
            diff = _per_replicate(runs, scn.name, reference, iid, range(TARGET_YEAR, TARGET_YEAR + 1))
            per = _quantiles(_per_yuan(diff, extra))
            effects.append((iid, *per))
        ev = evidence[lid]
        model = _quantiles(METRICS[ev.metric](runs, scn.name, reference, lid, posterior)) if ev.metric else None
        inside = None
        if model is not None and not np.isnan(model[1]) and ev.low is not None and ev.high is not None:
            inside = bool(ev.low <= model[1] <= ev.high)
        rows.append(
            {
                "lever": lid,
                "extra_spending": float(np.median(extra)),
                "effects": effects,
                "measure": ev.measure,
                "range": (ev.low, ev.high) if ev.low is not None else None,
                "model": None if model is None else tuple(float(x) for x in model),
                "inside": inside,
                "citation": ev.citation,
                "status": ev.status,
                "note": ev.note,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update(seed=seed, replicates=replicates, scale=scale, readings=_readings(runs, reference))
    return table


def _readings(runs: pd.DataFrame, reference: str) -> dict[str, float]:
    """How the data readings that stay ambiguous move the baseline's 2025 projection.

    Technology contracts: read as a 2016-2020 total, 70.14亿 calls for the contract multiplier
    scaled by 70.14 over the model's 2016-2020 sum (turnover is proportional to it and feeds
    nothing else), so turnover and every lever's effect on it scale by that factor.
    All patent grants: proportional to ``patents_per_invention``, whose prior spans the readings.
    """
    from innosim.facts import default_facts
    from innosim.fields import prior
    from innosim.parameters import Parameters

    base = runs[runs.scenario == reference]
    contracts = base[base.indicator == "tech_contract_turnover"]
    total = contracts[contracts.year.between(2016, 2020)].groupby("replicate")["value"].sum().median()
    factor = default_facts().value("tech_contract_turnover_total", 2020) / total
    in_2025 = float(contracts[contracts.year == TARGET_YEAR]["value"].median())
    grants = base[(base.indicator == "patent_grants") & (base.year == TARGET_YEAR)]["value"].median()
    ratio = Parameters().patents_per_invention
    bounds = prior(Parameters.model_fields["patents_per_invention"])
    lo, hi = bounds if bounds is not None else (ratio, ratio)
    return {
        "contract_factor": float(factor),
        "contracts_2025": in_2025,
        "contracts_2025_total_reading": in_2025 * float(factor),
        "patent_grants_2025": float(grants),
        "patent_grants_2025_low": float(grants) * lo / ratio,
        "patent_grants_2025_high": float(grants) * hi / ratio,
    }


def _num(x: float) -> str:
    return f"{x:.3g}"


def to_markdown(table: pd.DataFrame, command: str) -> str:
    """The table as the Markdown page ``docs/levers.md``."""
    lines = [
        "# Levers and the evidence",
        "",
        "Generated by `" + command + "` (do not edit by hand). The baseline with one lever's budget raised to "
        "max(3 x baseline, baseline + 0.5) 亿元 a year from 2021, against the baseline, on "
        f"{table.attrs['replicates']} paired replicates at scale {table.attrs['scale']} (seed {table.attrs['seed']}), "
        "each drawing its parameters from the shipped posterior. *Effect per 亿元*: the 2025 effect over the extra "
        "spending of 2021-2025, per replicate, median [5-95%]. *Model*: the model's counterpart of the literature's "
        "measure, median [5-95%]. Why a lever falls outside its range: docs/model.md, section 'Levers against the "
        "evidence'.",
        "",
        "| Lever | Extra spending 2021-25 (亿元) | Effect per 亿元 (2025) | Literature measure | Range | Model | Inside? |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lever = LEVERS[row.lever]
        effects = "; ".join(
            f"{INDICATORS[i].name_en}: {_num(m)} [{_num(lo)}, {_num(hi)}] {INDICATORS[i].unit}"
            for i, lo, m, hi in row.effects
        )
        rng = "no estimate found" if row.range is None else f"{_num(row.range[0])} - {_num(row.range[1])}"
        model = "" if row.model is None else f"{_num(row.model[1])} [{_num(row.model[0])}, {_num(row.model[2])}]"
        inside = {True: "yes", False: "**no**", None: "-"}[row.inside]
        lines.append(
            f"| {lever.name_zh} {lever.name_en} (`{row.lever}`) | {format_value(row.extra_spending, '亿元')} | "
            f"{effects} | {row.measure} | {rng} | {model} | {inside} |"
        )
    r = table.attrs["readings"]
    lines += [
        "",
        "## Data readings that stay ambiguous",
        "",
        f"- *技术交易额 70.14亿* (`calibration/data/baiyun.toml`, `tech_contract_turnover`): fitted as the 2020 annual "
        f"turnover. Read as the 2016-2020 total, the contract multiplier scales by {_num(r['contract_factor'])}, and so do "
        f"the turnover projected for 2025 ({_num(r['contracts_2025'])} -> {_num(r['contracts_2025_total_reading'])}亿 in "
        "the baseline) and every lever's effect on it; no other indicator moves (turnover feeds back into nothing).",
        f"- *All patent grants* are invention grants times `patents_per_invention` (13; Guangzhou's ratio 10.3, Baiyun's "
        f"higher): across its prior the baseline's 2021-2025 grants span {_num(r['patent_grants_2025_low'])} - "
        f"{_num(r['patent_grants_2025_high'])} (at 13: {_num(r['patent_grants_2025'])}), against the target of 59,358.",
    ]
    lines += ["", "## Sources", ""]
    for row in table.itertuples():
        lines.append(f"- **`{row.lever}`** ({row.status}): {row.citation}. {row.note}")
    return "\n".join(lines) + "\n"
