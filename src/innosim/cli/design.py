"""Policy-design commands: ``optimise`` (the lever mix for the money) and ``discover`` (when targets fail)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import typer

from innosim.cli.common import (
    CHECKPOINT,
    FIXED,
    JOB_OUT,
    LANG,
    MAX_RUNS,
    OVERWRITE,
    QUICK,
    QUICK_REPLICATES,
    QUICK_SCALE,
    QUICK_SEED,
    REPORT,
    RESUME,
    SCHEDULER,
    WORKERS,
    Lang,
    check_report,
    need_extra,
    parse_overrides,
    say,
    user_errors,
    write_report_into,
)
from innosim.cli.simulations import run_job
from innosim.errors import InputError


def optimise(
    experiment: Path = typer.Argument(..., help='Optimisation TOML (kind = "optimise"; see experiments/).'),
    out: Optional[Path] = JOB_OUT,
    workers: int = WORKERS,
    scheduler: Optional[str] = SCHEDULER,
    resume: bool = RESUME,
    overwrite: bool = OVERWRITE,
    population: Optional[int] = typer.Option(None, min=4, help=QUICK.format("candidates per generation")),
    generations: Optional[int] = typer.Option(None, min=1, help=QUICK.format("generations")),
    budget_total: Optional[float] = typer.Option(
        None, "--budget-total", min=0.0, help="Override the file's budget.total (亿元 committed over 2021-2025)."
    ),
    replicates: Optional[int] = QUICK_REPLICATES,
    scale: Optional[float] = QUICK_SCALE,
    seed: Optional[int] = QUICK_SEED,
    checkpoint: float = CHECKPOINT,
    max_runs: Optional[int] = MAX_RUNS,
    set_: list[str] = FIXED,
    report: bool = REPORT,
    lang: Lang = LANG,
) -> None:
    """Search lever mixes for the Pareto front of spending and target odds (NSGA-II, paired replicates)."""
    from innosim.cli.tables import print_front
    from innosim.design.optimise import optimise as run_optimise
    from innosim.experiments.kinds import load_optimisation

    with user_errors():
        need_extra("design", "innosim optimise")
        check_report(False, None, lang)  # the report goes into the result directory, which always exists
        settings = {
            "search.population": population,
            "search.generations": generations,
            "budget.total": budget_total,
            "replicates": replicates,
            "scale": scale,
            "seed": seed,
            "max_runs": max_runs,
            "set": parse_overrides(set_) or None,
        }
        opt = load_optimisation(experiment, settings)
        target, found = run_job(opt, out, run_optimise, workers, scheduler, resume, overwrite, checkpoint)
        write_report_into(report, target, lang)
    print_front(found)
    say(f"front in {target / 'pareto.csv'} (and .parquet); every candidate in {target / 'evaluations.csv'}")


def discover(
    results: Path = typer.Argument(..., help="Result directory of a sweep or an optimisation."),
    where: str = typer.Option(
        ..., "--where", help='Condition on a run, e.g. "targets_met >= 6" or "rd_expenditure_met and hte_count > 2000".'
    ),
    year: int = typer.Option(2025, help="Year the condition is evaluated in."),
    out: Optional[Path] = typer.Option(None, help="Directory for the tables (default: RESULTS/discover/<condition>)."),
    min_coverage: float = typer.Option(0.8, min=0.0, max=1.0, help="PRIM box: the densest with this coverage."),
    mass_min: float = typer.Option(0.05, min=0.0, max=0.5, help="Smallest share of runs in a box or leaf."),
    report: bool = REPORT,
    lang: Lang = LANG,
) -> None:
    """Scenario discovery (PRIM, CART, feature scores): under which levers and parameters a condition holds."""
    from innosim.cli.tables import print_discovery
    from innosim.design.discover import discover as run_discover
    from innosim.store import describe_folder

    with user_errors():
        need_extra("design", "innosim discover")
        check_report(False, None, lang)
        target = out or results / "discover" / (re.sub(r"\W+", "_", where).strip("_") or "condition")
        held = describe_folder(target)
        if held not in ("nothing", "a scenario discovery (innosim discover)"):
            raise InputError(target, "--out", f"holds {held}; choose another directory")
        found = run_discover(results, where, year, min_coverage, mass_min, target)
        write_report_into(report, target, lang)
    print_discovery(found)
    top = ", ".join(f"{r.input} {r.score:.2f}" for r in found.features.head(5).itertuples(index=False))
    say(f"feature scores: {top}")
    say(f"tables in {target} (boxes.csv, peeling.csv, cart.csv, features.csv)")
