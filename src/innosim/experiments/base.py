"""What every experiment file shares: a base scenario, seeds, replicates, what each run keeps.

An experiment is a TOML file, validated by pydantic and then checked against the scenario
schema and the indicator registry, so that every mistake (an unknown path, reversed bounds,
an unknown indicator or design) is refused with the file and field named **before any run
starts**. :class:`ExperimentConfig` is what every file has and :class:`Experiment` the
checked file with its design points. Each kind is a subclass that names its config model and
its checker; :mod:`innosim.experiments.kinds` registers them: ``sweep``
(:mod:`innosim.experiments.sweep`) and ``sensitivity`` (:mod:`innosim.sensitivity.config`).
See ``experiments/*.toml``, ``docs/experiments.md`` and ``docs/sensitivity.md``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from innosim.errors import InputError, did_you_mean
from innosim.files import validate
from innosim.indicators import INDICATORS
from innosim.limits import MAX_RUNS, check_runs
from innosim.posterior import Mode, ParameterChoice, parameter_choice
from innosim.scenario import Scenario, load_scenario
from innosim.simulation import run_seconds
from innosim.timeline import FIRST_YEAR
from innosim.version import __version__

SCENARIO_FACTOR = "scenario"
"""The factor whose values are scenario files."""
EXPERIMENT_FILE = "experiment file"
"""What an experiment file is called in messages."""


class Strict(BaseModel):
    """A part of a file: unknown keys are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Output(Strict):
    """What each run keeps (default: every indicator, every year)."""

    indicators: list[str] = Field([], description="indicator ids; empty: all")
    years: list[int] = Field([], description="years; empty: all")


class ExperimentConfig(Strict):
    """What every experiment file has: a base scenario, seeds, replicates, what to keep."""

    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field("default", description='base scenario file (relative to this file) or "default"')
    scale: float | None = Field(None, gt=0.0, le=1.0, description="run at this scale (default: the scenario's)")
    seed: int = 0
    replicates: int = Field(4, ge=1, le=100_000, description="paired replicates per point")
    parameters: Mode = Field(
        "posterior",
        description="behavioural parameters: posterior, full (unfitted ones from their priors), mean, map, defaults",
    )
    posterior: str | None = Field(None, description="posterior CSV relative to this file (default: the shipped one)")
    max_runs: int = Field(MAX_RUNS, ge=1, description="refuse a design of more runs (innosim.limits)")
    set: dict[str, float] = Field(
        {}, description="values of the scenario fixed at every point, by dotted path (as --set PATH=VALUE)"
    )
    output: Output = Output()


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

    config_model: ClassVar[type[ExperimentConfig]]
    """The pydantic model of this kind's files."""

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
        """The experiment kind (``sweep``, ``sensitivity``)."""
        return str(self.config.kind)  # type: ignore[attr-defined]

    @property
    def factors(self) -> list[str]:
        """The varied paths."""
        return list(self.points.columns)

    @property
    def design(self) -> str:
        """The design, for messages ("grid design", "sobol sample")."""
        return f"{self.kind} design"

    @property
    def runs(self) -> int:
        """Simulations the experiment runs: points times replicates."""
        return len(self.points) * self.config.replicates

    @property
    def hash(self) -> str:
        """SHA-256 (16 hex) of what determines the results: not the name, text or output place.

        It covers the innosim version, so a job is never finished by another version of the model.
        """
        doc = {
            "version": __version__,
            "config": self.config.model_dump(mode="json", exclude={"name", "description", "max_runs"}),
            "base": self.base.hash,
            "scenarios": {k: s.hash for k, s in self.scenarios.items()},
            "parameters": self.choice.describe(),
            "points": self.points.to_csv(index=False),
        }
        doc["parameters"].pop("posterior", None)  # the file's place; its content is in posterior_sha256
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def scenario_at(self, point: int) -> Scenario:
        """The scenario of design point ``point``."""
        values = {**self.config.set, **self.points.iloc[point].to_dict()}
        scn = self.scenarios[values.pop(SCENARIO_FACTOR)] if SCENARIO_FACTOR in values else self.base
        if self.config.scale is not None and scn.scale != self.config.scale:
            values["scale"] = self.config.scale
        return scn.with_overrides({k: _plain(v) for k, v in values.items()}, source=str(self.path)) if values else scn

    def resized(self, **update: Any) -> Self:
        """The same experiment with some settings changed (``replicates=1, scale=0.05`` for a quick
        look or a smoke test; ``None`` values are ignored), checked again."""
        update = {k: v for k, v in update.items() if v is not None}
        if not update:
            return self
        return cast(Self, self.from_data(with_settings(self.config.model_dump(), update), self.path, "command line"))

    @classmethod
    def from_data(cls, data: dict[str, Any], path: Path, source: str | Path) -> Experiment:
        """Validate a file's data as this kind's config, then check it (:meth:`from_config`).

        Raises:
            InputError: naming ``source`` (the file) and the offending field.
        """
        exp = cls.from_config(validate(cls.config_model, data, source), path)
        varied = sorted(set(exp.config.set) & set(exp.factors))
        if varied:
            raise InputError(source, f"set.{varied[0]}", "is varied by the design; it cannot also be fixed")
        return exp

    @classmethod
    def from_config(cls, config: Any, path: Path) -> Experiment:
        """Resolve and check a validated config against the scenario schema and the indicators."""
        raise NotImplementedError


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def scenario_file(path: Path, ref: str, field: str) -> Scenario:
    """The scenario a field of experiment file ``path`` names (relative to it, or ``"default"``)."""
    if ref == "default":
        return load_scenario(None)
    if not (path.parent / ref).is_file():
        raise InputError(path, field, f"scenario file {ref} not found (looked in {(path.parent / ref).parent})")
    return load_scenario(path.parent / ref)


def with_settings(data: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a file's tables) with the dotted settings of ``update`` set (``None`` values ignored)."""
    out = json.loads(json.dumps(data))
    for key, value in update.items():
        if value is None:
            continue
        node = out
        *head, last = key.split(".")
        for part in head:
            node = node.setdefault(part, {})
        node[last] = {**node.get(last, {}), **value} if isinstance(value, dict) else value
    return out


def check_size(config: ExperimentConfig, path: Path, base: Scenario, points: int, what: str) -> None:
    """Refuse a design of more runs than ``config.max_runs``, before its points are drawn.

    Raises:
        InputError: naming ``path``, the runs, the estimated time, and how to allow them.
    """
    check_runs(
        str(path),
        points * config.replicates,
        config.max_runs,
        run_seconds(base),
        f"{points:,} {what} x {config.replicates:,} replicates = ",
    )


def check_common(
    config: ExperimentConfig, path: Path, scenarios: dict[str, Scenario] | None = None
) -> tuple[Scenario, ParameterChoice, tuple[str, ...], tuple[int, ...]]:
    """Check what every experiment has: the base scenario (at the experiment's scale), the parameter
    choice, and the indicators and years to keep (default: all, to the last simulated year).

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    base = scenario_file(path, config.scenario, "scenario")
    if config.scale is not None:
        base = base.with_overrides({"scale": config.scale}, source=str(path))
    if config.set:
        base = base.with_overrides(config.set, source=f"{path}: set")
    for i, iid in enumerate(config.output.indicators):
        if iid not in INDICATORS:
            raise InputError(
                path, f"output.indicators.{i}", f"unknown indicator {iid!r}{did_you_mean(iid, INDICATORS)}"
            )
    end = min([base.end_year, *(s.end_year for s in (scenarios or {}).values())])
    for i, year in enumerate(config.output.years):
        if not FIRST_YEAR <= year <= end:
            raise InputError(path, f"output.years.{i}", f"year {year} is not simulated ({FIRST_YEAR}-{end})")
    if config.posterior is not None and not (path.parent / config.posterior).is_file():
        raise InputError(path, "posterior", f"file {config.posterior} not found (looked in {path.parent})")
    choice = parameter_choice(config.parameters, path.parent / config.posterior if config.posterior else None)
    indicators = tuple(config.output.indicators) or tuple(INDICATORS)
    years = tuple(sorted(config.output.years)) or tuple(range(FIRST_YEAR, end + 1))
    return base, choice, indicators, years
