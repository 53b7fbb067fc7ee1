"""Compare interventions: paired replicates, effects, target attainment, cost-effectiveness.

The first scenario is the reference. Replicate ``k`` of every scenario runs with the
same seed and the same posterior draw (common random numbers, :func:`~innosim.simulation.simulate`),
so a scenario's effect is measured replicate by replicate, ``value(scenario, k) -
value(reference, k)``, and the noise the two runs share cancels. Before 2021 every
scenario runs the 13th-plan policy, so the paired effects of 2016-2020 are exactly
zero: a built-in check of the pairing.

Definitions (also in ``docs/experiments.md``):

- *median, p05, p95*: over replicates, per scenario, indicator and year;
- *effect*: the paired difference from the reference, its median and 5-95% interval,
  and ``p_positive``, the share of replicates in which it is above zero;
- *p_target*: the share of replicates meeting the plan's 2025 target (at or above it,
  or at or below it for indicators where lower is better);
- *targets met*: how many of the plan's 2025 targets a replicate meets; per scenario its mean,
  5-95% interval and the share meeting all, and against the reference the paired difference,
  replicate by replicate, with the 90% interval of its mean (:meth:`Comparison.targets_met`);
- *spending*: public money spent by lever over the plan period 2021-2025 (median over
  replicates; a lever may spend less than its budget when too few firms qualify);
- *cost-effectiveness*: the 2025 effect divided by the extra spending over the
  reference in 2021-2025, replicate by replicate (indicator units per 亿元). It is
  given only when the scenario spends more than the reference in every replicate.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import provenance
from innosim.arrays import LabelledRuns, summary_html
from innosim.effects import spending_table, summarise_comparison, targets_met_table
from innosim.errors import InputError
from innosim.files import read_csv
from innosim.indicators import INDICATORS
from innosim.levers import LEVERS
from innosim.limits import MAX_RUNS_IN_MEMORY
from innosim.posterior import ParameterChoice, Posterior, parameter_choice
from innosim.progress import Progress
from innosim.scenario import Scenario, load_scenario
from innosim.simulation import RUN_DTYPES, replicate_seeds, simulate, typed
from innosim.store import write_atomic, write_results
from innosim.timeline import PLAN_START, TARGET_YEAR
from innosim.verification import RESULTS

FILES = {
    "runs": "runs.csv",
    "indicators": "indicators.csv",
    "spending": "spending.csv",
    "cost_effectiveness": "cost_effectiveness.csv",
}
"""The tables of a saved comparison, by attribute; ``comparison.json`` and ``manifest.json`` go beside them."""
DOCUMENT = "comparison.json"
"""The JSON document of a saved comparison (:meth:`Comparison.to_dict`)."""


@dataclass(frozen=True)
class Comparison(LabelledRuns):
    """The result of :func:`compare`: pandas DataFrames plus what produced them.

    Attributes:
        scenarios: The scenarios, reference first.
        seed: Root seed.
        replicates: Replicates per scenario.
        parameters: How behavioural parameters were chosen (:meth:`ParameterChoice.describe`).
        runs: Every run, long form (:data:`innosim.simulation.COLUMNS`).
        indicators: Per scenario, indicator and year: ``median, p05, p95``, the paired
            ``effect_median, effect_p05, effect_p95, p_positive`` (missing for the
            reference), and for 2025 ``target`` and ``p_target``.
        spending: Per scenario and lever (and ``total``): ``budget`` (亿元/yr),
            ``spent`` (2021-2025, median), ``uptake`` (spent over budget), ``extra``
            (paired extra spending over the reference, median).
        cost_effectiveness: Per non-reference scenario and plan indicator: ``effect``
            (2025, median), ``extra_spending`` (2021-2025, median), and the per-replicate
            ratio ``per_yi_median, per_yi_p05, per_yi_p95`` (units per 亿元).
        manifest: What produced it (:func:`innosim.provenance.manifest`), written by :meth:`save`.
    """

    scenarios: tuple[Scenario, ...]
    seed: int
    replicates: int
    parameters: dict[str, Any]
    runs: pd.DataFrame
    indicators: pd.DataFrame
    spending: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    manifest: dict[str, Any] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def reference(self) -> str:
        """The reference scenario's name."""
        return self.scenarios[0].name

    def __repr__(self) -> str:
        others = ", ".join(s.name for s in self.scenarios[1:])
        return (
            f"Comparison({others} against {self.reference}: {self.replicates} paired replicates, seed {self.seed}; "
            ".indicators, .spending, .cost_effectiveness, .targets_met(), .runs, .to_xarray())"
        )

    def _repr_html_(self) -> str:
        met = self.targets_met().set_index("scenario")
        note = "" if met.empty else "targets met: " + ", ".join(f"{n} {r['mean']:.2f}" for n, r in met.iterrows())
        title = f"innosim compare · {self.replicates} paired replicates, seed {self.seed}"
        return summary_html(title, self.indicators, [s.name for s in self.scenarios], note)

    def targets_met(self) -> pd.DataFrame:
        """How many of the plan's 2025 targets each scenario meets, and the paired difference from
        the reference with its 90% interval (:func:`~innosim.effects.targets_met_table`; empty when
        the runs stop before 2025)."""
        return targets_met_table(self.runs, self.reference)

    def save(self, out: str | Path) -> Path:
        """Write the comparison into directory ``out`` (created if needed); returns it.

        The layout ``innosim compare --out`` writes: ``comparison.json``, ``indicators.csv``,
        ``spending.csv``, ``cost_effectiveness.csv``, ``runs.csv``, ``results.parquet`` (the runs, with
        units and the manifest in its metadata) and ``manifest.json``;
        :func:`innosim.load_result` and :func:`innosim.report.write_report` read it.
        """
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError(out, "out", "exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
        for name, file in FILES.items():
            write_atomic(out / file, getattr(self, name).to_csv(index=False))
        write_atomic(out / DOCUMENT, json.dumps(self.to_dict(), ensure_ascii=False, indent=1))
        manifest = self.manifest or provenance.manifest(
            "comparison",
            "innosim.compare",
            reference=self.reference,
            scenarios=[{**s.to_toml_dict(), "hash": s.hash} for s in self.scenarios],
            seed=self.seed,
            replicates=self.replicates,
            replicate_seeds=replicate_seeds(self.seed, self.replicates),
            parameters=self.parameters,
        )
        write_results(typed(self.runs, RUN_DTYPES), out / RESULTS, manifest)
        write_atomic(out / provenance.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        return out

    @classmethod
    def load(cls, folder: str | Path) -> Comparison:
        """Reopen a comparison saved by :meth:`save` (or ``innosim compare --out``).

        Raises:
            InputError: not a comparison directory, or a file in it is missing or unreadable.
        """
        folder = Path(folder)
        manifest = provenance.read_manifest(folder)
        if manifest["kind"] != "comparison":
            raise InputError(folder, "kind", f"holds a {manifest['kind']} result, not a comparison")
        tables = {}
        for name, file in FILES.items():
            if not (folder / file).is_file():
                raise InputError(folder, file, "is missing; the directory was changed by hand")
            tables[name] = read_csv(folder / file, "table")
        scenarios = []
        for i, record in enumerate(manifest["scenarios"]):
            data = {k: v for k, v in record.items() if k not in ("file", "hash", "parameter_sources")}
            scenarios.append(_scenario_of(data, folder / provenance.MANIFEST, f"scenarios.{i}"))
        runs = typed(tables.pop("runs"), RUN_DTYPES)
        return cls(
            tuple(scenarios),
            int(manifest["seed"]),
            int(manifest["replicates"]),
            manifest["parameters"],
            runs,
            tables["indicators"],
            tables["spending"],
            tables["cost_effectiveness"].astype({"scenario": str, "indicator": str}),
            manifest,
        )

    @property
    def year(self) -> int:
        """The year effects on the targets are read at: 2025, or the last simulated year."""
        return min(TARGET_YEAR, self.scenarios[0].end_year)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able data, with the keys documented in ``docs/experiments.md``."""

        def clean(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in frame.astype(object).to_dict(orient="records")
            ]

        indicators = []
        for row in clean(self.indicators):
            ind = INDICATORS[row["indicator"]]
            effect = (
                None
                if row["effect_median"] is None
                else {
                    "median": row["effect_median"],
                    "p05": row["effect_p05"],
                    "p95": row["effect_p95"],
                    "p_positive": row["p_positive"],
                }
            )
            indicators.append(
                {
                    "scenario": row["scenario"],
                    "id": row["indicator"],
                    "name_zh": ind.name_zh,
                    "name_en": ind.name_en,
                    "unit": ind.unit,
                    "year": int(row["year"]),
                    "median": row["median"],
                    "p05": row["p05"],
                    "p95": row["p95"],
                    "effect": effect,
                    "target": row["target"],
                    "p_target": row["p_target"],
                }
            )
        spending = []
        for row in clean(self.spending):
            cls = LEVERS.get(row["lever"])
            spending.append(
                {
                    **row,
                    "name_zh": cls.name_zh if cls else "财政投入合计",
                    "name_en": cls.name_en if cls else "All levers",
                }
            )
        cost = []
        for row in clean(self.cost_effectiveness):
            per_yi = (
                None
                if row["per_yi_median"] is None
                else {"median": row["per_yi_median"], "p05": row["per_yi_p05"], "p95": row["per_yi_p95"]}
            )
            cost.append(
                {
                    "scenario": row["scenario"],
                    "id": row["indicator"],
                    "unit": INDICATORS[row["indicator"]].unit,
                    "effect": row["effect"],
                    "extra_spending": row["extra_spending"],
                    "per_yi": per_yi,
                }
            )
        return {
            "kind": "comparison",
            "reference": self.reference,
            "seed": self.seed,
            "replicates": self.replicates,
            "replicate_seeds": replicate_seeds(self.seed, self.replicates),
            "parameters": self.parameters,
            "year": self.year,
            "plan_period": [PLAN_START, self.year],
            "scenarios": [
                {"name": s.name, "description": s.description, "hash": s.hash, "scale": s.scale, "end_year": s.end_year}
                for s in self.scenarios
            ],
            "indicators": indicators,
            "spending": spending,
            "cost_effectiveness": cost,
            "targets_met": clean(self.targets_met()),
        }


def _check(scenarios: Sequence[Scenario]) -> None:
    if len(scenarios) < 2:
        raise InputError("compare", "scenarios", "give at least two scenarios: the reference first, then the others")
    names = [s.name for s in scenarios]
    for s in scenarios[1:]:
        if names.count(s.name) > 1:
            raise InputError("compare", "name", f"two scenarios are named {s.name!r}; give each a distinct `name`")
        for field in ("scale", "end_year"):
            if getattr(s, field) != getattr(scenarios[0], field):
                raise InputError(
                    "compare",
                    field,
                    f"scenario {s.name!r} has {field} {getattr(s, field)} but the "
                    f"reference has {getattr(scenarios[0], field)}; paired comparisons need the same",
                )


def compare(
    scenarios: Sequence[Scenario | str | Path],
    seed: int = 0,
    replicates: int = 30,
    workers: int = 0,
    progress: Progress = None,
    parameters: str | ParameterChoice = "posterior",
    posterior: str | Path | Posterior | None = None,
    scheduler: str | None = None,
    files: Sequence[str | None] | None = None,
    max_runs: int = MAX_RUNS_IN_MEMORY,
) -> Comparison:
    """Compare scenarios with paired replicates; the first is the reference.

    Args:
        scenarios: Scenarios or scenario files, the reference first; distinct names,
            the same scale and end year.
        seed: Root seed; replicate ``k`` of every scenario uses the same seed and draw.
        replicates: Replicates per scenario.
        workers: Processes (0 = one per core, 1 = this process).
        progress: Called with the number of runs finished; by default a progress bar
            (``False``: none; :mod:`innosim.progress`).
        parameters: Behavioural parameters, as for :func:`~innosim.simulation.simulate`.
        posterior: A posterior file or object instead of the shipped one.
        scheduler: Dask scheduler (``"local"`` or an address), as for ``simulate``.
        files: The file each scenario was read from, for the manifest (default: the
            paths given in ``scenarios``).
        max_runs: Refuse more runs (scenarios x replicates) than this (:mod:`innosim.limits`).

    Returns:
        A :class:`Comparison` whose DataFrames hold the summaries and every run.

    Raises:
        InputError: fewer than two scenarios, duplicate names, mismatched scale or
            end year, or a bad scenario file.
    """
    scns = tuple(s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios)
    files = list(files) if files is not None else [None if isinstance(s, Scenario) else str(s) for s in scenarios]
    _check(scns)
    choice = parameter_choice(parameters, posterior)
    started = provenance.now()
    runs = simulate(
        scns,
        seed=seed,
        replicates=replicates,
        workers=workers,
        progress=progress,
        parameters=choice,
        scheduler=scheduler,
        max_runs=max_runs,
    )
    year = min(TARGET_YEAR, scns[0].end_year)
    indicators, cost = summarise_comparison(runs, scns[0].name, year)
    manifest = provenance.manifest(
        "comparison",
        "innosim.compare",
        reference=scns[0].name,
        scenarios=[provenance.scenario_record(s, choice, f) for s, f in zip(scns, files)],
        seed=seed,
        replicates=replicates,
        replicate_seeds=replicate_seeds(seed, replicates),
        parameters=choice.describe(),
        started=started,
        finished=provenance.now(),
    )
    return Comparison(
        scns, seed, replicates, choice.describe(), runs, indicators, spending_table(runs, scns, year), cost, manifest
    )


def _scenario_of(data: dict[str, Any], source: Path, field: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValueError as exc:
        raise InputError(source, field, f"is not a scenario record ({exc})") from None
