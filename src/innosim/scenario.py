"""Scenarios: levers (policy) and behavioural parameters, validated by pydantic.

A scenario is a TOML file. Levers live under ``[policy.<lever>]``, each with an
annual ``budget`` in 亿元 and its design parameters; behavioural parameters live
under ``[parameters]``. A file may start from another with ``base = "..."``
(a path relative to the file, or ``"default"`` for the embedded baseline) and
set only what differs. Every numeric field has a dotted path
(``policy.talent_card.budget``) that ``--set`` and
:meth:`Scenario.with_overrides` accept.

Each field is declared once here, with its unit and its source or prior; the
CLI tables, the docs' parameter table and (later) the SALib problems are
generated from these declarations.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from innosim.errors import InputError, did_you_mean, from_validation_error, read_toml_chain
from innosim.fields import numeric_fields
from innosim.levers import LEVERS, Policy
from innosim.parameters import Parameters

class Scenario(BaseModel):
    """One scenario: which policy runs from 2021, under which behavioural parameters.

    Attributes:
        name: Short identifier used in outputs.
        description: Free text shown in reports.
        end_year: Last simulated year (2021-2035).
        scale: Share of firms and talent simulated; indicators are rescaled by ``1/scale``.
        policy: The levers acting from 2021 (2016-2020 always runs the 13th-plan policy).
        parameters: Behavioural parameters (also used in 2016-2020).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "baseline"
    description: str = ""
    end_year: int = Field(2025, ge=2021, le=2035, json_schema_extra={"unit": "year"})
    scale: float = Field(1.0, gt=0.0, le=1.0, json_schema_extra={"unit": "fraction of full size"})
    policy: Policy = Policy()
    parameters: Parameters = Parameters()

    # ---- dotted paths
    def numeric_paths(self) -> list[str]:
        """Every numeric field's dotted path, in declaration order."""
        return list(numeric_fields(type(self)))

    def get(self, path: str) -> float:
        """Value at a dotted path."""
        obj: Any = self
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    def with_overrides(self, overrides: dict[str, Any], source: str = "--set") -> "Scenario":
        """A copy with values set by dotted path, validated like a file.

        Raises:
            InputError: an unknown path, a non-numeric path, or a value out of range.
        """
        paths = numeric_fields(type(self))
        # Only what was set explicitly (file, base chain, earlier overrides): the rest
        # stays "unset", so a posterior draw may still fill it (innosim.posterior).
        data = self.model_dump(exclude_unset=True)
        for path, value in overrides.items():
            if path not in paths:
                raise InputError(source, path, f"unknown parameter path{did_you_mean(path, paths)}")
            node = data
            *head, last = path.split(".")
            for part in head:
                node = node.setdefault(part, {})
            node[last] = value
        return _validate(data, source)

    def to_toml_dict(self) -> dict[str, Any]:
        """Plain dict of the fully resolved scenario."""
        return self.model_dump(mode="json")

    @functools.cached_property
    def hash(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON), first 16 hex digits."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _validate(data: dict[str, Any], source: str | Path) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc) from None


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a scenario TOML, resolving ``base = ...`` chains (``"default"``: the embedded baseline)."""
    return read_toml_chain(path, "scenario", {"default": _default_raw})


@functools.cache
def _default_raw() -> dict[str, Any]:
    ref = resources.files("innosim") / "data" / "baseline.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; ``None`` gives the embedded baseline.

    Raises:
        InputError: missing file, malformed TOML, unknown field, wrong type or
            out-of-range value, naming the file and the field.
    """
    if path is None:
        return default_scenario()
    path = Path(path)
    return _validate(_read_toml(path), path)


@functools.cache
def default_scenario() -> Scenario:
    """The embedded baseline scenario (13th-plan policy intensity continued)."""
    return _validate(dict(_default_raw()), "innosim/data/baseline.toml")


def history_policy() -> Policy:
    """The 13th-plan policy that runs in 2016-2020 for every scenario.

    It is the embedded baseline's policy: the baseline *is* the 13th-plan intensity
    continued, so the two are declared once.
    """
    return default_scenario().policy
