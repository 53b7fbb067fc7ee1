"""Process 8: demography. Firms exit, start up, and graduate from carriers.

Exits follow the SAIC age-specific hazard, lower for carrier tenants, funded firms and
large or listed firms. Start-ups come from the firm population and from high-level
talent; R&D-active start-ups take free places in carriers. Tenants graduate after the
incubation term.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.maths import sigmoid

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def demography(model: InnovationModel) -> None:
    """Exits by the SAIC age hazard (lower for tenants and funded firms); start-ups from
    the firm population, high-level talent and incubators; tenants graduate.

    References:
        SAIC (2013) 全国内资企业生存时间分析报告; Lukeš, Longo & Zouhar (2019) Technovation.
    """
    p, fi, rng, year = model.p, model.firms, model.stream("demography"), model.year
    age = model.firm_age()
    h = st.exit_hazard(age) * p.exit_hazard_scale
    h = np.where(fi.tenant >= 0, h * (1 - p.incubator_survival_effect), h)
    h = np.where(fi.funded_until >= model.t, h * (1 - p.funding_survival_effect), h)
    h = np.where(fi.listed | (fi.revenue > p.large_firm_revenue), h * p.large_firm_hazard_factor, h)
    die = fi.alive & (model.firm_uniform("demography") < 1 - (1 - h) ** 0.25)
    fi.alive[die] = False
    fi.tenant[die] = -1
    fi.hte[die] = False
    fi.tech_sme[die] = False
    ta = model.talent
    ta.employer[np.isin(ta.employer, np.flatnonzero(die))] = -1
    model.exits[year] = model.exits.get(year, 0) + int(die.sum())
    # entries
    n_alive = int(fi.alive.sum())
    high_level = int((ta.alive & (ta.level < 2)).sum())
    n_new = int(rng.poisson(p.entry_rate * n_alive / 4 + p.talent_startup_rate * high_level / 4))
    if n_new:
        add_firms(model, n_new, sector=rng.choice(len(st.SECTORS), size=n_new, p=st.ENTRANT_WEIGHTS))
    fi = model.firms
    # graduation
    grad = (fi.tenant >= 0) & (model.t - fi.tenant_since >= p.incubation_years)
    fi.tenant[grad] = -1


def add_firms(model: InnovationModel, n: int, sector: np.ndarray) -> slice:
    """Start-ups: small, young, some admitted to carriers with free places; returns their rows."""
    rng = model.stream("demography")
    industrial = rng.random(n) < st.SECTOR_INDUSTRIAL[sector]
    revenue = np.exp(rng.normal(math.log(C.entrant_revenue_median), C.entrant_revenue_sigma, n))
    draw = rng.random(n)
    active = draw < rd_active_probability(
        sector, revenue, industrial, model.rd_active_shift, model.p.rd_active_size_slope, C.entrant_rd_active_factor
    )
    rd_prop = np.where(
        active,
        st.SECTOR_RD_MEDIAN[sector]
        * model.p.rd_intensity_scale
        * model.group_rd_scale[1]
        * C.entrant_rd_median_factor
        * np.exp(rng.normal(0.0, C.rd_intensity_sigma, n)),
        0.0,
    )
    rd_prop = np.minimum(rd_prop, C.rd_intensity_max)
    uid = model.next_uid + np.arange(n, dtype=np.uint64)
    model.next_uid += np.uint64(n)
    rows = model.firms.add(
        n,
        uid=uid,
        sector=sector,
        zone=rng.choice(len(st.ZONES), size=n, p=st.ZONE_WEIGHTS),
        industrial=industrial,
        birth=model.t - rng.random(n) / 4,
        revenue=revenue,
        rev_per_employee=C.entrant_revenue_per_employee * np.exp(rng.normal(0.0, C.revenue_per_employee_sigma, n)),
        rd_propensity=rd_prop,
        rd=revenue * rd_prop,
        rd_reported=revenue * rd_prop,
        hightech_share=np.where(active, rng.uniform(*C.entrant_hightech_share, n), 0.0),
        knowledge=revenue * rd_prop,
        rd_start_draw=draw,
    )
    model.entries[model.year] = model.entries.get(model.year, 0) + n
    _admit_tenants(model, rows)
    return rows


def rd_active_probability(
    sector: np.ndarray,
    revenue: np.ndarray,
    industrial: np.ndarray,
    shift: float | np.ndarray,
    slope: float,
    odds: float = 1.0,
) -> np.ndarray:
    """Probability that a firm does R&D: its sector's share, rising with size (``slope``, the
    parameter ``rd_active_size_slope``, on log revenue against the sector type's median), shifted
    by ``shift`` on the logit scale (the model's ``rd_active_shift``, fitted to 2015 business R&D),
    times ``odds`` on the odds scale."""
    median = np.where(industrial, C.revenue_median_industrial, C.revenue_median_other)
    size = np.log(np.maximum(revenue, 1e-9) / median)
    return sigmoid(st.SECTOR_RD_ACTIVE_LOGIT[sector] + slope * size + shift + math.log(odds))


def _admit_tenants(model: InnovationModel, rows: slice) -> None:
    """R&D-active firms among ``rows`` take random free places in carriers."""
    fi = model.firms
    carriers = model.carriers
    if not carriers:
        return
    ids = np.array([c.unique_id for c in carriers])
    occupied = np.bincount(np.searchsorted(ids, fi.tenant[fi.tenant >= 0]), minlength=len(carriers))
    free = np.array([c.capacity for c in carriers]) - occupied[: len(carriers)]
    slots = np.repeat(np.arange(len(carriers)), np.maximum(np.floor(free), 0).astype(np.int64))
    new = np.arange(rows.start, rows.stop)
    new = new[fi.rd[new] > 0]
    k = min(len(slots), len(new))
    if k:
        chosen = model.stream("demography").choice(len(slots), size=k, replace=False)
        takers = new[model.stream("demography").permutation(len(new))[:k]]
        fi.tenant[takers] = ids[slots[chosen]]
        fi.tenant_since[takers] = model.t
