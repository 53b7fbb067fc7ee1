"""What the command line prints: the tables of ``run``, ``compare``, ``sensitivity``,
``indicators`` and ``levers``, in rich, from the objects the library returns."""

from __future__ import annotations

import functools
import math
import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table

from innosim import labels as lb
from innosim.indicators import INDICATORS, format_signed, format_value
from innosim.levers import LEVERS
from innosim.timeline import PLAN_START, TARGET_YEAR

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from innosim.comparison import Comparison
    from innosim.design.discover import Discovery
    from innosim.design.optimise import OptimisationResult
    from innosim.sensitivity.config import Sensitivity
    from innosim.simulation import Projection

out_console = Console() if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit() else Console(width=170)
"""Where tables go: the terminal (or ``COLUMNS`` wide), or 170 columns when stdout is a file or pipe."""
WIDE = 120
"""From this width on, tables also show the ids that ``--set``, CSV and JSON use."""
BAND_REPLICATES = 20
"""Replicates from which a 5-95% band is more than the few extreme runs (1 in 20 lies outside each end)."""
ODDS_REPLICATES = 97
"""Replicates that give P(target) within ±10 points (95%) whatever it is: 1.96² × 0.25 / 0.1²."""
INDEX_HALF_WIDTH = 0.05
"""Half-width of a sensitivity index's interval that resolves a ranking of indices of 0.1 or more."""

_HOW = {
    "posterior": "a posterior draw per replicate",
    "full": "a posterior draw and the other parameters' priors per replicate",
    "mean": "posterior mean",
    "map": "posterior mode",
    "defaults": "declared defaults",
}


def _table(title: str, caption: str | None = None) -> Table:
    """A table that fits the console: numbers never cut, names wrap (see :func:`_names`, :func:`_numbers`)."""
    return Table(title=title, caption=caption, box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True)


def _names(table: Table, key: str, lang: str) -> None:
    """A column of names headed by the phrase ``key`` (:mod:`innosim.labels`): it takes what the numbers
    leave and wraps, in whole words where it can."""
    table.add_column(lb.text(key, lang), ratio=1, min_width=10, overflow="fold")


def _numbers(table: Table, *headers: str) -> None:
    """Columns of numbers: right-aligned and never wrapped or cut."""
    for header in headers:
        table.add_column(header, justify="right", no_wrap=True)


def _name(spec: Any, lang: str) -> str:
    """A declaration's name in ``lang`` (zh or en)."""
    return str(spec.name_zh if lang == "zh" else spec.name_en)


def _labelled(spec: Any, lang: str, unit: str, key: str) -> str:
    """A name with its unit on a dim second line and, on a wide console, its id."""
    ident = f" [dim]{key}[/]" if out_console.width >= WIDE else ""
    shown = unit if unit not in ("", "fraction") else ""  # a fraction shows as a percentage
    return f"{_name(spec, lang)}{ident}\n[dim]{shown}[/]" if shown else f"{_name(spec, lang)}{ident}"


def warn_few(what: str, have: int, enough: int, why: str) -> None:
    """Say on stderr, without failing, that ``have`` is too few for a statistic shown and how many would do."""
    if have < enough:
        from innosim.cli.common import err_console

        err_console.print(f"[yellow]note:[/] {have:,} {what}: {why}; about {enough:,} would do.", highlight=False)


def print_run_table(projection: Projection, lang: str = "zh") -> None:
    """The indicators of a projection: 2020 against the fact, 2025 against the target."""
    scn, seed, replicates = projection.scenario, projection.seed, projection.replicates
    note = "" if scn.scale == 1.0 else f", scale {scn.scale:g} (sampled; indicators rescaled)"
    how = _HOW[projection.parameters["mode"]]
    table = _table(
        f"innosim · {scn.name} · seed {seed} · {replicates} replicates{note} · parameters: {how}",
        f"{TARGET_YEAR}: median and 5%-95% over replicates; ✓ the median meets the 十四五 plan's target",
    )
    _names(table, "indicator", lang)
    _numbers(
        table,
        "2020\nsim",
        "2020\nfact",
        f"{TARGET_YEAR}\nmedian",
        f"{TARGET_YEAR}\n5%-95%",
        f"{TARGET_YEAR}\ntarget",
        "",
    )
    summary = projection.summary()
    by_key = {(r.indicator, int(r.year)): r for r in summary.itertuples(index=False)}
    last = max(y for _, y in by_key)
    for iid, ind in INDICATORS.items():
        if not ind.plan and iid != "spending_total":
            continue
        r20, r25 = by_key.get((iid, PLAN_START - 1)), by_key.get((iid, min(TARGET_YEAR, last)))
        target = ind.target()
        mark = ""
        if target is not None and r25 is not None:
            met = r25.median >= target if ind.higher_is_better else r25.median <= target
            mark = "[green]✓[/]" if met else "[red]✗[/]"
        fmt = functools.partial(format_value, unit=ind.unit)
        table.add_row(
            _labelled(ind, lang, ind.unit, iid),
            fmt(r20.median if r20 else None),
            fmt(ind.fact(PLAN_START - 1)),
            fmt(r25.median) if r25 else "-",
            f"{fmt(r25.p05)}-{fmt(r25.p95)}" if r25 else "-",
            fmt(target),
            mark,
        )
    out_console.print(table)
    warn_few("replicates", replicates, BAND_REPLICATES, "the 5%-95% band is little more than the extreme runs")


def print_comparison(result: Comparison, lang: str = "zh") -> None:
    """Per scenario against the reference: effects, target odds, per 亿元; then spending by lever."""
    year, ref = result.year, result.reference
    ind = result.indicators.set_index(["scenario", "indicator", "year"])
    cost = result.cost_effectiveness.set_index(["scenario", "indicator"])
    spend = result.spending.set_index(["scenario", "lever"])
    for scn in result.scenarios[1:]:
        name = scn.name
        table = _table(
            f"innosim compare · {name} against {ref} · {year} · {result.replicates} paired replicates, "
            f"seed {result.seed}",
            f"median, 5%-95% below; effect: the paired difference from {ref} (pp: percentage points); "
            f"P(target): share of replicates meeting the {year} target; per 亿元: effect per 亿元 of extra "
            f"spending {PLAN_START}-{year}",
        )
        _names(table, "indicator", lang)
        _numbers(table, ref, name, "effect", "P(target)", "per 亿元")
        for iid, spec in INDICATORS.items():
            if not spec.plan:
                continue
            a, b = ind.loc[(ref, iid, year)], ind.loc[(name, iid, year)]
            fmt = functools.partial(format_value, unit=spec.unit)
            lo, mid, hi = (
                format_signed(b.effect_p05, spec.unit, suffix=False),
                *(format_signed(b[c], spec.unit) for c in ("effect_median", "effect_p95")),
            )
            odds = "-" if np.isnan(b.p_target) else f"{a.p_target:.0%}\n→ {b.p_target:.0%}"
            per = cost.loc[(name, iid)].per_yi_median
            table.add_row(
                _labelled(spec, lang, spec.unit, iid),
                fmt(a["median"]),
                f"{fmt(b['median'])}\n[dim]{fmt(b.p05)}-{fmt(b.p95)}[/]",
                f"{mid}\n[dim]{lo}–{hi}[/]",
                odds,
                "-" if np.isnan(per) else f"{per:.3g}",
            )
        out_console.print(table)
        money = _table(f"public spending {PLAN_START}-{year} (亿元, median over replicates)")
        _names(money, "lever", lang)
        _numbers(money, f"{ref}\nbudget/yr", f"{name}\nbudget/yr", f"{name}\nspent", "uptake", "extra")
        for lever in [*LEVERS, "total"]:
            r, s_ = spend.loc[(ref, lever)], spend.loc[(name, lever)]
            cls = LEVERS.get(lever)
            money.add_row(
                (_name(cls, lang) if cls else lb.text("total", lang))
                + (f" [dim]{lever}[/]" if cls and out_console.width >= WIDE else ""),
                f"{r.budget:.3g}",
                f"{s_.budget:.3g}",
                f"{s_.spent:.2f}",
                "-" if np.isnan(s_.uptake) else f"{s_.uptake:.0%}",
                f"{s_.extra:+.2f}",
            )
        out_console.print(money)
        _print_targets_met(result, name, lang)
    warn_few(
        "paired replicates",
        result.replicates,
        BAND_REPLICATES,
        "the 5%-95% bands are little more than the extreme runs",
    )
    warn_few(
        "paired replicates",
        result.replicates,
        ODDS_REPLICATES,
        f"P(target) has a standard error of up to {0.5 / result.replicates**0.5:.0%}",
    )


def _print_targets_met(result: Comparison, name: str, lang: str) -> None:
    """One paragraph: how many 2025 targets the reference and ``name`` meet, and the paired difference."""
    met = result.targets_met().set_index("scenario")
    if met.empty:
        return
    a, b = met.loc[result.reference], met.loc[name]
    n = int(a["targets"])
    lines = (
        f"{TARGET_YEAR} 年达标指标数(共 {n} 项): {result.reference} {a['mean']:.2f}, {name} {b['mean']:.2f}; "
        f"配对差 {b.diff_mean:+.2f} (均值 90% 区间 {b.diff_low:+.2f} 至 {b.diff_high:+.2f}); "
        f"{b.p_more:.0%} 的重复达标更多, {b.p_fewer:.0%} 更少; 全部达标 {a.p_all:.0%} → {b.p_all:.0%}"
        if lang == "zh"
        else f"targets met in {TARGET_YEAR} (of {n}): {result.reference} {a['mean']:.2f}, {name} {b['mean']:.2f}; "
        f"paired difference {b.diff_mean:+.2f} (90% interval of the mean {b.diff_low:+.2f} to {b.diff_high:+.2f}); "
        f"more in {b.p_more:.0%} of replicates, fewer in {b.p_fewer:.0%}; all met {a.p_all:.0%} → {b.p_all:.0%}"
    )
    out_console.print(lines, highlight=False)


def print_ranking(sens: Sensitivity, ranked: pd.DataFrame, lang: str = "zh") -> None:
    """The leading factors per indicator by the method's main index in the last year."""
    main = sens.method.main
    year = max(sens.years)
    table = _table(
        f"innosim sensitivity · {sens.config.name} · {sens.method.label} · {year} · {sens.runs:,} runs",
        f"factors ranked by {main}; ± half-width of the {sens.settings.conf_level:.0%} interval",
    )
    _names(table, "indicator", lang)
    _numbers(table, "rank")
    table.add_column("factor", overflow="fold")
    _numbers(table, main)
    last = None
    for r in ranked.itertuples(index=False):
        first = r.indicator != last
        last = r.indicator
        conf = "" if np.isnan(r.conf) else f" ± {r.conf:.3f}"
        table.add_row(
            _name(INDICATORS[r.indicator], lang) if first else "",
            str(r.rank),
            r.parameter,
            "-" if np.isnan(r.value) else f"{r.value:.3f}{conf}",
        )
    out_console.print(table)
    widest = float(np.nanmax(ranked["conf"])) if ranked["conf"].notna().any() else 0.0
    if widest > INDEX_HALF_WIDTH:
        n = sens.settings.samples
        enough = n * math.ceil((widest / INDEX_HALF_WIDTH) ** 2)
        warn_few(
            "base samples (--samples)",
            n,
            enough,
            f"an index shown is only known to ± {widest:.3f}; intervals narrow as 1/√N, to ± {INDEX_HALF_WIDTH}",
        )


def print_indicators(rows: list[dict[str, Any]], lang: str = "zh") -> None:
    """The indicator declarations with their 2020 facts and 2025 targets."""
    table = _table("innosim indicators")
    table.add_column("id", no_wrap=True)
    _names(table, "indicator", lang)
    _numbers(table, "2020 fact", "2025 target")
    for r in rows:
        table.add_row(
            r["id"],
            f"{_name(INDICATORS[r['id']], lang)}\n[dim]{r['unit']}[/]",
            format_value(r["fact_2020"], r["unit"]),
            format_value(r["target_2025"], r["unit"]),
        )
    out_console.print(table)


def lever_rows() -> list[dict[str, Any]]:
    """Each lever: id, names, baseline budget (亿元/yr) and the dotted paths ``--set`` accepts."""
    from innosim.fields import numeric_fields
    from innosim.scenario import Scenario, default_scenario

    base = default_scenario()
    paths = list(numeric_fields(Scenario))
    return [
        {
            "id": lid,
            "name_zh": cls.name_zh,
            "name_en": cls.name_en,
            "baseline_budget": getattr(base.policy, lid).budget,
            "paths": [p for p in paths if p.startswith(f"policy.{lid}.")],
        }
        for lid, cls in LEVERS.items()
    ]


def print_levers(rows: list[dict[str, Any]], lang: str = "zh") -> None:
    """The levers with their baseline budgets and dotted paths (in full: users copy them into ``--set``)."""
    table = _table("innosim levers (budgets in 亿元/yr; the baseline is the 13th-plan intensity)")
    _names(table, "lever", lang)
    _numbers(table, "baseline")
    table.add_column("dotted paths (--set PATH=VALUE)", no_wrap=True)
    for r in rows:
        table.add_row(
            _name(LEVERS[r["id"]], lang), f"{r['baseline_budget']:g}", "\n".join(r["paths"]), end_section=True
        )
    out_console.print(table)


def print_front(found: OptimisationResult) -> None:
    """The lever mixes on an optimisation's front, each objective with its standard error: one column a
    mix, as many mixes to a table as the console's width holds (no number is cut)."""
    from innosim.design.objectives import format_estimate

    opt = found.optimisation
    shown = ["total_spending", *[o.column for o in opt.objectives if o.kind != "spending"]]
    rows = [(f.removeprefix("policy."), lambda r, f=f: f"{r[f]:.3g}") for f in opt.factors]
    rows += [(c, lambda r, c=c: format_estimate(r[c], r.get(f"{c}_se"))) for c in shown]
    points = list(found.pareto.iterrows())
    label = max(len(name) for name, _ in rows) + 2
    per_table = max(1, (out_console.width - label) // 13)
    for start in range(0, len(points), per_table):
        chunk = points[start : start + per_table]
        table = _table(
            f"innosim optimise · {opt.config.name} · front of {len(found.evaluations):,} candidates"
            + (f" ({start + 1}-{start + len(chunk)} of {len(points)})" if len(points) > per_table else "")
        )
        table.add_column("mix", no_wrap=True)
        _numbers(table, *(str(r["point"]) for _, r in chunk))
        for name, cell in rows:
            table.add_row(name, *(cell(r) for _, r in chunk))
        out_console.print(table)


def print_discovery(found: Discovery) -> None:
    """A discovery's PRIM box: the restricted inputs, their limits and quasi-p-values."""
    s = found.stats
    table = Table(
        title=f"innosim discover · {found.condition} · {int(found.y.sum()):,} of {len(found.y):,} runs",
        caption=f"PRIM box: coverage {s['coverage']:.0%}, density {s['density']:.0%}, mass {s['mass']:.0%}",
    )
    for col in ("input", "lower", "upper", "quasi-p"):
        table.add_column(col, justify="left" if col == "input" else "right")
    for r in found.box[found.box["restricted"]].itertuples(index=False):
        qp = np.nanmax([r.qp_lower, r.qp_upper])
        table.add_row(r.input, f"{r.lower:.4g}", f"{r.upper:.4g}", f"{qp:.2g}")
    out_console.print(table)
