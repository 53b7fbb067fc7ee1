"""Figures of optimisation and discovery results, drawn like :mod:`innosim.charts` (``lang`` zh or en)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from innosim import labels as lb
from innosim.charts import COLORS, TARGET_COLOR
from innosim.design.objectives import SPENDING, Objective
from innosim.figures import grid, style


def pareto_chart(evaluations: pd.DataFrame, objectives: list[Objective], replicates: int, lang: str = "zh") -> Figure:
    """Committed spending against each other objective: every candidate, the front with ±1 s.e."""
    lb.check_lang(lang)
    shown = [o for o in objectives if o.kind != "spending"]
    front = evaluations[evaluations["front"]].sort_values(SPENDING)
    with style():
        fig, axes = grid(len(shown), 3, 4.8 if len(shown) == 1 else 3.6, 3.0 if len(shown) == 1 else 2.8)
        for ax, objective in zip(axes, shown):
            col = objective.column
            ax.scatter(evaluations[SPENDING], evaluations[col], s=8, color="#b0b0b0", label=lb.text("candidates", lang))
            ax.errorbar(
                front[SPENDING], front[col], yerr=front[f"{col}_se"], fmt="o-", ms=3, lw=1, capsize=2,
                color=COLORS[0], label=lb.text("front", lang),
            )  # fmt: skip
            ax.set_xlabel(lb.objective("spending", lang), fontsize=7)
            ax.set_title(objective.label(lang), fontsize=8)
            ax.tick_params(labelsize=7)
        axes[0].legend(fontsize=7, frameon=False)
        title = lb.text("pareto_title", lang, n=len(evaluations), replicates=replicates)
        fig.suptitle(textwrap.fill(title, 40 if lang == "zh" else 70), fontsize=9)
    return fig


def peeling_chart(peeling: pd.DataFrame, lang: str = "zh") -> Figure:
    """PRIM's peeling trajectory, coloured by restricted dimensions, the chosen box circled."""
    lb.check_lang(lang)
    with style():
        fig, axes = grid(1, 1, 4.6, 3.4)
        ax = axes[0]
        points = ax.scatter(peeling["coverage"], peeling["density"], c=peeling["res_dim"], cmap="viridis", s=14)
        chosen = peeling[peeling["chosen"].astype(bool)]
        ax.scatter(chosen["coverage"], chosen["density"], s=90, facecolors="none", edgecolors=TARGET_COLOR, lw=1.5)
        fig.colorbar(points, ax=ax, label=lb.text("restricted_dims", lang), ticks=np.unique(peeling["res_dim"]))
        ax.set_xlabel(lb.text("coverage", lang))
        ax.set_ylabel(lb.text("density", lang))
        ax.set_title(lb.text("peeling_title", lang), fontsize=8)
    return fig
