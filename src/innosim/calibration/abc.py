"""ABC-SMC calibration with pyabc, reproducible on any executor and resumable.

pyabc (Klinger, Rickert & Hasenauer 2018; Schälte et al. 2022) runs the sequential
Monte Carlo: priors, perturbation kernels (multivariate normal), importance weights,
the epsilon schedule (a weighted quantile of the previous generation's distances) and
the SQLite history. innosim adds two things:

- **A deterministic sampler.** Particle slot ``i`` of generation ``t`` seeds NumPy's
  global generator (which pyabc's proposals use) from ``SeedSequence(seed, (t + 1, i))``
  and samples until its particle is accepted. Slots run through the project's
  executor and come back in slot order, so the posterior is bit-identical on one
  worker or several.
- **Generation-by-generation runs from the stored history.** Each generation is one
  ``ABCSMC.run`` that starts from what the database holds (the previous population,
  its distances and weights). An uninterrupted calibration and one killed and resumed
  therefore follow exactly the same path, and ``--resume`` loses nothing but the
  generation that was running.

The perturbation kernel is a multivariate normal with twice the population's weighted
covariance (Beaumont et al. 2009), drawn inside the prior's box (:class:`BoxedNormalTransition`).

The distance is the p-norm of the relative errors scaled by each target's tolerance,
``|sim - fact| / (tolerance * |fact|)``: scale-free, and with the max norm an
epsilon of 1 means every target is within its tolerance.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import cloudpickle
import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import Sampler

from innosim import provenance
from innosim.calibration.config import Calibration
from innosim.errors import InputError, option
from innosim.executor import Executor, chunk_size, get_executor
from innosim.posterior import ParameterChoice
from innosim.scenario import Scenario
from innosim.simulation import run_replicate, simulate

DB = "abc.db"
STATE = "state.json"
POSTERIOR = "posterior.csv"
MANIFEST = "posterior.json"
GENERATIONS = "generations.csv"

_NORMS = {"max": np.inf, "euclidean": 2.0, "manhattan": 1.0}


# ------------------------------------------------------------------ model seen by pyabc
class Simulator:
    """The model as pyabc sees it: parameters in, the target indicators of one year out.

    The replicate seed comes from NumPy's global generator, which the sampler seeds per
    particle slot.
    """

    def __init__(self, scenario: Scenario, paths: list[str], stats: list[str], year: int) -> None:
        self.scenario, self.paths, self.stats, self.year = scenario, paths, stats, year

    def __call__(self, pars: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
        values = {p: float(pars[key(p)]) for p in self.paths}
        record = run_replicate(self.scenario.with_overrides(values, source="calibration"), seed, self.year)[self.year]
        return {s: record[s] for s in self.stats}


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


def _quiet_pyabc() -> None:
    """pyabc logs every generation and warns about proposals outside the prior and small
    weights; innosim reports the acceptance rate and effective sample size per
    generation instead."""
    for name in ("ABC", "Sampler", "History"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _slot_chunk(task: tuple[bytes, int, int, range, bool]) -> list[list[Any]]:
    """Worker: sample particle slots ``slots`` of generation ``t`` until each is accepted."""
    payload, seed, t, slots, all_accepted = task
    _quiet_pyabc()
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

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):
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


# ------------------------------------------------------------------ running
@dataclass
class Generation:
    """Summary of one finished generation, for progress reports."""

    t: int
    epsilon: float
    simulations: int
    accepted: int
    ess: float
    total_simulations: int
    elapsed: float

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.simulations if self.simulations else 0.0


def _priors(cal: Calibration) -> pyabc.Distribution:
    rvs = {}
    for f in cal.config.free:
        if f.distribution == "uniform":
            lo, hi = f.bounds
            rvs[key(f.path)] = pyabc.RV("uniform", lo, hi - lo)
        else:
            rvs[key(f.path)] = pyabc.RV("loguniform", *f.bounds)
    return pyabc.Distribution(**rvs)


def _abc(cal: Calibration, sampler: Sampler) -> pyabc.ABCSMC:
    m = cal.config.method
    weights = {s: 1.0 / (abs(v) * cal.tolerances[s]) for s, v in cal.observed.items()}
    return pyabc.ABCSMC(
        Simulator(cal.scenario, cal.free_paths, list(cal.observed), cal.config.year),
        _priors(cal),
        pyabc.PNormDistance(p=_NORMS[m.norm], fixed_weights=weights),
        population_size=m.population,
        transitions=BoxedNormalTransition({key(f.path): f.bounds for f in cal.config.free}, m.kernel_scale),
        eps=pyabc.QuantileEpsilon(alpha=m.epsilon_quantile),
        sampler=sampler,
    )


def _no_bandwidth(n: float, d: int) -> float:
    """Kernel bandwidth factor 1: the kernel is ``kernel_scale`` times the population covariance.

    pyabc's default (Silverman's rule, about 0.5 of the covariance in 15 dimensions) makes
    the importance weights degenerate in many dimensions: in a first 15-parameter run the
    effective sample size fell from 300 to 27 after one generation and to 1-5 after that.
    Twice the covariance (Beaumont, Cornuet, Marin & Robert 2009) keeps the proposal smooth.
    """
    return 1.0


def _db_url(out: Path) -> str:
    return f"sqlite:///{out / DB}"


def generations(out: Path) -> pd.DataFrame:
    """Generations stored in a result directory (empty if none).

    Row ``t = -1`` is pyabc's prior sample that sets the first epsilon.
    """
    columns = ["t", "epsilon", "samples", "particles", "wall_time", "ess"]
    if not (out / DB).exists():
        return pd.DataFrame(columns=columns)
    history = pyabc.History(_db_url(out), _id=1)
    frame = history.get_all_populations().sort_values("t").reset_index(drop=True)
    frame["ess"] = [np.nan if t < 0 else 1.0 / np.sum(history.get_distribution(m=0, t=int(t))[1] ** 2)
                    for t in frame.t]
    return frame[columns]


def _stop_reason(cal: Calibration, gens: pd.DataFrame) -> str | None:
    total = gens.samples.sum()
    gens = gens[gens.t >= 0]
    if gens.empty:
        return None
    m, last = cal.config.method, gens.iloc[-1]
    if last.epsilon <= m.min_epsilon:
        return f"epsilon {last.epsilon:.3g} reached the minimum {m.min_epsilon:g}"
    if len(gens) >= m.max_generations:
        return f"{len(gens)} generations (the maximum)"
    if total >= m.max_simulations:
        return f"{int(total)} simulations (budget {m.max_simulations})"
    if last.particles / last.samples < m.min_acceptance_rate:
        return f"acceptance rate {last.particles / last.samples:.3g} below {m.min_acceptance_rate:g}"
    return None


def _prepare_out(cal: Calibration, out: Path, resume: bool, overwrite: bool) -> None:
    state = out / STATE
    if state.exists() or (out / DB).exists():
        stored = json.loads(state.read_text()) if state.exists() else {}
        if overwrite:
            for name in (DB, STATE, POSTERIOR, MANIFEST, GENERATIONS):
                (out / name).unlink(missing_ok=True)
        elif not resume:
            raise InputError(out, option("out"), f"holds a calibration already: add {option('resume', flag=True)} "
                                                 f"to continue it or {option('overwrite', flag=True)} to start again")
        elif stored.get("config_hash") != cal.hash:
            raise InputError(out, option("resume"), f"the stored calibration was made with another config "
                                              f"(hash {stored.get('config_hash')}, now {cal.hash})")
    out.mkdir(parents=True, exist_ok=True)
    if not state.exists():
        _write(state, json.dumps({"config": str(cal.path), "config_hash": cal.hash, "seed": cal.config.seed}, indent=2))


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def synthesise(cal: Calibration, workers: int = 0) -> Calibration:
    """For a recovery config: the facts simulated from the true parameters (median of replicates)."""
    syn = cal.config.synthetic
    if syn is None:
        return cal
    scn = cal.scenario.with_overrides(syn.truth, source=str(cal.path))
    table = simulate(scn, seed=syn.seed, replicates=syn.replicates, workers=workers, parameters="defaults",
                     until=cal.config.year)
    med = table[table.year == cal.config.year].groupby("indicator")["value"].median()
    return cal.with_observed({k: float(med[k]) for k in cal.observed}, {k: float(med[k]) for k in cal.heldout})


def calibrate(cal: Calibration, out: Path | None = None, workers: int | None = None, resume: bool = False,
              overwrite: bool = False, on_generation: Callable[[Generation], None] | None = None,
              on_slots: Callable[[int, int], None] | None = None, scheduler: str | None = None) -> Path:
    """Run (or resume) a calibration; returns the result directory.

    Writes ``abc.db`` (pyabc's history, the resume point) as it goes, and at the end
    ``posterior.csv`` (one weighted parameter set per row), ``posterior.json`` (the
    manifest) and ``generations.csv``.

    Args:
        cal: A checked calibration (:func:`~innosim.calibration.load_calibration`).
        out: Result directory (default: the config's ``out``).
        workers: Processes (default: the config's; 0 = one per core).
        resume: Continue the calibration stored in ``out``.
        overwrite: Discard what ``out`` holds and start again.
        on_generation: Called after each generation with its summary.
        on_slots: Called with ``(slots done, slots)`` during a generation.
        scheduler: Run the simulations on Dask (``"local"`` or a scheduler address).

    Raises:
        InputError: ``out`` holds a calibration and neither ``resume`` nor
            ``overwrite`` was given, or it holds one made with another config.
    """
    out = Path(out) if out is not None else cal.out
    config_hash = cal.hash
    _prepare_out(cal, out, resume, overwrite)
    workers = cal.config.workers if workers is None else workers
    cal = synthesise(cal, workers)
    _quiet_pyabc()
    started = time.perf_counter()
    with get_executor(workers, scheduler=scheduler) as executor:
        n_workers = executor.workers
        while _stop_reason(cal, gens := generations(out)) is None:
            sampler = DeterministicSampler(executor, cal.config.seed, on_slots)
            abc = _abc(cal, sampler)
            if gens[gens.t >= 0].empty:
                (out / DB).unlink(missing_ok=True)  # a run killed before its first generation: start clean
                abc.new(_db_url(out), cal.observed, meta_info={"config_hash": config_hash})
            else:
                abc.load(_db_url(out), 1, observed_sum_stat=cal.observed)
            abc.run(max_nr_populations=1)
            if on_generation:
                now = generations(out)
                g, total = now.iloc[-1], int(now.samples.sum())
                on_generation(Generation(int(g.t), float(g.epsilon), int(g.samples), int(g.particles),
                                         float(g.ess), total, time.perf_counter() - started))
    gens = generations(out)
    _export(cal, config_hash, out, gens, _stop_reason(cal, gens) or "", n_workers)
    return out


def _export(cal: Calibration, config_hash: str, out: Path, gens: pd.DataFrame, reason: str, workers: int) -> None:
    history = pyabc.History(_db_url(out), _id=1)
    frame, weights = history.get_distribution(m=0, t=int(gens.t.iloc[-1]))
    fitted = gens[gens.t >= 0]
    post = pd.DataFrame({"weight": weights})
    for p in cal.free_paths:
        post[p] = frame[key(p)].to_numpy()
    gens = gens.assign(acceptance_rate=gens.particles / gens.samples)
    _write(out / POSTERIOR, post.to_csv(index=False, float_format=None))
    _write(out / GENERATIONS, gens.to_csv(index=False))
    manifest = provenance.manifest(
        "calibration", "innosim.calibration.abc.calibrate", pyabc_version=pyabc.__version__,
        config=cal.path.name, config_name=cal.config.name, config_hash=config_hash,
        scenario=provenance.scenario_record(cal.scenario, ParameterChoice("defaults")), seed=cal.config.seed,
        scale=cal.config.scale, year=cal.config.year, population=cal.config.method.population,
        particles=len(post), effective_sample_size=round(float(1.0 / np.sum(post.weight.to_numpy() ** 2)), 1),
        generations=len(fitted), final_epsilon=float(fitted.epsilon.iloc[-1]),
        simulations=int(gens.samples.sum()), stop_reason=reason,
        wall_time_seconds=round(float(gens.wall_time.sum()), 1), machine_cores=os.cpu_count(), workers=workers,
        free=cal.free_paths, observed=cal.observed, heldout=cal.heldout,
        synthetic_truth=cal.config.synthetic.truth if cal.config.synthetic else None)
    _write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))

