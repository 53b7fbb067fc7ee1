"""The district's exogenous paths: GDP, its real growth, the price level and the population, by year.

They come from the facts (realised to 2024, a growth rate after); real GDP growth is the trend of
firms' sales (:mod:`~innosim.model.production`). A realised scenario changes them through the facts
and the growth parameters, never through the firms.
"""

from __future__ import annotations

from typing import NamedTuple

from innosim.facts import FactBook
from innosim.parameters import Parameters
from innosim.timeline import PLAN_13, PLAN_START, START_YEAR

REALISED_GDP_YEAR = 2024
"""Last year of GDP in the facts file; real growth after it is the ``gdp_growth`` parameter."""
REALISED_PRICE_YEAR = 2024
"""Last year of realised consumer prices in the facts file; after it prices rise at ``price_growth``."""


class MacroPaths(NamedTuple):
    """The district's exogenous paths by year (:func:`macro_paths`)."""

    gdp: dict[int, float]
    """District GDP (亿元, nominal)."""
    real_growth: dict[int, float]
    """Real GDP growth: the trend of firms' sales."""
    prices: dict[int, float]
    """Price level, 2015 = 1: realised consumer prices to :data:`REALISED_PRICE_YEAR`, then ``price_growth``."""
    population: dict[int, float]
    """Resident population."""


def _geometric(known: dict[int, float], end_year: int, factor: float) -> dict[int, float]:
    """A yearly path through the ``known`` values (interpolated geometrically between them),
    multiplied by ``factor`` a year after the last, to ``end_year``."""
    years = sorted(known)
    path = {}
    for y0, y1 in zip(years[:-1], years[1:]):
        rate = (known[y1] / known[y0]) ** (1 / (y1 - y0))
        path.update({y: known[y0] * rate ** (y - y0) for y in range(y0, y1)})
    last = years[-1]
    path.update({y: known[last] * factor ** (y - last) for y in range(last, end_year + 1)})
    return path


def _realised(facts: FactBook, fact_id: str, years: range) -> dict[int, float]:
    """The facts ``fact_id`` of ``years`` that the data file holds (observed, not targets)."""
    found = {y: facts.find(fact_id, y) for y in years}
    return {y: f.value for y, f in found.items() if f is not None and f.kind != "target"}


def macro_paths(facts: FactBook, p: Parameters, end_year: int) -> MacroPaths:
    """District GDP (亿元, nominal), its real growth, the price level and the population, by year.

    GDP is interpolated geometrically between the facts of 2015, 2020 and 2024, then grows
    at the real ``gdp_growth`` times the price level. Real growth, the trend of firms'
    sales (:mod:`~innosim.model.production`), is the 13th-plan average for 2016-2020, the
    district's reported yearly growth for 2021-2024 (the 2024 level carries a census
    revision, so its nominal path is not used), and ``gdp_growth`` after. The price level
    compounds the realised consumer-price rises of 2016-2024 (``cpi_growth``: Guangzhou's,
    else Guangdong's, else China's, the nearest found), then ``price_growth``. Population:
    geometric between the facts of 2015-2024 (2015, the 2020 census, 2021), then
    ``population_growth``.
    """
    gdp_known = {y: facts.value("gdp", y) for y in (START_YEAR, PLAN_13[1], REALISED_GDP_YEAR)}
    gdp = _geometric(gdp_known, end_year, (1 + p.gdp_growth) * (1 + p.price_growth))
    plan13_real = facts.value("gdp_real_growth", PLAN_13[1])
    growth = {y: plan13_real for y in range(START_YEAR + 1, PLAN_START)}
    growth.update({y: facts.value("gdp_real_growth", y) for y in range(PLAN_START, REALISED_GDP_YEAR + 1)})
    growth.update({y: p.gdp_growth for y in range(REALISED_GDP_YEAR + 1, end_year + 1)})
    price = {START_YEAR: 1.0}
    for y in range(START_YEAR + 1, end_year + 1):
        rise = facts.value("cpi_growth", y) if y <= REALISED_PRICE_YEAR else p.price_growth
        price[y] = price[y - 1] * (1 + rise)
    people = _realised(facts, "population", range(START_YEAR, REALISED_GDP_YEAR + 1))
    population = _geometric(people, end_year, 1 + p.population_growth)
    return MacroPaths(gdp, growth, price, population)
