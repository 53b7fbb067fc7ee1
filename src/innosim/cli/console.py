"""The ``innosim`` console script (``innosim.cli:main``): a light module, so that the fork server
of local workers can start before typer and the commands are imported."""

from __future__ import annotations

import sys


def main() -> None:  # pragma: no cover - console script
    """The ``innosim`` console script. When the command line asks for worker processes of this
    machine, their fork server starts first (:func:`innosim.cluster.prestart_for_argv`), so that
    its import of the model overlaps this process's loading; then the application runs
    (:func:`innosim.cli.main.main`). The process exits without the garbage collector's last passes
    (:mod:`innosim.quickexit`)."""
    import innosim.quickexit  # noqa: F401 - registers the exit
    from innosim.cluster import prestart_for_argv

    prestart_for_argv(sys.argv[1:])
    from innosim.cli.main import main as run_app

    run_app()
