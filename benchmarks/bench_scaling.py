"""Scaling of one fixed job over every executor, as ratios to serial measured in one invocation.

Three parts, each on this machine and in this run (the machines are shared and noisy, so only
ratios between figures of one run mean anything):

1. **Per-run time inside a worker.** One full-size baseline run (2016-2025), timed in this
   process, in a worker of the process pool, in a worker of a Dask ``LocalCluster`` and in a
   worker of a tcp cluster that the script starts (``dask scheduler`` and ``dask worker`` as
   separate processes, as on separate machines; the worker under Dask's nanny, with its
   ``MALLOC_TRIM_THRESHOLD_``). Also in a plain process with Dask's allocator setting and
   ``INNOSIM_MALLOC=system`` (innosim's tuning off): what :mod:`innosim.allocator` saves.
2. **The job** ``innosim run --replicates R --seed 9 --format json`` (start-up included) with
   ``--workers 1`` (serial), the process pool on 1..N workers, ``--scheduler local`` and
   ``--scheduler tcp://…`` on N workers (a fresh tcp cluster each time: its workers import innosim
   on the first task, as a new cluster's would). Reported: speed-up over serial, parallel
   efficiency (speed-up / workers), and the overhead: wall time less the command's fixed cost and
   the runs' share (R runs / workers), both from the serial command at 1 and at R replicates. Every
   configuration's output is checked to be byte-identical to serial's.
3. **Small jobs**: ``innosim run --replicates r`` for small r with the default worker count
   (``--workers 0``) against ``--workers 1``: never slower (ratio at most 1 within noise).

Each timing is the best of ``--repeats``, configurations interleaved. Usage::

    python benchmarks/bench_scaling.py [--replicates 40] [--workers 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from innosim import cluster

INNOSIM = str(Path(sys.executable).with_name("innosim"))
DASK = str(Path(sys.executable).with_name("dask"))
PRELOAD = tuple(arg for module in cluster.PRELOAD for arg in ("--preload", module))
"""The scheduler and the workers import the model when they start, as docs/cluster.md recommends for a
standing cluster (the scheduler unpickles each task, function and scenario included)."""
SCHEDULER_ENV = {"DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": str(cluster.WORKER_SATURATION)}
"""A task goes to a worker only when the worker is free (docs/cluster.md): no run waits behind another at the end."""
DASK_ENV = {"MALLOC_TRIM_THRESHOLD_": "65536"}
"""What Dask's nanny sets for its workers (distributed.nanny.pre-spawn-environ)."""


def time_runs(runs: int) -> float:
    """Median seconds of ``runs`` full-size baseline runs in this process, after one warm-up run."""
    from innosim import InnovationModel, default_scenario

    scenario = default_scenario()
    InnovationModel(scenario, rng=0).run()
    times = []
    for seed in range(1, runs + 1):
        t0 = time.perf_counter()
        InnovationModel(scenario, rng=seed).run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _in_fresh_process(runs: int, env: dict[str, str]) -> float:
    code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import bench_scaling as b; print(b.time_runs({runs}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


@contextmanager
def tcp_cluster(workers: int) -> Iterator[str]:
    """A scheduler and ``workers`` single-threaded workers (under nannies, with :data:`PRELOAD`), as separate processes."""
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
            for p in reversed(procs):
                p.terminate()
                p.wait(timeout=30)


def per_run_times(runs: int, workers: int) -> dict[str, float]:
    """Part 1: median seconds of a full-size run in each kind of process."""
    from distributed import Client, LocalCluster

    from innosim.executor import ProcessExecutor

    out = {"plain process": _in_fresh_process(runs, {})}
    out["plain, MALLOC_TRIM_THRESHOLD_=65536, INNOSIM_MALLOC=system"] = _in_fresh_process(
        runs, {**DASK_ENV, "INNOSIM_MALLOC": "system"}
    )
    out["plain, MALLOC_TRIM_THRESHOLD_=65536"] = _in_fresh_process(runs, DASK_ENV)
    with ProcessExecutor(1) as pool:
        out["process-pool worker"] = next(pool.map(time_runs, [runs]))
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as c,
    ):
        out["LocalCluster worker"] = c.submit(time_runs, runs).result()
    with tcp_cluster(1) as address, Client(address) as c:
        out["tcp-cluster worker"] = c.submit(time_runs, runs).result()
    return out


def _job(replicates: int, workers: int, scheduler: str | None, out: Path) -> float:
    cmd = [
        INNOSIM,
        "run",
        "--replicates",
        str(replicates),
        "--seed",
        "9",
        "--format",
        "json",
        "--workers",
        str(workers),
    ]
    cmd += ["--out", str(out)] + (["--scheduler", scheduler] if scheduler else [])
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def job_times(replicates: int, workers: int, repeats: int, tmp: Path) -> dict[str, tuple[float, int]]:
    """Part 2: best wall time of the job per configuration, and its worker count; outputs checked."""
    configs: list[tuple[str, int, str | None]] = [("serial (--workers 1)", 1, None)]
    configs += [(f"process pool, {w} worker(s)", w, None) for w in range(1, workers + 1)]
    configs += [
        (f"Dask LocalCluster, {workers} workers", workers, "local"),
        (f"Dask tcp cluster, {workers} workers", workers, "tcp"),
    ]
    best: dict[str, float] = {}
    for _ in range(repeats):
        for name, w, scheduler in configs:
            out = tmp / name.replace(" ", "_").replace(",", "")
            if scheduler == "tcp":
                with tcp_cluster(w) as address:
                    seconds = _job(replicates, w, address, out)
            else:
                seconds = _job(replicates, w, scheduler, out)
            best[name] = min(best.get(name, float("inf")), seconds)
    reference = (tmp / configs[0][0].replace(" ", "_").replace(",", "") / "indicators.csv").read_bytes()
    for name, *_ in configs:
        assert (tmp / name.replace(" ", "_").replace(",", "") / "indicators.csv").read_bytes() == reference, name
    return {name: (best[name], w) for name, w, _ in configs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicates", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per process in part 1")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; innosim run --replicates {args.replicates}, best of {args.repeats}\n")

    print("1. per-run time of a full-size run (2016-2025), median of", args.runs)
    runs = per_run_times(args.runs, args.workers)
    plain = runs["plain process"]
    for name, seconds in runs.items():
        print(f"   {name:58s} {seconds:6.3f} s  {seconds / plain:5.2f}x plain")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        one = min(_job(1, 1, None, tmp / "one") for _ in range(args.repeats))
        jobs = job_times(args.replicates, args.workers, args.repeats, tmp)
        serial = jobs["serial (--workers 1)"][0]
        per_run = (serial - one) / (args.replicates - 1)  # the command's own cost of a run, serially
        fixed = one - per_run
        print(
            f"\n2. the job; serially {per_run:.3f} s a run and {fixed:.2f} s fixed (imports, scenario, "
            "output: from --replicates 1 and R); outputs identical"
        )
        print(f"   {'configuration':34s} {'wall':>7s} {'speed-up':>9s} {'efficiency':>11s} {'overhead':>9s}")
        for name, (seconds, w) in jobs.items():
            overhead = seconds - fixed - args.replicates * per_run / w
            print(
                f"   {name:34s} {seconds:6.2f}s {serial / seconds:8.2f}x {serial / seconds / w:10.0%} {overhead:8.2f}s"
            )

        print("\n3. small jobs: default workers (--workers 0) against --workers 1")
        for r in (1, 2, 4, 8):
            default = min(_job(r, 0, None, tmp / f"d{r}") for _ in range(args.repeats))
            one = min(_job(r, 1, None, tmp / f"s{r}") for _ in range(args.repeats))
            print(f"   --replicates {r}: {default:5.2f} s against {one:5.2f} s, ratio {default / one:4.2f}")


if __name__ == "__main__":
    main()
