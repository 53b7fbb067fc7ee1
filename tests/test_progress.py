"""Library calls show a progress bar (tqdm.auto) unless told not to: progress=False, or
INNOSIM_PROGRESS=0; a callback given instead is called with the runs done."""

from __future__ import annotations

import io

import pytest

import innosim
from innosim import progress as prog


def test_a_bar_counts_the_runs_and_the_switches_turn_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[int, int]] = []

    class Bar:
        def __init__(self, total: int, **_: object) -> None:
            self.total, self.n = total, 0

        def update(self, k: int) -> None:
            self.n += k
            shown.append((self.n, self.total))

        def close(self) -> None:
            shown.append((-1, self.total))

    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    scn = innosim.default_scenario().with_overrides({"scale": 0.02})
    innosim.project(scn, replicates=3, workers=1)
    assert shown[-1] == (-1, 3) and shown[-2] == (3, 3)
    shown.clear()
    innosim.project(scn, replicates=2, workers=1, progress=False)
    monkeypatch.setenv(prog.ENV, "0")
    innosim.project(scn, replicates=2, workers=1)
    assert shown == []
    called: list[int] = []
    innosim.project(scn, replicates=2, workers=1, progress=called.append)
    assert called == [1, 2] and shown == []


def test_the_real_bar_writes_to_a_terminal_and_not_to_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stream, visible in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr("sys.stderr", stream)
        with prog.reporting(None, 4, "runs") as advance:
            assert advance is not None
            advance(2)
            advance(4, 4)
        assert ("/4" in stream.getvalue()) is visible, stream.getvalue()
