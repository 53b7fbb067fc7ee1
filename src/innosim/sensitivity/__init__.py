"""Global sensitivity analysis of innosim with SALib: which levers and which uncertainties
drive the 十四五 indicators, year by year.

- :func:`sensitivity` runs a sensitivity experiment file (``kind = "sensitivity"``,
  :mod:`innosim.sensitivity.config`) through the project's executor, resumably, and
  returns the tidy table of indices (:data:`~innosim.sensitivity.run.COLUMNS`).
- :func:`analyze_function` runs the same engine on any Python function, to check it
  on analytic test functions and to reuse it on other models.
- :data:`METHODS`: Sobol, Morris, eFAST, RBD-FAST and PAWN, one module each
  (:mod:`innosim.sensitivity.methods`).

See ``docs/sensitivity.md``.
"""

from innosim.sensitivity.config import Sensitivity
from innosim.sensitivity.function import analyze_function
from innosim.sensitivity.methods import METHODS
from innosim.sensitivity.run import analyse, load_sensitivity, ranking, sensitivity

__all__ = ["METHODS", "Sensitivity", "analyse", "analyze_function", "load_sensitivity", "ranking", "sensitivity"]
