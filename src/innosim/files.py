"""Reading users' files: one reader for every TOML and CSV file innosim takes.

Scenarios, the facts file, experiment files and calibration configs are TOML files read
by :func:`load_toml` (a file, its ``base = "..."`` chain, then a pydantic model); posterior
ensembles are CSV files read by :func:`read_csv`. Before parsing, :func:`read_text` checks
the bytes and refuses, with the file named and an :class:`~innosim.errors.InputError`,
what is not a text file in UTF-8: a missing file or a directory, an empty file, a file
larger than :data:`MAX_BYTES`, a NUL byte, UTF-16 or UTF-32 text, GBK or other non-UTF-8
bytes. A UTF-8 byte-order mark is dropped and Windows line endings are read as newlines,
so files written by Notepad or Excel simply work.
"""

from __future__ import annotations

import codecs
import errno
import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from innosim.errors import InputError, from_validation_error, option

MAX_BYTES = 16 * 2**20
"""Largest file innosim reads (16 MiB): scenario, experiment and calibration files are a few kB,
the shipped posterior 40 kB."""

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _encoding_problem(data: bytes, exc: UnicodeDecodeError) -> str:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return f"is {name} text; save it as UTF-8"
    for name in ("gb18030", "big5"):
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return (
            f"is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); it looks like {name.upper()} "
            f"text: save it as UTF-8"
        )
    return f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); is it a text file?"


def read_text(path: str | Path, what: str = "file") -> str:
    """A user's file as text, checked as the module docstring says.

    Args:
        path: The file.
        what: What the file is, for messages ("scenario file").

    Raises:
        InputError: naming the file and what is wrong with it.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(path, "", f"is a directory, not a {what}")
        if size > MAX_BYTES:
            raise InputError(path, "", f"is {size / 2**20:.0f} MiB; a {what} is at most {MAX_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "", f"{what} not found") from None
    except PermissionError:
        raise InputError(path, "", f"{what} cannot be read (permission denied)") from None
    if not data.strip():
        raise InputError(path, "", f"is empty; a {what} needs content")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise InputError(path, "", f"is {name} text; save it as UTF-8")
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise InputError(path, "", f"holds a NUL byte at offset {at}; it is not a text {what} (UTF-16 or binary?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "", _encoding_problem(data, exc)) from None
    return text.replace("\r\n", "\n")


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


def read_toml(
    path: str | Path,
    what: str,
    named: dict[str, Callable[[], dict[str, Any]]] | None = None,
    _chain: tuple[Path, ...] = (),
) -> dict[str, Any]:
    """A TOML file as a dict, with the file named by its ``base = "..."`` merged under it.

    ``base`` is a path relative to the file, or one of the ``named`` built-ins (such as
    ``"default"``). Chains may be any length; a circular or missing base is an
    :class:`InputError` naming the file. ``what`` names the kind of file in messages.
    """
    path = Path(path)
    data = parse_toml(read_text(path, what), path)
    base = data.pop("base", None)
    if base is None:
        return data
    named = named or {}
    if not isinstance(base, str):
        names = " or ".join(f'"{n}"' for n in named)
        raise InputError(
            path, "base", f"must be the path of another {what}{' or ' + names if names else ''} (got {base!r})"
        )
    if base in named:
        return deep_merge(named[base](), data)
    base_path = (path.parent / base).resolve()
    if base_path in _chain or base_path == path.resolve():
        raise InputError(path, "base", f"circular base chain through {base}")
    if not base_path.exists():
        raise InputError(path, "base", f"base {what} {base} not found (looked in {base_path.parent})")
    return deep_merge(read_toml(base_path, what, named, (*_chain, path.resolve())), data)


def validate[Model: BaseModel](model: type[Model], data: dict[str, Any], source: str | Path) -> Model:
    """``data`` validated as ``model``; every problem named with its field, as one :class:`InputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc) from None


def load_toml[Model: BaseModel](
    path: str | Path, model: type[Model], what: str, named: dict[str, Callable[[], dict[str, Any]]] | None = None
) -> Model:
    """Read a TOML file (with its ``base`` chain) and validate it as ``model``.

    Raises:
        InputError: the file cannot be read, is not TOML, or does not fit ``model``.
    """
    return validate(model, read_toml(path, what, named), path)


def read_csv(path: str | Path, what: str = "CSV file") -> Any:
    """A CSV file as a pandas DataFrame, its bytes checked like every other file.

    Raises:
        InputError: the file cannot be read or is not CSV.
    """
    import io

    import pandas as pd

    text = read_text(path, what)
    try:
        return pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, "", f"not a readable CSV: {str(exc).strip()}") from None


def check_output(path: str | Path, needs_bytes: int = 0) -> None:
    """Refuse, before any work, an output directory that cannot be created or written, or lacks room.

    ``path`` may exist (a directory) or not (then its nearest existing ancestor must be a
    writable directory and every new name short enough for the file system). A directory is
    created and removed in it to prove it can be written; ``needs_bytes`` must be free.

    Raises:
        InputError: naming ``path`` and what is wrong (a file in the way, permissions, a
            read-only or full file system, a name too long).
    """
    path = Path(path).absolute()
    name = option("out")
    if path.exists() and not path.is_dir():
        raise InputError(path, name, "exists and is not a directory")
    ancestor = path
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(path, name, f"cannot be created: {ancestor} is a file")
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    for part in path.relative_to(ancestor).parts:
        if len(part.encode()) > name_max:
            raise InputError(
                path,
                name,
                f"cannot be created: the name {part[:20]}... is longer than the "
                f"{name_max} bytes the file system allows",
            )
    try:
        os.rmdir(tempfile.mkdtemp(dir=ancestor, prefix=".innosim-probe-"))
    except OSError as exc:
        raise InputError(path, name, f"cannot be written ({exc.strerror}); choose a writable directory") from None
    free = shutil.disk_usage(ancestor).free
    if needs_bytes > free:
        raise InputError(
            path, name, f"has {free / 2**20:,.0f} MiB free; the results need about {needs_bytes / 2**20:,.0f} MiB"
        )


def os_error(exc: OSError, where: str | Path | None = None) -> InputError:
    """An operating-system error (disk full, read-only, permissions, a name too long) as a refusal,
    naming the file (or ``where`` it happened, when the error names none)."""
    hint = {
        errno.ENOSPC: "free some space, then resume the job",
        errno.EROFS: "choose a writable directory",
        errno.EACCES: "choose a directory you can write",
        errno.EPERM: "choose a directory you can write",
        errno.ENAMETOOLONG: "choose a shorter name",
    }.get(exc.errno or 0, "check the path")
    place = exc.filename if exc.filename is not None else where if where is not None else "innosim"
    return InputError(place, "", f"{exc.strerror or exc}; {hint}")
