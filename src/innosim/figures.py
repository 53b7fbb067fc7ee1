"""What every figure of innosim shares: a headless matplotlib and one way to save.

Figures are drawn with matplotlib's Agg backend, so they work on machines without a
display, and saved at one resolution.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 110


def save(fig, path: Path) -> Path:
    """Lay out (unless the figure has its own layout engine), save and close ``fig``."""
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def short(path: str) -> str:
    """A dotted path without its ``policy.``/``parameters.`` prefix, for axis labels."""
    return path.split(".", 1)[1] if path.startswith(("policy.", "parameters.")) else path
