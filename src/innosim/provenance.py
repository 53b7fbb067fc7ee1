"""Manifests: what produced a result directory, written beside the results.

Every result directory (``run``, ``comparison``, ``sweep``, ``sensitivity``, and a
calibration's ``posterior.json``) holds a manifest built here, by :func:`manifest`: the kind,
the innosim version and git commit, Python and the versions of the libraries results depend
on, the command line or library call, and what the caller adds (scenarios with their hashes
and fixed and drawn parameters, seeds, the posterior and its hash). :func:`read_manifest`
reads one back and checks that it names its kind and holds what that kind needs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from innosim.errors import InputError
from innosim.version import __version__, commit

if TYPE_CHECKING:  # pragma: no cover
    from innosim.posterior import ParameterChoice
    from innosim.scenario import Scenario

DATA_DIR = Path(__file__).parent / "data"
"""innosim's package data, part of :func:`installation`."""
MANIFEST = "manifest.json"
"""The manifest's file name in a result directory."""
DEPENDENCIES = ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic", "SALib")
"""Libraries whose versions manifests record (results can depend on them)."""
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "run": ("scenario", "seed", "replicates", "parameters"),
    "comparison": ("scenarios", "seed", "replicates", "parameters"),
    "sweep": ("hash", "experiment", "replicates", "parameters"),
    "sensitivity": ("hash", "experiment", "replicates", "parameters"),
    "optimisation": ("hash", "experiment", "replicates", "parameters"),
    "discovery": ("condition", "year", "source"),
}
"""What the manifest of each kind of result directory must hold besides its kind."""
KIND_NAMES = {
    "run": "a run (innosim run)",
    "comparison": "a comparison (innosim compare)",
    "sweep": "a sweep (innosim sweep)",
    "sensitivity": "a sensitivity analysis (innosim sensitivity)",
    "optimisation": "an optimisation (innosim optimise)",
    "discovery": "a scenario discovery (innosim discover)",
}
"""Each kind of result directory, in words, for messages."""

_COMMAND: list[str] | None = None


def record_command(argv: list[str]) -> None:
    """Record the command line that is running (the CLI calls this); library calls record their name."""
    global _COMMAND
    _COMMAND = list(argv)


def now() -> str:
    """The current time, UTC, ISO 8601."""
    return _dt.datetime.now(_dt.UTC).isoformat()


def dependency_versions() -> dict[str, str]:
    """Installed versions of :data:`DEPENDENCIES`."""
    out = {}
    for name in DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - a core dependency is always there
            out[name] = "absent"
    return out


def installation() -> dict[str, str]:
    """What results depend on in this process's installation: the innosim version, Python, the
    versions of :data:`DEPENDENCIES` and a hash of innosim's package data (facts, baseline,
    shipped posterior). Two processes with the same installation give bit-identical runs;
    :class:`~innosim.executor.DaskExecutor` compares its workers' with its own."""
    digest = hashlib.sha256()
    for path in sorted(p for p in DATA_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(DATA_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return {
        "innosim": __version__,
        "python": platform.python_version(),
        **dependency_versions(),
        "data": digest.hexdigest()[:16],
    }


def manifest(kind: str, call: str, **fields: Any) -> dict[str, Any]:
    """The manifest of a result of ``kind``, produced by the library function ``call``.

    The command line is recorded instead of ``call`` when the CLI runs. ``fields`` come
    after the provenance keys, in the order given.
    """
    how = {"command": _COMMAND} if _COMMAND is not None else {"call": call}
    return {
        "kind": kind,
        "innosim_version": __version__,
        "git_commit": commit(),
        **how,
        **fields,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": dependency_versions(),
    }


def scenario_record(scenario: Scenario, choice: ParameterChoice, file: str | Path | None = None) -> dict[str, Any]:
    """A scenario in a manifest: its values, hash, and where its parameters come from."""
    record: dict[str, Any] = {"file": str(file)} if file is not None else {}
    record.update(scenario.to_toml_dict())
    record["hash"] = scenario.hash
    record["parameter_sources"] = choice.sources(scenario)
    return record


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The manifest of a result directory, checked to name its kind and hold what the kind needs.

    Directories written before manifests named their kind are recognised by their files.

    Raises:
        InputError: no manifest, one that is not JSON, or one that lacks what its kind needs.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError(
            folder,
            "",
            "is not a directory; give a result directory of run, compare, sweep, sensitivity, optimise or discover",
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            folder,
            "",
            "is not a result directory of innosim (no manifest.json); give the output "
            "directory of run, compare, sweep, sensitivity, optimise or discover",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(path, "", "is not a manifest written by innosim (not a JSON object)")
    kind = doc.get("kind")
    if kind is None:  # written before manifests named their kind
        kind = "comparison" if (folder / "comparison.json").exists() else "run" if "scenario" in doc else None
        doc["kind"] = kind
    if kind not in KIND_KEYS:
        raise InputError(
            path,
            "kind",
            f"is {kind!r}; a result directory holds a run, comparison, sweep, sensitivity, optimisation or discovery",
        )
    missing = [key for key in KIND_KEYS[kind] if key not in doc]
    if missing:
        raise InputError(
            path, missing[0], f"is missing; this {kind} manifest was not written by innosim or was changed by hand"
        )
    return doc
