"""Results are pinned: every golden case recomputed gives its committed file, byte for byte.

When a change alters the model on purpose, regenerate with ``.venv/bin/python tests/goldens.py``
and say why in the commit (see ``tests/goldens.py``).
"""

from __future__ import annotations

import difflib

import pytest

from goldens import CASES, HERE, compute


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("golden")


@pytest.mark.parametrize("name", list(CASES))
def test_golden_output_is_unchanged(name, scratch):
    pinned = (HERE / name).read_text(encoding="utf-8")
    now = compute(name, scratch)
    if now != pinned:
        diff = "".join(list(difflib.unified_diff(pinned.splitlines(True), now.splitlines(True), "pinned", "now"))[:40])
        pytest.fail(
            f"{name} differs from the pinned golden output; if the change is meant, regenerate with "
            f"`.venv/bin/python tests/goldens.py {name}` and say why in the commit:\n{diff}"
        )
