"""Golden outputs: the exact results of a small set of runs, pinned in ``tests/golden/``.

A change that should not alter results proves it with ``tests/test_golden.py``, which recomputes
every case below and compares it with the pinned file: the text outside numbers and every
integer exactly, every other number to a relative ``RELATIVE``. Exact bits are not asked of a
golden file because they depend on the machine: numpy and OpenBLAS choose their kernels by
processor, and CI does not always run on the same one (the same commit's goldens passed CI once
and failed it later, every difference in a float's last digit). Measured on 2026-12-07
(``.venv/bin/python tests/goldens.py --drift``): the pinned files, recomputed on an AVX2 machine
(no AVX-512), differ in 2,092 lines, all in a float's last digits: at most 3.5e-15 relative for
a simulated indicator and 1.9e-11 for a quantile of paired differences in ``compare.json`` (a
value of 1.2e-5, where the subtraction magnifies the last bit), never in text or an integer.
``RELATIVE`` is 50 times the largest; a change to the model moves results far more. Bit-identity
on one machine, whatever the executor and the number of workers, is tested apart
(``tests/test_cli.py``, ``tests/test_compare.py``, ``tests/test_sweep.py``,
``tests/test_sensitivity.py``, ``tests/test_calibration.py``).

A change that alters the model on purpose regenerates the files with the one documented command

    .venv/bin/python tests/goldens.py

and the commit says why; ``git diff tests/golden`` then shows what moved.

The cases cover every path that produces numbers: ``simulate`` of the baseline and the
plan (posterior draws, declared defaults, full size, a run to 2030), a paired comparison,
a sweep (results and summary), a sensitivity analysis (indices) and an ABC-SMC
calibration (posterior). Floats are written with ``repr`` precision. Scenario hashes and
times are left out: they describe the run, they are not results (a scenario hash changes
when the scenario schema gains a field).
"""

from __future__ import annotations

import json
import math
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent / "golden"
ROOT = HERE.parents[1]


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def _scenario(name: str, **overrides: Any):
    import innosim

    scn = innosim.load_scenario(ROOT / "scenarios" / f"{name}.toml")
    return scn.with_overrides(overrides) if overrides else scn


def simulate_small() -> str:
    """Baseline and plan at 5% of full size, 2 replicates, a posterior draw each."""
    import innosim

    scns = [_scenario("baseline", scale=0.05), _scenario("plan", scale=0.05)]
    return _csv(innosim.simulate(scns, seed=7, replicates=2, workers=1))


def simulate_defaults_2030() -> str:
    """The plan at 5% of full size to 2030 with the declared defaults (no posterior)."""
    import innosim

    scn = _scenario("plan", scale=0.05, end_year=2030)
    return _csv(innosim.simulate(scn, seed=3, replicates=2, workers=1, parameters="defaults"))


def simulate_full() -> str:
    """The plan at full size, one replicate: every lever pays out (the guidance fund needs full size)."""
    import innosim

    return _csv(innosim.simulate(_scenario("plan"), seed=1, replicates=1, workers=1))


def _strip_hashes(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_hashes(v) for k, v in node.items() if k != "hash"}
    if isinstance(node, list):
        return [_strip_hashes(v) for v in node]
    return node


def compare_json() -> str:
    """A paired comparison of the plan against the baseline: the JSON document (hashes left out)."""
    import innosim

    result = innosim.compare(
        [_scenario("baseline", scale=0.05), _scenario("plan", scale=0.05)], seed=4, replicates=3, workers=1
    )
    return json.dumps(_strip_hashes(result.to_dict()), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _sweep_dir(tmp: Path) -> Path:
    import innosim

    out = tmp / "sweep"
    if not (out / "summary.csv").exists():
        innosim.sweep(HERE / "sweep.toml", out=out, workers=1)
    return out


def sweep_results(tmp: Path) -> str:
    """The sweep's results table (every run, year and indicator)."""
    return _csv(pd.read_parquet(_sweep_dir(tmp) / "results.parquet"))


def sweep_summary(tmp: Path) -> str:
    """The sweep's summary table, as written."""
    return (_sweep_dir(tmp) / "summary.csv").read_text(encoding="utf-8")


def sensitivity_indices(tmp: Path) -> str:
    """Sobol indices of the golden sensitivity file."""
    from innosim.sensitivity import sensitivity

    return _csv(sensitivity(HERE / "sensitivity.toml", out=tmp / "sensitivity", workers=1, figures=False))


def calibration_posterior(tmp: Path) -> str:
    """The posterior of a two-generation ABC-SMC calibration."""
    from innosim.calibration import load_calibration
    from innosim.calibration.abc import POSTERIOR, calibrate

    out = calibrate(load_calibration(HERE / "calibration.toml"), out=tmp / "calibration", workers=1)
    return (out / POSTERIOR).read_text(encoding="utf-8")


CASES: dict[str, Callable[..., str]] = {
    "simulate_small.csv": simulate_small,
    "simulate_defaults_2030.csv": simulate_defaults_2030,
    "simulate_full.csv": simulate_full,
    "compare.json": compare_json,
    "sweep_results.csv": sweep_results,
    "sweep_summary.csv": sweep_summary,
    "sensitivity_indices.csv": sensitivity_indices,
    "calibration_posterior.csv": calibration_posterior,
}
"""Golden file name -> the function that computes its text (those taking an argument get a scratch directory)."""


RELATIVE = 1e-9
"""Relative tolerance on a golden float (an absolute ``ABSOLUTE`` for values near zero)."""
ABSOLUTE = 1e-12

_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _is_integer(token: str) -> bool:
    return token.lstrip("-").isdigit()


def differences(pinned: str, now: str, limit: int = 20) -> list[str]:
    """Where ``now`` departs from ``pinned``: a line whose text outside numbers, integers or
    count of numbers differ, or a float off by more than the tolerance. Empty when they agree."""
    old, new = pinned.splitlines(), now.splitlines()
    found: list[str] = []
    if len(old) != len(new):
        found.append(f"{len(old)} lines pinned, {len(new)} now")
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a == b:
            continue
        xs, ys = _NUMBER.findall(a), _NUMBER.findall(b)
        same = _NUMBER.sub("#", a) == _NUMBER.sub("#", b) and len(xs) == len(ys)
        same = same and all(
            x == y
            if _is_integer(x) and _is_integer(y)
            else math.isclose(float(x), float(y), rel_tol=RELATIVE, abs_tol=ABSOLUTE)
            for x, y in zip(xs, ys, strict=True)
        )
        if not same:
            found.append(f"line {number}:\n  pinned {a}\n  now    {b}")
        if len(found) >= limit:
            break
    return found


def drift(pinned: str, now: str) -> tuple[int, float]:
    """Lines that differ at all, and the largest relative difference of a number (of those larger than
    ``ABSOLUTE``): how far this machine's results are from the pinned ones (the measurement behind
    ``RELATIVE``)."""
    lines, largest = 0, 0.0
    for a, b in zip(pinned.splitlines(), now.splitlines(), strict=False):
        if a != b:
            lines += 1
            for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=False):
                size = max(abs(float(x)), abs(float(y)))
                if size > ABSOLUTE:
                    largest = max(largest, abs(float(x) - float(y)) / size)
    return lines, largest


def compute(name: str, tmp: Path) -> str:
    """The text of golden file ``name``, computed now."""
    fn = CASES[name]
    return fn(tmp) if fn.__code__.co_argcount else fn()


def main() -> None:
    """Regenerate every golden file (or those named on the command line); with ``--drift``, write nothing and
    print how far each recomputed file is from its pinned one."""
    measure = "--drift" in sys.argv[1:]
    names = [a for a in sys.argv[1:] if a != "--drift"] or list(CASES)
    with tempfile.TemporaryDirectory(prefix="innosim-golden-") as tmp:
        for name in names:
            text = compute(name, Path(tmp))
            if measure:
                lines, largest = drift((HERE / name).read_text(encoding="utf-8"), text)
                print(f"{name}: {lines} lines differ, largest relative difference {largest:.2g}")
            else:
                (HERE / name).write_text(text, encoding="utf-8")
                print(f"wrote {HERE / name} ({len(text.splitlines())} lines)")


if __name__ == "__main__":
    main()
