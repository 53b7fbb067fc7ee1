"""Parameter sets from the calibration posterior, for every run.

``innosim calibrate`` writes a posterior ensemble: a CSV with one weighted parameter
set per row (column ``weight`` and one column per dotted path under
``parameters.``). The fitted posterior of the 13th-plan calibration ships with the
package. By default each replicate of every run draws one row, with the draw fixed by
the replicate's seed, so projections carry parameter uncertainty as well as noise, and
replicate ``k`` of two scenarios run with the same seed uses the same parameter set.

What a scenario sets explicitly (in its file, its ``base`` chain or a ``--set``) wins
over the posterior: a sweep of ``parameters.spillover`` sweeps it, whatever the
posterior says.

Choices (:func:`parameter_choice`, ``innosim run --parameters``):

- ``posterior`` (default): a weighted draw per replicate;
- ``full``: a posterior draw per replicate as ``posterior``, and every other float parameter
  that declares a prior range drawn uniformly within it (:func:`prior_draw`), so that the
  intervals carry the uncertainty of the parameters the calibration did not fit too. The
  fitted parameters' posterior was conditioned on the declared values of the others, so this
  is an approximation (a "cut" of the joint posterior), not a refit: it shows how much wider
  a projection is when nothing beyond the fit is taken as known;
- ``mean``: the posterior mean for every replicate;
- ``map``: the particle of highest posterior density (weighted Gaussian kernel
  density over the ensemble, in standardised coordinates) for every replicate;
- ``defaults``: the values declared in :class:`~innosim.scenario.Parameters` (the
  hand calibration and prior centres), no posterior.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from innosim.errors import InputError, option
from innosim.fields import bounds, numeric_fields, prior
from innosim.files import read_csv
from innosim.scenario import Scenario

Mode = Literal["posterior", "full", "mean", "map", "defaults"]
MODES: tuple[str, ...] = ("posterior", "full", "mean", "map", "defaults")
_DRAW_KEY = 0x706F7374  # spawn key that separates the posterior draw from the model's streams
_PRIOR_KEY = 0x7072696F  # and the prior draws of mode "full" from both


class Posterior:
    """A weighted ensemble of parameter sets.

    Args:
        values: One row per particle, one column per dotted path (``parameters.x``).
        weights: Non-negative particle weights (normalised here).
        source: Where it came from (file path or ``"shipped"``).
        manifest: The calibration manifest, if known.
    """

    def __init__(
        self, values: pd.DataFrame, weights: np.ndarray, source: str = "", manifest: dict[str, Any] | None = None
    ) -> None:
        self.values = values.reset_index(drop=True)
        w = np.asarray(weights, dtype=float)
        self.weights = w / w.sum()
        self.source = source
        self.manifest = manifest or {}

    @property
    def paths(self) -> list[str]:
        """Dotted paths of the parameters the posterior covers."""
        return list(self.values.columns)

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def load(cls, path: str | Path) -> Posterior:
        """Read and check a posterior CSV (and the manifest beside it, if any).

        Raises:
            InputError: missing file, no ``weight`` column, an unknown or non-float
                parameter path, a value outside the parameter's valid range, or
                weights that are negative or all zero.
        """
        path = Path(path)
        frame = read_csv(path, "posterior file")
        if "weight" not in frame.columns:
            raise InputError(path, "weight", "missing column: a posterior needs a 'weight' column")
        if frame.empty:
            raise InputError(path, "", "has no rows; a posterior needs at least one weighted parameter set")
        if len(frame.columns) < 2:
            raise InputError(path, "", "has no parameter columns (expected parameters.<name> beside weight)")
        fields = numeric_fields(Scenario)
        for col in frame.columns.drop("weight"):
            if col not in fields or not col.startswith("parameters."):
                raise InputError(path, col, "not a behavioural parameter path (expected parameters.<name>)")
            if fields[col].annotation is not float:
                raise InputError(path, col, "integer parameters cannot be drawn from a posterior")
            if not pd.api.types.is_numeric_dtype(frame[col]) or frame[col].isna().any():
                raise InputError(path, col, "has empty or non-numeric values")
            lo, hi = bounds(fields[col])
            bad = frame[col][(frame[col] < lo) | (frame[col] > hi)]
            if len(bad):
                raise InputError(path, col, f"value {bad.iloc[0]} outside the valid range [{lo}, {hi}]")
        w = frame["weight"]
        if not pd.api.types.is_numeric_dtype(w) or w.isna().any():
            raise InputError(path, "weight", "has empty or non-numeric values; weights must be numbers")
        if (w < 0).any() or not np.isfinite(w).all():
            raise InputError(
                path, "weight", f"has a negative or infinite weight ({w[(w < 0) | ~np.isfinite(w)].iloc[0]})"
            )
        with np.errstate(over="ignore"):
            total = float(w.to_numpy(dtype=float).sum())
        if not np.isfinite(total):
            raise InputError(path, "weight", "weights sum to infinity; scale them down (only their ratios matter)")
        if total <= 0:
            raise InputError(path, "weight", "weights are all zero")
        manifest_path = path.with_suffix(".json")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(manifest_path, "", "is not valid JSON (the posterior's manifest)") from None
        if not isinstance(manifest, dict):
            raise InputError(manifest_path, "", "is not a manifest innosim wrote (not a JSON object)")
        return cls(frame.drop(columns="weight"), w.to_numpy(), str(path), manifest)

    @functools.cached_property
    def sha256(self) -> str:
        """Hash of the ensemble (values and weights), first 16 hex digits."""
        h = hashlib.sha256(self.values.to_csv(index=False).encode())
        h.update(self.weights.tobytes())
        return h.hexdigest()[:16]

    # ---- summaries
    def draw_index(self, seed: int) -> int:
        """The particle drawn for a replicate seed (weighted, reproducible)."""
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_DRAW_KEY,))))
        return int(rng.choice(len(self), p=self.weights))

    def row(self, index: int) -> dict[str, float]:
        """Particle ``index`` as ``{path: value}``."""
        return {p: float(v) for p, v in self.values.iloc[index].items()}

    def mean(self) -> dict[str, float]:
        """Weighted posterior mean of every parameter."""
        return {p: float(np.dot(self.weights, self.values[p].to_numpy())) for p in self.paths}

    @functools.cached_property
    def map_index(self) -> int:
        """Particle with the highest weighted kernel density (standardised coordinates)."""
        from scipy.stats import gaussian_kde

        x = self.values.to_numpy(dtype=float)
        sd = x.std(axis=0)
        z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        keep = sd > 0
        if not keep.any() or len(self) <= keep.sum():
            return int(np.argmax(self.weights))
        kde = gaussian_kde(z[:, keep].T, weights=self.weights)
        return int(np.argmax(kde(z[:, keep].T)))

    def quantiles(self, qs: tuple[float, ...] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Weighted quantiles: one row per parameter, one column per quantile."""
        rows = {}
        for p in self.paths:
            v = self.values[p].to_numpy()
            order = np.argsort(v, kind="stable")
            cdf = np.cumsum(self.weights[order]) - 0.5 * self.weights[order]
            rows[p] = [float(np.interp(q, cdf, v[order])) for q in qs]
        return pd.DataFrame.from_dict(rows, orient="index", columns=[f"q{round(q * 100):02d}" for q in qs])


def field_bounds(path: str) -> tuple[float, float]:
    """Valid range ``(ge, le)`` of a numeric scenario field."""
    return bounds(numeric_fields(Scenario)[path])


SHIPPED = "posterior.csv"


@functools.cache
def shipped_posterior() -> Posterior:
    """The posterior of the 13th-plan calibration shipped with innosim."""
    ref = resources.files("innosim") / "data" / SHIPPED
    with resources.as_file(ref) as path:
        post = Posterior.load(path)
    post.source = "shipped"
    return post


def prior_paths(skip: list[str] | tuple[str, ...] = ()) -> tuple[str, ...]:
    """Dotted paths of the float behavioural parameters that declare a prior range, less ``skip``."""
    fields = numeric_fields(Scenario)
    return tuple(
        p
        for p, info in fields.items()
        if p.startswith("parameters.") and info.annotation is float and prior(info) and p not in skip
    )


def prior_draw(paths: tuple[str, ...], seed: int) -> dict[str, float]:
    """One draw of each of ``paths`` from its declared prior range (uniform), fixed by the replicate ``seed``."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_PRIOR_KEY,))))
    fields = numeric_fields(Scenario)
    return {p: float(rng.uniform(*cast(tuple[float, float], prior(fields[p])))) for p in paths}


def apply_parameters(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with ``values`` set, except the parameters the scenario sets itself."""
    explicit = set(scenario.fixed)
    chosen = {p: v for p, v in values.items() if p not in explicit}
    return scenario.with_overrides(chosen, source="posterior") if chosen else scenario


@dataclass(frozen=True)
class ParameterChoice:
    """How each replicate's behavioural parameters are chosen."""

    mode: Mode = "posterior"
    posterior: Posterior | None = None

    def for_replicate(self, scenario: Scenario, seed: int) -> tuple[Scenario, int]:
        """The scenario replicate ``seed`` runs, and the posterior row it drew (-1: none)."""
        if self.mode == "defaults" or self.posterior is None:
            return scenario, -1
        post = self.posterior
        index = post.map_index if self.mode == "map" else -1 if self.mode == "mean" else post.draw_index(seed)
        values = post.mean() if self.mode == "mean" else post.row(index)
        if self.mode == "full":
            values |= prior_draw(self.prior_paths, seed)
        return apply_parameters(scenario, values), index

    @property
    def prior_paths(self) -> tuple[str, ...]:
        """The parameters drawn from their priors (mode ``full``): those with a prior the posterior lacks."""
        if self.mode != "full" or self.posterior is None:
            return ()
        return prior_paths(self.posterior.paths)

    def describe(self) -> dict[str, Any]:
        """For manifests: the mode and which posterior."""
        if self.mode == "defaults" or self.posterior is None:
            return {"mode": "defaults"}
        return {
            "mode": self.mode,
            "posterior": self.posterior.source,
            "posterior_sha256": self.posterior.sha256,
            "particles": len(self.posterior),
            "paths": self.posterior.paths,
            **({"prior_paths": list(self.prior_paths)} if self.mode == "full" else {}),
        }

    def sources(self, scenario: Scenario) -> dict[str, list[str]]:
        """Where each behavioural parameter of ``scenario`` comes from, for manifests.

        ``fixed``: set by the scenario; ``drawn``: taken per replicate from the posterior
        (its draw, mean or mode, by ``mode``), or in mode ``full`` from the priors of the
        others; ``declared``: none of these, so the declared value.
        """
        paths = [] if self.mode == "defaults" or self.posterior is None else self.posterior.paths
        drawn = list(scenario.drawn([*paths, *self.prior_paths]))
        taken = set(scenario.fixed) | set(drawn)
        declared = [p for p in numeric_fields(Scenario) if p.startswith("parameters.") and p not in taken]
        return {"fixed": list(scenario.fixed), "drawn": drawn, "declared": declared}


def parameter_choice(
    mode: str | ParameterChoice = "posterior", posterior: str | Path | Posterior | None = None
) -> ParameterChoice:
    """Resolve ``--parameters`` and ``--posterior`` into a :class:`ParameterChoice`.

    Raises:
        InputError: an unknown mode or a bad posterior file.
    """
    if isinstance(mode, ParameterChoice):
        return mode
    if mode not in MODES:
        raise InputError(option("parameters"), mode, f"unknown choice; expected one of {', '.join(MODES)}")
    if mode == "defaults":
        return ParameterChoice("defaults")
    if posterior is None:
        post = shipped_posterior()
    elif isinstance(posterior, Posterior):
        post = posterior
    else:
        post = Posterior.load(posterior)
    return ParameterChoice(mode, post)  # type: ignore[arg-type]
