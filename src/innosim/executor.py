"""Executors: one small interface for running many independent tasks.

Every command that runs many simulations (``run``, ``calibrate``, and the sweeps and
sensitivity analyses built on them) maps a top-level function over a list of task
arguments through an :class:`Executor`. Results come back **in task order**,
whatever finishes first, so seeding by task index gives bit-identical results on
any executor and any number of workers.

- :class:`SerialExecutor` runs tasks in this process.
- :class:`ProcessExecutor` runs them in a pool of processes forked from a fork server
  that has imported the model (:func:`innosim.cluster.context`); each takes tasks in batches.
- :class:`DaskExecutor` runs them on a Dask distributed cluster, for users who outgrow
  one machine (``--scheduler tcp://HOST:PORT``), or on a ``LocalCluster`` it starts
  (``--scheduler local``). Needs the ``dask`` extra.

:func:`get_executor` turns the CLI's ``--workers`` and ``--scheduler`` into one of them.

Batches: a worker takes about a quarter of its share of the tasks at a time, but at
least :data:`MIN_BATCH_SECONDS` of work (when the caller says how long a task takes)
so that hand-out costs stay small, and at most :data:`MAX_BATCH_SECONDS`, so results
flow back; towards the end batches shrink (guided self-scheduling, :func:`_batches`) so
that workers finish together. Tasks are read lazily and only a few batches
per worker are in flight, so a sweep of a million runs needs no more memory than one
of a hundred.
"""

from __future__ import annotations

import itertools
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, Self

from innosim.cluster import (
    DASK_PRELOAD,
    LOCAL_CLUSTER_CONFIG,
    check_workers,
    context,
    die_with_parent,
    prestart,
    worker_report,
)
from innosim.errors import InputError, option

MIN_BATCH_SECONDS = 0.25
"""Least work handed to a worker at a time, when the task cost is known."""
MAX_BATCH_SECONDS = 30.0
"""Most work handed to a worker at a time, when the task cost is known."""
IN_FLIGHT = 2
"""Batches queued per worker: one running, one waiting."""
POOL_STARTUP_SECONDS = 1.0
"""Time to start a pool of worker processes: the fork server's import of the model (:func:`innosim.cluster.context`).
Measured at 0.7 s on the 2-core reference machine (``innosim.simulate`` of 4 and 8 full-size runs on
2 workers against 1, 2026-12-06; it was 3 s when every worker was spawned and imported the model
itself), rounded up so that a job near the break-even point stays here. With ``workers=0`` a job
whose estimated work is below what the pool would save runs in this process (:func:`get_executor`)."""


class Executor(Protocol):
    """Maps a picklable top-level function over task arguments, in order."""

    workers: int

    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        progress: Callable[[int], None] | None = None,
        total: int | None = None,
        seconds: float | None = None,
    ) -> Iterator[Any]:
        """Yield ``fn(task)`` for each task, in task order.

        Args:
            fn: A picklable top-level function.
            tasks: Task arguments; read lazily if ``total`` is given.
            progress: Called with the number of results yielded so far.
            total: Number of tasks (default: ``len(tasks)``).
            seconds: Estimated run time of one task, to size the batches.
        """
        ...  # pragma: no cover

    def close(self) -> None:
        """Release workers."""
        ...  # pragma: no cover


def chunk_size(tasks: int, workers: int, cap: int | None = None, seconds: float | None = None) -> int:
    """Tasks per hand-out: about four batches per worker, at least one.

    Args:
        tasks: Number of tasks.
        workers: Number of workers.
        cap: At most this many tasks per batch.
        seconds: Estimated time of one task: batches then take at least
            :data:`MIN_BATCH_SECONDS` and at most :data:`MAX_BATCH_SECONDS`, and no
            worker is left without a batch.
    """
    size = tasks // (4 * workers)
    if seconds:
        size = min(size, int(MAX_BATCH_SECONDS / seconds))
        size = max(size, math.ceil(MIN_BATCH_SECONDS / seconds))
        size = min(size, math.ceil(tasks / workers))
    return max(1, min(size, cap) if cap else size)


def _batches(tasks: Iterable[Any], total: int, size: int, least: int, workers: int) -> Iterator[list[Any]]:
    """Batches of ``total`` tasks: ``size`` at a time, then fewer towards the end, down to ``least``.

    Guided self-scheduling (Polychronopoulos & Kuck 1987): a batch takes no more than the remaining
    tasks over the batches in flight, so the last batches are small and the workers finish
    together instead of one waiting on another's last full batch.
    """
    it = iter(tasks)
    remaining = total
    while batch := list(itertools.islice(it, min(size, max(least, math.ceil(remaining / (IN_FLIGHT * workers)))))):
        remaining -= len(batch)
        yield batch


def _run_chunk(args: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    fn, chunk = args
    return [fn(task) for task in chunk]


def _in_order(
    submit: Callable[[Any], Any],
    fn: Callable[[Any], Any],
    batches: Iterator[list[Any]],
    window: int,
    progress: Callable[[int], None] | None,
) -> Iterator[Any]:
    """Submit batches (``submit(args)`` returns a future), at most ``window`` in flight; yield in order."""
    pending: deque[Any] = deque()
    done = 0
    while True:
        while len(pending) < window and (batch := next(batches, None)) is not None:
            pending.append(submit((fn, batch)))
        if not pending:
            return
        for result in pending.popleft().result():
            done += 1
            yield result
            if progress:
                progress(done)


def _count(tasks: Iterable[Any], total: int | None) -> tuple[Iterable[Any], int]:
    if total is not None:
        return tasks, total
    tasks = tasks if isinstance(tasks, Sequence) else list(tasks)
    return tasks, len(tasks)


class _Closing:
    """``with executor: ...`` closes it; leaving on an exception (Ctrl-C, SIGTERM, a failed write)
    aborts it instead, so that the job stops at once, not when the runs in flight end."""

    def close(self) -> None:
        pass

    def abort(self) -> None:
        """Stop at once, dropping what is running: the caller stores nothing more."""
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class SerialExecutor(_Closing):
    """Runs every task in this process."""

    workers = 1

    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        progress: Callable[[int], None] | None = None,
        total: int | None = None,
        seconds: float | None = None,
    ) -> Iterator[Any]:
        """Yield ``fn(task)`` for each task, in task order (see :class:`Executor`)."""
        for done, task in enumerate(tasks, 1):
            yield fn(task)
            if progress:
                progress(done)


class _Batched(_Closing):
    """An executor that hands batches of tasks to workers; subclasses say how a batch is submitted."""

    workers: int
    chunk: int | None

    def _submit(self, args: tuple[Callable[[Any], Any], list[Any]]) -> Any:
        """Submit ``_run_chunk(args)``; returns a future."""
        raise NotImplementedError

    def map(
        self,
        fn: Callable[[Any], Any],
        tasks: Iterable[Any],
        progress: Callable[[int], None] | None = None,
        total: int | None = None,
        seconds: float | None = None,
    ) -> Iterator[Any]:
        """Yield ``fn(task)`` for each task, in task order (see :class:`Executor`)."""
        tasks, total = _count(tasks, total)
        size = self.chunk or chunk_size(total, self.workers, seconds=seconds)
        least = self.chunk or (math.ceil(MIN_BATCH_SECONDS / seconds) if seconds else 1)
        batches = _batches(tasks, total, size, min(least, size), self.workers)
        yield from _in_order(self._submit, fn, batches, IN_FLIGHT * self.workers, progress)


class ProcessExecutor(_Batched):
    """A pool of ``workers`` spawned processes, kept for the executor's lifetime.

    Args:
        workers: Number of processes (at least 2 makes sense; 1 works).
        chunk: Tasks handed to a worker at a time; ``None``: see :func:`chunk_size`.
    """

    def __init__(self, workers: int, chunk: int | None = None) -> None:
        self.workers = workers
        self.chunk = chunk
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context(),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    def _submit(self, args: tuple[Callable[[Any], Any], list[Any]]) -> Any:
        return self._pool.submit(_run_chunk, args)

    def close(self) -> None:
        """Shut the pool down, cancelling what has not started."""
        self._pool.shutdown(cancel_futures=True)

    def abort(self) -> None:
        """Terminate the workers, then shut the pool down. :meth:`close` would wait for the batches
        that have started, up to :data:`MAX_BATCH_SECONDS` of runs whose results nobody reads."""
        workers = getattr(self._pool, "_processes", None) or {}  # Python 3.14 has terminate_workers()
        for process in list(workers.values()):
            process.terminate()
        self._pool.shutdown(cancel_futures=True)


class DaskExecutor(_Batched):
    """Tasks on a Dask distributed cluster, results in task order.

    Args:
        scheduler: ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded
            processes on this machine (forked from the fork server, as the pool's are);
            otherwise the address of a running scheduler (``tcp://HOST:PORT``), whose workers
            must have the same installation of innosim (:func:`check_workers`).
        workers: Worker processes of a local cluster (0 = one per core).
        chunk: Tasks sent to a worker at a time; ``None``: see :func:`chunk_size`.
    """

    def __init__(self, scheduler: str, workers: int = 0, chunk: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                option("scheduler"), scheduler, 'Dask is not installed: pip install "innosim[dask]"'
            ) from None
        self.chunk = chunk
        self._cluster = None
        if scheduler == "local":
            import dask

            prestart(DASK_PRELOAD)
            with dask.config.set(
                {"distributed.worker.multiprocessing-method": context().get_start_method(), **LOCAL_CLUSTER_CONFIG}
            ):
                self._cluster = LocalCluster(
                    n_workers=resolve_workers(workers), threads_per_worker=1, processes=True, dashboard_address=None
                )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(option("scheduler"), scheduler, f"cannot reach the Dask scheduler: {exc}") from None
        try:
            check_workers(self._client.run(worker_report), scheduler)
        except BaseException:
            self.close()
            raise
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def _submit(self, args: tuple[Callable[[Any], Any], list[Any]]) -> Any:
        return self._client.submit(_run_chunk, args, pure=False)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def resolve_workers(workers: int, tasks: int | None = None) -> int:
    """``0`` means one worker per core; never more workers than tasks."""
    n = (os.cpu_count() or 1) if workers == 0 else workers
    return max(1, min(n, tasks) if tasks is not None else n)


def worth_a_pool(workers: int, tasks: int, seconds: float) -> bool:
    """Whether ``tasks`` tasks of ``seconds`` each finish sooner on a pool of ``workers`` processes.

    Serially they take ``tasks * seconds``; on the pool, :data:`POOL_STARTUP_SECONDS` plus
    that over ``workers``.
    """
    total = tasks * seconds
    return workers > 1 and total > POOL_STARTUP_SECONDS + total / workers


def pool_size(workers: int, tasks: int, seconds: float | None = None) -> int:
    """The processes a job of ``tasks`` tasks runs on for ``--workers``: :func:`resolve_workers`, or
    1 when ``workers`` is 0 and the job is too small to pay for starting workers (:func:`worth_a_pool`)."""
    n = resolve_workers(workers, tasks)
    if workers == 0 and seconds is not None and not worth_a_pool(n, tasks, seconds):
        return 1
    return n


def get_executor(
    workers: int = 0, tasks: int | None = None, scheduler: str | None = None, seconds: float | None = None
) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor for ``--workers`` and ``--scheduler``.

    Args:
        workers: ``0`` = one per core (or this process, when ``tasks`` and ``seconds`` say
            the job is too small to pay for starting workers: :func:`worth_a_pool`),
            ``1`` = this process, ``n`` = ``n`` processes (of a local Dask cluster, with
            ``scheduler="local"``).
        tasks: Number of tasks, if known, to avoid starting idle workers.
        scheduler: ``None`` for this machine's processes, ``"local"`` for a Dask
            ``LocalCluster``, or a Dask scheduler's address.
        seconds: Estimated time of one task, if known.

    Raises:
        InputError: Dask is not installed, or the scheduler cannot be reached.
    """
    if scheduler:
        return DaskExecutor(scheduler, workers if workers else resolve_workers(0, tasks))
    n = resolve_workers(workers) if tasks is None else pool_size(workers, tasks, seconds)
    return SerialExecutor() if n == 1 else ProcessExecutor(n)


def run_tasks(
    fn: Callable[[Any], Any],
    tasks: Iterable[Any],
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
    seconds: float | None = None,
) -> list[Any]:
    """Run ``fn`` over ``tasks`` on a fresh executor; results in task order.

    ``seconds`` is the estimated time of one task (see :func:`chunk_size`).
    """
    tasks = list(tasks)
    with get_executor(workers, len(tasks), scheduler, seconds) as ex:
        return list(ex.map(fn, tasks, progress, seconds=seconds))
