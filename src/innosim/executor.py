"""Executors: one small interface for running many independent tasks.

Every command that runs many simulations (``run``, ``calibrate``, and the sweeps and
sensitivity analyses built on them) maps a top-level function over a list of task
arguments through an :class:`Executor`. Results come back **in task order**,
whatever finishes first, so seeding by task index gives bit-identical results on
any executor and any number of workers.

- :class:`SerialExecutor` runs tasks in this process.
- :class:`ProcessExecutor` runs them in a pool of ``spawn`` processes; each worker
  imports innosim once and takes tasks in chunks.
- :class:`DaskExecutor` runs them on a Dask distributed cluster, for users who outgrow
  one machine (``--scheduler tcp://HOST:PORT``), or on a ``LocalCluster`` it starts
  (``--scheduler local``). Needs the ``dask`` extra.

:func:`get_executor` turns the CLI's ``--workers`` and ``--scheduler`` into one of them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from innosim.errors import InputError


class Executor(Protocol):
    """Maps a picklable top-level function over task arguments, in order."""

    workers: int

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any],
            progress: Callable[[int], None] | None = None) -> Iterator[Any]:
        """Yield ``fn(task)`` for each task, in task order.

        ``progress`` is called with the number of results yielded so far.
        """
        ...  # pragma: no cover

    def close(self) -> None:
        """Release workers."""
        ...  # pragma: no cover


def chunk_size(tasks: int, workers: int, cap: int | None = None) -> int:
    """Tasks per hand-out: about four chunks per worker (at most ``cap``), at least one."""
    size = tasks // (4 * workers)
    return max(1, min(size, cap) if cap else size)


class _Closing:
    """``with executor: ...`` closes it."""

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(_Closing):
    """Runs every task in this process."""

    workers = 1

    def map(self, fn, tasks, progress=None):
        for done, task in enumerate(tasks, 1):
            yield fn(task)
            if progress:
                progress(done)


class ProcessExecutor(_Closing):
    """A pool of ``workers`` spawned processes, kept for the executor's lifetime.

    Args:
        workers: Number of processes (at least 2 makes sense; 1 works).
        chunk: Tasks handed to a worker at a time; ``None`` spreads the tasks in
            about four chunks per worker.
    """

    def __init__(self, workers: int, chunk: int | None = None) -> None:
        self.workers = workers
        self.chunk = chunk
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def map(self, fn, tasks, progress=None):
        tasks = list(tasks)
        chunk = self.chunk or chunk_size(len(tasks), self.workers)
        for done, result in enumerate(self._pool.map(fn, tasks, chunksize=chunk), 1):
            yield result
            if progress:
                progress(done)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def _run_chunk(args: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    fn, chunk = args
    return [fn(task) for task in chunk]


class DaskExecutor(_Closing):
    """Tasks on a Dask distributed cluster, results in task order.

    Args:
        scheduler: ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded
            processes on this machine; otherwise the address of a running scheduler
            (``tcp://HOST:PORT``), whose workers must have innosim installed.
        workers: Worker processes of a local cluster (0 = one per core).
        chunk: Tasks sent to a worker at a time; ``None`` spreads the tasks in about
            four chunks per worker.
    """

    def __init__(self, scheduler: str, workers: int = 0, chunk: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError("--scheduler", scheduler, 'Dask is not installed: pip install "innosim[dask]"') from None
        self.chunk = chunk
        self._cluster = None
        if scheduler == "local":
            self._cluster = LocalCluster(n_workers=resolve_workers(workers), threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError("--scheduler", scheduler, f"cannot reach the Dask scheduler: {exc}") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def map(self, fn, tasks, progress=None):
        tasks = list(tasks)
        size = self.chunk or chunk_size(len(tasks), self.workers)
        chunks = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        futures = self._client.map(_run_chunk, [(fn, c) for c in chunks], pure=False)
        done = 0
        for future in futures:
            for result in future.result():
                done += 1
                yield result
                if progress:
                    progress(done)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def resolve_workers(workers: int, tasks: int | None = None) -> int:
    """``0`` means one worker per core; never more workers than tasks."""
    n = (os.cpu_count() or 1) if workers == 0 else workers
    return max(1, min(n, tasks) if tasks is not None else n)


def get_executor(workers: int = 0, tasks: int | None = None, scheduler: str | None = None
                 ) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor for ``--workers`` and ``--scheduler``.

    Args:
        workers: ``0`` = one per core, ``1`` = this process, ``n`` = ``n`` processes
            (of a local Dask cluster, with ``scheduler="local"``).
        tasks: Number of tasks, if known, to avoid starting idle workers.
        scheduler: ``None`` for this machine's processes, ``"local"`` for a Dask
            ``LocalCluster``, or a Dask scheduler's address.

    Raises:
        InputError: Dask is not installed, or the scheduler cannot be reached.
    """
    if scheduler:
        return DaskExecutor(scheduler, workers if workers else resolve_workers(0, tasks))
    n = resolve_workers(workers, tasks)
    return SerialExecutor() if n == 1 else ProcessExecutor(n)


def run_tasks(fn: Callable[[Any], Any], tasks: Iterable[Any], workers: int = 0,
              progress: Callable[[int], None] | None = None, scheduler: str | None = None) -> list[Any]:
    """Run ``fn`` over ``tasks`` on a fresh executor; results in task order."""
    tasks = list(tasks)
    with get_executor(workers, len(tasks), scheduler) as ex:
        return list(ex.map(fn, tasks, progress))
