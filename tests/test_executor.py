"""How executors hand out work and start workers (innosim.executor, innosim.allocator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

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
