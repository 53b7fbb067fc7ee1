"""Verified results: the stored runs of a job are exactly the runs of its design.

On every resume and before a job is marked finished (:class:`~innosim.store.RunStore`), and
when a finished directory is reopened or reported (:func:`check_finished`), the stored rows are
checked against the design (:class:`Expected`): each run once, with the expected number of rows,
and the point, replicate and seed the design gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from innosim.errors import InputError, option

RESULTS = "results.parquet"
"""The joined table of a finished job."""


@dataclass(frozen=True)
class Expected:
    """What a job's stored runs must be: run ``r`` is replicate ``r % replicates`` of point
    ``r // replicates``, with that replicate's seed, and ``rows`` rows."""

    runs: int
    replicates: int
    seeds: tuple[int, ...]
    rows: int

    def rowwise(self, table: pa.Table) -> str | None:
        """Why some row of ``table`` (columns run, point, replicate, seed) is not the design's; ``None`` if none."""
        run = table["run"].to_numpy()
        if len(run) and (run.min() < 0 or run.max() >= self.runs):
            return f"holds run {run.max() if run.max() >= self.runs else run.min()}, outside the design's {self.runs}"
        replicate = run % self.replicates
        if not (table["point"].to_numpy() == run // self.replicates).all():
            return "holds a run whose point is not the design's"
        if not (table["replicate"].to_numpy() == replicate).all():
            return "holds a run whose replicate is not the design's"
        seeds = np.array(self.seeds, dtype=np.uint64)[replicate]
        stored = table["seed"].to_numpy().astype(np.uint64)
        if not (stored == seeds).all():
            return f"holds run {int(run[np.argmax(stored != seeds)])} with another seed than the design's"
        return None

    def check(self, table: pa.Table, seen: set[int]) -> str | None:
        """Why ``table`` (a part) is not a set of whole, right runs, none of them in ``seen``; ``None`` if it is."""
        run = table["run"].to_numpy()
        if len(run) == 0:
            return "holds no rows"
        why = self.rowwise(table)
        if why:
            return why
        ids, counts = np.unique(run, return_counts=True)
        if (counts != self.rows).any():
            bad = int(np.argmax(counts != self.rows))
            return f"holds run {int(ids[bad])} with {int(counts[bad])} rows instead of {self.rows}"
        again = seen.intersection(ids.tolist())
        if again:
            return f"holds run {min(again)} that another part also holds"
        return None


CHECK_COLUMNS = ["run", "point", "replicate", "seed"]


def verify_results(path: Path, expected: Expected) -> str | None:
    """Why a finished ``results.parquet`` is not exactly the design's runs; ``None`` if it is.

    Reads four columns a batch at a time (memory stays flat); every row is checked, and the
    rows of every run counted.
    """
    counts = np.zeros(expected.runs, dtype=np.int64)
    try:
        for batch in pq.ParquetFile(path).iter_batches(columns=CHECK_COLUMNS):
            table = pa.Table.from_batches([batch])
            why = expected.rowwise(table)
            if why:
                return why
            counts += np.bincount(table["run"].to_numpy(), minlength=expected.runs)
    except (OSError, pa.ArrowException) as exc:
        return f"cannot be read as Parquet ({str(exc).splitlines()[0]})"
    if (counts == 0).any():
        return f"lacks {int((counts == 0).sum()):,} of the design's {expected.runs:,} runs"
    if (counts != expected.rows).any():
        bad = int(np.argmax(counts != expected.rows))
        return f"holds run {bad} with {int(counts[bad])} rows instead of {expected.rows}"
    return None


def expected_from(manifest: dict[str, Any]) -> Expected | None:
    """What the finished table of a sweep or sensitivity manifest must hold (``None`` for manifests
    written before they recorded it)."""
    try:
        return Expected(
            int(manifest["runs"]),
            int(manifest["replicates"]),
            tuple(int(s) for s in manifest["replicate_seeds"]),
            int(manifest["rows_per_run"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def check_finished(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse a finished sweep, sensitivity or optimisation directory whose ``results.parquet`` fails verification.

    Raises:
        InputError: the table is not exactly the design's runs (it is named and why).
    """
    expected = expected_from(manifest)
    if expected is not None and (folder / RESULTS).is_file():
        why = verify_results(folder / RESULTS, expected)
        if why:
            raise InputError(
                folder / RESULTS,
                "",
                f"fails verification: it {why}; its results cannot be trusted "
                f"(run the job again with {option('overwrite', flag=True)})",
            )
