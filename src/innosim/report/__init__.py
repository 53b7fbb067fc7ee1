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

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.report.writer import REPORT, build_report, render, write_report

_EXPORTS = {
    "REPORT": "innosim.report.writer",
    "build_report": "innosim.report.writer",
    "render": "innosim.report.writer",
    "write_report": "innosim.report.writer",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = ["REPORT", "build_report", "render", "write_report"]
