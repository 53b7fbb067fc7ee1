"""The library saves and reopens results; scenarios say which parameters they fix.

- ``innosim.load_result`` reopens a run, comparison, sweep and sensitivity directory as the
  object the library returned, whether the CLI or the library wrote it;
- a comparison saved by the library renders with ``write_report``;
- ``innosim show SCENARIO > s.toml && innosim run s.toml`` gives the JSON of ``innosim run SCENARIO``;
- manifests list the fixed, drawn and declared parameters, and the scenario hash covers what is fixed.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import innosim
from conftest import ROOT, SCENARIOS, run_cli
from innosim.errors import InputError
from innosim.provenance import read_manifest
from innosim.report import write_report
from innosim.scenario import Scenario

SMALL = {"scale": 0.03}


@pytest.fixture(scope="module")
def plan():
    return innosim.load_scenario(SCENARIOS / "plan.toml").with_overrides(SMALL)


def test_projection_saved_by_the_library_reopens_equal(tmp_path, plan):
    result = innosim.project(plan, seed=3, replicates=2, workers=1)
    result.save(tmp_path / "run")
    again = innosim.load_result(tmp_path / "run")
    assert isinstance(again, innosim.Projection)
    pd.testing.assert_frame_equal(again.runs, result.runs)
    assert again.scenario == result.scenario and again.scenario.hash == result.scenario.hash
    assert again.to_dict() == result.to_dict()
    manifest = read_manifest(tmp_path / "run")
    assert manifest["kind"] == "run" and manifest["call"] == "innosim.project"
    assert manifest["git_commit"] is None or len(manifest["git_commit"]) >= 7
    assert set(manifest["dependencies"]) >= {"mesa", "numpy", "pandas"}


def test_projection_written_by_the_cli_reopens(tmp_path):
    out = tmp_path / "run"
    r = run_cli(
        "run",
        str(SCENARIOS / "plan.toml"),
        "--set",
        "scale=0.03",
        "--replicates",
        "2",
        "--seed",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    again = innosim.load_result(out)
    assert again.to_dict() == json.loads(r.stdout)
    assert read_manifest(out)["command"][1:3] == ["run", str(SCENARIOS / "plan.toml")]


def test_comparison_saved_by_the_library_reopens_and_renders(tmp_path):
    baseline = innosim.load_scenario(SCENARIOS / "baseline.toml").with_overrides(SMALL)
    plan = innosim.load_scenario(SCENARIOS / "plan.toml").with_overrides(SMALL)
    result = innosim.compare([baseline, plan], seed=2, replicates=3, workers=1)
    result.save(tmp_path / "cmp")
    again = innosim.load_result(tmp_path / "cmp")
    assert isinstance(again, innosim.Comparison)
    assert again.to_dict() == result.to_dict()
    for name in ("runs", "indicators", "spending", "cost_effectiveness"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(result, name), check_dtype=False)
    report = write_report(tmp_path / "cmp", lang="en")
    assert report.is_file() and plan.name in report.read_text(encoding="utf-8")
    sources = {s["name"]: s["parameter_sources"] for s in read_manifest(tmp_path / "cmp")["scenarios"]}
    assert sources["plan"]["fixed"] == [] and "parameters.rd_cost_per_staff" in sources["plan"]["drawn"]


def test_sweep_and_sensitivity_directories_reopen_as_their_tables(tmp_path):
    from innosim.sensitivity import sensitivity

    golden = ROOT / "tests" / "golden"
    table = innosim.sweep(golden / "sweep.toml", out=tmp_path / "sweep", workers=1)
    pd.testing.assert_frame_equal(innosim.load_result(tmp_path / "sweep"), table)
    assert innosim.load_result(tmp_path / "sweep").attrs["manifest"]["kind"] == "sweep"
    indices = sensitivity(golden / "sensitivity.toml", out=tmp_path / "sens", workers=1, figures=False)
    pd.testing.assert_frame_equal(innosim.load_result(tmp_path / "sens"), indices)


def test_unfinished_or_foreign_directories_are_refused(tmp_path):
    with pytest.raises(InputError, match="no manifest.json"):
        innosim.load_result(tmp_path)
    (tmp_path / "manifest.json").write_text(
        json.dumps({"kind": "sweep", "hash": "x", "experiment": {}, "replicates": 1, "parameters": {}}),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="did not finish; resume it"):
        innosim.load_result(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "run"}), encoding="utf-8")
    with pytest.raises(InputError, match="scenario: is missing"):
        innosim.load_result(tmp_path)


@pytest.mark.parametrize(
    "extra", [[], ["--set", "parameters.rd_cost_per_staff=11.6", "--set", "parameters.spillover=0.4"]]
)
def test_show_then_run_gives_the_same_json(tmp_path, extra):
    """A shown scenario runs exactly as the original: fixed parameters stay fixed, drawn ones stay drawn."""
    common = ["--set", "scale=0.03"]
    shown = run_cli("show", str(SCENARIOS / "plan.toml"), *common, *extra)
    assert shown.returncode == 0, shown.stderr
    path = tmp_path / "s.toml"
    path.write_text(shown.stdout, encoding="utf-8")
    args = ["--replicates", "2", "--seed", "123", "--format", "json", "--workers", "1"]
    direct = run_cli("run", str(SCENARIOS / "plan.toml"), *common, *extra, *args)
    again = run_cli("run", str(path), *args)
    assert direct.returncode == 0 and again.returncode == 0, (direct.stderr, again.stderr)
    assert again.stdout == direct.stdout
    doc = json.loads(direct.stdout)
    fixed = doc["parameter_sources"]["fixed"]
    assert fixed == (["parameters.rd_cost_per_staff", "parameters.spillover"] if extra else [])
    assert ("parameters.rd_cost_per_staff" in doc["parameter_sources"]["drawn"]) is not bool(extra)
    assert "# rd_cost_per_staff = 11.6   # posterior" in shown.stdout or extra


def test_hash_covers_what_is_fixed():
    plan = innosim.load_scenario(SCENARIOS / "plan.toml")
    pinned = plan.with_overrides({"parameters.rd_cost_per_staff": plan.parameters.rd_cost_per_staff})
    assert pinned.parameters == plan.parameters  # the same values ...
    assert pinned.fixed == ("parameters.rd_cost_per_staff",) and plan.fixed == ()
    assert pinned.hash != plan.hash  # ... but one is fixed, so the runs differ
    assert Scenario.model_validate(pinned.to_toml_dict()).hash == pinned.hash
    assert Scenario.model_validate(plan.to_toml_dict()).hash == plan.hash


def test_fixed_parameter_is_not_drawn_and_the_drawn_ones_vary():
    base = innosim.load_scenario(SCENARIOS / "plan.toml").with_overrides(
        {"scale": 0.02, "parameters.rd_cost_per_staff": 12.5}
    )
    table = innosim.simulate(base, seed=5, replicates=3, workers=1)
    assert table["draw"].nunique() > 1  # each replicate took its own posterior particle
    from innosim.posterior import parameter_choice

    choice = parameter_choice()
    for seed in innosim.replicate_seeds(5, 3):
        drawn, _ = choice.for_replicate(base, seed)
        assert drawn.parameters.rd_cost_per_staff == 12.5
    sources = choice.sources(base)
    assert sources["fixed"] == ["parameters.rd_cost_per_staff"]
    assert "parameters.rd_cost_per_staff" not in sources["drawn"] and "parameters.patent_rate" in sources["drawn"]
    assert "parameters.initial_firms" in sources["declared"]
