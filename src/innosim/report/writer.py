"""Write a report: read a result directory, build its sections, render one self-contained HTML file."""

from __future__ import annotations

import html
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from innosim import labels as lb
from innosim.errors import InputError
from innosim.figures import font_subset
from innosim.provenance import read_manifest
from innosim.report.blocks import Figures, Report
from innosim.report.builders import BUILDERS
from innosim.store import write_atomic
from innosim.version import __version__

REPORT = "report.html"
"""The report's file name (``report.en.html`` in English)."""
FIGURES_DIR = "figures"
"""Where a report's figures go in the result directory (``figures/<lang>/``)."""


def _template() -> Any:
    import jinja2

    source = resources.files("innosim").joinpath("templates/report.html.j2").read_text(encoding="utf-8")
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(source)


def render(report: Report) -> str:
    """The report as one HTML document, with the font subset for exactly the text it shows."""
    template = _template()
    context = {
        "lang": report.lang,
        "title": report.title,
        "subtitle": report.subtitle,
        "sections": report.sections,
        "version": __version__,
        "footer": lb.text("generated", report.lang, version=__version__),
    }
    draft = template.render(font="", **context)
    shown = html.unescape(draft)
    return template.render(font=font_subset(shown), **context)


def _folder(results: str | Path) -> Path:
    folder = Path(results)
    if not folder.is_dir():
        raise InputError(
            folder,
            "",
            "is not a directory; give the --out directory of run, compare, sweep, sensitivity, optimise or discover",
        )
    return folder


def build_report(
    results: str | Path,
    lang: str = "zh",
    figures_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Read a result directory and draw its figures (into ``figures_dir``, default ``results/figures/<lang>``);
    ``progress`` is called with each step (the figure drawn next).

    Raises:
        InputError: not a result directory of innosim, or a file in it is missing or unreadable.
    """
    lb.check_lang(lang)
    folder = _folder(results)
    manifest = read_manifest(folder)
    kind = manifest["kind"]
    figs = Figures(Path(figures_dir) if figures_dir else folder / FIGURES_DIR / lang, progress)
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


def write_report(
    results: str | Path,
    out: str | Path | None = None,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the report of a result directory; returns its path.

    Args:
        results: The result directory (``--out`` of run, compare, sweep, sensitivity, optimise or discover).
        out: The HTML file (default ``results/report.html``, or ``report.en.html`` for English).
        lang: ``"zh"`` or ``"en"``.
        progress: Called with each step as it starts (each figure, then the font and the page).

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
    report = build_report(folder, lang, figures_dir, progress)
    if progress:
        progress("the font subset and the page")
    write_atomic(target, render(report))
    return target
