"""InnovationModel: a Mesa model of Baiyun's innovation system, one step per quarter.

The model holds the state (firms and talent as struct-of-arrays populations, the small
populations as Mesa agents, the macro paths, the flows of the year) and the clock; its
:meth:`~InnovationModel.step` is the ODD schedule of ``docs/model.md``, one line per
process. Each process is a module of :mod:`innosim.model`: a reader looking for how firms
decide R&D opens ``rd.py``.

Every random draw comes from ``self.rng`` (the initial state) or from the per-quarter,
per-process streams keyed off a root drawn from it (:mod:`innosim.model.streams`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

import mesa
import numpy as np

from innosim import allocator
from innosim.facts import FactBook, default_facts
from innosim.indicators import INDICATORS, compute_all
from innosim.model import (
    calls,
    carriers,
    certification,
    demography,
    finance,
    knowledge,
    network,
    production,
    rd,
    talent,
)
from innosim.model import structure as st
from innosim.model.agents import Fund, Government, IncubationCarrier, RdInstitution
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.macro import macro_paths
from innosim.model.population import Firms, Talent
from innosim.model.streams import Streams
from innosim.model.structure import ZONES
from innosim.model.synthesis import synthesise
from innosim.parameters import Parameters
from innosim.scenario import Scenario, default_scenario, history_policy
from innosim.timeline import PLAN_START, QUARTERS, START_YEAR, steps_to


def _indicator(indicator: str, model: InnovationModel) -> float:
    """The model's value of ``indicator`` for its last recorded year (a DataCollector reporter)."""
    return model.records[model.year][indicator]


MODEL_REPORTERS: dict[str, Any] = {"year": "year", **{iid: partial(_indicator, iid) for iid in INDICATORS}}
"""The DataCollector's model-level reporters: the year and every indicator, read from the
values :meth:`InnovationModel.record_indicators` has just computed (no second computation)."""
AGENT_REPORTERS: dict[type, dict[str, str]] = {
    IncubationCarrier: {
        "kind": "kind",
        "capacity": "capacity",
        "area": "area",
        "operator": "operator",
        "opened": "opened",
    },
    RdInstitution: {
        "kind": "kind",
        "zone": "zone",
        "capacity": "capacity",
        "provincial": "provincial",
        "supported": "supported",
    },
    Fund: {
        "kind": "kind",
        "public_capital": "public_capital",
        "private_capital": "private_capital",
        "uninvested": "uninvested",
        "deals": "deals",
    },
}
"""The DataCollector's reporters for the small populations (Mesa agents), by agent type."""


class InnovationModel(mesa.Model):
    """Agent-based model of firms, talent, carriers, funds and R&D institutions.

    A Mesa user's model: ``InnovationModel(rng=1, talent_card_budget=0.9).run()`` builds the
    baseline with one lever changed; every numeric field of the scenario is a keyword
    (:func:`innosim.scenario.keyword_paths`: ``<lever>_<field>``, a parameter's name, ``scale``,
    ``end_year``), so ``mesa.batch_run`` can sweep them; ``model.datacollector`` records every
    indicator at each year end (and the carriers, institutions and funds); ``model.firms`` and
    ``model.talent`` read as tables with ``to_frame()``.

    Args:
        scenario: The innosim scenario (levers from 2021, behavioural parameters). Default:
            the embedded baseline.
        rng: Seed or generator for every random draw (Mesa's ``rng``).
        facts: Baiyun facts used to synthesise the 2015 state and the GDP and
            population paths. Default: the packaged data file.
        seed: Another name for ``rng``. ``mesa.batch_run`` passes its own ``rng`` argument under
            this name when a model accepts ``seed``, so both of its idioms work:
            ``batch_run(InnovationModel, parameters={..., "rng": [1, 2]})`` and
            ``batch_run(InnovationModel, parameters={...}, rng=[1, 2])``.
        stream_roots: Roots of some processes' random streams, in place of the one drawn from
            ``rng`` (:class:`~innosim.model.streams.Streams`): a process's draws then change
            while the synthesis and the other processes keep theirs. For attributing a run's
            noise to its sources (:mod:`innosim.calibration.noise`); a model run normally leaves it out.
        **keywords: Values set on ``scenario`` by keyword (they are then fixed: never drawn
            from a posterior), e.g. ``talent_card_budget=0.9, rd_cost_per_staff=12.0``.

    Attributes:
        innosim_scenario: The innosim scenario the model runs (with the keywords set). Mesa's
            own ``model.scenario`` (its experimental ``Scenario``) holds the ``rng``; the two
            are kept apart (see ``docs/model.md``, "innosim and Mesa").
        datacollector: Mesa's ``DataCollector``: a row per year end with ``year`` and every
            indicator (:data:`~innosim.indicators.INDICATORS`), and rows per carrier,
            institution and fund.
        p: The scenario's behavioural parameters.
        firms: :class:`~innosim.model.population.Firms` table.
        talent: :class:`~innosim.model.population.Talent` table.
        government: The :class:`~innosim.model.agents.Government` agent.
        gdp, real_growth, prices, population: District GDP (亿元), its real growth, the price
            level (2015 = 1) and the resident population, by year.
        records: ``{year: {indicator_id: value}}``, filled at each year end.
        entries, exits: Firm entries and exits per year (sampled population).
        alive_firms: Live firms at each year end (sampled population).

    Examples:
        >>> from innosim import InnovationModel, load_scenario
        >>> model = InnovationModel(load_scenario(), rng=1)
        >>> model.run()
        >>> round(model.records[2020]["hte_count"])  # doctest: +SKIP
    """

    innosim_scenario: Scenario
    facts: FactBook
    p: Parameters
    scale: float
    end_year: int
    government: Government
    streams: Streams
    gdp: dict[int, float]
    """District GDP (亿元, nominal) by year."""
    real_growth: dict[int, float]
    """Real GDP growth of the district by year: the trend of firms' sales."""
    prices: dict[int, float]
    """Price level by year (2015 = 1): realised consumer prices (facts to 2024), then ``price_growth``."""
    population: dict[int, float]
    """Resident population by year."""
    # state set by the synthesis (innosim.model.synthesis) and carried between processes
    firms: Firms
    talent: Talent
    links: network.Links
    """产学研 links between firms and R&D institutions (:mod:`innosim.model.network`)."""
    alive_firms: dict[int, int]
    institution_patents: float
    """Valid invention patents held by universities and institutes (district level)."""
    inst_rd_per_capacity: float
    """Institutions' R&D (亿元 a year) per unit of research capacity."""
    zone_capacity_ref: float
    """Research capacity of an average zone in 2015 (the spill-over reference)."""
    knowledge_before: np.ndarray
    """Firms' knowledge before this quarter's R&D (production reads its growth)."""
    st_growth: float
    """Extra growth of S&T-services revenue from their clients' R&D growth, set yearly."""
    rd_last_year: float
    """The S&T-services sector's clients' R&D at the last year end (亿元 a year, :func:`~innosim.model.carriers.client_rd`)."""
    next_uid: np.uint64
    """Identity of the next entrant."""
    backlog_2015: tuple[int, int]
    """Firms that met every 2015 HTE criterion without a certificate (and for whom it paid),
    and how many of them the synthesis set below the R&D criterion (see ``synthesis``)."""
    rd_active_shift: float
    """Logit shift of the probability of doing R&D of the firms outside above-scale industry,
    fitted to the 2015 R&D of the above-scale ones (synthesis), and applied to entrants too."""
    asi_rd_active_shift: float
    """The same for above-scale industry, fitted to its own 2015 R&D."""
    group_rd_scale: list[float]
    """Factors on the sector median R&D intensities that brought each R&D group's 2015 R&D to
    its fact: above-scale industry, then the other firms (:mod:`~innosim.model.synthesis`);
    entrants and firms that start R&D later (:func:`~innosim.model.rd.start_rd`) take their group's."""
    contract_registration_2015: float
    """Share of the firms' R&D registered in technology contracts in 2015: the share at which the
    district's 2015 turnover (the fact) is met (synthesis), where the 2016-2020 push starts from."""
    setup_due: list[int]
    """Set-up instalments still owed to each new-type R&D institution being founded."""
    hte_reward_paid_share: float
    """Share of the HTE reward paid to last year's new HTE (below 1 when the budget was
    oversubscribed): what applicants expect this year."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        rng: int | np.random.Generator | None = None,
        facts: FactBook | None = None,
        seed: int | None = None,
        stream_roots: Mapping[str, int] | None = None,
        **keywords: Any,
    ) -> None:
        if seed is not None and rng is not None and seed != rng:
            raise ValueError("give rng or seed, not both (seed is rng's other name, for mesa.batch_run)")
        super().__init__(rng=rng if rng is not None else seed)
        allocator.tune()  # runs as fast in a Dask worker as anywhere (innosim.allocator)
        base = scenario if scenario is not None else default_scenario()
        self.innosim_scenario = base.with_keywords("InnovationModel", **keywords)
        self.facts = facts if facts is not None else default_facts()
        self.p = self.innosim_scenario.parameters
        self.scale = self.innosim_scenario.scale
        self.end_year = self.innosim_scenario.end_year
        self.records: dict[int, dict[str, float]] = {}
        self.entries: dict[int, int] = {}
        self.exits: dict[int, int] = {}
        self._flows: dict[str, float] = {}
        self._last_flows: dict[str, float] = {}
        self._period_flows: dict[str, float] = {}
        self.government = Government(self, self.innosim_scenario.policy, history_policy())
        self.streams = Streams(int(self.rng.integers(2**63)), stream_roots)
        self.gdp, self.real_growth, self.prices, self.population = macro_paths(self.facts, self.p, self.end_year)
        self.grant_throughput = knowledge.grant_throughput(self.facts, self.end_year)
        synthesise(self)
        self.datacollector = mesa.DataCollector(model_reporters=MODEL_REPORTERS, agenttype_reporters=AGENT_REPORTERS)

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One quarter, in the order of the ODD schedule."""
        calls.open_calls(self)  # 1. government calls and payouts within budget
        talent.talent_market(self)  # 2. arrivals, departures, matching to R&D vacancies
        rd.decide_rd(self)  # 3. firms' R&D: user cost, grants, finance, talent, notch
        knowledge.produce_knowledge(self)  # 4. knowledge and patents, with spill-overs
        production.produce(self)  # 5. revenue and high-tech product share
        if self.quarter == 4:
            certification.certify(self)  # 6. HTE, tech SME (yearly)
        finance.finance(self)  # 7. VC, guidance fund, tech credit, listing
        demography.demography(self)  # 8. exits, start-ups, graduation
        if self.quarter == 4:
            carriers.evolve_carriers_and_institutions(self)  # 9. carriers, institutions, S&T services
            self.record_indicators()  # 10. indicators (and Mesa's DataCollector)
            self.compact()
        self.running = not self.finished  # Mesa's flag: SolaraViz stops playing at the end

    @property
    def finished(self) -> bool:
        """Whether the model has run to the end of ``end_year``."""
        return self.steps >= steps_to(self.end_year)

    def run(self, until: int | None = None) -> InnovationModel:
        """Run to the end of ``until`` (default ``end_year``); returns the model."""
        n_steps = steps_to(until or self.end_year)
        while self.steps < n_steps and not self.finished:
            self.step()
        return self

    # ------------------------------------------------------------------ clock and random streams
    @property
    def year(self) -> int:
        """Calendar year of the current (or, before the first step, last) quarter."""
        return START_YEAR + (self.steps + 3) // QUARTERS if self.steps else START_YEAR

    @property
    def quarter(self) -> int:
        """Quarter 1-4 of the current step."""
        return (self.steps - 1) % QUARTERS + 1 if self.steps else QUARTERS

    @property
    def t(self) -> float:
        """Time at the end of the current quarter, in years (2016.25 = end of 2016Q1)."""
        return START_YEAR + self.steps / 4.0

    def stream(self, process: str) -> np.random.Generator:
        """The generator of ``process`` for the current quarter (:data:`~innosim.model.streams.PROCESSES`)."""
        return self.streams.get(process, self.steps)

    def firm_uniform(self, process: str) -> np.ndarray:
        """One uniform draw in (0, 1) per firm row, keyed by the firm's identity (see :class:`Streams`)."""
        return self.streams.uniform(self.firms.uid, process, self.steps)

    @property
    def price_level(self) -> float:
        """Price level of the current year (2015 = 1). Firms' money is in 2015 prices; the
        indicators, the facts and the official thresholds (above-scale, HTE sales bands) are
        nominal, and are compared through this deflator."""
        return self.prices[self.year]

    def rd_cost_per_staff(self) -> float:
        """R&D (万元 a year) that keeps one S&T person busy now: it rises with wages."""
        return self.p.rd_cost_per_staff * (1 + self.p.wage_growth) ** (self.t - START_YEAR)

    def employees(self) -> np.ndarray:
        """Employees of every firm row (at least a few): revenue over labour productivity, which
        is the firm's ``rev_per_employee`` at the reference size and rises with size."""
        fi = self.firms
        size = np.maximum(fi.revenue, 1.0) / C.productivity_reference_revenue
        return np.maximum(fi.revenue / (fi.rev_per_employee * size**C.productivity_size_elasticity), C.min_employees)

    def firm_age(self) -> np.ndarray:
        """Age of every firm row in years."""
        return self.t - self.firms.birth

    def sampled(self, district_count: float, rng: np.random.Generator | None = None) -> int:
        """Sampled count for a district count: stochastic rounding of count * scale."""
        x = district_count * self.scale
        base = math.floor(x)
        return base + int((rng or self.rng).random() < x - base)

    # ------------------------------------------------------------------ the small populations
    @property
    def carriers(self) -> list[IncubationCarrier]:
        """Incubation carriers open now."""
        return list(self.agents_by_type.get(IncubationCarrier, []))

    @property
    def institutions(self) -> list[RdInstitution]:
        """R&D institutions."""
        return list(self.agents_by_type.get(RdInstitution, []))

    def fund(self, kind: str) -> Fund:
        """The fund of the given kind."""
        return next(a for a in self.agents_by_type[Fund] if a.kind == kind)

    def link_network(self) -> Any:
        """The 产学研 network in force as a ``networkx`` graph (:func:`innosim.model.network.graph`)."""
        return network.graph(self)

    def institution_capacity(self, zone: int | None = None) -> float:
        """Research capacity of the R&D institutions (of one zone, or all)."""
        return sum(i.capacity for i in self.institutions if zone is None or i.zone == zone)

    def institution_rd(self) -> float:
        """R&D of universities and institutes (亿元 a year), proportional to their capacity."""
        return self.institution_capacity() * self.inst_rd_per_capacity

    def district_rd(self) -> float:
        """District R&D expenditure (亿元, annual rate) as the statistics count it: above-scale
        firms' reported R&D (the statistics' scope for enterprises) plus institutions'."""
        fi = self.firms
        counted = fi.alive & st.above_scale(fi.revenue * self.price_level, fi.industrial)
        firm = (fi.rd_reported * counted).sum() / WAN_PER_YI / self.scale
        return firm + self.institution_rd()

    def spillover(self) -> np.ndarray:
        """Knowledge multiplier of every firm from institutions in its zone and 产学研 links."""
        cap = np.array([self.institution_capacity(z) for z in range(len(ZONES))])
        zone_term = self.p.spillover * cap / self.zone_capacity_ref
        fi = self.firms
        return 1.0 + zone_term[fi.zone] + network.link_term(self)

    # ------------------------------------------------------------------ 10. indicators and flows
    def add_flow(self, name: str, amount: float) -> None:
        """Add to a flow of the year and of the plan period."""
        self._flows[name] = self._flows.get(name, 0.0) + amount
        self._period_flows[name] = self._period_flows.get(name, 0.0) + amount

    def set_flow(self, name: str, amount: float) -> None:
        """Set a flow of the year (one computed once a year)."""
        self._flows[name] = amount

    def period_flow(self, name: str) -> float:
        """Flow summed over the current plan period (2016-2020 or from 2021)."""
        return self._period_flows.get(name, 0.0)

    def year_flow(self, name: str) -> float:
        """Flow summed over the current year."""
        return self._flows.get(name, 0.0)

    def year_flow_last(self, name: str) -> float:
        """Flow summed over the last full year (what the government plans this year's calls on)."""
        return self._last_flows.get(name, 0.0)

    def record_indicators(self) -> None:
        """Compute every declared indicator from agent state and store it for the year."""
        self.records[self.year] = compute_all(self)
        self.alive_firms[self.year] = int(self.firms.alive.sum())
        self.datacollector.collect(self)
        self._last_flows, self._flows = self._flows, {}
        if self.year == PLAN_START - 1:  # the 13th-plan period ends; plan-period flows restart
            self._period_flows = {}

    def compact(self) -> None:
        """Drop dead firms and departed talent (yearly); talent follows its employer."""
        fi, ta = self.firms, self.talent
        mapping = fi.compact(fi.alive.copy())
        keep = ta.alive.copy()
        ta.compact(keep)
        ta.employer = mapping[ta.employer]
