"""The mechanisms a referee checks (issue "Mechanisms a referee would accept").

- the HTE programme raises reported R&D: switching off the tax benefit and the reward
  lowers district R&D and the number of HTE (paired, same seeds);
- firms bunch just above the R&D-intensity criterion;
- every lever's budget binds: four times the plan's budget raises spending and moves an
  indicator (paired z > 2), or leaves spending unchanged for a documented reason;
- the talent departure hazard stays inside its sourced range in every shipped scenario.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS
from innosim import INDICATORS, LEVERS, InnovationModel, load_scenario, simulate
from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.talent import departure_hazard


def _run_2025(seed: int, **keywords: float) -> dict[str, float]:
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=seed, **keywords)
    return model.run().records[2025]


def test_the_hte_programme_raises_reported_rd(monkeypatch):
    """Full size, 16 paired seeds, 2025: with the 15% rate and the reward switched off from
    2021 (the certificates of 2016-2020 expire by 2023 and are not renewed), district R&D is
    lower (one-sided paired z > 2) and there are no HTE."""
    seeds = range(1, 17)
    on = [_run_2025(s) for s in seeds]
    monkeypatch.setattr(st, "CIT_RATE_HTE", st.CIT_RATE)  # certification saves no tax
    off = [_run_2025(s, hte_reward_reward=0.0) for s in seeds]
    for iid in ("rd_expenditure", "hte_count"):
        diff = np.array([a[iid] - b[iid] for a, b in zip(on, off, strict=True)])
        z = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
        assert z > 2, f"{iid}: programme on minus off = {diff} (paired z {z:.2f})"


def test_firms_bunch_just_above_the_rd_criterion():
    model = InnovationModel(load_scenario(SCENARIOS / "baseline.toml"), rng=1, scale=0.5).run(2020)
    fi = model.firms
    sales3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3
    ratio = (fi.rd_y1 + fi.rd_y2 + fi.rd_y3) / np.maximum(sales3, 1.0)
    ratio = ratio / st.hte_rd_threshold(fi.sales_y1 * model.price_level, 2020)
    live = fi.alive & (fi.rd_y1 > 0)
    below = int((live & (ratio >= 0.9) & (ratio < 1.0)).sum())
    above = int((live & (ratio >= 1.0) & (ratio < 1.1)).sum())
    assert above > 1.5 * below, f"firms within 10% above the criterion {above}, within 10% below {below}"


UNBINDING: dict[str, str] = {
    "rd_subsidy": "the plan's 2.6亿 already funds every project the call approves (the 13th-plan approval "
    "rate of 26.5%, each grant a share of the firm's R&D up to a cap): more money needs a higher approval rate "
    "or grant share",
    "listing_support": "the reserve holds only the HTE above the listing size, a few dozen firms, all supported "
    "at the plan's budget",
}
"""Levers whose budget does not bind at four times the plan's, with the reason (docs/model.md, 4.1)."""


@pytest.fixture(scope="module")
def plan_runs():
    plan = load_scenario(SCENARIOS / "plan.toml")  # full size: small lever effects need it
    return plan, simulate(plan, seed=5, replicates=8, workers=0)


def _at(table, iid, year=2025):
    rows = table[(table.indicator == iid) & (table.year == year)].sort_values("replicate")
    return rows["value"].to_numpy()


def _spent(table, lid):
    rows = table[(table.indicator == f"spending_{lid}") & (table.year >= 2021)]
    return rows.groupby("replicate")["value"].sum().to_numpy()


@pytest.mark.parametrize("lid", list(LEVERS))
def test_four_times_the_budget_binds_and_acts(plan_runs, lid):
    plan, base = plan_runs
    budget = getattr(plan.policy, lid).budget
    table = simulate(plan.with_overrides({f"policy.{lid}.budget": 4 * budget}), seed=5, replicates=8, workers=0)
    ratio = _spent(table, lid).mean() / _spent(base, lid).mean()
    if lid in UNBINDING:
        assert ratio < 1.2, f"{lid}: spending x{ratio:.2f}; it binds after all, drop it from UNBINDING"
        return
    assert ratio >= 1.2, f"{lid}: spending only x{ratio:.2f} at four times the budget"
    moved = {}
    for iid in INDICATORS:
        if iid.startswith("spending_"):
            continue
        diff = _at(table, iid) - _at(base, iid)
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        moved[iid] = abs(diff.mean()) / se if se > 0 else (np.inf if diff.mean() != 0 else 0.0)
    best = max(moved, key=moved.get)
    assert moved[best] > 2, f"{lid}: largest paired z is {moved[best]:.2f} ({best})"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_talent_departure_hazard_stays_in_its_sourced_range(path):
    lo, hi = C.talent_hazard_range
    model = InnovationModel(load_scenario(path), rng=1, scale=0.05)
    while not model.finished:
        model.step()
        for card in (False, True):
            h = departure_hazard(model, np.array([card]))[0]
            assert lo <= h <= hi, (model.year, card, h)
