"""The ``innosim`` command line: run, calibrate, validate, show, indicators, levers.

Bad input (a scenario file, a ``--set`` override) ends with one line naming the file,
the field and the problem, exit code 2, no traceback, and nothing written to ``--out``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import platform
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from innosim.errors import InputError
from innosim.indicators import INDICATORS, format_value
from innosim.posterior import parameter_choice
from innosim.scenario import LEVERS, Scenario, load_scenario, numeric_fields
from innosim.simulate import replicate_seeds, simulate, summarise

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="innosim: agent-based simulation of Baiyun district's 14th Five-Year innovation plan.")
out_console = Console() if sys.stdout.isatty() else Console(width=170)
err_console = Console(stderr=True)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


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


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


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
    workers: int = typer.Option(0, min=0, help="Worker processes (0 = one per core, 1 = this process)."),
    scheduler: Optional[str] = typer.Option(None, help="Run on Dask: 'local' (a LocalCluster of --workers "
                                            "processes) or a scheduler address tcp://HOST:PORT."),
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field: PATH=VALUE (repeatable)."),
    out: Optional[Path] = typer.Option(None, help="Directory for indicators.csv and manifest.json."),
    format: Format = typer.Option(Format.table, "--format", help="Output on stdout."),
    parameters: str = typer.Option("posterior", help="Behavioural parameters: posterior (a draw per replicate), "
                                   "mean, map, or defaults (the declared values, no posterior)."),
    posterior: Optional[Path] = typer.Option(None, help="Posterior CSV to use instead of the shipped calibration."),
) -> None:
    """Project the indicators 2016-2025 for a scenario (the baseline by default).

    Each replicate draws its behavioural parameters from the calibration posterior
    (fixed by the replicate's seed), unless the scenario sets them.
    """
    with _user_errors():
        scn = _load(scenario, set_)
        choice = parameter_choice(parameters, posterior)
        if out is not None and out.exists() and not out.is_dir():
            raise InputError(out, "--out", "exists and is not a directory")
    started = _dt.datetime.now(_dt.timezone.utc)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=replicates < 2) as bar:
        task = bar.add_task(f"{scn.name}: replicates", total=replicates)
        with _user_errors():
            table = simulate(scn, seed=seed, replicates=replicates, workers=workers, parameters=choice,
                             progress=lambda done: bar.update(task, completed=done), scheduler=scheduler)
    finished = _dt.datetime.now(_dt.timezone.utc)
    summary = summarise(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        _write_atomic(out / "indicators.csv", table.to_csv(index=False))
        manifest = {
            "innosim_version": _version(), "scenario": scn.to_toml_dict(), "scenario_hash": scn.hash,
            "seed": seed, "replicates": replicates, "replicate_seeds": replicate_seeds(seed, replicates),
            "parameters": choice.describe(),
            "scale": scn.scale, "started": started.isoformat(), "finished": finished.isoformat(),
            "python": platform.python_version(), "command": sys.argv,
        }
        _write_atomic(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
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


def _version() -> str:
    from innosim import __version__

    return __version__


@app.command()
def calibrate(
    config: Optional[Path] = typer.Argument(None, help="Calibration TOML (default: the packaged Baiyun calibration)."),
    out: Optional[Path] = typer.Option(None, help="Result directory (default: the config's `out`, beside it)."),
    workers: Optional[int] = typer.Option(None, min=0, help="Worker processes (default: the config's; 0 = one per core)."),
    scheduler: Optional[str] = typer.Option(None, help="Run on Dask: 'local' or a scheduler address tcp://HOST:PORT."),
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
        if out is not None and out.exists() and not out.is_dir():
            raise InputError(out, "--out", "exists and is not a directory")
        try:
            from innosim.calibration import abc, report as fit_report
        except ImportError as exc:
            raise InputError("innosim calibrate", "", f"needs the calibrate extra ({exc.name} is missing): "
                             'pip install "innosim[calibrate]"') from None
        target = out if out is not None else cal.out
        if report_only:
            fit_report.write_report(cal, target, workers=workers)
            err_console.print(f"report written to {escape(str(target / fit_report.REPORT))}", highlight=False)
            return
        m = cal.config.method
        err_console.print(
            f"calibrating {escape(cal.config.name)}: {len(cal.config.free)} free parameters, {len(cal.observed)} "
            f"targets, {len(cal.heldout)} held out; {m.population} particles, at most {m.max_generations} generations "
            f"or {m.max_simulations:,} simulations; scale {cal.config.scale:g}, seed {cal.config.seed}", highlight=False)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as bar:
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
    err_console.print(f"posterior written to {escape(str(target / abc.POSTERIOR))}", highlight=False)
    if report:
        fit_report.write_report(cal, target, workers=workers)
        err_console.print(f"report written to {escape(str(target / fit_report.REPORT))}", highlight=False)


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
def indicators(format: Format = typer.Option(Format.table, "--format")) -> None:
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
