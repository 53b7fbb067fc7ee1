"""The commands that simulate: run, compare, sweep, sensitivity (calibrate and forecast: :mod:`innosim.cli.calibration`).

Each parses its options, calls the library and prints; the library computes and saves.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.markup import escape

from innosim.cli.common import (
    CHECKPOINT,
    FIXED,
    FORMAT,
    JOB_OUT,
    LANG,
    MAX_RUNS,
    OVERWRITE,
    POSTERIOR,
    QUICK,
    QUICK_REPLICATES,
    QUICK_SCALE,
    QUICK_SEED,
    REPORT,
    RESUME,
    SCALE,
    SCHEDULER,
    WORKERS,
    Format,
    Lang,
    Mode,
    check_out,
    check_report,
    load_scenario_with,
    parse_overrides,
    progress_bar,
    resume_command,
    say,
    user_errors,
    write_report_into,
)

if TYPE_CHECKING:  # pragma: no cover
    from innosim.experiments.base import Experiment
    from innosim.scenario import Scenario


def run(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario TOML file (default: the embedded baseline)."),
    seed: int = typer.Option(0, help="Root seed; replicate seeds derive from it."),
    replicates: int = typer.Option(8, min=1, help="Number of replicates."),
    workers: int = WORKERS,
    scheduler: Optional[str] = SCHEDULER,
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field: PATH=VALUE (repeatable)."),
    out: Optional[Path] = typer.Option(None, help="Directory for indicators.csv and manifest.json."),
    format: Format = FORMAT,
    scale: Optional[float] = SCALE,
    parameters: Mode = typer.Option(
        Mode.posterior,
        help="Behavioural parameters: posterior (a draw per replicate), full (a posterior draw and every "
        "other parameter with a prior drawn from it), mean, map, or defaults (the declared values, no posterior).",
    ),
    posterior: Optional[Path] = POSTERIOR,
    report: bool = REPORT,
    lang: Lang = LANG,
    max_runs: Optional[int] = MAX_RUNS,
) -> None:
    """Project the indicators 2016-2025 for a scenario (the baseline by default).

    Each replicate draws its behavioural parameters from the calibration posterior
    (fixed by the replicate's seed), unless the scenario sets them.
    """
    from innosim.limits import MAX_RUNS_IN_MEMORY
    from innosim.posterior import parameter_choice
    from innosim.simulation import project

    limit = max_runs or MAX_RUNS_IN_MEMORY
    with user_errors():
        scn = load_scenario_with(scenario, set_, scale)
        choice = parameter_choice(parameters, posterior)
        check_report(report, out, lang)
        check_out(out, min(replicates, limit))
        _announce([scn], replicates, workers, limit)
        with progress_bar(disable=replicates < 2) as bar:
            task = bar.add_task(f"{scn.name}: replicates", total=replicates)
            result = project(
                scn,
                seed=seed,
                replicates=replicates,
                workers=workers,
                parameters=choice,
                progress=lambda done: bar.update(task, completed=done),
                scheduler=scheduler,
                max_runs=limit,
            )
        if out is not None:
            result.save(out)
            write_report_into(report, out, lang)
    if format is Format.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif format is Format.csv:
        from innosim.indicators import INDICATORS

        summary = result.summary()
        frame = summary.assign(unit=summary["indicator"].map(lambda i: INDICATORS[i].unit), scale=scn.scale)
        sys.stdout.write(frame.to_csv(index=False))
    else:
        from innosim.cli.tables import print_run_table

        print_run_table(result, lang)


def compare(
    scenarios: list[Path] = typer.Argument(..., help="Scenario TOML files; the first is the reference."),
    seed: int = typer.Option(0, help="Root seed; replicate k of every scenario uses the same seed and draw."),
    replicates: int = typer.Option(30, min=1, help="Paired replicates per scenario."),
    workers: int = WORKERS,
    scheduler: Optional[str] = SCHEDULER,
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field in every scenario: PATH=VALUE."),
    out: Optional[Path] = typer.Option(None, help="Directory for comparison.json, the CSV tables and every run."),
    format: Format = FORMAT,
    scale: Optional[float] = SCALE,
    parameters: Mode = typer.Option(
        Mode.posterior, help="Behavioural parameters: posterior, full, mean, map or defaults."
    ),
    posterior: Optional[Path] = POSTERIOR,
    report: bool = REPORT,
    lang: Lang = LANG,
    max_runs: Optional[int] = MAX_RUNS,
) -> None:
    """Compare interventions with paired replicates: effects, odds of meeting the 2025 targets, cost-effectiveness.

    The first scenario is the reference. Replicate k of every scenario uses the same
    seed and posterior draw, so effects are paired differences.
    """
    from innosim.comparison import compare as run_compare
    from innosim.limits import MAX_RUNS_IN_MEMORY
    from innosim.posterior import parameter_choice

    limit = max_runs or MAX_RUNS_IN_MEMORY
    with user_errors():
        scns = [load_scenario_with(path, set_, scale) for path in scenarios]
        choice = parameter_choice(parameters, posterior)
        check_report(report, out, lang)
        check_out(out, min(replicates * len(scns), limit))
        _announce(scns, replicates, workers, limit)
        with progress_bar(eta=True) as bar:
            task = bar.add_task("runs", total=replicates * len(scns))
            result = run_compare(
                scns,
                seed=seed,
                replicates=replicates,
                workers=workers,
                parameters=choice,
                progress=lambda done: bar.update(task, completed=done),
                scheduler=scheduler,
                files=[str(p) for p in scenarios],
                max_runs=limit,
            )
        if out is not None:
            result.save(out)
            write_report_into(report, out, lang)
    if format is Format.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
    elif format is Format.csv:
        sys.stdout.write(result.indicators.to_csv(index=False))
    else:
        from innosim.cli.tables import print_comparison

        print_comparison(result, lang)


ANNOUNCE_SECONDS = 10.0
"""``run`` and ``compare`` say how long a job will take when it takes longer than this."""


def _announce(scenarios: list[Scenario], replicates: int, workers: int, limit: int) -> None:
    """Before a long run or comparison: its runs, expected time and memory (when within the limit)."""
    from innosim.simulation import describe_job

    if replicates * len(scenarios) <= limit:
        line, seconds = describe_job(scenarios, replicates, workers)
        if seconds >= ANNOUNCE_SECONDS:
            say(line)


def run_job(
    exp: Experiment,
    out: Optional[Path],
    runner: Callable[..., Any],
    workers: int,
    scheduler: Optional[str],
    resume: bool,
    overwrite: bool,
    checkpoint: float,
) -> tuple[Path, Any]:
    """Run an experiment with a progress bar: ``runner`` (:func:`innosim.sweep`,
    :func:`innosim.sensitivity.sensitivity` or :func:`innosim.optimise`) does the work with the job options.

    Prints the design's size and expected time first. Ctrl-C keeps what finished and says how to resume.
    """
    target = out if out is not None else Path("results") / exp.config.name
    with progress_bar(eta=True) as bar:
        task = bar.add_task("runs", total=exp.runs)
        try:
            return target, runner(
                exp,
                target,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                overwrite=overwrite,
                progress=lambda done, total: bar.update(task, completed=done),
                checkpoint=checkpoint,
                announce=lambda line: bar.console.print(escape(line), highlight=False, soft_wrap=True),
            )
        except KeyboardInterrupt:
            bar.stop()
            say(
                f"interrupted: the finished runs are stored in {target}; continue with: {resume_command(resume, out, target)}"
            )
            raise typer.Exit(130) from None


def sweep(
    experiment: Path = typer.Argument(..., help="Sweep experiment TOML (see experiments/)."),
    out: Optional[Path] = JOB_OUT,
    workers: int = WORKERS,
    scheduler: Optional[str] = SCHEDULER,
    resume: bool = RESUME,
    overwrite: bool = OVERWRITE,
    replicates: Optional[int] = QUICK_REPLICATES,
    scale: Optional[float] = QUICK_SCALE,
    seed: Optional[int] = QUICK_SEED,
    checkpoint: float = CHECKPOINT,
    max_runs: Optional[int] = MAX_RUNS,
    set_: list[str] = FIXED,
    report: bool = REPORT,
    lang: Lang = LANG,
) -> None:
    """Run a design of scenarios (grid, one-at-a-time, Latin hypercube, Sobol), streaming results to Parquet."""
    from innosim.experiments.kinds import load_sweep
    from innosim.experiments.runner import sweep as run_sweep

    with user_errors():
        check_report(False, None, lang)  # the report goes into the result directory, which always exists
        settings = {"replicates": replicates, "scale": scale, "seed": seed, "max_runs": max_runs}
        sw = load_sweep(experiment, settings | {"set": parse_overrides(set_) or None})
        target, table = run_job(sw, out, run_sweep, workers, scheduler, resume, overwrite, checkpoint)
        write_report_into(report, target, lang)
    say(
        f"{sw.runs:,} runs, {len(table):,} rows written to {target / 'results.parquet'}; summary in "
        f"{target / 'summary.csv'}"
    )


def sensitivity(
    experiment: Path = typer.Argument(..., help='Sensitivity experiment TOML (kind = "sensitivity").'),
    out: Optional[Path] = JOB_OUT,
    workers: int = WORKERS,
    scheduler: Optional[str] = SCHEDULER,
    resume: bool = RESUME,
    overwrite: bool = OVERWRITE,
    samples: Optional[int] = typer.Option(None, min=1, help=QUICK.format("base sample size")),
    replicates: Optional[int] = QUICK_REPLICATES,
    scale: Optional[float] = QUICK_SCALE,
    seed: Optional[int] = QUICK_SEED,
    checkpoint: float = CHECKPOINT,
    top: int = typer.Option(5, min=1, help="Factors shown per indicator in the ranked summary."),
    max_runs: Optional[int] = MAX_RUNS,
    set_: list[str] = FIXED,
    report: bool = REPORT,
    lang: Lang = LANG,
) -> None:
    """Global sensitivity analysis with SALib (Sobol, Morris, eFAST, RBD-FAST, PAWN), indices for every year."""
    from innosim.cli.tables import print_ranking
    from innosim.experiments.kinds import load_sensitivity
    from innosim.sensitivity.run import ranking
    from innosim.sensitivity.run import sensitivity as run_sensitivity

    with user_errors():
        settings = {
            "method.samples": samples,
            "replicates": replicates,
            "scale": scale,
            "seed": seed,
            "max_runs": max_runs,
            "set": parse_overrides(set_) or None,
        }
        check_report(False, None, lang)
        sens = load_sensitivity(experiment, settings)
        target, indices = run_job(sens, out, run_sensitivity, workers, scheduler, resume, overwrite, checkpoint)
        write_report_into(report, target, lang)
    print_ranking(sens, ranking(indices, sens, top=top), lang)
    say(
        f"indices of {len(sens.groups)} factors x {len(sens.indicators)} indicators x {len(sens.years)} years "
        f"written to {target / 'indices.csv'} (and .parquet); figures in {target}"
    )
