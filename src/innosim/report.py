"""``innosim report``: one self-contained HTML file that summarises a result directory.

A result directory of ``innosim run --out``, ``compare --out``, ``sweep`` or
``sensitivity`` is recognised by its files and manifest. The report holds the
scenario(s), the indicator table against the 2025 targets, the figures of
:mod:`innosim.charts` (PNG, embedded as ``data:`` URIs), the probabilities of meeting
the targets, spending, and the manifest (version, seeds, scenario hash). It needs no
network to open: no external scripts, styles, images or fonts. Chinese text is set in
a subset of the bundled Noto Sans CJK SC, embedded in the file, so it shows without
missing-glyph boxes on a machine that has no CJK font.

The figures are also written as PNG and SVG, in ``figures/<lang>/`` of the result
directory (or ``<name>_figures/`` beside ``--out``).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from innosim import charts
from innosim import labels as lb
from innosim.errors import InputError
from innosim.figures import font_subset, save_all
from innosim.indicators import INDICATORS, format_signed, format_value
from innosim.levers import LEVERS
from innosim.scenario import Scenario
from innosim.timeline import PLAN_START
from innosim.simulate import summarise
from innosim.store import write_atomic

REPORT = "report.html"
FIGURES_DIR = "figures"
KINDS = ("run", "comparison", "sweep", "sensitivity")
MANIFEST = "manifest.json"


# ------------------------------------------------------------------ building blocks
@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    title: str = ""
    note: str = ""
    text_columns: int = 1
    row_classes: list[str] | None = None
    mark_last: bool = False
    kind: str = "table"


@dataclass
class Figure:
    name: str
    caption: str
    png: str
    kind: str = "figure"


@dataclass
class Manifest:
    entries: list[tuple[str, str]]
    kind: str = "manifest"


@dataclass
class Section:
    id: str
    title: str
    items: list[Any] = field(default_factory=list)


@dataclass
class Report:
    """A report before rendering: its sections and where its figure files went."""

    kind: str
    lang: str
    title: str
    subtitle: str
    sections: list[Section]
    figure_files: list[Path]


class _Figures:
    """Draws library figures, saves them as PNG and SVG, and embeds the PNG."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.files = folder, []

    def add(self, section: Section, name: str, caption: str, draw: Callable[[], Any]) -> None:
        fig = draw()
        if fig is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        paths = save_all(fig, self.folder / name)
        self.files += paths
        section.items.append(Figure(name, caption, base64.b64encode(paths[0].read_bytes()).decode("ascii")))


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(folder, "", "is not a result directory of innosim (no manifest.json); give the --out "
                                     "directory of run, compare, sweep or sensitivity") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"is not valid JSON ({exc})") from None


def detect(folder: Path, manifest: dict[str, Any]) -> str:
    """The kind of result directory: run, comparison, sweep or sensitivity."""
    kind = manifest.get("kind")
    if kind is None:  # directories written before manifests named their kind
        kind = "comparison" if (folder / "comparison.json").exists() else "run" if "scenario" in manifest else None
    if kind not in KINDS:
        raise InputError(folder / MANIFEST, "kind", f"is {kind!r}; a report covers {', '.join(KINDS)}")
    return kind


def _need(folder: Path, *names: str) -> None:
    for name in names:
        if not (folder / name).exists():
            raise InputError(folder, name, "is missing; the job did not finish (resume it) or the directory was "
                                           "changed by hand")


def _csv(folder: Path, name: str) -> pd.DataFrame:
    try:
        return pd.read_csv(folder / name)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(folder / name, "", f"cannot be read as CSV ({exc})") from None


def _columns(frame: pd.DataFrame, path: Path, *names: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(path, missing[0], "column is missing; this file was not written by innosim")


def _fmt(iid: str, x: float | None) -> str:
    unit = INDICATORS[iid].unit
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else format_value(x, unit)


def _pct(x: float | None) -> str:
    return "-" if x is None or np.isnan(x) else f"{x:.0%}"


def _ind_cells(iid: str, lang: str) -> list[str]:
    return [lb.indicator(iid, lang), lb.unit(iid, lang)]


def _manifest_section(manifest: dict[str, Any], lang: str, hashes: dict[str, str]) -> Section:
    entries: list[tuple[str, str]] = [("innosim", str(manifest.get("innosim_version", "?")))]
    for key in ("name", "hash", "experiment_file", "seed", "replicates", "points", "runs", "scale", "workers",
                "scheduler", "started", "finished", "python"):
        if manifest.get(key) is not None:
            entries.append((key, str(manifest[key])))
    for name, digest in hashes.items():
        entries.append((f"scenario_hash ({name})", digest))
    params = manifest.get("parameters")
    if isinstance(params, dict):
        entries.append(("parameters", ", ".join(f"{k}={v}" for k, v in params.items() if k != "paths")))
    seeds = manifest.get("replicate_seeds")
    if seeds:
        entries.append(("replicate_seeds", ", ".join(map(str, seeds))))
    if manifest.get("command"):
        entries.append(("command", " ".join(map(str, manifest["command"]))))
    return Section("manifest", lb.text("manifest", lang), [Manifest(entries)])


def _scenario_table(scenarios: list[dict[str, Any]], lang: str) -> Table:
    return Table([lb.text("scenario", lang), lb.text("description", lang), "hash"],
                 [[s["name"], s.get("description", ""), s.get("hash", "")] for s in scenarios], text_columns=3)


def _spending_table(spending: pd.DataFrame, year: int, lang: str, reference: str | None = None) -> list[Table]:
    tables = []
    for name in dict.fromkeys(spending["scenario"]):
        rows = spending[spending["scenario"] == name].set_index("lever")
        cols = [lb.text("lever", lang), lb.text("budget", lang), lb.text("spent_period", lang, start=PLAN_START,
                                                                          end=year), lb.text("uptake", lang)]
        if reference and name != reference:
            cols.append(lb.text("extra", lang))
        body = []
        for lid in [*LEVERS, "total"]:
            r = rows.loc[lid]
            cells = [lb.lever(lid, lang), f"{r.budget:.3g}", f"{r.spent:.2f}", _pct(r.uptake)]
            if reference and name != reference:
                cells.append(f"{r.extra:+.2f}")
            body.append(cells)
        tables.append(Table(cols, body, title=name))
    return tables


# ------------------------------------------------------------------ one builder per kind
def _run(folder: Path, manifest: dict[str, Any], lang: str, figs: _Figures) -> tuple[str, list[Section]]:
    from innosim.compare import spending_table

    _need(folder, "indicators.csv")
    runs = _csv(folder, "indicators.csv")
    _columns(runs, folder / "indicators.csv", "scenario", "replicate", "year", "indicator", "value")
    try:
        scn = Scenario.model_validate(manifest["scenario"])
    except Exception as exc:  # noqa: BLE001 - any malformed scenario record
        raise InputError(folder / MANIFEST, "scenario", f"is not a scenario record ({exc})") from None
    year = min(2025, int(runs["year"].max()))
    quant = summarise(runs).set_index(["indicator", "year"])
    attain = charts.attainment(runs, year).set_index("indicator")["p_target"]
    rows, classes = [], []
    for iid in charts.plan_indicators():
        ind = INDICATORS[iid]
        q20, q25 = quant.loc[(iid, 2020)], quant.loc[(iid, year)]
        target = ind.target()
        p = attain.get(iid, np.nan)
        rows.append([*_ind_cells(iid, lang), _fmt(iid, q20["median"]), _fmt(iid, ind.fact(2020)),
                     f"{_fmt(iid, q25['median'])} [{_fmt(iid, q25.p05)}-{_fmt(iid, q25.p95)}]", _fmt(iid, target),
                     _pct(p)])
        classes.append("" if np.isnan(p) else "met" if p >= 0.5 else "missed")
    n = runs["replicate"].nunique()
    overview = Section("scenario", lb.text("scenarios", lang), [_scenario_table(
        [{"name": scn.name, "description": scn.description, "hash": scn.hash}], lang)])
    table = Section("indicators", lb.text("indicators", lang), [Table(
        [lb.text("indicator", lang), lb.text("unit", lang), lb.text("sim2020", lang), lb.text("fact2020", lang),
         lb.text("median_interval", lang, year=year), lb.text("target2025", lang), lb.text("p_target", lang)],
        rows, text_columns=2, row_classes=classes, mark_last=True,
        note=lb.text("replicates_note", lang, replicates=n, seed=manifest.get("seed", "?")))])
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "fan", lb.text("fan_title", lang), lambda: charts.fan_chart(runs, lang))
    figs.add(figures, "attainment", lb.text("attain_title", lang, year=year),
             lambda: charts.attainment_chart(charts.attainment(runs, year), year, lang))
    spending = spending_table(runs, [scn], year)
    figs.add(figures, "spending", lb.text("spending_title", lang, start=PLAN_START, end=year),
             lambda: charts.spending_chart(spending, year, lang))
    money = Section("spending", lb.text("spending", lang), _spending_table(spending, year, lang))
    title = f"{lb.text('report_run', lang)}: {scn.name}"
    return title, [overview, table, figures, money, _manifest_section(manifest, lang, {scn.name: scn.hash})]


def _comparison(folder: Path, manifest: dict[str, Any], lang: str, figs: _Figures) -> tuple[str, list[Section]]:
    _need(folder, "comparison.json", "indicators.csv", "spending.csv", "cost_effectiveness.csv", "runs.csv")
    try:
        doc = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
        reference, year = doc["reference"], int(doc["year"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise InputError(folder / "comparison.json", "", f"is not a comparison written by innosim ({exc})") from None
    ind, spending = _csv(folder, "indicators.csv"), _csv(folder, "spending.csv")
    cost, runs = _csv(folder, "cost_effectiveness.csv"), _csv(folder, "runs.csv")
    _columns(ind, folder / "indicators.csv", "scenario", "indicator", "year", "median", "effect_median", "p_target")
    names = [s["name"] for s in doc["scenarios"]]
    at = ind[ind["year"] == year].set_index(["scenario", "indicator"])
    per = cost.set_index(["scenario", "indicator"])
    tables = []
    for name in names[1:]:
        rows = []
        for iid in charts.plan_indicators():
            a, b = at.loc[(reference, iid)], at.loc[(name, iid)]
            lo, mid, hi = (format_signed(b[c], INDICATORS[iid].unit) for c in ("effect_p05", "effect_median", "effect_p95"))
            effect = f"{mid} [{lo}, {hi}]"
            odds = "-" if np.isnan(b.p_target) else f"{_pct(a.p_target)} → {_pct(b.p_target)}"
            ratio = per.loc[(name, iid)].per_yi_median if (name, iid) in per.index else np.nan
            rows.append([*_ind_cells(iid, lang), _fmt(iid, a["median"]),
                         f"{_fmt(iid, b['median'])} [{_fmt(iid, b.p05)}-{_fmt(iid, b.p95)}]", effect,
                         _fmt(iid, INDICATORS[iid].target()), odds, "-" if np.isnan(ratio) else f"{ratio:.3g}"])
        tables.append(Table([lb.text("indicator", lang), lb.text("unit", lang), reference, name,
                             lb.text("effect", lang), lb.text("target2025", lang), lb.text("p_target", lang),
                             lb.text("per_yi", lang)], rows, title=f"{name} ← {reference} ({year})", text_columns=2))
    overview = Section("scenario", lb.text("scenarios", lang), [_scenario_table(doc["scenarios"], lang)])
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "fan", lb.text("fan_title", lang), lambda: charts.fan_chart(runs, lang, scenarios=names))
    figs.add(figures, "effects", lb.text("effect_title", lang, year=year),
             lambda: charts.effect_chart(ind, reference, year, lang))
    figs.add(figures, "attainment", lb.text("attain_title", lang, year=year),
             lambda: charts.attainment_chart(ind, year, lang))
    figs.add(figures, "spending", lb.text("spending_title", lang, start=PLAN_START, end=year),
             lambda: charts.spending_chart(spending, year, lang))
    figs.add(figures, "cost_effectiveness", lb.text("cost_title", lang, year=year),
             lambda: charts.cost_chart(cost, year, lang))
    money = Section("spending", lb.text("spending", lang), _spending_table(spending, year, lang, reference))
    title = f"{lb.text('report_comparison', lang)}: {' / '.join(names)}"
    hashes = {s["name"]: s.get("hash", "") for s in doc["scenarios"]}
    return title, [overview, Section("indicators", lb.text("indicators", lang), tables), figures, money,
                   _manifest_section(manifest, lang, hashes)]


def _experiment_overview(manifest: dict[str, Any], lang: str) -> Section:
    exp = manifest.get("experiment", {})
    base = manifest.get("base_scenario", {})
    items: list[Any] = [_scenario_table([{"name": base.get("name", "?"), "description": base.get("description", ""),
                                          "hash": manifest.get("base_scenario_hash", "")}], lang)]
    factors = exp.get("vary") or exp.get("factor") or []
    rows = []
    for f in factors:
        spec = {k: v for k, v in f.items() if k != "path" and v is not None and v is not False}
        rows.append([lb.factor(f["path"], lang), f["path"], ", ".join(f"{k}={v}" for k, v in spec.items())])
    items.append(Table([lb.text("factor", lang), "path", ""], rows, title=lb.text("factors", lang), text_columns=3))
    return Section("scenario", exp.get("description") or exp.get("name", ""), items)


def _sweep(folder: Path, manifest: dict[str, Any], lang: str, figs: _Figures) -> tuple[str, list[Section]]:
    _need(folder, "summary.csv", "points.csv", "results.parquet")
    summary, points = _csv(folder, "summary.csv"), _csv(folder, "points.csv")
    factors = [c for c in points.columns if c != "point"]
    _columns(summary, folder / "summary.csv", "point", "indicator", "year", "median", "p05", "p95", *factors)
    year = int(summary["year"].max())
    results = pd.read_parquet(folder / "results.parquet", columns=["point", "year", "indicator", "value"])
    shown = [i for i in INDICATORS if i in set(summary["indicator"])]
    targeted = [i for i in shown if INDICATORS[i].plan and INDICATORS[i].target() is not None and year == 2025]
    final = results[results["year"] == year]
    p = {iid: charts.attainment(final[final["indicator"] == iid].rename(columns={"point": "scenario"}), year)
         .set_index("scenario")["p_target"] for iid in targeted}
    med = summary[summary["year"] == year].set_index(["point", "indicator"])["median"]
    cols = [lb.text("point", lang), *[lb.factor(f, lang) for f in factors],
            *[f"{lb.indicator(i, lang)} ({lb.unit(i, lang)})" for i in shown],
            *[f"{lb.text('p_target', lang)}: {lb.indicator(i, lang)}" for i in targeted]]
    rows = []
    for r in points.itertuples(index=False):
        values = [str(v) if isinstance(v, str) else f"{v:g}" for v in r[1:]]
        rows.append([str(r.point), *values, *[_fmt(i, med.get((r.point, i))) for i in shown],
                     *[_pct(p[i].get(r.point, np.nan)) for i in targeted]])
    table = Table(cols, rows, title=lb.text("median_interval", lang, year=year).split(" [")[0],
                  text_columns=1, note=lb.text("replicates_note", lang, replicates=manifest.get("replicates", "?"),
                                               seed=manifest.get("experiment", {}).get("seed", "?")))
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "sweep", lb.text("sweep_title", lang, year=year),
             lambda: charts.sweep_chart(summary, factors, lang, year))
    title = f"{lb.text('report_sweep', lang)}: {manifest.get('name', folder.name)}"
    return title, [_experiment_overview(manifest, lang),
                   Section("indicators", lb.text("points", lang), [table]), figures,
                   _manifest_section(manifest, lang, {"base": manifest.get("base_scenario_hash", "")})]


def _sensitivity(folder: Path, manifest: dict[str, Any], lang: str, figs: _Figures) -> tuple[str, list[Section]]:
    from innosim.sensitivity.methods import METHODS
    from innosim.sensitivity.plots import Described, bars_chart, over_time_chart
    from innosim.sensitivity.run import rank_by

    _need(folder, "indices.csv")
    indices = _csv(folder, "indices.csv")
    _columns(indices, folder / "indices.csv", "indicator", "year", "parameter", "index", "value", "conf")
    try:
        about = Described.from_manifest(manifest)
        method = METHODS[about.method]
    except (KeyError, TypeError) as exc:
        raise InputError(folder / MANIFEST, "experiment", f"does not describe a sensitivity analysis ({exc})") from None
    year = int(indices["year"].max())
    rows = []
    for r in rank_by(indices, method.main, year).itertuples(index=False):
        conf = "" if np.isnan(r.conf) else f" ± {r.conf:.2f}"
        rows.append([lb.indicator(r.indicator, lang) if r.rank == 1 else "", str(r.rank), lb.factor(r.parameter, lang),
                     f"{r.value:.3f}{conf}"])
    ranking = Table([lb.text("indicator", lang), lb.text("rank", lang), lb.text("factor", lang), method.main], rows,
                    text_columns=3)
    figures = Section("figures", lb.text("figures", lang))
    figs.add(figures, "sensitivity", method.label, lambda: bars_chart(indices, about, lang, year))
    figs.add(figures, "sensitivity_over_time", method.label, lambda: over_time_chart(indices, about, lang))
    title = f"{lb.text('report_sensitivity', lang)}: {about.name}"
    return title, [_experiment_overview(manifest, lang),
                   Section("indicators", lb.text("ranking", lang, year=year, index=method.main), [ranking]),
                   figures, _manifest_section(manifest, lang, {"base": manifest.get("base_scenario_hash", "")})]


BUILDERS: dict[str, Callable[[Path, dict[str, Any], str, _Figures], tuple[str, list[Section]]]] = {
    "run": _run, "comparison": _comparison, "sweep": _sweep, "sensitivity": _sensitivity}


# ------------------------------------------------------------------ rendering
def _template():
    import jinja2

    source = resources.files("innosim").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(source)


def render(report: Report) -> str:
    """The report as one HTML document, with the font subset for exactly the text it shows."""
    from innosim import __version__

    template = _template()
    context = {"lang": report.lang, "title": report.title, "subtitle": report.subtitle, "sections": report.sections,
               "version": __version__, "footer": lb.text("generated", report.lang, version=__version__)}
    draft = template.render(font="", **context)
    shown = html.unescape(draft)
    return template.render(font=font_subset(shown), **context)


def _folder(results: str | Path) -> Path:
    folder = Path(results)
    if not folder.is_dir():
        raise InputError(folder, "", "is not a directory; give the --out directory of run, compare, sweep or "
                                     "sensitivity")
    return folder


def build_report(results: str | Path, lang: str = "zh", figures_dir: str | Path | None = None) -> Report:
    """Read a result directory and draw its figures (into ``figures_dir``, default ``results/figures/<lang>``).

    Raises:
        InputError: not a result directory of innosim, or a file in it is missing or unreadable.
    """
    lb.check_lang(lang)
    folder = _folder(results)
    manifest = _read_manifest(folder)
    kind = detect(folder, manifest)
    figs = _Figures(Path(figures_dir) if figures_dir else folder / FIGURES_DIR / lang)
    try:
        title, sections = BUILDERS[kind](folder, manifest, lang, figs)
    except (KeyError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        for path in figs.files:
            path.unlink(missing_ok=True)
        raise InputError(folder, "", f"holds an incomplete or inconsistent {kind} result ({exc!r})") from None
    subtitle = f"{folder.resolve().name} · {manifest.get('finished', '')}"
    return Report(kind, lang, title, subtitle, sections, figs.files)


def write_report(results: str | Path, out: str | Path | None = None, lang: str = "zh") -> Path:
    """Write the report of a result directory; returns its path.

    Args:
        results: The result directory (``--out`` of run, compare, sweep or sensitivity).
        out: The HTML file (default ``results/report.html``, or ``report.en.html`` for English).
        lang: ``"zh"`` or ``"en"``.

    The figures are written as PNG and SVG into ``figures/<lang>/`` of the result
    directory, or with ``out`` into ``<out stem>_figures/`` beside it.
    """
    folder = _folder(results)
    target = Path(out) if out is not None else folder / (REPORT if lang == "zh" else f"report.{lang}.html")
    if target.exists() and target.is_dir():
        raise InputError(target, "--out", "is a directory; give the HTML file to write")
    if not target.parent.exists():
        raise InputError(target, "--out", f"cannot be written: {target.parent} does not exist")
    figures_dir = folder / FIGURES_DIR / lang if out is None else target.parent / f"{target.stem}_{FIGURES_DIR}"
    report = build_report(folder, lang, figures_dir)
    write_atomic(target, render(report))
    return target
