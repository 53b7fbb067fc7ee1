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
    colors = [{"target": "#3b6ea5", "held out": "#7f7f7f"}.get(r, "#e08a2e") for r in check["role"]]
    labels = [f"{k} ({role})" for k, role in zip(check["key"], check["role"])]
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


_ROLE_STYLE = {
    "target": {"color": "black", "marker": "o", "facecolors": "black"},
    "held out": {"color": "#7f7f7f", "marker": "o", "facecolors": "none"},
    "forecast": {"color": "#e08a2e", "marker": "D", "facecolors": "#e08a2e"},
}


def plot_series(cal: Calibration, runs: pd.DataFrame, facts: pd.DataFrame, path: Path, title: str) -> None:
    """Fan chart of every fitted or held-out series: the posterior-predictive median and 50/90%
    bands by year, with the facts (targets filled, held out hollow, forecast diamonds); a ratio
    statistic (``relative_to``) is drawn as the series over its base year."""
    rels = [None if pd.isna(r) else int(r) for r in facts.relative_to]
    groups = list(dict.fromkeys(zip(facts.indicator, rels)))
    wide = runs.set_index(["replicate", "year", "indicator"])["value"].unstack("indicator")
    cols = min(3, len(groups))
    rows = -(-len(groups) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.9 * rows), squeeze=False)
    for ax, (ind, rel) in zip(axes.flat, groups):
        series = wide[ind].unstack("year")
        if rel is not None:
            series = series.div(series[rel].where(series[rel] != 0), axis=0)
        years = series.columns.to_numpy()
        q = series.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).to_numpy()
        ax.fill_between(years, q[0], q[4], color="#3b6ea5", alpha=0.18, lw=0, label="90%")
        ax.fill_between(years, q[1], q[3], color="#3b6ea5", alpha=0.35, lw=0, label="50%")
        ax.plot(years, q[2], color="#3b6ea5", lw=1.5, label="median")
        mine = facts[(facts.indicator == ind) & (facts.relative_to.fillna(-1) == (rel if rel is not None else -1))]
        for role, style in _ROLE_STYLE.items():
            pts = mine[mine.role == role]
            if len(pts):
                ax.scatter(
                    pts.year,
                    pts.fact,
                    s=22,
                    zorder=3,
                    edgecolors=style["color"],
                    label=role,
                    **{k: v for k, v in style.items() if k != "color"},
                )
        ax.axvline(cal.config.year + 0.5, color="grey", lw=0.8, ls=":")
        ax.set_title(_short(ind) + (f" / {rel}" if rel is not None else ""), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(groups) :]:
        ax.axis("off")
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, fontsize=8, loc="lower right")
    fig.suptitle(title, fontsize=11)
    _save(fig, path)


def plot_pairs(cal: Calibration, posterior: Posterior, path: Path, title: str, paths: list[str]) -> None:
    """Pairwise scatter of the weighted posterior for ``paths`` (marker area by weight),
    each axis over its prior range; the diagonal holds the marginal histograms."""
    free = {f.path: f for f in cal.config.free}
    n = len(paths)
    fig, axes = plt.subplots(n, n, figsize=(1.7 * n + 1, 1.7 * n + 1), squeeze=False)
    w = posterior.weights / posterior.weights.max()
    for i, pi in enumerate(paths):
        for j, pj in enumerate(paths):
            ax = axes[i, j]
            ax.tick_params(labelsize=5)
            if j > i:
                ax.axis("off")
                continue
            lo_j, hi_j = free[pj].bounds
            if i == j:
                ax.hist(
                    posterior.values[pj], bins=np.linspace(lo_j, hi_j, 16), weights=posterior.weights, color="#3b6ea5"
                )
                ax.set_yticks([])
            else:
                ax.scatter(posterior.values[pj], posterior.values[pi], s=6 * w + 0.5, color="#3b6ea5", alpha=0.5, lw=0)
                ax.set_ylim(*free[pi].bounds)
            ax.set_xlim(lo_j, hi_j)
            if i == n - 1:
                ax.set_xlabel(_short(pj), fontsize=6)
            if j == 0 and i > 0:
                ax.set_ylabel(_short(pi), fontsize=6)
    fig.suptitle(title, fontsize=11)
    _save(fig, path)
