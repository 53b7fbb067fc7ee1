"""Sensitivity experiment files: the method, the factors and their distributions.

A sensitivity file is an experiment file (see :mod:`innosim.experiments.base`) of
``kind = "sensitivity"``. Each ``[[factor]]`` is a dotted path (a lever or a
behavioural parameter) with a distribution:

- ``uniform``: ``lower``, ``upper``;
- ``triangular``: ``lower``, ``upper``, ``mode``;
- ``normal``: ``mean``, ``sd``, optionally truncated to ``lower``/``upper``;
- ``lognormal``: ``mean`` and ``sd`` of the logarithm, optionally truncated;
- ``posterior``: the marginal of the calibration posterior (weighted quantiles; the
  posterior's correlations are not kept);
- ``prior``: uniform over the prior range declared with the parameter
  (:mod:`innosim.scenario`, ``docs/model.md``).

A path may be a glob (``parameters.*``, ``parameters.card_*``): it stands for every
numeric path it matches that no other factor names and no earlier glob took, in
declaration order, each with the same distribution (``posterior``: every such path the
posterior holds). Factors may share a ``group``; a group is one factor of the analysis (Sobol and Morris
only). Methods sample quantiles in the unit hypercube and each factor maps them through
its distribution's inverse CDF; samples stay inside the field's valid range, and a
distribution that reaches outside it must be truncated. Every mistake is refused
with the file and field named before any run starts.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from innosim.errors import InputError, did_you_mean
from innosim.experiments.base import Experiment, ExperimentConfig, Output, Strict, check_common, check_size
from innosim.fields import numeric_fields, prior
from innosim.posterior import Posterior, field_bounds
from innosim.scenario import Scenario
from innosim.sensitivity.methods import METHODS, Method, Settings
from innosim.sensitivity.methods.base import factors_of, unit_problem
from innosim.timeline import PLAN_START

TAIL = 1e-3
"""An untruncated normal or lognormal must keep this quantile and its complement inside the valid range."""


class MethodConfig(Strict):
    """``[method]``: which SALib method and its settings (see :class:`~innosim.sensitivity.methods.Settings`)."""

    name: Literal["sobol", "morris", "efast", "rbd_fast", "pawn"]
    samples: int = Field(ge=1, le=10_000_000, description="base sample size N")
    second_order: bool = False
    levels: int = Field(4, ge=2, le=100)
    trajectories: int | None = Field(None, ge=2)
    interference: int = Field(4, ge=1, le=20)
    harmonics: int = Field(10, ge=1, le=100)
    slices: int = Field(10, ge=2, le=100)
    resamples: int = Field(100, ge=10, le=100_000)
    conf_level: float = Field(0.95, gt=0.0, lt=1.0)


class Distribution(Strict):
    """One factor: a dotted path and its distribution."""

    path: str
    distribution: Literal["uniform", "triangular", "normal", "lognormal", "posterior", "prior"] = "uniform"
    lower: float | None = None
    upper: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0.0)
    group: str | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("lower", "upper"),
            "triangular": ("lower", "upper", "mode"),
            "normal": ("mean", "sd"),
            "lognormal": ("mean", "sd"),
            "posterior": (),
            "prior": (),
        }[self.distribution]
        allowed = set(need) | ({"lower", "upper"} if self.distribution in ("normal", "lognormal") else set())
        for name in ("lower", "upper", "mode", "mean", "sd"):
            if name in need and getattr(self, name) is None:
                raise ValueError(f"a {self.distribution} distribution needs {', '.join(need)}")
            if name not in allowed and getattr(self, name) is not None:
                raise ValueError(f"{name} is not a parameter of a {self.distribution} distribution")
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"lower bound {self.lower} must be below upper bound {self.upper}")
        lo, hi = cast(float, self.lower), cast(float, self.upper)
        if self.mode is not None and not lo <= self.mode <= hi:
            raise ValueError(f"mode {self.mode} must lie between lower {self.lower} and upper {self.upper}")
        return self

    def frozen(self) -> Any:
        """The scipy distribution (not for ``posterior``)."""
        from scipy import stats  # a second to load: not needed to check (or refuse) any other file

        lo, hi = cast(float, self.lower), cast(float, self.upper)  # validated: set where the distribution needs them
        if self.distribution == "prior":
            lo, hi = cast(tuple[float, float], prior(numeric_fields(Scenario)[self.path]))
            return stats.uniform(lo, hi - lo)
        if self.distribution == "uniform":
            return stats.uniform(lo, hi - lo)
        if self.distribution == "triangular":
            return stats.triang((cast(float, self.mode) - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if self.distribution == "normal":
            return stats.norm(self.mean, self.sd)
        return stats.lognorm(self.sd, scale=np.exp(cast(float, self.mean)))

    def ppf(self, q: np.ndarray, posterior: Posterior | None = None) -> np.ndarray:
        """Values at quantiles ``q`` (truncation applied)."""
        if self.distribution == "posterior":
            if posterior is None:
                raise ValueError("a posterior distribution needs the posterior")
            values = posterior.values[self.path].to_numpy()
            order = np.argsort(values, kind="stable")
            cdf = np.cumsum(posterior.weights[order]) - posterior.weights[order] / 2
            return np.interp(q, cdf, values[order])
        dist = self.frozen()
        a = dist.cdf(self.lower) if self.lower is not None else 0.0
        b = dist.cdf(self.upper) if self.upper is not None else 1.0
        return dist.ppf(a + np.asarray(q) * (b - a))


class SensitivityConfig(ExperimentConfig):
    """A sensitivity file. ``base = "other.toml"`` starts from another file."""

    kind: Literal["sensitivity"] = "sensitivity"
    replicates: int = Field(1, ge=1, le=100_000, description="replicates per sample point, averaged")
    method: MethodConfig
    factor: list[Distribution] = Field(min_length=2)
    output: Output = Output()


@dataclass(frozen=True)
class Sensitivity(Experiment):
    """A checked sensitivity experiment (see :class:`~innosim.experiments.base.Experiment`).

    Attributes:
        method: The SALib method.
        settings: Its settings.
        problem: The SALib problem (unit hypercube, with groups if any).
        unit: The method's sample in the unit hypercube, one row per point.
    """

    config_model = SensitivityConfig

    method: Method = None  # type: ignore[assignment]
    settings: Settings = None  # type: ignore[assignment]
    problem: dict[str, Any] = None  # type: ignore[assignment]
    unit: np.ndarray = None  # type: ignore[assignment]

    @property
    def design(self) -> str:
        return f"{self.method.name} sample"  # "sobol sample over ..."

    @classmethod
    def from_config(cls, config: Any, path: Path) -> Sensitivity:
        """Resolve and check a sensitivity config and draw its sample (:func:`check`)."""
        return check(config, path)

    @property
    def groups(self) -> list[str]:
        """What indices are reported for: groups if any, else factor paths."""
        return factors_of(self.problem)


def settings_of(config: SensitivityConfig) -> Settings:
    m = config.method
    return Settings(
        samples=m.samples,
        seed=config.seed,
        second_order=m.second_order,
        levels=m.levels,
        trajectories=m.trajectories,
        interference=m.interference,
        harmonics=m.harmonics,
        slices=m.slices,
        resamples=m.resamples,
        conf_level=m.conf_level,
    )


def _is_glob(path: str) -> bool:
    return any(ch in path for ch in "*?[")


def _expand(path: Path, config: SensitivityConfig, posterior: Posterior | None) -> list[tuple[int, Distribution]]:
    """Factors with globs replaced by the paths they match: ``(index in the file, factor)``.

    A glob takes the matching paths that no other factor names and no earlier glob took.
    """
    fields = numeric_fields(Scenario)
    claimed = {f.path for f in config.factor if not _is_glob(f.path)}
    out: list[tuple[int, Distribution]] = []
    for i, f in enumerate(config.factor):
        if not _is_glob(f.path):
            out.append((i, f))
            continue
        matches = [p for p in fields if fnmatch.fnmatchcase(p, f.path) and p not in claimed]
        if f.distribution == "posterior" and posterior is not None:
            matches = [p for p in matches if p in posterior.paths]
        if not matches:
            raise InputError(
                path, f"factor.{i}.path", f"{f.path!r} matches no parameter path that is not already a factor"
            )
        claimed.update(matches)
        out += [(i, f.model_copy(update={"path": p})) for p in matches]
    return out


def _check_factor(path: Path, i: int, f: Distribution, posterior: Posterior | None, seen: set[str]) -> None:
    where = f"factor.{i}"
    fields = numeric_fields(Scenario)
    if f.path not in fields:
        raise InputError(path, f"{where}.path", f"unknown parameter path {f.path!r}{did_you_mean(f.path, fields)}")
    if f.path in seen:
        raise InputError(path, f"{where}.path", f"{f.path!r} is a factor twice")
    seen.add(f.path)
    lo, hi = field_bounds(f.path)
    if f.distribution == "prior" and not (fields[f.path].json_schema_extra or {}).get("prior"):
        raise InputError(path, where, f"{f.path} declares no prior range; give a distribution")
    if f.distribution == "posterior":
        if posterior is None:
            raise InputError(
                path,
                where,
                'a posterior distribution needs parameters = "posterior", "mean" or '
                '"map" (a posterior to take the marginal from)',
            )
        if f.path not in posterior.paths:
            raise InputError(
                path, f"{where}.path", f"{f.path!r} is not in the posterior; it has {', '.join(posterior.paths)}"
            )
        return
    support = (
        f.ppf(np.array([0.0, 1.0]))
        if f.distribution in ("uniform", "triangular", "prior")
        else f.ppf(np.array([0.0 if f.lower is not None else TAIL, 1.0 if f.upper is not None else 1 - TAIL]))
    )
    if support[0] < lo or support[1] > hi:
        hint = "; truncate it with lower and upper" if f.distribution in ("normal", "lognormal") else ""
        raise InputError(
            path,
            where,
            f"{f.distribution} distribution reaches {support[0]:.4g}-{support[1]:.4g}, "
            f"outside the valid range [{lo}, {hi}] of {f.path}{hint}",
        )


def check(config: SensitivityConfig, path: Path) -> Sensitivity:
    """Resolve and check a parsed sensitivity file; draw its sample.

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    base, choice, indicators, years = check_common(config, path)
    if not config.output.years:
        years = tuple(y for y in years if y >= PLAN_START)
    method = METHODS[config.method.name]
    settings = settings_of(config)
    factors = _expand(path, config, choice.posterior)
    seen: set[str] = set()
    for i, f in factors:
        _check_factor(path, i, f, choice.posterior, seen)
    chosen = [f for _, f in factors]
    grouped = any(f.group for f in chosen)
    if grouped and not method.groups:
        raise InputError(path, "factor", f"{method.name} cannot analyse groups of factors (sobol and morris can)")
    groups = [f.group or f.path for f in chosen] if grouped else None
    problem = unit_problem([f.path for f in chosen], groups)
    d = len(factors_of(problem))
    if d < 2:
        raise InputError(path, "factor", "a sensitivity analysis needs at least two factors or groups")
    if (refused := method.check(settings, d)) is not None:
        raise InputError(path, f"method.{refused[0]}", refused[1])
    check_size(config, path, base, method.runs(settings, d), f"{method.name} sample points")
    unit = method.sample(problem, settings)
    fields = numeric_fields(Scenario)
    columns = {}
    for j, f in enumerate(chosen):
        lo, hi = field_bounds(f.path)
        values = np.clip(f.ppf(unit[:, j], choice.posterior), lo, hi)
        columns[f.path] = np.rint(values).astype(np.int64) if fields[f.path].annotation is int else values
    points = pd.DataFrame(columns)
    return Sensitivity(config, path, base, {}, choice, points, indicators, years, method, settings, problem, unit)
