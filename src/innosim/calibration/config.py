"""Calibration configuration: which facts to fit, which parameters are free, how.

A calibration file is TOML, validated by pydantic and then checked against the facts
file, the indicator registry and the scenario schema, so that every mistake (an unknown
fact id, a prior with lower > upper, a missing data file) is refused with the file and
field named **before any simulation runs**. See ``calibration/baiyun.toml`` and
``docs/calibration.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from innosim.errors import InputError, did_you_mean
from innosim.facts import FactBook, default_facts, load_facts
from innosim.fields import numeric_fields, prior, prior_source
from innosim.files import load_toml
from innosim.indicators import INDICATORS
from innosim.posterior import field_bounds
from innosim.scenario import Scenario, load_scenario
from innosim.timeline import FIRST_YEAR, PLAN_13
from innosim.version import __version__

CALIBRATION_FILE = "calibration file"
"""What a calibration config is called in messages."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """A fact the simulated indicator must match: ``|sim - fact| <= tolerance * |fact|`` at epsilon 1."""

    fact: str = Field(description="fact id in the data file; also the indicator id")
    year: int | None = Field(None, description="year of the fact (default: the config's year)")
    tolerance: float = Field(0.05, gt=0.0, le=1.0, description="relative tolerance (scale of the distance)")
    note: str = ""


class Holdout(_Strict):
    """A fact kept out of the fit, predicted afterwards."""

    fact: str
    year: int | None = None
    note: str = ""


class FreeParameter(_Strict):
    """A behavioural parameter fitted by the calibration, with its prior.

    The prior is the range declared with the parameter (:mod:`innosim.parameters`, the one
    place priors are declared); ``lower`` and ``upper`` override it for this calibration only
    (a recovery experiment, a sensitivity check), and the manifest records what was used.
    """

    path: str = Field(description="dotted path, parameters.<name>")
    lower: float | None = Field(None, description="default: the declared prior's lower bound")
    upper: float | None = Field(None, description="default: the declared prior's upper bound")
    distribution: Literal["uniform", "loguniform"] = "uniform"
    source: str | None = Field(None, min_length=1, description="why another prior than the declared one")

    @model_validator(mode="after")
    def _ordered(self) -> FreeParameter:
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both lower and upper, or neither (the declared prior)")
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"prior lower bound {self.lower} must be below upper bound {self.upper}")
        if self.distribution == "loguniform" and self.lower is not None and self.lower <= 0:
            raise ValueError("a loguniform prior needs lower > 0")
        return self

    def resolved(self, declared: tuple[float, float], source: str) -> FreeParameter:
        """This parameter with the declared prior filled in where the file gives none."""
        if self.lower is not None:
            return self
        return self.model_copy(update={"lower": declared[0], "upper": declared[1], "source": self.source or source})

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's ``(lower, upper)``, once resolved (:func:`check` resolves every free parameter)."""
        if self.lower is None or self.upper is None:
            raise ValueError(f"the prior of {self.path} is not resolved; load the config with load_calibration")
        return self.lower, self.upper


class Method(_Strict):
    """ABC-SMC settings (pyabc)."""

    name: Literal["abc-smc"] = "abc-smc"
    population: int = Field(300, ge=20, le=100_000, description="particles per generation")
    max_generations: int = Field(12, ge=1, le=1000)
    max_simulations: int = Field(40_000, ge=1, description="stop after the generation that passes this")
    min_epsilon: float = Field(1.0, ge=0.0, description="stop once a generation's epsilon is at or below this")
    min_acceptance_rate: float = Field(0.01, ge=0.0, lt=1.0)
    epsilon_quantile: float = Field(
        0.5, gt=0.0, lt=1.0, description="next epsilon = this weighted quantile of distances"
    )
    kernel_scale: float = Field(
        2.0,
        gt=0.0,
        le=10.0,
        description="perturbation kernel covariance = this times the weighted covariance of "
        "the previous generation (2: Beaumont et al. 2009)",
    )
    norm: Literal["max", "euclidean", "manhattan"] = Field(
        "max", description="how the per-target scaled errors combine: max = every target within tolerance at epsilon 1"
    )


class Synthetic(_Strict):
    """Parameter recovery: fit to facts simulated from known parameter values."""

    truth: dict[str, float] = Field(description="dotted path -> true value, for every free parameter")
    replicates: int = Field(5, ge=1, le=1000, description="synthetic facts are the median over this many replicates")
    seed: int = 7


class Check(_Strict):
    """Posterior-predictive check written into the report."""

    replicates: int = Field(40, ge=2, le=10_000)
    seed: int = 0
    scale: float | None = Field(None, gt=0.0, le=1.0, description="default: the calibration's scale")


class CalibrationConfig(_Strict):
    """A calibration file. ``base = "other.toml"`` starts from another file: tables
    merge key by key, lists (targets, held-out facts, free parameters) are replaced."""

    name: str
    description: str = ""
    scenario: str = Field("default", description='scenario file (relative to this file) or "default"')
    data: str | None = Field(None, description="facts file relative to this file; default: the packaged one")
    out: str = Field(".", description="result directory, relative to this file")
    year: int = Field(PLAN_13[1], ge=FIRST_YEAR, le=PLAN_13[1], description="year of the target facts")
    scale: float = Field(1.0, gt=0.0, le=1.0)
    seed: int = 0
    workers: int = Field(0, ge=0, description="0 = one per core")
    method: Method = Method()
    check: Check = Check()
    recovery: str | None = Field(None, description="a recovery calibration file whose result the report includes")
    target: list[Target] = Field(min_length=1)
    holdout: list[Holdout] = []
    free: list[FreeParameter] = Field(min_length=1)
    synthetic: Synthetic | None = None


@dataclass(frozen=True)
class Calibration:
    """A checked calibration: the config plus everything it refers to, resolved."""

    config: CalibrationConfig
    path: Path
    facts: FactBook
    scenario: Scenario
    observed: dict[str, float]
    """Target id -> observed value (the synthetic value for a recovery run, filled later)."""
    heldout: dict[str, float]

    @property
    def out(self) -> Path:
        return (self.path.parent / self.config.out).resolve()

    @property
    def free_paths(self) -> list[str]:
        return [f.path for f in self.config.free]

    @property
    def tolerances(self) -> dict[str, float]:
        return {t.fact: t.tolerance for t in self.config.target}

    @property
    def hash(self) -> str:
        """SHA-256 (16 hex) of what determines the posterior.

        The base scenario, year, scale, seed, the method's population, epsilon schedule
        and norm, the targets with their tolerances and observed values, the priors, and the
        innosim version (a calibration is never continued by another version of the model).
        Not the stopping rules (a stored calibration may be resumed with a larger budget
        or a smaller final epsilon: the generations already run stay valid), the text
        (names, notes, sources), the worker count, the result directory or the report.
        """
        cfg = self.config.model_dump(mode="json", include={"year", "scale", "seed", "synthetic"})
        cfg["method"] = self.config.method.model_dump(
            include={"name", "population", "epsilon_quantile", "norm", "kernel_scale"}
        )
        cfg["target"] = [(t.fact, t.tolerance) for t in self.config.target]
        cfg["free"] = [(f.path, f.lower, f.upper, f.distribution) for f in self.config.free]
        doc = {"config": cfg, "observed": self.observed, "scenario": self.scenario.hash, "version": __version__}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def with_observed(self, observed: dict[str, float], heldout: dict[str, float]) -> Calibration:
        return Calibration(self.config, self.path, self.facts, self.scenario, observed, heldout)


def _fact_value(facts: FactBook, src: Path, field: str, fact_id: str, year: int, synthetic: bool) -> float:
    if fact_id not in INDICATORS:
        raise InputError(
            src, field, f"unknown fact id {fact_id!r}: no indicator computes it{did_you_mean(fact_id, INDICATORS)}"
        )
    if synthetic:
        return float("nan")
    fact = facts.find(fact_id, year)
    if fact is None:
        ids = {f.id for f in facts.fact if f.year == year}
        raise InputError(src, field, f"no fact {fact_id!r} for {year} in the data file{did_you_mean(fact_id, ids)}")
    if fact.kind == "target":
        raise InputError(src, field, f"{fact_id!r} in {year} is a plan target, not an observation")
    return fact.value


def check(config: CalibrationConfig, path: Path) -> Calibration:
    """Resolve and check a parsed config against the facts, indicators and scenario schema.

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    base = path.parent
    for field in ("data", "scenario"):
        ref = getattr(config, field)
        if ref not in (None, "default") and not (base / ref).is_file():
            raise InputError(path, field, f"file {ref} not found (looked in {(base / ref).parent})")
    facts = load_facts(base / config.data) if config.data else default_facts()
    scenario = load_scenario(None if config.scenario == "default" else base / config.scenario)
    scenario = (
        scenario.with_overrides({"scale": config.scale}, source=str(path))
        if config.scale != scenario.scale
        else scenario
    )
    synthetic = config.synthetic is not None
    observed: dict[str, float] = {}
    for i, t in enumerate(config.target):
        if t.fact in observed:
            raise InputError(path, f"target.{i}.fact", f"{t.fact!r} is a target twice")
        observed[t.fact] = _fact_value(facts, path, f"target.{i}.fact", t.fact, t.year or config.year, synthetic)
    heldout: dict[str, float] = {}
    for i, h in enumerate(config.holdout):
        if h.fact in observed:
            raise InputError(
                path, f"holdout.{i}.fact", f"{h.fact!r} is also a target; a held-out fact must not be fitted"
            )
        heldout[h.fact] = _fact_value(facts, path, f"holdout.{i}.fact", h.fact, h.year or config.year, synthetic)
    if any((t.year or config.year) != config.year for t in config.target):
        raise InputError(path, "target", f"all targets must be facts of {config.year} (the simulated year)")
    fields = numeric_fields(Scenario)
    seen: set[str] = set()
    free = []
    for i, f in enumerate(config.free):
        where = f"free.{i}.path"
        if f.path not in fields or not f.path.startswith("parameters."):
            params = [p for p in fields if p.startswith("parameters.")]
            raise InputError(path, where, f"{f.path!r} is not a behavioural parameter{did_you_mean(f.path, params)}")
        if fields[f.path].annotation is not float:
            raise InputError(
                path, where, f"{f.path!r} is an integer parameter; only real-valued ones can be calibrated"
            )
        if f.path in seen:
            raise InputError(path, where, f"{f.path!r} is free twice")
        seen.add(f.path)
        declared = prior(fields[f.path])
        if declared is None and f.lower is None:
            raise InputError(path, f"free.{i}", f"{f.path} declares no prior; give lower and upper")
        f = f.resolved(declared or (0.0, 0.0), prior_source(fields[f.path]))
        free.append(f)
        lo, hi = field_bounds(f.path)
        p_lo, p_hi = f.bounds
        if p_lo < lo or p_hi > hi:
            raise InputError(
                path, f"free.{i}", f"prior [{p_lo}, {p_hi}] leaves the valid range [{lo}, {hi}] of {f.path}"
            )
    config = config.model_copy(update={"free": free})
    if config.synthetic is not None:
        truth = config.synthetic.truth
        for p in truth:
            if p not in seen:
                raise InputError(path, f"synthetic.truth.{p}", "not one of the free parameters")
        for f in config.free:
            if f.path not in truth:
                raise InputError(path, "synthetic.truth", f"needs a true value for {f.path}")
            if not f.bounds[0] <= truth[f.path] <= f.bounds[1]:
                raise InputError(path, f"synthetic.truth.{f.path}", f"true value {truth[f.path]} outside the prior")
    if config.recovery is not None and not synthetic and not (base / config.recovery).exists():
        raise InputError(path, "recovery", f"file {config.recovery} not found next to the config")
    return Calibration(config, path, facts, scenario, observed, heldout)


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read, validate and check a calibration file (default: the packaged Baiyun calibration).

    Raises:
        InputError: malformed TOML, a schema error, or a reference that does not resolve.
    """
    if path is None:
        ref = resources.files("innosim") / "data" / "calibration" / "baiyun.toml"
        with resources.as_file(ref) as real:
            path = Path(real).resolve()
    path = Path(path)
    return check(load_toml(path, CalibrationConfig, CALIBRATION_FILE), path)
