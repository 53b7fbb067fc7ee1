"""The HTE programme's effect on R&D, as ``test_the_hte_programme_raises_reported_rd`` measures it
(docs/model.md 3.1, "The programme and R&D").

Full size, baseline at the default parameters, seeds 1-24, each run with and without the programme from
2016 from the same 2015 state; prints each quantity's means with and without it, their paired difference
and its z.

    .venv/bin/python tools/programme_effect.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

QUANTITIES = (
    "firms' reported R&D 2016-2020 (亿元)",
    "firms' reported R&D 2016-2025 (亿元)",
    "HTE in 2025",
    "R&D expenditure 2016-2020 (亿元)",
    "R&D expenditure 2020 (亿元)",
    "R&D expenditure 2025 (亿元)",
)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_mechanisms import _reported_rd

    seeds = range(1, 25)
    on = np.array([_reported_rd(s) for s in seeds])
    off = np.array([_reported_rd(s, programme=False) for s in seeds])
    for k, name in enumerate(QUANTITIES):
        diff = on[:, k] - off[:, k]
        z = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
        print(
            f"{name}: with {on[:, k].mean():.1f}, without {off[:, k].mean():.1f}, difference {diff.mean():.2f} (z {z:.1f})"
        )


if __name__ == "__main__":
    main()
