"""Generated sections of docs/model.md: parameter, lever and indicator tables.

The tables come from the declarations (scenario fields, levers, indicators), so the docs
cannot drift from the code. ``python -m innosim.docs docs/model.md`` rewrites the
sections between their ``<!-- BEGIN name -->`` and ``<!-- END name -->`` markers; a
test checks that the committed file is up to date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from innosim.fields import extra
from innosim.indicators import INDICATORS
from innosim.levers import LEVERS
from innosim.model import constants
from innosim.parameters import Parameters
from innosim.posterior import shipped_posterior
from innosim.scenario import default_scenario
from innosim.timeline import PLAN_13


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameter_table() -> str:
    """Every behavioural parameter: declared value, prior range, and the shipped
    posterior's median and 90% interval for those the calibration fits."""
    post = shipped_posterior()
    q = post.quantiles((0.05, 0.5, 0.95))
    rows = [
        "| parameter | declared value | unit | prior range | posterior median [90%] | source or reason |",
        "|---|---|---|---|---|---|",
    ]
    for name, info in Parameters.model_fields.items():
        declared = extra(info)
        lo, hi = declared.get("prior", ("", ""))
        path = f"parameters.{name}"
        fitted = (
            f"{q.loc[path, 'q50']:.3g} [{q.loc[path, 'q05']:.3g}-{q.loc[path, 'q95']:.3g}]" if path in q.index else ""
        )
        rows.append(
            f"| `{path}` | {info.default:g} | {_cell(declared.get('unit', ''))} | {lo:g}-{hi:g} | {fitted} | "
            f"{_cell(declared.get('source', ''))} |"
        )
    return "\n".join(rows)


def lever_table() -> str:
    base = default_scenario().policy
    rows = ["| lever | 杠杆 | dotted path | baseline value | unit | source or reason |", "|---|---|---|---|---|---|"]
    for lid, cls in LEVERS.items():
        for name, info in cls.model_fields.items():
            declared = extra(info)
            value = getattr(getattr(base, lid), name)
            rows.append(
                f"| {cls.name_en} | {cls.name_zh} | `policy.{lid}.{name}` | {value:g} | "
                f"{_cell(declared.get('unit', ''))} | {_cell(declared.get('source', ''))} |"
            )
    return "\n".join(rows)


def indicator_table() -> str:
    rows = ["| id | 指标 | indicator | unit | definition | 2020 fact | 2025 target |", "|---|---|---|---|---|---|---|"]
    for ind in INDICATORS.values():
        fact, target = ind.fact(PLAN_13[1]), ind.target()
        rows.append(
            f"| `{ind.id}` | {ind.name_zh} | {_cell(ind.name_en)} | {ind.unit} | {_cell(ind.definition)} | "
            f"{'' if fact is None else f'{fact:g}'} | {'' if target is None else f'{target:g}'} |"
        )
    return "\n".join(rows)


def _number(value: float) -> str:
    """A constant as the table shows it: an integer in full (a seed, a year), any other number in ``g``."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def constant_table() -> str:
    """Every fixed assumption of the model (:mod:`innosim.model.constants`)."""
    rows = ["| constant | value | unit | source or reason |", "|---|---|---|---|"]
    for name, value, unit, source in constants.constant_table():
        shown = "-".join(map(_number, value)) if isinstance(value, tuple) else _number(value)
        rows.append(f"| `{name}` | {shown} | {_cell(unit)} | {_cell(source)} |")
    return "\n".join(rows)


SECTIONS = {
    "parameters": parameter_table,
    "constants": constant_table,
    "levers": lever_table,
    "indicators": indicator_table,
}


def render(text: str) -> str:
    """``text`` with every generated section replaced by its current table."""
    for name, fn in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        replacement = r"\g<1>" + fn().replace("\\", "\\\\") + r"\n\g<2>"
        text = pattern.sub(replacement, text)
    return text


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - maintenance script
    path = Path((argv or sys.argv[1:] or ["docs/model.md"])[0])
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()

__all__ = ["SECTIONS", "render"]
