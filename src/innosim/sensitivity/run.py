"""Run a sensitivity experiment through the executor and analyse it, year by year.

The sample's points run like a sweep (:func:`innosim.sweep.run_experiment`): through
the project's executor, streamed to Parquet, resumable after a kill. Each point runs
``replicates`` replicates with the same seeds at every point (common random numbers),
and the analysis uses their mean, per indicator and year; indices are computed for
every year kept (by default 2021-2025), so users see when a lever's influence arrives.

Outputs beside the runs: ``indices.csv`` and ``indices.parquet`` (tidy: ``indicator,
year, method, parameter, index, value, conf``) and the figures of
:mod:`innosim.sensitivity.plots`.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from innosim.executor import Executor
from innosim.experiments.kinds import load_sensitivity
from innosim.experiments.runner import run_experiment
from innosim.indicators import INDICATOR_ORDER
from innosim.progress import Progress, reporting
from innosim.sensitivity.config import Sensitivity
from innosim.store import RESULTS, write_atomic

INDICES = "indices"
"""Stem of the index tables (``indices.csv``, ``indices.parquet``)."""
COLUMNS = ["indicator", "year", "method", "parameter", "index", "value", "conf"]
"""Columns of the tidy index table. ``conf`` is the half-width of the confidence interval
(NaN where the method gives none); ``parameter`` is a factor path, a group name, or
``"a × b"`` for second-order Sobol indices."""


def _tidy(table: pd.DataFrame, indicator: str, year: int, method: str) -> list[tuple]:
    rows = []
    for parameter, row in table.iterrows():
        for index in table.columns:
            if index.endswith("_conf"):
                continue
            conf = row.get(f"{index}_conf", np.nan)
            rows.append((indicator, year, method, parameter, index, float(row[index]), float(conf)))
    s2, s2_conf = table.attrs.get("S2"), table.attrs.get("S2_conf")
    if s2 is not None:
        names = list(s2.index)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                rows.append(
                    (indicator, year, method, f"{a} × {b}", "S2", float(s2.loc[a, b]), float(s2_conf.loc[a, b]))
                )
    return rows


def analyse(sens: Sensitivity, results: pd.DataFrame) -> pd.DataFrame:
    """Indices per indicator and year from a results table (columns ``point, indicator, year, value``).

    Replicates are averaged per point before the analysis.
    """
    means = results.groupby(["indicator", "year", "point"], sort=False)["value"].mean()
    rows: list[tuple] = []
    for (indicator, year), y in means.groupby(level=["indicator", "year"], sort=False):
        Y = y.droplevel(["indicator", "year"]).reindex(range(len(sens.points))).to_numpy()
        rows += _tidy(
            sens.method.analyze(sens.problem, sens.unit, Y, sens.settings), indicator, int(year), sens.method.name
        )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["_o"] = out["indicator"].map(INDICATOR_ORDER)
    return out.sort_values(["_o", "year"], kind="stable").drop(columns="_o").reset_index(drop=True)


def ranking(indices: pd.DataFrame, sens: Sensitivity, year: int | None = None, top: int = 5) -> pd.DataFrame:
    """The ``top`` factors per indicator by the method's main index in ``year`` (default: the last)."""
    return rank_by(indices, sens.method.main, year or max(sens.years), top)


def rank_by(indices: pd.DataFrame, index: str, year: int, top: int = 5) -> pd.DataFrame:
    """The ``top`` factors per indicator by the absolute value of ``index`` in ``year``, with a ``rank`` column."""
    main = indices[(indices["index"] == index) & (indices["year"] == year)]
    main = main.assign(_abs=main["value"].abs()).sort_values(
        ["indicator", "_abs"], ascending=[True, False], kind="stable"
    )
    ranked = main.groupby("indicator", sort=False).head(top).drop(columns="_abs")
    ranked = ranked.assign(rank=ranked.groupby("indicator").cumcount() + 1)
    return ranked.sort_values(
        ["indicator", "rank"], key=lambda c: c.map(INDICATOR_ORDER) if c.name == "indicator" else c, kind="stable"
    ).reset_index(drop=True)


def sensitivity(
    experiment: Sensitivity | str | Path,
    out: str | Path | None = None,
    workers: int = 0,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Progress = None,
    checkpoint: float = 10.0,
    executor: Executor | None = None,
    figures: bool = True,
    announce: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run a sensitivity experiment and analyse it.

    Args:
        experiment: A checked :class:`~innosim.sensitivity.config.Sensitivity` or a file.
        out: Result directory; ``None`` runs in a temporary one (and draws no figures).
        workers, scheduler, resume, overwrite, progress, checkpoint, executor, announce: As for
            :func:`innosim.sweep`.
        figures: Draw the figures beside the tables.

    Returns:
        The tidy index table (:data:`COLUMNS`).

    Raises:
        InputError: a bad file, or an ``out`` that holds another job.
    """
    sens = experiment if isinstance(experiment, Sensitivity) else load_sensitivity(experiment)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="innosim-sensitivity-") as tmp:
            return sensitivity(
                sens, tmp, workers, scheduler, False, False, progress, checkpoint, executor, False, announce
            )
    from innosim.sensitivity.plots import FIGURES, plot_all

    with (
        reporting(progress, sens.runs, f"{sens.config.name}: runs") as advance,
        run_experiment(
            sens,
            Path(out),
            workers,
            scheduler,
            resume,
            overwrite,
            advance,
            checkpoint,
            executor,
            (f"{INDICES}.csv", f"{INDICES}.parquet", *FIGURES),
            announce,
        ) as store,
    ):
        indices = analyse(sens, pd.read_parquet(store.out / RESULTS, columns=["point", "indicator", "year", "value"]))
        write_atomic(store.out / f"{INDICES}.csv", indices.to_csv(index=False))
        buffer = io.BytesIO()
        indices.to_parquet(buffer, index=False)
        write_atomic(store.out / f"{INDICES}.parquet", buffer.getvalue())
        if figures:
            plot_all(sens, indices, store.out)
    return indices
