"""Worker processes: how they start, what they run with, and the checks of a cluster's workers.

- :func:`context` starts local workers (the process pool's, a ``LocalCluster``'s) from a fork
  server that has imported the model once (:data:`PRELOAD`); :func:`prestart` starts that
  server early; :func:`die_with_parent` ends a worker whose parent is gone.
- :func:`worker_report` and :func:`check_workers`: on connecting to a Dask cluster,
  :class:`~innosim.executor.DaskExecutor` refuses a worker whose installation differs from this
  process's (its results would differ) and warns of one whose memory allocator slows runs down
  (:mod:`innosim.allocator`). docs/cluster.md says how to run a cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.context
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

from innosim.errors import InputError, option

log = logging.getLogger(__name__)

PARENT_POLL_SECONDS = 0.5
"""How often a pool worker checks that the process that started it is alive."""
PRELOAD = ("innosim.simulation", "innosim.model.model")
"""Modules the fork server imports once, before it forks workers: the model and its libraries
(numpy, scipy, pandas, Mesa), about a second of imports that a spawned worker pays each time.
For a ``LocalCluster``, Dask's ``distributed`` too (:data:`DASK_PRELOAD`)."""
DASK_PRELOAD = (*PRELOAD, "distributed")
"""What the fork server imports when it will start the workers of a ``LocalCluster``."""
SERVER_EXIT = "innosim.quickexit"
"""Imported by the fork server before :data:`PRELOAD`: it exits in 0.03 s instead of 0.3 s when the
command ends (:mod:`innosim.quickexit`), and a pipe or a captured output of the command closes then."""


def context(preload: tuple[str, ...] = PRELOAD) -> multiprocessing.context.BaseContext:
    """How worker processes start: from a fork server where the platform has one (Linux, macOS).

    The server is a fresh process started from this one; it imports ``preload`` once and
    forks each worker from itself, ready to run in a few tens of milliseconds instead of the
    second a spawned worker takes to import the model (on 2 cores, that second is most of what
    kept a pool of two from running twice as fast). Forking the server is safe where forking
    this process is not: here there may be threads (a progress bar, Dask's event loop, a
    notebook's). The server lives as long as this process, so later pools start at once; what
    it imports is fixed when it starts.
    Elsewhere (Windows): spawn.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([SERVER_EXIT, *preload])  # no effect once the server runs
    return ctx


def prestart(preload: tuple[str, ...] = PRELOAD) -> None:
    """Start the fork server now, so that it imports ``preload`` while this process goes on (a pool
    or ``LocalCluster`` started later finds it ready). The command line calls it through
    :func:`prestart_for`."""
    if context(preload).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def prestart_for(workers: int | None, scheduler: str | None) -> None:
    """Start the fork server if ``--workers`` and ``--scheduler`` ask for processes of this machine:
    with the model for a pool of 2 or more, with the model and Dask for a ``LocalCluster`` (any
    worker count but 1). Not when the command runs in this process or on a cluster elsewhere, nor
    while the number of workers is unknown (``None``: a calibration's file says), nor for the
    default ``--workers 0``, which may run a small job in this process: a server importing beside
    it slows this process's own imports by a tenth."""
    if workers is None:
        return
    if scheduler is None and workers >= 2:
        prestart(PRELOAD)
    elif scheduler == "local" and workers != 1:
        prestart(DASK_PRELOAD)


def prestart_for_argv(argv: Sequence[str]) -> None:
    """:func:`prestart_for` from a raw command line, before anything else is imported.

    The console script calls this first: the server then starts 30 ms after the process, not
    160 ms (once typer and the command's modules are imported and the options parsed), and its
    second of imports overlaps more of this process's loading: the workers of
    ``innosim run --replicates 40 --workers 2`` start their first run 0.1-0.2 s sooner. Only
    an explicit ``--workers N`` counts (with ``--scheduler``, if given): without it, the
    command's own default decides, and the option's callback starts the server once the command
    line is parsed (:mod:`innosim.cli.common`). A value that is not a number is left for the
    parser to refuse.
    """
    values: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if name in ("--workers", "--scheduler"):
            values[name] = value if equals else next(args, "")
    try:
        workers = int(values["--workers"])
    except (KeyError, ValueError):
        return
    prestart_for(workers, values.get("--scheduler"))


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process of that number
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc (macOS): the signal found it
        return True


def die_with_parent(parent: int) -> None:
    """In a pool worker: exit as soon as ``parent``, the process that started the pool, is gone.

    A worker whose parent was killed (SIGKILL leaves no chance to shut the pool down) would
    otherwise run on, holding memory, until it noticed its queue closed. The worker's own parent
    is the fork server, which lives while any worker holds its handle, so it is ``parent`` that is
    watched, by its process number.
    """

    def watch() -> None:
        while _alive(parent):
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="innosim-parent-watch", daemon=True).start()


WORKER_SATURATION = 1.0
"""Dask's scheduler sends a task to a worker only when the worker has a free thread (Dask's default,
1.1, queues a second one there): the executor already keeps two batches per worker in flight,
and a batch queued behind another at the end of a job would keep the other workers idle. Set for
a ``LocalCluster``; docs/cluster.md sets it for a standing cluster."""
WORKER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "5s",
    "distributed.admin.system-monitor.interval": "10s",
    "distributed.admin.tick.interval": "1s",
}
"""Dask settings of a worker that runs innosim: no statistical profiler, and its event loop woken
rarely (:data:`LOCAL_CLUSTER_CONFIG` says why). A ``LocalCluster`` that innosim starts has them;
a standing cluster's workers get them from :func:`environment` (docs/cluster.md), and
:func:`check_workers` warns of a worker whose profiler runs."""
LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    "distributed.scheduler.worker-saturation": WORKER_SATURATION,
    **WORKER_CONFIG,
}
"""Dask settings of the ``LocalCluster`` innosim starts. Its scheduler and nannies live in the
calling process, on the cores the workers use, and each worker's event loop shares its process
with the run: every time the loop wakes it takes the interpreter lock from the run, and on a busy
machine waits for a core to do so. Dask's defaults (a statistical profiler sampling every 10 ms,
memory checks every 100 ms, system checks every 500 ms, an event-loop tick every 20 ms) took
0.24-0.30 s of this process's CPU over 40 full-size runs on 2 workers, and the runs took 9-10%
longer than on the process pool. With a tick every second, memory checks every 5 s and system
checks every 10 s, a worker's runs take about as long as a pool worker's: over 4 interleaved
repeats of that job (2026-12-06, 20 runs and 8.4 s of runs per worker), 0.09 s less than with
the previous settings (200 ms, 1 s and 2 s) and 0.04 s more than in the pool. The tick stays
under Dask's 3 s limit for an unresponsive event loop; a run needs about 0.3 GB, so memory
checked every 5 s is ample. The job's speed-up is in docs/cluster.md, from
``benchmarks/bench_scaling.py``."""


def environment(config: dict[str, object]) -> dict[str, str]:
    """Dask settings as the environment variables that set them in a process Dask starts
    (``DASK_`` and the key's parts in capitals, joined by ``__``), for a standing cluster."""
    return {"DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value) for key, value in config.items()}


def worker_report() -> dict[str, Any]:
    """In a Dask worker: its installation (:func:`innosim.provenance.installation`), its
    allocator, tuned for simulations (:func:`innosim.allocator.tune`), and its Dask settings of
    :data:`WORKER_CONFIG`."""
    import dask

    from innosim import allocator
    from innosim.provenance import installation

    state = allocator.tune()
    dask_settings = {key: dask.config.get(key, None) for key in WORKER_CONFIG}  # None: Dask's distributed not loaded
    return {"installation": installation(), "slow": state.slow, "settings": state.settings, "dask": dask_settings}


def check_workers(reports: dict[str, dict[str, Any]], scheduler: str) -> None:
    """Refuse a cluster whose workers would give other results than this process, and warn of
    workers whose allocator settings slow innosim down (:mod:`innosim.allocator`) or whose Dask
    profiler runs (:data:`WORKER_CONFIG`; one warning for all such workers).

    Args:
        reports: :func:`worker_report` of each worker, by address.
        scheduler: The ``--scheduler`` value, for the message.

    Raises:
        InputError: a worker's innosim, Python, libraries or package data differ from this process's.
    """
    from innosim.provenance import installation

    mine = installation()
    for address, report in sorted(reports.items()):
        theirs = report["installation"]
        differ = [f"{key} {theirs.get(key)} (here {value})" for key, value in mine.items() if theirs.get(key) != value]
        if differ:
            raise InputError(
                option("scheduler"),
                scheduler,
                f"worker {address} runs another installation: {'; '.join(differ)}. Install the same innosim "
                "and libraries on every worker (docs/cluster.md), or results would differ from a local run",
            )
        if report["slow"]:
            settings = ", ".join(f"{k}={v}" for k, v in report["settings"].items())
            log.warning(
                "worker %s runs with %s and innosim could not tune its allocator: runs there take 2-3 times "
                "as long. Start the worker without it (for Dask's nanny: distributed.nanny.pre-spawn-environ) "
                "or unset INNOSIM_MALLOC there (docs/cluster.md)",
                address,
                settings,
            )
    profiled = sorted(
        address for address, report in reports.items() if report["dask"]["distributed.worker.profile.enabled"]
    )
    if profiled:
        log.warning(
            "%d of %d workers (%s) run Dask's statistical profiler, which interrupts each run every 10 ms: runs "
            "there took 8-20%% longer in innosim's benchmark. Start the workers with %s (docs/cluster.md)",
            len(profiled),
            len(reports),
            ", ".join(profiled[:3]) + (", ..." if len(profiled) > 3 else ""),
            " ".join(f"{k}={v}" for k, v in environment(WORKER_CONFIG).items()),
        )
