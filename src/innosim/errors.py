"""Errors raised for bad user input.

Every error a user can cause by what they wrote (a scenario file, a ``--set``
override, a data file) is an :class:`InputError` naming the file, the field and
the problem. The CLI prints it as one line and exits with code 2.
"""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any, Callable


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


def did_you_mean(word: str, options) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``options``, or ``""``."""
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def from_validation_error(source: str | Path, exc) -> InputError:
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
        elif "input" in err and err["type"] not in ("missing",):
            msg = f"{msg} (got {err['input']!r})"
        lines.append(f"{path}: {msg}" if path else msg)
    if len(lines) == 1:
        return InputError(source, first_field, lines[0].split(": ", 1)[-1] if first_field else lines[0])
    return InputError(source, first_field, "; ".join(lines))


def read_text(path: str | Path) -> str:
    """A user's file as text; a missing file or a directory is an :class:`InputError`."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a directory, not a file") from None


def parse_toml(text: str, source: str | Path) -> dict[str, Any]:
    """TOML text as a dict; malformed TOML is an :class:`InputError` naming ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, "", f"not valid TOML: {exc}") from None


def deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``top`` over ``base``: tables merge key by key, everything else (lists too) is replaced."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml_chain(path: Path, what: str, named: dict[str, Callable[[], dict[str, Any]]] | None = None,
                    _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A TOML file as a dict, with the file named by its ``base = "..."`` merged under it.

    ``base`` is a path relative to the file, or one of the ``named`` built-ins (such as
    ``"default"``). Chains may be any length; a circular or missing base is an
    :class:`InputError` naming the file. ``what`` names the kind of file in messages.
    """
    data = parse_toml(read_text(path), path)
    base = data.pop("base", None)
    if base is None:
        return data
    named = named or {}
    if not isinstance(base, str):
        names = " or ".join(f'"{n}"' for n in named)
        raise InputError(path, "base", f"must be the path of another {what} file{' or ' + names if names else ''} "
                                       f"(got {base!r})")
    if base in named:
        return deep_merge(named[base](), data)
    base_path = (path.parent / base).resolve()
    if base_path in _chain or base_path == path.resolve():
        raise InputError(path, "base", f"circular base chain through {base}")
    if not base_path.exists():
        raise InputError(path, "base", f"base {what} {base} not found (looked in {base_path.parent})")
    return deep_merge(read_toml_chain(base_path, what, named, (*_chain, path.resolve())), data)
