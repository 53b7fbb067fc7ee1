"""Figures of the calibration report: posterior marginals, the predictive check, recovery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim.calibration.config import Calibration
from innosim.figures import plt
from innosim.figures import save as _save
from innosim.labels import short as _short
from innosim.posterior import Posterior


def plot_marginals(cal: Calibration, posterior: Posterior, path: Path, title: str) -> None:
    """Weighted histogram of each free parameter's posterior over its prior range."""
    free = cal.config.free
    cols = min(4, len(free))
    rows = -(-len(free) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    truth = cal.config.synthetic.truth if cal.config.synthetic else {}
    for ax, f in zip(axes.flat, free):
        lo, hi = f.bounds
        bins = np.linspace(lo, hi, 21)
        ax.hist(
            posterior.values[f.path],
            bins=bins,
            weights=posterior.weights,
            density=True,
            color="#3b6ea5",
            alpha=0.8,
            label="posterior",
        )
        ax.hlines(1.0 / (hi - lo), lo, hi, colors="#c0504d", linestyles="--", label="prior")
        if f.path in truth:
            ax.axvline(truth[f.path], color="black", lw=1.5, label="truth")
        ax.set_title(_short(f.path), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(free) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=11)
    _save(fig, path)


def _interval_chart(
    title: str,
    labels: list[str],
    lo: Any,
    hi: Any,
    points: Any,
    colors: Any,
    point_colors: Any,
    xlabel: str,
    interval_label: str | None = None,
    point_label: str | None = None,
) -> tuple[Any, Any]:
    """Horizontal intervals with a point each, one row per label (top to bottom); returns the figure and axes."""
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(labels) + 1.2))
    y = np.arange(len(labels))[::-1]
    ax.hlines(y, lo, hi, colors=colors, lw=3, label=interval_label or "")
    ax.scatter(points, y, color=point_colors, zorder=3, label=point_label or "")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    return fig, ax


def plot_predictive(check: pd.DataFrame, path: Path, title: str) -> None:
    """Posterior-predictive median and 5-95% interval over each fact (ratio scale)."""
    ratio = lambda col: check[col] / check["fact"]  # noqa: E731
    colors = ["#3b6ea5" if r == "target" else "#e08a2e" for r in check["role"]]
    labels = [f"{fid} ({role})" for fid, role in zip(check["fact_id"], check["role"])]
    fig, ax = _interval_chart(
        title,
        labels,
        ratio("p05"),
        ratio("p95"),
        ratio("median"),
        colors,
        colors,
        "simulated / observed (median and 5-95% interval)",
    )
    ax.axvline(1.0, color="black", lw=1)
    ax.axvspan(0.9, 1.1, color="grey", alpha=0.15, label="±10%")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(fig, path)


def plot_recovery(params: pd.DataFrame, path: Path, title: str) -> None:
    """True values against their 90% posterior intervals, on the prior range scaled to [0, 1]."""
    span = params.prior_upper - params.prior_lower
    scaled = lambda col: (params[col] - params.prior_lower) / span  # noqa: E731
    fig, ax = _interval_chart(
        title,
        [_short(p) for p in params.path],
        scaled("q05"),
        scaled("q95"),
        scaled("truth"),
        "#3b6ea5",
        np.where(params.covered, "black", "#c0504d"),
        "position in the prior range",
        "90% posterior interval",
        "truth",
    )
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _save(fig, path)
