"""Process 9 (yearly, Q4): carriers, R&D institutions, technology contracts and S&T services.

Carriers are paid their operating subsidy; new maker spaces and incubators open at rates
the build subsidy raises (relative to the 13th-plan subsidy); the district converts old
industrial parks into incubators while its budget lasts; carriers close at a small rate.
Institutions are recognised as provincial new-type R&D institutions. The registered share
of R&D in technology contracts rises during Guangdong's 2016-2020 registration push and holds
at its 2020 value after (the push is not extrapolated past the years that fitted it), and S&T-services
demand follows the growth of their clients' R&D: the district's R&D outside the S&T-services
sector (their own R&D is not demand for their services; counting it made the demand feed
on itself, with a loop gain above one at the edges of the priors).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from innosim.model import network
from innosim.model import structure as st
from innosim.model.agents import IncubationCarrier
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.maths import logit, sigmoid
from innosim.timeline import FIRST_YEAR, PLAN_13, START_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel

AREAS = {"maker_space": C.maker_space_area, "incubator": C.incubator_area, "accelerator": C.accelerator_area}
"""Floor area (万m2) of a new carrier by kind."""


def evolve_carriers_and_institutions(model: InnovationModel) -> None:
    """Yearly: carriers open where subsidy makes them pay, or are built by policy; some close;
    institutions are recognised; contracts and S&T services evolve."""
    p, gov, rng, year = model.p, model.government, model.stream("carriers"), model.year
    lever = gov.lever("incubation")
    for _ in model.carriers:  # operating subsidies
        gov.pay("incubation", lever.operating_subsidy)
    base = gov.lever("incubation", FIRST_YEAR)
    for kind, rate, sub, sub0 in (
        ("maker_space", p.maker_space_rate, lever.build_subsidy_maker_space, base.build_subsidy_maker_space),
        ("incubator", p.incubator_rate, lever.build_subsidy_incubator, base.build_subsidy_incubator),
    ):
        lam = rate * (1 + p.subsidy_response * sub * C.million_unit) / (1 + p.subsidy_response * sub0 * C.million_unit)
        for _ in range(int(rng.poisson(lam))):
            gov.pay("incubation", sub)
            k = "accelerator" if kind == "incubator" and rng.random() < C.accelerator_share else kind
            open_carrier(model, k, "private", year)
    for _ in range(gov.affordable("incubation", lever.conversion_cost)):  # old parks converted
        gov.pay("incubation", lever.conversion_cost)
        open_carrier(model, "incubator", "government", year)
    for c in model.carriers:
        c.close_or_stay(rng, p.carrier_closure, year)
    for inst in model.institutions:  # provincial recognition of new-type R&D institutions
        inst.develop(rng, p)
    # technology contracts: registered share of R&D rises through the 2016-2020 push, then holds
    push_years = min(year, PLAN_13[1]) - START_YEAR
    registered = float(sigmoid(logit(model.contract_registration_2015) + p.contract_registration_growth * push_years))
    model.set_flow("tech_contract_turnover", registered * contract_turnover_per_share(model))
    # S&T services grow with their clients' R&D (demand for services), next year
    rd_now = client_rd(model)
    model.st_growth = p.st_services_elasticity * (math.log(rd_now / model.rd_last_year) - model.real_growth[year])
    model.rd_last_year = rd_now


def contract_turnover_per_share(model: InnovationModel) -> float:
    """Technology-contract turnover (亿元 a year, nominal) were all of the firms' R&D registered:
    ``contract_multiplier`` × (firm R&D + ``link_effect`` × the R&D of firms linked to an institution)."""
    p, fi = model.p, model.firms
    rd = fi.rd * fi.alive
    linked_rd = rd[network.linked(model)].sum()
    return p.contract_multiplier * (rd.sum() + p.link_effect * linked_rd) / WAN_PER_YI / model.scale * model.price_level


def client_rd(model: InnovationModel) -> float:
    """R&D of the S&T-services sector's clients (亿元 a year): institutions and the firms of other sectors."""
    fi = model.firms
    clients = fi.alive & (fi.sector != st.ST_SERVICES)
    return float((fi.rd_reported * clients).sum()) / WAN_PER_YI / model.scale + model.institution_rd()


def open_carrier(
    model: InnovationModel, kind: str, operator: str, year: int, area: float | None = None
) -> IncubationCarrier:
    """Open a carrier of ``kind`` (its tenant places scaled with the sampled population)."""
    factor = C.maker_space_capacity_factor if kind == "maker_space" else 1.0
    capacity = model.p.carrier_capacity * factor * model.scale
    return IncubationCarrier(model, kind, capacity, area if area is not None else AREAS[kind], operator, year)
