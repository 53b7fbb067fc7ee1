"""Property tests over random valid scenarios (hypothesis)."""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innosim import LEVERS, InnovationModel, default_scenario

COUNT_INDICATORS = (
    "hte_count",
    "incubators",
    "maker_spaces",
    "incubation_carriers",
    "listed_hte",
    "tech_sme_count",
    "innovation_teams",
    "provincial_new_rd_institutions",
    "firms",
    "st_personnel",
)

budgets = st.fixed_dictionaries({f"policy.{lid}.budget": st.floats(0.0, 5.0) for lid in LEVERS})
behaviour = st.fixed_dictionaries(
    {
        "parameters.grant_pass_through": st.floats(0.0, 2.0),
        "parameters.exit_hazard_scale": st.floats(0.0, 3.0),
        "parameters.entry_rate": st.floats(0.0, 0.5),
        "parameters.talent_departure": st.floats(0.0, 0.5),
        "parameters.patent_elasticity": st.floats(0.1, 1.5),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budgets=budgets, behaviour=behaviour, seed=st.integers(0, 2**32 - 1))
def test_invariants(budgets, behaviour, seed):
    scn = default_scenario().with_overrides({**budgets, **behaviour, "scale": 0.04, "end_year": 2023})
    model = InnovationModel(scn, rng=seed).run()
    for year, values in model.records.items():
        for iid, value in values.items():
            assert not math.isnan(value) and math.isfinite(value), (year, iid)
        for iid in COUNT_INDICATORS:
            assert values[iid] >= 0, (year, iid)
        for lid in LEVERS:
            budget = model.government.lever(lid, year).budget
            assert values[f"spending_{lid}"] <= budget + 1e-9, (year, lid)
        # firm accounting: entries minus exits equals the change in live firms
        change = model.alive_firms[year] - model.alive_firms[year - 1]
        assert model.entries.get(year, 0) - model.exits.get(year, 0) == change, year
    assert (model.firms.revenue >= 0).all() and (model.firms.patents >= 0).all()
