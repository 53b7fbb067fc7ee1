"""PAWN (Pianosi & Wagener 2015, 2018): moment-independent indices from a Latin hypercube.

Each index summarises, over ``slices`` conditioning intervals of the factor, the
Kolmogorov-Smirnov distance between the conditional and the unconditional output
distribution. SALib gives no confidence interval for PAWN.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from innosim.sensitivity.methods.base import LatinMethod, Settings


class Pawn(LatinMethod):
    name = "pawn"
    label = "PAWN (density-based)"
    main = "median"
    indices = ("minimum", "mean", "median", "maximum", "CV")

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        s = settings.slices
        if settings.samples < 10 * s:
            return (
                "samples",
                f"PAWN needs at least 10 samples per slice: {10 * s} with {s} slices (got {settings.samples})",
            )
        return None

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        from SALib.analyze import pawn as analyze

        return analyze.analyze(problem, X, Y, S=settings.slices, seed=settings.seed)


PAWN = Pawn()
