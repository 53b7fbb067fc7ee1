"""Process 2: the talent market. S&T personnel leave, arrive for open posts, and are matched.

Departures follow a yearly hazard around ``talent_departure`` that moves with housing cost
relative to wages (Song & Wu 2020's cross-city coefficient, applied to the wage-deflated
price level, so a price path that only keeps up with wages changes nothing) and is lower for
talent-card holders; it is held inside the range reported for Chinese cities
(:data:`~innosim.model.constants.Constants.talent_hazard_range`). Arrivals fill part of the
open R&D posts each quarter, and the share of high-level arrivals rises with card coverage.
A firm's S&T posts are its R&D over the cost of an S&T person (rising with wages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.timeline import START_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def departure_hazard(model: InnovationModel, card: np.ndarray) -> np.ndarray:
    """Yearly departure hazard of S&T personnel (card holders or not), inside the sourced range.

    References:
        宋弘、吴茂华 (2020), 金融研究 2020(3): 77-95: a graduate's probability of leaving a city
        rises by 3.14% per 1,000 yuan/m2 of housing price (read here as a relative change).
    """
    p = model.p
    years = model.t - START_YEAR
    real_price = p.housing_price_2015 * ((1 + p.housing_price_growth) / (1 + p.wage_growth)) ** years
    base = p.talent_departure * (1 + p.housing_sensitivity * (real_price - p.housing_price_2015))
    hazard = np.where(card, base * (1 - p.card_retention_effect), base)
    return np.clip(hazard, *C.talent_hazard_range)


def talent_market(model: InnovationModel) -> None:
    """Departures (housing cost, card retention), arrivals for vacancies, matching."""
    p, ta, rng = model.p, model.talent, model.stream("talent")
    hazard = departure_hazard(model, ta.card)
    leave = ta.alive & (rng.random(ta.n) < 1 - (1 - hazard) ** 0.25)
    ta.alive[leave] = False
    ta.employer[leave] = -1
    # Arrivals: the labour market fills a share of the open posts a quarter; high-level
    # arrivals rise with card coverage.
    need = desired_staff(model)
    staff = staff_counts(model)
    vacancies = int(np.maximum(need - staff, 0).sum())
    unemployed = np.flatnonzero(ta.alive & (ta.employer < 0))
    n_arrive = int(rng.poisson(max(vacancies - len(unemployed), 0) * p.vacancy_fill_rate))
    high_level = ta.alive & (ta.level < 2)
    coverage = (ta.card & high_level).sum() / max(int(high_level.sum()), 1)
    shares = st.TALENT_LEVEL_SHARES * np.array([1 + p.card_attraction * coverage] * 2 + [1.0])
    level = rng.choice(3, size=n_arrive, p=shares / shares.sum()).astype(np.int8)
    model.talent.add(n_arrive, level=level, arrived=model.t)
    ta = model.talent
    fill_vacancies(model, np.flatnonzero(ta.alive & (ta.employer < 0)), need)


def desired_staff(model: InnovationModel) -> np.ndarray:
    """S&T posts per firm: R&D over the cost per person (rising with wages), rounded, at least
    one in a firm that does R&D."""
    fi = model.firms
    posts = np.rint(fi.rd / model.rd_cost_per_staff())
    # a firm that does R&D has at least one S&T person (the HTE staff criterion counts heads)
    return np.where(fi.alive & (fi.rd > 0), np.maximum(posts, 1.0), 0.0).astype(np.int64)


def staff_counts(model: InnovationModel, mask: np.ndarray | None = None) -> np.ndarray:
    """S&T personnel employed by each firm row (optionally only those in ``mask``)."""
    ta = model.talent
    employed = ta.alive & (ta.employer >= 0)
    if mask is not None:
        employed &= mask
    return np.bincount(ta.employer[employed], minlength=model.firms.n)[: model.firms.n]


def fill_vacancies(model: InnovationModel, talent_rows: np.ndarray, need: np.ndarray) -> None:
    """Assign the given talent rows to random open S&T posts (need - staff per firm)."""
    fi, ta = model.firms, model.talent
    staff = staff_counts(model)
    vac = np.maximum(need - staff, 0)
    slots = np.repeat(np.arange(fi.n), vac)
    if len(slots) == 0 or len(talent_rows) == 0:
        fi.staff = staff
        return
    k = min(len(slots), len(talent_rows))
    chosen = model.stream("talent").choice(len(slots), size=k, replace=False)
    takers = talent_rows[model.stream("talent").permutation(len(talent_rows))[:k]]
    ta.employer[takers] = slots[chosen]
    fi.staff = staff_counts(model)
