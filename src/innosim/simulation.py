"""One entry point for simulations: :func:`run_replicate` builds and runs one model;
:func:`simulate` runs replicates (in this process or a process pool) and returns the
long-form table; :func:`project` wraps it into a :class:`Projection` that can be saved
and reopened. The CLI, calibration, sweeps and sensitivity analysis all go through here;
nothing else builds a model.

Replicate seeds derive from one seed through :class:`numpy.random.SeedSequence`, so
replicate ``k`` gets the same seed whatever the number of replicates or workers, and
results are bit-identical on any executor.
"""

from __future__ import annotations

import datetime as _dt
import json
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import provenance
from innosim.arrays import LabelledRuns, summary_html
from innosim.errors import InputError, SimulationError, option
from innosim.executor import POOL_STARTUP_SECONDS, pool_size, run_tasks
from innosim.files import read_csv
from innosim.indicators import INDICATOR_ORDER, INDICATORS
from innosim.limits import BYTES_PER_MEMORY_RUN, MAX_RUNS_IN_MEMORY, check_runs
from innosim.posterior import ParameterChoice, Posterior, parameter_choice
from innosim.progress import Progress, reporting
from innosim.scenario import Scenario, load_scenario
from innosim.store import write_atomic, write_results
from innosim.timeline import START_YEAR, TARGET_YEAR
from innosim.verification import RESULTS

COLUMNS = ["scenario", "replicate", "seed", "draw", "scale", "year", "indicator", "value"]
"""Columns of the long-form result table. ``draw`` is the posterior row the replicate
used (-1 when the parameters did not come from a posterior draw)."""
RUN_DTYPES = {
    "scenario": str,
    "replicate": np.int64,
    "seed": np.uint64,
    "draw": np.int64,
    "scale": np.float64,
    "year": np.int64,
    "indicator": str,
    "value": np.float64,
}
"""The dtype of each column of the long-form table, in memory and when reopened from CSV."""
INDICATORS_FILE = "indicators.csv"
"""The long-form table of a saved projection."""


def typed(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with the declared column dtypes (a table read back from CSV equals the one written)."""
    return frame.astype({c: t for c, t in dtypes.items() if c in frame.columns})


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of replicates ``0..replicates-1``, derived from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [int(c.generate_state(1, np.uint64)[0]) for c in children]


def run_seconds(scenario: Scenario, until: int | None = None) -> float:
    """Estimated wall time (s) of one run on one core of the reference machine.

    About 4 ms per simulated year plus 34 ms per year for a full-size population of
    22,000 firms, in proportion to the firms simulated (``scale`` × ``initial_firms``).
    Measured on the 2-core reference machine: a full-size plan run of 2016-2025 costs
    0.376 s in a sweep (``benchmarks/bench_sweep.py``, which includes writing the
    results), a run at scale 0.05 about 0.06 s. Used to size batches of runs and to
    tell users how long a design will take.
    """
    years = (until or scenario.end_year) - START_YEAR
    size = scenario.scale * scenario.parameters.initial_firms / 22000
    return years * (0.004 + 0.0336 * size)


def describe_job(scenarios: Sequence[Scenario], replicates: int, workers: int = 0) -> tuple[str, float]:
    """One line for users about ``replicates`` paired runs of ``scenarios``, and its expected seconds.

    The line names the runs, the expected time on the workers that :func:`simulate` would use,
    and the memory the results take (:data:`innosim.limits.BYTES_PER_MEMORY_RUN` a run).
    """
    runs = replicates * len(scenarios)
    per_run = max(run_seconds(s) for s in scenarios)
    n = pool_size(workers, runs, per_run)
    seconds = per_run * runs / n + (POOL_STARTUP_SECONDS if n > 1 else 0.0)
    megabytes = runs * BYTES_PER_MEMORY_RUN / 2**20
    line = (
        f"{len(scenarios)} scenario(s) x {replicates:,} replicates = {runs:,} runs; about "
        f"{_dt.timedelta(seconds=round(seconds))} on {n} worker(s), {megabytes:,.0f} MB of results in memory"
    )
    return line, seconds


def run_replicate(
    scenario: Scenario, seed: int, until: int | None = None, stream_roots: dict[str, int] | None = None
) -> dict[int, dict[str, float]]:
    """Run one model (to ``until``, default ``scenario.end_year``); returns ``{year: {indicator: value}}``.

    The scenario is run exactly as given; :func:`simulate` is what applies posterior draws.
    ``stream_roots``: see :class:`~innosim.model.model.InnovationModel`.
    """
    from innosim.model.model import InnovationModel  # here: a process that only collects runs need not import the model

    return InnovationModel(scenario, rng=seed, stream_roots=stream_roots).run(until).records


@dataclass(frozen=True)
class Failure:
    """What a run raised, as text: workers return it instead of raising, so that the caller
    knows which run failed (:class:`~innosim.errors.SimulationError`)."""

    cause: str
    detail: str

    def error(self, run: str) -> SimulationError:
        """The error to raise for ``run``, a description of the run in words."""
        return SimulationError(run, self.cause, self.detail)


def replicate_or_failure(
    scenario: Scenario, seed: int, until: int | None = None, stream_roots: dict[str, int] | None = None
) -> dict[int, dict[str, float]] | Failure:
    """:func:`run_replicate`, or the :class:`Failure` it raised."""
    try:
        return run_replicate(scenario, seed, until, stream_roots)
    except Exception as exc:  # noqa: BLE001 - returned to the caller, which names the run
        return Failure(f"{type(exc).__name__}: {exc}", traceback.format_exc())


def _run_task(args: tuple[Scenario, int, int | None]) -> dict[int, dict[str, float]] | Failure:
    scenario, seed, until = args
    return replicate_or_failure(scenario, seed, until)


def simulate(
    scenario: Scenario | Sequence[Scenario],
    seed: int = 0,
    replicates: int = 1,
    workers: int = 1,
    progress: Progress = False,
    parameters: str | ParameterChoice = "posterior",
    posterior: str | Path | Posterior | None = None,
    until: int | None = None,
    scheduler: str | None = None,
    max_runs: int = MAX_RUNS_IN_MEMORY,
) -> pd.DataFrame:
    """Run ``replicates`` replicates of a scenario, or of several.

    Replicate ``k`` of every scenario uses the same seed and the same posterior draw
    (common random numbers), so differences between scenarios are paired.

    Args:
        scenario: The scenario, or a sequence of scenarios with distinct names.
        seed: Root seed; replicate seeds derive from it.
        replicates: Number of replicates.
        workers: Processes to use; 1 runs in this process, 0 means one per core.
        progress: Called with the number of runs finished, after each one; ``None`` or
            ``True``: a progress bar (:mod:`innosim.progress`); ``False`` (the default): none.
        parameters: ``"posterior"`` (a draw per replicate, fixed by its seed), ``"mean"``,
            ``"map"``, ``"defaults"``, or a :class:`~innosim.posterior.ParameterChoice`.
        posterior: A posterior file or :class:`~innosim.posterior.Posterior`; default:
            the shipped one.
        until: Last year to simulate (default: the scenario's ``end_year``).
        scheduler: Run on Dask: ``"local"`` (a ``LocalCluster`` of ``workers``
            processes) or a scheduler address (see :mod:`innosim.executor`).
        max_runs: Refuse more runs than this (every run is held in memory; :mod:`innosim.limits`).

    Returns:
        Long-form table with columns :data:`COLUMNS`, sorted by scenario (in the given
        order), replicate, year and indicator declaration order.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    check_runs(
        option("replicates"),
        replicates * len(scenarios),
        max_runs,
        max(run_seconds(s, until) for s in scenarios),
        f"{len(scenarios)} scenario(s) x {replicates:,} replicates = ",
    )
    if len({s.name for s in scenarios}) < len(scenarios):
        raise ValueError("scenarios must have distinct names")
    choice = parameter_choice(parameters, posterior)
    seeds = replicate_seeds(seed, replicates)
    runs = [(scn, k, *choice.for_replicate(scn, s)) for scn in scenarios for k, s in enumerate(seeds)]
    with reporting(progress, len(runs), f"{', '.join(s.name for s in scenarios)}: runs") as advance:
        results = run_tasks(
            _run_task,
            [(drawn, seeds[k], until) for _, k, drawn, _ in runs],
            workers,
            advance,
            scheduler,
            seconds=max(run_seconds(s, until) for s in scenarios),
        )
    for (scn, k, _, draw), records in zip(runs, results, strict=True):
        if isinstance(records, Failure):
            raise records.error(f"scenario {scn.name!r}, replicate {k} (seed {seeds[k]}, posterior draw {draw})")
    rows = [
        (scn.name, k, seeds[k], draw, scn.scale, year, iid, values[iid])
        for (scn, k, _, draw), records in zip(runs, results)
        for year, values in records.items()
        for iid in INDICATORS
    ]
    return typed(pd.DataFrame(rows, columns=COLUMNS), RUN_DTYPES)


def quantiles(values, prefix: str = "") -> dict[str, Any]:
    """``{prefix}median``, ``{prefix}p05`` and ``{prefix}p95`` of a Series or a grouped Series."""
    return {
        f"{prefix}median": values.median(),
        f"{prefix}p05": values.quantile(0.05),
        f"{prefix}p95": values.quantile(0.95),
    }


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95% interval over replicates per indicator and year.

    Returns columns ``indicator, year, median, p05, p95`` in declaration order.
    """
    out = pd.DataFrame(quantiles(table.groupby(["indicator", "year"])["value"])).reset_index()
    out["_order"] = out["indicator"].map(INDICATOR_ORDER)
    return out.sort_values(["_order", "year"], kind="stable").drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class Projection(LabelledRuns):
    """The result of :func:`project`: every run of one scenario, and what produced it.

    Attributes:
        scenario: The scenario.
        seed: Root seed.
        replicates: Number of replicates.
        parameters: How behavioural parameters were chosen (:meth:`ParameterChoice.describe`).
        runs: Every run, long form (:data:`COLUMNS`).
        manifest: What produced it (:func:`innosim.provenance.manifest`).
    """

    scenario: Scenario
    seed: int
    replicates: int
    parameters: dict[str, Any]
    runs: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def summary(self) -> pd.DataFrame:
        """Median and 5-95% interval per indicator and year (:func:`summarise`)."""
        return summarise(self.runs)

    def __repr__(self) -> str:
        return (
            f"Projection({self.scenario.name!r}: {self.replicates} replicates, seed {self.seed}, "
            f"scale {self.scenario.scale:g}; .runs ({len(self.runs):,} rows), .summary(), .to_xarray())"
        )

    def _repr_html_(self) -> str:
        title = f"innosim run · {self.scenario.name} · {self.replicates} replicates, seed {self.seed}"
        return summary_html(title, self.summary().assign(scenario=self.scenario.name), [self.scenario.name])

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-able data (what ``innosim run --format json`` prints)."""
        sources = self.manifest.get("scenario", {}).get("parameter_sources")
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario.hash,
            "seed": self.seed,
            "replicates": self.replicates,
            "scale": self.scenario.scale,
            "parameters": self.parameters,
            "parameter_sources": sources,
            "indicators": [
                {
                    "id": r.indicator,
                    "year": int(r.year),
                    "median": float(r.median),
                    "p05": float(r.p05),
                    "p95": float(r.p95),
                    "unit": INDICATORS[r.indicator].unit,
                    "target": INDICATORS[r.indicator].target() if int(r.year) == TARGET_YEAR else None,
                }
                for r in self.summary().itertuples(index=False)
            ],
        }

    def save(self, out: str | Path) -> Path:
        """Write ``indicators.csv`` and ``results.parquet`` (every run, long form; the Parquet file with
        units and the manifest in its metadata) and ``manifest.json`` into ``out``; returns it.

        The layout ``innosim run --out`` writes; :func:`innosim.load_result` and
        :func:`innosim.report.write_report` read it.
        """
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise InputError(out, "out", "exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / INDICATORS_FILE, self.runs.to_csv(index=False))
        manifest = self.manifest or _run_manifest(
            self.scenario, ParameterChoice("defaults"), self.seed, self.replicates
        )
        write_results(typed(self.runs, RUN_DTYPES), out / RESULTS, manifest)
        write_atomic(out / provenance.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        return out

    @classmethod
    def load(cls, folder: str | Path) -> Projection:
        """Reopen a projection saved by :meth:`save` (or ``innosim run --out``).

        Raises:
            InputError: not a run directory, or its table is missing or unreadable.
        """
        folder = Path(folder)
        manifest = provenance.read_manifest(folder)
        if manifest["kind"] != "run":
            raise InputError(folder, "kind", f"holds a {manifest['kind']} result, not a run")
        if not (folder / INDICATORS_FILE).is_file():
            raise InputError(folder, INDICATORS_FILE, "is missing; the directory was changed by hand")
        runs = read_csv(folder / INDICATORS_FILE, "table")
        missing = [c for c in COLUMNS if c not in runs.columns]
        if missing:
            raise InputError(folder / INDICATORS_FILE, missing[0], "column is missing; not written by innosim")
        data = {k: v for k, v in manifest["scenario"].items() if k not in ("file", "hash", "parameter_sources")}
        try:
            scenario = Scenario.model_validate(data)
        except ValueError as exc:
            raise InputError(folder / provenance.MANIFEST, "scenario", f"is not a scenario record ({exc})") from None
        return cls(
            scenario,
            int(manifest["seed"]),
            int(manifest["replicates"]),
            manifest["parameters"],
            typed(runs[COLUMNS], RUN_DTYPES),
            manifest,
        )


def _run_manifest(
    scenario: Scenario, choice: ParameterChoice, seed: int, replicates: int, **fields: Any
) -> dict[str, Any]:
    return provenance.manifest(
        "run",
        "innosim.project",
        scenario=provenance.scenario_record(scenario, choice),
        scenario_hash=scenario.hash,
        seed=seed,
        replicates=replicates,
        replicate_seeds=replicate_seeds(seed, replicates),
        parameters=choice.describe(),
        scale=scenario.scale,
        **fields,
    )


def project(
    scenario: Scenario | str | Path | None = None,
    seed: int = 0,
    replicates: int = 8,
    workers: int = 0,
    progress: Progress = None,
    parameters: str | ParameterChoice = "posterior",
    posterior: str | Path | Posterior | None = None,
    scheduler: str | None = None,
    max_runs: int = MAX_RUNS_IN_MEMORY,
) -> Projection:
    """Project a scenario's indicators over replicates (what ``innosim run`` does).

    Args:
        scenario: A scenario or scenario file (default: the embedded baseline).
        seed, replicates, workers, parameters, posterior, scheduler, max_runs: As for
            :func:`simulate` (``workers=0``: one process per core, or this process for a
            job too small to pay for starting workers).
        progress: Called with the number of runs finished; by default a progress bar
            (``False``: none; :mod:`innosim.progress`).

    Returns:
        A :class:`Projection`: the runs, their summary, and what produced them; ``save(out)``
        writes them, :func:`innosim.load_result` reopens them.
    """
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    choice = parameter_choice(parameters, posterior)
    started = provenance.now()
    runs = simulate(
        scn,
        seed=seed,
        replicates=replicates,
        workers=workers,
        progress=progress,
        parameters=choice,
        scheduler=scheduler,
        max_runs=max_runs,
    )
    manifest = _run_manifest(scn, choice, seed, replicates, started=started, finished=provenance.now())
    return Projection(scn, seed, replicates, choice.describe(), runs, manifest)
