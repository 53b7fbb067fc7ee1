"""Calibration of innosim on the 13th-plan (2016-2020) baseline.

- :mod:`innosim.calibration.schema` and :mod:`innosim.calibration.config`: the calibration
  file (targets, held-out facts, free parameters, method and budget) and its check against
  the facts before anything runs; priors are the ones declared with the parameters
  (:mod:`innosim.parameters`).
- :mod:`innosim.calibration.abc`: ABC-SMC with pyabc, reproducible and resumable
  (needs the ``calibrate`` extra: ``pip install "innosim[calibrate]"``).
- :mod:`innosim.calibration.report`: posterior-predictive check, held-out facts,
  parameter recovery, ``REPORT.md`` and figures.

The resulting posterior is what :mod:`innosim.posterior` draws from in every run.
"""

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.calibration.config import Calibration, load_calibration
    from innosim.calibration.schema import CalibrationConfig

_EXPORTS = {
    "Calibration": "innosim.calibration.config",
    "CalibrationConfig": "innosim.calibration.schema",
    "load_calibration": "innosim.calibration.config",
}
__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = ["Calibration", "CalibrationConfig", "load_calibration"]
