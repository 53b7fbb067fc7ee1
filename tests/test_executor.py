"""How executors hand out work and start workers (innosim.executor, innosim.allocator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from innosim import cluster
from innosim.allocator import ALLOCATOR_VARIABLES, OPT_OUT
from innosim.executor import POOL_STARTUP_SECONDS, ProcessExecutor, _batches, pool_size

REPORT = (
    "import json; from innosim import allocator; s = allocator.tune(); print(json.dumps([s.glibc, s.tuned, s.slow]))"
)


def test_batches_shrink_towards_the_end_and_keep_every_task_in_order():
    batches = list(_batches(range(40), 40, size=5, least=1, workers=2))
    assert [len(b) for b in batches] == [5, 5, 5, 5, 5, 4, 3, 2, 2, 1, 1, 1, 1]
    assert [t for b in batches for t in b] == list(range(40))
    # a floor of two tasks (half a second of work for tasks of a quarter second) holds to the end
    assert min(len(b) for b in list(_batches(range(40), 40, size=5, least=2, workers=2))[:-1]) == 2


def test_pool_results_in_task_order():
    with ProcessExecutor(2) as ex:
        assert list(ex.map(abs, range(-30, 0), seconds=0.001)) == list(range(30, 0, -1))


def test_an_interrupted_pool_stops_at_once():
    """Ctrl-C or SIGTERM (a ``KeyboardInterrupt``) in a job on the pool stops its workers at once,
    not when their batches end: here a minute of sleep each, against the 2026-12-07 defect where
    leaving the job waited for them."""
    ex = ProcessExecutor(2, chunk=1)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), ex:
        for _ in ex.map(time.sleep, [0.0, 60.0, 60.0, 60.0]):
            started = time.monotonic()  # the first task is done: the two workers have theirs
            raise KeyboardInterrupt
    assert time.monotonic() - started < 20
    assert ex._pool._processes is None  # shut down, every worker joined


def test_small_jobs_stay_in_this_process():
    """With ``--workers 0``, a pool only when its start-up pays: 1 s against the work saved."""
    assert pool_size(0, tasks=4, seconds=0.376) == 1  # 1.5 s of work: a pool would save 0.75 s
    assert pool_size(0, tasks=8, seconds=0.376) == 2  # 3 s: it saves 1.5 s, more than it costs
    assert POOL_STARTUP_SECONDS == 1.0


def _allocator_state(**env: str) -> list[bool]:
    """The allocator state of a fresh process with ``env`` and no other allocator setting (Dask, which
    earlier tests ran, may have set one in this process's environment)."""
    clean = {k: v for k, v in os.environ.items() if k not in (*ALLOCATOR_VARIABLES, "GLIBC_TUNABLES", OPT_OUT)}
    out = subprocess.run([sys.executable, "-c", REPORT], env={**clean, **env}, capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_the_allocator_is_tuned_whatever_dask_sets():
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_, which made runs 2-3 times slower: innosim sets the
    thresholds back (benchmarks/bench_scaling.py measures it), unless told to keep the process's own."""
    glibc, tuned, slow = _allocator_state(MALLOC_TRIM_THRESHOLD_="65536")
    if not glibc:
        pytest.skip("not glibc")
    assert tuned and not slow
    assert _allocator_state(MALLOC_TRIM_THRESHOLD_="65536", INNOSIM_MALLOC="system") == [True, False, True]
    assert _allocator_state(INNOSIM_MALLOC="system") == [True, False, False]  # no setting: nothing slow


@pytest.mark.parametrize(
    ("argv", "preload"),
    [
        (["run", "--workers", "2"], cluster.PRELOAD),
        (["sweep", "x.toml", "--workers=4"], cluster.PRELOAD),
        (["run", "--scheduler", "local", "--workers", "2"], cluster.DASK_PRELOAD),
        (["run", "--workers=0", "--scheduler=local"], cluster.DASK_PRELOAD),
        (["run", "--workers", "1"], None),  # this process
        (["run", "--workers", "1", "--scheduler", "local"], None),
        (["run", "--workers", "2", "--scheduler", "tcp://10.0.0.1:8786"], None),  # another machine's workers
        (["run", "--scheduler", "local"], None),  # the command's default decides, once parsed
        (["calibrate", "c.toml"], None),  # its file decides
        (["run", "--workers", "two"], None),  # the parser refuses it
        (["run", "--", "--workers", "2"], None),
    ],
)
def test_the_console_script_starts_local_workers_server_from_the_raw_command_line(monkeypatch, argv, preload):
    started: list[tuple[str, ...]] = []
    monkeypatch.setattr(cluster, "prestart", started.append)
    cluster.prestart_for_argv(argv)
    assert started == ([preload] if preload else [])


def test_the_options_callback_starts_the_server_once_the_command_line_is_parsed(monkeypatch):
    """In-process runs of the application (tests, notebooks) have no console script: the options'
    callback starts the server, through the same decision (:func:`innosim.cluster.prestart_for`)."""
    started: list[tuple[str, ...]] = []
    monkeypatch.setattr(cluster, "prestart", started.append)
    from typer.testing import CliRunner

    from innosim.cli import app

    CliRunner().invoke(app, ["run", "--workers", "2", "--scheduler", "local", "--replicates", "0"])
    assert started == [cluster.DASK_PRELOAD]


def _imported(module: str) -> bool:
    return module in sys.modules


FROZEN_AT_EXIT = (
    "import atexit, gc; start = gc.get_freeze_count(); "
    "atexit.register(lambda: print('frozen', gc.get_freeze_count() > start)); "
)
"""Prints, after the exit handlers registered later have run, whether :mod:`innosim.quickexit`'s ran
(an interpreter may start with objects frozen already)."""


def test_the_command_and_the_fork_server_exit_without_the_collectors_last_passes():
    """0.3 s of every command's exit, and the fork server's after it, which held a pipe of the
    command's output open (benchmarks/bench_startup.py); a user's program keeps Python's exit."""
    command = (
        FROZEN_AT_EXIT + "import sys; sys.argv = ['innosim', '--version']; from innosim.cli.console import main; main()"
    )
    library = FROZEN_AT_EXIT + "import innosim, innosim.simulation, innosim.executor, innosim.cluster"
    outputs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True) for code in (command, library)
    ]
    assert [out.stdout.splitlines()[-1] for out in outputs] == ["frozen True", "frozen False"]
    with ProcessExecutor(1) as ex:  # a worker forked from the server, which imported it
        assert list(ex.map(_imported, [cluster.SERVER_EXIT], seconds=0.001)) == [True]
