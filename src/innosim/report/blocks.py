"""The building blocks of a report: tables, figures, sections, and the cells they hold."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim import labels as lb
from innosim.errors import InputError
from innosim.figures import save_all
from innosim.files import read_csv
from innosim.indicators import INDICATORS, format_value
from innosim.levers import LEVERS
from innosim.timeline import PLAN_START


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


class Figures:
    """Draws library figures, saves them as PNG and SVG, and embeds the PNG."""

    def __init__(self, folder: Path, progress: Callable[[str], None] | None = None) -> None:
        self.folder = folder
        self.files: list[Path] = []
        self.progress = progress

    def add(self, section: Section, name: str, caption: str, draw: Callable[[], Any]) -> None:
        if self.progress:
            self.progress(f"figure {name}")
        fig = draw()
        if fig is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        paths = save_all(fig, self.folder / name)
        self.files += paths
        section.items.append(Figure(name, caption, base64.b64encode(paths[0].read_bytes()).decode("ascii")))


def need(folder: Path, *names: str) -> None:
    for name in names:
        if not (folder / name).exists():
            raise InputError(
                folder, name, "is missing; the job did not finish (resume it) or the directory was changed by hand"
            )


def table_csv(folder: Path, name: str) -> pd.DataFrame:
    """A CSV table of the result directory (checked like every file innosim reads)."""
    return read_csv(folder / name, "table")


def columns(frame: pd.DataFrame, path: Path, *names: str) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(path, missing[0], "column is missing; this file was not written by innosim")


def fmt(iid: str, x: float | None) -> str:
    unit = INDICATORS[iid].unit
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else format_value(x, unit)


def pct(x: float | None) -> str:
    return "-" if x is None or np.isnan(x) else f"{x:.0%}"


def ind_cells(iid: str, lang: str) -> list[str]:
    return [lb.indicator(iid, lang), lb.unit(iid, lang)]


def manifest_section(manifest: dict[str, Any], lang: str, hashes: dict[str, str]) -> Section:
    entries: list[tuple[str, str]] = [("innosim", str(manifest.get("innosim_version", "?")))]
    for key in (
        "name",
        "hash",
        "experiment_file",
        "seed",
        "replicates",
        "points",
        "runs",
        "scale",
        "workers",
        "scheduler",
        "started",
        "finished",
        "python",
    ):
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


def scenario_table(scenarios: list[dict[str, Any]], lang: str) -> Table:
    return Table(
        [lb.text("scenario", lang), lb.text("description", lang), "hash"],
        [[s["name"], s.get("description", ""), s.get("hash", "")] for s in scenarios],
        text_columns=3,
    )


def spending_tables(spending: pd.DataFrame, year: int, lang: str, reference: str | None = None) -> list[Table]:
    tables = []
    for name in dict.fromkeys(spending["scenario"]):
        rows = spending[spending["scenario"] == name].set_index("lever")
        cols = [
            lb.text("lever", lang),
            lb.text("budget", lang),
            lb.text("spent_period", lang, start=PLAN_START, end=year),
            lb.text("uptake", lang),
        ]
        if reference and name != reference:
            cols.append(lb.text("extra", lang))
        body = []
        for lid in [*LEVERS, "total"]:
            r = rows.loc[lid]
            cells = [lb.lever(lid, lang), f"{r.budget:.3g}", f"{r.spent:.2f}", pct(r.uptake)]
            if reference and name != reference:
                cells.append(f"{r.extra:+.2f}")
            body.append(cells)
        tables.append(Table(cols, body, title=name))
    return tables


# ------------------------------------------------------------------ one builder per kind
