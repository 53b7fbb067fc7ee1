"""One builder per kind of result directory: what its report shows.

Each builder reads the directory (through the library's loaders where there is one),
draws its figures and returns the report's title and sections.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import charts
from innosim import labels as lb
from innosim.comparison import Comparison
from innosim.effects import spending_table
from innosim.errors import InputError
from innosim.indicators import INDICATORS, format_signed
from innosim.provenance import MANIFEST
from innosim.report import design
from innosim.report.blocks import (
    Figures,
    Section,
    Table,
    columns,
    fmt,
    ind_cells,
    manifest_section,
    need,
    pct,
    scenario_table,
    spending_tables,
    table_csv,
)
from innosim.simulation import Projection
from innosim.timeline import PLAN_START, TARGET_YEAR
from innosim.verification import check_finished


def _run(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    result = Projection.load(folder)
    runs, scn = result.runs, result.scenario
    year = min(TARGET_YEAR, int(runs["year"].max()))
    quant = result.summary().set_index(["indicator", "year"])
    attain = charts.attainment(runs, year).set_index("indicator")["p_target"]
    rows, classes = [], []
    for iid in charts.plan_indicators():
        ind = INDICATORS[iid]
        q20, q25 = quant.loc[(iid, PLAN_START - 1)], quant.loc[(iid, year)]
        target = ind.target()
        p = attain.get(iid, np.nan)
        rows.append(
            [
                *ind_cells(iid, lang),
                fmt(iid, q20["median"]),
                fmt(iid, ind.fact(PLAN_START - 1)),
                f"{fmt(iid, q25['median'])} [{fmt(iid, q25.p05)}-{fmt(iid, q25.p95)}]",
                fmt(iid, target),
                pct(p),
            ]
        )
        classes.append("" if np.isnan(p) else "met" if p >= 0.5 else "missed")
    overview = Section(
        "scenario",
        lb.text("scenarios", lang),
        [scenario_table([{"name": scn.name, "description": scn.description, "hash": scn.hash}], lang)],
    )
    table = Section(
        "indicators",
        lb.text("indicators", lang),
        [
            Table(
                [
                    lb.text("indicator", lang),
                    lb.text("unit", lang),
                    lb.text("sim2020", lang),
                    lb.text("fact2020", lang),
                    lb.text("median_interval", lang, year=year),
                    lb.text("target2025", lang),
                    lb.text("p_target", lang),
                ],
                rows,
                text_columns=2,
                row_classes=classes,
                mark_last=True,
                note=lb.text("replicates_note", lang, replicates=result.replicates, seed=result.seed),
            )
        ],
    )
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "fan", lb.text("fan_title", lang), lambda: charts.fan_chart(runs, lang))
    figs.add(
        figures,
        "attainment",
        lb.text("attain_title", lang, year=year),
        lambda: charts.attainment_chart(charts.attainment(runs, year), year, lang),
    )
    spending = spending_table(runs, [scn], year)
    figs.add(
        figures,
        "spending",
        lb.text("spending_title", lang, start=PLAN_START, end=year),
        lambda: charts.spending_chart(spending, year, lang),
    )
    money = Section("spending", lb.text("spending", lang), spending_tables(spending, year, lang))
    title = f"{lb.text('report_run', lang)}: {scn.name}"
    return title, [overview, table, figures, money, manifest_section(manifest, lang, {scn.name: scn.hash})]


def _comparison(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    result = Comparison.load(folder)
    reference, year = result.reference, result.year
    ind, spending, cost, runs = result.indicators, result.spending, result.cost_effectiveness, result.runs
    columns(ind, folder / "indicators.csv", "scenario", "indicator", "year", "median", "effect_median", "p_target")
    names = [s.name for s in result.scenarios]
    records = [{"name": s.name, "description": s.description, "hash": s.hash} for s in result.scenarios]
    at = ind[ind["year"] == year].set_index(["scenario", "indicator"])
    per = cost.set_index(["scenario", "indicator"])
    tables = []
    for name in names[1:]:
        rows = []
        for iid in charts.plan_indicators():
            a, b = at.loc[(reference, iid)], at.loc[(name, iid)]
            lo, mid, hi = (
                format_signed(b[c], INDICATORS[iid].unit) for c in ("effect_p05", "effect_median", "effect_p95")
            )
            effect = f"{mid} [{lo}, {hi}]"
            odds = "-" if np.isnan(b.p_target) else f"{pct(a.p_target)} → {pct(b.p_target)}"
            ratio = per.loc[(name, iid)].per_yi_median if (name, iid) in per.index else np.nan
            rows.append(
                [
                    *ind_cells(iid, lang),
                    fmt(iid, a["median"]),
                    f"{fmt(iid, b['median'])} [{fmt(iid, b.p05)}-{fmt(iid, b.p95)}]",
                    effect,
                    fmt(iid, INDICATORS[iid].target()),
                    odds,
                    "-" if np.isnan(ratio) else f"{ratio:.3g}",
                ]
            )
        tables.append(
            Table(
                [
                    lb.text("indicator", lang),
                    lb.text("unit", lang),
                    reference,
                    name,
                    lb.text("effect", lang),
                    lb.text("target2025", lang),
                    lb.text("p_target", lang),
                    lb.text("per_yi", lang),
                ],
                rows,
                title=f"{name} ← {reference} ({year})",
                text_columns=2,
            )
        )
    overview = Section("scenario", lb.text("scenarios", lang), [scenario_table(records, lang)])
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "fan", lb.text("fan_title", lang), lambda: charts.fan_chart(runs, lang, scenarios=names))
    figs.add(
        figures,
        "effects",
        lb.text("effect_title", lang, year=year),
        lambda: charts.effect_chart(ind, reference, year, lang),
    )
    figs.add(
        figures,
        "attainment",
        lb.text("attain_title", lang, year=year),
        lambda: charts.attainment_chart(ind, year, lang),
    )
    figs.add(
        figures,
        "spending",
        lb.text("spending_title", lang, start=PLAN_START, end=year),
        lambda: charts.spending_chart(spending, year, lang),
    )
    figs.add(
        figures,
        "cost_effectiveness",
        lb.text("cost_title", lang, year=year),
        lambda: charts.cost_chart(cost, year, lang),
    )
    money = Section("spending", lb.text("spending", lang), spending_tables(spending, year, lang, reference))
    title = f"{lb.text('report_comparison', lang)}: {' / '.join(names)}"
    hashes = {s.name: s.hash for s in result.scenarios}
    return title, [
        overview,
        Section("indicators", lb.text("indicators", lang), tables),
        figures,
        money,
        manifest_section(manifest, lang, hashes),
    ]


def _experiment_overview(manifest: dict[str, Any], lang: str) -> Section:
    exp = manifest.get("experiment", {})
    base = manifest.get("base_scenario", {})
    items: list[Any] = [
        scenario_table(
            [
                {
                    "name": base.get("name", "?"),
                    "description": base.get("description", ""),
                    "hash": manifest.get("base_scenario_hash", ""),
                }
            ],
            lang,
        )
    ]
    factors = exp.get("vary") or exp.get("factor") or []
    rows = []
    for f in factors:
        spec = {k: v for k, v in f.items() if k != "path" and v is not None and v is not False}
        rows.append([lb.factor(f["path"], lang), f["path"], ", ".join(f"{k}={v}" for k, v in spec.items())])
    items.append(Table([lb.text("factor", lang), "path", ""], rows, title=lb.text("factors", lang), text_columns=3))
    return Section("scenario", exp.get("description") or exp.get("name", ""), items)


def _sweep(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    need(folder, "summary.csv", "points.csv", "results.parquet")
    check_finished(folder, manifest)
    summary, points = table_csv(folder, "summary.csv"), table_csv(folder, "points.csv")
    factors = [c for c in points.columns if c != "point"]
    columns(summary, folder / "summary.csv", "point", "indicator", "year", "median", "p05", "p95", *factors)
    year = int(summary["year"].max())
    results = pd.read_parquet(folder / "results.parquet", columns=["point", "year", "indicator", "value"])
    shown = [i for i in INDICATORS if i in set(summary["indicator"])]
    targeted = [i for i in shown if INDICATORS[i].plan and INDICATORS[i].target() is not None and year == TARGET_YEAR]
    final = results[results["year"] == year]
    p = {
        iid: charts.attainment(final[final["indicator"] == iid].rename(columns={"point": "scenario"}), year).set_index(
            "scenario"
        )["p_target"]
        for iid in targeted
    }
    med = summary[summary["year"] == year].set_index(["point", "indicator"])["median"]
    cols = [
        lb.text("point", lang),
        *[lb.factor(f, lang) for f in factors],
        *[f"{lb.indicator(i, lang)} ({lb.unit(i, lang)})" for i in shown],
        *[f"{lb.text('p_target', lang)}: {lb.indicator(i, lang)}" for i in targeted],
    ]
    rows = []
    for r in points.itertuples(index=False):
        values = [str(v) if isinstance(v, str) else f"{v:g}" for v in r[1:]]
        rows.append(
            [
                str(r.point),
                *values,
                *[fmt(i, med.get((r.point, i))) for i in shown],
                *[pct(p[i].get(r.point, np.nan)) for i in targeted],
            ]
        )
    table = Table(
        cols,
        rows,
        title=lb.text("median_interval", lang, year=year).split(" [")[0],
        text_columns=1,
        note=lb.text(
            "replicates_note",
            lang,
            replicates=manifest.get("replicates", "?"),
            seed=manifest.get("experiment", {}).get("seed", "?"),
        ),
    )
    figures = Section("figures", lb.text("figures", lang))
    figs.add(
        figures,
        "sweep",
        lb.text("sweep_title", lang, year=year),
        lambda: charts.sweep_chart(summary, factors, lang, year),
    )
    title = f"{lb.text('report_sweep', lang)}: {manifest.get('name', folder.name)}"
    return title, [
        _experiment_overview(manifest, lang),
        Section("indicators", lb.text("points", lang), [table]),
        figures,
        manifest_section(manifest, lang, {"base": manifest.get("base_scenario_hash", "")}),
    ]


def _sensitivity(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    from innosim.sensitivity.methods import METHODS
    from innosim.sensitivity.plots import Described, bars_chart, over_time_chart
    from innosim.sensitivity.run import rank_by

    check_finished(folder, manifest)

    need(folder, "indices.csv")
    indices = table_csv(folder, "indices.csv")
    columns(indices, folder / "indices.csv", "indicator", "year", "parameter", "index", "value", "conf")
    try:
        about = Described.from_manifest(manifest)
        method = METHODS[about.method]
    except (KeyError, TypeError) as exc:
        raise InputError(folder / MANIFEST, "experiment", f"does not describe a sensitivity analysis ({exc})") from None
    year = int(indices["year"].max())
    rows = []
    for r in rank_by(indices, method.main, year).itertuples(index=False):
        conf = "" if np.isnan(r.conf) else f" ± {r.conf:.2f}"
        rows.append(
            [
                lb.indicator(r.indicator, lang) if r.rank == 1 else "",
                str(r.rank),
                lb.factor(r.parameter, lang),
                f"{r.value:.3f}{conf}",
            ]
        )
    ranking = Table(
        [lb.text("indicator", lang), lb.text("rank", lang), lb.text("factor", lang), method.main], rows, text_columns=3
    )
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "sensitivity", method.label, lambda: bars_chart(indices, about, lang, year))
    figs.add(figures, "sensitivity_over_time", method.label, lambda: over_time_chart(indices, about, lang))
    title = f"{lb.text('report_sensitivity', lang)}: {about.name}"
    return title, [
        _experiment_overview(manifest, lang),
        Section("indicators", lb.text("ranking", lang, year=year, index=method.main), [ranking]),
        figures,
        manifest_section(manifest, lang, {"base": manifest.get("base_scenario_hash", "")}),
    ]


BUILDERS: dict[str, Callable[[Path, dict[str, Any], str, Figures], tuple[str, list[Section]]]] = {
    "run": _run,
    "comparison": _comparison,
    "sweep": _sweep,
    "sensitivity": _sensitivity,
    "optimisation": design.optimisation,
    "discovery": design.discovery,
}


# ------------------------------------------------------------------ rendering
