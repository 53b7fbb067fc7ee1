"""Report builders for policy design: an optimisation's front and a scenario discovery's boxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import labels as lb
from innosim.design.charts import pareto_chart, peeling_chart
from innosim.design.objectives import Objective, format_estimate
from innosim.report.blocks import Figures, Section, Table, columns, manifest_section, need, table_csv
from innosim.verification import check_finished


def _number(x: Any) -> str:
    return x if isinstance(x, str) else "-" if pd.isna(x) else f"{x:.3g}"


def optimisation(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    """The decisions and budget, the front's lever mixes with their estimates, the Pareto plot."""
    need(folder, "evaluations.csv", "pareto.csv", "results.parquet")
    check_finished(folder, manifest)
    exp = manifest.get("experiment", {})
    evaluations = table_csv(folder, "evaluations.csv")
    decisions = [d["path"] for d in exp.get("decision", [])]
    objectives = [Objective.from_table(o) for o in exp.get("objective", [])]
    if not any(o.kind == "spending" for o in objectives):  # committed spending is always shown
        objectives.insert(0, Objective("spending"))
    shown = [o.column for o in objectives]
    columns(evaluations, folder / "evaluations.csv", "point", "front", *decisions, *shown)
    rows = [
        [lb.factor(d["path"], lang), d["path"], f"{d['lower']:g} - {d['upper']:g}"] for d in exp.get("decision", [])
    ]
    cap = manifest.get("committed_cap")
    setup = Table(
        [lb.text("factor", lang), "path", lb.text("bounds", lang)],
        rows,
        title=lb.text("decisions", lang),
        text_columns=3,
        note=lb.text("budget_cap", lang, cap=f"{cap:g}") if cap is not None else "",
    )
    front = table_csv(folder, "pareto.csv")
    body = [
        [
            str(r["point"]),
            *[_number(r[d]) for d in decisions],
            *[format_estimate(r[c], r.get(f"{c}_se")) for c in shown],
        ]
        for _, r in front.iterrows()
    ]
    table = Table(
        [
            lb.text("point", lang),
            *[lb.factor(d, lang) for d in decisions],
            *[o.label(lang) for o in objectives],
        ],
        body,
        title=lb.text("front_table", lang),
        note=lb.text("replicates_note", lang, replicates=manifest.get("replicates", "?"), seed=exp.get("seed", "?")),
    )
    figures = Section("figures", lb.text("figures", lang))
    figs.add(
        figures,
        "pareto",
        lb.text("front", lang),
        lambda: pareto_chart(evaluations, objectives, int(manifest.get("replicates", 0)), lang),
    )
    title = f"{lb.text('report_optimisation', lang)}: {manifest.get('name', folder.name)}"
    return title, [
        Section("scenario", exp.get("description") or exp.get("name", ""), [setup]),
        Section("indicators", lb.text("front_table", lang), [table]),
        figures,
        manifest_section(manifest, lang, {"base": manifest.get("base_scenario_hash", "")}),
    ]


def discovery(folder: Path, manifest: dict[str, Any], lang: str, figs: Figures) -> tuple[str, list[Section]]:
    """The condition, the PRIM box with its significance, the feature scores, the peeling trajectory."""
    need(folder, "boxes.csv", "peeling.csv", "features.csv")
    boxes, peeling, features = (table_csv(folder, f"{n}.csv") for n in ("boxes", "peeling", "features"))
    columns(boxes, folder / "boxes.csv", "input", "lower", "upper", "qp_lower", "qp_upper", "restricted")
    columns(peeling, folder / "peeling.csv", "coverage", "density", "res_dim", "chosen")
    columns(features, folder / "features.csv", "input", "score")
    stats = manifest.get("box", {})
    restricted = boxes[boxes["restricted"].astype(bool)]
    box = Table(
        [lb.text("factor", lang), lb.text("lower", lang), lb.text("upper", lang), lb.text("qp", lang)],
        [
            [lb.factor(r.input, lang), _number(r.lower), _number(r.upper), f"{np.nanmax([r.qp_lower, r.qp_upper]):.2g}"]
            for r in restricted.itertuples(index=False)
        ],
        title=lb.text("box", lang, **{k: stats.get(k, np.nan) for k in ("coverage", "density", "mass")}),
        note=lb.text(
            "cases",
            lang,
            cases=manifest.get("cases", "?"),
            hits=manifest.get("of_interest", "?"),
            year=manifest.get("year", "?"),
        ),
        text_columns=1,
    )
    scores = Table(
        [lb.text("factor", lang), lb.text("score", lang)],
        [[lb.factor(r.input, lang), f"{r.score:.3f}"] for r in features.itertuples(index=False)],
        title=lb.text("feature_scores", lang),
    )
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "peeling", lb.text("peeling_title", lang), lambda: peeling_chart(peeling, lang))
    title = f"{lb.text('report_discovery', lang)}: {lb.text('condition', lang)} {manifest.get('condition', '')}"
    return title, [
        Section("indicators", lb.text("condition", lang) + f": {manifest.get('condition', '')}", [box, scores]),
        figures,
        manifest_section(manifest, lang, {}),
    ]
