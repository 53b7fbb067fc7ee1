"""MkDocs hook: a link from a page to a file of the repository outside ``docs/`` (a scenario, an
experiment file, the calibration report) becomes the file's path in code, since the site holds only
the pages; on GitHub the Markdown keeps the link. A link to a path that does not exist in the
repository is left alone, so ``mkdocs build --strict`` still fails on it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\[([^\]]+)\]\((\.\./[^)#\s]+)(#[^)\s]*)?\)")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    here = (ROOT / "docs" / page.file.src_path).parent

    def outside(match: re.Match[str]) -> str:
        text, target = match.group(1), match.group(2)
        path = (here / target).resolve()
        if ROOT / "docs" in path.parents or not path.exists():
            return match.group(0)
        shown = path.relative_to(ROOT).as_posix()
        return text if text.strip("`") == shown else f"{text} (`{shown}`)"

    return LINK.sub(outside, markdown)
