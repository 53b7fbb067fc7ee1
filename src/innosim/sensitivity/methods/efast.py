"""Extended FAST (Saltelli, Tarantola & Chan 1999): first-order and total indices with SALib.

SALib estimates eFAST's confidence intervals by bootstrap, which it warns is unreliable
for this method (SALib issue #649): treat ``S1_conf`` and ``ST_conf`` as indicative.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from innosim.sensitivity.methods.base import Method, Settings


class EFast(Method):
    name = "efast"
    label = "eFAST (extended Fourier amplitude sensitivity test)"
    main = "ST"
    indices = ("S1", "S1_conf", "ST", "ST_conf")

    def runs(self, settings: Settings, factors: int) -> int:
        return settings.samples * factors

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        least = 4 * settings.interference**2 + 1
        if settings.samples < least:
            return (
                "samples",
                f"eFAST needs more than 4·M² = {least - 1} samples per factor with interference "
                f"M = {settings.interference} (got {settings.samples})",
            )
        return None

    def sample(self, problem: dict[str, Any], settings: Settings) -> np.ndarray:
        from SALib.sample import fast_sampler as sample

        return sample.sample(problem, settings.samples, M=settings.interference, seed=settings.seed)

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        from SALib.analyze import fast as analyze

        return analyze.analyze(
            problem,
            Y,
            M=settings.interference,
            num_resamples=settings.resamples,
            conf_level=settings.conf_level,
            seed=settings.seed,
        )


EFAST = EFast()
