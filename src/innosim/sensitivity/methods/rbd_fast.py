"""RBD-FAST (Tarantola et al. 2006; Plischke 2010): first-order indices from a Latin hypercube."""

from __future__ import annotations

from typing import Any

import numpy as np

from innosim.sensitivity.methods.base import LatinMethod, Settings


class RbdFast(LatinMethod):
    name = "rbd_fast"
    label = "RBD-FAST (random balance designs)"
    main = "S1"
    indices = ("S1", "S1_conf")

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        m = settings.harmonics
        if settings.samples <= 2 * m:
            return (
                "samples",
                f"RBD-FAST needs more than 2·M = {2 * m} samples with M = {m} harmonics (got {settings.samples})",
            )
        return None

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        from SALib.analyze import rbd_fast as analyze

        return analyze.analyze(
            problem,
            X,
            Y,
            M=settings.harmonics,
            num_resamples=settings.resamples,
            conf_level=settings.conf_level,
            seed=settings.seed,
        )


RBD_FAST = RbdFast()
