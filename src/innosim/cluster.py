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
    ctx.set_forkserver_preload(list(preload))  # no effect once the server runs
    return ctx


def prestart(preload: tuple[str, ...] = PRELOAD) -> None:
    """Start the fork server now, so that it imports ``preload`` while this process goes on (the
    CLI calls it when it parses ``--workers`` and ``--scheduler``; a pool started later finds it ready)."""
    if context(preload).get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


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
LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    "distributed.scheduler.worker-saturation": WORKER_SATURATION,
    "distributed.worker.profile.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
}
"""Dask settings of the ``LocalCluster`` innosim starts. Its scheduler and nannies live in the
calling process, on the cores the workers use: Dask's defaults (a statistical profiler sampling
every 10 ms, memory checks every 100 ms, system checks every 500 ms, an event-loop tick every
20 ms) took 0.24-0.30 s of this process's CPU over 40 full-size runs on 2 workers, and the runs
took 9-10% longer than on the process pool; with these, 0.11 s (measured 2026-12-06; the job's
speed-up is in docs/cluster.md, from ``benchmarks/bench_scaling.py``). A worker's memory is still
checked every second; a run needs about 0.3 GB."""


def worker_report() -> dict[str, Any]:
    """In a Dask worker: its installation (:func:`innosim.provenance.installation`) and its
    allocator, tuned for simulations (:func:`innosim.allocator.tune`)."""
    from innosim import allocator
    from innosim.provenance import installation

    state = allocator.tune()
    return {"installation": installation(), "slow": state.slow, "settings": state.settings}


def check_workers(reports: dict[str, dict[str, Any]], scheduler: str) -> None:
    """Refuse a cluster whose workers would give other results than this process, and warn of
    workers whose allocator settings slow innosim down (:mod:`innosim.allocator`).

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
