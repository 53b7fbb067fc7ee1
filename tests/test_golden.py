"""Results are pinned: every golden case recomputed gives its committed file.

The text outside numbers and every integer must match exactly, and every float to a relative
``goldens.RELATIVE``: the last bits of a float depend on the processor, not on the model
(measured in ``tests/goldens.py``). When a change alters the model on purpose, regenerate with
``.venv/bin/python tests/goldens.py`` and say why in the commit.
"""

from __future__ import annotations

import math

import pytest

from goldens import CASES, HERE, compute, differences, drift


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("golden")


@pytest.mark.parametrize("name", list(CASES))
def test_golden_output_is_unchanged(name, scratch):
    pinned = (HERE / name).read_text(encoding="utf-8")
    found = differences(pinned, compute(name, scratch))
    if found:
        pytest.fail(
            f"{name} differs from the pinned golden output; if the change is meant, regenerate with "
            f"`.venv/bin/python tests/goldens.py {name}` and say why in the commit:\n" + "\n".join(found)
        )


def test_the_comparison_catches_what_a_model_change_moves():
    pinned = "year,indicator,value\n2020,hte_count,860.0\n2020,rd_intensity,0.01313716809846087\n"
    assert differences(pinned, pinned) == []
    last_bit = pinned.replace("0.01313716809846087", repr(math.nextafter(0.01313716809846087, 1.0)))
    assert last_bit != pinned and differences(pinned, last_bit) == []
    assert differences(pinned, pinned.replace("0.01313716809846087", "0.013137169")) != []
    assert differences(pinned, pinned.replace("860.0", "861.0")) != []
    assert differences(pinned, pinned.replace("2020,hte", "2021,hte")) != []
    assert differences(pinned, pinned.replace("rd_intensity", "rd_expenditure")) != []
    assert differences(pinned, pinned.rsplit("\n", 2)[0] + "\n") != []
    assert differences('{"a": 1e-05}', '{"a": 1.0000000000000002e-05}') == []
    assert differences('{"a": 1e-05}', '{"a": 2e-05}') != []
    lines, largest = drift(pinned, last_bit)
    assert lines == 1 and 0 < largest < 1e-15
