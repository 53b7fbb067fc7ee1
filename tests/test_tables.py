"""Terminal tables: at 80 columns every number is printed in full (names wrap instead), names come in
the language asked for, effects on shares are in percentage points, and too few replicates are
pointed out with the number that would do."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import ROOT
from innosim.indicators import INDICATORS, format_signed, format_value
from innosim.levers import LEVERS

QUICK = ["--replicates", "2", "--set", "scale=0.05", "--workers", "1", "--seed", "3"]


def _cli(*args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}
    exe = Path(sys.executable).with_name("innosim")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


def _cells(table: str) -> set[str]:
    """Every cell's text of a printed table, split on the runs of blanks between columns."""
    return {cell for line in table.splitlines() for cell in re.split(r"\s{2,}", line.strip()) if cell}


def _fits(out: str, columns: int = 80) -> None:
    assert "…" not in out, "a cell was cut"
    assert max(cell_len(line) for line in out.splitlines()) <= columns


@pytest.fixture(scope="module")
def run_outputs() -> tuple[str, dict, str]:
    table = _cli("run", "scenarios/plan.toml", *QUICK, "--lang", "en")
    data = _cli("run", "scenarios/plan.toml", *QUICK, "--format", "json")
    assert table.returncode == 0 and data.returncode == 0, table.stderr + data.stderr
    return table.stdout, json.loads(data.stdout), table.stderr


def test_run_prints_every_number_in_full_at_80_columns(run_outputs: tuple[str, dict, str]) -> None:
    table, data, _ = run_outputs
    _fits(table)
    cells = _cells(table)
    rows = {(r["id"], r["year"]): r for r in data["indicators"]}
    checked = 0
    for iid, spec in INDICATORS.items():
        if not spec.plan:
            continue
        r = rows[(iid, 2025)]
        fmt = functools.partial(format_value, unit=spec.unit)
        assert fmt(r["median"]) in cells, (iid, fmt(r["median"]))
        assert f"{fmt(r['p05'])}-{fmt(r['p95'])}" in cells, iid
        if spec.target() is not None:
            assert fmt(spec.target()) in cells, iid
        checked += 1
    assert checked >= 15
    # one language of names: the English names, not the Chinese ones
    assert "R&D expenditure" in table and "全社会研发经费投入" not in table


def test_run_says_when_replicates_are_too_few_for_the_band(run_outputs: tuple[str, dict, str]) -> None:
    said = " ".join(run_outputs[2].split())
    assert "2 replicates" in said and "about 20 would do" in said
    enough = _cli("run", "--replicates", "20", "--set", "scale=0.02", "--workers", "1", "--format", "table")
    assert enough.returncode == 0 and "would do" not in enough.stderr


def test_compare_prints_effects_in_full_and_shares_in_points() -> None:
    args = ["compare", "scenarios/baseline.toml", "scenarios/plan.toml", *QUICK]
    table = _cli(*args, "--lang", "zh")
    data = _cli(*args, "--format", "json")
    assert table.returncode == 0 and data.returncode == 0, table.stderr + data.stderr
    _fits(table.stdout)
    cells = _cells(table.stdout)
    for r in json.loads(data.stdout)["indicators"]:
        if r["scenario"] != "plan" or r["year"] != 2025 or not INDICATORS[r["id"]].plan:
            continue
        unit, e = r["unit"], r["effect"]
        assert format_signed(e["median"], unit) in cells, r["id"]
        assert f"{format_signed(e['p05'], unit, suffix=False)}–{format_signed(e['p95'], unit)}" in cells, r["id"]
        assert f"{format_value(r['p05'], unit)}-{format_value(r['p95'], unit)}" in cells, r["id"]
        if unit == "fraction":
            assert format_signed(e["median"], unit).endswith(" pp")
    assert "众创空间" in table.stdout and "High-tech enterprises" not in table.stdout
    assert "P(target) has a standard error of up to 35%; about 97 would do" in " ".join(table.stderr.split())


def test_levers_print_full_paths_at_80_columns_and_as_csv_and_json() -> None:
    table = _cli("levers", "--lang", "en")
    assert table.returncode == 0, table.stderr
    _fits(table.stdout)
    listed = json.loads(_cli("levers", "--format", "json").stdout)
    assert [r["id"] for r in listed] == list(LEVERS)
    cells = _cells(table.stdout)
    for r in listed:
        assert r["paths"] and all(p in cells for p in r["paths"]), r["id"]
    csv = _cli("levers", "--format", "csv").stdout.splitlines()
    assert csv[0] == "id,name_zh,name_en,baseline_budget,paths" and len(csv) == len(LEVERS) + 1


def test_a_percentage_point_change_is_named_so() -> None:
    assert format_signed(0.0013, "fraction") == "+0.13 pp"
    assert format_signed(-0.125, "fraction") == "-12.5 pp"
    assert format_signed(-0.125, "fraction", suffix=False) == "-12.5"
    assert format_signed(1234.0, "firms") == "+1,234"


def test_the_same_options_everywhere(tmp_path: Path) -> None:
    """--scale is --set scale=X; --parameters and --lang show their choices; --report is a flag; sweep
    takes --report and --lang."""
    by_scale = _cli("run", "--scale", "0.03", "--replicates", "1", "--workers", "1", "--format", "json")
    by_set = _cli("run", "--set", "scale=0.03", "--replicates", "1", "--workers", "1", "--format", "json")
    assert by_scale.returncode == 0 and json.loads(by_scale.stdout) == json.loads(by_set.stdout)
    assert json.loads(by_scale.stdout)["scale"] == 0.03
    helps = {c: " ".join(_cli(c, "--help", columns=200).stdout.split()) for c in ("run", "compare", "sweep")}
    for command, text in helps.items():
        assert "<zh|en>" in text and "--report Also write" in text, command
    assert "<posterior|full|mean|map|defaults>" in helps["run"] and "<bool>" not in helps["run"].split("--help")[0]
    sweep_file = tmp_path / "s.toml"
    sweep_file.write_text(
        f'name = "s"\nscenario = "{(ROOT / "scenarios" / "plan.toml").as_posix()}"\nscale = 0.02\nreplicates = 1\n'
        '[[vary]]\npath = "policy.talent_card.budget"\nvalues = [0.3, 0.9]\n[output]\nyears = [2025]\n',
        encoding="utf-8",
    )
    r = _cli("sweep", str(sweep_file), "--out", str(tmp_path / "out"), "--workers", "1", "--report", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "report.en.html").exists()
