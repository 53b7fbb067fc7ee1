"""How the perturbation kernel's width trades acceptance for effective sample size (docs/calibration.md).

Reads a calibration's pyabc database (``calibration/abc.db``, kept beside the results of
``innosim calibrate``) and, for each generation t >= 1, estimates what generation t would have
been with the kernel at other multiples of generation t-1's weighted covariance: its
effective sample size as a share of the particles and its acceptance rate relative to the
scale the fit used. Both come from generation t's own weighted particles, an importance
sample of the ABC posterior pi_t at epsilon_t (uniform prior):

- A proposal q accepts at a rate proportional to the mean of q over pi_t (q normalised to
  the prior's box, so the mass the kernel leaves outside counts).
- Its weights are prior / q, whose effective sample size as a share of the particles is
  1 / (E_pi[q] E_pi[1 / q]).

At the scale the fit used, the second is the generation's own Kish ratio exactly; at others it
is an estimate, as noisy as the generation's weights are uneven. Each row also gives the rank
correlation of a particle's weight with its summed log distance to the prior's edges (each
distance a share of the parameter's range): negative where the proposal thins toward the
edges of the prior's box and the particles there take the weight.

    .venv/bin/python tools/kernel_scale.py calibration/baiyun.toml [--scales 2,3,4,6] [--generations 4,6,8]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd


def estimate(
    prev: pd.DataFrame, w_prev: np.ndarray, cur: pd.DataFrame, w_cur: np.ndarray, bounds: dict, scale: float
) -> tuple[float, float]:
    """(effective sample size / particles, mean proposal density over pi_t) at one kernel scale."""
    from scipy.stats import multivariate_normal

    names = list(prev.columns)
    lo = np.array([bounds[n][0] for n in names])
    hi = np.array([bounds[n][1] for n in names])
    x_prev, x_cur = prev.to_numpy(), cur[names].to_numpy()
    cov = scale * np.cov(x_prev.T, aweights=w_prev)
    kernel = multivariate_normal(np.zeros(len(names)), cov, allow_singular=True)
    inside = np.array(
        [
            multivariate_normal(x, cov, allow_singular=True).cdf(hi, lower_limit=lo, rng=np.random.default_rng(1))
            for x in x_prev
        ]
    )
    q = np.array([kernel.pdf(x - x_prev) @ w_prev for x in x_cur]) / float(inside @ w_prev)
    return 1.0 / (float(w_cur @ q) * float(w_cur @ (1.0 / q))), float(w_cur @ q)


def main() -> None:
    import pyabc
    from scipy.stats import spearmanr

    from innosim.calibration.config import load_calibration
    from innosim.calibration.sampler import key

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config", type=Path)
    ap.add_argument("--scales", default="2,3,4,6")
    ap.add_argument("--generations", default="", help="comma-separated; default: every generation from 1")
    args = ap.parse_args()
    cal = load_calibration(args.config)
    scales = [float(s) for s in args.scales.split(",")]
    used = cal.config.method.kernel_scale
    bounds = {key(f.path): f.bounds for f in cal.config.free}
    db = (args.config.parent / cal.config.out / "abc.db").resolve()
    if not db.exists():
        raise SystemExit(f"{db}: no calibration database (innosim calibrate {args.config} writes it)")
    history = pyabc.History(f"sqlite:///{db}")
    print(f"kernel scale used: {used:g}; ESS/N and acceptance relative to scale {used:g}")
    gens = [int(t) for t in args.generations.split(",")] if args.generations else range(1, history.max_t + 1)
    for t in gens:
        prev, w_prev = history.get_distribution(m=0, t=t - 1)
        cur, w_cur = history.get_distribution(m=0, t=t)
        if set(cur.columns) != set(bounds):
            raise SystemExit(f"{args.config}: its free parameters are not those of the database's particles")
        share = np.column_stack([(cur[n] - bounds[n][0]) / (bounds[n][1] - bounds[n][0]) for n in cur.columns])
        share = np.clip(share, 0.0, 1.0)
        edges = np.log(np.minimum(share, 1 - share) + 0.01).sum(axis=1)
        rho = spearmanr(w_cur, edges).statistic
        cells = {s: estimate(prev, w_prev, cur, w_cur, bounds, s) for s in sorted({*scales, used})}
        row = "  ".join(f"x{s:g}: ESS/N {cells[s][0]:.2f} acc {cells[s][1] / cells[used][1]:.2f}" for s in scales)
        print(f"t={t}  actual ESS/N {1 / np.sum(w_cur**2) / len(w_cur):.2f}  edges {rho:+.2f}  {row}", flush=True)


if __name__ == "__main__":
    main()
