"""The documentation site builds with no warning (`mkdocs build --strict`: every page, every link
between pages, the API reference from the docstrings), and the tutorial notebook runs from start to
end with a figure at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_the_tutorial_notebook_runs_and_shows_its_results() -> None:
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code"), "commit it without outputs"
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "docs")}}
    ).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert len(code) >= 6 and all(c.outputs for c in code[1:])
    kinds = [set(o.get("data", {})) for c in code for o in c.outputs]
    assert any("text/html" in k for k in kinds), "no table shown"
    assert "image/png" in set().union(*[set(o.get("data", {})) for o in code[-1].outputs]), "the chart does not show"


def test_the_documentation_site_builds_strictly(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [str(exe), "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "Paired replicates" in api or "paired" in api
    assert "load_result" in api and "InnovationModel" in api
    for page in ("model", "calibration", "experiments", "policy-design", "tutorial"):
        assert (tmp_path / "site" / page / "index.html").exists(), page
