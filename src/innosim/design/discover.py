"""Scenario discovery on sweep and optimisation results (:func:`discover`): PRIM, CART, feature scores.

The cases are the runs of a sweep or optimisation directory: each run's inputs are its
point's factors (levers, parameters the sweep varied) and, when its parameters were drawn
from a posterior, the drawn particle's values (the uncertain parameters); its outcome is a
condition on its indicators in one year, written as an expression over columns named by
indicator id (``rd_expenditure >= 60``), ``<id>_met`` (whether the 2025 target is met) and
``targets_met`` (how many are), e.g. ``"targets_met >= 6"`` or ``"rd_expenditure_met and
hte_count > 2000"``.

The EMA Workbench's implementations do the analysis (Kwakkel 2017):

- **PRIM** (Friedman & Fisher 1999; Bryant & Lempert 2010): the peeling trajectory (coverage
  against density) is ``peeling.csv``; the box chosen is the densest with at least
  ``min_coverage`` of the cases of interest, and ``boxes.csv`` gives its limits with their
  quasi-p-values (a restriction with a quasi-p-value above 0.05 is not significant);
- **CART** (Breiman et al. 1984): the leaves of a classification tree, ``cart.csv``;
- **feature scores** (extra trees): how much each input decides the condition, ``features.csv``.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import provenance
from innosim.design import require_extra
from innosim.effects import attainment
from innosim.errors import InputError, option
from innosim.experiments.runner import RUN_COLUMNS
from innosim.indicators import INDICATORS
from innosim.posterior import Posterior, shipped_posterior
from innosim.store import write_atomic
from innosim.timeline import TARGET_YEAR
from innosim.verification import RESULTS

SOURCES = ("sweep", "optimisation")
"""Kinds of result directories that discovery reads."""
FILES = ("peeling.csv", "boxes.csv", "cart.csv", "features.csv", "cases.csv")
SIGNIFICANT = 0.05
"""Quasi-p-value below which a box restriction is significant."""
_TREE_SEED = 20260101


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found (tables described in the module docstring).

    Attributes:
        condition: The condition, as given.
        year: The year it was evaluated in.
        x: The inputs of every case.
        y: Whether each case meets the condition.
        peeling, box, cart, features: The tables.
        stats: Coverage, density, mass and restricted dimensions of the chosen box.
    """

    condition: str
    year: int
    x: pd.DataFrame
    y: np.ndarray
    peeling: pd.DataFrame
    box: pd.DataFrame
    cart: pd.DataFrame
    features: pd.DataFrame
    stats: dict[str, float] = field(default_factory=dict)

    def save(self, out: str | Path, source: str | Path | None = None) -> Path:
        """Write the tables and a manifest to ``out`` (created); returns it."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        tables = (self.peeling, self.box, self.cart, self.features, self.x.assign(condition=self.y))
        for name, table in zip(FILES, tables):
            write_atomic(out / name, table.to_csv(index=False))
        doc = provenance.manifest(
            "discovery",
            "innosim.discover",
            condition=self.condition,
            year=self.year,
            source=str(source) if source is not None else None,
            cases=len(self.y),
            of_interest=int(self.y.sum()),
            box=self.stats,
            finished=provenance.now(),
        )
        write_atomic(out / provenance.MANIFEST, json.dumps(doc, ensure_ascii=False, indent=2))
        return out


def cases(folder: str | Path, condition: str, year: int = TARGET_YEAR) -> tuple[pd.DataFrame, np.ndarray]:
    """The inputs and the condition of every run of a sweep or optimisation directory.

    Raises:
        InputError: not such a directory, the year not kept, or a condition that is not a
            true/false expression over the known columns.
    """
    folder = Path(folder)
    manifest = provenance.read_manifest(folder)
    if manifest["kind"] not in SOURCES:
        raise InputError(folder, "", f"holds {manifest['kind']} results; discovery reads a sweep or an optimisation")
    if not (folder / RESULTS).is_file():
        raise InputError(folder, "", f"has no {RESULTS}: the job is not finished ({option('resume')} it first)")
    table = pd.read_parquet(folder / RESULTS)
    kept = sorted(int(y) for y in table["year"].unique())
    if year not in kept:
        raise InputError(
            option("year"), str(year), f"not kept in {folder / RESULTS} (kept: {', '.join(map(str, kept))})"
        )
    factors = [c for c in table.columns if c not in (*RUN_COLUMNS, "year", "indicator", "value")]
    at = table[table["year"] == year]
    wide = at.pivot_table(index="run", columns="indicator", values="value", aggfunc="first")
    meta = at.drop_duplicates("run").set_index("run").loc[wide.index, ["draw", *factors]]  # rows as in wide
    wide.columns = [str(c) for c in wide.columns]
    if year == TARGET_YEAR:
        targets = [t for t in wide.columns if INDICATORS[t].target() is not None]
        met = attainment(wide, targets)
        wide = wide.join(met.add_suffix("_met")).assign(targets_met=met.sum(axis=1))
    y = _condition(wide, condition)
    x = meta[factors].reset_index(drop=True)
    drawn = _drawn(manifest, meta["draw"].to_numpy())
    if drawn is not None:
        x = pd.concat([x, drawn], axis=1)
    varied = [c for c in x.columns if x[c].nunique() > 1]
    return x[varied], y


def _condition(wide: pd.DataFrame, condition: str) -> np.ndarray:
    safe = {c: re.sub(r"\W", "_", c) for c in wide.columns}
    try:
        result = wide.rename(columns=safe).eval(condition)
    except Exception as exc:  # pandas raises many kinds for a bad expression
        names = ", ".join(sorted(safe.values()))
        raise InputError(option("where"), condition, f"cannot be evaluated ({exc}); the columns are: {names}") from None
    if not isinstance(result, pd.Series) or result.dtype != bool:
        raise InputError(option("where"), condition, "is not a true/false condition (compare with >=, <, ==)")
    return result.to_numpy()


def _drawn(manifest: dict[str, Any], draws: np.ndarray) -> pd.DataFrame | None:
    """The posterior particle of each run (its uncertain parameters), if they were drawn."""
    params = manifest.get("parameters", {})
    if params.get("mode") != "posterior" or (draws < 0).all():
        return None
    post = shipped_posterior() if params.get("posterior") == "shipped" else Posterior.load(params["posterior"])
    if post.sha256 != params.get("posterior_sha256"):
        raise InputError(
            params.get("posterior"), "", "has changed since the runs; the drawn parameters cannot be recovered"
        )
    return post.values.iloc[draws].reset_index(drop=True)


def prim_box(x: pd.DataFrame, y: np.ndarray, min_coverage: float = 0.8, mass_min: float = 0.05) -> tuple[
    pd.DataFrame, pd.DataFrame, dict[str, float]
]:  # fmt: skip
    """PRIM's peeling trajectory and the densest box with at least ``min_coverage``: its limits
    (``input, lower, upper, qp_lower, qp_upper, restricted``) and statistics.

    A limit whose quasi-p-value is above :data:`SIGNIFICANT` is dropped (set to the data's range),
    and the box's coverage, density and mass are those of the box without it.
    """
    with warnings.catch_warnings():  # the Workbench warns on import about optional evaluators
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x, y, mass_min=mass_min).find_box()
    trajectory = box.peeling_trajectory.copy()
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    chosen = int(eligible.loc[eligible["density"].idxmax(), "id"]) if len(eligible) else 0
    limits = box.box_lims[chosen]
    qp = box.p_values[chosen] if chosen < len(box.p_values) else {}
    rows, inside = [], np.ones(len(y), dtype=bool)
    for name in x.columns:
        lo, hi = limits[name].iloc[0], limits[name].iloc[1]
        p_lo, p_hi = (np.nan if p < 0 else p for p in qp.get(name, (-1.0, -1.0)))
        numeric = pd.api.types.is_numeric_dtype(x[name])
        if numeric:  # a restriction that is not significant is dropped
            lo = lo if p_lo <= SIGNIFICANT else x[name].min()
            hi = hi if p_hi <= SIGNIFICANT else x[name].max()
            inside &= (x[name] >= lo).to_numpy() & (x[name] <= hi).to_numpy()
        rows.append(
            {
                "input": name,
                "lower": lo,
                "upper": hi,
                "qp_lower": p_lo if p_lo <= SIGNIFICANT else np.nan,
                "qp_upper": p_hi if p_hi <= SIGNIFICANT else np.nan,
                "restricted": bool(p_lo <= SIGNIFICANT or p_hi <= SIGNIFICANT) if numeric else name in qp,
            }
        )
    table = pd.DataFrame(rows)
    stats = {
        "box": chosen,
        "coverage": float(y[inside].sum() / y.sum()),
        "density": float(y[inside].mean()) if inside.any() else float("nan"),
        "mass": float(inside.mean()),
        "res_dim": int(table["restricted"].sum()),
    }
    trajectory["chosen"] = trajectory["id"] == chosen
    return trajectory, table, stats


def cart_leaves(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05) -> pd.DataFrame:
    """The leaves of a CART classification tree: each one's limits and its coverage, density and mass."""
    with warnings.catch_warnings():  # the Workbench warns on import about optional evaluators
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart

        tree = cart.CART(x, y, mass_min=mass_min)
        tree.build_tree()
    stats = tree.stats_to_dataframe()
    rows = []
    for i, box in enumerate(tree.boxes):
        record: dict[str, Any] = {
            "leaf": i + 1,
            **{k.replace(" ", "_"): float(stats.iloc[i][k]) for k in stats.columns},
        }
        for name in box.columns:
            record[f"{name} lower"], record[f"{name} upper"] = box[name].iloc[0], box[name].iloc[1]
        rows.append(record)
    return pd.DataFrame(rows)


def feature_scores(x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """Extra-trees feature scores of every input for the condition, highest first."""
    with warnings.catch_warnings():  # the Workbench warns on import about optional evaluators
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring

        scores, _ = feature_scoring.get_ex_feature_scores(
            x, y, mode=feature_scoring.RuleInductionType.CLASSIFICATION, random_state=_TREE_SEED
        )
    return scores.reset_index().set_axis(["input", "score"], axis=1)


def discover(
    results: str | Path,
    condition: str,
    year: int = TARGET_YEAR,
    min_coverage: float = 0.8,
    mass_min: float = 0.05,
    out: str | Path | None = None,
) -> Discovery:
    """Scenario discovery on a sweep or optimisation directory (see the module docstring).

    Args:
        results: The directory.
        condition: The outcome of interest, an expression over the run's indicators.
        year: The year the condition is evaluated in.
        min_coverage: PRIM's box is the densest with at least this coverage.
        mass_min: Smallest share of the cases a PRIM box or CART leaf may hold.
        out: Write the tables here (default: nothing written).

    Raises:
        InputError: a bad directory or condition, or a condition every case (or none) meets.
    """
    require_extra()
    x, y = cases(results, condition, year)
    if y.all() or not y.any():
        share = "every" if y.all() else "no"
        raise InputError(option("where"), condition, f"{share} case of {len(y):,} meets it: nothing to discover")
    if x.shape[1] == 0:
        raise InputError(results, "", "no input varies between its runs: nothing to discover")
    peeling, box, stats = prim_box(x, y, min_coverage, mass_min)
    found = Discovery(condition, year, x, y, peeling, box, cart_leaves(x, y, mass_min), feature_scores(x, y), stats)
    if out is not None:
        found.save(out, results)
    return found
