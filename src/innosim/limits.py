"""Limits on the size of a job, checked before any work.

A job beyond a limit is refused with its estimated runs, time and output size, and the
option that allows it (``max_runs``: ``--max-runs`` on the command line, ``max_runs =`` in an
experiment file). The defaults keep memory bounded and the wait reasonable:

- ``run`` and ``compare`` hold every run's indicators in memory (about 40 kB a run for
  2016-2025): at most :data:`MAX_RUNS_IN_MEMORY` runs;
- sweeps and sensitivity analyses stream their runs to disk, but hold the design (points,
  or the SALib sample) in memory: at most :data:`MAX_RUNS` runs.
"""

from __future__ import annotations

import datetime as _dt

from innosim.errors import InputError, option

MAX_RUNS_IN_MEMORY = 20_000
"""Default limit on the runs of ``run`` and ``compare`` (about 0.8 GB of indicators in memory)."""
MAX_RUNS = 1_000_000
"""Default limit on the runs of a sweep or sensitivity analysis (about 5 days on 2 cores at full size)."""
BYTES_PER_STORED_ROW = 10
"""Disk taken by one row (run, year, indicator) of a sweep's Parquet table: about 5 bytes measured on the
golden sweep; twice that for the parts and the joined table, which both exist while a job finishes."""
BYTES_PER_SAVED_RUN = 60_000
"""Disk taken by one run of ``run``/``compare --out`` (its CSV rows, about), for the room check."""
BYTES_PER_MEMORY_RUN = 40_000
"""Memory taken by one run of ``run``/``compare`` (its long-form rows in pandas), about."""


def check_runs(source: str, runs: int, limit: int, seconds_per_run: float, detail: str = "") -> None:
    """Refuse ``runs`` runs beyond ``limit``, naming the estimate and the option that allows it.

    Raises:
        InputError: the job is larger than the limit.
    """
    if runs <= limit:
        return
    eta = _dt.timedelta(seconds=round(runs * seconds_per_run))
    raise InputError(
        source,
        option("max_runs"),
        f"{detail}{runs:,} runs (about {eta} on one core) exceed the limit "
        f"of {limit:,}; raise {option('max_runs')} to allow them",
    )
