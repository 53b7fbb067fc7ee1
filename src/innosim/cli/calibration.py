"""The calibration commands: calibrate (a fit, or a coverage study) and forecast.

Each parses its options, calls the library and prints; the library computes and saves.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.markup import escape

from innosim.cli.common import (
    FLAG,
    POSTERIOR,
    SCHEDULER,
    check_out,
    need_extra,
    progress_bar,
    resume_command,
    say,
    user_errors,
)
from innosim.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from innosim.calibration.config import Calibration


def calibrate(
    config: Optional[Path] = typer.Argument(None, help="Calibration TOML (default: the packaged Baiyun calibration)."),
    out: Optional[Path] = typer.Option(None, help="Result directory (default: the config's `out`, beside it)."),
    workers: Optional[int] = typer.Option(
        None, min=0, help="Worker processes (default: the config's; 0 = one per core)."
    ),
    scheduler: Optional[str] = SCHEDULER,
    resume: bool = typer.Option(
        False, "--resume", metavar=FLAG, help="Continue the calibration stored in the result directory."
    ),
    overwrite: bool = typer.Option(
        False, "--overwrite", metavar=FLAG, help="Discard a stored calibration and start again."
    ),
    report: bool = typer.Option(
        True, "--report/--no-report", metavar=FLAG, help="Write REPORT.md and the figures at the end."
    ),
    report_only: bool = typer.Option(
        False, "--report-only", metavar=FLAG, help="Only rewrite the report from stored results."
    ),
) -> None:
    """Fit the behavioural parameters to the 2016-2020 facts by ABC-SMC (pyabc)."""
    from innosim.calibration import load_calibration

    with user_errors():
        cal = load_calibration(config)
        if config is None and out is None:
            out = Path("innosim-calibration")  # never write into the installed package
        check_out(out)
        need_extra("calibrate", "innosim calibrate")
        from innosim.calibration import abc
        from innosim.calibration import report as fit_report
        from innosim.calibration.sections import REPORT as REPORT_FILE

        target = out if out is not None else cal.out
        if cal.config.coverage is not None:
            _coverage(cal, target, workers, scheduler, report_only, overwrite)
            return
        if report_only:
            fit_report.write_report(cal, target, workers=workers)
            say(f"report written to {target / REPORT_FILE}")
            return
        m = cal.config.method
        header = (
            f"calibrating {cal.config.name}: {len(cal.config.free)} free parameters, {len(cal.observed)} "
            f"targets, {len(cal.heldout)} held out; {m.population} particles, at most {m.max_generations} generations "
            f"or {m.max_simulations:,} simulations; scale {cal.config.scale:g}, seed {cal.config.seed}"
        )
        with progress_bar() as bar:
            task = bar.add_task("generation", total=m.population)

            def on_slots(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            def on_generation(g: Any) -> None:
                bar.console.print(
                    f"generation {g.t}: epsilon {g.epsilon:.3f}, accepted {g.accepted}/{g.simulations} "
                    f"({g.acceptance_rate:.1%}), effective sample size {g.ess:.0f}, {g.total_simulations:,} simulations, "
                    f"{_dt.timedelta(seconds=round(g.elapsed))} elapsed",
                    highlight=False,
                )
                bar.reset(task, description=f"generation {g.t + 1}")

            try:
                target = abc.calibrate(
                    cal,
                    out=out,
                    workers=workers,
                    resume=resume,
                    overwrite=overwrite,
                    on_generation=on_generation,
                    on_slots=on_slots,
                    scheduler=scheduler,
                    announce=lambda: bar.console.print(escape(header), highlight=False, soft_wrap=True),
                )
            except KeyboardInterrupt:
                bar.stop()
                stored = abc.generations(target)
                if (stored.t >= 0).any():
                    last = int(stored.t.max())
                    kept = f"generations 0-{last} are" if last else "generation 0 is"
                    say(f"interrupted: {kept} stored in {target}; continue with: {resume_command(resume, out, target)}")
                    raise typer.Exit(130) from None
                raise
        say(f"posterior written to {target / abc.POSTERIOR}")
        if report:
            fit_report.write_report(cal, target, workers=workers)
            say(f"report written to {target / REPORT_FILE}")


def _coverage(
    cal: Calibration,
    target: Path,
    workers: Optional[int],
    scheduler: Optional[str],
    report_only: bool,
    overwrite: bool,
) -> None:
    """``innosim calibrate`` of a coverage-study config: one recovery per truth, resumable."""
    import pandas as pd

    from innosim.calibration import coverage

    cov = cal.config.coverage
    assert cov is not None  # the caller runs this for a coverage-study config only
    if not report_only:
        say(
            f"coverage study {cal.config.name}: {cov.truths} truths from the prior, each calibrated at scale "
            f"{cal.config.scale:g} ({cal.config.method.population} particles, at most "
            f"{cal.config.method.max_simulations:,} simulations); results in {target}"
        )
        coverage.run_coverage(
            cal,
            target,
            workers,
            on_truth=lambda i, n: say(f"truth {i} of {n} done"),
            scheduler=scheduler,
            overwrite=overwrite,
        )
    summary = coverage.summarise(pd.read_csv(target / coverage.RESULTS))
    for _, r in summary.iterrows():
        typer.echo(
            f"{r.path:<45} 90% coverage {r.coverage_90:.2f} ({r.truths} truths)  mean rank {r.mean_rank:.2f}  "
            f"rank histogram {r.rank_counts} (p {r.rank_uniformity_p:.2f})"
        )


def forecast(
    config: Optional[Path] = typer.Argument(None, help="Calibration TOML (default: the packaged Baiyun calibration)."),
    out: Optional[Path] = typer.Option(
        None, help="Where forecast.csv and forecast.png go (default: the calibration's result directory)."
    ),
    posterior: Optional[Path] = POSTERIOR,
    workers: Optional[int] = typer.Option(
        None, min=0, help="Worker processes (default: the config's; 0 = one per core)."
    ),
    full: bool = typer.Option(
        False,
        "--full",
        help="Draw every parameter the posterior lacks from its prior too (--parameters full): "
        "the forecast with the uncertainty of the unfitted parameters.",
    ),
) -> None:
    """Forecast the held-out years blind: the config's forecast scenario run from the posterior,
    each held-out fact against its predictive median, 50/90% intervals and CRPS."""
    from innosim.calibration import load_calibration

    with user_errors():
        cal = load_calibration(config)
        need_extra("calibrate", "innosim forecast")
        from innosim.calibration.abc import POSTERIOR as POSTERIOR_FILE
        from innosim.calibration.checks import forecast as blind_forecast
        from innosim.calibration.report import write_forecast
        from innosim.posterior import Posterior, shipped_posterior

        if not cal.held_for_forecast():
            raise InputError(cal.path, "holdout", f"holds no fact after the fitted years (to {cal.config.year})")
        if posterior is not None:
            post = Posterior.load(posterior)
        elif (cal.out / POSTERIOR_FILE).exists() and config is not None:
            post = Posterior.load(cal.out / POSTERIOR_FILE)
        else:
            post = shipped_posterior()
        target = out if out is not None else (cal.out if config is not None else Path("innosim-forecast"))
        check_out(target)
        target.mkdir(parents=True, exist_ok=True)
        fc = blind_forecast(cal, post, workers, parameters="full" if full else "posterior")
        path = write_forecast(cal, fc, target)
        for _, r in fc.iterrows():
            typer.echo(
                f"{r.key:<40} fact {r.fact:>10.4g}  median {r['median']:>10.4g}  90% {r.p05:.4g}-{r.p95:.4g}  "
                f"{'covered' if r.inside_90 else 'MISSED '}  CRPS/fact {r.crps_relative:.3f}"
            )
        say(
            f"{int(fc.inside_90.sum())} of {len(fc)} held-out facts inside the 90% interval, over "
            f"{fc.indicator.nunique()} indicators ({int(fc.obs_inside_90.sum())} with the error of the facts that "
            f"are a proxy); written to {path}"
        )
