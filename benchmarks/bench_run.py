"""Speed of a full-size baseline run (2016-2025) against Mesa's BoltzmannWealth example.

Both are timed in the same process, one core, best of N repeats, and reported as a ratio,
since these machines are shared and noisy. ``--before DIR`` also times the same full-size run
from another source tree of innosim (put first on ``PYTHONPATH`` in a fresh interpreter),
alternating with this tree's, and reports the ratio now / before. Usage::

    python benchmarks/bench_run.py [--repeats 5] [--before /tmp/innosim-old]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

from innosim import InnovationModel, default_scenario


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def innosim_run() -> None:
    InnovationModel(default_scenario(), rng=1).run()


def boltzmann_run() -> None:
    model = BoltzmannWealth(BoltzmannScenario(n=10_000, width=100, height=100, rng=1))
    for _ in range(10):
        model.step()


TIMED = (
    "import time; from innosim import InnovationModel, default_scenario; s = default_scenario(); "
    "t = time.perf_counter(); InnovationModel(s, rng=1).run(); print(time.perf_counter() - t)"
)


def _fresh(src: Path | None) -> float:
    """One full-size run in a fresh interpreter (from ``src`` when given); its seconds."""
    env = dict(os.environ, PYTHONPATH=str(src)) if src else None
    out = subprocess.run([sys.executable, "-c", TIMED], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def compare_trees(before: Path, repeats: int) -> None:
    """Best of ``repeats`` full-size runs of this tree and of ``before``, alternating."""
    times: dict[str, list[float]] = {"now": [], "before": []}
    for _ in range(repeats):
        times["now"].append(_fresh(None))
        times["before"].append(_fresh(before.resolve() / "src"))
    now, old = min(times["now"]), min(times["before"])
    print(
        f"full-size baseline run, best of {repeats} fresh interpreters each, alternating: now {now:.3f} s, "
        f"before {old:.3f} s, ratio now / before {now / old:.3f}"
    )


def main() -> None:
    """Time innosim against BoltzmannWealth (and, with ``--before``, against another tree)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", type=Path, help="another source tree of innosim to compare with")
    args = parser.parse_args()
    if args.before:
        compare_trees(args.before, args.repeats)
    model = InnovationModel(default_scenario(), rng=1)
    t_innosim = best_of(innosim_run, args.repeats)
    t_boltzmann = best_of(boltzmann_run, args.repeats)
    print(
        f"innosim full-size baseline 2016-2025 ({model.firms.n} firms, {model.talent.n} talent at start, 40 steps): "
        f"{t_innosim:.3f} s (goal <= 2 s)"
    )
    print(f"Mesa BoltzmannWealth, 10,000 agents, 10 steps: {t_boltzmann:.3f} s")
    print(f"ratio innosim / BoltzmannWealth: {t_innosim / t_boltzmann:.3f}")


if __name__ == "__main__":
    main()
