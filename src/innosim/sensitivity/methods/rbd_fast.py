"""RBD-FAST (Tarantola et al. 2006; Plischke 2010): first-order indices from a Latin hypercube."""

from __future__ import annotations

from SALib.analyze import rbd_fast as analyze
from SALib.sample import latin as sample

from innosim.sensitivity.methods.base import Method


class RbdFast(Method):
    name = "rbd_fast"
    label = "RBD-FAST (random balance designs)"
    main = "S1"
    indices = ("S1", "S1_conf")

    def runs(self, settings, factors):
        return settings.samples

    def check(self, settings, factors):
        if settings.samples <= 2 * settings.harmonics:
            return "samples", (f"RBD-FAST needs more than 2·M = {2 * settings.harmonics} samples with M = {settings.harmonics} "
                    f"harmonics (got {settings.samples})")
        return None

    def sample(self, problem, settings):
        return sample.sample(problem, settings.samples, seed=settings.seed)

    def _analyze(self, problem, X, Y, settings):
        return analyze.analyze(problem, X, Y, M=settings.harmonics, num_resamples=settings.resamples,
                               conf_level=settings.conf_level, seed=settings.seed)


RBD_FAST = RbdFast()
