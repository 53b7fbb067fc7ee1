"""Declared numeric fields: a value with its valid range, unit, source and prior.

Levers (:mod:`innosim.levers`) and behavioural parameters (:mod:`innosim.parameters`) are
pydantic models whose numeric fields are declared with :func:`numeric`: each carries its
valid range (validation), its unit and source (docs, CLI tables), and, for behavioural
parameters, the prior range that calibration and sensitivity analysis draw from. The
helpers here read those declarations back by dotted path.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, Field


def numeric(
    default: float,
    ge: float,
    le: float,
    unit: str,
    source: str,
    prior: tuple[float, float] | None = None,
    prior_source: str | None = None,
) -> Any:
    """A numeric field with its valid range, unit, source and (optional) prior bounds.

    ``prior_source`` says why the prior has its range, where that is not the value's source.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if prior is not None:
        extra["prior"] = list(prior)
    if prior_source is not None:
        extra["prior_source"] = prior_source
    return Field(default, ge=ge, le=le, description=source, json_schema_extra=extra)


def budget(default: float, source: str) -> Any:
    """A lever's annual budget (亿元/yr, 0-100)."""
    return numeric(default, 0.0, 100.0, "亿元/yr", source)


@functools.cache
def numeric_fields(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> pydantic FieldInfo for every int/float field under ``model``."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(numeric_fields(ann, path + "."))
        elif ann in (int, float):
            out[path] = info
    return out


def bounds(info: Any) -> tuple[float, float]:
    """Valid range ``(ge, le)`` of a declared field (infinite where open)."""
    lo, hi = -float("inf"), float("inf")
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return float(lo), float(hi)


def extra(info: Any) -> dict[str, Any]:
    """The unit, source and prior of a declared field."""
    return dict(info.json_schema_extra or {})


def prior(info: Any) -> tuple[float, float] | None:
    """The declared prior range of a field, or ``None``."""
    pr = extra(info).get("prior")
    return (float(pr[0]), float(pr[1])) if pr else None


def prior_source(info: Any) -> str:
    """Why a field's prior has its range (its ``prior_source``, else its ``source``)."""
    ext = extra(info)
    return str(ext.get("prior_source") or ext.get("source", ""))
