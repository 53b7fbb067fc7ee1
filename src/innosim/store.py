"""Results that are written as they come and survive a kill: a resumable run store.

Long jobs (sweeps, later sensitivity analyses) write their rows to Parquet part files
as runs finish, each part written to a temporary name and renamed, so a part on disk
is always whole. A job killed at any moment (even by SIGKILL) loses at most the runs
not yet written; ``resume`` reads which runs the parts hold and the job runs only the
others. When every run is stored the parts are joined, in run order and one part at a
time (memory stays flat), into one ``results.parquet``; the table is then exactly the
one an uninterrupted job writes.

A directory holds one job: ``manifest.json`` records its hash, and a job with another
hash is refused rather than mixed in.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from innosim.errors import InputError, option

MANIFEST = "manifest.json"
RESULTS = "results.parquet"
PARTS = "parts"


def _temporary(path: Path) -> str:
    """A new empty file beside ``path``, hidden, with the permissions a plain new file gets."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    return tmp


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write a file under a temporary name and rename it, so it is never seen half-written."""
    tmp = _temporary(path)
    with open(tmp, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


class RunStore:
    """A result directory for one job.

    Args:
        out: The directory (created if missing).
        manifest: What the job is; must hold ``hash``. Written to ``manifest.json``.
        outputs: Names of the other files the job writes there (removed by ``overwrite``).
        resume: Continue a stored job with the same hash.
        overwrite: Discard a stored job and start again.

    Raises:
        InputError: the directory holds a job and neither ``resume`` nor ``overwrite``
            was given, ``resume`` found another job or none, or ``out`` is a file.
    """

    def __init__(
        self,
        out: Path,
        manifest: dict[str, Any],
        outputs: tuple[str, ...] = (),
        resume: bool = False,
        overwrite: bool = False,
    ) -> None:
        self.out = Path(out)
        self.outputs = (MANIFEST, RESULTS, PARTS, *outputs)
        if self.out.exists() and not self.out.is_dir():
            raise InputError(self.out, option("out"), "exists and is not a directory")
        stored = self._stored_manifest()
        if stored is not None and overwrite:
            self._clear()
            stored = None
        if stored is None:
            if resume:
                raise InputError(self.out, option("resume"), "no stored job to resume here")
            if self.out.exists() and any(self.out.iterdir()):
                raise InputError(
                    self.out, option("out"), "is not empty and holds no innosim job; choose another directory"
                )
        elif not resume:
            raise InputError(
                self.out,
                option("out"),
                f"holds a stored job: add {option('resume', flag=True)} to "
                f"continue it or {option('overwrite', flag=True)} to start again",
            )
        elif stored.get("hash") != manifest["hash"]:
            raise InputError(
                self.out,
                option("resume"),
                f"the stored job (hash {stored.get('hash')}) is not this "
                f"one (hash {manifest['hash']}); use another "
                f"{option('out')} or {option('overwrite', flag=True)}",
            )
        self.manifest = {**(stored or {}), **manifest, "started": (stored or manifest).get("started")}
        self.out.mkdir(parents=True, exist_ok=True)
        if not self.complete:
            (self.out / PARTS).mkdir(exist_ok=True)
        for name in self.outputs:  # files half-written when the job was killed
            for tmp in [*self.out.glob(f".{name}.*"), *(self.out / PARTS).glob(".part-*")]:
                tmp.unlink()
        write_atomic(self.out / MANIFEST, json.dumps(self.manifest, ensure_ascii=False, indent=2))

    def _stored_manifest(self) -> dict[str, Any] | None:
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            raise InputError(
                path, "", f"unreadable manifest; use {option('overwrite', flag=True)} to start again"
            ) from None

    def _clear(self) -> None:
        for name in self.outputs:
            target = self.out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    @property
    def complete(self) -> bool:
        return (self.out / RESULTS).is_file()

    def _parts(self) -> list[Path]:
        return sorted((self.out / PARTS).glob("part-*.parquet")) if (self.out / PARTS).is_dir() else []

    def done(self) -> set[int]:
        """Runs already stored (column ``run``)."""
        if self.complete:
            return set(pq.read_table(self.out / RESULTS, columns=["run"])["run"].unique().to_pylist())
        runs: set[int] = set()
        for part in self._parts():
            runs.update(pq.read_table(part, columns=["run"])["run"].unique().to_pylist())
        return runs

    def append(self, table: pa.Table) -> None:
        """Store rows (which must include ``run``); named by their first run, so parts sort in run order."""
        first = int(np.min(table["run"].to_numpy()))
        buf = pa.BufferOutputStream()
        pq.write_table(table, buf)
        write_atomic(self.out / PARTS / f"part-{first:012d}.parquet", buf.getvalue().to_pybytes())

    def finish(self, **fields: Any) -> Path:
        """Join the parts into ``results.parquet`` in run order; record ``fields`` in the manifest."""
        if not self.complete:
            parts = self._parts()
            tmp = _temporary(self.out / RESULTS)
            writer = None
            for part in parts:
                table = pq.read_table(part)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            if writer is None:
                raise RuntimeError(f"no results stored in {self.out}")
            writer.close()
            os.replace(tmp, self.out / RESULTS)
        shutil.rmtree(self.out / PARTS, ignore_errors=True)
        self.manifest.update(fields)
        write_atomic(self.out / MANIFEST, json.dumps(self.manifest, ensure_ascii=False, indent=2))
        return self.out / RESULTS

    def batches(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The stored results, a batch at a time, in run order."""
        yield from pq.ParquetFile(self.out / RESULTS).iter_batches(columns=columns)
