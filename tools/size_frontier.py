"""Can the model give Baiyun's HTE count and their size at once? A search over the parameters that shape the HTE.

Draws ``N`` points (a Latin hypercube, seed 7) over the priors of the parameters that shape who holds a
certificate (``PARAMETERS``), with every other parameter at the mean of ``calibration/posterior.csv``, runs
each at full size to 2020 with ``R`` seeds, and prints, per draw's medians, the HTE count, their mean revenue
and the share of HTE with 1亿 of revenue or more (Guangzhou's 2024 survey: 23.8%), each point's distance
over the two targets' tolerances (5% and 10%, as in calibration/baiyun.toml), the best points, and how many
draws meet both (docs/calibration.md, "The size structure").

    .venv/bin/python tools/size_frontier.py [N] [R] [PARAMETER ...]
    .venv/bin/python tools/size_frontier.py classes

Further parameters after ``N`` and ``R`` join the search over their declared priors. ``classes`` prints
instead, at the posterior mean (2020, seeds 1 and 2), the live firms by sales class: how many, the share
doing R&D, and their HTE.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

ROOT = Path(__file__).resolve().parents[1]
PARAMETERS = (
    "rd_active_size_slope",
    "rd_intensity_scale",
    "certification_rd_ratio",
    "presentable_hightech_min",
    "hte_apply_rate",
    "bunching_rate",
    "hte_fixed_cost",
    *sys.argv[3:],
)
COUNT, MEAN = 1046, 0.80
"""2020 facts (calibration/data/baiyun.toml: hte_count, hte_mean_revenue)."""


def _run(job: tuple[dict[str, float], int]) -> tuple[float, float, float]:
    from innosim.calibration.config import load_calibration
    from innosim.model.model import InnovationModel

    values, seed = job
    scn = load_calibration(ROOT / "calibration" / "baiyun.toml").scenario.with_overrides(values, "frontier")
    m = InnovationModel(scn, rng=seed).run(2020)
    rec = m.records[2020]
    fi = m.firms
    hte = fi.hte[: fi.n] & fi.alive[: fi.n]
    sales = fi.sales_y1[: fi.n][hte] * m.price_level  # 万元, as the indicator counts them
    return rec["hte_count"], rec["hte_mean_revenue"], float((sales >= 1e4).mean())


def main(n: int, replicates: int) -> pd.DataFrame:
    from innosim.parameters import Parameters
    from innosim.posterior import Posterior

    mean = Posterior.load(ROOT / "calibration" / "posterior.csv").mean()
    bounds = np.array([Parameters.model_fields[p].json_schema_extra["prior"] for p in PARAMETERS])
    points = qmc.scale(qmc.LatinHypercube(d=len(PARAMETERS), seed=7).random(n), bounds[:, 0], bounds[:, 1])
    kind = [Parameters.model_fields[p].annotation for p in PARAMETERS]  # int fields (initial_firms) take ints
    draws = [
        {
            **mean,
            **{f"parameters.{p}": t(round(v) if t is int else v) for p, t, v in zip(PARAMETERS, kind, x, strict=True)},
        }
        for x in points
    ]
    jobs = [(d, seed) for d in draws for seed in range(1, replicates + 1)]
    with ProcessPoolExecutor(2) as pool:
        out = np.array(list(pool.map(_run, jobs, chunksize=4))).reshape(n, replicates, 3)
    table = pd.DataFrame(points, columns=list(PARAMETERS))
    table["hte"], table["mean_revenue"], table["share_1yi"] = np.median(out, axis=1).T
    table["count_err"] = table["hte"] / COUNT - 1
    table["mean_err"] = table["mean_revenue"] / MEAN - 1
    table["distance"] = np.maximum(table["count_err"].abs() / 0.05, table["mean_err"].abs() / 0.10)
    table = table.sort_values("distance")
    pd.set_option("display.width", 200)
    print(table.head(10).round(3).to_string(index=False))
    both = table[(table["count_err"].abs() <= 0.10) & (table["mean_err"].abs() <= 0.10)]
    print(f"{len(both)} of {n} draws within 10% of both; count within 10%: {(table['count_err'].abs() <= 0.10).sum()}")
    return table


def classes() -> None:
    """The live firms of 2020 by sales class at the posterior mean (seeds 1 and 2)."""
    from innosim.calibration.config import load_calibration
    from innosim.model.model import InnovationModel
    from innosim.posterior import Posterior

    mean = Posterior.load(ROOT / "calibration" / "posterior.csv").mean()
    scn = load_calibration(ROOT / "calibration" / "baiyun.toml").scenario.with_overrides(mean, "classes")
    edges = (0.0, 500.0, 1000.0, 5000.0, 1e4, 2e4, np.inf)  # 万元
    for seed in (1, 2):
        m = InnovationModel(scn, rng=seed).run(2020)
        fi = m.firms
        alive = fi.alive[: fi.n]
        sales = fi.sales_y1[: fi.n] * m.price_level
        hte = fi.hte[: fi.n] & alive
        print(f"seed {seed}: {hte.sum()} HTE")
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            c = alive & (sales >= lo) & (sales < hi)
            performers = (fi.rd_propensity[: fi.n][c] > 0).mean()
            print(
                f"  {lo / 1e4:.2f}-{hi / 1e4:.2f}亿: {c.sum():6d} firms, {performers:.2f} doing R&D, "
                f"{hte[c].sum():4d} HTE ({hte[c].sum() / max(hte.sum(), 1):.2f} of the HTE, {hte[c].mean():.3f} of the class)"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["classes"]:
        classes()
        sys.exit()
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [150, 6][len(args) :]))
