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

The perturbation kernel is a multivariate normal with ``kernel_scale`` times the population's
weighted covariance (2 in Beaumont et al. 2009; 4 in the shipped configuration), drawn inside the
prior's box (:class:`BoxedNormalTransition`).

The distance is the p-norm of the relative errors scaled by each target's tolerance,
``|sim - fact| / (tolerance * |fact|)``: scale-free, and with the max norm an
epsilon of 1 means every target is within its tolerance.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import Sampler
from scipy.stats import spearmanr

from innosim import provenance
from innosim.calibration.config import Calibration, statistics_table
from innosim.calibration.sampler import BoxedNormalTransition, DeterministicSampler, Simulator, key, quiet_pyabc
from innosim.errors import InputError, interrupts_first, option
from innosim.executor import get_executor
from innosim.files import check_output
from innosim.joblock import lock_directory
from innosim.posterior import ParameterChoice
from innosim.simulation import simulate
from innosim.store import check_resume_or_overwrite, write_atomic

DB = "abc.db"
STATE = "state.json"
POSTERIOR = "posterior.csv"
MANIFEST = "posterior.json"
GENERATIONS = "generations.csv"
IDENTIFICATION = "identification.csv"

_NORMS = {"max": np.inf, "euclidean": 2.0, "manhattan": 1.0}


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
    return pyabc.ABCSMC(
        Simulator(cal.scenario, cal.free_paths, cal.targets),
        _priors(cal),
        pyabc.PNormDistance(p=_NORMS[m.norm], fixed_weights=cal.distance_weights),
        population_size=m.population,
        transitions=BoxedNormalTransition({key(f.path): f.bounds for f in cal.config.free}, m.kernel_scale),
        eps=pyabc.QuantileEpsilon(alpha=m.epsilon_quantile),
        sampler=sampler,
    )


def _db_url(out: Path) -> str:
    return f"sqlite:///{out / DB}"


def generations(out: Path) -> pd.DataFrame:
    """Generations stored in a result directory (empty if none).

    Row ``t = -1`` is pyabc's prior sample that sets the first epsilon.
    """
    columns = ["t", "epsilon", "samples", "particles", "wall_time", "ess"]
    if not (out / DB).exists():
        return pd.DataFrame(columns=columns)
    try:
        history = pyabc.History(_db_url(out), _id=1)
        frame = history.get_all_populations().sort_values("t").reset_index(drop=True)
        frame["ess"] = [
            np.nan if t < 0 else 1.0 / np.sum(history.get_distribution(m=0, t=int(t))[1] ** 2) for t in frame.t
        ]
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy and pyabc raise many kinds on a damaged database
        raise InputError(
            out / DB, "", f"is damaged ({type(exc).__name__}); start again with {option('overwrite', flag=True)}"
        ) from None
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
    if last.ess < m.min_effective_sample_size:
        return f"effective sample size {last.ess:.1f} below {m.min_effective_sample_size:g}"
    return None


def posterior_generation(cal: Calibration, gens: pd.DataFrame) -> int:
    """The generation that is the posterior: the last one whose effective sample size is at least
    the method's minimum (an earlier generation is an ABC posterior at a larger epsilon, wider
    but a sample; a collapsed one is not), or the last one if none is."""
    fitted = gens[gens.t >= 0]
    healthy = fitted[fitted.ess >= cal.config.method.min_effective_sample_size]
    return int((healthy if not healthy.empty else fitted).t.iloc[-1])


def _stored_state(state: Path) -> dict[str, Any]:
    if not state.exists():
        return {}
    try:
        stored = json.loads(state.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        stored = None
    if not isinstance(stored, dict):
        raise InputError(
            state,
            "",
            f"is damaged (not the JSON object innosim wrote); start again with {option('overwrite', flag=True)}",
        )
    return stored


def _prepare_out(cal: Calibration, out: Path, resume: bool, overwrite: bool) -> None:
    check_resume_or_overwrite(out, resume, overwrite)
    state = out / STATE
    if state.exists() or (out / DB).exists():
        stored = {} if overwrite else _stored_state(state)
        if overwrite:
            for name in (DB, STATE, POSTERIOR, MANIFEST, GENERATIONS):
                (out / name).unlink(missing_ok=True)
        elif not resume:
            raise InputError(
                out,
                option("out"),
                f"holds a calibration already: add {option('resume', flag=True)} "
                f"to continue it or {option('overwrite', flag=True)} to start again",
            )
        elif stored.get("config_hash") != cal.hash:
            raise InputError(
                out,
                option("resume"),
                f"the stored calibration was made with another config "
                f"(hash {stored.get('config_hash')}, now {cal.hash})",
            )
    out.mkdir(parents=True, exist_ok=True)
    if not state.exists():
        write_atomic(
            state, json.dumps({"config": str(cal.path), "config_hash": cal.hash, "seed": cal.config.seed}, indent=2)
        )


def synthesise(cal: Calibration, workers: int = 0) -> Calibration:
    """For a recovery config: the facts simulated from the true parameters (median of replicates)."""
    syn = cal.config.synthetic
    if syn is None:
        return cal
    scn = cal.scenario.with_overrides(syn.truth, source=str(cal.path))
    held = cal.held_in_fit_period()
    table = simulate(
        scn, seed=syn.seed, replicates=syn.replicates, workers=workers, parameters="defaults", until=cal.config.year
    )
    med = statistics_table(table, [cal.statistics[k] for k in (*cal.observed, *held)]).median()
    return cal.with_observed({k: float(med[k]) for k in cal.observed}, {k: float(med[k]) for k in held})


def calibrate(
    cal: Calibration,
    out: Path | None = None,
    workers: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    on_generation: Callable[[Generation], None] | None = None,
    on_slots: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    announce: Callable[[], None] | None = None,
) -> Path:
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
        announce: Called once the result directory is checked and locked, before any simulation.

    Raises:
        InputError: ``out`` holds a calibration and neither ``resume`` nor
            ``overwrite`` was given, or it holds one made with another config.
    """
    out = Path(out) if out is not None else cal.out
    config_hash = cal.hash
    check_output(out)
    lock = lock_directory(out)
    try:
        _prepare_out(cal, out, resume, overwrite)
        if announce:
            announce()
        _run_generations(cal, config_hash, out, workers, on_generation, on_slots, scheduler)
    finally:
        lock.release()
    return out


def _run_generations(
    cal: Calibration,
    config_hash: str,
    out: Path,
    workers: int | None,
    on_generation: Callable[[Generation], None] | None,
    on_slots: Callable[[int, int], None] | None,
    scheduler: str | None,
) -> None:
    workers = cal.config.workers if workers is None else workers
    cal = synthesise(cal, workers)
    quiet_pyabc()
    started = time.perf_counter()
    with interrupts_first(), get_executor(workers, scheduler=scheduler) as executor:
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
                on_generation(
                    Generation(
                        int(g.t),
                        float(g.epsilon),
                        int(g.samples),
                        int(g.particles),
                        float(g.ess),
                        total,
                        time.perf_counter() - started,
                    )
                )
    gens = generations(out)
    _export(cal, config_hash, out, gens, _stop_reason(cal, gens) or "", n_workers)


def identification(cal: Calibration, history: pyabc.History) -> pd.DataFrame:
    """Which statistic informs which parameter: the Spearman rank correlation of each free
    parameter (rows) with each target statistic (columns) over the particles of the first
    generation, which are drawn from the prior and kept if nearer the facts than the median
    prior draw (a broad sample, so a strong correlation means the statistic moves with the
    parameter across the prior)."""
    ext = history.get_population_extended(m=0, t=0)
    pars = ext[[f"par_{key(p)}" for p in cal.free_paths]].to_numpy()
    stats = ext[[f"sumstat_{k}" for k in cal.observed]].to_numpy()
    rho = spearmanr(np.hstack([pars, stats])).statistic[: pars.shape[1], pars.shape[1] :]
    return pd.DataFrame(rho, index=pd.Index(cal.free_paths, name="parameter"), columns=list(cal.observed))


def _export(cal: Calibration, config_hash: str, out: Path, gens: pd.DataFrame, reason: str, workers: int) -> None:
    history = pyabc.History(_db_url(out), _id=1)
    chosen = posterior_generation(cal, gens)
    frame, weights = history.get_distribution(m=0, t=chosen)
    fitted = gens[gens.t >= 0]
    post = pd.DataFrame({"weight": weights})
    for p in cal.free_paths:
        post[p] = frame[key(p)].to_numpy()
    gens = gens.assign(acceptance_rate=gens.particles / gens.samples)
    write_atomic(out / POSTERIOR, post.to_csv(index=False, float_format=None))
    write_atomic(out / GENERATIONS, gens.to_csv(index=False))
    write_atomic(out / IDENTIFICATION, identification(cal, history).to_csv(float_format="%.3f"))
    manifest = provenance.manifest(
        "calibration",
        "innosim.calibration.abc.calibrate",
        pyabc_version=pyabc.__version__,
        config=cal.path.name,
        config_name=cal.config.name,
        config_hash=config_hash,
        scenario=provenance.scenario_record(cal.scenario, ParameterChoice("defaults")),
        seed=cal.config.seed,
        scale=cal.config.scale,
        year=cal.config.year,
        population=cal.config.method.population,
        particles=len(post),
        effective_sample_size=round(float(1.0 / np.sum(post.weight.to_numpy() ** 2)), 1),
        generations=len(fitted),
        posterior_generation=chosen,
        final_epsilon=float(fitted.epsilon[fitted.t == chosen].iloc[0]),
        simulations=int(gens.samples.sum()),
        stop_reason=reason,
        wall_time_seconds=round(float(gens.wall_time.sum()), 1),
        machine_cores=os.cpu_count(),
        workers=workers,
        free=cal.free_paths,
        observed=cal.observed,
        heldout=cal.heldout,
        synthetic_truth=cal.config.synthetic.truth if cal.config.synthetic else None,
    )
    write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
