"""Scenario sweeps: run a design of points, replicates each, streaming results to Parquet.

Every point runs the same replicate seeds (replicate ``k`` uses seed ``k`` of
:func:`~innosim.simulation.replicate_seeds` and the posterior draw that seed picks, as
``innosim run`` and ``innosim compare`` do), so differences between points are paired.
Run ``r`` is replicate ``r % replicates`` of point ``r // replicates``.

Results go to a :class:`~innosim.store.RunStore`: Parquet parts as runs finish, joined
into ``results.parquet`` at the end, with one row per run, year and indicator:

``run, point, replicate, seed, draw, <one column per factor>, year, indicator, value``

plus ``points.csv`` (the design) and ``summary.csv`` (median, 5% and 95% quantiles
and mean over replicates, per point, indicator and year). A killed sweep resumed with
``resume=True`` runs only what is missing and ends with the same table.
"""

from __future__ import annotations

import datetime as _dt
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from innosim import provenance
from innosim.errors import option
from innosim.executor import POOL_STARTUP_SECONDS, Executor, get_executor, pool_size
from innosim.experiments.base import Experiment
from innosim.experiments.kinds import load_sweep
from innosim.experiments.sweep import Sweep
from innosim.files import check_output
from innosim.limits import BYTES_PER_STORED_ROW
from innosim.progress import Progress, reporting
from innosim.simulation import Failure, quantiles, replicate_or_failure, replicate_seeds, run_seconds
from innosim.store import RESULTS, RunStore, interrupts_deferred, write_atomic
from innosim.verification import Expected

POINTS = "points.csv"
SUMMARY = "summary.csv"
RUN_COLUMNS = ["run", "point", "replicate", "seed", "draw"]
"""Leading columns of a sweep's results; the factors, ``year``, ``indicator`` and ``value`` follow."""
_RUN_DTYPES = (np.int64, np.int64, np.int64, np.uint64, np.int64)
"""Their dtypes: those of :data:`innosim.simulation.RUN_DTYPES`, so that every result's long table has
one dtype per column (``docs/experiments.md``)."""
FLUSH_ROWS = 2_000_000
"""Rows held in memory at most before they are written."""


def _sweep_task(args: tuple[Any, int, int, tuple[str, ...], tuple[int, ...]]) -> np.ndarray | Failure:
    scenario, seed, until, indicators, years = args
    records = replicate_or_failure(scenario, seed, until)
    if isinstance(records, Failure):
        return records
    return np.array([records[y][i] for y in years for i in indicators], dtype=np.float64)


PARALLEL_EFFICIENCY = 0.9
"""Speed-up per worker: 1.82 on 2 workers in ``benchmarks/bench_sweep.py``."""


def estimate_seconds(sw: Experiment, runs: int, workers: int) -> float:
    """Expected wall time of ``runs`` runs of the experiment on ``workers`` cores.

    The mean cost of up to 64 evenly spaced points (:func:`~innosim.simulation.run_seconds`;
    points differ when the population size is a factor).
    """
    sample = np.unique(np.linspace(0, len(sw.points) - 1, min(64, len(sw.points))).astype(int))
    per_run = float(np.mean([run_seconds(sw.scenario_at(int(p)), max(sw.years)) for p in sample]))
    return wall_seconds(per_run, runs, workers)


def wall_seconds(per_run: float, runs: int, workers: int) -> float:
    """Expected wall time of ``runs`` runs of ``per_run`` seconds each on ``workers`` cores
    (at :data:`PARALLEL_EFFICIENCY`, plus the pool's start-up)."""
    if workers <= 1:
        return per_run * runs
    return per_run * runs / (workers * PARALLEL_EFFICIENCY) + POOL_STARTUP_SECONDS


def _manifest(sw: Experiment, workers: int, scheduler: str | None) -> dict[str, Any]:
    call = "innosim.sensitivity" if sw.kind == "sensitivity" else "innosim.sweep"
    return provenance.manifest(
        sw.kind,
        call,
        name=sw.config.name,
        hash=sw.hash,
        experiment=sw.config.model_dump(mode="json"),
        experiment_file=str(sw.path),
        base_scenario=provenance.scenario_record(sw.base, sw.choice),
        base_scenario_hash=sw.base.hash,
        scenarios={name: s.hash for name, s in sw.scenarios.items()},
        parameters=sw.choice.describe(),
        points=len(sw.points),
        replicates=sw.config.replicates,
        runs=sw.runs,
        rows_per_run=len(sw.years) * len(sw.indicators),
        replicate_seeds=replicate_seeds(sw.config.seed, sw.config.replicates),
        started=provenance.now(),
        workers=workers,
        scheduler=scheduler,
    )


class _Buffer:
    """Rows of finished runs, columnar, until they are written."""

    def __init__(self, sw: Experiment) -> None:
        self.sw = sw
        self.cells = len(sw.years) * len(sw.indicators)
        self.years = np.repeat(np.array(sw.years, dtype=np.int64), len(sw.indicators))
        self.indicators = np.tile(np.array(sw.indicators, dtype=object), len(sw.years))
        self.clear()

    def clear(self) -> None:
        self.meta: list[tuple[int, int, int, int, int]] = []
        self.values: list[np.ndarray] = []

    def add(self, meta: tuple[int, int, int, int, int], values: np.ndarray) -> None:
        self.meta.append(meta)
        self.values.append(values)

    @property
    def rows(self) -> int:
        return len(self.meta) * self.cells

    def table(self) -> pa.Table:
        n = len(self.meta)
        cols: dict[str, Any] = {
            name: pa.array(np.repeat(np.array(values, dtype=dtype), self.cells))
            for name, values, dtype in zip(RUN_COLUMNS, zip(*self.meta), _RUN_DTYPES)
        }
        factors = self.sw.points.iloc[np.repeat([m[1] for m in self.meta], self.cells)]
        for name in self.sw.factors:
            cols[name] = pa.array(factors[name].to_numpy())
        cols["year"] = pa.array(np.tile(self.years, n))
        cols["indicator"] = pa.array(np.tile(self.indicators, n), type=pa.string())
        cols["value"] = pa.array(np.concatenate(self.values))
        return pa.table(cols)


def _summarise(store: RunStore, sw: Experiment) -> pd.DataFrame:
    """Median, 5%, 95% and mean over replicates per point, indicator and year, a point at a time."""
    keys = ["point", "indicator", "year"]
    frames, pending = [], []

    def agg(frame: pd.DataFrame) -> pd.DataFrame:
        g = frame.groupby(keys, sort=False)["value"]
        return pd.DataFrame({**quantiles(g), "mean": g.mean(), "replicates": g.size()}).reset_index()

    for batch in store.batches(columns=[*keys, "value"]):
        pending.append(batch.to_pandas())
        frame = pd.concat(pending, ignore_index=True)
        last = frame["point"].iloc[-1]
        frames.append(agg(frame[frame["point"] < last]))
        pending = [frame[frame["point"] == last]]
    frames.append(agg(pd.concat(pending, ignore_index=True)))
    out = pd.concat(frames, ignore_index=True)
    out = sw.points.rename_axis("point").reset_index().merge(out, on="point")
    return out.sort_values(["point", "year"], kind="stable").reset_index(drop=True)


def run_experiment(
    exp: Experiment,
    out: Path,
    workers: int = 0,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: float = 10.0,
    executor: Executor | None = None,
    outputs: tuple[str, ...] = (),
    announce: Callable[[str], None] | None = None,
) -> RunStore:
    """Run every run of an experiment's points into a :class:`~innosim.store.RunStore` at ``out``.

    Writes ``points.csv`` and ``results.parquet`` (the columns of the module docstring);
    ``outputs`` names the other files the caller will write there. Arguments as for
    :func:`sweep`. ``announce`` is called with one line describing the job (:func:`describe`)
    once the directory is checked and locked, before any run. Returns the store with its
    directory still locked: use it in a ``with`` block and write the other outputs inside it.
    """
    check_output(out, 0 if resume else output_bytes(exp))
    store = RunStore(out, _manifest(exp, workers, scheduler), expected(exp), (POINTS, *outputs), resume, overwrite)
    try:
        write_atomic(store.out / POINTS, exp.points.rename_axis("point").reset_index().to_csv(index=False))
        done = store.done()
        if announce:
            announce(describe(exp, len(done), workers))
        if not store.complete:
            if executor is not None:
                run_missing(exp, store, executor, progress, checkpoint, done)
            else:
                with get_executor(workers, exp.runs - len(done), scheduler, estimate_seconds(exp, 1, 1)) as ex:
                    run_missing(exp, store, ex, progress, checkpoint, done)
            store.finish(finished=provenance.now())
        elif progress:
            progress(exp.runs, exp.runs)
    except BaseException:
        store.close()
        raise
    return store


def output_bytes(exp: Experiment) -> int:
    """Disk the results of ``exp`` take while it finishes (parts and joined table), about."""
    return exp.runs * len(exp.years) * len(exp.indicators) * BYTES_PER_STORED_ROW


def expected(exp: Experiment) -> Expected:
    """What the stored runs of ``exp`` must be (:class:`~innosim.store.Expected`)."""
    return Expected(
        exp.runs,
        exp.config.replicates,
        tuple(replicate_seeds(exp.config.seed, exp.config.replicates)),
        len(exp.years) * len(exp.indicators),
    )


def sweep(
    experiment: Sweep | str | Path,
    out: str | Path | None = None,
    workers: int = 0,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress = None,
    checkpoint: float = 10.0,
    executor: Executor | None = None,
    announce: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run a sweep; results stream to ``out`` and the whole table is returned.

    Args:
        experiment: A checked :class:`~innosim.experiment.Sweep` or a sweep file.
        out: Result directory; ``None`` runs in a temporary one.
        workers: Processes (0 = one per core, 1 = this process; Dask workers with
            ``scheduler="local"``).
        scheduler: Dask scheduler: ``"local"`` or ``tcp://HOST:PORT``.
        resume: Continue the sweep stored in ``out``, running only the missing runs.
        overwrite: Discard a sweep stored in ``out``.
        progress: Called with ``(runs done, runs)`` as runs finish; by default a progress bar
            (``False``: none; :mod:`innosim.progress`).
        checkpoint: Write finished runs to disk at least this often (seconds).
        executor: Run on this executor (left open) instead of one made from
            ``workers`` and ``scheduler``.
        announce: Called with one line describing the job (points, runs, the expected time
            and output size) once ``out`` is checked and locked, before any run.

    Returns:
        The results table (see the module docstring), in run order.

    Raises:
        InputError: a bad sweep file, or an ``out`` that holds another job.
    """
    sw = experiment if isinstance(experiment, Sweep) else load_sweep(experiment)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="innosim-sweep-") as tmp:
            return sweep(sw, tmp, workers, scheduler, False, False, progress, checkpoint, executor, announce)
    with (
        reporting(progress, sw.runs, f"{sw.config.name}: runs") as advance,
        run_experiment(
            sw, Path(out), workers, scheduler, resume, overwrite, advance, checkpoint, executor, (SUMMARY,), announce
        ) as store,
    ):
        if not (store.out / SUMMARY).is_file():
            write_atomic(store.out / SUMMARY, _summarise(store, sw).to_csv(index=False))
        return pd.read_parquet(store.out / RESULTS)


class Sink(Protocol):
    """Where finished runs go: a :class:`~innosim.store.RunStore`, or something that passes them on to one."""

    def append(self, table: pa.Table) -> None:
        """Store whole runs, a contiguous range of run ids."""


def run_missing(
    sw: Experiment,
    store: Sink,
    ex: Executor,
    progress: Callable[[int, int], None] | None,
    checkpoint: float,
    done: set[int],
) -> None:
    """Run every run of ``sw``'s points that is not in ``done`` on ``ex``, in run order, writing
    them to ``store`` at least every ``checkpoint`` seconds and when interrupted.

    ``progress`` is called with ``(runs done, runs of sw)``. A failed run raises its error
    after the runs before it are written.
    """
    total, replicates = sw.runs, sw.config.replicates
    seeds = replicate_seeds(sw.config.seed, replicates)
    until = max(sw.years)
    queued: deque[tuple[int, int, int, int, int]] = deque()

    def tasks() -> Iterator[tuple[Any, int, int, tuple[str, ...], tuple[int, ...]]]:
        for point in range(len(sw.points)):
            if all(point * replicates + k in done for k in range(replicates)):
                continue
            scenario = sw.scenario_at(point)
            for k, seed in enumerate(seeds):
                run = point * replicates + k
                if run not in done:
                    drawn, draw = sw.choice.for_replicate(scenario, seed)
                    queued.append((run, point, k, seed, draw))
                    yield drawn, seed, until, sw.indicators, sw.years

    todo = total - len(done)
    buffer = _Buffer(sw)

    def flush() -> None:
        """Store the buffered runs and forget them, as one step (:func:`~innosim.store.interrupts_deferred`)."""
        with interrupts_deferred():
            store.append(buffer.table())
            buffer.clear()

    finished = len(done)
    if progress:
        progress(finished, total)
    if todo == 0:
        return
    seconds = run_seconds(sw.scenario_at(0), until)
    last = time.monotonic()
    try:
        for values in ex.map(_sweep_task, tasks(), total=todo, seconds=seconds):
            meta = queued.popleft()
            if isinstance(values, Failure):  # the runs before it are kept (below) for --resume
                run, point, k, seed, draw = meta
                raise values.error(
                    f"run {run} (point {point}, replicate {k}, seed {seed}, posterior draw {draw}; "
                    f"the {finished:,} finished runs are kept for {option('resume', flag=True)})"
                )
            if buffer.meta and meta[0] != buffer.meta[-1][0] + 1:  # a part holds a contiguous range of runs
                flush()
            buffer.add(meta, values)
            finished += 1
            if progress:
                progress(finished, total)
            if buffer.rows >= FLUSH_ROWS or time.monotonic() - last >= checkpoint:
                flush()
                last = time.monotonic()
    finally:  # also on Ctrl-C: every finished run is kept for --resume
        if buffer.meta:
            flush()


def describe(sw: Experiment, done: int = 0, workers: int = 0) -> str:
    """One line for users: points, replicates, runs, and the expected time."""
    n = pool_size(workers, max(1, sw.runs - done), estimate_seconds(sw, 1, 1))
    eta = _dt.timedelta(seconds=round(estimate_seconds(sw, sw.runs - done, n)))
    factors = (
        ", ".join(sw.factors)
        if len(sw.factors) <= 5
        else f"{len(sw.factors)} factors: {', '.join(sw.factors[:3])}, ..."
    )
    text = (
        f"{sw.config.name}: {len(sw.points):,} points x {sw.config.replicates} replicates = {sw.runs:,} runs "
        f"({sw.design} over {factors})"
    )
    size = output_bytes(sw) / 2**20
    return (
        text
        + (f", {done:,} already stored" if done else "")
        + f"; about {eta} on {n} worker(s), "
        + (f"{size:,.0f} MB of results" if size >= 1 else "under 1 MB of results")
    )
