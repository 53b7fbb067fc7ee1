"""Results that are written as they come, survive a kill, and cannot be silently corrupted.

Long jobs (sweeps, sensitivity analyses) write their rows to Parquet part files as runs
finish, each part written to a temporary name and renamed, so a part on disk is always
whole. A job killed at any moment (even by SIGKILL) loses at most the runs not yet
written; ``resume`` runs only the others. When every run is stored the parts are joined,
in run order and one part at a time (memory stays flat), into one ``results.parquet``.

**One job per directory.** A job holds an operating-system lock on ``.innosim.lock`` in its
directory for its whole life (:class:`JobLock`); a second job on the same directory, with
or without ``resume`` or ``overwrite``, is refused with the holder named (PID, host, start
time). The kernel releases the lock when the process ends, however it ends, so a lock left
by a killed job is stale and taken over. (File locks on network file systems may not be
enforced across hosts: give each host its own directory.)

**Verified results.** On every resume and before a job is marked finished, the stored runs
are checked against the design (:class:`Expected`): each run once, with the expected rows,
and the point, replicate and seed the design gives it. A part that fails (rows removed, a
run from another seed, truncated or not Parquet) is named, removed and its runs are run
again; nothing is trusted unchecked. :func:`verify_results` checks a finished table.

**Overwrite that cannot destroy what it does not own.** ``overwrite`` removes only a job of
the same kind (by its manifest), after every other check, and says what it removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from innosim.errors import InputError, option
from innosim.files import os_error
from innosim.joblock import LOCK, lock_directory
from innosim.provenance import KIND_NAMES, MANIFEST
from innosim.verification import CHECK_COLUMNS, RESULTS, Expected, verify_results

PARTS = "parts"
STOPS = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop a job (Ctrl-C, and SIGTERM, which the CLI turns into Ctrl-C)."""

log = logging.getLogger(__name__)


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
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


MANIFEST_KEY = b"innosim.manifest"
UNITS_KEY = b"innosim.units"
"""Keys of the Parquet schema metadata of ``results.parquet``: the manifest, and each indicator's unit (JSON)."""


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM (which the CLI turns into Ctrl-C) until the block is done: a step
    that writes runs and then forgets them must do both or neither, or the clean-up that stores what
    is left writes the same runs twice. A signal that arrives meanwhile is noted and raised again, to
    the handler it would have met, as the block ends. Handlers live in the main thread: elsewhere the
    block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: caught.append(signum)) for s in STOPS}
    try:
        yield
    finally:
        for s, handler in previous.items():  # (None: a handler not set from Python; the default then)
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])


def annotated(schema: pa.Schema, manifest: dict[str, Any]) -> pa.Schema:
    """``schema`` with the manifest and every indicator's unit in its metadata (kept beside pandas' own)."""
    from innosim.indicators import INDICATORS

    units = {iid: ind.unit for iid, ind in INDICATORS.items()}
    return schema.with_metadata(
        {
            **(schema.metadata or {}),
            MANIFEST_KEY: json.dumps(manifest, ensure_ascii=False, default=str).encode(),
            UNITS_KEY: json.dumps(units, ensure_ascii=False).encode(),
        }
    )


def write_results(table: Any, path: Path, manifest: dict[str, Any]) -> None:
    """Write a long table of runs (pandas) to ``path`` as Parquet with :func:`annotated` metadata, atomically."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    strings = pa.schema([f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in arrow.schema])
    arrow = arrow.cast(strings).replace_schema_metadata(annotated(arrow.schema, manifest).metadata)
    tmp = _temporary(path)
    try:
        pq.write_table(arrow, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def describe_folder(folder: Path) -> str:
    """What a directory holds, in words: an innosim result of some kind, other files, or nothing."""
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            kind = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            return "a manifest.json that is not innosim's"
        return KIND_NAMES.get(kind, f"a result of unknown kind {kind!r}")
    if (folder / "comparison.json").is_file():
        return KIND_NAMES["comparison"]
    if folder.is_dir() and any(p.name != LOCK for p in folder.iterdir()):
        return "files that are not an innosim result"
    return "nothing"


def check_resume_or_overwrite(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse ``resume`` with ``overwrite``, before anything is removed: the one continues the job
    stored in ``out``, the other discards it (and ``resume`` would then find nothing to continue)."""
    if resume and overwrite:
        raise InputError(
            out,
            option("resume", flag=True),
            f"continues the stored job and {option('overwrite', flag=True)} discards it; give one of them",
        )


class RunStore:
    """A result directory for one job, locked for the job's life (use it as a context manager).

    Args:
        out: The directory (created if missing).
        manifest: What the job is; must hold ``kind`` and ``hash``. Written to ``manifest.json``.
        expected: What the stored runs must be.
        outputs: Names of the other files the job writes there (removed by ``overwrite``).
        resume: Continue a stored job with the same hash.
        overwrite: Discard a stored job of the same kind and start again.

    Raises:
        InputError: the directory is locked by another job; it holds a job and neither
            ``resume`` nor ``overwrite`` was given; ``resume`` found another job or none;
            ``overwrite`` found something that is not a job of this kind; it cannot be written.
    """

    def __init__(
        self,
        out: Path,
        manifest: dict[str, Any],
        expected: Expected,
        outputs: tuple[str, ...] = (),
        resume: bool = False,
        overwrite: bool = False,
    ) -> None:
        self.out = Path(out)
        check_resume_or_overwrite(self.out, resume, overwrite)
        self.expected = expected
        self.kind = manifest["kind"]
        self.outputs = (MANIFEST, RESULTS, PARTS, *outputs)
        if self.out.exists() and not self.out.is_dir():
            raise InputError(self.out, option("out"), "exists and is not a directory")
        self.lock = lock_directory(self.out)
        try:
            self._open(manifest, resume, overwrite)
        except BaseException:
            self.lock.release()
            if self.lock.created:
                shutil.rmtree(self.out, ignore_errors=True)
            raise

    def _open(self, manifest: dict[str, Any], resume: bool, overwrite: bool) -> None:
        stored = self._stored_manifest()
        if stored is not None and stored.get("kind") != self.kind:
            held = describe_folder(self.out)
            raise InputError(
                self.out,
                option("out"),
                f"holds {held}, not {KIND_NAMES[self.kind]}; "
                f"{'nothing was removed; ' if overwrite else ''}"
                f"choose another directory",
            )
        if stored is not None and overwrite:
            removed = self._clear()
            log.warning("%s: removed the stored %s job (%s)", self.out, self.kind, ", ".join(removed))
            stored = None
        if stored is None:
            held = describe_folder(self.out)
            if held != "nothing":
                raise InputError(
                    self.out,
                    option("out"),
                    f"holds {held}; choose another directory{' (nothing was removed)' if overwrite else ''}",
                )
            if resume:
                raise InputError(self.out, option("resume"), "no stored job to resume here")
        elif not resume:
            raise InputError(
                self.out,
                option("out"),
                f"holds a stored {self.kind} job: add "
                f"{option('resume', flag=True)} to continue it or "
                f"{option('overwrite', flag=True)} to start again",
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
        if self.complete:
            why = verify_results(self.out / RESULTS, self.expected)
            if why:
                raise InputError(
                    self.out / RESULTS,
                    "",
                    f"fails verification: it {why}; run the job again with {option('overwrite', flag=True)}",
                )
        else:
            (self.out / PARTS).mkdir(exist_ok=True)
        half_written = [p for name in self.outputs for p in self.out.glob(f".{name}.*")]  # left by a kill
        for tmp in [*half_written, *(self.out / PARTS).glob(".part-*")]:
            if tmp.is_file():
                tmp.unlink()
        write_atomic(self.out / MANIFEST, json.dumps(self.manifest, ensure_ascii=False, indent=2))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the directory's lock."""
        self.lock.release()

    def _stored_manifest(self) -> dict[str, Any] | None:
        path = self.out / MANIFEST
        if not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            doc = None
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
            raise InputError(
                path,
                "",
                "is not a manifest innosim wrote (damaged or changed by hand); move the "
                "directory aside or choose another one",
            )
        return doc

    def _clear(self) -> list[str]:
        removed = []
        for name in self.outputs:
            target = self.out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            else:
                continue
            removed.append(name)
        return removed

    @property
    def complete(self) -> bool:
        """Whether the job finished (its parts were joined into ``results.parquet``)."""
        return (self.out / RESULTS).is_file()

    def _parts(self) -> list[Path]:
        if not (self.out / PARTS).is_dir():
            return []
        return sorted((self.out / PARTS).glob("part-*.parquet"), key=lambda p: (int(p.name[5:17]), p.name))

    def done(self) -> set[int]:
        """The runs stored and verified; parts that fail verification are named and removed."""
        if self.complete:
            return set(range(self.expected.runs))
        runs: set[int] = set()
        for part in self._parts():
            try:
                table = pq.read_table(part, columns=CHECK_COLUMNS)
                why = self.expected.check(table, runs)
            except (OSError, pa.ArrowException) as exc:
                why = f"cannot be read as Parquet ({str(exc).splitlines()[0]})"
            if why:
                log.warning("%s %s: removed, its runs will run again", part, why)
                part.unlink()
                continue
            runs.update(np.unique(table["run"].to_numpy()).tolist())
        return runs

    def append(self, table: pa.Table) -> None:
        """Store whole runs, a contiguous range of run ids (the caller keeps them so), as a new part.

        Parts are named by their first run and a token unique to the writer, so they sort in run order.
        """
        first = int(np.min(table["run"].to_numpy()))
        buf = pa.BufferOutputStream()
        pq.write_table(table, buf)
        name = f"part-{first:012d}-{os.getpid()}-{uuid.uuid4().hex[:8]}.parquet"
        try:
            write_atomic(self.out / PARTS / name, buf.getvalue().to_pybytes())
        except OSError as exc:
            raise os_error(exc, self.out) from None

    def finish(self, **fields: Any) -> Path:
        """Verify the parts, join them into ``results.parquet`` in run order; record ``fields`` in the manifest.

        Raises:
            RuntimeError: runs are missing (the caller runs every run first).
        """
        if not self.complete:
            missing = self.expected.runs - len(self.done())
            if missing:
                raise RuntimeError(f"{missing} runs are missing in {self.out}; resume the job")
            parts = self._parts()
            tmp = _temporary(self.out / RESULTS)
            writer = None
            try:
                for part in parts:
                    table = pq.read_table(part)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, annotated(table.schema, {**self.manifest, **fields}))
                    writer.write_table(table)
                if writer is None:
                    raise RuntimeError(f"no results stored in {self.out}")
                writer.close()
                os.replace(tmp, self.out / RESULTS)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        shutil.rmtree(self.out / PARTS, ignore_errors=True)
        self.manifest.update(fields)
        write_atomic(self.out / MANIFEST, json.dumps(self.manifest, ensure_ascii=False, indent=2))
        return self.out / RESULTS

    def tables(self) -> Iterator[pa.Table]:
        """The stored runs as Arrow tables: the joined results, or each part (call :meth:`done` first,
        which removes the parts that fail verification)."""
        if self.complete:
            yield pq.read_table(self.out / RESULTS)
            return
        for part in self._parts():
            yield pq.read_table(part)

    def batches(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The stored results, a batch at a time, in run order."""
        yield from pq.ParquetFile(self.out / RESULTS).iter_batches(columns=columns)
