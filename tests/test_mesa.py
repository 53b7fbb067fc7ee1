"""innosim as a Mesa user meets it: keywords for every field, mesa.batch_run, the DataCollector,
populations as tables, and the example in Mesa's layout."""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest

import innosim
from conftest import ROOT
from innosim.errors import InputError
from innosim.fields import numeric_fields
from innosim.model.agents import Fund, IncubationCarrier, RdInstitution
from innosim.model.population import Firms, Talent
from innosim.scenario import Scenario, keyword_paths

SMALL = 0.05


@pytest.mark.parametrize("rng_as", ["parameter", "argument"])
def test_batch_run_sweeps_a_lever_and_equals_the_model(rng_as):
    """The issue's call, ``parameters={"talent_card_budget": [...], "rng": [...]}``, and Mesa's documented
    form with ``rng=`` as batch_run's argument, give the runs of InnovationModel with the same values and seeds."""
    parameters = {"talent_card_budget": [0.3, 0.9], "scale": SMALL}
    if rng_as == "parameter":
        results = mesa.batch_run(
            innosim.InnovationModel,
            parameters={**parameters, "rng": [1, 2]},
            max_steps=40,
            number_processes=1,
            display_progress=False,
        )
    else:
        results = mesa.batch_run(
            innosim.InnovationModel,
            parameters=parameters,
            rng=[1, 2],
            max_steps=40,
            number_processes=1,
            display_progress=False,
        )
    table = pd.DataFrame(results).drop_duplicates("RunId")
    assert len(table) == 4 and (table["year"] == 2025).all()
    for row in table.itertuples(index=False):
        seed = row.rng if rng_as == "parameter" else row.seed
        scenario = innosim.default_scenario().with_overrides(
            {"policy.talent_card.budget": row.talent_card_budget, "scale": SMALL}
        )
        expected = innosim.InnovationModel(scenario, rng=seed).run().records[2025]
        got = row._asdict()
        assert {iid: got[iid] for iid in innosim.INDICATORS} == expected
    budgets = table.groupby("talent_card_budget")["spending_talent_card"].mean()
    assert budgets[0.9] > budgets[0.3]  # the lever took effect


def test_datacollector_equals_the_records_for_a_full_run():
    model = innosim.InnovationModel(rng=3, scale=0.1).run()
    frame = model.datacollector.get_model_vars_dataframe().set_index("year")
    assert list(frame.index) == list(range(2016, 2026))
    records = pd.DataFrame(model.records).T
    pd.testing.assert_frame_equal(
        frame[list(innosim.INDICATORS)], records[list(innosim.INDICATORS)], check_names=False, check_index_type=False
    )
    agents = model.datacollector.get_agenttype_vars_dataframe(IncubationCarrier)
    assert set(agents.columns) >= {"kind", "capacity", "opened"}
    last = agents.xs(agents.index.get_level_values("Step").max(), level="Step")
    assert len(last) == model.records[2025]["incubation_carriers"]
    assert len(model.datacollector.get_agenttype_vars_dataframe(RdInstitution)) > 0
    assert len(model.datacollector.get_agenttype_vars_dataframe(Fund)) == 3 * 10


def test_every_field_is_a_keyword_once():
    paths = keyword_paths()
    assert len(paths) == len(numeric_fields(Scenario)) and len(set(paths.values())) == len(paths)
    assert paths["talent_card_budget"] == "policy.talent_card.budget"
    assert paths["rd_cost_per_staff"] == "parameters.rd_cost_per_staff"
    model = innosim.InnovationModel(rng=1, scale=SMALL, rd_cost_per_staff=12.5, incubation_build_subsidy_incubator=0.05)
    assert model.innosim_scenario.parameters.rd_cost_per_staff == 12.5
    assert model.innosim_scenario.policy.incubation.build_subsidy_incubator == 0.05
    assert model.innosim_scenario.fixed == ("parameters.rd_cost_per_staff",)  # a keyword fixes a parameter
    with pytest.raises(InputError, match="did you mean 'talent_card_budget'"):
        innosim.InnovationModel(rng=1, scale=SMALL, talent_card_budgett=1.0)
    with pytest.raises(InputError, match="talent_card_budget"):
        innosim.InnovationModel(rng=1, scale=SMALL, talent_card_budget=-1.0)


def test_mesa_scenario_and_innosim_scenario_are_kept_apart():
    model = innosim.InnovationModel(rng=4, scale=SMALL)
    assert isinstance(model.innosim_scenario, Scenario)
    assert not isinstance(model.scenario, Scenario) and model.scenario.rng == 4  # Mesa's, holding the rng


@pytest.mark.parametrize("population", [Firms, Talent])
def test_populations_read_as_documented_tables(population):
    model = innosim.InnovationModel(rng=5, scale=SMALL).run(2018)
    table = model.firms if population is Firms else model.talent
    frame = table.to_frame()
    assert list(frame.columns) == list(population.columns)
    assert len(frame) == int(table.alive.sum()) and frame["alive"].all()
    assert set(frame.attrs["units"]) == set(population.columns)
    described = population.describe()
    assert list(described["column"]) == list(population.columns) and described["description"].str.len().min() > 3
    if population is Firms:
        assert np.isclose(frame["revenue"].sum(), model.firms.revenue[model.firms.alive].sum())
    column = "revenue" if population is Firms else "arrived"
    frame[column] = -1.0  # a copy: changing it does not change the model
    assert (getattr(table, column) != -1.0).all()
    if population is Talent:
        employed = frame[frame["employer"] >= 0]
        assert employed["employer"].max() < model.firms.n


def test_the_mesa_style_example_runs():
    r = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "mesa_user" / "run.py"), "--scale", "0.02", "--out", "-"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    assert "hte_count" in r.stdout and "batch_run" in r.stdout


def test_the_mesa_style_app_builds_its_page():
    import runpy

    pytest.importorskip("solara")
    namespace = runpy.run_path(str(ROOT / "examples" / "mesa_user" / "app.py"))
    assert namespace["page"] is not None
    assert set(namespace["model_params"]) - {"rng"} <= set(keyword_paths())  # every slider is a keyword
