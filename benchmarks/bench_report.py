"""Time of ``innosim report`` on a small comparison (issue 18 asks for under 5 s), against ``innosim --help``.

Builds the comparison once (baseline against plan, 2 replicates at scale 0.05, in a temporary
directory), then times ``innosim report DIR --lang en`` and ``innosim --help`` in fresh processes,
``--repeats`` times in turn, and reports the best of each and their ratio (the machines are shared and
noisy: compare within one run)::

    python benchmarks/bench_report.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import innosim

INNOSIM = str(Path(sys.executable).with_name("innosim"))
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline.toml", "plan.toml")


def _seconds(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cmp"
        small = [innosim.load_scenario(ROOT / "scenarios" / n).with_overrides({"scale": 0.05}) for n in SCENARIOS]
        innosim.compare(small, replicates=2, workers=1, progress=False).save(out)
        commands = {
            "innosim report (small comparison)": [INNOSIM, "report", str(out), "--lang", "en"],
            "innosim --help": [INNOSIM, "--help"],
        }
        best = {name: min(_seconds(cmd) for _ in range(args.repeats)) for name, cmd in commands.items()}
    base = best["innosim --help"]
    for name, seconds in best.items():
        print(f"{name:36s} {seconds:6.2f} s  {seconds / base:5.1f}x innosim --help")


if __name__ == "__main__":
    main()
