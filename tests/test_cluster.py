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
from innosim.cluster import WORKER_CONFIG, check_workers, environment, worker_report
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
        assert report["dask"]["distributed.worker.profile.enabled"] is True  # these workers run Dask's defaults


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


def test_a_running_profiler_is_named_once_for_all_workers(caplog):
    mine = worker_report()
    profiled = {**mine, "dask": {**mine["dask"], "distributed.worker.profile.enabled": True}}
    quiet = {**mine, "dask": {**mine["dask"], "distributed.worker.profile.enabled": False}}
    reports = {f"tcp://w:{i}": profiled for i in range(5)} | {"tcp://w:9": quiet}
    with caplog.at_level(logging.WARNING, logger="innosim.cluster"):
        check_workers(reports, "tcp://s:8786")
    assert len(caplog.records) == 1
    assert "5 of 6 workers (tcp://w:0, tcp://w:1, tcp://w:2, ...)" in caplog.text
    assert "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="innosim.cluster"):
        check_workers({"tcp://w:9": quiet}, "tcp://s:8786")
    assert not caplog.records


def test_the_workers_environment_sets_innosims_worker_settings():
    """The variables docs/cluster.md gives a standing cluster's workers set :data:`WORKER_CONFIG` in Dask."""
    import dask

    with dask.config.set(dask.config.collect_env(environment(WORKER_CONFIG))):
        assert {key: dask.config.get(key) for key in WORKER_CONFIG} == WORKER_CONFIG
    docs = (Path(__file__).parents[1] / "docs" / "cluster.md").read_text(encoding="utf-8")
    for name, value in environment(WORKER_CONFIG).items():
        assert f"export {name}={value}\n" in docs  # the standing cluster's workers
        assert f"{{name: {name}, value: " in docs  # the Kubernetes resource's
