"""Lazy attributes for package ``__init__`` modules.

A package exports its public names without importing the modules that define them: the
module is imported when a name is first used. ``import innosim`` and ``innosim --help``
stay fast (no Mesa, pandas or SciPy until they are needed), and no package ``__init__``
takes part in an import cycle.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def attach(package: str, table: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, exporting ``name -> module`` lazily.

    Usage in a package ``__init__``: ``__getattr__, __dir__ = attach(__name__, {...})``.
    """

    def __getattr__(name: str) -> Any:
        try:
            module = table[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *table})

    return __getattr__, __dir__
