"""Experiment files: a base scenario, what varies, how, and what each run keeps.

An experiment is a TOML file, validated by pydantic and then checked against the
scenario schema and the indicator registry, so that every mistake (an unknown path,
reversed bounds, an unknown indicator or design) is refused with the file and field
named **before any run starts**. What every kind shares is :class:`ExperimentConfig`
and :class:`Experiment` (the checked file with its design points); the kinds are
registered in :data:`KINDS`: ``sweep`` here, ``sensitivity`` in
:mod:`innosim.sensitivity.config`. See ``experiments/*.toml``, ``docs/experiments.md``
and ``docs/sensitivity.md``.

Sweep designs:

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
the scenario.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from innosim.errors import InputError, did_you_mean, from_validation_error, read_toml_chain
from innosim.indicators import INDICATORS
from innosim.posterior import MODES, ParameterChoice, field_bounds, parameter_choice
from innosim.fields import numeric_fields
from innosim.scenario import Scenario, load_scenario

SCENARIO_FACTOR = "scenario"
"""The factor whose values are scenario files."""
_DESIGN_KEY = 0x64657369  # spawn key separating the design's random stream from the runs'


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Factor(_Strict):
    """One varied input: a dotted path with its values or bounds."""

    path: str = Field(description="dotted path (policy.talent_card.budget, parameters.spillover) or \"scenario\"")
    values: list[float] | list[str] | None = Field(None, min_length=1, description="the values (grid, oat)")
    lower: float | None = None
    upper: float | None = None
    levels: int | None = Field(None, ge=2, le=10_000, description="evenly spaced values between the bounds (grid, oat)")
    log: bool = Field(False, description="space and sample on a log scale (needs lower > 0)")

    @model_validator(mode="after")
    def _one_way(self) -> "Factor":
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
        space = np.geomspace if self.log else np.linspace
        return [float(v) for v in space(self.lower, self.upper, self.levels)]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) onto the bounds."""
        if self.log:
            return np.exp(np.log(self.lower) + u * (np.log(self.upper) - np.log(self.lower)))
        return self.lower + u * (self.upper - self.lower)


class Design(_Strict):
    """How points are chosen."""

    method: Literal["grid", "oat", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, ge=1, le=10_000_000, description="points of an lhs or sobol design")


class Output(_Strict):
    """What each run keeps (default: every indicator, every year)."""

    indicators: list[str] = Field([], description="indicator ids; empty: all")
    years: list[int] = Field([], description="years; empty: all")


class ExperimentConfig(_Strict):
    """What every experiment file has: a base scenario, seeds, replicates, what to keep."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field("default", description="base scenario file (relative to this file) or \"default\"")
    scale: float | None = Field(None, gt=0.0, le=1.0, description="run at this scale (default: the scenario's)")
    seed: int = 0
    replicates: int = Field(4, ge=1, le=100_000, description="paired replicates per point")
    parameters: Literal[MODES] = Field("posterior", description="behavioural parameters: posterior, mean, map, defaults")  # type: ignore[valid-type]
    posterior: str | None = Field(None, description="posterior CSV relative to this file (default: the shipped one)")
    output: Output = Output()


class SweepConfig(ExperimentConfig):
    """A sweep file. ``base = "other.toml"`` starts from another file."""

    kind: Literal["sweep"] = "sweep"
    design: Design = Design()
    vary: list[Factor] = Field(min_length=1)


@dataclass(frozen=True)
class Experiment:
    """A checked experiment: the config plus everything it refers to, resolved, and its points.

    Attributes:
        config: The validated file.
        path: Where it was read from.
        base: The base scenario (at the experiment's scale).
        scenarios: Scenarios of the ``scenario`` factor, by name.
        choice: How behavioural parameters are chosen.
        points: The design: one row per point, one column per factor.
        indicators: Indicator ids each run keeps.
        years: Years each run keeps.
    """

    config: ExperimentConfig
    path: Path
    base: Scenario
    scenarios: dict[str, Scenario]
    choice: ParameterChoice
    points: pd.DataFrame
    indicators: tuple[str, ...]
    years: tuple[int, ...]

    @property
    def kind(self) -> str:
        return self.config.kind  # type: ignore[attr-defined]

    @property
    def factors(self) -> list[str]:
        return list(self.points.columns)

    @property
    def design(self) -> str:
        """The design, for messages ("grid design")."""
        return f"{self.config.design.method} design"  # type: ignore[attr-defined]

    @property
    def runs(self) -> int:
        return len(self.points) * self.config.replicates

    @property
    def hash(self) -> str:
        """SHA-256 (16 hex) of what determines the results: not the name, text or output place.

        It covers the innosim version, so a job is never finished by another version of the model.
        """
        from innosim import __version__

        doc = {"version": __version__, "config": self.config.model_dump(mode="json", exclude={"name", "description"}),
               "base": self.base.hash, "scenarios": {k: s.hash for k, s in self.scenarios.items()},
               "parameters": self.choice.describe(), "points": self.points.to_csv(index=False)}
        doc["parameters"].pop("posterior", None)  # the file's place; its content is in posterior_sha256
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def scenario_at(self, point: int) -> Scenario:
        """The scenario of design point ``point``."""
        values = self.points.iloc[point].to_dict()
        scn = self.scenarios[values.pop(SCENARIO_FACTOR)] if SCENARIO_FACTOR in values else self.base
        if self.config.scale is not None and scn.scale != self.config.scale:
            values["scale"] = self.config.scale
        return scn.with_overrides({k: _plain(v) for k, v in values.items()}, source=str(self.path)) if values else scn

    def resized(self, **update: Any) -> "Experiment":
        """The same experiment with some settings changed (``replicates=1, scale=0.05`` for a quick
        look or a smoke test; ``None`` values are ignored), checked again."""
        update = {k: v for k, v in update.items() if v is not None}
        if not update:
            return self
        data = self.config.model_dump()
        for key, value in update.items():
            node = data
            *head, last = key.split(".")
            for part in head:
                node = node[part]
            node[last] = value
        return _check_data(data, self.path, "command line")


class Sweep(Experiment):
    """A checked sweep (see :class:`Experiment`)."""


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _design_rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_DESIGN_KEY,))))


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
            rows += [tuple(start[:i] + [v] + start[i + 1:]) for v in f.grid() if v != start[i]]
    else:
        from scipy.stats import qmc  # imported here: scipy.stats costs half a second at CLI start

        d, n = len(factors), config.design.samples
        sampler = (qmc.LatinHypercube(d, rng=_design_rng(config.seed)) if method == "lhs"
                   else qmc.Sobol(d, scramble=True, rng=_design_rng(config.seed)))
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
    given = list(f.values) if f.values is not None else [f.lower, f.upper]
    for v in given:
        if not lo <= v <= hi:
            raise InputError(src, where, f"value {v} outside the valid range [{lo}, {hi}] of {f.path}")
    if fields[f.path].annotation is int and f.values is not None and any(float(v) != int(v) for v in f.values):
        raise InputError(src, f"{where}.values", f"{f.path} is an integer parameter; give whole numbers")


def scenario_file(path: Path, ref: str, field: str) -> Scenario:
    """The scenario a field of experiment file ``path`` names (relative to it, or ``"default"``)."""
    if ref == "default":
        return load_scenario(None)
    if not (path.parent / ref).is_file():
        raise InputError(path, field, f"scenario file {ref} not found (looked in {(path.parent / ref).parent})")
    return load_scenario(path.parent / ref)


def check_common(config: ExperimentConfig, path: Path, scenarios: dict[str, Scenario] | None = None
                 ) -> tuple[Scenario, ParameterChoice, tuple[str, ...], tuple[int, ...]]:
    """Check what every experiment has: the base scenario (at the experiment's scale), the parameter
    choice, and the indicators and years to keep (default: all, to the last simulated year).

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    base = scenario_file(path, config.scenario, "scenario")
    if config.scale is not None:
        base = base.with_overrides({"scale": config.scale}, source=str(path))
    for i, iid in enumerate(config.output.indicators):
        if iid not in INDICATORS:
            raise InputError(path, f"output.indicators.{i}", f"unknown indicator {iid!r}{did_you_mean(iid, INDICATORS)}")
    end = min([base.end_year, *(s.end_year for s in (scenarios or {}).values())])
    for i, year in enumerate(config.output.years):
        if not 2016 <= year <= end:
            raise InputError(path, f"output.years.{i}", f"year {year} is not simulated (2016-{end})")
    if config.posterior is not None and not (path.parent / config.posterior).is_file():
        raise InputError(path, "posterior", f"file {config.posterior} not found (looked in {path.parent})")
    choice = parameter_choice(config.parameters, path.parent / config.posterior if config.posterior else None)
    indicators = tuple(config.output.indicators) or tuple(INDICATORS)
    years = tuple(sorted(config.output.years)) or tuple(range(2016, end + 1))
    return base, choice, indicators, years


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
    if method == "sobol" and config.design.samples & (config.design.samples - 1):
        raise InputError(path, "design.samples", f"a Sobol design needs a power of two (got {config.design.samples}; "
                         f"use {1 << (config.design.samples.bit_length() - 1)} or {1 << config.design.samples.bit_length()})")
    seen: set[str] = set()
    for i, f in enumerate(config.vary):
        _check_factor(path, i, f, method, seen)
    scenarios: dict[str, Scenario] = {}
    names: dict[str, str] = {}
    for i, f in enumerate(config.vary):
        for j, ref in enumerate(f.values or [] if f.path == SCENARIO_FACTOR else []):
            scn = scenario_file(path, ref, f"vary.{i}.values.{j}")
            if scn.name in scenarios:
                raise InputError(path, f"vary.{i}.values.{j}", f"another scenario file is also named {scn.name!r}")
            scenarios[scn.name], names[ref] = scn, scn.name
    base, choice, indicators, years = check_common(config, path, scenarios)
    points = design_points(config, base)
    if SCENARIO_FACTOR in points:
        points[SCENARIO_FACTOR] = points[SCENARIO_FACTOR].map(names)
    return Sweep(config, path, base, scenarios, choice, points, indicators, years)


KINDS: dict[str, tuple[type[ExperimentConfig], Callable[[Any, Path], Experiment]]] = {"sweep": (SweepConfig, check)}
"""Experiment kind -> (config model, checker). ``innosim.sensitivity`` adds ``"sensitivity"``."""


def _check_data(data: dict[str, Any], path: Path, source: str | Path) -> Experiment:
    importlib.import_module("innosim.sensitivity.config")  # adds the "sensitivity" kind to KINDS

    kind = data.get("kind", "sweep")
    if kind not in KINDS:
        raise InputError(path, "kind", f"unknown experiment kind {kind!r}{did_you_mean(str(kind), KINDS)}")
    model, checker = KINDS[kind]
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc) from None
    return checker(config, path)


def load_experiment(path: str | Path, kind: str | None = None) -> Experiment:
    """Read, validate and check an experiment file of any kind (or of ``kind``).

    Raises:
        InputError: malformed TOML, a schema error, a reference that does not resolve,
            or a file of another kind than ``kind``.
    """
    path = Path(path)
    data = read_toml_chain(path, "experiment")
    if kind is not None and data.get("kind", "sweep") != kind:
        raise InputError(path, "kind", f"is {data.get('kind', 'sweep')!r}; this command needs kind = {kind!r}")
    return _check_data(data, path, path)


def load_sweep(path: str | Path) -> Sweep:
    """Read, validate and check a sweep file (see :func:`load_experiment`)."""
    return load_experiment(path, "sweep")  # type: ignore[return-value]
