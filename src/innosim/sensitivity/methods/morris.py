"""Morris elementary effects (Morris 1991; mu* of Campolongo et al. 2007) with SALib."""

from __future__ import annotations

from typing import Any

import numpy as np

from innosim.sensitivity.methods.base import Method, Settings


class Morris(Method):
    name = "morris"
    label = "Morris elementary effects"
    main = "mu_star"
    groups = True
    indices = ("mu", "mu_star", "mu_star_conf", "sigma")

    def runs(self, settings: Settings, factors: int) -> int:
        return (settings.trajectories or settings.samples) * (factors + 1)

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        if settings.samples < 2:
            return "samples", f"Morris needs at least 2 trajectories (got {settings.samples})"
        if settings.levels < 2 or settings.levels % 2:
            return "levels", f"Morris needs an even number of levels (got {settings.levels})"
        k = settings.trajectories
        if k is not None and not 2 <= k < settings.samples:
            return "trajectories", (
                f"optimal trajectories must be at least 2 and fewer than the {settings.samples} candidates (got {k})"
            )
        return None

    def sample(self, problem: dict[str, Any], settings: Settings) -> np.ndarray:
        from SALib.sample import morris as sample

        return sample.sample(
            problem,
            settings.samples,
            num_levels=settings.levels,
            optimal_trajectories=settings.trajectories,
            seed=settings.seed,
        )

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        from SALib.analyze import morris as analyze

        return analyze.analyze(
            problem,
            X,
            Y,
            num_resamples=settings.resamples,
            conf_level=settings.conf_level,
            num_levels=settings.levels,
            seed=settings.seed,
        )


MORRIS = Morris()
