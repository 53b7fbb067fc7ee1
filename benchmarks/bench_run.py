"""Speed of a full-size baseline run (2016-2025) against Mesa's BoltzmannWealth example.

Both are timed in the same process, one core, best of N repeats, and reported as a ratio,
since these machines are shared and noisy. Usage::

    python benchmarks/bench_run.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
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
