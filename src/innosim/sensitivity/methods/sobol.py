"""Sobol' indices (Saltelli 2002; Saltelli et al. 2010) with SALib's Saltelli/Sobol sampler."""

from __future__ import annotations

from typing import Any

import numpy as np

from innosim.sensitivity.methods.base import Method, Settings


class Sobol(Method):
    name = "sobol"
    label = "Sobol' (variance-based)"
    main = "ST"
    groups = True
    indices = ("S1", "S1_conf", "ST", "ST_conf")

    def runs(self, settings: Settings, factors: int) -> int:
        return settings.samples * ((2 * factors + 2) if settings.second_order else (factors + 2))

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        n = settings.samples
        if n < 2 or n & (n - 1):
            lower = 1 << max(1, n.bit_length() - 1)
            return (
                "samples",
                f"Sobol needs a power of two of at least 2 base samples (got {n}; use {lower} or {lower * 2})",
            )
        return None

    def sample(self, problem: dict[str, Any], settings: Settings) -> np.ndarray:
        from SALib.sample import sobol as sample

        return sample.sample(problem, settings.samples, calc_second_order=settings.second_order, seed=settings.seed)

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        from SALib.analyze import sobol as analyze

        return analyze.analyze(
            problem,
            Y,
            calc_second_order=settings.second_order,
            num_resamples=settings.resamples,
            conf_level=settings.conf_level,
            seed=settings.seed,
        )


SOBOL = Sobol()
