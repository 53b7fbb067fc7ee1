"""Speed-up of a sweep on 2 worker processes over 1: 200 full-size runs (2016-2025).

The sweep is a 5 x 5 grid (talent-card by guidance-fund budget, on the plan) with 8
paired replicates per point, every indicator and year kept, written to Parquet as in
``innosim sweep``. Both timings are taken in one invocation, one after the other,
and reported as a ratio, since these machines are shared and noisy. The two result
tables are checked to be identical. Usage::

    python benchmarks/bench_sweep.py [--workers 2] [--replicates 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from innosim import sweep
from innosim.experiments.sweep import SweepConfig, check

ROOT = Path(__file__).resolve().parents[1]


def experiment(replicates: int):
    config = SweepConfig.model_validate(
        {
            "name": "bench",
            "scenario": "scenarios/plan.toml",
            "seed": 1,
            "replicates": replicates,
            "design": {"method": "grid"},
            "vary": [
                {"path": "policy.talent_card.budget", "values": [0.3, 0.8, 1.5, 3.0, 5.0]},
                {"path": "policy.guidance_fund.budget", "values": [0.0, 1.0, 2.0, 4.0, 8.0]},
            ],
        }
    )
    return check(config, ROOT / "bench.toml")


def timed(sw, workers: int) -> tuple[float, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        table = sweep(sw, out=Path(tmp) / "out", workers=workers)
        return time.perf_counter() - t0, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replicates", type=int, default=8)
    args = parser.parse_args()
    sw = experiment(args.replicates)
    t1, one = timed(sw, 1)
    tn, many = timed(sw, args.workers)
    pd.testing.assert_frame_equal(one, many)
    print(f"sweep of {sw.runs} full-size runs (2016-2025), {len(one):,} rows to Parquet")
    print(f"1 worker: {t1:.1f} s ({sw.runs / t1:.2f} runs/s)")
    print(f"{args.workers} workers: {tn:.1f} s ({sw.runs / tn:.2f} runs/s), tables identical")
    print(f"speed-up: {t1 / tn:.2f}x (goal >= 1.7x on 2 cores)")


if __name__ == "__main__":
    main()
