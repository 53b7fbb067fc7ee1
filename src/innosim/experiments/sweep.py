"""Sweep files: a design of points over levers and parameters (``kind = "sweep"``).

Designs:

- ``grid``: the full factorial of every factor's values;
- ``oat``: one factor at a time: the base point, then each factor alone at each of its
  values, the others at the base scenario's values;
- ``lhs``: a Latin hypercube of ``samples`` points within the bounds (scipy.stats.qmc);
- ``sobol``: the first ``samples`` points (a power of two) of a scrambled Sobol
  sequence within the bounds (scipy.stats.qmc).

A factor is a dotted path with ``values`` (grid, oat) or ``lower``/``upper`` bounds
(``levels`` evenly spaced values for grid and oat; ``log = true`` spaces them, and
samples them, on a log scale). The factor ``scenario`` takes scenario files as values,
so whole interventions can be crossed with parameters (grid designs); results name
the scenario. Running a sweep is :func:`innosim.experiments.runner.sweep`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from innosim.errors import InputError, did_you_mean
from innosim.experiments.base import (
    SCENARIO_FACTOR,
    Experiment,
    ExperimentConfig,
    Strict,
    check_common,
    check_size,
    scenario_file,
)
from innosim.fields import numeric_fields
from innosim.posterior import field_bounds
from innosim.scenario import Scenario

_DESIGN_KEY = 0x64657369  # spawn key separating the design's random stream from the runs'


class Factor(Strict):
    """One varied input: a dotted path with its values or bounds."""

    path: str = Field(description='dotted path (policy.talent_card.budget, parameters.spillover) or "scenario"')
    values: list[float] | list[str] | None = Field(None, min_length=1, description="the values (grid, oat)")
    lower: float | None = None
    upper: float | None = None
    levels: int | None = Field(None, ge=2, le=10_000, description="evenly spaced values between the bounds (grid, oat)")
    log: bool = Field(False, description="space and sample on a log scale (needs lower > 0)")

    @model_validator(mode="after")
    def _one_way(self) -> Factor:
        bounded = self.lower is not None or self.upper is not None
        if self.values is not None and (bounded or self.levels is not None):
            raise ValueError("give either values, or lower and upper (and levels), not both")
        if self.values is None and not bounded:
            raise ValueError("give values, or lower and upper")
        if bounded:
            if self.lower is None or self.upper is None:
                raise ValueError("give both lower and upper")
            if not self.lower < self.upper:
                raise ValueError(f"lower bound {self.lower} must be below upper bound {self.upper}")
            if self.log and self.lower <= 0:
                raise ValueError("a log scale needs lower > 0")
        return self

    def grid(self) -> list[Any]:
        """The values of a grid or one-at-a-time design."""
        if self.values is not None:
            return list(self.values)
        lo, hi = self.bounds
        space = np.geomspace if self.log else np.linspace
        return [float(v) for v in space(lo, hi, int(self.levels or 2))]

    @property
    def bounds(self) -> tuple[float, float]:
        """``(lower, upper)`` of a bounded factor."""
        if self.lower is None or self.upper is None:
            raise ValueError(f"factor {self.path} has values, not bounds")
        return self.lower, self.upper

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) onto the bounds."""
        lo, hi = self.bounds
        if self.log:
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        return lo + u * (hi - lo)


class Design(Strict):
    """How points are chosen."""

    method: Literal["grid", "oat", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, ge=1, le=10_000_000, description="points of an lhs or sobol design")


class SweepConfig(ExperimentConfig):
    """A sweep file. ``base = "other.toml"`` starts from another file."""

    kind: Literal["sweep"] = "sweep"
    design: Design = Design()
    vary: list[Factor] = Field(min_length=1)


@dataclass(frozen=True)
class Sweep(Experiment):
    """A checked sweep (see :class:`~innosim.experiments.base.Experiment`)."""

    config_model = SweepConfig

    @property
    def design(self) -> str:
        """The design, for messages ("grid design")."""
        return f"{self.config.design.method} design"  # type: ignore[attr-defined]

    @classmethod
    def from_config(cls, config: Any, path: Path) -> Sweep:
        """Resolve and check a sweep config (:func:`check`)."""
        return check(config, path)


def _design_rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_DESIGN_KEY,))))


def design_size(config: SweepConfig) -> int:
    """The number of points of the design, computed without drawing them."""
    method = config.design.method
    if method in ("lhs", "sobol"):
        return config.design.samples or 0
    sizes = [len(f.values) if f.values is not None else f.levels or 0 for f in config.vary]
    return math.prod(sizes) if method == "grid" else 1 + sum(sizes)


def design_points(config: SweepConfig, base: Scenario) -> pd.DataFrame:
    """The design's points: one row per point, one column per factor, in run order."""
    factors = config.vary
    names = [f.path for f in factors]
    method = config.design.method
    if method == "grid":
        rows = list(itertools.product(*[f.grid() for f in factors]))
    elif method == "oat":
        start = [base.get(f.path) for f in factors]
        rows = [tuple(start)]
        for i, f in enumerate(factors):
            rows += [tuple(start[:i] + [v] + start[i + 1 :]) for v in f.grid() if v != start[i]]
    else:
        from scipy.stats import qmc  # imported here: scipy.stats costs half a second at CLI start

        d, n = len(factors), config.design.samples
        sampler = (
            qmc.LatinHypercube(d, rng=_design_rng(config.seed))
            if method == "lhs"
            else qmc.Sobol(d, scramble=True, rng=_design_rng(config.seed))
        )
        unit = sampler.random(n)
        rows = list(zip(*[f.from_unit(unit[:, j]) for j, f in enumerate(factors)]))
    points = pd.DataFrame(rows, columns=names)
    fields = numeric_fields(Scenario)
    for name in names:
        if name != SCENARIO_FACTOR and fields[name].annotation is int:
            points[name] = np.rint(points[name].astype(float)).astype(np.int64)
        elif name != SCENARIO_FACTOR:
            points[name] = points[name].astype(float)
    return points


def _check_factor(src: Path, i: int, f: Factor, method: str, seen: set[str]) -> None:
    where = f"vary.{i}"
    fields = numeric_fields(Scenario)
    if f.path in seen:
        raise InputError(src, f"{where}.path", f"{f.path!r} is varied twice")
    seen.add(f.path)
    if f.path == SCENARIO_FACTOR:
        if f.values is None or not all(isinstance(v, str) for v in f.values):
            raise InputError(src, where, "the scenario factor takes scenario files as values")
        if method != "grid":
            raise InputError(src, where, f"the scenario factor needs a grid design, not {method}")
        return
    if f.path not in fields:
        raise InputError(src, f"{where}.path", f"unknown parameter path {f.path!r}{did_you_mean(f.path, fields)}")
    if f.values is not None and not all(isinstance(v, (int, float)) for v in f.values):
        raise InputError(src, f"{where}.values", "values must be numbers")
    if method in ("lhs", "sobol") and f.lower is None:
        raise InputError(src, where, f"a {method} design samples between bounds: give lower and upper, not values")
    if method in ("grid", "oat") and f.values is None and f.levels is None:
        raise InputError(src, where, f"a {method} design needs values, or lower, upper and levels")
    if method in ("lhs", "sobol") and f.levels is not None:
        raise InputError(src, f"{where}.levels", f"levels are for grid and oat designs, not {method}")
    lo, hi = field_bounds(f.path)
    given: list[Any] = list(f.values) if f.values is not None else list(f.bounds)
    for v in given:
        if not lo <= v <= hi:
            raise InputError(src, where, f"value {v} outside the valid range [{lo}, {hi}] of {f.path}")
    if fields[f.path].annotation is int and f.values is not None and any(float(v) != int(v) for v in f.values):
        raise InputError(src, f"{where}.values", f"{f.path} is an integer parameter; give whole numbers")


def check(config: SweepConfig, path: Path) -> Sweep:
    """Resolve and check a parsed sweep against the scenario schema and the indicators.

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    method = config.design.method
    if method in ("lhs", "sobol") and config.design.samples is None:
        raise InputError(path, "design.samples", f"a {method} design needs the number of samples")
    if method in ("grid", "oat") and config.design.samples is not None:
        raise InputError(path, "design.samples", f"a {method} design takes no samples (its points are the values)")
    samples = config.design.samples or 0
    if method == "sobol" and samples & (samples - 1):
        raise InputError(
            path,
            "design.samples",
            f"a Sobol design needs a power of two (got {samples}; "
            f"use {1 << (samples.bit_length() - 1)} or {1 << samples.bit_length()})",
        )
    seen: set[str] = set()
    for i, f in enumerate(config.vary):
        _check_factor(path, i, f, method, seen)
    scenarios: dict[str, Scenario] = {}
    names: dict[str, str] = {}
    for i, f in enumerate(config.vary):
        refs = [str(v) for v in f.values or []] if f.path == SCENARIO_FACTOR else []
        for j, ref in enumerate(refs):
            scn = scenario_file(path, ref, f"vary.{i}.values.{j}")
            if scn.name in scenarios:
                raise InputError(path, f"vary.{i}.values.{j}", f"another scenario file is also named {scn.name!r}")
            scenarios[scn.name], names[ref] = scn, scn.name
    base, choice, indicators, years = check_common(config, path, scenarios)
    check_size(config, path, base, design_size(config), "points")
    points = design_points(config, base)
    if SCENARIO_FACTOR in points:
        points[SCENARIO_FACTOR] = points[SCENARIO_FACTOR].map(names)
    return Sweep(config, path, base, scenarios, choice, points, indicators, years)
