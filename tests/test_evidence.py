"""The evidence table: every lever has a row, a literature entry and a model figure where comparable."""

from __future__ import annotations

from conftest import run_cli
from innosim import LEVERS
from innosim.evidence import METRICS, load_evidence


def test_every_lever_has_evidence_with_a_known_metric():
    evidence = load_evidence()
    assert set(evidence) == set(LEVERS)
    for row in evidence.values():
        assert row.citation and row.status in ("verified", "secondary", "none")
        assert row.metric == "" or row.metric in METRICS
        assert (row.low is None) == (row.high is None) == (row.metric == "")


def test_the_evidence_command_writes_the_table(tmp_path):
    out = tmp_path / "levers.md"
    done = run_cli("evidence", "--out", str(out), "--scale", "0.05", "--replicates", "2", "--workers", "1")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    for lid in LEVERS:
        assert f"`{lid}`" in text
    assert "Dimos & Pugh" in text and "| yes |" in text or "| **no** |" in text


def test_the_evidence_command_refuses_a_missing_directory(tmp_path):
    done = run_cli("evidence", "--out", str(tmp_path / "nowhere" / "levers.md"), "--replicates", "2")
    assert done.returncode == 2
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
