"""PAWN (Pianosi & Wagener 2015, 2018): moment-independent indices from a Latin hypercube.

Each index summarises, over ``slices`` conditioning intervals of the factor, the
Kolmogorov-Smirnov distance between the conditional and the unconditional output
distribution. SALib gives no confidence interval for PAWN.
"""

from __future__ import annotations

from SALib.analyze import pawn as analyze
from SALib.sample import latin as sample

from innosim.sensitivity.methods.base import Method


class Pawn(Method):
    name = "pawn"
    label = "PAWN (density-based)"
    main = "median"
    indices = ("minimum", "mean", "median", "maximum", "CV")

    def runs(self, settings, factors):
        return settings.samples

    def check(self, settings, factors):
        if settings.samples < 10 * settings.slices:
            return "samples", (f"PAWN needs at least 10 samples per slice: {10 * settings.slices} with {settings.slices} slices "
                    f"(got {settings.samples})")
        return None

    def sample(self, problem, settings):
        return sample.sample(problem, settings.samples, seed=settings.seed)

    def _analyze(self, problem, X, Y, settings):
        return analyze.analyze(problem, X, Y, S=settings.slices, seed=settings.seed)


PAWN = Pawn()
