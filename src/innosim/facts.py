"""Baiyun facts: the 13th-plan baseline, 14th-plan targets and external figures.

The data live in ``calibration/data/baiyun.toml`` (shipped inside the package as
``innosim/data/baiyun_facts.toml``). Each entry carries its value, unit, year,
source and a confidence mark; derived and estimated values carry their method.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from innosim.files import load_toml, parse_toml, validate

FACTS_FILE = "facts file"

Kind = Literal["observed", "derived", "estimated", "target", "external"]
Confidence = Literal["high", "medium", "low"]


class Fact(BaseModel):
    """One figure about Baiyun, with where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    year: int
    value: float
    unit: str
    kind: Kind
    confidence: Confidence
    source: str
    period: str | None = None
    method: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _method_for_derived(self) -> Fact:
        if self.kind in ("derived", "estimated") and not self.method:
            raise ValueError(f"{self.kind} fact {self.id}@{self.year} needs a 'method'")
        return self


class FactBook(BaseModel):
    """All facts, looked up by ``(id, year)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    meta: dict[str, str]
    fact: list[Fact]

    @model_validator(mode="after")
    def _unique(self) -> FactBook:
        seen: set[tuple[str, int]] = set()
        for f in self.fact:
            key = (f.id, f.year)
            if key in seen:
                raise ValueError(f"duplicate fact {f.id}@{f.year}")
            seen.add(key)
        return self

    @functools.cached_property
    def _index(self) -> dict[tuple[str, int], Fact]:
        return {(f.id, f.year): f for f in self.fact}

    def get(self, id: str, year: int) -> Fact:
        """The fact ``id`` for ``year``; ``KeyError`` naming both if absent."""
        try:
            return self._index[(id, year)]
        except KeyError:
            raise KeyError(f"no fact {id!r} for {year} in the facts file") from None

    def value(self, id: str, year: int) -> float:
        """Shortcut for ``get(id, year).value``."""
        return self.get(id, year).value

    def find(self, id: str, year: int) -> Fact | None:
        """The fact or ``None``."""
        return self._index.get((id, year))


def load_facts(path: str | Path | None = None) -> FactBook:
    """Load and validate a facts file (the packaged one when ``path`` is None).

    Raises:
        InputError: the file is missing, is not TOML, or does not fit the schema.
    """
    if path is None:
        return default_facts()
    return load_toml(path, FactBook, FACTS_FILE)


@functools.cache
def default_facts() -> FactBook:
    """The facts shipped with innosim (cached)."""
    ref = resources.files("innosim") / "data" / "baiyun_facts.toml"
    source = "calibration/data/baiyun.toml"
    return validate(FactBook, parse_toml(ref.read_text(encoding="utf-8"), source), source)
