"""The ``innosim`` application: every command registered, explicitly, and the entry point."""

from __future__ import annotations

import signal
import sys

import typer

from innosim import provenance
from innosim.cli import calibration, design, simulations, tools
from innosim.errors import use_flags

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="innosim: agent-based simulation of Baiyun district's 14th Five-Year innovation plan.",
)
for command in (
    simulations.run,
    simulations.compare,
    simulations.sweep,
    simulations.sensitivity,
    design.optimise,
    design.discover,
    calibration.calibrate,
    calibration.forecast,
    tools.report,
    tools.validate,
    tools.schema,
    tools.show,
    tools.indicators,
    tools.levers,
    tools.evidence,
):
    app.command()(command)
app.command("app")(tools.app_)


def _show_version(value: bool) -> None:
    if value:
        from innosim.version import __version__

        sys.stdout.write(f"innosim {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", metavar="", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """innosim: agent-based simulation of Baiyun district's 14th Five-Year innovation plan."""


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:  # pragma: no cover - console script
    """The application as the console script runs it (:mod:`innosim.cli.console`): names options
    as flags in messages, records the command line, and treats SIGTERM as Ctrl-C (finished runs
    are kept and the resume command is printed)."""
    use_flags()
    provenance.record_command(sys.argv)
    signal.signal(signal.SIGTERM, _terminate)
    app()
