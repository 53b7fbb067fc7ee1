"""Process 1: the government opens its calls (Q1) and pays out within each lever's budget.

R&D project grants are competitive: firms apply, the call ranks them by merit (knowledge
with noise) and approves the call's share, paying until the budget runs out. The HTE
cultivation pool takes the non-HTE firms closest to the R&D threshold; talent cards go to
high-level talent, holders first; 产学研 links form (:mod:`~innosim.model.network`); new-type
R&D institutions are supported and founded (their set-up cost paid in instalments); innovation teams arrive and found firms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from innosim.model import demography, network
from innosim.model import structure as st
from innosim.model.agents import INSTITUTION_NAMES, RdInstitution
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.rd import rd_criterion

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def open_calls(model: InnovationModel) -> None:
    """Calls open in Q1: project grants, HTE cultivation pool, talent cards, links, institutions, teams."""
    if model.quarter != 1:
        return
    gov, fi, rng, year = model.government, model.firms, model.stream("calls"), model.year
    # R&D project grants
    lever = gov.lever("rd_subsidy")
    fi.grant = 0.0
    applicants = np.flatnonzero(fi.alive & (fi.rd > 0) & (rng.random(fi.n) < lever.application_rate))
    merit = np.log1p(fi.knowledge[applicants]) + rng.normal(0.0, C.grant_merit_noise, len(applicants))
    n_approved = int(round(len(applicants) * lever.approval_rate))
    approved = applicants[np.argsort(-merit, kind="stable")[:n_approved]]
    ask = np.minimum(lever.grant_share * fi.rd[approved], lever.max_grant * WAN_PER_YI) / WAN_PER_YI
    fi.grant[approved] = gov.pay_each("rd_subsidy", ask) * WAN_PER_YI
    # HTE cultivation pool: the non-HTE firms closest to the R&D threshold
    lever = gov.lever("hte_reward")
    fi.pool = False
    cand = np.flatnonzero(fi.alive & ~fi.hte & (fi.rd > 0))
    closeness = (
        fi.rd[cand]
        / np.maximum(fi.revenue[cand], 1.0)
        / rd_criterion(model, fi.revenue[cand] * model.price_level, year)
    )
    closeness *= fi.hightech_share[cand]
    n_pool = min(model.sampled(lever.pool_size, rng), len(cand))
    pool = cand[np.argsort(-closeness, kind="stable")[:n_pool]]
    paid = gov.pay_each("hte_reward", np.full(len(pool), lever.pool_grant))
    fi.pool[pool[paid > 0]] = True
    # Talent cards for high-level talent, holders first
    lever = gov.lever("talent_card")
    ta = model.talent
    n_cards = min(
        int(gov.remaining("talent_card") / lever.cost_per_card * model.scale), int((ta.alive & (ta.level < 2)).sum())
    )
    holders = np.flatnonzero(ta.alive & ta.card)
    others = np.flatnonzero(ta.alive & ~ta.card & (ta.level < 2))
    others = others[rng.permutation(len(others))]
    ta.card = False
    chosen = np.concatenate([holders, others])[:n_cards]
    ta.card[chosen] = True
    gov.pay("talent_card", len(chosen) * lever.cost_per_card / model.scale)
    network.form_links(model)  # 产学研 links: funded ones continue, new funded and searched links form
    # R&D institutions: the set-up cost is paid in yearly instalments, owed instalments first;
    # then existing new-type institutions are supported; what remains starts new ones
    lever = gov.lever("rd_institutions")
    instalment = lever.setup_cost / C.setup_instalments
    gov.pay("rd_institutions", instalment * len(model.setup_due))
    model.setup_due = [n - 1 for n in model.setup_due if n > 1]
    for inst in model.institutions:
        inst.supported = inst.kind == "new_type" and gov.pay("rd_institutions", lever.operating_support) > 0
    for _ in range(gov.affordable("rd_institutions", instalment)):
        gov.pay("rd_institutions", instalment)
        model.setup_due.append(C.setup_instalments - 1)
        zone = int(rng.choice(len(st.ZONES), p=st.ZONE_WEIGHTS))
        founded = sum(1 for i in model.institutions if i.kind == "new_type")
        names = INSTITUTION_NAMES["new_type"]
        name = names[founded] if founded < len(names) else ""
        RdInstitution(model, "new_type", zone, C.new_institution_capacity, year, name)
    # High-value patent projects (高价值专利培育): the firms with the most knowledge, as far as
    # the IP budget goes after the grant subsidies it expects to pay this year
    lever = gov.lever("ip_awards")
    fi.ip_project = False
    if lever.cost_per_project > 0:
        room = gov.remaining("ip_awards") - (model.year < st.PATENT_GRANT_SUBSIDY_END) * lever.subsidy_per_patent * (
            model.year_flow_last("invention_patents_granted")
        )
        n_projects = min(max(int(room / lever.cost_per_project * model.scale), 0), int(fi.alive.sum()))
        cand = np.flatnonzero(fi.alive & (fi.rd > 0))
        chosen = cand[np.argsort(-fi.knowledge[cand], kind="stable")[:n_projects]]
        paid = gov.pay_each("ip_awards", np.full(len(chosen), lever.cost_per_project))
        fi.ip_project[chosen[paid >= lever.cost_per_project * (1 - 1e-9)]] = True
    # Innovation teams arrive during the year
    lever = gov.lever("innovation_teams")
    n_teams = gov.affordable("innovation_teams", lever.cost_per_team)
    gov.pay("innovation_teams", n_teams * lever.cost_per_team)
    model.add_flow("innovation_teams", n_teams)
    if n_teams:
        _arrive_teams(model, n_teams, lever.team_size)


def _arrive_teams(model: InnovationModel, n_teams: int, team_size: int) -> None:
    """Each team founds a firm in an emerging sector and brings its researchers."""
    rng = model.stream("calls")
    founders = sum(model.sampled(1, rng) for _ in range(n_teams))
    if not founders:
        return
    emerging = np.flatnonzero(st.EMERGING)
    sector = rng.choice(emerging, size=founders)
    rows = demography.add_firms(model, founders, sector=sector)
    fi = model.firms
    fi.team[rows] = True
    fi.knowledge[rows] = C.team_knowledge
    fi.rd_propensity[rows] = C.team_rd_propensity
    fi.revenue[rows] = C.team_revenue
    fi.rd[rows] = C.team_rd
    fi.hightech_share[rows] = C.team_hightech_share
    levels = np.tile([0] + [1] * (team_size - 1), founders).astype(np.int8)
    employers = np.repeat(np.arange(rows.start, rows.stop), team_size)
    model.talent.add(len(levels), level=levels, employer=employers, arrived=model.t)
