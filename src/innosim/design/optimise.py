"""Budget-constrained optimisation of the levers under the posterior (:func:`optimise`).

Each candidate lever mix runs the file's replicates with the same seeds and posterior
draws as every other candidate (common random numbers: replicate ``k`` of every candidate
has the same random path and parameter set), so differences between candidates are paired
and the search compares like with like. The search is NSGA-II (:mod:`innosim.design.search`);
a generation's candidates run on the process pool or on Dask, like a sweep.

Results go to a :class:`~innosim.store.RunStore` as runs finish: a killed optimisation
resumed with ``resume=True`` replays the search from the stored runs, runs only what is
missing, and ends with the same front. Beside the runs (``results.parquet``, the columns of a
sweep's, so :func:`innosim.discover` reads it too) it writes:

- ``points.csv``: every candidate (``point``), its generation and its decision values;
- ``evaluations.csv`` / ``.parquet``: per candidate, its decision values, ``total_spending``
  (committed 2021-2025, 亿元), every objective's estimate and standard error (``_se``), the
  spending the levers actually made (``realised_spending``) and the probability of meeting each
  target (``p_<indicator>``), and ``front`` (on the Pareto front of all candidates);
- ``pareto.csv`` / ``.parquet``: the candidates on the front, by spending (a mix evaluated twice,
  which NSGA-II's survivors can be, is listed once);
- ``front/mix_<point>.toml``: each mix on the front as a scenario file (the base scenario file with
  the mix's decisions, at the base file's scale), for ``innosim compare`` against the plan and for
  ``innosim app``.

Same file and seed give the same front on any executor and number of workers.
"""

from __future__ import annotations

import datetime as _dt
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from innosim import provenance
from innosim.design import require_extra
from innosim.design.config import SPENDING_INDICATOR, Optimisation
from innosim.design.objectives import SPENDING, estimate
from innosim.design.search import search
from innosim.effects import attainment
from innosim.errors import InputError, option
from innosim.executor import Executor, get_executor, pool_size
from innosim.experiments.base import scenario_file
from innosim.experiments.kinds import load_optimisation
from innosim.experiments.runner import POINTS, output_bytes, run_missing, wall_seconds
from innosim.experiments.sweep import Sweep
from innosim.files import check_output
from innosim.simulation import replicate_seeds, run_seconds
from innosim.store import RunStore, write_atomic
from innosim.timeline import TARGET_YEAR
from innosim.verification import Expected

EVALUATIONS = "evaluations"
PARETO = "pareto"
FRONT = "front"
"""Directory of the front's mixes as scenario files."""
OUTPUTS = (*(f"{stem}.{ext}" for stem in (EVALUATIONS, PARETO) for ext in ("csv", "parquet")), FRONT)
"""Files an optimisation writes beside its runs."""
_SEARCH_KEY = 0x6F707469  # spawn key separating the search's random stream from the runs'


@dataclass(frozen=True)
class OptimisationResult:
    """What :func:`optimise` found.

    Attributes:
        optimisation: The checked file.
        evaluations: Every candidate (columns in the module docstring).
        pareto: The candidates on the front, by spending.
        directory: Where the results are (``None`` if run in a temporary directory).
    """

    optimisation: Optimisation
    evaluations: pd.DataFrame
    pareto: pd.DataFrame
    directory: Path | None

    def __repr__(self) -> str:
        return (
            f"OptimisationResult({self.optimisation.config.name!r}: {len(self.evaluations):,} candidates, "
            f"{len(self.pareto)} on the front; .pareto, .evaluations)"
        )

    def _repr_html_(self) -> str:
        shown = ["point", "total_spending", *(o.column for o in self.optimisation.objectives if o.kind != "spending")]
        front = self.pareto[[*shown, *self.optimisation.factors]].rename(columns=lambda c: c.removeprefix("policy."))
        title = f"<p><b>innosim optimise · {self.optimisation.config.name}</b>: the front of {len(self.evaluations):,} candidates</p>"
        return title + front.to_html(index=False, border=0, float_format=lambda x: f"{x:.3g}")


def describe(opt: Optimisation, done: int = 0, workers: int = 0) -> str:
    """One line for users: candidates, runs and the expected time."""
    cfg = opt.config
    runs = opt.runs
    per_run = run_seconds(opt.base, TARGET_YEAR)
    n = pool_size(workers, max(1, runs - done), per_run)
    seconds = wall_seconds(per_run, runs - done, n)
    cap = f", spending at most {opt.space.cap:g}亿 over 2021-2025" if opt.space.cap is not None else ""
    return (
        f"{cfg.name}: {cfg.search.population} candidates x {cfg.search.generations} generations x "  # type: ignore[attr-defined]
        f"{cfg.replicates} replicates = {runs:,} runs over {len(opt.factors)} decisions{cap}"
        + (f", {done:,} already stored" if done else "")
        + f"; about {_dt.timedelta(seconds=round(seconds))} on {n} worker(s)"
    )


def _manifest(opt: Optimisation, workers: int, scheduler: str | None) -> dict[str, Any]:
    return provenance.manifest(
        "optimisation",
        "innosim.optimise",
        name=opt.config.name,
        hash=opt.hash,
        experiment=opt.config.model_dump(mode="json"),
        experiment_file=str(opt.path),
        base_scenario=provenance.scenario_record(opt.base, opt.choice),
        base_scenario_hash=opt.base.hash,
        parameters=opt.choice.describe(),
        candidates=opt.candidates,
        replicates=opt.config.replicates,
        runs=opt.runs,
        rows_per_run=len(opt.years) * len(opt.indicators),
        replicate_seeds=replicate_seeds(opt.config.seed, opt.config.replicates),
        committed_cap=opt.space.cap,
        committed_fixed=opt.space.fixed,
        started=provenance.now(),
        workers=workers,
        scheduler=scheduler,
    )


class _Runs:
    """The runs' values by run id, kept as they are stored (a :class:`~innosim.experiments.runner.Sink`)."""

    def __init__(self, store: RunStore, opt: Optimisation) -> None:
        self.store = store
        self.cells = len(opt.years) * len(opt.indicators)
        self.factors = opt.factors
        self.values: dict[int, np.ndarray] = {}
        self.decided: dict[int, np.ndarray] = {}

    def add(self, table: pa.Table) -> None:
        first = np.arange(0, table.num_rows, self.cells)
        runs = table["run"].to_numpy()[first]
        values = table["value"].to_numpy().reshape(-1, self.cells)
        decided = np.column_stack([table[f].to_numpy()[first] for f in self.factors])
        for run, v, d in zip(runs.tolist(), values, decided):
            self.values[run], self.decided[run] = v, d

    def append(self, table: pa.Table) -> None:
        self.store.append(table)
        self.add(table)


def _check_stored(runs: _Runs, x: np.ndarray, first: int, replicates: int, out: Path) -> None:
    """Refuse stored runs of this generation whose decisions are not the replayed search's."""
    for i, row in enumerate(x):
        for k in range(replicates):
            stored = runs.decided.get((first + i) * replicates + k)
            if stored is not None and not np.array_equal(stored, row):
                raise InputError(
                    out,
                    option("resume"),
                    f"the stored run of candidate {first + i} decided other values than the search asks for "
                    f"now; start again with {option('overwrite', flag=True)}",
                )


def evaluate_candidates(opt: Optimisation, runs: dict[int, np.ndarray], first: int, x: np.ndarray) -> pd.DataFrame:
    """The evaluation table of candidates ``first``, ``first + 1``, ... (decisions ``x``) from their runs."""
    reps, years, inds = opt.config.replicates, list(opt.years), list(opt.indicators)
    committed = opt.space.spending(x)
    rows = []
    for i, row in enumerate(x):
        cube = np.stack([runs[(first + i) * reps + k] for k in range(reps)]).reshape(reps, len(years), len(inds))
        at = pd.DataFrame(cube[:, years.index(TARGET_YEAR), :], columns=inds)
        spent = cube[:, :, inds.index(SPENDING_INDICATOR)].sum(axis=1)
        record: dict[str, Any] = {"point": first + i, **dict(zip(opt.factors, row.tolist()))}
        record[SPENDING] = float(committed[i])
        for obj in opt.objectives:
            if obj.kind != "spending":
                est, se = estimate(obj, at, list(opt.targets), float(committed[i]), opt.config.seed)
                record[obj.column], record[f"{obj.column}_se"] = est, se
        record["realised_spending"] = float(spent.mean())
        record["realised_spending_se"] = float(spent.std(ddof=1) / np.sqrt(reps)) if reps > 1 else float("nan")
        met = attainment(at, list(opt.targets)).mean()
        record.update({f"p_{t}": float(met[t]) for t in opt.targets})
        rows.append(record)
    return pd.DataFrame(rows)


def _write_table(folder: Path, stem: str, table: pd.DataFrame) -> None:
    write_atomic(folder / f"{stem}.csv", table.to_csv(index=False))
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    write_atomic(folder / f"{stem}.parquet", buffer.getvalue())


def optimise(
    experiment: Optimisation | str | Path,
    out: str | Path | None = None,
    workers: int = 0,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: float = 10.0,
    executor: Executor | None = None,
    announce: Callable[[str], None] | None = None,
    on_generation: Callable[[int, pd.DataFrame], None] | None = None,
) -> OptimisationResult:
    """Search the lever mixes of an optimisation file for the Pareto front of its objectives.

    Args:
        experiment: A checked :class:`~innosim.design.config.Optimisation` or a file.
        out: Result directory; ``None`` runs in a temporary one.
        workers, scheduler, resume, overwrite, checkpoint, executor, announce: As for
            :func:`innosim.sweep`.
        progress: Called with ``(runs done, runs of the whole search)`` as runs finish.
        on_generation: Called after each generation with its number and the evaluations so far.

    Returns:
        Every candidate's evaluation and the front.

    Raises:
        InputError: a bad file, or an ``out`` that holds another job.
    """
    require_extra()
    opt = experiment if isinstance(experiment, Optimisation) else load_optimisation(experiment)
    if out is None:
        with tempfile.TemporaryDirectory(prefix="innosim-optimise-") as tmp:
            result = optimise(
                opt, tmp, workers, scheduler, False, False, progress, checkpoint, executor, announce, on_generation
            )
            return OptimisationResult(opt, result.evaluations, result.pareto, None)
    out = Path(out)
    cfg = opt.config
    reps, population = cfg.replicates, cfg.search.population  # type: ignore[attr-defined]
    check_output(out, 0 if resume else output_bytes(opt))
    seeds = tuple(replicate_seeds(cfg.seed, reps))
    expected = Expected(opt.runs, reps, seeds, len(opt.years) * len(opt.indicators))
    with RunStore(out, _manifest(opt, workers, scheduler), expected, (POINTS, *OUTPUTS), resume, overwrite) as store:
        runs = _Runs(store, opt)
        done = store.done()
        for table in store.tables():
            runs.add(table)
        if announce:
            announce(describe(opt, len(done), workers))
        decided: list[pd.DataFrame] = []
        evaluations: list[pd.DataFrame] = []

        def evaluate(x: np.ndarray, generation: int) -> np.ndarray:
            first = generation * population
            _check_stored(runs, x, first, reps, out)
            frame = pd.DataFrame(x, columns=opt.factors)
            design = Sweep(
                cfg, opt.path, opt.base, {}, opt.choice, pd.concat([*decided, frame], ignore_index=True),
                opt.indicators, opt.years,
            )  # fmt: skip
            tell = None if progress is None else (lambda n, _total: progress(n, opt.runs))
            if len(runs.values) < design.runs:
                run_missing(design, runs, ex, tell, checkpoint, set(runs.values))
            elif tell:
                tell(len(runs.values), design.runs)
            decided.append(frame)
            table = evaluate_candidates(opt, runs.values, first, x).assign(generation=generation)
            evaluations.append(table)
            if on_generation:
                on_generation(generation, pd.concat(evaluations, ignore_index=True))
            return table[[o.column for o in opt.objectives]].to_numpy()

        ex = executor or get_executor(workers, opt.runs - len(done), scheduler, run_seconds(opt.base, TARGET_YEAR))
        try:
            seed = int(np.random.SeedSequence(cfg.seed, spawn_key=(_SEARCH_KEY,)).generate_state(1)[0])
            senses = np.array([o.sense for o in opt.objectives])
            found = search(evaluate, opt.space, senses, population, cfg.search.generations, seed)  # type: ignore[attr-defined]
        finally:
            if executor is None:
                ex.close()
        if not store.complete:
            store.finish(finished=provenance.now())
        table = pd.concat(evaluations, ignore_index=True).assign(front=found.front)
        lead = ["point", "generation", *opt.factors, SPENDING]
        table = table[lead + [c for c in table.columns if c not in lead]]
        pareto = table[table["front"]].drop_duplicates(subset=opt.factors)  # a mix the search asked for twice
        pareto = pareto.sort_values([SPENDING, "point"], kind="stable").reset_index(drop=True)
        write_atomic(out / POINTS, table[["point", "generation", *opt.factors]].to_csv(index=False))
        _write_table(out, EVALUATIONS, table)
        _write_table(out, PARETO, pareto)
        write_front(opt, pareto, out / FRONT)
    return OptimisationResult(opt, table, pareto, out)


def write_front(opt: Optimisation, pareto: pd.DataFrame, folder: Path) -> None:
    """Each mix of ``pareto`` as a scenario file ``mix_<point>.toml`` in ``folder`` (replaced)."""
    import shutil

    import tomli_w

    base = scenario_file(opt.path, opt.config.scenario, "scenario")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for _, row in pareto.iterrows():
        point = int(row["point"])
        mix = base.with_overrides({f: float(row[f]) for f in opt.factors}, source=f"{opt.path} (point {point})")
        data = mix.to_toml_dict()
        data["name"] = f"{opt.config.name}_mix{point}"
        data["description"] = (
            f"优化前沿组合 {point} / front mix {point} of {opt.config.name}: 2021-2025年承诺投入 "
            f"{row[SPENDING]:.1f}亿元 (committed)"
        )
        write_atomic(folder / f"mix_{point}.toml", tomli_w.dumps(data))
