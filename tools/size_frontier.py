"""Can the model give Baiyun's HTE count and their size at once? A search over the parameters that shape the HTE.

Draws ``N`` points (a Latin hypercube, seed 7) over the priors of the parameters that shape who holds a
certificate (``PARAMETERS``), with every other parameter at the mean of ``calibration/posterior.csv``, runs
each at full size to 2020 with ``R`` seeds, and prints, per draw's medians, the HTE count, their mean revenue,
the share of HTE with 1亿 of revenue or more (Guangzhou's 2024 survey: 23.8%) and the share of above-scale
industrial firms doing R&D (Baiyun's estimate, 36.6%; Dongguan's 44.5%), each point's distance
over the two targets' tolerances (their facts and tolerances from calibration/baiyun.toml), the best points,
how many draws meet both within 10%, and how many of those near the count have the R&D share within 25% of
its estimate (docs/calibration.md, "The size structure").

    .venv/bin/python tools/size_frontier.py [N] [R] [PARAMETER ...]
    .venv/bin/python tools/size_frontier.py classes

Further parameters after ``N`` and ``R`` join the search over their declared priors. ``classes`` prints
instead, at the posterior mean (2020, seeds 1 and 2), the live firms by sales class: how many, the share
doing R&D, their HTE, and the share of the class's R&D performers that meets each HTE criterion; and
above-scale industry's share doing R&D by the national size classes, beside Fujian's (the nearest
published table by size).
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
PERFORMERS = "above_scale_industrial_rd_performers"
"""The share of above-scale industrial firms doing R&D: the indicator and its fact (2020, held out)."""


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


def _run(job: tuple[dict[str, float], int]) -> tuple[float, float, float, float]:
    m, sales = _run_2020(*job)
    rec = m.records[2020]
    share_1yi = float((sales[_live_hte(m)] >= 1e4).mean())
    return rec["hte_count"], rec["hte_mean_revenue"], share_1yi, rec[PERFORMERS]


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
        out = np.array(list(pool.map(_run, jobs, chunksize=4))).reshape(n, replicates, 4)
    table = pd.DataFrame(points, columns=list(parameters))
    table["hte"], table["mean_revenue"], table["share_1yi"], table["rd_performers"] = np.median(out, axis=1).T
    table["count_err"] = table["hte"] / count - 1
    table["mean_err"] = table["mean_revenue"] / mean - 1
    table["distance"] = np.maximum(table["count_err"].abs() / count_tol, table["mean_err"].abs() / mean_tol)
    table = table.sort_values("distance")
    pd.set_option("display.width", 200)
    print(table.head(10).round(3).to_string(index=False))
    both = table[(table["count_err"].abs() <= 0.10) & (table["mean_err"].abs() <= 0.10)]
    print(f"{len(both)} of {n} draws within 10% of both; count within 10%: {(table['count_err'].abs() <= 0.10).sum()}")
    from innosim.facts import default_facts

    performers = default_facts().value(PERFORMERS, 2020)
    near = table[table["count_err"].abs() <= 0.15]
    plausible = near[(near["rd_performers"] / performers - 1).abs() <= 0.25]
    print(
        f"{len(near)} draws with the count within 15%: above-scale industrial R&D performers "
        f"{near['rd_performers'].min():.2f}-{near['rd_performers'].max():.2f} (estimate {performers}); "
        f"{len(plausible)} of them within 25% of the estimate"
    )
    return table


def classes() -> None:
    """The live firms of 2020 by sales class at the posterior mean (seeds 1 and 2), and which HTE criterion
    their R&D performers fail (:func:`_criteria`)."""
    edges = (0.0, 500.0, 1000.0, 5000.0, 1e4, 2e4, 1e5, np.inf)  # 万元
    for seed in (1, 2):
        m, sales = _run_2020(_posterior_mean(), seed)
        alive, hte = m.firms.alive[: m.firms.n], _live_hte(m)
        doing = m.firms.rd_propensity[: m.firms.n] > 0
        criteria = _criteria(m)
        print(f"seed {seed}: {hte.sum()} HTE; among the R&D performers of each class, the share meeting each criterion")
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            c = alive & (sales >= lo) & (sales < hi)
            meets = "  ".join(f"{name} {ok[c & doing].mean():.2f}" for name, ok in criteria.items())
            print(
                f"  {lo / 1e4:5.2f}-{hi / 1e4:6.2f}亿: {c.sum():6d} firms, {doing[c].mean():.2f} doing R&D, "
                f"{hte[c].sum():4d} HTE ({hte[c].sum() / max(hte.sum(), 1):.2f} of the HTE, {hte[c].mean():.3f} "
                f"of the class) | {meets}"
            )
        _industry_by_size_class(m, sales, alive)


def _criteria(m: Any) -> dict[str, np.ndarray]:
    """Each HTE criterion of 2020 (innosim.model.certification.hte_criteria) and all of them, per row."""
    from innosim.model.certification import hte_criteria

    each = {name: ok[: m.firms.n] for name, ok in hte_criteria(m, 2020, m.employees()).items()}
    return {**each, "all": np.logical_and.reduce(list(each.values()))}


def _industry_by_size_class(m: Any, sales: np.ndarray, alive: np.ndarray) -> None:
    """Above-scale industrial firms doing R&D in the year (as the indicator counts them) by the national size
    classes of industry (统计上大中小微型企业划分办法(2017): large at 1,000 employees and 4亿 of revenue, medium
    at 300 and 2000万, small at 20 and 300万), beside Fujian's 2019 shares (data file)."""
    from innosim.facts import default_facts
    from innosim.model import structure as st

    n = m.firms.n
    asi = alive & st.above_scale_industrial(sales, m.firms.industrial[:n])
    employees, doing = m.employees()[:n], m.firms.rd_y1[:n] > 0
    large = (employees >= 1000) & (sales >= 4e4)
    medium = ~large & (employees >= 300) & (sales >= 2000)
    small = ~large & ~medium & (employees >= 20) & (sales >= 300)
    rows = {"large": large, "medium": medium, "small": small, "micro": ~(large | medium | small), "all": asi}
    facts = default_facts()
    for name, c in rows.items():
        c = c & asi
        fact = facts.find(f"fujian_above_scale_industrial_rd_performers_{name}", 2019)
        fujian = f"Fujian 2019: {fact.value:.2f}" if fact else ""
        print(
            f"  above-scale industry, {name:6s}: {c.sum():5d} firms, {doing[c].mean() if c.any() else 0:.2f} doing R&D  {fujian}"
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
