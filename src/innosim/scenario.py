"""Scenarios: levers (policy) and behavioural parameters, validated by pydantic.

A scenario is a TOML file. Levers live under ``[policy.<lever>]``, each with an
annual ``budget`` in 亿元 and its design parameters (declared in :mod:`innosim.levers`);
behavioural parameters live under ``[parameters]`` (declared in :mod:`innosim.parameters`).
A file may start from another with ``base = "..."`` (a path relative to the file, or
``"default"`` for the embedded baseline) and set only what differs. Every numeric field
has a dotted path (``policy.talent_card.budget``) that ``--set`` and
:meth:`Scenario.with_overrides` accept.

**Fixed and drawn parameters.** A behavioural parameter that the scenario sets (in its
file, its ``base`` chain or an override) is *fixed*: every replicate runs it. Every other
parameter is *drawn*: each replicate takes it from the calibration posterior (or the
posterior mean or mode, or its declared value, as ``--parameters`` says;
:mod:`innosim.posterior`). :attr:`Scenario.fixed` lists the fixed ones; the scenario's hash
covers them, manifests list them, and :meth:`Scenario.to_toml_dict` (what ``innosim show``
writes) keeps only them under ``[parameters]``, so a shown scenario runs exactly as the
original.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from innosim.errors import InputError, did_you_mean
from innosim.fields import numeric_fields
from innosim.files import load_toml, parse_toml, validate
from innosim.levers import Policy
from innosim.parameters import Parameters
from innosim.timeline import LAST_YEAR, PLAN_START, TARGET_YEAR

SCENARIO_FILE = "scenario file"
"""What a scenario file is called in messages."""


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
    end_year: int = Field(TARGET_YEAR, ge=PLAN_START, le=LAST_YEAR, json_schema_extra={"unit": "year"})
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

    def with_keywords(self, source: str = "keywords", **values: Any) -> Scenario:
        """A copy with values set by keyword (:data:`KEYWORDS`: ``talent_card_budget=0.9``,
        ``rd_cost_per_staff=12.0``, ``scale=0.1``), as ``mesa.batch_run`` passes them.

        Raises:
            InputError: an unknown keyword (with the closest one), or a value out of range.
        """
        paths = keyword_paths()
        for name in values:
            if name not in paths:
                raise InputError(
                    source,
                    name,
                    f"unknown keyword{did_you_mean(name, paths)}; keywords are "
                    "<lever>_<field> (talent_card_budget), a parameter name, scale or "
                    "end_year",
                )
        if not values:
            return self
        try:
            return self.with_overrides({paths[k]: v for k, v in values.items()}, source)
        except InputError as exc:  # name the keyword the caller gave, not its dotted path
            keyword = {p: k for k, p in paths.items()}.get(exc.field.split(": ")[0], exc.field)
            raise InputError(source, keyword, exc.problem) from None

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
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
        return validate(Scenario, data, source)

    # ---- fixed and drawn parameters
    @functools.cached_property
    def fixed(self) -> tuple[str, ...]:
        """Dotted paths of the behavioural parameters this scenario fixes, in declaration order.

        The others are drawn per replicate (see the module docstring).
        """
        chosen = self.parameters.model_fields_set
        return tuple(f"parameters.{name}" for name in Parameters.model_fields if name in chosen)

    def drawn(self, paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """Those of ``paths`` (a posterior's parameters) that this scenario leaves to be drawn."""
        fixed = set(self.fixed)
        return tuple(p for p in paths if p not in fixed)

    def to_toml_dict(self) -> dict[str, Any]:
        """The scenario as plain data: every lever, and the fixed parameters only.

        Validating it gives back this scenario, with the same fixed parameters and hash.
        """
        data = self.model_dump(mode="json")
        data["parameters"] = {
            p.removeprefix("parameters."): data["parameters"][p.removeprefix("parameters.")] for p in self.fixed
        }
        return data

    @functools.cached_property
    def hash(self) -> str:
        """SHA-256 (first 16 hex digits) of every value and of which parameters are fixed.

        Two scenarios with the same values but different fixed parameters run differently
        (a drawn parameter varies by replicate) and have different hashes.
        """
        doc = {"values": self.model_dump(mode="json"), "fixed": list(self.fixed)}
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@functools.cache
def keyword_paths() -> dict[str, str]:
    """Keyword -> dotted path of every numeric field: ``<lever>_<field>`` for levers
    (``talent_card_budget`` -> ``policy.talent_card.budget``), the name for behavioural
    parameters (``rd_cost_per_staff``), and ``scale`` and ``end_year``. Keywords are unique
    (a test checks it)."""
    out = {}
    for path in numeric_fields(Scenario):
        parts = path.split(".")
        out["_".join(parts[1:]) if parts[0] == "policy" else parts[-1]] = path
    return out


@functools.cache
def _default_raw() -> dict[str, Any]:
    ref = resources.files("innosim") / "data" / "baseline.toml"
    return parse_toml(ref.read_text(encoding="utf-8"), "innosim/data/baseline.toml")


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; ``None`` gives the embedded baseline.

    Raises:
        InputError: missing file, malformed TOML, unknown field, wrong type or
            out-of-range value, naming the file and the field.
    """
    if path is None:
        return default_scenario()
    return load_toml(Path(path), Scenario, SCENARIO_FILE, {"default": _default_raw})


@functools.cache
def default_scenario() -> Scenario:
    """The embedded baseline scenario (13th-plan policy intensity continued)."""
    return validate(Scenario, dict(_default_raw()), "innosim/data/baseline.toml")


def history_policy() -> Policy:
    """The 13th-plan policy that runs in 2016-2020 for every scenario.

    It is the embedded baseline's policy: the baseline *is* the 13th-plan intensity
    continued, so the two are declared once.
    """
    return default_scenario().policy
