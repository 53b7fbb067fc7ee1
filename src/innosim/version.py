"""The version of innosim and the commit it was built from.

The version comes from git tags at build time (setuptools-scm): a release is its tag
(``0.2.0``), any other commit a development version that names it (``0.2.1.dev3+g1a2b3c4``).
Result directories record both, so a stored job is never finished by another model.
"""

from __future__ import annotations

import functools
import re
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("innosim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without installing
    __version__ = "0+unknown"


@functools.cache
def commit() -> str | None:
    """The git commit of the running code: the source tree's HEAD (an editable install, with
    ``-dirty`` if it has uncommitted changes), else the one the version names, else ``None``."""
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists():
        try:
            head = subprocess.run(
                ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            return head + ("-dirty" if dirty else "")
        except (OSError, subprocess.SubprocessError):
            pass
    match = re.search(r"\+g([0-9a-f]{7,40})", __version__)
    return match.group(1) if match else None
