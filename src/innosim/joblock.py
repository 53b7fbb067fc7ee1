"""One job per directory: an operating-system lock held for the job's life.

A job holds an exclusive ``flock`` on ``.innosim.lock`` in its result directory. A second
job on the same directory is refused with the holder named (PID, host, start time, written
into the file). The kernel releases the lock when the process ends, however it ends (even
SIGKILL), so a lock left by a killed job is stale and simply taken over. File locks on network
file systems may not be enforced across hosts: give each host its own directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from innosim.errors import InputError, option
from innosim.provenance import now

LOCK = ".innosim.lock"
"""The lock file of a result directory (kept; while a job runs its content names the holder)."""

log = logging.getLogger(__name__)


def lock_directory(folder: Path) -> JobLock:
    """Create ``folder`` if needed and lock it. The lock's ``created`` says whether this call
    created the directory (decided by the ``mkdir`` itself, so two jobs started together cannot
    both believe they did). If the lock cannot be had, a directory this created is removed again
    only while empty: a refusal means another job holds the lock, and its lock file is in the
    directory, which is that job's to keep.

    Raises:
        InputError: the directory cannot be created, or another job holds it.
    """
    try:
        folder.mkdir(parents=True)
        created = True
    except FileExistsError:
        created = False
    except OSError as exc:
        raise InputError(folder, option("out"), f"cannot be created ({exc.strerror})") from None
    try:
        lock = JobLock(folder)
    except InputError:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    lock.created = created
    return lock


class JobLock:
    """An exclusive operating-system lock on a result directory, held until :meth:`release`.

    Raises:
        InputError: another process holds the lock (its PID, host and start time are named).
    """

    created = False
    """Whether :func:`lock_directory` created the directory."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK
        try:
            self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(folder, option("out"), f"cannot be written ({exc.strerror})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            os.close(self._fd)
            self._fd = None
            who = (
                f"PID {holder.get('pid', '?')} on {holder.get('host', '?')}, started {holder.get('started', '?')}"
                if holder
                else "another process"
            )
            raise InputError(
                folder,
                option("out"),
                f"is in use by another innosim job ({who}); wait for it to "
                f"finish or stop it, or use another {option('out')}",
            ) from None
        stale = self._holder()
        if stale:
            log.info(
                "%s: taking over the lock of job PID %s, which ended without releasing it", folder, stale.get("pid")
            )
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": now()})
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, info.encode(), 0)

    def _holder(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
            holder = json.loads(text) if text.strip() else {}
            return holder if isinstance(holder, dict) else {}
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            return {}

    def release(self) -> None:
        """Release the lock (the file stays, emptied, for the next job)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
