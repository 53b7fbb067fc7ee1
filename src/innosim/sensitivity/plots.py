"""Figures of a sensitivity analysis, drawn from its index table (``indices.csv``).

- ``sensitivity``: per indicator, the factors' main index in the last year with its
  confidence interval (Sobol and eFAST: first-order and total side by side);
- ``sensitivity_over_time``: per indicator, the main index of the leading factors in
  every year analysed, with its interval as a band: when a lever's influence arrives.

The functions need only the index table and :class:`Described` (what the manifest of a
result directory holds), so ``innosim report`` redraws them from a finished analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from innosim import labels as lb
from innosim.figures import grid, plt, save_all, style
from innosim.sensitivity.config import Sensitivity
from innosim.sensitivity.methods import METHODS

FIG_BARS = "sensitivity"
FIG_TIME = "sensitivity_over_time"
FIGURES = tuple(f"{stem}.{fmt}" for stem in (FIG_BARS, FIG_TIME) for fmt in ("png", "svg"))
LEADING = 5
"""Factors drawn per panel of the time chart (those with an index above 0.005 in the last year)."""
MOST_BARS = 20
"""Factors drawn in the bar chart at most: the most influential in any panel (:func:`_leading`). The
screening of every behavioural parameter (``experiments/morris_behaviour.toml``, 76 factors) drew a
figure 77 inches tall, 13.5 s to draw and save in one language; 20 factors take 4.0 s
(2026-12-07). Every factor's indices stay in the table (``indices.csv``)."""


def _leading(data: pd.DataFrame, main: str, factors: list[str], most: int) -> list[str]:
    """Of ``factors`` (in their order), the ``most`` whose ``main`` index is largest in some panel of
    ``data``, each panel's indices taken relative to its largest (Morris's are in the indicator's
    units); ties in their order."""
    if len(factors) <= most:
        return factors
    rows = data[data["index"] == main].assign(a=lambda f: f["value"].abs())
    rows["a"] /= rows.groupby("indicator")["a"].transform("max")
    size = rows.groupby("parameter")["a"].max().fillna(0.0)  # NaN: a panel of zeros
    kept = set(sorted(factors, key=lambda f: -size.get(f, 0.0))[:most])  # a stable sort
    return [f for f in factors if f in kept]


@dataclass(frozen=True)
class Described:
    """What the figures say about the analysis: method, name and size."""

    method: str
    name: str
    points: int
    replicates: int
    conf_level: float

    @classmethod
    def of(cls, sens: Sensitivity) -> Described:
        return cls(
            sens.method.name, sens.config.name, len(sens.points), sens.config.replicates, sens.settings.conf_level
        )

    @classmethod
    def from_manifest(cls, manifest: dict) -> Described:
        exp = manifest["experiment"]
        return cls(
            exp["method"]["name"], exp["name"], manifest["points"], manifest["replicates"], exp["method"]["conf_level"]
        )


def bars_chart(indices: pd.DataFrame, about: Described, lang: str = "zh", year: int | None = None) -> Figure:
    """Bar chart of the main index (and S1 beside ST) per factor, one panel per indicator."""
    method = METHODS[about.method]
    year = year or int(indices["year"].max())
    shown = [method.main] + (["S1"] if method.main == "ST" else [])
    data = indices[(indices["year"] == year) & indices["index"].isin(shown)]
    indicators = list(dict.fromkeys(data["indicator"]))
    every = list(dict.fromkeys(indices["parameter"]))
    factors = _leading(data, method.main, every, MOST_BARS)
    with style():
        fig, axes = grid(len(indicators), 3, 4.2, 0.32 * len(factors) + 1.3)
        y = np.arange(len(factors))[::-1]
        height = 0.8 / len(shown)
        for ax, indicator in zip(axes, indicators):
            panel = data[data["indicator"] == indicator]
            for k, index in enumerate(shown):
                rows = panel[panel["index"] == index].set_index("parameter").reindex(factors)
                conf = rows["conf"].fillna(0).to_numpy()
                ax.barh(
                    y + (len(shown) - 1 - 2 * k) * height / 2,
                    rows["value"],
                    height=height,
                    xerr=conf,
                    capsize=2,
                    label=index,
                    color=("#1f77b4", "#aec7e8")[k],
                    error_kw={"lw": 0.8},
                )
            ax.set_yticks(y, [lb.factor(f, lang) for f in factors], fontsize=7)
            ax.set_title(lb.indicator(indicator, lang), fontsize=9)
            ax.axvline(0, color="grey", lw=0.5)
            ax.tick_params(axis="x", labelsize=7)
        axes[0].legend(fontsize=7)
        fig.suptitle(
            lb.text(
                "sens_bars_title",
                lang,
                method=method.label,
                name=about.name,
                year=year,
                points=f"{about.points:,}",
                replicates=about.replicates,
            )
            + f" ({about.conf_level:.0%} CI)"
            + (
                ""
                if len(factors) == len(every)
                else "\n" + lb.text("sens_bars_leading", lang, n=len(factors), of=len(every))
            ),
            fontsize=10,
        )
    return fig


def over_time_chart(indices: pd.DataFrame, about: Described, lang: str = "zh") -> Figure:
    """The main index of the leading factors over the years, one panel per indicator."""
    method = METHODS[about.method]
    main = indices[indices["index"] == method.main]
    indicators = list(dict.fromkeys(main["indicator"]))
    years = sorted(main["year"].unique())
    palette = plt.get_cmap("tab20").colors  # type: ignore[attr-defined]
    colors = {p: palette[i % len(palette)] for i, p in enumerate(dict.fromkeys(indices["parameter"]))}
    last = years[-1]
    with style():
        fig, axes = grid(len(indicators), 3, 4.2, 3.0)
        for ax, indicator in zip(axes, indicators):
            panel = main[main["indicator"] == indicator]
            final = panel[panel["year"] == last].assign(a=lambda f: f["value"].abs()).sort_values("a", ascending=False)
            for factor in final[final["a"] > 0.005]["parameter"].head(LEADING):
                series = panel[panel["parameter"] == factor].sort_values("year")
                ax.plot(
                    series["year"],
                    series["value"],
                    marker="o",
                    ms=3,
                    lw=1.2,
                    color=colors[factor],
                    label=lb.factor(factor, lang),
                )
                ax.fill_between(
                    series["year"],
                    series["value"] - series["conf"].fillna(0),
                    series["value"] + series["conf"].fillna(0),
                    color=colors[factor],
                    alpha=0.15,
                    lw=0,
                )
            ax.set_title(lb.indicator(indicator, lang), fontsize=9)
            ax.set_xticks(years)
            ax.tick_params(labelsize=7)
            ax.set_ylabel(method.main, fontsize=8)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=6)
        fig.suptitle(
            lb.text("sens_time_title", lang, method=method.label, name=about.name, index=method.main, n=LEADING),
            fontsize=10,
        )
    return fig


def plot_all(sens: Sensitivity, indices: pd.DataFrame, out: Path, lang: str = "en") -> list[Path]:
    """Both figures, PNG and SVG, written into ``out``."""
    about = Described.of(sens)
    return save_all(bars_chart(indices, about, lang), out / FIG_BARS) + save_all(
        over_time_chart(indices, about, lang), out / FIG_TIME
    )
