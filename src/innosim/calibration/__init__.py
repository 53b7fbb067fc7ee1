"""Calibration of innosim on the 13th-plan (2016-2020) baseline.

- :mod:`innosim.calibration.config`: the calibration file (targets, held-out facts,
  free parameters with priors, method and budget), checked before anything runs.
- :mod:`innosim.calibration.abc`: ABC-SMC with pyabc, reproducible and resumable
  (needs the ``calibrate`` extra: ``pip install "innosim[calibrate]"``).
- :mod:`innosim.calibration.report`: posterior-predictive check, held-out facts,
  parameter recovery, ``REPORT.md`` and figures.

The resulting posterior is what :mod:`innosim.posterior` draws from in every run.
"""

from innosim.calibration.config import Calibration, CalibrationConfig, load_calibration

__all__ = ["Calibration", "CalibrationConfig", "load_calibration"]
