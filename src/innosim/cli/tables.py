"""What the command line prints: the tables of ``run``, ``compare``, ``sensitivity``,
``indicators`` and ``levers``, in rich, from the objects the library returns."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.console import Console
from rich.table import Table

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

out_console = Console() if sys.stdout.isatty() else Console(width=170)
"""Where tables go: the terminal, or 170 columns when stdout is a file or pipe."""

_HOW = {
    "posterior": "a posterior draw per replicate",
    "mean": "posterior mean",
    "map": "posterior mode",
    "defaults": "declared defaults",
}


def print_run_table(projection: Projection) -> None:
    """The indicators of a projection: 2020 against the fact, 2025 against the target."""
    scn, seed, replicates = projection.scenario, projection.seed, projection.replicates
    note = "" if scn.scale == 1.0 else f", scale {scn.scale:g} (sampled; indicators rescaled)"
    how = _HOW[projection.parameters["mode"]]
    table = Table(
        title=f"innosim · {scn.name} · seed {seed} · {replicates} replicates{note} · parameters: {how}",
        caption=f"{TARGET_YEAR}: median [5%-95%] over replicates; target from the 十四五 plan",
    )
    for col, kw in (
        ("指标", {"no_wrap": True}),
        ("indicator", {}),
        ("unit", {}),
        ("2020 sim", {"justify": "right"}),
        ("2020 fact", {"justify": "right"}),
        (f"{TARGET_YEAR} median [5-95%]", {"justify": "right"}),
        (f"{TARGET_YEAR} target", {"justify": "right"}),
        ("", {}),
    ):
        table.add_column(col, **kw)
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
            ind.name_zh,
            ind.name_en,
            ind.unit,
            fmt(r20.median if r20 else None),
            fmt(ind.fact(PLAN_START - 1)),
            f"{fmt(r25.median)} [{fmt(r25.p05)}-{fmt(r25.p95)}]" if r25 else "-",
            fmt(target),
            mark,
        )
    out_console.print(table)


def print_comparison(result: Comparison) -> None:
    """Per scenario against the reference: effects, target odds, per 亿元; then spending by lever."""
    year, ref = result.year, result.reference
    ind = result.indicators.set_index(["scenario", "indicator", "year"])
    cost = result.cost_effectiveness.set_index(["scenario", "indicator"])
    spend = result.spending.set_index(["scenario", "lever"])
    for scn in result.scenarios[1:]:
        name = scn.name
        table = Table(
            title=f"innosim compare · {name} against {ref} · {year} · {result.replicates} paired replicates, "
            f"seed {result.seed}",
            caption=f"median [5%-95%] over replicates; effect = paired difference from {ref}; P(target) = "
            f"share of replicates meeting the {year} target; per 亿元 = effect per 亿元 of extra "
            f"spending {PLAN_START}-{year}",
        )
        for col in ("指标", "indicator", "unit", ref, name, "effect [5-95%]", "P(target)", "per 亿元"):
            table.add_column(
                col, justify="left" if col in ("指标", "indicator", "unit") else "right", no_wrap=col == "指标"
            )
        for iid, spec in INDICATORS.items():
            if not spec.plan:
                continue
            a, b = ind.loc[(ref, iid, year)], ind.loc[(name, iid, year)]
            fmt = functools.partial(format_value, unit=spec.unit)
            lo, mid, hi = (format_signed(b[c], spec.unit) for c in ("effect_p05", "effect_median", "effect_p95"))
            effect = f"{mid} [{lo}, {hi}]"
            odds = "-" if np.isnan(b.p_target) else f"{a.p_target:.0%} → {b.p_target:.0%}"
            per = cost.loc[(name, iid)].per_yi_median
            table.add_row(
                spec.name_zh,
                spec.name_en,
                spec.unit,
                fmt(a["median"]),
                f"{fmt(b['median'])} [{fmt(b.p05)}-{fmt(b.p95)}]",
                effect,
                odds,
                "-" if np.isnan(per) else f"{per:.3g}",
            )
        out_console.print(table)
        money = Table(title=f"public spending {PLAN_START}-{year} (亿元, median over replicates)")
        for col in ("杠杆", "lever", f"{ref} budget/yr", f"{name} budget/yr", f"{name} spent", "uptake", "extra"):
            money.add_column(col, justify="left" if col in ("杠杆", "lever") else "right")
        for lever in [*LEVERS, "total"]:
            r, s_ = spend.loc[(ref, lever)], spend.loc[(name, lever)]
            cls = LEVERS.get(lever)
            money.add_row(
                cls.name_zh if cls else "合计",
                cls.name_en if cls else "total",
                f"{r.budget:.3g}",
                f"{s_.budget:.3g}",
                f"{s_.spent:.2f}",
                "-" if np.isnan(s_.uptake) else f"{s_.uptake:.0%}",
                f"{s_.extra:+.2f}",
            )
        out_console.print(money)


def print_ranking(sens: Sensitivity, ranked: pd.DataFrame) -> None:
    """The leading factors per indicator by the method's main index in the last year."""
    main = sens.method.main
    year = max(sens.years)
    table = Table(
        title=f"innosim sensitivity · {sens.config.name} · {sens.method.label} · {year} · {sens.runs:,} runs",
        caption=f"factors ranked by {main}; ± half-width of the {sens.settings.conf_level:.0%} interval",
    )
    for col in ("指标", "indicator", "rank", "factor", main):
        table.add_column(col, justify="right" if col in ("rank", main) else "left")
    last = None
    for r in ranked.itertuples(index=False):
        ind = INDICATORS[r.indicator]
        first = r.indicator != last
        last = r.indicator
        conf = "" if np.isnan(r.conf) else f" ± {r.conf:.3f}"
        table.add_row(
            ind.name_zh if first else "",
            ind.name_en if first else "",
            str(r.rank),
            r.parameter,
            "-" if np.isnan(r.value) else f"{r.value:.3f}{conf}",
            end_section=False,
        )
    out_console.print(table)


def print_indicators(rows: list[dict[str, Any]]) -> None:
    """The indicator declarations with their 2020 facts and 2025 targets."""
    table = Table(title="innosim indicators")
    for col in ("id", "指标", "indicator", "unit", "2020 fact", "2025 target"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"],
            r["name_zh"],
            r["name_en"],
            r["unit"],
            format_value(r["fact_2020"], r["unit"]),
            format_value(r["target_2025"], r["unit"]),
        )
    out_console.print(table)


def print_levers() -> None:
    """The levers with their baseline budgets and dotted paths."""
    from innosim.fields import numeric_fields
    from innosim.scenario import Scenario, default_scenario

    table = Table(title="innosim levers (budgets in 亿元/yr; the baseline is the 13th-plan intensity)")
    for col in ("id", "杠杆", "lever", "baseline budget", "parameters (dotted paths)"):
        table.add_column(col)
    base = default_scenario()
    for lid, cls in LEVERS.items():
        paths = [p for p in numeric_fields(Scenario) if p.startswith(f"policy.{lid}.")]
        table.add_row(lid, cls.name_zh, cls.name_en, f"{getattr(base.policy, lid).budget:g}", "\n".join(paths))
    out_console.print(table)


def print_front(found: OptimisationResult) -> None:
    """The lever mixes on an optimisation's front, each objective with its standard error."""
    from innosim.design.objectives import format_estimate

    opt = found.optimisation
    table = Table(title=f"innosim optimise · {opt.config.name} · front of {len(found.evaluations):,} candidates")
    shown = ["total_spending", *[o.column for o in opt.objectives if o.kind != "spending"]]
    for col in ["point", *opt.factors, *shown]:
        table.add_column(col.removeprefix("policy."), justify="right")
    for _, r in found.pareto.iterrows():
        decided = [f"{r[f]:.3g}" for f in opt.factors]
        table.add_row(str(r["point"]), *decided, *[format_estimate(r[c], r.get(f"{c}_se")) for c in shown])
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
