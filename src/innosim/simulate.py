"""One entry point for simulations: :func:`run_replicate` builds and runs one model;
:func:`simulate` runs replicates (in this process or a process pool) and returns the
long-form table. The CLI, calibration, and later sweeps and sensitivity analysis, all
go through here; nothing else builds a model.

Replicate seeds derive from one seed through :class:`numpy.random.SeedSequence`, so
replicate ``k`` gets the same seed whatever the number of replicates or workers, and
results are bit-identical on any executor.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from innosim.executor import run_tasks
from innosim.indicators import INDICATOR_ORDER, INDICATORS
from innosim.model import InnovationModel
from innosim.posterior import ParameterChoice, Posterior, parameter_choice
from innosim.scenario import Scenario

COLUMNS = ["scenario", "replicate", "seed", "draw", "scale", "year", "indicator", "value"]
"""Columns of the long-form result table. ``draw`` is the posterior row the replicate
used (-1 when the parameters did not come from a posterior draw)."""


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
    years = (until or scenario.end_year) - 2015
    size = scenario.scale * scenario.parameters.initial_firms / 22000
    return years * (0.004 + 0.0336 * size)


def run_replicate(scenario: Scenario, seed: int, until: int | None = None) -> dict[int, dict[str, float]]:
    """Run one model (to ``until``, default ``scenario.end_year``); returns ``{year: {indicator: value}}``.

    The scenario is run exactly as given; :func:`simulate` is what applies posterior draws.
    """
    return InnovationModel(scenario, rng=seed).run(until).records


def _run_task(args: tuple[Scenario, int, int | None]) -> dict[int, dict[str, float]]:
    scenario, seed, until = args
    return run_replicate(scenario, seed, until)


def simulate(scenario: Scenario | Sequence[Scenario], seed: int = 0, replicates: int = 1, workers: int = 1,
             progress: Callable[[int], None] | None = None, parameters: str | ParameterChoice = "posterior",
             posterior: str | Path | Posterior | None = None, until: int | None = None,
             scheduler: str | None = None) -> pd.DataFrame:
    """Run ``replicates`` replicates of a scenario, or of several.

    Replicate ``k`` of every scenario uses the same seed and the same posterior draw
    (common random numbers), so differences between scenarios are paired.

    Args:
        scenario: The scenario, or a sequence of scenarios with distinct names.
        seed: Root seed; replicate seeds derive from it.
        replicates: Number of replicates.
        workers: Processes to use; 1 runs in this process, 0 means one per core.
        progress: Called with the number of runs finished, after each one.
        parameters: ``"posterior"`` (a draw per replicate, fixed by its seed), ``"mean"``,
            ``"map"``, ``"defaults"``, or a :class:`~innosim.posterior.ParameterChoice`.
        posterior: A posterior file or :class:`~innosim.posterior.Posterior`; default:
            the shipped one.
        until: Last year to simulate (default: the scenario's ``end_year``).
        scheduler: Run on Dask: ``"local"`` (a ``LocalCluster`` of ``workers``
            processes) or a scheduler address (see :mod:`innosim.executor`).

    Returns:
        Long-form table with columns :data:`COLUMNS`, sorted by scenario (in the given
        order), replicate, year and indicator declaration order.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    scenarios = [scenario] if isinstance(scenario, Scenario) else list(scenario)
    if len({s.name for s in scenarios}) < len(scenarios):
        raise ValueError("scenarios must have distinct names")
    choice = parameter_choice(parameters, posterior)
    seeds = replicate_seeds(seed, replicates)
    runs = [(scn, k, *choice.for_replicate(scn, s)) for scn in scenarios for k, s in enumerate(seeds)]
    results = run_tasks(_run_task, [(drawn, seeds[k], until) for _, k, drawn, _ in runs], workers, progress,
                        scheduler, seconds=max(run_seconds(s, until) for s in scenarios))
    rows = [(scn.name, k, seeds[k], draw, scn.scale, year, iid, values[iid])
            for (scn, k, _, draw), records in zip(runs, results) for year, values in records.items()
            for iid in INDICATORS]
    return pd.DataFrame(rows, columns=COLUMNS)


def quantiles(values, prefix: str = "") -> dict[str, Any]:
    """``{prefix}median``, ``{prefix}p05`` and ``{prefix}p95`` of a Series or a grouped Series."""
    return {f"{prefix}median": values.median(), f"{prefix}p05": values.quantile(0.05),
            f"{prefix}p95": values.quantile(0.95)}


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95% interval over replicates per indicator and year.

    Returns columns ``indicator, year, median, p05, p95`` in declaration order.
    """
    out = pd.DataFrame(quantiles(table.groupby(["indicator", "year"])["value"])).reset_index()
    out["_order"] = out["indicator"].map(INDICATOR_ORDER)
    return out.sort_values(["_order", "year"], kind="stable").drop(columns="_order").reset_index(drop=True)
