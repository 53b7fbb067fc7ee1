"""Exit without the garbage collector's last passes, in the processes innosim itself starts.

At exit, CPython tears its modules down and runs the cyclic garbage collector over everything
they held. With the model and its libraries imported (numpy, pandas, scipy, Mesa) that took
0.27 s, and 0.36 s with Dask's ``distributed`` (about 1,800 modules; best of 3, 2026-12-07): every
command paid it after its output was written, and the fork server of local workers
(:mod:`innosim.cluster`), which shares the command's stdout and stderr, paid it after the command
had exited, so that a pipe (``innosim run --format json | jq``) or a caller capturing the output
waited for it too.

:func:`gc.freeze`, run at exit, moves every object to the permanent generation, which the collector
skips: the same exit took 0.03 s. ``benchmarks/bench_startup.py --before`` an earlier tree measured
``innosim run --replicates 1`` 1.51 s against 1.83 s, and 4 replicates on 2 workers 2.03 s against
2.52 s. Objects are still freed by their reference counts and every exit handler runs; only objects
in reference cycles are left to the operating system, and innosim closes its files and databases
explicitly, never through the garbage collector.

Importing this module arranges it for the importing process. The console script imports it
(:mod:`innosim.cli.console`), and so does the fork server (:data:`innosim.cluster.SERVER_EXIT`); the
library does not, so that a user's own program exits as Python makes it.
"""

from __future__ import annotations

import atexit
import gc

atexit.register(gc.freeze)
