"""What the commands share: options declared once, the refusal of bad input, progress bars."""

from __future__ import annotations

import contextlib
import shlex
import sys
import tempfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from innosim.design import MODULES
from innosim.errors import InputError, SimulationError, interrupts_first
from innosim.files import check_output, os_error
from innosim.limits import BYTES_PER_SAVED_RUN

if TYPE_CHECKING:  # pragma: no cover
    from innosim.scenario import Scenario

LANGS = ("zh", "en")
"""Languages of reports and figures (:data:`innosim.labels.LANGS`; repeated here so that the CLI starts
without importing the indicator registry; a test checks that they agree)."""

err_console = Console(stderr=True)


class Format(StrEnum):
    """Output formats on stdout."""

    table = "table"
    json = "json"
    csv = "csv"


def _prestart(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Once ``--workers`` and ``--scheduler`` are parsed: when they ask for processes of this
    machine, start their fork server while the command loads (:func:`innosim.cluster.prestart_for`;
    the console script has already started it when ``--workers`` was given explicitly)."""
    values = {**ctx.params, str(param.name): value}
    has_scheduler = any(p.name == "scheduler" for p in ctx.command.params)
    if "workers" in values and ("scheduler" in values or not has_scheduler):
        from innosim.cluster import prestart_for

        prestart_for(values["workers"], values.get("scheduler"))
    return value


# Options shared by several commands, declared once.
WORKERS = typer.Option(0, min=0, callback=_prestart, help="Worker processes (0 = one per core, 1 = this process).")
SCHEDULER = typer.Option(
    None,
    callback=_prestart,
    help="Run on Dask: 'local' (a LocalCluster of --workers processes) or a scheduler address tcp://HOST:PORT.",
)
FORMAT = typer.Option(Format.table, "--format", help="Output on stdout.")
POSTERIOR = typer.Option(None, help="Posterior CSV to use instead of the shipped calibration.")
JOB_OUT = typer.Option(None, help="Result directory (default: results/<experiment name>).")
FLAG = ""
"""The metavar of an on/off option: none (typer would show ``<bool>``, as if it took a value)."""
RESUME = typer.Option(
    False, "--resume", metavar=FLAG, help="Continue the job stored in --out; run only the missing runs."
)
OVERWRITE = typer.Option(False, "--overwrite", metavar=FLAG, help="Discard a job stored in --out and start again.")
REPORT = typer.Option(
    False, "--report", metavar=FLAG, help="Also write report.html (figures, tables, manifest) into --out."
)


class Lang(StrEnum):
    """Languages of names in tables, reports and figures."""

    zh = "zh"
    en = "en"


class Mode(StrEnum):
    """How behavioural parameters are chosen (:func:`innosim.posterior.parameter_choice`)."""

    posterior = "posterior"
    full = "full"
    mean = "mean"
    map = "map"
    defaults = "defaults"


SCALE = typer.Option(
    None, "--scale", min=0.0, max=1.0, help="Sampled share of firms (default: the scenario's); as --set scale=X."
)
LANG = typer.Option(Lang.zh, "--lang", help="Language of names in the tables, the report and its figures.")
FIXED = typer.Option([], "--set", help="Fix a numeric field of the scenario at every point: PATH=VALUE (repeatable).")
CHECKPOINT = typer.Option(10.0, min=0.0, help="Write finished runs to disk at least this often (s).")
QUICK = "Override the file's {} (e.g. for a quick look or a second seed)."
QUICK_REPLICATES = typer.Option(None, min=1, help=QUICK.format("replicates"))
QUICK_SCALE = typer.Option(None, min=0.0, max=1.0, help=QUICK.format("scale"))
QUICK_SEED = typer.Option(None, help=QUICK.format("seed"))
MAX_RUNS = typer.Option(
    None,
    "--max-runs",
    min=1,
    help="Allow a job of up to this many runs (default: "
    "20,000 for run and compare, 1,000,000 or the file's max_runs for sweeps).",
)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Print bad input, or an operating-system error (disk full, read-only, permissions), as one line and
    exit 2; an interruption (Ctrl-C or SIGTERM) says so and exits 130, also when the clean-up it
    interrupted raised an error of its own (:func:`~innosim.errors.interrupts_first`)."""
    try:
        with interrupts_first():
            yield
    except (InputError, OSError) as exc:
        error = os_error(exc) if isinstance(exc, OSError) else exc
        err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except SimulationError as exc:
        with tempfile.NamedTemporaryFile("w", prefix="innosim-error-", suffix=".txt", delete=False) as log:
            log.write(f"{exc}\n\n{exc.detail}")
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))} (traceback in {log.name})", highlight=False, soft_wrap=True
        )
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        say("interrupted")
        raise typer.Exit(130) from None


def resume_command(resume: bool, out: Optional[Path], target: Path) -> str:
    """The command that continues this one's stored job: its command line without ``--overwrite``
    (which would discard what is stored), with ``--resume``, and with ``--out`` where the job
    wrote to its default directory."""
    again = ["innosim", *(a for a in sys.argv[1:] if a != "--overwrite"), *([] if resume else ["--resume"])]
    return shlex.join(again + ([] if out is not None else ["--out", str(target)]))


EXTRAS = {"calibrate": ("pyabc", "scoringrules"), "design": MODULES}
"""Optional extras of the commands that need them, and the modules each provides."""


def need_extra(extra: str, command: str) -> None:
    """Refuse, with the install command, a command run without the modules of its ``extra``."""
    import importlib.util

    missing = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            command, "", f'needs the {extra} extra ({", ".join(missing)} missing): pip install "innosim[{extra}]"'
        )


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


def load_scenario_with(scenario: Optional[Path], overrides: list[str], scale: Optional[float] = None) -> Scenario:
    """The scenario file (the embedded baseline for ``None``) with the ``--set`` overrides and ``--scale``."""
    from innosim.scenario import load_scenario

    if scale is not None:
        overrides = [*overrides, f"scale={scale}"]

    scn = load_scenario(scenario)
    if overrides:
        scn = scn.with_overrides(parse_overrides(overrides), source="--set")
    return scn


def say(text: str) -> None:
    """A line of news on stderr, never wrapped."""
    err_console.print(escape(text), highlight=False, soft_wrap=True)


def check_out(out: Optional[Path], runs: int = 0) -> None:
    """Refuse an output directory that cannot take the results of ``runs`` runs, before any work."""
    if out is not None:
        check_output(out, runs * BYTES_PER_SAVED_RUN)


class _RateColumn(ProgressColumn):
    """Runs per second."""

    def render(self, task: Any) -> Text:
        return Text("" if task.speed is None else f"{task.speed:.2f} runs/s")


def progress_bar(disable: bool = False, eta: bool = False) -> Progress:
    """The progress bar on stderr: done/total, elapsed, and (``eta``) rate and time left."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns += [_RateColumn(), TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(*columns, console=err_console, transient=True, disable=disable)


def check_report(report: bool, out: Optional[Path], lang: str) -> None:
    if report and out is None:
        raise InputError("--report", "--out", "a report is written into the result directory; give --out DIR")
    if lang not in LANGS:
        raise InputError("--lang", lang, f"unknown language; expected one of {', '.join(LANGS)}")


def write_report_into(report: bool, out: Path, lang: str) -> None:
    if report:
        from innosim.report import write_report

        say(f"report written to {write_report(out, lang=lang)}")
