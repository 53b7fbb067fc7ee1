"""innosim's pieces of pyabc: the model as pyabc sees it, a deterministic sampler, a bounded kernel.

- :class:`Simulator`: parameters in, the target statistics out.
- :class:`DeterministicSampler`: particle slot ``i`` of generation ``t`` seeds NumPy's global
  generator (which pyabc's proposals use) from ``SeedSequence(seed, (t + 1, i))`` and samples
  until its particle is accepted; slots run through the project's executor and come back in
  slot order, so the posterior is bit-identical on one worker or several.
- :class:`BoxedNormalTransition`: the multivariate normal kernel with ``kernel_scale`` times the
  population's weighted covariance (twice in Beaumont et al. 2009), drawn inside the prior's box.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np
import pyabc
from pyabc.sampler import Sampler

from innosim.calibration.config import Statistic
from innosim.executor import Executor, chunk_size
from innosim.scenario import Scenario
from innosim.simulation import run_replicate


class Simulator:
    """The model as pyabc sees it: parameters in, the target statistics (of any fitted year) out.

    The replicate seed comes from NumPy's global generator, which the sampler seeds per
    particle slot.
    """

    def __init__(self, scenario: Scenario, paths: list[str], stats: list[Statistic]) -> None:
        self.scenario, self.paths, self.stats = scenario, paths, stats
        self.until = max(s.last_year for s in stats)

    def __call__(self, pars: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
        values = {p: float(pars[key(p)]) for p in self.paths}
        records = run_replicate(self.scenario.with_overrides(values, source="calibration"), seed, self.until)
        return {s.key: s.of(records) for s in self.stats}


class BoxedNormalTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel, drawing only proposals inside the prior's box.

    pyabc draws a proposal, finds its prior density zero, and draws again, at a cost of
    about a millisecond a try; in 15 dimensions most proposals of a wide kernel leave the
    box, and the retries cost more than the simulations. This draws candidates in
    batches and keeps the first inside the box: the same distribution (the first success
    of the same independent tries), at a fraction of the cost. The density is pyabc's.

    Args:
        bounds: Parameter name -> (lower, upper) of its prior.
        scaling: Kernel covariance = ``scaling`` times the population's weighted covariance.
    """

    BATCH = 256

    def __init__(self, bounds: dict[str, tuple[float, float]], scaling: float) -> None:
        super().__init__(scaling=scaling, bandwidth_selector=_no_bandwidth)
        self.bounds = bounds

    def rvs_single(self) -> pyabc.Parameter:
        names = list(self.X.columns)
        lo = np.array([self.bounds[n][0] for n in names])
        hi = np.array([self.bounds[n][1] for n in names])
        base = self.X.to_numpy()
        while True:
            index = np.random.choice(self._range, size=self.BATCH, p=self.w, replace=True)
            cand = base[index] + np.random.multivariate_normal(np.zeros(len(names)), self.cov, size=self.BATCH)
            inside = np.all((cand >= lo) & (cand <= hi), axis=1)
            if inside.any():
                return pyabc.Parameter(dict(zip(names, cand[int(np.argmax(inside))])))


def key(path: str) -> str:
    """pyabc's name of a parameter path (``parameters.x`` -> ``x``)."""
    return path.removeprefix("parameters.")


def quiet_pyabc() -> None:
    """pyabc logs every generation and warns about proposals outside the prior and small
    weights; innosim reports the acceptance rate and effective sample size per
    generation instead."""
    for name in ("ABC", "Sampler", "History"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _slot_chunk(task: tuple[bytes, int, int, range, bool]) -> list[list[Any]]:
    """Worker: sample particle slots ``slots`` of generation ``t`` until each is accepted."""
    payload, seed, t, slots, all_accepted = task
    quiet_pyabc()
    simulate_one = cloudpickle.loads(payload)
    out = []
    for slot in slots:
        words = np.random.SeedSequence(seed, spawn_key=(t + 1, slot)).generate_state(4)
        np.random.seed(words)
        random.seed(int(words[0]))
        particles = []
        while True:
            particle = simulate_one()
            particles.append(particle)
            if all_accepted or particle.accepted:
                break
        out.append(particles)
    return out


class DeterministicSampler(Sampler):
    """pyabc sampler whose result depends on the seed only, not on workers or timing.

    Args:
        executor: Where the particle slots run.
        seed: Root seed of the calibration.
        progress: Called with ``(slots done, slots)`` while a generation runs.
    """

    def __init__(self, executor: Executor, seed: int, progress: Callable[[int, int], None] | None = None) -> None:
        super().__init__()
        self.executor, self.seed, self.progress = executor, seed, progress

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """Sample ``n`` accepted particles of generation ``t``, slot by slot (see the class docstring)."""
        payload = cloudpickle.dumps(simulate_one)
        size = chunk_size(n, self.executor.workers, cap=8)
        chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]

        def tick(k: int) -> None:
            if self.progress:
                self.progress(min(k * size, n), n)

        sample = self._create_empty_sample()
        evaluations = 0
        for result in self.executor.map(_slot_chunk, [(payload, self.seed, t, c, all_accepted) for c in chunks], tick):
            for particles in result:
                for particle in particles:
                    sample.append(particle)
                evaluations += len(particles)
        self.nr_evaluations_ = evaluations
        return sample


def _no_bandwidth(n: float, d: int) -> float:
    """Kernel bandwidth factor 1: the kernel is ``kernel_scale`` times the population covariance.

    pyabc's default (Silverman's rule, about 0.5 of the covariance in 15 dimensions) makes
    the importance weights degenerate in many dimensions: in a first 15-parameter run the
    effective sample size fell from 300 to 27 after one generation and to 1-5 after that.
    Twice the covariance (Beaumont, Cornuet, Marin & Robert 2009) keeps the proposal smooth.
    """
    return 1.0
