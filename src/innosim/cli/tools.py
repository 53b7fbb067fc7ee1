"""The other commands: report, app, validate, schema, show, indicators, levers, evidence."""

from __future__ import annotations

import json
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from innosim.cli.common import (
    FORMAT,
    LANG,
    SCALE,
    WORKERS,
    Format,
    Lang,
    Mode,
    check_report,
    load_scenario_with,
    progress_bar,
    say,
    user_errors,
)
from innosim.errors import InputError
from innosim.timeline import PLAN_13


def report(
    results: Path = typer.Argument(
        ..., help="Result directory of run --out, compare --out, sweep, sensitivity, optimise or discover."
    ),
    out: Optional[Path] = typer.Option(
        None, help="HTML file to write (default: RESULTS/report.html, report.en.html for English)."
    ),
    lang: Lang = LANG,
) -> None:
    """Write one self-contained HTML report of a result directory: tables, figures, manifest.

    The file needs no network to open: figures and a font subset are embedded. The
    figures are also saved as PNG and SVG beside it.
    """
    from innosim.report import write_report

    with user_errors():
        check_report(False, out, lang)
        path = write_report(results, out, lang, progress=lambda step: say(f"report: {step}"))
    say(f"report written to {path}")


def app_(
    scenario: Optional[Path] = typer.Argument(None, help="Base scenario TOML file (default: the embedded baseline)."),
    port: int = typer.Option(8765, min=0, max=65535, help="Port to serve on (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    scale: Optional[float] = SCALE,
    parameters: Mode = typer.Option(
        Mode.mean, help="Behavioural parameters: mean or map of the posterior, or defaults."
    ),
    lang: Lang = LANG,
) -> None:
    """Open the interactive app (Mesa SolaraViz): lever sliders, step or run to 2025, live indicators.

    Serves on http://HOST:PORT until Ctrl-C. Needs the app extra: pip install "innosim\\[app]".
    """
    import importlib
    import os

    from innosim.posterior import parameter_choice
    from innosim.scenario import load_scenario

    with user_errors():
        check_report(False, None, lang)
        scn = load_scenario(scenario)
        if scale is not None:
            scn.with_overrides({"scale": scale}, source="--scale")
        if parameters in ("posterior", "full"):
            raise InputError("--parameters", parameters, "the app runs one trajectory; use mean, map or defaults")
        parameter_choice(parameters)
        try:
            importlib.import_module("innosim.app")
        except ImportError as exc:
            raise InputError(
                "innosim app", "", f'needs the app extra ({exc.name} is missing): pip install "innosim[app]"'
            ) from None
    env = {
        **os.environ,
        "INNOSIM_APP_SCENARIO": str(scenario.resolve()) if scenario else "",
        "INNOSIM_APP_SCALE": "" if scale is None else repr(scale),
        "INNOSIM_APP_PARAMETERS": parameters,
        "INNOSIM_APPLANG": lang,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    }
    where = f"http://{host}:{port}" if port else "a free port (Solara prints the address)"
    say(f"innosim app ({scn.name}) on {where}; Ctrl-C to stop")
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "innosim.app:Page",
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    # The server runs in a process group of its own, so that stopping this command (Ctrl-C, or
    # SIGTERM, which main() turns into Ctrl-C) stops it and every process it started, not only the first.
    server = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        raise typer.Exit(server.wait())
    except KeyboardInterrupt:
        _stop_group(server)
        raise typer.Exit(130) from None


APP_STOP_SECONDS = 5.0
"""How long the app's server has to stop after SIGTERM before it is killed."""


def _stop_group(server: subprocess.Popen) -> None:
    """SIGTERM to the server's process group; SIGKILL to what is left of it after :data:`APP_STOP_SECONDS`."""
    import os
    import signal
    import time

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:  # the group is gone
            return
        deadline = time.monotonic() + APP_STOP_SECONDS
        while time.monotonic() < deadline:
            server.poll()  # reap the leader, which would otherwise stay in the group as a zombie
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


def validate(files: list[Path] = typer.Argument(..., help="Scenario files to check.")) -> None:
    """Check scenario files; exit 2 at the first bad one."""
    from innosim.scenario import load_scenario

    with user_errors():
        for path in files:
            scn = load_scenario(path)
            _print(f"[green]ok[/] {escape(str(path))} ({escape(scn.name)}, hash {scn.hash})")


class FileKind(StrEnum):
    """The kinds of TOML file that have a JSON Schema (:mod:`innosim.schemas`)."""

    scenario = "scenario"
    experiment = "experiment"
    calibration = "calibration"


def schema(
    kind: FileKind = typer.Argument(..., help="Which file's schema."),
    out: Optional[Path] = typer.Option(None, help="Write it to this file instead of stdout."),
) -> None:
    """Print the JSON Schema of scenario, experiment or calibration files, for editors and validators.

    A file names it on its first line: `#:schema ../schemas/scenario.json`, as the shipped files do.
    Editors with Taplo (Even Better TOML) then complete keys and mark mistakes.
    """
    from innosim.schemas import schema_text

    text = schema_text(kind.value)
    if out is None:
        sys.stdout.write(text)
        return
    with user_errors():
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(out, "", f"cannot write: {exc.strerror}") from None
    say(f"schema written to {out}")


def show(
    scenario: Optional[Path] = typer.Argument(None, help="Scenario TOML file (default: the embedded baseline)."),
    set_: list[str] = typer.Option([], "--set", help="Override a numeric field: PATH=VALUE (repeatable)."),
) -> None:
    """Print the resolved scenario as TOML: every lever, and the parameters it fixes.

    A file written by ``show`` runs exactly as the scenario does: the parameters it does not
    fix are listed as comments and stay drawn from the posterior.
    """
    import tomli_w

    from innosim.parameters import Parameters
    from innosim.posterior import shipped_posterior

    with user_errors():
        scn = load_scenario_with(scenario, set_)
    in_posterior = set(shipped_posterior().paths)
    lines = [
        "",
        "# Behavioural parameters not fixed above: each replicate draws those marked 'posterior' from the",
        "# calibration posterior (innosim run --parameters says how) and runs the others at their declared",
        "# value. Copy one under [parameters] to fix it. Declared values:",
    ]
    for path in scn.drawn([f"parameters.{name}" for name in Parameters.model_fields]):
        name = path.removeprefix("parameters.")
        mark = "   # posterior" if path in in_posterior else ""
        lines.append(f"# {name} = {Parameters.model_fields[name].default!r}{mark}")
    sys.stdout.write(tomli_w.dumps(scn.to_toml_dict()) + "\n".join(lines) + "\n")


def indicators(format: Format = FORMAT, lang: Lang = LANG) -> None:
    """List the indicator declarations."""
    from innosim.indicators import INDICATORS

    rows = [
        {
            "id": i.id,
            "name_zh": i.name_zh,
            "name_en": i.name_en,
            "unit": i.unit,
            "definition": i.definition,
            "fact_2020": i.fact(PLAN_13[1]),
            "target_2025": i.target(),
            "higher_is_better": i.higher_is_better,
        }
        for i in INDICATORS.values()
    ]
    if format is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif format is Format.csv:
        import pandas as pd

        sys.stdout.write(pd.DataFrame(rows).to_csv(index=False))
    else:
        from innosim.cli.tables import print_indicators

        print_indicators(rows, lang)


def levers(format: Format = FORMAT, lang: Lang = LANG) -> None:
    """List the policy levers with their baseline budgets (亿元/yr) and the dotted paths --set accepts."""
    from innosim.cli.tables import lever_rows, print_levers

    rows = lever_rows()
    if format is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    elif format is Format.csv:
        import pandas as pd

        flat = [{**r, "paths": " ".join(r["paths"])} for r in rows]
        sys.stdout.write(pd.DataFrame(flat).to_csv(index=False))
    else:
        print_levers(rows, lang)


def _print(text: str) -> None:
    from innosim.cli.tables import out_console

    out_console.print(text, highlight=False)


def evidence(
    out: Path = typer.Option(Path("docs/levers.md"), help="Markdown file to write."),
    seed: int = typer.Option(1, help="Root seed of the paired replicates."),
    replicates: int = typer.Option(20, min=2, help="Paired replicates per lever."),
    scale: float = typer.Option(1.0, min=0.01, max=1.0, help="Sampled share of firms; smaller is faster."),
    workers: int = WORKERS,
) -> None:
    """Write the evidence table: each lever's effect per 亿元 beside the range the literature reports.

    Each lever's budget is raised alone (max(3 x baseline, baseline + 0.5) 亿元 a year from 2021)
    and compared with the baseline on paired replicates; the literature's ranges come from
    calibration/data/evidence.toml.
    """
    from innosim.evidence import evidence_table, to_markdown
    from innosim.levers import LEVERS
    from innosim.store import write_atomic

    with user_errors():
        if out.parent and not out.parent.is_dir():
            raise InputError(out, "--out", f"the directory {out.parent} does not exist")
        with progress_bar(eta=True) as bar:
            task = bar.add_task("runs", total=replicates * (len(LEVERS) + 1))
            table = evidence_table(seed, replicates, scale, workers, lambda done: bar.update(task, completed=done))
        command = f"innosim evidence --out {out} --seed {seed} --replicates {replicates} --scale {scale:g}"
        write_atomic(out, to_markdown(table, command))
    say(f"evidence table written to {out}")
