"""Global sensitivity analysis of innosim with SALib: which levers and which uncertainties
drive the 十四五 indicators, year by year.

- :func:`sensitivity` runs a sensitivity experiment file (``kind = "sensitivity"``,
  :mod:`innosim.sensitivity.config`) through the project's executor, resumably, and
  returns the tidy table of indices (:data:`~innosim.sensitivity.run.COLUMNS`).
- :func:`analyze_function` runs the same engine on any Python function, to check it
  on analytic test functions and to reuse it on other models.
- :data:`METHODS`: Sobol, Morris, eFAST, RBD-FAST and PAWN, one module each
  (:mod:`innosim.sensitivity.methods`).

See ``docs/sensitivity.md``. Names are imported when first used.
"""

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.experiments.kinds import load_sensitivity
    from innosim.sensitivity.config import Sensitivity
    from innosim.sensitivity.function import analyze_function
    from innosim.sensitivity.methods import METHODS
    from innosim.sensitivity.run import analyse, ranking, sensitivity

_EXPORTS = {
    "METHODS": "innosim.sensitivity.methods",
    "Sensitivity": "innosim.sensitivity.config",
    "analyse": "innosim.sensitivity.run",
    "analyze_function": "innosim.sensitivity.function",
    "load_sensitivity": "innosim.experiments.kinds",
    "ranking": "innosim.sensitivity.run",
    "sensitivity": "innosim.sensitivity.run",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = ["METHODS", "Sensitivity", "analyse", "analyze_function", "load_sensitivity", "ranking", "sensitivity"]
