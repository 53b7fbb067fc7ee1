"""Scenario files, dotted paths and overrides."""

import pytest

from conftest import ROOT, SCENARIOS
from innosim import LEVERS, InputError, Scenario, default_scenario, load_scenario
from innosim.fields import numeric_fields
from innosim.scenario import history_policy

SCENARIO_FILES = sorted(SCENARIOS.glob("*.toml"))


def test_every_lever_has_a_scenario_file():
    names = {p.stem for p in SCENARIO_FILES}
    assert {"baseline", "plan"} <= names
    assert {f"lever_{lid}" for lid in LEVERS} <= names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_scenario_files_validate(path):
    scn = load_scenario(path)
    assert scn.name == path.stem


def test_embedded_default_is_the_baseline_file():
    packaged = (ROOT / "src" / "innosim" / "data" / "baseline.toml").read_text(encoding="utf-8")
    assert packaged == (SCENARIOS / "baseline.toml").read_text(encoding="utf-8")
    assert load_scenario(SCENARIOS / "baseline.toml") == default_scenario()
    assert history_policy() == default_scenario().policy


@pytest.mark.parametrize("lid", list(LEVERS))
def test_lever_files_raise_only_their_lever(lid):
    base = load_scenario(SCENARIOS / "baseline.toml")
    scn = load_scenario(SCENARIOS / f"lever_{lid}.toml")
    assert getattr(scn.policy, lid).budget > getattr(base.policy, lid).budget
    for other in LEVERS:
        if other != lid:
            assert getattr(scn.policy, other) == getattr(base.policy, other)
    assert scn.parameters == base.parameters


def test_plan_raises_every_budget():
    base, plan = default_scenario(), load_scenario(SCENARIOS / "plan.toml")
    for lid in LEVERS:
        assert getattr(plan.policy, lid).budget > getattr(base.policy, lid).budget, lid


def test_dotted_paths_and_overrides():
    scn = default_scenario()
    paths = scn.numeric_paths()
    assert "policy.talent_card.budget" in paths and "parameters.patent_elasticity" in paths and "scale" in paths
    new = scn.with_overrides({"policy.talent_card.budget": 0.9, "scale": 0.5})
    assert new.policy.talent_card.budget == 0.9 and new.scale == 0.5
    assert scn.policy.talent_card.budget == 0.3  # the original is unchanged
    assert new.hash != scn.hash
    assert new.with_overrides({"policy.talent_card.budget": 0.3, "scale": 1.0}).hash == scn.hash


def test_every_numeric_field_has_unit_and_source():
    for path, info in numeric_fields(Scenario).items():
        extra = info.json_schema_extra or {}
        assert extra.get("unit"), path
        if path.startswith(("policy.", "parameters.")):
            assert extra.get("source"), path
        if path.startswith("parameters."):
            lo, hi = extra["prior"]
            assert lo <= info.default <= hi, f"{path}: default outside its prior"


@pytest.mark.parametrize(
    "overrides, field, problem",
    [
        (
            {"policy.talent_crd.budget": 1},
            "policy.talent_crd.budget",
            "unknown parameter path; did you mean 'policy.talent_card.budget'",
        ),
        ({"policy.talent_card.budget": -1}, "policy.talent_card.budget", "greater than or equal to 0"),
        ({"scale": 0}, "scale", "greater than 0"),
        ({"policy.talent_card.budget": "lots"}, "policy.talent_card.budget", "valid number"),
    ],
)
def test_bad_overrides(overrides, field, problem):
    with pytest.raises(InputError) as exc:
        default_scenario().with_overrides(overrides)
    assert exc.value.field == field
    assert problem in str(exc.value)


def test_bad_files(tmp_path):
    cases = {
        "malformed.toml": ("name = \n", "", "not valid TOML"),
        "typo.toml": ("[policy.talent_card]\nbugdet = 1\n", "policy.talent_card.bugdet", "unknown field"),
        "type.toml": ('end_year = "soon"\n', "end_year", "valid integer"),
        "range.toml": ("end_year = 2050\n", "end_year", "less than or equal to 2035"),
        "base.toml": ('base = "nowhere.toml"\n', "base", "not found"),
    }
    for name, (text, field, problem) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as exc:
            load_scenario(path)
        assert exc.value.source == str(path)
        assert exc.value.field == field, name
        assert problem in exc.value.problem, name
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")
