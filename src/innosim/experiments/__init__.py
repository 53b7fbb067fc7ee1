"""Experiments: designs of many runs, read from experiment files.

- :mod:`~innosim.experiments.base`: what every experiment file shares, and the checked
  :class:`~innosim.experiments.base.Experiment`;
- :mod:`~innosim.experiments.sweep`: sweep files and their designs (grid, one at a time,
  Latin hypercube, Sobol);
- :mod:`~innosim.experiments.kinds`: the registry of kinds and :func:`load_experiment`;
- :mod:`~innosim.experiments.runner`: running an experiment into a resumable result
  directory, and :func:`~innosim.experiments.runner.sweep`.

Sensitivity analyses are the other kind (:mod:`innosim.sensitivity`).
"""
