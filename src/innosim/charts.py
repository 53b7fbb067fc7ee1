"""The figures of innosim, each a function that takes results and returns a matplotlib figure.

The CLI (``innosim report``, ``run/compare --report``) and the app (``innosim app``)
call these functions; nothing else draws results. Every function takes ``lang``
(``"zh"`` or ``"en"``) for its labels and draws in the bundled CJK font
(:func:`innosim.figures.style`). Save with :func:`innosim.figures.save_all` (PNG and SVG).

- :func:`fan_chart`: each indicator 2016-2025 over replicates: median, 50% and 90%
  bands, the 13th-plan facts, the 2025 target; scenarios overlaid;
- :func:`effect_chart`: a comparison's paired effects with their intervals;
- :func:`attainment_chart`: the probability of meeting each 2025 target, per scenario;
- :func:`spending_chart` and :func:`cost_chart`: spending by lever, and the effect per
  亿元 of extra spending;
- :func:`sweep_chart`: a sweep's last-year medians against the varied factor;
- :func:`population_chart`: a model's live firms by sector and zone (the app's view);
- sensitivity figures: :mod:`innosim.sensitivity.plots`, drawn with the same style.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from innosim import labels as lb
from innosim.effects import meets_target
from innosim.figures import grid, plt, style
from innosim.indicators import INDICATORS
from innosim.levers import LEVERS
from innosim.model import structure as st
from innosim.timeline import PLAN_START

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model import InnovationModel

COLORS = ("#1f5fa8", "#d9822b", "#2e8b57", "#9b4dca", "#c0392b", "#7f8c8d", "#b8860b", "#17a2b8")
"""Scenario colours, in the order scenarios are given (the reference first)."""
FACT_COLOR = "black"
TARGET_COLOR = "#c0392b"


def plan_indicators() -> list[str]:
    """The plan's indicators, in declaration order."""
    return [iid for iid, ind in INDICATORS.items() if ind.plan]


def _factor(iid: str) -> float:
    """Fractions are drawn as percentages."""
    return 100.0 if INDICATORS[iid].unit == "fraction" else 1.0


def _panel_title(ax, iid: str, lang: str) -> None:
    ax.set_title(f"{lb.indicator(iid, lang)}\n({lb.unit(iid, lang)})", fontsize=8.5)


def _thousands(ax) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"))


def fan_chart(
    runs: pd.DataFrame,
    lang: str = "zh",
    indicators: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    title: str | None = None,
    cols: int = 4,
) -> Figure:
    """Fan chart of each indicator over the simulated years, one panel per indicator.

    Args:
        runs: Long-form runs (columns ``scenario, replicate, year, indicator, value``),
            as :func:`innosim.simulation.simulate` returns and ``run --out`` writes.
        lang: ``"zh"`` or ``"en"``.
        indicators: Indicator ids (default: the plan's indicators present in ``runs``).
        scenarios: Scenario names in drawing order (default: as they appear); several
            scenarios are overlaid in distinct colours.
        title: Figure title (default: a description of the chart).
        cols: Panels per row.

    With one replicate (the app) only the median line is drawn; with several scenarios
    the 90% band is drawn as dotted edges.
    """
    lb.check_lang(lang)
    present = set(runs["indicator"].unique())
    indicators = [i for i in (indicators or plan_indicators()) if i in present]
    scenarios = list(scenarios or dict.fromkeys(runs["scenario"]))
    with style():
        fig, axes = grid(len(indicators), cols, 3.2, 2.45)
        by = runs[runs["indicator"].isin(indicators)].groupby(["scenario", "indicator", "year"])["value"]
        q = by.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        n_rep = runs.groupby("scenario")["replicate"].nunique()
        overlaid = len(scenarios) > 1
        for ax, iid in zip(axes, indicators):
            f = _factor(iid)
            for k, name in enumerate(scenarios):
                if (name, iid) not in q.index.droplevel("year"):
                    continue
                d = q.loc[(name, iid)] * f
                color = COLORS[k % len(COLORS)]
                if n_rep.get(name, 1) > 1 and overlaid:  # the 90% band as its edges, so bands stay readable
                    ax.fill_between(d.index, d[0.25], d[0.75], color=color, alpha=0.22, lw=0)
                    ax.plot(d.index, d[0.05], d.index, d[0.95], color=color, lw=0.6, ls=":")
                elif n_rep.get(name, 1) > 1:
                    ax.fill_between(d.index, d[0.05], d[0.95], color=color, alpha=0.13, lw=0)
                    ax.fill_between(d.index, d[0.25], d[0.75], color=color, alpha=0.3, lw=0)
                ax.plot(d.index, d[0.5], color=color, lw=1.5)
            ind = INDICATORS[iid]
            facts = [(y, ind.fact(y)) for y in range(2016, PLAN_START)]
            facts = [(y, v * f) for y, v in facts if v is not None]
            if facts:
                ax.plot(*zip(*facts), "o", color=FACT_COLOR, ms=3.5, zorder=5)
            target = ind.target()
            if target is not None:
                ax.hlines(target * f, PLAN_START - 0.5, 2025.3, colors=TARGET_COLOR, linestyles="--", lw=1)
                ax.plot([2025], [target * f], marker="*", color=TARGET_COLOR, ms=8, zorder=6)
            _panel_title(ax, iid, lang)
            ax.axvline(PLAN_START - 0.5, color="#bbbbbb", lw=0.6)
            ax.tick_params(labelsize=7)
            ax.set_xticks(range(2016, 2026, 3))
            _thousands(ax)
        handles = [
            Line2D([], [], color="#555555", lw=1.5, label=lb.text("median", lang)),
            Patch(color="#555555", alpha=0.45, label=lb.text("band50", lang)),
            Line2D([], [], color="#555555", lw=0.8, ls=":", label=lb.text("band90", lang))
            if overlaid
            else Patch(color="#555555", alpha=0.15, label=lb.text("band90", lang)),
            Line2D([], [], marker="o", color=FACT_COLOR, lw=0, ms=4, label=lb.text("fact", lang)),
            Line2D([], [], color=TARGET_COLOR, ls="--", marker="*", label=lb.text("target", lang)),
        ]
        if len(scenarios) > 1:
            handles = [Patch(color=COLORS[k % len(COLORS)], label=s) for k, s in enumerate(scenarios)] + handles
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), fontsize=8, frameon=False)
        fig.suptitle(title or lb.text("fan_title", lang), fontsize=11)
    return fig


def _at_year(indicators: pd.DataFrame, year: int) -> pd.DataFrame:
    return indicators[(indicators["year"] == year) & indicators["indicator"].isin(plan_indicators())]


def _rows(labels: list[str], groups: int, title: str, xlabel: str) -> tuple[Figure, Axes, float, Callable[[int], Any]]:
    """A horizontal chart: a row per label, ``groups`` bars or points side by side in each.

    Returns the figure, the axes, the bar height, and ``at(k)``, the positions of group ``k``.
    """
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(labels) * max(1, groups) ** 0.6 + 1.6), layout="constrained")
    y = np.arange(len(labels))[::-1]
    height = 0.8 / max(1, groups)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(title, fontsize=10)
    return fig, ax, height, lambda k: y + (groups - 1 - 2 * k) * height / 2


def effect_chart(indicators: pd.DataFrame, reference: str, year: int, lang: str = "zh") -> Figure:
    """Paired effects of each scenario against the reference, per plan indicator.

    ``indicators`` is :attr:`innosim.comparison.Comparison.indicators` (or ``indicators.csv``
    of a comparison). Effects are drawn as a percentage of the reference's median, so
    indicators of different units share one axis; the bar is the 5-95% interval.
    """
    lb.check_lang(lang)
    at = _at_year(indicators, year)
    ref = at[at["scenario"] == reference].set_index("indicator")["median"]
    others = [s for s in dict.fromkeys(at["scenario"]) if s != reference]
    iids = [i for i in plan_indicators() if i in ref.index]
    with style():
        fig, ax, _, at_k = _rows(
            [lb.indicator(i, lang) for i in iids],
            len(others),
            lb.text("effect_title", lang, year=year),
            lb.text("effect_axis", lang),
        )
        base = ref.reindex(iids).replace(0, np.nan).abs()
        for k, name in enumerate(others):
            rows = at[at["scenario"] == name].set_index("indicator").reindex(iids)
            mid, lo, hi = (100 * rows[c] / base for c in ("effect_median", "effect_p05", "effect_p95"))
            ax.errorbar(
                mid,
                at_k(k),
                xerr=[mid - lo, hi - mid],
                fmt="o",
                color=COLORS[(k + 1) % len(COLORS)],
                ms=4,
                capsize=2,
                lw=1,
                label=name,
            )
        ax.axvline(0, color="grey", lw=0.8)
        ax.legend(fontsize=8, title=f"{lb.text('reference', lang)}: {reference}", title_fontsize=8)
    return fig


def attainment_chart(indicators: pd.DataFrame, year: int, lang: str = "zh") -> Figure:
    """Probability of meeting each 2025 target, per scenario (grouped bars).

    ``indicators`` has ``scenario, indicator, year, p_target`` (a comparison's table, or
    :func:`attainment` of runs).
    """
    lb.check_lang(lang)
    at = _at_year(indicators, year).dropna(subset=["p_target"])
    scenarios = list(dict.fromkeys(at["scenario"]))
    iids = [i for i in plan_indicators() if i in set(at["indicator"])]
    with style():
        fig, ax, height, at_k = _rows(
            [lb.indicator(i, lang) for i in iids],
            len(scenarios),
            lb.text("attain_title", lang, year=year),
            lb.text("attain_axis", lang),
        )
        for k, name in enumerate(scenarios):
            rows = at[at["scenario"] == name].set_index("indicator").reindex(iids)
            bars = ax.barh(at_k(k), 100 * rows["p_target"], height=height, color=COLORS[k % len(COLORS)], label=name)
            ax.bar_label(bars, fmt="%.0f%%", fontsize=7, padding=2)
        ax.axvline(50, color="grey", lw=0.6, ls=":")
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        if len(scenarios) > 1:
            ax.legend(fontsize=8, loc="lower right")
    return fig


def spending_chart(spending: pd.DataFrame, year: int, lang: str = "zh") -> Figure:
    """Money spent by lever over the plan period per scenario, against the budget.

    ``spending`` is :attr:`innosim.comparison.Comparison.spending` (columns ``scenario,
    lever, budget, spent``; ``budget`` per year).
    """
    lb.check_lang(lang)
    data = spending[spending["lever"] != "total"]
    scenarios = list(dict.fromkeys(data["scenario"]))
    levers = [lid for lid in LEVERS if lid in set(data["lever"])]
    years = year - PLAN_START + 1
    with style():
        fig, ax, height, at_k = _rows(
            [lb.lever(lid, lang) for lid in levers],
            len(scenarios),
            lb.text("spending_title", lang, start=PLAN_START, end=year),
            lb.text("spending_axis", lang),
        )
        for k, name in enumerate(scenarios):
            rows = data[data["scenario"] == name].set_index("lever").reindex(levers)
            ax.barh(
                at_k(k),
                rows["spent"],
                height=height,
                color=COLORS[k % len(COLORS)],
                label=f"{name}: {lb.text('spent', lang)}",
            )
            ax.plot(rows["budget"] * years, at_k(k), "|", color="black", ms=9, mew=1.5)
        ax.plot([], [], "|", color="black", ms=9, mew=1.5, label=lb.text("budget_total", lang))
        ax.legend(fontsize=8, loc="lower right")
    return fig


def cost_chart(cost: pd.DataFrame, year: int, lang: str = "zh", cols: int = 4) -> Figure | None:
    """Effect per 亿元 of extra spending, one panel per indicator with a finite ratio.

    ``cost`` is :attr:`innosim.comparison.Comparison.cost_effectiveness`. Returns ``None``
    when no scenario spends more than the reference.
    """
    lb.check_lang(lang)
    data = cost.dropna(subset=["per_yi_median"])
    iids = [i for i in plan_indicators() if i in set(data["indicator"])]
    if not iids:
        return None
    scenarios = list(dict.fromkeys(cost["scenario"]))
    with style():
        fig, axes = grid(len(iids), cols, 3.2, 0.35 * len(scenarios) + 1.3)
        for ax, iid in zip(axes, iids):
            rows = data[data["indicator"] == iid].set_index("scenario").reindex(scenarios)
            f = _factor(iid)
            mid, lo, hi = (f * rows[c] for c in ("per_yi_median", "per_yi_p05", "per_yi_p95"))
            y = np.arange(len(scenarios))[::-1]
            ax.barh(
                y,
                mid,
                xerr=[mid - lo, hi - mid],
                color=[COLORS[(k + 1) % len(COLORS)] for k in range(len(scenarios))],
                capsize=2,
                error_kw={"lw": 0.8},
                height=0.6,
            )
            ax.axvline(0, color="grey", lw=0.6)
            ax.set_yticks(y, scenarios, fontsize=7)
            ax.set_title(f"{lb.indicator(iid, lang)}\n({lb.unit(iid, lang)}, {lb.text('per_yi', lang)})", fontsize=8)
            ax.tick_params(axis="x", labelsize=7)
        fig.suptitle(lb.text("cost_title", lang, year=year), fontsize=10)
    return fig


def sweep_chart(
    summary: pd.DataFrame, factors: Sequence[str], lang: str = "zh", year: int | None = None, cols: int = 4
) -> Figure:
    """A sweep's medians (with 5-95% intervals) in ``year`` against its first factor.

    ``summary`` is a sweep's ``summary.csv`` (one row per point, indicator and year, with
    a column per factor). With a second factor of a few values, each of its values is a
    line; the 2025 target is drawn where the plan sets one.
    """
    lb.check_lang(lang)
    year = year or int(summary["year"].max())
    data = summary[summary["year"] == year]
    present = list(dict.fromkeys(data["indicator"]))
    iids = [i for i in INDICATORS if i in present]
    x_name = factors[0]
    numeric_x = pd.api.types.is_numeric_dtype(data[x_name])
    series = factors[1] if len(factors) > 1 and data[factors[1]].nunique() <= len(COLORS) else None
    with style():
        fig, axes = grid(len(iids), cols, 3.2, 2.45)
        for ax, iid in zip(axes, iids):
            f = _factor(iid)
            panel = data[data["indicator"] == iid]
            groups = panel.groupby(series, sort=True) if series else [(None, panel)]
            for k, (value, rows) in enumerate(groups):
                rows = rows.sort_values(x_name)
                x = rows[x_name] if numeric_x else np.arange(len(rows))
                mid = rows["median"] * f
                ax.errorbar(
                    x,
                    mid,
                    yerr=[mid - rows["p05"] * f, rows["p95"] * f - mid],
                    fmt="o-" if series else "o",
                    ms=3,
                    lw=1,
                    capsize=2,
                    color=COLORS[k % len(COLORS)],
                    label=None if value is None or series is None else f"{lb.factor(series, lang)} = {value:g}",
                )
                if not numeric_x:
                    ax.set_xticks(x, rows[x_name], fontsize=7, rotation=30)
            target = INDICATORS[iid].target()
            if target is not None and year == 2025:
                ax.axhline(target * f, color=TARGET_COLOR, ls="--", lw=1)
            _panel_title(ax, iid, lang)
            ax.set_xlabel(lb.factor(x_name, lang), fontsize=7)
            ax.tick_params(labelsize=7)
            _thousands(ax)
        handles, names = axes[0].get_legend_handles_labels() if axes else ([], [])
        handles.append(Line2D([], [], color=TARGET_COLOR, ls="--", label=lb.text("target", lang)))
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 5), fontsize=8, frameon=False)
        fig.suptitle(lb.text("sweep_title", lang, year=year), fontsize=11)
    return fig


def population_chart(model: InnovationModel, lang: str = "zh") -> Figure:
    """Live firms by sector (bars) and zone (stacked), at district scale."""
    lb.check_lang(lang)
    firms = model.firms.to_frame()[["sector", "zone"]].astype(np.int64)
    n_sec, n_zone = len(st.SECTORS), len(st.ZONES)
    counts = (
        np.bincount(firms["sector"] * n_zone + firms["zone"], minlength=n_sec * n_zone).reshape(n_sec, n_zone)
        / model.scale
    )
    with style():
        fig, ax = plt.subplots(figsize=(8.5, 4.8), layout="constrained")
        y = np.arange(n_sec)[::-1]
        left = np.zeros(n_sec)
        for z, zone in enumerate(st.ZONES):
            ax.barh(y, counts[:, z], left=left, color=COLORS[z % len(COLORS)], label=zone[0 if lang == "zh" else 1])
            left += counts[:, z]
        ax.set_yticks(y, [s.zh if lang == "zh" else s.en for s in st.SECTORS], fontsize=8)
        ax.set_xlabel(lb.text("firms_axis", lang), fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.legend(fontsize=7, loc="lower right")
        ax.set_title(lb.text("population_title", lang, year=model.year), fontsize=10)
    return fig


def attainment(runs: pd.DataFrame, year: int = 2025) -> pd.DataFrame:
    """Share of replicates meeting each target in ``year``, per scenario (``scenario, indicator, year, p_target``)."""
    rows = []
    at = runs[runs["year"] == year]
    for (name, iid), values in at.groupby(["scenario", "indicator"], sort=False)["value"]:
        if INDICATORS[iid].plan and INDICATORS[iid].target() is not None:
            rows.append(
                {"scenario": name, "indicator": iid, "year": year, "p_target": float(meets_target(iid, values).mean())}
            )
    return pd.DataFrame(rows, columns=["scenario", "indicator", "year", "p_target"])
