"""Sensitivity analysis of any Python function, for checks on analytic test functions and reuse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from innosim.sensitivity.methods import METHODS, Settings
from innosim.sensitivity.methods.base import unit_problem


def analyze_function(
    f: Callable[[np.ndarray], np.ndarray],
    parameters: Sequence[tuple[str, float, float]],
    method: str = "sobol",
    samples: int = 1024,
    seed: int = 1,
    **settings: Any,
) -> pd.DataFrame:
    """Sensitivity indices of ``f`` over uniform parameters, by the same engine as the model's analyses.

    Args:
        f: Takes X of shape (n, d) and returns Y of shape (n,) or (n, k).
        parameters: ``(name, lower, upper)`` for each of the d columns of X.
        method: A key of :data:`~innosim.sensitivity.methods.METHODS`.
        samples: Base sample size (see :class:`~innosim.sensitivity.methods.Settings`).
        seed: Seed of the sample and the bootstrap.
        **settings: Other :class:`~innosim.sensitivity.methods.Settings` fields
            (``second_order``, ``levels``, ``trajectories``, ...).

    Returns:
        One row per parameter: ``parameter`` and the method's indices (Sobol: ``S1,
        S1_conf, ST, ST_conf``; Morris: ``mu, mu_star, mu_star_conf, sigma``; ...). With
        k outputs, k blocks of rows with an ``output`` column (0..k-1).

    Raises:
        ValueError: an unknown method, settings the method does not allow, or a ``Y``
            of the wrong shape.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    m, s = METHODS[method], Settings(samples=samples, seed=seed, **settings)
    problem = unit_problem([p[0] for p in parameters])
    if (refused := m.check(s, len(parameters))) is not None:
        raise ValueError(f"{refused[0]}: {refused[1]}")
    lower = np.array([p[1] for p in parameters], dtype=float)
    upper = np.array([p[2] for p in parameters], dtype=float)
    unit = m.sample(problem, s)
    Y = np.asarray(f(lower + unit * (upper - lower)), dtype=float)
    if Y.shape[0] != len(unit) or Y.ndim not in (1, 2):
        raise ValueError(f"f returned shape {Y.shape}; expected ({len(unit)},) or ({len(unit)}, k)")
    if Y.ndim == 1:
        return m.analyze(problem, unit, Y, s).reset_index()
    return pd.concat(
        [m.analyze(problem, unit, Y[:, j], s).reset_index().assign(output=j) for j in range(Y.shape[1])],
        ignore_index=True,
    )
