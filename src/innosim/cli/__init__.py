"""The ``innosim`` command line: run, compare, sweep, sensitivity, calibrate, forecast, report, app,
validate, show, indicators, levers, evidence.

The CLI parses, calls the library and prints: every result is computed and saved by the
library (:func:`innosim.project`, :func:`innosim.compare`, :func:`innosim.sweep`, ...).
Bad input (a scenario file, a ``--set`` override) ends with one line naming the file,
the field and the problem, exit code 2, no traceback, and nothing written to ``--out``.
Heavy libraries (Mesa, pandas, SciPy) are imported by the command that needs them, so
``innosim --help`` answers at once.
"""

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.cli.common import LANGS, parse_overrides
    from innosim.cli.console import main
    from innosim.cli.main import app

_EXPORTS = {
    "LANGS": "innosim.cli.common",
    "app": "innosim.cli.main",
    "main": "innosim.cli.console",
    "parse_overrides": "innosim.cli.common",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = ["LANGS", "app", "main", "parse_overrides"]
