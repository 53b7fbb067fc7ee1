"""Errors raised for bad user input.

Every error a user can cause by what they wrote (a scenario file, a ``--set``
override, a data file) is an :class:`InputError` naming the file, the field and
the problem. The CLI prints it as one line and exits with code 2. Messages name
options the way the user gives them (:func:`option`): ``resume=True`` in Python,
``--resume`` on the command line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class InputError(ValueError):
    """Bad user input, located by file and field.

    Args:
        source: The file (or ``"--set"``, ``"<scenario>"``) the input came from.
        field: Dotted path of the offending field, or ``""`` for the file as a whole.
        problem: What is wrong, in words a policy researcher understands.
    """

    def __init__(self, source: str | Path, field: str, problem: str) -> None:
        self.source = str(source)
        self.field = field
        self.problem = problem
        where = f"{self.source}: {field}" if field else self.source
        super().__init__(f"{where}: {problem}")


class SimulationError(RuntimeError):
    """A simulation raised: the message names the run (scenario or point, replicate, seed and
    posterior draw) so that it can be reproduced; ``detail`` holds the traceback from the worker.

    Args:
        run: Which run failed, in words.
        cause: The exception, as ``Type: message``.
        detail: The formatted traceback.
    """

    def __init__(self, run: str, cause: str, detail: str = "") -> None:
        self.run = run
        self.cause = cause
        self.detail = detail
        super().__init__(f"{run} failed: {cause}")


_FLAGS = False


@contextmanager
def interrupts_first() -> Iterator[None]:
    """Let a Ctrl-C or SIGTERM (``KeyboardInterrupt``) through, whatever the clean-up it interrupted raised.

    An interrupt that lands inside a database call can leave the call's session half rolled back; the
    library's own clean-up then raises an error of its own (SQLAlchemy's ``PendingRollbackError`` from
    pyabc's ``finally``, seen on 2026-12-07), which replaced the interrupt: a stopped calibration ended
    with a traceback and exit code 1 instead of naming what is stored and the command that continues.
    An exception whose chain, as a traceback shows it, leads to an interrupt is replaced by that
    interrupt; one raised ``from None`` (a deliberate exit, such as the command's own exit code 130
    after it has said what is stored) is not.
    """
    try:
        yield
    except Exception as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, KeyboardInterrupt):
            cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
        if cause is None:
            raise
        raise cause from None


def use_flags() -> None:
    """Name options as command-line flags (``--resume``) in messages; the CLI calls this at start.

    Library users see keyword arguments (``resume=True``) instead.
    """
    global _FLAGS
    _FLAGS = True


def option(name: str, flag: bool = False) -> str:
    """An option as the user gives it: ``--name`` on the command line, ``name`` (or
    ``name=True`` for a ``flag``) in Python."""
    if _FLAGS:
        return "--" + name.replace("_", "-")
    return f"{name}=True" if flag else name


def did_you_mean(word: str, options: Any) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``options``, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


SHOWN_INPUT = 80
"""Characters of a refused value that a message quotes. The input of a check on the whole file (such as a
fact given twice) is the whole file, and is not quoted at all."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_INPUT else text[: SHOWN_INPUT - 3] + "..."


def from_validation_error(source: str | Path, exc: Any) -> InputError:
    """Turn a pydantic ``ValidationError`` into an :class:`InputError`.

    All problems are listed, one per line, each with its dotted field path.
    """
    lines = []
    first_field = ""
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        first_field = first_field or path
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (not part of the schema; check the spelling)"
        elif "input" in err and err["type"] not in ("missing",) and path:
            msg = f"{msg} (got {_shown(err['input'])})"
        lines.append(f"{path}: {msg}" if path else msg)
    if len(lines) == 1:
        return InputError(source, first_field, lines[0].split(": ", 1)[-1] if first_field else lines[0])
    return InputError(source, first_field, "; ".join(lines))
