"""Scaling of one fixed job over every executor, as ratios to serial measured in one invocation.

Three parts, each on this machine and in this run (the machines are shared and noisy, so only
ratios between figures of one run mean anything):

1. **Per-run time inside a worker.** One full-size baseline run (2016-2025), timed in a fresh
   plain process, in a worker of the process pool, in a worker of innosim's ``LocalCluster``
   (``--scheduler local``, with its settings) and in a worker of a tcp cluster that the script
   starts (``dask scheduler`` and ``dask worker`` as separate processes, as on separate
   machines; the worker under Dask's nanny, with its ``MALLOC_TRIM_THRESHOLD_``, and with the
   settings docs/cluster.md gives a standing cluster's workers, :data:`WORKER_ENV`), and in one
   with Dask's default worker settings: what those save. Also in a plain process with Dask's
   allocator setting, with and without ``INNOSIM_MALLOC=system`` (innosim's tuning off): what
   :mod:`innosim.allocator` saves. All the processes are started first; the
   timed runs then go to each in turn, so that a slow spell of the machine falls on all alike.
2. **The job** ``innosim run --replicates R --seed 9 --format json`` (start-up included) with
   ``--workers 1`` (serial, timed twice: the command runs in its own process, a pool of one is
   never started; the two rows show the measurement's noise, and the better is the serial time
   the speed-ups divide), the process pool on 2..N workers, ``--scheduler local`` and
   ``--scheduler tcp://…`` on N workers (a fresh tcp cluster each time, started before the
   command with the model preloaded, as docs/cluster.md sets up a standing cluster). Reported:
   speed-up over serial, parallel efficiency (speed-up / workers), and the overhead: wall time
   less the command's fixed cost and the runs' share (R runs / workers), both from the serial
   command at 1 and at R replicates. Every configuration's output (the JSON summary on stdout,
   as in issue 16's measurement) is checked to be byte-identical to serial's. Nothing is written
   to disk: writing a result directory (``--out``) costs every configuration the same 0.15-0.2 s.
3. **Small jobs**: ``innosim run --replicates r`` for small r with the default worker count
   (``--workers 0``) against ``--workers 1``: never slower (ratio at most 1 within noise). The sizes
   include the smallest job the default sends to a pool (6 replicates on 2 cores), where the pool's
   start-up weighs most.

Each timing is the best of ``--repeats``, configurations interleaved, each repeat starting with
the next configuration; a tcp cluster's processes have all ended before the next is timed. Usage::

    python benchmarks/bench_scaling.py [--replicates 40] [--workers 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, closing, contextmanager, suppress
from pathlib import Path
from typing import Any

from innosim import cluster

INNOSIM = str(Path(sys.executable).with_name("innosim"))
DASK = str(Path(sys.executable).with_name("dask"))
PRELOAD = tuple(arg for module in cluster.PRELOAD for arg in ("--preload", module))
"""The scheduler and the workers import the model when they start, as docs/cluster.md recommends for a
standing cluster (the scheduler unpickles each task, function and scenario included)."""
SCHEDULER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": str(cluster.WORKER_SATURATION)}
"""A task goes to a worker only when the worker is free (docs/cluster.md): no run waits behind another at the end."""
WORKER_ENV = cluster.environment(cluster.WORKER_CONFIG)
"""The workers run without Dask's profiler and with a quiet event loop, as docs/cluster.md sets them up."""
DASK_ENV = {"MALLOC_TRIM_THRESHOLD_": "65536"}
"""What Dask's nanny sets for its workers (distributed.nanny.pre-spawn-environ)."""


def time_run(seed: int) -> float:
    """Seconds of one full-size baseline run (2016-2025) in this process (the scenario is loaded
    before the clock starts)."""
    from innosim import InnovationModel, default_scenario

    scenario = default_scenario()
    t0 = time.perf_counter()
    InnovationModel(scenario, rng=seed).run()
    return time.perf_counter() - t0


class Plain:
    """A fresh Python process started with ``env`` added to this one's environment (spawned: it
    inherits nothing else), that runs one function call at a time."""

    def __init__(self, env: dict[str, str]) -> None:
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self.pool.submit(int).result()  # the process starts now, with env
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.workers = 1

    def map(self, fn: Any, tasks: list[Any]) -> Iterator[Any]:
        return self.pool.map(fn, tasks)

    def close(self) -> None:
        self.pool.shutdown()


@contextmanager
def tcp_cluster(workers: int, worker_env: dict[str, str] = WORKER_ENV) -> Iterator[str]:
    """A scheduler and ``workers`` single-threaded workers (under nannies, with :data:`PRELOAD` and
    ``worker_env``), as separate processes."""
    from distributed import Client

    with tempfile.TemporaryDirectory() as tmp:
        file = str(Path(tmp) / "scheduler.json")
        common = ["--no-dashboard", "--host", "127.0.0.1"]
        procs = [
            subprocess.Popen(
                [DASK, "scheduler", "--port", "0", "--scheduler-file", file, *PRELOAD, *common],
                env={**os.environ, **SCHEDULER_ENV},
                stderr=subprocess.DEVNULL,
            )
        ]
        procs.append(
            subprocess.Popen(
                [
                    DASK,
                    "worker",
                    "--scheduler-file",
                    file,
                    "--nworkers",
                    str(workers),
                    "--nthreads",
                    "1",
                    *PRELOAD,
                    *common,
                ],
                env={**os.environ, **worker_env},
                stderr=subprocess.DEVNULL,
            )
        )
        try:
            while not Path(file).exists():
                time.sleep(0.1)
            with Client(scheduler_file=file) as client:
                client.wait_for_workers(workers, timeout=60)
                address = client.scheduler.address
            yield address
        finally:
            # every process of the cluster (the nannies' workers too) has ended before the next
            # configuration is timed: one still exiting would slow it down
            import psutil  # installed with distributed

            tree = []
            for p in procs:
                with suppress(psutil.NoSuchProcess):
                    tree += [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]
            for p in reversed(procs):
                p.terminate()
                p.wait(timeout=30)
            psutil.wait_procs(tree, timeout=30)


def per_run_times(runs: int) -> dict[str, float]:
    """Part 1: median seconds of a full-size run in each kind of process.

    Every process is started first and warmed up with one run; then each timed run goes to each
    process in turn (runs interleaved, one process at a time), so that a slower spell of this
    shared machine falls on all of them alike."""
    from innosim.executor import DaskExecutor, ProcessExecutor

    stack = ExitStack()
    starts: dict[str, Any] = {
        "plain process": lambda: Plain({}),
        "plain, MALLOC_TRIM_THRESHOLD_=65536, INNOSIM_MALLOC=system": lambda: Plain(
            {**DASK_ENV, "INNOSIM_MALLOC": "system"}
        ),
        "plain, MALLOC_TRIM_THRESHOLD_=65536": lambda: Plain(DASK_ENV),
        "process-pool worker": lambda: ProcessExecutor(1),
        "Dask LocalCluster worker (--scheduler local)": lambda: DaskExecutor("local", 1),
        "Dask tcp-cluster worker (separate processes, nanny)": lambda: DaskExecutor(
            stack.enter_context(tcp_cluster(1))
        ),
        "Dask tcp-cluster worker, Dask's default worker settings": lambda: DaskExecutor(
            stack.enter_context(tcp_cluster(1, {}))
        ),
    }
    with stack:
        sites = {name: stack.enter_context(closing(start())) for name, start in starts.items()}
        times: dict[str, list[float]] = {name: [] for name in sites}
        for seed in range(runs + 1):
            for name, site in sites.items():
                seconds = next(iter(site.map(time_run, [seed])))
                if seed:  # seed 0 warms up
                    times[name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def _job(replicates: int, workers: int, scheduler: str | None) -> tuple[float, bytes]:
    """Wall seconds of ``innosim run --replicates R --seed 9 --format json`` (the issue's job) on
    ``workers`` and ``scheduler``, and its output (the JSON summary on stdout)."""
    cmd = [INNOSIM, "run", "--replicates", str(replicates), "--seed", "9", "--format", "json"]
    cmd += ["--workers", str(workers)] + (["--scheduler", scheduler] if scheduler else [])
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return time.perf_counter() - t0, out


def job_times(replicates: int, workers: int, repeats: int) -> dict[str, tuple[float, int]]:
    """Part 2: best wall time of the job per configuration, and its worker count; every output is
    checked to be byte-identical to the first one timed."""
    configs: list[tuple[str, int, str | None]] = [("serial (--workers 1)", 1, None)]
    # --workers 1 runs in the command's own process (a pool of one is never started): timed twice,
    # the two serial rows show the noise of the measurement
    configs += [("serial again (--workers 1)", 1, None)]
    configs += [(f"process pool, {w} workers", w, None) for w in range(2, workers + 1)]
    configs += [
        (f"Dask LocalCluster, {workers} workers", workers, "local"),
        (f"Dask tcp cluster, {workers} workers", workers, "tcp"),
    ]
    best: dict[str, float] = {}
    reference: bytes | None = None
    for r in range(repeats):
        # each repeat starts with another configuration, so that none is always timed right after
        # the same one (the tcp cluster's start and stop, a slower spell of a shared machine)
        for name, w, scheduler in configs[r % len(configs) :] + configs[: r % len(configs)]:
            if scheduler == "tcp":
                with tcp_cluster(w) as address:
                    seconds, out = _job(replicates, w, address)
            else:
                seconds, out = _job(replicates, w, scheduler)
            reference = reference or out
            assert out == reference, f"{name}: output differs from the other configurations'"
            best[name] = min(best.get(name, float("inf")), seconds)
    return {name: (best[name], w) for name, w, _ in configs}


def job_table(replicates: int, workers: int, repeats: int) -> None:
    """Part 2, printed: each configuration's wall time, speed-up, efficiency and overhead."""
    one = min(_job(1, 1, None)[0] for _ in range(repeats))
    jobs = job_times(replicates, workers, repeats)
    # the better of the two serial timings of the same command: the speed-ups are the lower for it
    serial = min(jobs["serial (--workers 1)"][0], jobs["serial again (--workers 1)"][0])
    per_run = (serial - one) / (replicates - 1)  # the command's own cost of a run, serially
    fixed = one - per_run
    print(
        f"\n2. the job; serially {per_run:.3f} s a run and {fixed:.2f} s fixed (imports, scenario, "
        "output: from --replicates 1 and R); outputs identical"
    )
    print(f"   {'configuration':34s} {'wall':>7s} {'speed-up':>9s} {'efficiency':>11s} {'overhead':>9s}")
    for name, (seconds, w) in jobs.items():
        overhead = seconds - fixed - replicates * per_run / w
        print(f"   {name:34s} {seconds:6.2f}s {serial / seconds:8.2f}x {serial / seconds / w:10.0%} {overhead:8.2f}s")


def small_jobs() -> list[int]:
    """Replicate counts for part 3: 1, 2, 4 and 8, and the smallest job that the default sends to a pool
    on this machine (:func:`innosim.executor.pool_size`), where a pool is nearest to being slower (none on
    one core)."""
    from innosim import default_scenario
    from innosim.executor import pool_size
    from innosim.simulation import run_seconds

    seconds = run_seconds(default_scenario())
    first = next((r for r in range(2, 1000) if pool_size(0, r, seconds) > 1), 1)
    return sorted({1, 2, 4, 8, first})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per process in part 1")
    ap.add_argument("--parts", default="123", help="which parts to run, e.g. 1 or 23")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; innosim run --replicates {args.replicates}, best of {args.repeats}\n")

    if "1" in args.parts:
        print("1. per-run time of a full-size run (2016-2025), median of", args.runs)
        runs = per_run_times(args.runs)
        plain = runs["plain process"]
        for name, seconds in runs.items():
            print(f"   {name:58s} {seconds:6.3f} s  {seconds / plain:5.2f}x plain")

    if "2" in args.parts:
        job_table(args.replicates, args.workers, args.repeats)
    if "3" in args.parts:
        print("\n3. small jobs: default workers (--workers 0) against --workers 1")
        for r in small_jobs():
            pairs = [(_job(r, 0, None)[0], _job(r, 1, None)[0]) for _ in range(args.repeats)]
            default, one = (min(times) for times in zip(*pairs, strict=True))
            print(f"   --replicates {r}: {default:5.2f} s against {one:5.2f} s, ratio {default / one:4.2f}")


if __name__ == "__main__":
    main()
