"""What every figure of innosim shares: a headless matplotlib, one font, one way to save.

Figures are drawn with matplotlib's Agg backend, so they work on machines without a
display (in a Jupyter notebook, with its inline backend, so that a figure shows where it is returned). Text is set in Noto Sans CJK SC, which innosim ships (a 3 MB subset of the open font:
GB 2312 and punctuation, ``innosim/data/fonts/``, built by ``tools/subset_font.py``), so Chinese
labels never fall back to a font without the glyphs (the missing-glyph boxes of a fresh
machine); the font is registered with matplotlib on
first use, without touching the user's matplotlib configuration. SVG output keeps text
as paths, so an SVG shows the same glyphs on a machine without the font.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import math
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib

if "ipykernel" not in sys.modules:  # a notebook keeps its inline backend, so figures show in it
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

DPI = 110
FORMATS: tuple[str, ...] = ("png", "svg")
"""Formats every library figure is saved in by :func:`save_all`."""
CJK_FONT_FILE = "NotoSansCJKsc-Regular-subset.otf"
"""Noto Sans CJK SC Regular cut down to GB 2312 and the punctuation Chinese text uses (SIL OFL 1.1,
``innosim/data/fonts/OFL.txt``)."""


def cjk_font_path() -> Path:
    """The bundled CJK font file (:data:`CJK_FONT_FILE`)."""
    return Path(str(resources.files("innosim") / "data" / "fonts" / CJK_FONT_FILE))


@functools.cache
def cjk_font_family() -> str:
    """Register the bundled CJK font with matplotlib (once) and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw figures inside this: the CJK font first (it has Latin glyphs too), DejaVu Sans as fallback.

    The families are named, not ``sans-serif``, so the text keeps them when the figure
    is saved after the block.
    """
    with plt.rc_context(
        {"font.family": [cjk_font_family(), "DejaVu Sans"], "svg.fonttype": "path", "axes.unicode_minus": False}
    ):
        yield


def font_subset(text: str) -> str:
    """The bundled CJK font cut down to the characters of ``text``, as base64 WOFF."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.desubroutinize = True
    buffer = io.BytesIO()
    with subset.load_font(str(cjk_font_path()), options) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(text) | set(" 0123456789"))))
        subsetter.subset(font)
        subset.save_font(font, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def grid(n: int, cols: int, width: float, height: float, **kw: Any) -> tuple[Figure, list[Axes]]:
    """``n`` panels of ``width`` x ``height`` inches, ``cols`` to a row, constrained layout; returns (figure, axes)."""
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(width * cols, height * rows), squeeze=False, layout="constrained", **kw
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def save(fig, path: Path) -> Path:
    """Lay out (unless the figure has its own layout engine), save as ``path`` and close ``fig``."""
    return save_all(fig, path.with_suffix(""), (path.suffix[1:],))[0]


def save_all(fig, stem: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Lay out, save ``fig`` as ``stem.png`` and ``stem.svg`` (or ``formats``) and close it."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    paths = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
    for i, path in enumerate(paths):
        fig.savefig(path, dpi=DPI)
        if i == 0 and fig.get_layout_engine() is not None:
            # the layout is done: the next formats reuse it instead of laying the figure out again
            with contextlib.suppress(RuntimeError):  # (an engine that owns colorbars cannot be dropped)
                fig.set_layout_engine("none")
    plt.close(fig)
    return paths
