"""Shared fixtures. Tests import the public API exactly as users do."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
INNOSIM = Path(sys.executable).with_name("innosim")
"""The ``innosim`` console script of this interpreter's environment."""


HEAVY_FIRST = (
    "test_calibration.py",
    "test_sensitivity.py",
    "test_store.py",
    "test_sweep.py",
    "test_files.py",
    "test_cli.py",
    "test_design.py",
    "test_mechanisms.py",
    "test_report.py",
    "test_tables.py",
    "test_results.py",
    "test_browser.py",
)
"""Test files by their time on 2 processes (`--durations=0`, 2026-12-07: 360 s for the first, 47 s for the
last), run first. pytest-xdist's ``--dist loadfile`` (the README's command) hands whole files to its
processes in the order collected; with the longest first, the last files to run are short ones and
both processes finish together (longest-processing-time-first scheduling), instead of one running the
alphabet's heavy tail (sensitivity, store, sweep) while the other waits. Any other file keeps its place
after these."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heavy files first (:data:`HEAVY_FIRST`); the order within a file is unchanged (a stable sort)."""
    rank = {name: i for i, name in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY_FIRST)))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path | None = None, columns: int | None = None) -> subprocess.CompletedProcess:
    """Run ``innosim ARGS`` as a user would (the console script of this interpreter's env), in a
    terminal ``columns`` wide if given (tables wrap their names to fit it)."""
    env = {**os.environ, "COLUMNS": str(columns)} if columns else None
    return subprocess.run([str(INNOSIM), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def resume_printed(err: str) -> list[str]:
    """The command an interrupted job printed after "continue with: " on ``err``, split as a shell does."""
    return shlex.split(err.split("continue with: ")[1].strip())


def start_cli(*args: str) -> subprocess.Popen:
    """Start ``innosim ARGS`` in its own session, its output captured as text (``communicate()``)."""
    return subprocess.Popen(
        [str(INNOSIM), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def kill_cli_when(args: list[str], ready: Callable[[], bool], poll: float = 0.05) -> None:
    """Start ``innosim ARGS`` in its own process group and SIGKILL the group (the CLI and its
    workers) as soon as ``ready()`` is true; fail if the command finishes first."""
    proc = subprocess.Popen(
        [str(INNOSIM), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.time() + 300
        while time.time() < deadline and proc.poll() is None:
            try:
                if ready():
                    break
            except Exception:  # noqa: BLE001 - the files are being written; look again
                pass
            time.sleep(poll)
        assert proc.poll() is None, "finished before it could be killed; make the test job longer"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()


def assert_refused(args: list[str], source: Path, field: str, words: str, out: Path) -> None:
    """``innosim ARGS`` exits 2 with one message naming ``source`` and ``field``, says ``words``,
    prints no traceback, runs nothing and leaves no ``out`` behind."""
    r = run_cli(*args, "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert str(source) in r.stderr and field in r.stderr and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "runs" not in r.stderr
    assert not out.exists()
