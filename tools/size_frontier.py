"""Can the model give Baiyun's HTE count and their size at once? A search over the parameters that shape the HTE.

Draws ``N`` points (a Latin hypercube, seed 7) over the priors of the parameters that shape who holds a
certificate (``PARAMETERS``), with every other parameter at the mean of ``calibration/posterior.csv``, runs
each at full size to 2020 with ``R`` seeds, and prints, per draw's medians, the HTE count, their mean revenue
and the share of HTE with 1亿 of revenue or more (Guangzhou's 2024 survey: 23.8%), each point's distance
over the two targets' tolerances (their facts and tolerances from calibration/baiyun.toml), the best points,
and how many draws meet both within 10% (docs/calibration.md, "The size structure").

    .venv/bin/python tools/size_frontier.py [N] [R] [PARAMETER ...]
    .venv/bin/python tools/size_frontier.py classes

Further parameters after ``N`` and ``R`` join the search over their declared priors. ``classes`` prints
instead, at the posterior mean (2020, seeds 1 and 2), the live firms by sales class: how many, the share
doing R&D, and their HTE.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

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
)
TARGETS = ("hte_count@2020", "hte_mean_revenue@2020")
"""The two size facts, as calibration/baiyun.toml names them."""


@cache
def _calibration() -> Any:
    from innosim.calibration.config import load_calibration

    return load_calibration(ROOT / "calibration" / "baiyun.toml")


@cache
def _posterior_mean() -> dict[str, float]:
    from innosim.posterior import Posterior

    return Posterior.load(ROOT / "calibration" / "posterior.csv").mean()


def _run_2020(values: dict[str, float], seed: int) -> tuple[Any, np.ndarray]:
    """The model run to 2020 at ``values`` (dotted paths) and the sales (万元, as the indicator counts
    them) of every live row, with the live HTE flagged: (model, sales)."""
    from innosim.model.model import InnovationModel

    m = InnovationModel(_calibration().scenario.with_overrides(values, "frontier"), rng=seed).run(2020)
    return m, m.firms.sales_y1[: m.firms.n] * m.price_level


def _live_hte(m: Any) -> np.ndarray:
    return m.firms.hte[: m.firms.n] & m.firms.alive[: m.firms.n]


def _run(job: tuple[dict[str, float], int]) -> tuple[float, float, float]:
    m, sales = _run_2020(*job)
    rec = m.records[2020]
    return rec["hte_count"], rec["hte_mean_revenue"], float((sales[_live_hte(m)] >= 1e4).mean())


def main(n: int, replicates: int, parameters: tuple[str, ...]) -> pd.DataFrame:
    from innosim.parameters import Parameters

    cal = _calibration()
    (count, mean), (count_tol, mean_tol) = zip(*((cal.observed[k], cal.tolerances[k]) for k in TARGETS), strict=True)
    fields = [Parameters.model_fields[p] for p in parameters]
    bounds = np.array([f.json_schema_extra["prior"] for f in fields])
    points = qmc.scale(qmc.LatinHypercube(d=len(parameters), seed=7).random(n), bounds[:, 0], bounds[:, 1])
    kind = [f.annotation for f in fields]  # int fields (initial_firms) take ints
    draws = [
        {
            **_posterior_mean(),
            **{f"parameters.{p}": t(round(v) if t is int else v) for p, t, v in zip(parameters, kind, x, strict=True)},
        }
        for x in points
    ]
    jobs = [(d, seed) for d in draws for seed in range(1, replicates + 1)]
    with ProcessPoolExecutor(2) as pool:
        out = np.array(list(pool.map(_run, jobs, chunksize=4))).reshape(n, replicates, 3)
    table = pd.DataFrame(points, columns=list(parameters))
    table["hte"], table["mean_revenue"], table["share_1yi"] = np.median(out, axis=1).T
    table["count_err"] = table["hte"] / count - 1
    table["mean_err"] = table["mean_revenue"] / mean - 1
    table["distance"] = np.maximum(table["count_err"].abs() / count_tol, table["mean_err"].abs() / mean_tol)
    table = table.sort_values("distance")
    pd.set_option("display.width", 200)
    print(table.head(10).round(3).to_string(index=False))
    both = table[(table["count_err"].abs() <= 0.10) & (table["mean_err"].abs() <= 0.10)]
    print(f"{len(both)} of {n} draws within 10% of both; count within 10%: {(table['count_err'].abs() <= 0.10).sum()}")
    return table


def classes() -> None:
    """The live firms of 2020 by sales class at the posterior mean (seeds 1 and 2)."""
    edges = (0.0, 500.0, 1000.0, 5000.0, 1e4, 2e4, np.inf)  # 万元
    for seed in (1, 2):
        m, sales = _run_2020(_posterior_mean(), seed)
        alive, hte = m.firms.alive[: m.firms.n], _live_hte(m)
        print(f"seed {seed}: {hte.sum()} HTE")
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            c = alive & (sales >= lo) & (sales < hi)
            performers = (m.firms.rd_propensity[: m.firms.n][c] > 0).mean()
            print(
                f"  {lo / 1e4:.2f}-{hi / 1e4:.2f}亿: {c.sum():6d} firms, {performers:.2f} doing R&D, "
                f"{hte[c].sum():4d} HTE ({hte[c].sum() / max(hte.sum(), 1):.2f} of the HTE, {hte[c].mean():.3f} of the class)"
            )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", default="150", help="draws, or 'classes'")
    ap.add_argument("replicates", nargs="?", type=int, default=6)
    ap.add_argument("extra", nargs="*", help="further parameters to search over their declared priors")
    args = ap.parse_args()
    if args.n == "classes":
        classes()
    else:
        main(int(args.n), args.replicates, (*PARAMETERS, *args.extra))
