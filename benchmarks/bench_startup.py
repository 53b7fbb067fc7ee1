"""Start-up and exit time: ``import innosim``, ``innosim --help`` and the smallest jobs, against
``import numpy``.

The two jobs (one run in the command's own process, and four on a pool of two workers) are
timed until their output closes, as a pipe (``innosim run ... | jq``) or a caller capturing it
sees them: that includes the exit of the command and of the fork server that started the
pool's workers, which shares the command's stdout (:mod:`innosim.quickexit`).

Each command runs in a fresh interpreter, ``--repeats`` times in turn (interleaved, so
that the machine's load falls on all of them alike); the best time of each is reported,
with its ratio to ``python -c "import numpy"`` on the same machine in the same run.
``--before DIR`` also times the source tree ``DIR`` (another checkout of innosim, put
first on ``PYTHONPATH``) in the same run, for a before/after comparison::

    python benchmarks/bench_startup.py [--repeats 10] [--before /tmp/innosim-old]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

INNOSIM = str(Path(sys.executable).with_name("innosim"))
COMMANDS = {
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "python -c 'import innosim'": [sys.executable, "-c", "import innosim"],
    "python -c 'import innosim.cli'": [sys.executable, "-c", "import innosim.cli"],
    "innosim --help": [INNOSIM, "--help"],
    "innosim --version": [INNOSIM, "--version"],
    "python -c 'from innosim import InnovationModel'": [sys.executable, "-c", "from innosim import InnovationModel"],
    "innosim run --replicates 1 --format json": [INNOSIM, *"run --replicates 1 --format json".split()],
    "innosim run --replicates 4 --workers 2 --format json": [
        INNOSIM,
        *"run --replicates 4 --workers 2 --format json".split(),
    ],
}


def main() -> None:
    """Time every command and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--before", type=Path, help="another source tree of innosim to time in the same run")
    args = parser.parse_args()
    trees = {"now": None} | ({"before": args.before.resolve() / "src"} if args.before else {})
    best = {(tree, name): float("inf") for tree in trees for name in COMMANDS}
    for _ in range(args.repeats):
        for tree, src in trees.items():
            env = dict(os.environ, PYTHONPATH=str(src)) if src else None
            for name, command in COMMANDS.items():
                t0 = time.perf_counter()
                done = subprocess.run(command, capture_output=True, env=env)
                elapsed = time.perf_counter() - t0
                if done.returncode == 0:
                    best[(tree, name)] = min(best[(tree, name)], elapsed)
    ref = best[("now", "python -c 'import numpy'")]
    print(f"best of {args.repeats}, fresh interpreter each time; ratio to `import numpy`")
    for (tree, name), seconds in best.items():
        print(f"{tree:7s} {name:55s} {seconds:6.3f} s  {seconds / ref:5.2f}x")


if __name__ == "__main__":
    main()
