"""The registry of experiment kinds, and reading an experiment file of any kind.

:data:`KINDS` maps the ``kind`` of a file to its :class:`~innosim.experiments.base.Experiment`
subclass, explicitly: a new kind is added here, not by importing a module for its side effects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from innosim.design.config import Optimisation
from innosim.errors import InputError, did_you_mean
from innosim.experiments.base import EXPERIMENT_FILE, Experiment, with_settings
from innosim.experiments.sweep import Sweep
from innosim.files import read_toml
from innosim.sensitivity.config import Sensitivity

KINDS: dict[str, type[Experiment]] = {"sweep": Sweep, "sensitivity": Sensitivity, "optimise": Optimisation}
"""Experiment kind -> its checked class (which names its config model and checker)."""


def load_experiment(path: str | Path, kind: str | None = None, settings: dict[str, Any] | None = None) -> Experiment:
    """Read, validate and check an experiment file of any kind (or of ``kind``).

    ``settings`` change the file's settings before it is checked (dotted keys, ``None`` ignored):
    the command line's ``--replicates``, ``--scale``, ``--seed``, ``--samples`` and ``--max-runs``.

    Raises:
        InputError: an unreadable file, malformed TOML, a schema error, a reference that
            does not resolve, or a file of another kind than ``kind``.
    """
    path = Path(path)
    data = read_toml(path, EXPERIMENT_FILE)
    if settings:
        data = with_settings(data, settings)
    found = data.get("kind", "sweep")
    if found not in KINDS:
        raise InputError(path, "kind", f"unknown experiment kind {found!r}{did_you_mean(str(found), KINDS)}")
    if kind is not None and found != kind:
        raise InputError(path, "kind", f"is {found!r}; this command needs kind = {kind!r}")
    return KINDS[found].from_data(data, path, path if not settings else f"{path} (with the command line's settings)")


def load_sweep(path: str | Path, settings: dict[str, Any] | None = None) -> Sweep:
    """Read, validate and check a sweep file (see :func:`load_experiment`)."""
    return cast(Sweep, load_experiment(path, "sweep", settings))


def load_sensitivity(path: str | Path, settings: dict[str, Any] | None = None) -> Sensitivity:
    """Read, validate and check a sensitivity file and draw its sample (see :func:`load_experiment`)."""
    return cast(Sensitivity, load_experiment(path, "sensitivity", settings))


def load_optimisation(path: str | Path, settings: dict[str, Any] | None = None) -> Optimisation:
    """Read, validate and check an optimisation file (see :func:`load_experiment`)."""
    return cast(Optimisation, load_experiment(path, "optimise", settings))
