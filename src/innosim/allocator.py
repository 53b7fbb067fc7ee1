"""The memory allocator of a process that runs simulations: as fast in a Dask worker as anywhere.

A run allocates arrays of a few hundred kB many times a step (one float per firm: 35,000
rows at full size) and frees them soon after. glibc's malloc serves such blocks from the
heap once it has seen one freed: its threshold for mapping a block from the operating system
rises with the blocks freed (up to 32 MiB), and it keeps the top of the heap for reuse. Any
explicit allocator setting switches that adaptation off, and Dask's nanny sets one for every
worker it starts (``MALLOC_TRIM_THRESHOLD_=65536``, ``distributed.nanny.pre-spawn-environ``):
every such array is then mapped and unmapped, and faulted in page by page, and a full-size
run takes 2-3 times as long (0.30 s against 0.69-0.88 s on the reference machine,
``benchmarks/bench_scaling.py``).

:func:`tune` restores what glibc's adaptation would have reached: blocks up to
:data:`MMAP_THRESHOLD` come from the heap, and :data:`TOP_PAD` of free memory stays at its
top instead of going back to the system after each step. A model calls it once per process
(:class:`~innosim.model.model.InnovationModel`), so runs do not depend on how the process
was started. Memory held beyond the run's own is at most :data:`TOP_PAD`; Dask's memory
monitor still sees it as the worker's. Elsewhere than glibc (macOS, musl) the environment
variables have no effect and nothing is changed. ``INNOSIM_MALLOC=system`` leaves the
process's settings as they are (for a worker that must hand memory back at once).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from dataclasses import dataclass

MMAP_THRESHOLD = 32 * 2**20
"""Bytes: blocks below are served from the heap (glibc's own upper bound for its adaptive threshold on 64-bit)."""
TOP_PAD = 64 * 2**20
"""Bytes of free memory kept at the top of the heap: more than a step's temporary arrays at full size."""
ALLOCATOR_VARIABLES = (
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_MMAP_MAX_",
)
"""glibc's environment variables that switch its adaptive thresholds off (as ``GLIBC_TUNABLES`` with glibc.malloc)."""
OPT_OUT = "INNOSIM_MALLOC"
"""Environment variable: ``system`` keeps the process's own allocator settings."""
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3


@dataclass(frozen=True)
class AllocatorState:
    """What :func:`tune` found and did in one process.

    Attributes:
        glibc: Whether the process runs on glibc's malloc (the settings below matter only there).
        tuned: Whether the thresholds were set (False off glibc, with ``INNOSIM_MALLOC=system``,
            or where ``mallopt`` refused).
        settings: The allocator's environment variables set in the process, by name.
    """

    glibc: bool
    tuned: bool
    settings: dict[str, str]

    @property
    def slow(self) -> bool:
        """Whether runs in this process are slowed by its allocator settings: set on glibc, not tuned."""
        return self.glibc and bool(self.settings) and not self.tuned


_state: AllocatorState | None = None


def _settings() -> dict[str, str]:
    found = {name: os.environ[name] for name in ALLOCATOR_VARIABLES if name in os.environ}
    if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
        found["GLIBC_TUNABLES"] = os.environ["GLIBC_TUNABLES"]
    return found


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 (only glibc has it)
    except (OSError, AttributeError):
        return None
    return libc


def tune() -> AllocatorState:
    """Set this process's malloc thresholds for simulations, once; later calls return the same state."""
    global _state
    if _state is None:
        libc = _libc()
        tuned = (
            libc is not None
            and os.environ.get(OPT_OUT) != "system"
            and all(
                libc.mallopt(option, value) == 1
                for option, value in ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TOP_PAD, TOP_PAD))
            )
        )
        _state = AllocatorState(glibc=libc is not None, tuned=tuned, settings=_settings())
    return _state
