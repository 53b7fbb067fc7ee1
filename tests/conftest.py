"""Shared fixtures. Tests import the public API exactly as users do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``innosim ARGS`` as a user would (the console script of this interpreter's env)."""
    exe = Path(sys.executable).with_name("innosim")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, timeout=600)
