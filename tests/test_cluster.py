"""innosim on a tcp Dask cluster whose scheduler and workers are separate processes, as on
separate machines: the same results as in one process, even when a worker dies mid-run; the
workers' installation and allocator are checked (docs/cluster.md)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from innosim import default_scenario, simulate
from innosim.cluster import check_workers, worker_report
from innosim.errors import InputError
from innosim.executor import DaskExecutor

distributed = pytest.importorskip("distributed")
DASK = str(Path(sys.executable).with_name("dask"))
SMALL = default_scenario().with_overrides({"scale": 0.1})


def _start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([DASK, *args, "--no-dashboard", "--host", "127.0.0.1"], stderr=subprocess.DEVNULL)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two single-threaded workers without nannies (a killed worker stays dead)."""
    file = str(tmp_path / "scheduler.json")
    procs = [_start("scheduler", "--port", "0", "--scheduler-file", file)]
    workers = [_start("worker", "--scheduler-file", file, "--nthreads", "1", "--no-nanny") for _ in range(2)]
    try:
        deadline = time.time() + 60
        while not Path(file).exists() and time.time() < deadline:
            time.sleep(0.1)
        with distributed.Client(scheduler_file=file, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address, workers
    finally:
        for p in workers + procs:
            p.kill()
            p.wait(timeout=30)


def test_a_worker_killed_mid_run_changes_nothing(cluster):
    """One worker is killed (SIGKILL) while it runs a batch; its tasks run again on the other,
    and the table is identical to a serial run's."""
    address, workers = cluster
    killed: list[int] = []
    with distributed.Client(address, timeout="30s") as watcher:
        pids = watcher.run(os.getpid)

        def kill_a_busy_worker(done: int) -> None:
            if killed:
                return
            busy = [w for w, tasks in watcher.processing().items() if tasks]
            if busy:  # a worker that has a batch now: killing it loses that batch
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])

        table = simulate(SMALL, seed=5, replicates=24, scheduler=address, progress=kill_a_busy_worker)
    assert killed and killed[0] in {p.pid for p in workers}
    assert next(p for p in workers if p.pid == killed[0]).wait(timeout=10) == -signal.SIGKILL
    pd.testing.assert_frame_equal(table, simulate(SMALL, seed=5, replicates=24, workers=1))


def test_workers_report_their_installation_and_allocator(cluster):
    address, _ = cluster
    with DaskExecutor(address) as ex:
        reports = ex._client.run(worker_report)
    assert len(reports) == 2
    for report in reports.values():
        assert report["installation"]["innosim"] and report["installation"]["data"]
        assert report["slow"] is False  # tuned (innosim.allocator), whatever the worker's environment


def test_a_worker_of_another_installation_is_refused():
    mine = worker_report()
    other = {**mine, "installation": {**mine["installation"], "numpy": "0.0.1"}}
    with pytest.raises(InputError, match=r"worker tcp://w:1 runs another installation: numpy 0\.0\.1"):
        check_workers({"tcp://w:1": other}, "tcp://s:8786")


def test_a_slow_allocator_is_named(caplog):
    report = {**worker_report(), "slow": True, "settings": {"MALLOC_TRIM_THRESHOLD_": "65536"}}
    with caplog.at_level(logging.WARNING, logger="innosim.cluster"):
        check_workers({"tcp://w:1": report}, "tcp://s:8786")
    assert "MALLOC_TRIM_THRESHOLD_=65536" in caplog.text and "tcp://w:1" in caplog.text
