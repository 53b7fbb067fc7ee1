"""Progress of library calls: a bar from ``tqdm.auto`` (a widget in Jupyter, a line on a terminal,
nothing where stderr is a file or a pipe).

:func:`project`, :func:`compare`, :func:`sweep` and :func:`sensitivity` show one unless told not to:
``progress=False`` for the call, or ``INNOSIM_PROGRESS=0`` in the environment for all of them. A
callable given as ``progress`` is called instead (the command line passes its own bar).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

ENV = "INNOSIM_PROGRESS"
"""Set to ``0`` to turn the bars off everywhere."""

Progress = Callable[..., None] | bool | None
"""What a library call's ``progress`` accepts: a callback, ``False`` (no bar), or ``None``/``True`` (a bar)."""


@contextlib.contextmanager
def reporting(progress: Progress, total: int, what: str) -> Iterator[Callable[..., None] | None]:
    """The callback to pass on: ``progress`` itself when it is one, none for ``False`` or when
    :data:`ENV` is ``0``, else a bar of ``total`` runs named ``what`` that a callback
    ``(runs done, ...)`` moves; the bar is closed when the block ends."""
    if callable(progress):
        yield progress
        return
    if progress is False or os.environ.get(ENV, "").strip() == "0":
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=what, unit="run", disable=None, leave=False, dynamic_ncols=True)

    def advance(done: int, *_: Any) -> None:
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        bar.close()
