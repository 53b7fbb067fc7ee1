"""Random streams: common random numbers across scenarios.

Every draw after the initial state comes from a generator keyed by (root, quarter,
process): two scenarios run with the same seed share their draws wherever their states
agree, so paired differences between scenarios are not drowned in noise. Draws that
belong to one firm (its growth shock, its exit) are counter-based: a hash of (root, the
firm's identity, quarter, process), so entries and exits elsewhere do not reshuffle them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

PROCESSES = (
    "calls",
    "talent",
    "rd",
    "knowledge",
    "production",
    "certification",
    "finance",
    "demography",
    "carriers",
    "network",
)
"""Processes of the schedule that draw random numbers, each from its own stream. The order
fixes the stream keys: append, never reorder."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class Streams:
    """The per-(quarter, process) generators of one model.

    Args:
        root: The root key, drawn once from the model's ``rng``.
        roots: Another root for some processes: their draws then change while every other
            process keeps its own (how :mod:`innosim.calibration.noise` attributes a run's noise
            to its sources). A process given ``root`` here draws exactly as without it.
    """

    def __init__(self, root: int, roots: Mapping[str, int] | None = None) -> None:
        unknown = set(roots or ()) - set(PROCESSES)
        if unknown:
            raise ValueError(
                f"no such random process: {', '.join(sorted(unknown))} (processes: {', '.join(PROCESSES)})"
            )
        self.root = root
        self._roots = {process: (roots or {}).get(process, root) for process in PROCESSES}
        self._step = -1
        self._generators: dict[str, np.random.Generator] = {}

    def get(self, process: str, step: int) -> np.random.Generator:
        """The generator of ``process`` in quarter ``step`` (0 is the initial state)."""
        if step != self._step:
            self._step, self._generators = step, {}
        gen = self._generators.get(process)
        if gen is None:
            seq = np.random.SeedSequence(self._roots[process], spawn_key=(step, PROCESSES.index(process)))
            gen = self._generators[process] = np.random.Generator(np.random.PCG64(seq))
        return gen

    def uniform(self, uid: np.ndarray, process: str, step: int) -> np.ndarray:
        """One uniform draw in (0, 1) per identity in ``uid``, keyed by (root, uid, step, process).

        A counter-based draw (SplitMix64 of the key): a firm gets the same number in two
        scenarios run with the same seed, whatever other firms exist.
        """
        root = self._roots[process]
        key = uid * _GOLDEN ^ np.uint64((root * 1_000_003 + step * 64 + PROCESSES.index(process)) % 2**64)
        z = key + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        return ((z >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
