"""Figures of a sensitivity analysis, saved beside its index table.

- ``sensitivity.png``: per indicator, the factors' main index in the last year with
  its confidence interval (Sobol and eFAST: first-order and total side by side);
- ``sensitivity_over_time.png``: per indicator, the main index of the leading factors
  in every year analysed, with its interval as a band: when a lever's influence arrives.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from innosim.figures import plt, save, short
from innosim.indicators import INDICATORS
from innosim.sensitivity.config import Sensitivity

FIG_BARS = "sensitivity.png"
FIG_TIME = "sensitivity_over_time.png"
FIGURES = (FIG_BARS, FIG_TIME)
LEADING = 5
"""Factors drawn per panel of the time chart (those with an index above 0.005 in the last year)."""


def _grid(n: int, width: float, height: float):
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _title(indicator: str) -> str:
    return INDICATORS[indicator].name_en


def plot_bars(sens: Sensitivity, indices: pd.DataFrame, path: Path, year: int | None = None) -> Path:
    """Bar chart of the main index (and S1 beside ST) per factor, one panel per indicator."""
    year = year or max(sens.years)
    shown = [sens.method.main] + (["S1"] if sens.method.main == "ST" else [])
    data = indices[(indices["year"] == year) & indices["index"].isin(shown)]
    indicators = list(dict.fromkeys(data["indicator"]))
    factors = sens.groups
    fig, axes = _grid(len(indicators), 4.2, 0.32 * len(factors) + 1.3)
    y = np.arange(len(factors))[::-1]
    height = 0.8 / len(shown)
    for ax, indicator in zip(axes, indicators):
        panel = data[data["indicator"] == indicator]
        for k, index in enumerate(shown):
            rows = panel[panel["index"] == index].set_index("parameter").reindex(factors)
            conf = rows["conf"].fillna(0).to_numpy()
            ax.barh(y + (len(shown) - 1 - 2 * k) * height / 2, rows["value"], height=height, xerr=conf,
                    capsize=2, label=index, color=("#1f77b4", "#aec7e8")[k], error_kw={"lw": 0.8})
        ax.set_yticks(y, [short(f) for f in factors], fontsize=7)
        ax.set_title(_title(indicator), fontsize=9)
        ax.axvline(0, color="grey", lw=0.5)
        ax.tick_params(axis="x", labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{sens.method.label}: {sens.config.name}, {year} ({len(sens.points):,} points x "
                 f"{sens.config.replicates} replicates; bars: {sens.settings.conf_level:.0%} intervals)", fontsize=10)
    return save(fig, path)


def plot_over_time(sens: Sensitivity, indices: pd.DataFrame, path: Path) -> Path:
    """The main index of the leading factors over the years, one panel per indicator."""
    main = indices[indices["index"] == sens.method.main]
    indicators = list(dict.fromkeys(main["indicator"]))
    fig, axes = _grid(len(indicators), 4.2, 3.0)
    colors = dict(zip(sens.groups, plt.cm.tab20.colors * 3))
    last = max(sens.years)
    for ax, indicator in zip(axes, indicators):
        panel = main[main["indicator"] == indicator]
        final = panel[panel["year"] == last].assign(a=lambda f: f["value"].abs()).sort_values("a", ascending=False)
        for factor in final[final["a"] > 0.005]["parameter"].head(LEADING):
            series = panel[panel["parameter"] == factor].sort_values("year")
            ax.plot(series["year"], series["value"], marker="o", ms=3, lw=1.2, color=colors[factor],
                    label=short(factor))
            ax.fill_between(series["year"], series["value"] - series["conf"].fillna(0),
                            series["value"] + series["conf"].fillna(0), color=colors[factor], alpha=0.15, lw=0)
        ax.set_title(_title(indicator), fontsize=9)
        ax.set_xticks(list(sens.years))
        ax.tick_params(labelsize=7)
        ax.set_ylabel(sens.method.main, fontsize=8)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6)
    fig.suptitle(f"{sens.method.label}: {sens.config.name}, {sens.method.main} by year "
                 f"(leading {LEADING} factors in {last})", fontsize=10)
    return save(fig, path)


def plot_all(sens: Sensitivity, indices: pd.DataFrame, out: Path) -> list[Path]:
    """Every figure, written into ``out``."""
    return [plot_bars(sens, indices, out / FIG_BARS), plot_over_time(sens, indices, out / FIG_TIME)]
