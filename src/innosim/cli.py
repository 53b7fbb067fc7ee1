"""The ``innosim`` command line: run, compare, sweep, sensitivity, calibrate, report, app, validate, show,
indicators, levers.

Bad input (a scenario file, a ``--set`` override) ends with one line naming the file,
the field and the problem, exit code 2, no traceback, and nothing written to ``--out``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import platform
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text
from rich.table import Table

from innosim.errors import InputError
from innosim.indicators import INDICATORS, format_signed, format_value
from innosim.labels import LANGS
from innosim.posterior import parameter_choice
from innosim.fields import numeric_fields
from innosim.levers import LEVERS
from innosim.scenario import Scenario, load_scenario
from innosim.timeline import PLAN_START
from innosim.simulate import replicate_seeds, simulate, summarise
from innosim.store import write_atomic

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="innosim: agent-based simulation of Baiyun district's 14th Five-Year innovation plan.")
out_console = Console() if sys.stdout.isatty() else Console(width=170)
err_console = Console(stderr=True)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


# Options shared by several commands, declared once.
_WORKERS = typer.Option(0, min=0, help="Worker processes (0 = one per core, 1 = this process).")
_SCHEDULER = typer.Option(None, help="Run on Dask: 'local' (a LocalCluster of --workers processes) or a scheduler "
                                     "address tcp://HOST:PORT.")
_FORMAT = typer.Option(Format.table, "--format", help="Output on stdout.")
_POSTERIOR = typer.Option(None, help="Posterior CSV to use instead of the shipped calibration.")
_JOB_OUT = typer.Option(None, help="Result directory (default: results/<experiment name>).")
_RESUME = typer.Option(False, "--resume", help="Continue the job stored in --out; run only the missing runs.")
_OVERWRITE = typer.Option(False, "--overwrite", help="Discard a job stored in --out and start again.")
_REPORT = typer.Option(False, "--report", help="Also write report.html (figures, tables, manifest) into --out.")
_LANG = typer.Option("zh", "--lang", help="Language of the report and its figures: zh or en.")
_CHECKPOINT = typer.Option(10.0, min=0.0, help="Write finished runs to disk at least this often (s).")
_QUICK = "Override the file's {} (e.g. for a quick look or a second seed)."
_QUICK_REPLICATES = typer.Option(None, min=1, help=_QUICK.format("replicates"))
_QUICK_SCALE = typer.Option(None, min=0.0, max=1.0, help=_QUICK.format("scale"))
_QUICK_SEED = typer.Option(None, help=_QUICK.format("seed"))


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Print bad input as one line and exit 2."""
    try:
        yield
    except InputError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _parse_value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["a.b=1", ...]`` -> ``{"a.b": 1}``; malformed items raise :class:`InputError`."""
    out: dict[str, Any] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise InputError("--set", item, "expected PATH=VALUE, e.g. policy.talent_card.budget=0.5")
        out[path.strip()] = _parse_value(value.strip())
    return out


def _load(scenario: Optional[Path], overrides: list[str]) -> Scenario:
    scn = load_scenario(scenario)
    if overrides:
        scn = scn.with_overrides(parse_overrides(overrides))
    return scn


def _say(text: str) -> None:
    """A line of news on stderr, never wrapped."""
    err_console.print(escape(text), highlight=False, soft_wrap=True)


def _check_out(out: Optional[Path]) -> None:
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(out, "--out", "exists and is not a directory")


class _RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task) -> Text:
        return Text("" if task.speed is None else f"{task.speed:.2f} runs/s")


def _progress(disable: bool = False, eta: bool = False) -> Progress:
    """The progress bar on stderr: done/total, elapsed, and (``eta``) rate and time left."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns += [_RateColumn(), TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(*columns, console=err_console, transient=True, disable=disable)


def _manifest(**fields: Any) -> dict[str, Any]:
    """Provenance written beside results: version, Python, command, plus ``fields``."""
    return {"innosim_version": _version(), **fields, "python": platform.python_version(), "command": sys.argv}


def _check_report(report: bool, out: Optional[Path], lang: str) -> None:
    if report and out is None:
        raise InputError("--report", "--out", "a report is written into the result directory; give --out DIR")
    if lang not in LANGS:
        raise InputError("--lang", lang, f"unknown language; expected one of {', '.join(LANGS)}")


def _write_report(report: bool, out: Path, lang: str) -> None:
    if report:
        from innosim.report import write_report

        _say(f"report written to {write_report(out, lang=lang)}")


def _summary_records(summary) -> list[dict[str, Any]]:
    return [
        {"id": r.indicator, "year": int(r.year), "median": float(r.median), "p05": float(r.p05),
         "p95": float(r.p95), "unit": INDICATORS[r.indicator].unit,
         "target": INDICATORS[r.indicator].target() if int(r.year) == 2025 else None}
        for r in summary.itertuples(index=False)
    ]


@app.command()
def run(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario TOML file (default: the embedded baseline)."),
    seed: int = typer.Option(0, help="Root seed; replicate seeds derive from it."),
    replicates: int = typer.Option(8, min=1, help="Number of replicates."),
    workers: int = _WORKERS,
    scheduler: Optional[str] = _SCHEDULER,
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field: PATH=VALUE (repeatable)."),
    out: Optional[Path] = typer.Option(None, help="Directory for indicators.csv and manifest.json."),
    format: Format = _FORMAT,
    parameters: str = typer.Option("posterior", help="Behavioural parameters: posterior (a draw per replicate), "
                                   "mean, map, or defaults (the declared values, no posterior)."),
    posterior: Optional[Path] = _POSTERIOR,
    report: bool = _REPORT,
    lang: str = _LANG,
) -> None:
    """Project the indicators 2016-2025 for a scenario (the baseline by default).

    Each replicate draws its behavioural parameters from the calibration posterior
    (fixed by the replicate's seed), unless the scenario sets them.
    """
    with _user_errors():
        scn = _load(scenario, set_)
        choice = parameter_choice(parameters, posterior)
        _check_out(out)
        _check_report(report, out, lang)
    started = _dt.datetime.now(_dt.timezone.utc)
    with _progress(disable=replicates < 2) as bar:
        task = bar.add_task(f"{scn.name}: replicates", total=replicates)
        with _user_errors():
            table = simulate(scn, seed=seed, replicates=replicates, workers=workers, parameters=choice,
                             progress=lambda done: bar.update(task, completed=done), scheduler=scheduler)
    finished = _dt.datetime.now(_dt.timezone.utc)
    summary = summarise(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "indicators.csv", table.to_csv(index=False))
        manifest = _manifest(
            kind="run", scenario=scn.to_toml_dict(), scenario_hash=scn.hash, seed=seed, replicates=replicates,
            replicate_seeds=replicate_seeds(seed, replicates), parameters=choice.describe(), scale=scn.scale,
            started=started.isoformat(), finished=finished.isoformat())
        write_atomic(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        _write_report(report, out, lang)
    if format is Format.json:
        doc = {"scenario": scn.name, "scenario_hash": scn.hash, "seed": seed, "replicates": replicates,
               "scale": scn.scale, "parameters": choice.describe(), "indicators": _summary_records(summary)}
        out_console.out(json.dumps(doc, ensure_ascii=False), highlight=False)
    elif format is Format.csv:
        frame = summary.assign(unit=summary["indicator"].map(lambda i: INDICATORS[i].unit), scale=scn.scale)
        sys.stdout.write(frame.to_csv(index=False))
    else:
        _print_run_table(scn, summary, seed, replicates, choice.describe())


def _print_run_table(scn: Scenario, summary, seed: int, replicates: int, params: dict[str, Any]) -> None:
    note = "" if scn.scale == 1.0 else f", scale {scn.scale:g} (sampled; indicators rescaled)"
    how = {"posterior": "a posterior draw per replicate", "mean": "posterior mean", "map": "posterior mode",
           "defaults": "declared defaults"}[params["mode"]]
    table = Table(title=f"innosim · {scn.name} · seed {seed} · {replicates} replicates{note} · parameters: {how}",
                  caption="2025: median [5%-95%] over replicates; target from the 十四五 plan")
    for col, kw in (("指标", {"no_wrap": True}), ("indicator", {}), ("unit", {}), ("2020 sim", {"justify": "right"}),
                    ("2020 fact", {"justify": "right"}), ("2025 median [5-95%]", {"justify": "right"}),
                    ("2025 target", {"justify": "right"}), ("", {})):
        table.add_column(col, **kw)
    by_key = {(r.indicator, int(r.year)): r for r in summary.itertuples(index=False)}
    last = max(y for _, y in by_key)
    for iid, ind in INDICATORS.items():
        if not ind.plan and iid != "spending_total":
            continue
        r20, r25 = by_key.get((iid, 2020)), by_key.get((iid, min(2025, last)))
        target = ind.target()
        mark = ""
        if target is not None and r25 is not None:
            met = r25.median >= target if ind.higher_is_better else r25.median <= target
            mark = "[green]✓[/]" if met else "[red]✗[/]"
        fmt = functools.partial(format_value, unit=ind.unit)
        table.add_row(ind.name_zh, ind.name_en, ind.unit, fmt(r20.median if r20 else None), fmt(ind.fact(2020)),
                      f"{fmt(r25.median)} [{fmt(r25.p05)}-{fmt(r25.p95)}]" if r25 else "-", fmt(target), mark)
    out_console.print(table)


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="Scenario TOML files; the first is the reference."),
    seed: int = typer.Option(0, help="Root seed; replicate k of every scenario uses the same seed and draw."),
    replicates: int = typer.Option(30, min=1, help="Paired replicates per scenario."),
    workers: int = _WORKERS,
    scheduler: Optional[str] = _SCHEDULER,
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field in every scenario: PATH=VALUE."),
    out: Optional[Path] = typer.Option(None, help="Directory for comparison.json, the CSV tables and every run."),
    format: Format = _FORMAT,
    parameters: str = typer.Option("posterior", help="Behavioural parameters: posterior, mean, map or defaults."),
    posterior: Optional[Path] = _POSTERIOR,
    report: bool = _REPORT,
    lang: str = _LANG,
) -> None:
    """Compare interventions with paired replicates: effects, odds of meeting the 2025 targets, cost-effectiveness.

    The first scenario is the reference. Replicate k of every scenario uses the same
    seed and posterior draw, so effects are paired differences.
    """
    from innosim.compare import compare as run_compare

    with _user_errors():
        scns = [_load(path, set_) for path in scenarios]
        choice = parameter_choice(parameters, posterior)
        _check_out(out)
        _check_report(report, out, lang)
        started = _dt.datetime.now(_dt.timezone.utc)
        total = replicates * len(scns)
        with _progress(eta=True) as bar:
            task = bar.add_task("runs", total=total)
            result = run_compare(scns, seed=seed, replicates=replicates, workers=workers, parameters=choice,
                                 progress=lambda done: bar.update(task, completed=done), scheduler=scheduler)
    doc = result.to_dict()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "runs.csv", result.runs.to_csv(index=False))
        for name in ("indicators", "spending", "cost_effectiveness"):
            write_atomic(out / f"{name}.csv", getattr(result, name).to_csv(index=False))
        write_atomic(out / "comparison.json", json.dumps(doc, ensure_ascii=False, indent=1))
        write_atomic(out / "manifest.json", json.dumps(_manifest(
            kind="comparison", reference=result.reference,
            scenarios=[{"file": str(p), **s.to_toml_dict(), "hash": s.hash} for p, s in zip(scenarios, scns)],
            seed=seed, replicates=replicates, replicate_seeds=doc["replicate_seeds"], parameters=doc["parameters"],
            started=started.isoformat(), finished=_dt.datetime.now(_dt.timezone.utc).isoformat()),
            ensure_ascii=False, indent=2))
        _write_report(report, out, lang)
    if format is Format.json:
        out_console.out(json.dumps(doc, ensure_ascii=False), highlight=False)
    elif format is Format.csv:
        sys.stdout.write(result.indicators.to_csv(index=False))
    else:
        _print_comparison(result)


def _print_comparison(result) -> None:
    year, ref = result.year, result.reference
    ind = result.indicators.set_index(["scenario", "indicator", "year"])
    cost = result.cost_effectiveness.set_index(["scenario", "indicator"])
    spend = result.spending.set_index(["scenario", "lever"])
    for scn in result.scenarios[1:]:
        name = scn.name
        table = Table(title=f"innosim compare · {name} against {ref} · {year} · {result.replicates} paired replicates, "
                            f"seed {result.seed}",
                      caption=f"median [5%-95%] over replicates; effect = paired difference from {ref}; P(target) = "
                              f"share of replicates meeting the {year} target; per 亿元 = effect per 亿元 of extra "
                              f"spending {PLAN_START}-{year}")
        for col in ("指标", "indicator", "unit", ref, name, "effect [5-95%]", "P(target)", "per 亿元"):
            table.add_column(col, justify="left" if col in ("指标", "indicator", "unit") else "right",
                             no_wrap=col == "指标")
        for iid, spec in INDICATORS.items():
            if not spec.plan:
                continue
            a, b = ind.loc[(ref, iid, year)], ind.loc[(name, iid, year)]
            fmt = functools.partial(format_value, unit=spec.unit)
            lo, mid, hi = (format_signed(b[c], spec.unit) for c in ("effect_p05", "effect_median", "effect_p95"))
            effect = f"{mid} [{lo}, {hi}]"
            odds = "-" if np.isnan(b.p_target) else f"{a.p_target:.0%} → {b.p_target:.0%}"
            per = cost.loc[(name, iid)].per_yi_median
            table.add_row(spec.name_zh, spec.name_en, spec.unit, fmt(a["median"]),
                          f"{fmt(b['median'])} [{fmt(b.p05)}-{fmt(b.p95)}]", effect, odds,
                          "-" if np.isnan(per) else f"{per:.3g}")
        out_console.print(table)
        money = Table(title=f"public spending {PLAN_START}-{year} (亿元, median over replicates)")
        for col in ("杠杆", "lever", f"{ref} budget/yr", f"{name} budget/yr", f"{name} spent", "uptake", "extra"):
            money.add_column(col, justify="left" if col in ("杠杆", "lever") else "right")
        for lever in [*LEVERS, "total"]:
            r, s_ = spend.loc[(ref, lever)], spend.loc[(name, lever)]
            cls = LEVERS.get(lever)
            money.add_row(cls.name_zh if cls else "合计", cls.name_en if cls else "total", f"{r.budget:.3g}",
                          f"{s_.budget:.3g}", f"{s_.spent:.2f}", "-" if np.isnan(s_.uptake) else f"{s_.uptake:.0%}",
                          f"{s_.extra:+.2f}")
        out_console.print(money)


def _run_job(exp, out: Optional[Path], resume: bool, workers: int, runner) -> tuple[Path, Any]:
    """Run an experiment with a progress bar; ``runner(exp, target, progress)`` does the work.

    Prints the design's size and expected time first. Ctrl-C keeps what finished and says how to resume.
    """
    from innosim.sweep import describe

    target = out if out is not None else Path("results") / exp.config.name
    _check_out(target)
    _say(describe(exp, workers=workers))
    with _progress(eta=True) as bar:
        task = bar.add_task("runs", total=exp.runs)
        try:
            return target, runner(exp, target, lambda done, total: bar.update(task, completed=done))
        except KeyboardInterrupt:
            bar.stop()
            again = ["innosim", *sys.argv[1:], *([] if resume else ["--resume"])]
            if out is None:
                again += ["--out", str(target)]
            _say(f"interrupted: the finished runs are stored in {target}; continue with: {' '.join(again)}")
            raise typer.Exit(130) from None


@app.command()
def sweep(
    experiment: Path = typer.Argument(..., help="Sweep experiment TOML (see experiments/)."),
    out: Optional[Path] = _JOB_OUT,
    workers: int = _WORKERS,
    scheduler: Optional[str] = _SCHEDULER,
    resume: bool = _RESUME,
    overwrite: bool = _OVERWRITE,
    replicates: Optional[int] = _QUICK_REPLICATES,
    scale: Optional[float] = _QUICK_SCALE,
    seed: Optional[int] = _QUICK_SEED,
    checkpoint: float = _CHECKPOINT,
) -> None:
    """Run a design of scenarios (grid, one-at-a-time, Latin hypercube, Sobol), streaming results to Parquet."""
    from innosim.experiment import load_sweep
    from innosim.sweep import sweep as run_sweep

    with _user_errors():
        sw = load_sweep(experiment).resized(replicates=replicates, scale=scale, seed=seed)
        target, table = _run_job(sw, out, resume, workers, lambda exp, target, progress: run_sweep(
            exp, target, workers=workers, scheduler=scheduler, resume=resume, overwrite=overwrite, progress=progress,
            checkpoint=checkpoint))
    _say(f"{sw.runs:,} runs, {len(table):,} rows written to {target / 'results.parquet'}; summary in "
         f"{target / 'summary.csv'}")


@app.command()
def sensitivity(
    experiment: Path = typer.Argument(..., help="Sensitivity experiment TOML (kind = \"sensitivity\")."),
    out: Optional[Path] = _JOB_OUT,
    workers: int = _WORKERS,
    scheduler: Optional[str] = _SCHEDULER,
    resume: bool = _RESUME,
    overwrite: bool = _OVERWRITE,
    samples: Optional[int] = typer.Option(None, min=1, help=_QUICK.format("base sample size")),
    replicates: Optional[int] = _QUICK_REPLICATES,
    scale: Optional[float] = _QUICK_SCALE,
    seed: Optional[int] = _QUICK_SEED,
    checkpoint: float = _CHECKPOINT,
    top: int = typer.Option(5, min=1, help="Factors shown per indicator in the ranked summary."),
) -> None:
    """Global sensitivity analysis with SALib (Sobol, Morris, eFAST, RBD-FAST, PAWN), indices for every year."""
    from innosim.sensitivity import load_sensitivity, ranking, sensitivity as run_sensitivity

    with _user_errors():
        sens = load_sensitivity(experiment).resized(**{"method.samples": samples}, replicates=replicates, scale=scale,
                                                    seed=seed)
        target, indices = _run_job(sens, out, resume, workers, lambda exp, target, progress: run_sensitivity(
            exp, target, workers=workers, scheduler=scheduler, resume=resume, overwrite=overwrite, progress=progress,
            checkpoint=checkpoint))
    _print_ranking(sens, ranking(indices, sens, top=top))
    _say(f"indices of {len(sens.groups)} factors x {len(sens.indicators)} indicators x {len(sens.years)} years "
         f"written to {target / 'indices.csv'} (and .parquet); figures in {target}")


def _print_ranking(sens, ranked) -> None:
    main = sens.method.main
    year = max(sens.years)
    table = Table(title=f"innosim sensitivity · {sens.config.name} · {sens.method.label} · {year} · "
                        f"{sens.runs:,} runs", caption=f"factors ranked by {main}; ± half-width of the "
                                                       f"{sens.settings.conf_level:.0%} interval")
    for col in ("指标", "indicator", "rank", "factor", main):
        table.add_column(col, justify="right" if col in ("rank", main) else "left")
    last = None
    for r in ranked.itertuples(index=False):
        ind = INDICATORS[r.indicator]
        first = r.indicator != last
        last = r.indicator
        conf = "" if np.isnan(r.conf) else f" ± {r.conf:.3f}"
        table.add_row(ind.name_zh if first else "", ind.name_en if first else "", str(r.rank), r.parameter,
                      "-" if np.isnan(r.value) else f"{r.value:.3f}{conf}", end_section=False)
    out_console.print(table)


def _version() -> str:
    from innosim import __version__

    return __version__


@app.command()
def calibrate(
    config: Optional[Path] = typer.Argument(None, help="Calibration TOML (default: the packaged Baiyun calibration)."),
    out: Optional[Path] = typer.Option(None, help="Result directory (default: the config's `out`, beside it)."),
    workers: Optional[int] = typer.Option(None, min=0, help="Worker processes (default: the config's; 0 = one per core)."),
    scheduler: Optional[str] = _SCHEDULER,
    resume: bool = typer.Option(False, "--resume", help="Continue the calibration stored in the result directory."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Discard a stored calibration and start again."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write REPORT.md and the figures at the end."),
    report_only: bool = typer.Option(False, "--report-only", help="Only rewrite the report from stored results."),
) -> None:
    """Fit the behavioural parameters to the 2016-2020 facts by ABC-SMC (pyabc)."""
    from innosim.calibration import load_calibration

    with _user_errors():
        cal = load_calibration(config)
        if config is None and out is None:
            out = Path("innosim-calibration")  # never write into the installed package
        _check_out(out)
        try:
            from innosim.calibration import abc, report as fit_report
        except ImportError as exc:
            raise InputError("innosim calibrate", "", f"needs the calibrate extra ({exc.name} is missing): "
                             'pip install "innosim[calibrate]"') from None
        target = out if out is not None else cal.out
        if report_only:
            fit_report.write_report(cal, target, workers=workers)
            _say(f"report written to {target / fit_report.REPORT}")
            return
        m = cal.config.method
        err_console.print(
            f"calibrating {escape(cal.config.name)}: {len(cal.config.free)} free parameters, {len(cal.observed)} "
            f"targets, {len(cal.heldout)} held out; {m.population} particles, at most {m.max_generations} generations "
            f"or {m.max_simulations:,} simulations; scale {cal.config.scale:g}, seed {cal.config.seed}", highlight=False)
        with _progress() as bar:
            task = bar.add_task("generation", total=m.population)

            def on_slots(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            def on_generation(g) -> None:
                bar.console.print(
                    f"generation {g.t}: epsilon {g.epsilon:.3f}, accepted {g.accepted}/{g.simulations} "
                    f"({g.acceptance_rate:.1%}), effective sample size {g.ess:.0f}, {g.total_simulations:,} simulations, "
                    f"{_dt.timedelta(seconds=round(g.elapsed))} elapsed", highlight=False)
                bar.reset(task, description=f"generation {g.t + 1}")

            target = abc.calibrate(cal, out=out, workers=workers, resume=resume, overwrite=overwrite,
                                   on_generation=on_generation, on_slots=on_slots, scheduler=scheduler)
    _say(f"posterior written to {target / abc.POSTERIOR}")
    if report:
        fit_report.write_report(cal, target, workers=workers)
        _say(f"report written to {target / fit_report.REPORT}")


@app.command()
def report(
    results: Path = typer.Argument(..., help="Result directory of run --out, compare --out, sweep or sensitivity."),
    out: Optional[Path] = typer.Option(None, help="HTML file to write (default: RESULTS/report.html, "
                                       "report.en.html for English)."),
    lang: str = _LANG,
) -> None:
    """Write one self-contained HTML report of a result directory: tables, figures, manifest.

    The file needs no network to open: figures and a font subset are embedded. The
    figures are also saved as PNG and SVG beside it.
    """
    from innosim.report import write_report

    with _user_errors():
        _check_report(False, out, lang)
        path = write_report(results, out, lang)
    _say(f"report written to {path}")


@app.command("app")
def app_(
    scenario: Optional[Path] = typer.Argument(None, help="Base scenario TOML file (default: the embedded baseline)."),
    port: int = typer.Option(8765, min=0, max=65535, help="Port to serve on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    scale: Optional[float] = typer.Option(None, min=0.0, max=1.0, help="Sampled share of firms (default: the "
                                          "scenario's); smaller is faster."),
    parameters: str = typer.Option("mean", help="Behavioural parameters: mean or map of the posterior, or defaults."),
    lang: str = _LANG,
) -> None:
    """Open the interactive app (Mesa SolaraViz): lever sliders, step or run to 2025, live indicators.

    Serves on http://HOST:PORT until Ctrl-C. Needs the app extra: pip install "innosim[app]".
    """
    import importlib
    import os
    import subprocess

    with _user_errors():
        _check_report(False, None, lang)
        scn = load_scenario(scenario)
        if scale is not None:
            scn.with_overrides({"scale": scale}, source="--scale")
        if parameters == "posterior":
            raise InputError("--parameters", "posterior", "the app runs one trajectory; use mean, map or defaults")
        parameter_choice(parameters)
        try:
            importlib.import_module("innosim.app")
        except ImportError as exc:
            raise InputError("innosim app", "", f"needs the app extra ({exc.name} is missing): "
                                                'pip install "innosim[app]"') from None
    env = {**os.environ, "INNOSIM_APP_SCENARIO": str(scenario.resolve()) if scenario else "",
           "INNOSIM_APP_SCALE": "" if scale is None else repr(scale), "INNOSIM_APP_PARAMETERS": parameters,
           "INNOSIM_APP_LANG": lang, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}
    where = f"http://{host}:{port}" if port else "a free port (Solara prints the address)"
    _say(f"innosim app ({scn.name}) on {where}; Ctrl-C to stop")
    command = [sys.executable, "-m", "solara", "run", "innosim.app:Page", "--host", host, "--port", str(port),
               "--no-open", "--production", "--no-check-version", "--log-level", "warning"]
    try:
        raise typer.Exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="Scenario files to check.")) -> None:
    """Check scenario files; exit 2 at the first bad one."""
    with _user_errors():
        for path in files:
            scn = load_scenario(path)
            out_console.print(f"[green]ok[/] {escape(str(path))} ({escape(scn.name)}, hash {scn.hash})", highlight=False)


@app.command()
def show(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario TOML file (default: the embedded baseline)."),
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field: PATH=VALUE (repeatable)."),
) -> None:
    """Print the fully resolved scenario as TOML."""
    import tomli_w

    with _user_errors():
        scn = _load(scenario, set_)
    sys.stdout.write(tomli_w.dumps(scn.to_toml_dict()))


@app.command()
def indicators(format: Format = _FORMAT) -> None:
    """List the indicator declarations."""
    rows = [{"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "unit": i.unit, "definition": i.definition,
             "fact_2020": i.fact(2020), "target_2025": i.target(), "higher_is_better": i.higher_is_better}
            for i in INDICATORS.values()]
    if format is Format.json:
        out_console.out(json.dumps(rows, ensure_ascii=False), highlight=False)
    elif format is Format.csv:
        import pandas as pd

        sys.stdout.write(pd.DataFrame(rows).to_csv(index=False))
    else:
        table = Table(title="innosim indicators")
        for col in ("id", "指标", "indicator", "unit", "2020 fact", "2025 target"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["id"], r["name_zh"], r["name_en"], r["unit"], format_value(r["fact_2020"], r["unit"]),
                          format_value(r["target_2025"], r["unit"]))
        out_console.print(table)


@app.command()
def levers() -> None:
    """List the policy levers with their baseline budgets and dotted paths."""
    table = Table(title="innosim levers (budgets in 亿元/yr; the baseline is the 13th-plan intensity)")
    for col in ("id", "杠杆", "lever", "baseline budget", "parameters (dotted paths)"):
        table.add_column(col)
    base = load_scenario()
    for lid, cls in LEVERS.items():
        paths = [p for p in numeric_fields(Scenario) if p.startswith(f"policy.{lid}.")]
        table.add_row(lid, cls.name_zh, cls.name_en, f"{getattr(base.policy, lid).budget:g}", "\n".join(paths))
    out_console.print(table)


def main() -> None:  # pragma: no cover - console script
    """Console-script entry point."""
    app()
