"""What a lever mix achieves, from its paired replicates: target attainment and spending.

Every statistic is computed over a candidate's replicates (each its own random path and
posterior draw, the same for every candidate), with its standard error:

- ``targets_met``: expected number of 2025 targets met (the mean count; error sd/sqrt(n));
- ``p_all``: probability that every target is met; ``p_at_least`` (with ``k``): that at least
  ``k`` are (binomial error);
- ``shortfall``: expected weighted shortfall, ``sum(w * max(0, gap) / target) / sum(w)``, where the
  gap is how far the value falls short of its target (error sd/sqrt(n));
- ``worst_targets_met`` (with ``share``): the mean count over the worst ``share`` of replicates,
  a robustness statistic over posterior draws and random paths (error by a seeded bootstrap);
- ``spending``: committed spending over 2021-2025 (亿元), every lever's annual budget times
  five; known exactly.

A target is met at or above it (at or below where lower is better), as in ``compare``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from innosim import labels as lb
from innosim.effects import attainment
from innosim.indicators import INDICATORS

Kind = Literal["targets_met", "p_all", "p_at_least", "shortfall", "worst_targets_met", "spending"]
SPENDING = "total_spending"
"""The column of committed spending 2021-2025 (亿元), the ``spending`` objective's column."""
MAXIMISE: dict[str, bool] = {
    "targets_met": True,
    "p_all": True,
    "p_at_least": True,
    "shortfall": False,
    "worst_targets_met": True,
    "spending": False,
}
BOOTSTRAP = 200
"""Resamples for the standard error of ``worst_targets_met``."""
_BOOTSTRAP_KEY = 0x626F6F74


@dataclass(frozen=True)
class Objective:
    """One objective: its kind and settings (see the module docstring)."""

    kind: Kind
    k: int | None = None
    share: float = 0.25
    weights: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Objective:
        """The objective of an ``[[objective]]`` table (as a file or a manifest holds it)."""
        return cls(
            table["kind"], table.get("k"), table.get("share", 0.25), tuple(sorted(table.get("weights", {}).items()))
        )

    @property
    def column(self) -> str:
        """Its column in evaluation tables."""
        if self.kind == "p_at_least":
            return f"p_at_least_{self.k}"
        if self.kind == "worst_targets_met":
            return f"worst_targets_met_{round(100 * self.share)}"
        return SPENDING if self.kind == "spending" else self.kind

    @property
    def sense(self) -> int:
        """+1 to maximise, -1 to minimise."""
        return 1 if MAXIMISE[self.kind] else -1

    def label(self, lang: str = "en") -> str:
        """Its name in ``lang`` (``zh`` or ``en``)."""
        return lb.objective(self.kind, lang, k=self.k, pct=round(100 * self.share))


def shortfall(values: pd.DataFrame, targets: list[str], weights: dict[str, float]) -> np.ndarray:
    """Weighted relative shortfall of each row against the 2025 targets (0 where all are met)."""
    total, weight = np.zeros(len(values)), 0.0
    for t in targets:
        ind, w = INDICATORS[t], weights.get(t, 1.0)
        target = float(ind.target())  # type: ignore[arg-type]
        gap = (target - values[t]) if ind.higher_is_better else (values[t] - target)
        total += w * np.maximum(gap.to_numpy(dtype=float), 0.0) / abs(target)
        weight += w
    return total / weight


def format_estimate(value: float, se: float | None) -> str:
    """``value ± se`` to three and two significant digits (the value alone where there is no error)."""
    return f"{value:.3g}" + ("" if se is None or pd.isna(se) else f" ± {se:.2g}")


def _mean(x: np.ndarray) -> tuple[float, float]:
    n = len(x)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")


def _worst_mean(x: np.ndarray, share: float) -> float:
    m = max(1, int(np.ceil(share * len(x))))
    return float(np.sort(x)[:m].mean())


def estimate(
    objective: Objective, values: pd.DataFrame, targets: list[str], spending: float, seed: int = 0
) -> tuple[float, float]:
    """One candidate's estimate of ``objective`` and its standard error.

    Args:
        objective: What to estimate.
        values: One row per replicate, one column per target indicator (2025 values).
        targets: The targets counted.
        spending: The candidate's committed spending (亿元).
        seed: Seed of the bootstrap (the same for every candidate).
    """
    if objective.kind == "spending":
        return spending, 0.0
    met = attainment(values, targets).to_numpy()
    count = met.sum(axis=1).astype(float)
    n = len(count)
    if objective.kind == "targets_met":
        return _mean(count)
    if objective.kind in ("p_all", "p_at_least"):
        k = len(targets) if objective.kind == "p_all" else int(objective.k or 0)
        p = float((count >= k).mean())
        return p, float(np.sqrt(p * (1 - p) / n))
    if objective.kind == "shortfall":
        return _mean(shortfall(values, targets, dict(objective.weights)))
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_BOOTSTRAP_KEY,))))
    boot = [_worst_mean(count[rng.integers(0, n, n)], objective.share) for _ in range(BOOTSTRAP)]
    return _worst_mean(count, objective.share), float(np.std(boot, ddof=1))
