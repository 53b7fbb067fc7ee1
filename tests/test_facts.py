"""The facts file: schema, sources, and the plan's own arithmetic."""

import math

import pytest

import innosim
from innosim import INDICATORS, InputError, load_facts
from innosim.facts import default_facts


@pytest.fixture(scope="module")
def facts():
    return default_facts()


def test_every_fact_has_source_and_method_where_needed(facts):
    for f in facts.fact:
        assert f.source.strip(), f.id
        if f.kind in ("derived", "estimated"):
            assert f.method and f.method.strip(), f"{f.id}@{f.year} lacks a method"


def test_plan_arithmetic(facts):
    v = facts.value
    # above-scale industrial output that the firms must add up to
    assert v("above_scale_industrial_output", 2020) == pytest.approx(523.47 / 0.431, abs=0.01)
    assert v("hightech_output", 2020) / v("above_scale_industrial_output", 2020) == pytest.approx(0.431, abs=1e-4)
    assert v("incubators", 2015) == 24 - 14
    assert v("maker_spaces", 2015) == 25 - 25
    assert v("incubation_area", 2015) == pytest.approx(59.36 - 24.05)
    assert v("incubation_carriers", 2020) == v("incubators", 2020) + v("maker_spaces", 2020)
    assert v("hte_count", 2015) == round(v("hte_count", 2020) / 9)
    assert v("engineering_centres", 2015) == 87 - 42
    assert v("rd_expenditure", 2020) == pytest.approx(v("rd_intensity", 2020) * v("gdp", 2020), abs=0.01)
    assert v("rd_expenditure", 2015) == pytest.approx(v("rd_intensity", 2015) * v("gdp", 2015), abs=0.01)
    deflator_2016 = 19610.94 / 18100.41 / 1.082  # Guangzhou's; 2016's GDP goes back a year
    assert v("gdp", 2015) == pytest.approx(1640.8 / 1.076 / deflator_2016, abs=0.1)
    assert v("tech_contract_turnover", 2015) == pytest.approx(70.14 / 53, abs=0.005)
    assert v("invention_patents_per_10k", 2020) == pytest.approx(
        v("valid_invention_patents", 2020) / v("population", 2020) * 1e4, abs=0.05
    )
    assert v("incubators", 2025) + v("maker_spaces", 2025) == v("incubation_carriers", 2025)
    approved = v("provincial_projects_approved", 2020) + v("municipal_projects_approved", 2020)
    applied = v("provincial_projects_applied", 2020) + v("municipal_projects_applied", 2020)
    assert innosim.default_scenario().policy.rd_subsidy.approval_rate == pytest.approx(approved / applied, abs=0.002)


def test_targets_are_2025_and_flagged(facts):
    targets = [f for f in facts.fact if f.kind == "target"]
    assert {f.id for f in targets} >= {
        "above_scale_hte_share",
        "hightech_output_share",
        "provincial_new_rd_institutions",
        "incubation_carriers",
        "invention_patents_per_10k",
        "patent_grants",
        "innovation_teams",
        "rd_expenditure",
        "listed_hte",
        "st_services_revenue",
    }
    assert all(f.year == 2025 for f in targets)
    assert facts.get("patent_grants", 2025).period == "2021-2025"


def test_indicators_reference_existing_facts():
    for ind in INDICATORS.values():
        for value in (ind.fact(2020), ind.target()):
            assert value is None or math.isfinite(value)
    assert INDICATORS["hte_count"].fact(2020) == 1046
    assert INDICATORS["rd_expenditure"].target() == 70


def test_bad_facts_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_facts(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[meta]\nx = "y"\n[[fact]]\nid = "a"\nyear = 2020\nvalue = 1\nunit = "u"\nkind = "derived"\n'
        'confidence = "high"\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="method"):
        load_facts(bad)


def test_a_duplicate_fact_is_named_without_quoting_the_file(tmp_path):
    """A check on the whole file (a fact given twice) names the fact; it does not quote every fact in the
    file back (the refused value of such a check is the whole table, tens of kilobytes for the real file)."""
    fact = (
        '[[fact]]\nid = "a"\nyear = 2020\nvalue = 1\nunit = "u"\nkind = "observed"\nconfidence = "high"\nsource = "s"\n'
    )
    bad = tmp_path / "twice.toml"
    bad.write_text('[meta]\nx = "y"\n' + fact + fact, encoding="utf-8")
    with pytest.raises(InputError, match="duplicate fact a@2020") as info:
        load_facts(bad)
    assert "twice.toml" in str(info.value)
    assert "source" not in str(info.value) and len(str(info.value)) < 300


def test_model_docs_tables_are_current():
    from conftest import ROOT
    from innosim.docs import render

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert render(text) == text, "run: python -m innosim.docs docs/model.md"
