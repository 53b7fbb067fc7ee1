"""Optimisation files (``kind = "optimise"``): decision variables, a budget, objectives, the search.

An optimisation file is an experiment file (:mod:`innosim.experiments.base`: base scenario,
seed, replicates, scale, parameters) with:

- ``[[decision]]``: a dotted path with ``lower`` and ``upper`` bounds, for each decision
  variable: a lever's annual budget (``policy.rd_subsidy.budget``, 亿元 a year from 2021) or,
  where meaningful, a per-case amount (``policy.hte_reward.reward``);
- ``[budget]``: ``total``, the most the district commits over the plan years 2021-2025 (亿元:
  every lever's annual budget times five, the levers not decided included at the base
  scenario's budgets), and optionally ``per_year``, a cap on the sum of the annual budgets;
- ``[[objective]]``: one table per objective, ``kind`` one of
  :data:`~innosim.design.objectives.MAXIMISE` with its settings (``k`` for ``p_at_least``,
  ``share`` for ``worst_targets_met``, ``weights`` by indicator for ``shortfall``);
- ``targets``: the indicators whose 2025 targets count (default: every indicator with a target);
- ``[search]``: ``population`` and ``generations`` of NSGA-II.

Every mistake is refused with the file and field named before any run starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from innosim.design.objectives import Kind, Objective
from innosim.design.search import Space
from innosim.errors import InputError, did_you_mean
from innosim.experiments.base import Experiment, ExperimentConfig, Output, Strict, check_common, check_size
from innosim.fields import numeric_fields
from innosim.indicators import target_indicators
from innosim.levers import LEVERS
from innosim.posterior import field_bounds
from innosim.scenario import Scenario
from innosim.timeline import PLAN_14, TARGET_YEAR

PLAN_YEARS = PLAN_14[1] - PLAN_14[0] + 1
"""Years of the plan over which budgets are committed (2021-2025)."""
SPENDING_INDICATOR = "spending_total"
"""The indicator of what the levers actually spent, kept for every plan year."""


def budget_path(lever: str) -> str:
    """The dotted path of a lever's annual budget."""
    return f"policy.{lever}.budget"


class Decision(Strict):
    """One decision variable: a dotted path and its bounds."""

    path: str = Field(description="dotted path: policy.<lever>.budget, or a lever's per-case amount")
    lower: float
    upper: float

    @model_validator(mode="after")
    def _ordered(self) -> Decision:
        if not self.lower < self.upper:
            raise ValueError(f"lower bound {self.lower} must be below upper bound {self.upper}")
        return self


class Budget(Strict):
    """``[budget]``: caps on committed spending."""

    total: float | None = Field(None, gt=0, description="亿元 over 2021-2025, all levers' annual budgets times five")
    per_year: float | None = Field(None, gt=0, description="亿元 a year, on the sum of all levers' annual budgets")


class ObjectiveConfig(Strict):
    """``[[objective]]``: what to maximise or minimise (see :mod:`innosim.design.objectives`)."""

    kind: Kind
    k: int | None = Field(None, ge=1, description="p_at_least: at least this many targets")
    share: float = Field(0.25, gt=0.0, le=1.0, description="worst_targets_met: the worst share of replicates")
    weights: dict[str, float] = Field({}, description="shortfall: weight by indicator id (default 1)")


class Search(Strict):
    """``[search]``: NSGA-II's size."""

    population: int = Field(16, ge=4, le=100_000, description="candidates per generation")
    generations: int = Field(8, ge=1, le=100_000, description="generations, the initial population included")


class OptimiseConfig(ExperimentConfig):
    """An optimisation file."""

    kind: Literal["optimise"] = "optimise"
    decision: list[Decision] = Field(min_length=1)
    budget: Budget = Budget()
    objective: list[ObjectiveConfig] = Field(min_length=1)
    targets: list[str] = Field([], description="indicators whose 2025 targets count (default: all)")
    search: Search = Search()


@dataclass(frozen=True)
class Optimisation(Experiment):
    """A checked optimisation file. ``points`` is empty: the search chooses them as it goes.

    Attributes (besides :class:`~innosim.experiments.base.Experiment`'s):
        space: Decision variables, spending per unit and the cap.
        objectives: The objectives, in file order.
        targets: The target indicators counted.
    """

    config_model = OptimiseConfig
    space: Space
    objectives: tuple[Objective, ...]
    targets: tuple[str, ...]

    @property
    def candidates(self) -> int:
        """Candidates the search evaluates: population times generations."""
        return self.config.search.population * self.config.search.generations  # type: ignore[attr-defined]

    @property
    def runs(self) -> int:
        """Simulations of the whole search: candidates times replicates."""
        return self.candidates * self.config.replicates

    @classmethod
    def from_config(cls, config: Any, path: Path) -> Optimisation:
        """Resolve and check an optimisation config (:func:`check`)."""
        return check(config, path)


def _check_decisions(config: OptimiseConfig, path: Path) -> None:
    fields = numeric_fields(Scenario)
    seen: set[str] = set()
    for i, d in enumerate(config.decision):
        where = f"decision.{i}"
        if d.path in seen:
            raise InputError(path, f"{where}.path", f"{d.path!r} is decided twice")
        seen.add(d.path)
        if d.path not in fields or not d.path.startswith("policy."):
            policy = [p for p in fields if p.startswith("policy.")]
            raise InputError(path, f"{where}.path", f"not a lever setting: {d.path!r}{did_you_mean(d.path, policy)}")
        lo, hi = field_bounds(d.path)
        for v in (d.lower, d.upper):
            if not lo <= v <= hi:
                raise InputError(path, where, f"bound {v} outside the valid range [{lo}, {hi}] of {d.path}")
        if fields[d.path].annotation is int:
            raise InputError(path, f"{where}.path", f"{d.path} is a whole number; decisions are continuous")


def _check_objectives(config: OptimiseConfig, path: Path, targets: list[str]) -> tuple[Objective, ...]:
    out: list[Objective] = []
    for i, o in enumerate(config.objective):
        where = f"objective.{i}"
        if o.kind == "p_at_least" and (o.k is None or o.k > len(targets)):
            raise InputError(path, f"{where}.k", f"p_at_least needs k between 1 and {len(targets)} (the targets)")
        if o.kind != "p_at_least" and o.k is not None:
            raise InputError(path, f"{where}.k", f"k is for p_at_least, not {o.kind}")
        for iid in o.weights:
            if iid not in targets:
                raise InputError(path, f"{where}.weights.{iid}", f"not a counted target{did_you_mean(iid, targets)}")
        obj = Objective.from_table(o.model_dump())
        if obj.column in {x.column for x in out}:
            raise InputError(path, f"{where}.kind", f"objective {obj.column} is given twice")
        out.append(obj)
    if all(o.kind == "spending" for o in out):
        raise InputError(path, "objective", "give at least one objective besides spending")
    return tuple(out)


def _space(config: OptimiseConfig, path: Path, base: Scenario) -> Space:
    names = tuple(d.path for d in config.decision)
    budgets = {budget_path(lever): lever for lever in LEVERS}
    spend = np.array([PLAN_YEARS if n in budgets else 0.0 for n in names])
    fixed = PLAN_YEARS * sum(getattr(base.policy, lever).budget for p, lever in budgets.items() if p not in names)
    per_year = config.budget.per_year
    caps = [c for c in (config.budget.total, per_year * PLAN_YEARS if per_year else None) if c is not None]
    space = Space(
        names,
        np.array([d.lower for d in config.decision]),
        np.array([d.upper for d in config.decision]),
        spend,
        float(fixed),
        min(caps) if caps else None,
    )
    if space.cap is not None and space.least_spending > space.cap:
        raise InputError(
            path,
            "budget",
            f"no candidate fits: the levers not decided ({fixed:g}亿 over {PLAN_YEARS} years) and the decided "
            f"budgets at their lower bounds commit {space.least_spending:g}亿, above the cap of {space.cap:g}亿",
        )
    return space


def check(config: OptimiseConfig, path: Path) -> Optimisation:
    """Resolve and check a parsed optimisation file.

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    if config.output != Output():
        raise InputError(path, "output", "an optimisation keeps what its objectives need; remove [output]")
    _check_decisions(config, path)
    known = target_indicators()
    for i, iid in enumerate(config.targets):
        if iid not in known:
            raise InputError(path, f"targets.{i}", f"{iid!r} has no 2025 target{did_you_mean(iid, known)}")
    targets = list(dict.fromkeys(config.targets)) or known
    objectives = _check_objectives(config, path, targets)
    plan_years = list(range(PLAN_14[0], TARGET_YEAR + 1))
    kept = config.model_copy(update={"output": Output(indicators=[*targets, SPENDING_INDICATOR], years=plan_years)})
    base, choice, indicators, years = check_common(kept, path)
    if base.end_year < TARGET_YEAR:
        raise InputError(path, "scenario", f"the base scenario ends in {base.end_year}, before {TARGET_YEAR}")
    space = _space(config, path, base)
    check_size(config, path, base, config.search.population * config.search.generations, "candidates")
    points = pd.DataFrame({d.path: pd.Series(dtype=float) for d in config.decision})
    return Optimisation(config, path, base, {}, choice, points, indicators, years, space, objectives, tuple(targets))
