"""The interface every sensitivity method implements."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Settings:
    """Settings of a sensitivity analysis; each method reads the ones it uses.

    Attributes:
        samples: Base sample size N (Sobol: a power of two; Morris: trajectories;
            eFAST: samples per factor; RBD-FAST, PAWN: sample points).
        seed: Seed of the sample and of the bootstrap.
        second_order: Sobol: also compute S2 (costs N·D more runs).
        levels: Morris: grid levels (even).
        trajectories: Morris: keep this many optimal trajectories out of ``samples``
            candidates (Campolongo et al. 2007); ``None`` keeps all.
        interference: eFAST: interference factor M.
        harmonics: RBD-FAST: harmonics M.
        slices: PAWN: conditioning slices S.
        resamples: Bootstrap resamples for confidence intervals.
        conf_level: Confidence level of the intervals.
    """

    samples: int
    seed: int = 0
    second_order: bool = False
    levels: int = 4
    trajectories: int | None = None
    interference: int = 4
    harmonics: int = 10
    slices: int = 10
    resamples: int = 100
    conf_level: float = 0.95


def unit_problem(names: list[str], groups: list[str] | None = None) -> dict[str, Any]:
    """A SALib problem over the unit hypercube."""
    problem: dict[str, Any] = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if groups is not None:
        problem["groups"] = list(groups)
    return problem


def factors_of(problem: dict[str, Any]) -> list[str]:
    """What indices are reported for: the groups if any, else the factors (in first-seen order)."""
    groups = problem.get("groups")
    return list(dict.fromkeys(groups)) if groups else list(problem["names"])


class Method:
    """A sensitivity method.

    Attributes:
        name: Registry key (used in experiment files).
        label: Name for people.
        main: The index factors are ranked by.
        groups: Whether factors may be grouped.
        indices: Columns of :meth:`analyze`'s table.
    """

    name: str = ""
    label: str = ""
    main: str = ""
    groups: bool = False
    indices: tuple[str, ...] = ()

    def runs(self, settings: Settings, factors: int) -> int:
        """Model evaluations the design needs for ``factors`` factors (or groups)."""
        raise NotImplementedError

    def check(self, settings: Settings, factors: int) -> tuple[str, str] | None:
        """``(setting, why)`` if ``settings`` are not allowed for this method, else ``None``."""
        return None

    def sample(self, problem: dict[str, Any], settings: Settings) -> np.ndarray:
        """Points of the unit hypercube, shape (runs, num_vars)."""
        raise NotImplementedError

    def _analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> dict[str, Any]:
        raise NotImplementedError

    def analyze(self, problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, settings: Settings) -> pd.DataFrame:
        """Indices of one output ``Y`` (shape (runs,)) sampled at ``X``: one row per factor or group.

        An output that does not vary has no variance to apportion: its indices are NaN.
        Second-order Sobol indices, when computed, are in ``.attrs["S2"]`` (and ``"S2_conf"``).
        """
        names = factors_of(problem)
        Y = np.asarray(Y, dtype=float)
        if not np.all(np.isfinite(Y)) or np.ptp(Y) == 0:
            return pd.DataFrame(np.nan, index=pd.Index(names, name="parameter"), columns=list(self.indices))
        with warnings.catch_warnings():  # SALib's notes on degenerate resamples and on eFAST's intervals,
            warnings.simplefilter("ignore")  # which the method modules and docs/sensitivity.md state once
            result = self._analyze(problem, X, Y, settings)
        table = pd.DataFrame(
            {k: np.asarray(result[k], dtype=float) for k in self.indices}, index=pd.Index(names, name="parameter")
        )
        if "S2" in result:
            table.attrs["S2"] = pd.DataFrame(result["S2"], index=names, columns=names)
            table.attrs["S2_conf"] = pd.DataFrame(result["S2_conf"], index=names, columns=names)
        return table


class LatinMethod(Method):
    """A method that analyses a Latin hypercube of ``samples`` points (SALib's ``latin`` sampler)."""

    def runs(self, settings: Settings, factors: int) -> int:
        return settings.samples

    def sample(self, problem: dict[str, Any], settings: Settings) -> np.ndarray:
        from SALib.sample import latin

        return latin.sample(problem, settings.samples, seed=settings.seed)
