"""Where each target's replicate noise comes from: the 2015 state the model draws, or one process.

:func:`~innosim.calibration.checks.noise_floor` measures each target's noise at the posterior
mean: the spread over seeds that keeps a fit from epsilon 1. :func:`noise_sources` splits it,
one source at a time. The synthesis of the 2015 state draws from the model's seed, and each
process of the schedule from its own stream (:mod:`innosim.model.streams`), so one source's
random numbers can change while every other source keeps its own
(``InnovationModel(stream_roots=...)``). For each source, :data:`REPLICATES` runs at the
posterior mean in which only that source changes; and as many in which everything changes,
for the total. Where the sources do not interact, their variances add up to the total's
(``additivity``, the ratio of the two standard deviations, is then near 1).

A target whose noise comes from the synthesis varies with the 2015 population the model
draws (which firms are large, which of them do R&D), not with what firms do afterwards: a
question for the synthesis and its data, not for the fit (docs/calibration.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innosim.calibration.config import Calibration, statistics_table
from innosim.executor import run_tasks
from innosim.model.streams import PROCESSES
from innosim.posterior import Posterior, parameter_choice
from innosim.scenario import Scenario
from innosim.simulation import Failure, replicate_or_failure, replicate_seeds, run_seconds

SOURCES = ("synthesis", *PROCESSES)
"""Sources of randomness: the synthesis of the 2015 state, then each process's stream."""
TOTAL = "all"
"""The runs in which every source changes (as between the seeds of ``innosim run``)."""
REPLICATES = 20
"""Runs per source: enough to rank the sources (a standard deviation from 20 runs is within
about ±30% of the true one, 90% of the time)."""

Task = tuple[Scenario, int, int, dict[str, int] | None]
"""A run, as :func:`~innosim.simulation.replicate_or_failure` takes it: its scenario, seed, last
year and stream roots (None: all from the seed)."""


def _run(args: Task) -> dict[int, dict[str, float]] | Failure:
    return replicate_or_failure(*args)


def _tasks(scenario: Scenario, seed: int, until: int, replicates: int) -> list[tuple[str, Task]]:
    """``(source, task)`` for every run: the total's and each source's, their seeds and roots
    derived from ``seed``; the base run, whose sources the others keep, is the first of them."""
    seeds = replicate_seeds(seed, replicates + 1)
    base, varied = seeds[0], seeds[1:]
    kept = dict.fromkeys(PROCESSES, base)  # every stream at the base run's root
    tasks: list[tuple[str, Task]] = []
    for source in (TOTAL, *SOURCES):
        for s in varied:
            if source == TOTAL:
                tasks.append((source, (scenario, s, until, None)))
            elif source == "synthesis":
                tasks.append((source, (scenario, s, until, kept)))
            else:
                tasks.append((source, (scenario, base, until, {**kept, source: s})))
    return tasks


def noise_sources(
    cal: Calibration, posterior: Posterior, workers: int | None = None, replicates: int = REPLICATES
) -> pd.DataFrame:
    """Each target's noise at the posterior mean, in total and from each source alone.

    Runs the calibration's scenario at the fit's scale with every parameter at the posterior
    mean, to the calibration's year, seeded from ``[check] seed``: ``replicates`` runs for the
    total and for each source.

    Returns:
        One row per target: ``key``, ``tolerance``, ``all`` (the standard deviation of its error
        over the runs where every source changes, over the tolerance, as in
        :func:`~innosim.calibration.checks.noise_floor`), one column per source of
        :data:`SOURCES` (the same, when only that source changes), and ``additivity`` (the
        sources' standard deviations added in quadrature, over the total's).

    Raises:
        SimulationError: a run failed.
    """
    scenario, _ = parameter_choice("mean", posterior).for_replicate(cal.scenario, 0)
    until = cal.config.year
    tasks = _tasks(scenario, cal.config.check.seed, until, replicates)
    results = run_tasks(
        _run,
        [task for _, task in tasks],
        cal.config.workers if workers is None else workers,
        seconds=run_seconds(scenario, until),
    )
    keys = list(cal.observed)
    stats = [cal.statistics[k] for k in keys]
    rows: dict[str, list[tuple[int, int, str, float]]] = {}
    for k, ((source, (_, seed, _, roots)), records) in enumerate(zip(tasks, results, strict=True)):
        if isinstance(records, Failure):
            raise records.error(f"noise source {source!r} (seed {seed}, stream roots {roots})")
        rows.setdefault(source, []).extend(
            (k, year, iid, value) for year, values in records.items() for iid, value in values.items()
        )
    weights = cal.distance_weights
    spread = {}
    for source, long in rows.items():
        values = statistics_table(pd.DataFrame(long, columns=["replicate", "year", "indicator", "value"]), stats)
        # the spread of the weighted error; measured from the first run's value, so that runs that
        # agree exactly (a source that does not touch the statistic) give exactly 0, not rounding
        spread[source] = [float(((values[key] - values[key].iloc[0]) * weights[key]).std()) for key in keys]
    table = pd.DataFrame({"key": keys, "tolerance": [cal.tolerances[k] for k in keys], **spread})
    table["additivity"] = np.sqrt((table[list(SOURCES)] ** 2).sum(axis=1)) / table[TOTAL]
    return table
