"""One entry point for simulations: :func:`run_replicate` builds and runs one model;
:func:`simulate` runs replicates (in this process or a process pool) and returns the
long-form table. The CLI, and later calibration, sweeps and sensitivity analysis, all
go through here; nothing else builds a model.

Replicate seeds derive from one seed through :class:`numpy.random.SeedSequence`, so
replicate ``k`` gets the same seed whatever the number of replicates or workers, and
results are bit-identical on any executor.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

import numpy as np
import pandas as pd

from innosim.indicators import INDICATORS
from innosim.model import InnovationModel
from innosim.scenario import Scenario

COLUMNS = ["scenario", "replicate", "seed", "scale", "year", "indicator", "value"]
"""Columns of the long-form result table."""


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of replicates ``0..replicates-1``, derived from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [int(c.generate_state(1, np.uint64)[0]) for c in children]


def run_replicate(scenario: Scenario, seed: int) -> dict[int, dict[str, float]]:
    """Run one model to ``scenario.end_year``; returns ``{year: {indicator: value}}``."""
    return InnovationModel(scenario, rng=seed).run().records


def _run_task(args: tuple[dict, int, int]) -> tuple[int, dict[int, dict[str, float]]]:
    scenario_data, replicate, seed = args
    return replicate, run_replicate(Scenario.model_validate(scenario_data), seed)


def _rows(scenario: Scenario, replicate: int, seed: int, records: dict[int, dict[str, float]]) -> list[tuple]:
    return [(scenario.name, replicate, seed, scenario.scale, year, iid, values[iid])
            for year, values in records.items() for iid in INDICATORS]


def simulate(scenario: Scenario, seed: int = 0, replicates: int = 1, workers: int = 1,
             progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Run ``replicates`` replicates of a scenario.

    Args:
        scenario: The scenario.
        seed: Root seed; replicate seeds derive from it.
        replicates: Number of replicates.
        workers: Processes to use; 1 runs in this process, 0 means one per core.
        progress: Called with the number of replicates finished, after each one.

    Returns:
        Long-form table with columns :data:`COLUMNS`, sorted by replicate, year and
        indicator declaration order.
    """
    if replicates < 1:
        raise ValueError("replicates must be at least 1")
    seeds = replicate_seeds(seed, replicates)
    workers = (os.cpu_count() or 1) if workers == 0 else workers
    workers = max(1, min(workers, replicates))
    results: dict[int, dict[int, dict[str, float]]] = {}
    if workers == 1:
        for k, s in enumerate(seeds):
            results[k] = run_replicate(scenario, s)
            if progress:
                progress(len(results))
    else:
        data = scenario.model_dump()
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for k, records in pool.map(_run_task, [(data, k, s) for k, s in enumerate(seeds)]):
                results[k] = records
                if progress:
                    progress(len(results))
    rows = [row for k in range(replicates) for row in _rows(scenario, k, seeds[k], results[k])]
    return pd.DataFrame(rows, columns=COLUMNS)


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    """Median and 5-95% interval over replicates per indicator and year.

    Returns columns ``indicator, year, median, p05, p95`` in declaration order.
    """
    order = {iid: i for i, iid in enumerate(INDICATORS)}
    grouped = table.groupby(["indicator", "year"])["value"]
    out = pd.DataFrame({
        "median": grouped.median(),
        "p05": grouped.quantile(0.05),
        "p95": grouped.quantile(0.95),
    }).reset_index()
    out["_order"] = out["indicator"].map(order)
    return out.sort_values(["_order", "year"], kind="stable").drop(columns="_order").reset_index(drop=True)
