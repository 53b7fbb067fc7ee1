"""InnovationModel: a Mesa model of Baiyun's innovation system, one step per quarter.

The step follows the schedule of the ODD description (docs/model.md), one line per
process. Firms and talent are struct-of-arrays populations owned by the model; the
small populations (carriers, funds, R&D institutions, the government) are Mesa agents.
Every random draw comes from ``self.rng`` (the initial state) or from the per-quarter,
per-process generators keyed off a root drawn from it (:meth:`InnovationModel.stream`).
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from scipy.special import ndtri

from innosim import structure as st
from innosim.agents import Fund, Government, IncubationCarrier, RdInstitution
from innosim.facts import FactBook, default_facts
from innosim.indicators import compute_all
from innosim.population import Firms, Talent
from innosim.scenario import PLAN_START, Scenario, default_scenario, history_policy

PROCESSES = ("calls", "talent", "rd", "knowledge", "production", "certification", "finance", "demography",
             "carriers")
"""Processes of the schedule that draw random numbers, each from its own stream."""

START_YEAR = 2015
"""The state is initialised at the end of this year; the first step is 2016Q1."""

_WAN_PER_YI = 1e4  # 万元 per 亿元


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


class InnovationModel(mesa.Model):
    """Agent-based model of firms, talent, carriers, funds and R&D institutions.

    Args:
        scenario: The scenario (levers from 2021, behavioural parameters). Default:
            the embedded baseline.
        rng: Seed or generator for every random draw (Mesa's ``rng``).
        facts: Baiyun facts used to synthesise the 2015 state and the GDP and
            population paths. Default: the packaged data file.

    Attributes:
        settings: The scenario.
        firms: :class:`~innosim.population.Firms` table.
        talent: :class:`~innosim.population.Talent` table.
        government: The :class:`~innosim.agents.Government` agent.
        records: ``{year: {indicator_id: value}}``, filled at each year end.
        entries, exits: Firm entries and exits per year (sampled population).
        alive_firms: Live firms at each year end (sampled population).

    Example:
        >>> from innosim import InnovationModel, load_scenario
        >>> model = InnovationModel(load_scenario(), rng=1)
        >>> model.run()
        >>> round(model.records[2020]["hte_count"])  # doctest: +SKIP
    """

    def __init__(self, scenario: Scenario | None = None, rng: int | np.random.Generator | None = None,
                 facts: FactBook | None = None) -> None:
        super().__init__(rng=rng)
        self.settings = scenario if scenario is not None else default_scenario()
        self.facts = facts if facts is not None else default_facts()
        self.p = self.settings.parameters
        self.scale = self.settings.scale
        self.end_year = self.settings.end_year
        self.records: dict[int, dict[str, float]] = {}
        self.entries: dict[int, int] = {}
        self.exits: dict[int, int] = {}
        self._flows: dict[str, float] = {}
        self._period_flows: dict[str, float] = {}
        self.government = Government(self, self.settings.policy, history_policy())
        # Common random numbers: each (quarter, process) draws from its own generator,
        # keyed off one root drawn from the model's rng. Two scenarios run with the same
        # seed share their draws wherever their states agree, so paired differences
        # between scenarios are not drowned in noise.
        self._stream_root = int(self.rng.integers(2**63))
        self._streams: dict[str, np.random.Generator] = {}
        self._init_macro()
        self._synthesise()

    # ------------------------------------------------------------------ time
    @property
    def year(self) -> int:
        """Calendar year of the current (or, before the first step, last) quarter."""
        return START_YEAR + (self.steps + 3) // 4 if self.steps else START_YEAR

    @property
    def quarter(self) -> int:
        """Quarter 1-4 of the current step."""
        return (self.steps - 1) % 4 + 1 if self.steps else 4

    @property
    def t(self) -> float:
        """Time at the end of the current quarter, in years (2016.25 = end of 2016Q1)."""
        return START_YEAR + self.steps / 4.0

    def stream(self, process: str) -> np.random.Generator:
        """The generator of ``process`` for the current quarter (see :data:`PROCESSES`)."""
        gen = self._streams.get(process)
        if gen is None:
            seq = np.random.SeedSequence(self._stream_root, spawn_key=(self.steps, PROCESSES.index(process)))
            gen = self._streams[process] = np.random.Generator(np.random.PCG64(seq))
        return gen

    def firm_uniform(self, process: str) -> np.ndarray:
        """One uniform draw in (0, 1) per firm, keyed by (root, firm uid, quarter, process).

        A counter-based draw (SplitMix64 of the key): a firm gets the same number in two
        scenarios run with the same seed, whatever other firms exist, so entries and
        exits elsewhere do not reshuffle its shocks.
        """
        key = (self.firms.uid * np.uint64(0x9E3779B97F4A7C15)
               ^ np.uint64((self._stream_root * 1_000_003 + self.steps * 64 + PROCESSES.index(process)) % 2**64))
        z = key + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        return ((z >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53

    def firm_age(self) -> np.ndarray:
        """Age of every firm row in years."""
        return self.t - self.firms.birth

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One quarter, in the order of the ODD schedule."""
        self._streams = {}
        self.open_calls()              # 1. government calls and payouts within budget
        self.talent_market()           # 2. arrivals, departures, matching to R&D vacancies
        self.decide_rd()               # 3. firms' R&D: intensity, grants, finance, talent, HTE notch
        self.produce_knowledge()       # 4. knowledge and patents, with spill-overs
        self.produce()                 # 5. revenue and high-tech product share
        if self.quarter == 4:
            self.certify()             # 6. HTE, tech SME (yearly)
        self.finance()                 # 7. VC, guidance fund, tech credit, listing
        self.demography()              # 8. start-ups, exits, graduation
        if self.quarter == 4:
            self.evolve_carriers_and_institutions()  # 9. carriers, institutions, S&T services
            self.record_indicators()   # 10. indicators
            self.compact()
        self.running = not self.finished  # Mesa's flag: SolaraViz stops playing at the end

    @property
    def finished(self) -> bool:
        """Whether the model has run to the end of ``end_year``."""
        return self.steps >= (self.end_year - START_YEAR) * 4

    def run(self, until: int | None = None) -> "InnovationModel":
        """Run to the end of ``until`` (default ``end_year``); returns the model."""
        n_steps = ((until or self.end_year) - START_YEAR) * 4
        while self.steps < n_steps and not self.finished:
            self.step()
        return self

    # ------------------------------------------------------------------ macro paths
    def _init_macro(self) -> None:
        f, p = self.facts, self.p
        gdp15, gdp20, gdp24 = f.value("gdp", 2015), f.value("gdp", 2020), f.value("gdp", 2024)
        g1 = (gdp20 / gdp15) ** (1 / 5)
        g2 = (gdp24 / gdp20) ** (1 / 4)
        self.gdp = {y: gdp15 * g1 ** (y - 2015) for y in range(2015, 2021)}
        self.gdp.update({y: gdp20 * g2 ** (y - 2020) for y in range(2021, 2025)})
        for y in range(2025, self.end_year + 1):
            self.gdp[y] = gdp24 * (1 + p.gdp_growth) ** (y - 2024)
        pop15, pop20 = f.value("population", 2015), f.value("population", 2020)
        gp = (pop20 / pop15) ** (1 / 5)
        self.population = {y: pop15 * gp ** (y - 2015) for y in range(2015, 2021)}
        for y in range(2021, self.end_year + 1):
            self.population[y] = pop20 * (1 + p.population_growth) ** (y - 2020)

    def _count(self, district_count: float, rng: np.random.Generator | None = None) -> int:
        """Sampled count for a district count: stochastic rounding of count * scale."""
        x = district_count * self.scale
        base = math.floor(x)
        return base + int((rng or self.rng).random() < x - base)

    # ------------------------------------------------------------------ initial state
    def _synthesise(self) -> None:
        """Build the end-2015 state from the seed so that it matches the 2015 facts."""
        f, p, rng = self.facts, self.p, self.rng
        n = self._count(p.initial_firms)
        self.firms = Firms(capacity=int(n * 1.6) + 64)
        self.talent = Talent(capacity=n + 64)
        sector = rng.choice(len(st.SECTORS), size=n, p=st.SECTOR_WEIGHTS)
        industrial = rng.random(n) < st.SECTOR_INDUSTRIAL[sector]
        age = rng.exponential(8.0, n)
        revenue = np.exp(rng.normal(np.where(industrial, math.log(600.0), math.log(300.0)), p.revenue_sigma))
        rev_per_emp = np.where(industrial, 60.0, 40.0) * np.exp(rng.normal(0.0, 0.3, n))
        active = rng.random(n) < st.SECTOR_RD_ACTIVE[sector]
        rd_prop = np.where(active, st.SECTOR_RD_MEDIAN[sector] * np.exp(rng.normal(0.0, 0.7, n)), 0.0)
        rd_prop = np.minimum(rd_prop, 0.5)
        zone = rng.choice(len(st.ZONES), size=n, p=st.ZONE_WEIGHTS)
        # Above-scale industrial output must add up to the 2015 figure (亿元 -> 万元).
        target_ind = f.value("above_scale_industrial_output", 2015) * _WAN_PER_YI * self.scale
        target_st = f.value("st_services_revenue", 2015) * _WAN_PER_YI * self.scale
        for _ in range(6):
            big = industrial & (revenue >= st.ABOVE_SCALE_INDUSTRIAL)
            revenue[big] *= target_ind / revenue[big].sum()
            svc = (sector == st.ST_SERVICES) & (revenue >= st.ABOVE_SCALE_SERVICES)
            if svc.any():
                revenue[svc] *= target_st / revenue[svc].sum()
        # High-tech product share rises with R&D intensity; scaled to the 2015 output.
        noise = rng.normal(0.0, 0.8, n)
        hts_raw = _sigmoid(-1.0 + 1.2 * np.log(np.maximum(rd_prop, 1e-4) / 0.02) + noise)
        hts = np.where(active, hts_raw, 0.05 * hts_raw)
        big = industrial & (revenue >= st.ABOVE_SCALE_INDUSTRIAL)
        target_ht = f.value("hightech_output", 2015) * _WAN_PER_YI * self.scale
        for _ in range(8):
            hts[big] = np.minimum(hts[big] * target_ht / (revenue[big] * hts[big]).sum(), 0.98)
        # HTE: the most innovative eligible-looking firms hold certificates.
        n_hte = self._count(f.value("hte_count", 2015))
        score = rd_prop * hts * np.where(age >= 1.0, 1.0, 0.0) * rng.lognormal(0.0, 0.3, n)
        hte_rows = np.argsort(-score, kind="stable")[:n_hte]
        hte = np.zeros(n, dtype=bool)
        hte[hte_rows] = True
        thr = st.hte_rd_threshold(revenue)
        rd_prop[hte] = np.maximum(rd_prop[hte], thr[hte] * rng.uniform(1.05, 1.6, n_hte))
        hts[hte] = np.maximum(hts[hte], rng.uniform(0.62, 0.9, n_hte))
        rest = big & ~hte  # the other above-scale firms make up the rest of the 2015 output
        for _ in range(20):
            residual = target_ht - (revenue * hts)[big & hte].sum()
            hts[rest] = np.minimum(hts[rest] * residual / (revenue[rest] * hts[rest]).sum(), 0.98)
        # Business R&D adds up to its share of 2015 R&D expenditure.
        target_rd = f.value("rd_expenditure", 2015) * p.business_rd_share * _WAN_PER_YI * self.scale
        free = ~hte
        residual = target_rd - (revenue * rd_prop)[hte].sum()
        rd_prop[free] *= max(residual, 0.0) / (revenue * rd_prop)[free].sum()
        rd = revenue * rd_prop
        # young firms start finance-constrained, as in decide_rd
        constrained = np.where(age < 5.0, 1 - p.credit_constraint, 1.0)
        rd_prop = rd_prop / constrained
        knowledge = rd / (p.knowledge_depreciation + 0.05)
        self.firms.add(
            n, uid=np.arange(n, dtype=np.uint64), sector=sector, zone=zone, industrial=industrial,
            birth=START_YEAR - age, revenue=revenue,
            rev_per_employee=rev_per_emp, hightech_share=hts, rd_propensity=rd_prop, rd=rd,
            rd_reported=rd, rd_y1=rd, rd_y2=rd / 1.08, rd_y3=rd / 1.08 ** 2,
            sales_y1=revenue, sales_y2=revenue / 1.06, sales_y3=revenue / 1.06 ** 2,
            knowledge=knowledge, hte=hte)
        fi = self.firms
        fi.hte_expiry[hte] = rng.integers(2016, 2019, n_hte)
        # Valid invention patents: firms hold 75% (assumption), allocated by knowledge.
        firm_patents = f.value("valid_invention_patents", 2015) * 0.75 * self.scale
        weight = knowledge ** 0.8
        fi.patents = rng.multinomial(int(round(firm_patents)), weight / weight.sum()).astype(float)
        fi.patents[hte] = np.maximum(fi.patents[hte], 1.0)
        self._institution_patents = f.value("valid_invention_patents", 2015) * 0.25
        # Listed HTE: the largest certified firms.
        n_listed = self._count(f.value("listed_hte", 2015))
        order = np.argsort(-(revenue * hte), kind="stable")[:n_listed]
        fi.listed[order] = True
        self._init_talent()
        self._init_agents()
        self._rd_total_last = self._district_rd()
        self._st_growth = 0.0
        self._next_uid = np.uint64(n)
        self.alive_firms = {START_YEAR: n}

    def _init_talent(self) -> None:
        """S&T personnel: as many as firms' R&D needs, plus 3% between jobs (assumption)."""
        rng = self.rng
        need = self._desired_staff()
        n_t = int(need.sum() * 1.03)
        level = rng.choice(3, size=n_t, p=st.TALENT_LEVEL_SHARES).astype(np.int8)
        self.talent.add(n_t, level=level, arrived=START_YEAR - rng.exponential(5.0, n_t))
        self._fill_vacancies(np.arange(n_t), need)

    def _init_agents(self) -> None:
        f, rng = self.facts, self.rng
        for kind, fact in (("incubator", "incubators"), ("maker_space", "maker_spaces")):
            count = int(f.value(fact, 2015))
            area = f.value("incubation_area", 2015) / max(count, 1)
            for _ in range(count):
                self._open_carrier(kind, "private", START_YEAR, area=area)
        for kind, fact, cap in (("university", "universities", 3.0), ("research_institute", "research_institutes", 2.0)):
            for _ in range(int(f.value(fact, 2020))):
                RdInstitution(self, kind, int(rng.choice(len(st.ZONES), p=st.ZONE_WEIGHTS)), cap, 2000)
        for kind in ("guidance", "venture", "credit"):
            Fund(self, kind)
        inst_rd = f.value("rd_expenditure", 2015) * (1 - self.p.business_rd_share)
        self._inst_rd_per_capacity = inst_rd / self._institution_capacity()
        self._zone_capacity_ref = self._institution_capacity() / len(st.ZONES)

    # ------------------------------------------------------------------ helpers
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

    def _institution_capacity(self, zone: int | None = None) -> float:
        return sum(i.capacity for i in self.institutions if zone is None or i.zone == zone)

    def _open_carrier(self, kind: str, operator: str, year: int, area: float | None = None) -> IncubationCarrier:
        default_area = {"maker_space": 0.3, "incubator": 1.2, "accelerator": 2.0}[kind]
        capacity = self.p.carrier_capacity * (0.5 if kind == "maker_space" else 1.0) * self.scale
        return IncubationCarrier(self, kind, capacity, area if area is not None else default_area, operator, year)

    def _desired_staff(self) -> np.ndarray:
        """S&T posts per firm: R&D over the cost per person (rising with wages), rounded."""
        fi = self.firms
        cost = self.p.rd_cost_per_staff * (1 + self.p.wage_growth) ** (self.t - START_YEAR)
        return np.rint(np.where(fi.alive, fi.rd / cost, 0.0)).astype(np.int64)

    def _staff_counts(self, mask: np.ndarray | None = None) -> np.ndarray:
        """S&T personnel employed by each firm row (optionally only those in ``mask``)."""
        ta = self.talent
        employed = ta.alive & (ta.employer >= 0)
        if mask is not None:
            employed &= mask
        return np.bincount(ta.employer[employed], minlength=self.firms.n)[: self.firms.n]

    def _fill_vacancies(self, talent_rows: np.ndarray, need: np.ndarray) -> None:
        """Assign the given talent rows to random open S&T posts (need - staff per firm)."""
        fi, ta = self.firms, self.talent
        staff = self._staff_counts()
        vac = np.maximum(need - staff, 0)
        slots = np.repeat(np.arange(fi.n), vac)
        if len(slots) == 0 or len(talent_rows) == 0:
            fi.staff = staff
            return
        k = min(len(slots), len(talent_rows))
        chosen = self.stream("talent").choice(len(slots), size=k, replace=False)
        takers = talent_rows[self.stream("talent").permutation(len(talent_rows))[:k]]
        ta.employer[takers] = slots[chosen]
        fi.staff = self._staff_counts()

    def _district_rd(self) -> float:
        """District R&D expenditure (亿元, annual rate): firms' reported R&D plus institutions'."""
        fi = self.firms
        firm = (fi.rd_reported * fi.alive).sum() / _WAN_PER_YI / self.scale
        return firm + self.institution_rd()

    def institution_rd(self) -> float:
        """R&D of universities and institutes (亿元 a year), proportional to their capacity."""
        return self._institution_capacity() * self._inst_rd_per_capacity

    def _spill(self) -> np.ndarray:
        """Knowledge multiplier from institutions in the firm's zone and 产学研 links."""
        cap = np.array([self._institution_capacity(z) for z in range(len(st.ZONES))])
        zone_term = self.p.spillover * cap / self._zone_capacity_ref
        fi = self.firms
        return 1.0 + zone_term[fi.zone] + self.p.link_effect * (fi.linked_until >= self.t)

    # ------------------------------------------------------------------ 1. government
    def open_calls(self) -> None:
        """Calls open in Q1: project grants, HTE cultivation pool, talent cards, tech credit.

        Grants are competitive (rank by knowledge with noise, approval rate of the
        call) and paid until the budget runs out; pool firms are those closest to
        the HTE criteria; cards go to high-level talent.
        """
        if self.quarter != 1:
            return
        gov, fi, rng, year = self.government, self.firms, self.stream("calls"), self.year
        # R&D project grants
        lever = gov.lever("rd_subsidy")
        fi.grant = 0.0
        applicants = np.flatnonzero(fi.alive & (fi.rd > 0) & (rng.random(fi.n) < lever.application_rate))
        merit = np.log1p(fi.knowledge[applicants]) + rng.normal(0.0, 1.0, len(applicants))
        n_approved = int(round(len(applicants) * lever.approval_rate))
        approved = applicants[np.argsort(-merit, kind="stable")[:n_approved]]
        ask = np.minimum(lever.grant_share * fi.rd[approved], lever.max_grant * _WAN_PER_YI) / _WAN_PER_YI
        fi.grant[approved] = gov.pay_each("rd_subsidy", ask) * _WAN_PER_YI
        # HTE cultivation pool: the non-HTE firms closest to the R&D threshold
        lever = gov.lever("hte_reward")
        fi.pool = False
        cand = np.flatnonzero(fi.alive & ~fi.hte & (fi.rd > 0))
        closeness = fi.rd[cand] / np.maximum(fi.revenue[cand], 1.0) / st.hte_rd_threshold(fi.revenue[cand])
        closeness *= fi.hightech_share[cand]
        n_pool = min(self._count(lever.pool_size, rng), len(cand))
        pool = cand[np.argsort(-closeness, kind="stable")[:n_pool]]
        paid = gov.pay_each("hte_reward", np.full(len(pool), lever.pool_grant))
        fi.pool[pool[paid > 0]] = True
        # Talent cards for high-level talent, holders first
        lever = gov.lever("talent_card")
        ta = self.talent
        n_cards = min(int(gov.remaining("talent_card") / lever.cost_per_card * self.scale), int((ta.alive & (ta.level < 2)).sum()))
        holders = np.flatnonzero(ta.alive & ta.card)
        others = np.flatnonzero(ta.alive & ~ta.card & (ta.level < 2))
        others = others[rng.permutation(len(others))]
        ta.card = False
        chosen = np.concatenate([holders, others])[:n_cards]
        ta.card[chosen] = True
        gov.pay("talent_card", len(chosen) * lever.cost_per_card / self.scale)
        # 产学研 links: continuing links are paid first, then new ones
        lever = gov.lever("industry_academia")
        linked = np.flatnonzero(fi.alive & (fi.linked_until >= self.t))
        gov.pay_each("industry_academia", np.full(len(linked), lever.cost_per_link))
        cand = np.flatnonzero(fi.alive & (fi.rd > 0) & (fi.linked_until < self.t))
        n_new = min(int(gov.remaining("industry_academia") / lever.cost_per_link * self.scale), len(cand))
        if n_new:
            order = cand[np.argsort(-(fi.rd[cand] * rng.lognormal(0.0, 0.5, len(cand))), kind="stable")[:n_new]]
            paid = gov.pay_each("industry_academia", np.full(n_new, lever.cost_per_link))
            fi.linked_until[order[paid > 0]] = year + lever.link_years - 0.01
        # R&D institutions: support existing new-type institutions, then found new ones
        lever = gov.lever("rd_institutions")
        for inst in self.institutions:
            inst.supported = inst.kind == "new_type" and gov.pay("rd_institutions", lever.operating_support) > 0
        for _ in range(gov.affordable("rd_institutions", lever.setup_cost)):
            gov.pay("rd_institutions", lever.setup_cost)
            zone = int(rng.choice(len(st.ZONES), p=st.ZONE_WEIGHTS))
            RdInstitution(self, "new_type", zone, 1.0, year)
        # Innovation teams arrive during the year
        lever = gov.lever("innovation_teams")
        n_teams = gov.affordable("innovation_teams", lever.cost_per_team)
        gov.pay("innovation_teams", n_teams * lever.cost_per_team)
        self._add_flow("innovation_teams", n_teams)
        if n_teams:
            self._arrive_teams(n_teams, lever.team_size)

    def _arrive_teams(self, n_teams: int, team_size: int) -> None:
        """Each team founds a firm in an emerging sector and brings its researchers."""
        rng = self.stream("calls")
        founders = sum(self._count(1, rng) for _ in range(n_teams))
        if not founders:
            return
        emerging = np.flatnonzero(st.EMERGING)
        sector = rng.choice(emerging, size=founders)
        rows = self._add_firms(founders, sector=sector)
        fi = self.firms
        fi.team[rows] = True
        fi.knowledge[rows] = 300.0
        fi.rd_propensity[rows] = 0.15
        fi.revenue[rows] = 500.0
        fi.rd[rows] = 75.0
        fi.hightech_share[rows] = 0.6
        levels = np.tile([0] + [1] * (team_size - 1), founders).astype(np.int8)
        employers = np.repeat(np.arange(rows.start, rows.stop), team_size)
        self.talent.add(len(levels), level=levels, employer=employers, arrived=self.t)

    # ------------------------------------------------------------------ 2. talent
    def talent_market(self) -> None:
        """Departures (housing cost, card retention), arrivals for vacancies, matching.

        References:
            Song & Wu (金融研究): leaving probability +3.14% per 1,000 yuan/m2 of housing price.
        """
        p, ta, rng = self.p, self.talent, self.stream("talent")
        price_rise = p.housing_price_2015 * ((1 + p.housing_price_growth) ** (self.t - START_YEAR) - 1)
        hazard = p.talent_departure + p.housing_sensitivity * price_rise
        hazard = np.clip(np.where(ta.card, hazard * (1 - p.card_retention_effect), hazard), 0.0, 1.0)
        leave = ta.alive & (rng.random(ta.n) < 1 - (1 - hazard) ** 0.25)
        ta.alive[leave] = False
        ta.employer[leave] = -1
        # Arrivals: the labour market fills about half of the open posts a quarter
        # (assumption); high-level arrivals rise with card coverage.
        need = self._desired_staff()
        staff = self._staff_counts()
        vacancies = int(np.maximum(need - staff, 0).sum())
        unemployed = np.flatnonzero(ta.alive & (ta.employer < 0))
        n_arrive = int(rng.poisson(max(vacancies - len(unemployed), 0) * 0.5))
        high_level = ta.alive & (ta.level < 2)
        coverage = (ta.card & high_level).sum() / max(high_level.sum(), 1)
        shares = st.TALENT_LEVEL_SHARES * np.array([1 + p.card_attraction * coverage] * 2 + [1.0])
        level = rng.choice(3, size=n_arrive, p=shares / shares.sum()).astype(np.int8)
        self.talent.add(n_arrive, level=level, arrived=self.t)
        ta = self.talent
        self._fill_vacancies(np.flatnonzero(ta.alive & (ta.employer < 0)), need)

    # ------------------------------------------------------------------ 3. R&D
    def decide_rd(self) -> None:
        """Firms set R&D: desired intensity shifted by user cost, finance, talent, grants, notch.

        References:
            Chen, Liu, Suarez Serrato & Xu (2021), AER 111(7): user-cost elasticity,
            bunching at the HTE notch and relabelling.
            Dimos & Pugh (2016), RP 45(4); Boeing (2016), RP 45(9): grant additionality.
        """
        p, fi, rng, year = self.p, self.firms, self.stream("rd"), self.year
        uc = st.rd_user_cost(year, fi.industrial, fi.hte)
        drift = math.exp(p.rd_growth_drift * (self.t - START_YEAR))
        intensity = fi.rd_propensity * drift * (uc / st.USER_COST_2015) ** (-p.user_cost_elasticity)
        young = self.firm_age() < 5.0
        constrained = young & (fi.financed_until < self.t)
        intensity = intensity * np.where(constrained, 1 - p.credit_constraint, 1.0)
        desired = fi.revenue * intensity
        capacity = (fi.staff + 0.5) * p.rd_cost_per_staff * (1 + p.wage_growth) ** (self.t - START_YEAR)
        short = np.where(desired > 0, np.minimum(1.0, capacity / np.maximum(desired, 1e-9)), 1.0)
        real = desired * short ** p.talent_elasticity
        # HTE notch: near-threshold firms raise R&D to qualify (decided in Q1), part relabelled.
        if self.quarter == 1:
            thr = st.hte_rd_threshold(fi.revenue)
            ratio = real / np.maximum(fi.revenue, 1.0) / thr
            near = fi.alive & ~fi.hte & (ratio >= 1 - p.bunching_window) & (ratio < 1.0) & (fi.hightech_share >= 0.4)
            rate = np.where(fi.pool, min(1.0, 2 * p.bunching_rate), p.bunching_rate)
            fi.bunching = near & (rng.random(fi.n) < rate)
        target = st.hte_rd_threshold(fi.revenue) * 1.05 * fi.revenue
        gap = np.maximum(target - real, 0.0)
        bunch = fi.bunching
        reported = np.where(bunch, real + gap, real)
        real = np.where(bunch, real + gap * (1 - p.relabel_share), real)
        extra = p.grant_pass_through * fi.grant
        fi.rd = np.where(fi.alive, real + extra, 0.0)
        fi.rd_reported = np.where(fi.alive, reported + extra, 0.0)
        fi.rd_year += fi.rd_reported / 4
        fi.sales_year += np.where(fi.alive, fi.revenue, 0.0) / 4

    # ------------------------------------------------------------------ 4. knowledge
    def produce_knowledge(self) -> None:
        """Knowledge accumulates from R&D with spill-overs; invention patents are granted.

        References:
            Hausman, Hall & Griliches (1984), Econometrica 52(4): patents-R&D elasticity.
        """
        p, fi, gov, rng = self.p, self.firms, self.government, self.stream("knowledge")
        spill = self._spill()
        high_level = self._staff_counts(self.talent.level < 2)
        talent_boost = 1.0 + 0.5 * high_level / np.maximum(fi.staff, 1)
        self._knowledge_before = fi.knowledge.copy()
        fi.knowledge = fi.knowledge * (1 - p.knowledge_depreciation) ** 0.25 + fi.rd / 4 * spill * talent_boost
        ip = gov.lever("ip_awards")
        ip_factor = 1.0 + p.ip_response * ip.subsidy_per_patent * _WAN_PER_YI * (gov.remaining("ip_awards") > 0)
        lam = np.where(fi.alive & (fi.rd > 0), p.patent_rate * (fi.rd / 100.0) ** p.patent_elasticity * spill * ip_factor / 4, 0.0)
        grants = rng.poisson(lam)
        inst_grants = rng.poisson(self._institution_capacity() * p.institution_patent_rate * ip_factor / 4 * self.scale)
        fi.patents = fi.patents * (1 - p.patent_lapse) ** 0.25 + grants
        self._institution_patents = self._institution_patents * (1 - p.patent_lapse) ** 0.25 + inst_grants / self.scale
        total = (grants.sum() + inst_grants) / self.scale
        gov.pay("ip_awards", total * ip.subsidy_per_patent)
        self._add_flow("invention_patents_granted", total)

    # ------------------------------------------------------------------ 5. production
    def produce(self) -> None:
        """Revenue grows with knowledge, funding and sector shocks; the high-tech share
        follows knowledge intensity."""
        p, fi, rng = self.p, self.firms, self.stream("production")
        kint = fi.knowledge / np.maximum(fi.revenue, 1.0)
        # output elasticity of knowledge capital: revenue ~ K^elasticity
        g = p.revenue_growth + p.knowledge_elasticity * 4 * (np.log1p(fi.knowledge) - np.log1p(self._knowledge_before))
        g = g + p.funding_growth_boost * (fi.funded_until >= self.t)
        g = g + np.where(fi.sector == st.ST_SERVICES, self._st_growth, 0.0)
        shocks = rng.normal(0.0, p.sector_shock_sd / 2, len(st.SECTORS))[fi.sector]
        sd = p.firm_shock_sd / 2
        eps = sd * ndtri(self.firm_uniform("production"))
        fi.revenue = fi.revenue * np.exp(g / 4 + shocks + eps - sd * sd / 2)
        target = _sigmoid(p.hightech_logit_shift + p.hightech_knowledge_slope * np.log(np.maximum(kint, 1e-6) / 0.05))
        target = np.where(fi.rd > 0, target, 0.0)
        fi.hightech_share = fi.hightech_share + p.hightech_adjustment / 4 * (target - fi.hightech_share)

    # ------------------------------------------------------------------ 6. certification
    def certify(self) -> None:
        """Yearly HTE and tech-SME certification by the official criteria.

        HTE (国科发火〔2016〕32号): registered a year or more, core IP, S&T staff >= 10%,
        three-year R&D/sales >= 5%/4%/3% by sales band, high-tech income >= 60%,
        certificate valid three years. Tech SME (国科发政〔2017〕115号) from 2017.
        """
        p, fi, gov, rng, year = self.p, self.firms, self.government, self.stream("certification"), self.year
        fi.rd_y3, fi.rd_y2, fi.rd_y1 = fi.rd_y2.copy(), fi.rd_y1.copy(), fi.rd_year.copy()
        fi.sales_y3, fi.sales_y2, fi.sales_y1 = fi.sales_y2.copy(), fi.sales_y1.copy(), fi.sales_year.copy()
        fi.rd_year = 0.0
        fi.sales_year = 0.0
        sales3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3
        rd3 = fi.rd_y1 + fi.rd_y2 + fi.rd_y3
        employees = np.maximum(fi.revenue / fi.rev_per_employee, 3.0)
        staff_share = fi.staff / employees
        eligible = (fi.alive & (self.firm_age() >= st.HTE_MIN_AGE_YEARS)
                    & ((fi.patents >= 1) | (fi.knowledge >= st.HTE_IP_KNOWLEDGE))
                    & (staff_share >= st.HTE_MIN_STAFF_SHARE)
                    & (rd3 >= st.hte_rd_threshold(fi.sales_y1) * sales3)
                    & (fi.hightech_share >= st.HTE_MIN_HIGHTECH_SHARE))
        expired = fi.hte & (fi.hte_expiry <= year)
        renew = expired & eligible & (rng.random(fi.n) < 0.9)
        fi.hte[expired & ~renew] = False
        fi.hte_expiry[renew] = year + st.HTE_VALID_YEARS
        lever = gov.lever("hte_reward")
        # the reward raises the application rate towards 1; pool firms are coached to apply
        apply = 1 - (1 - p.hte_apply_rate) * math.exp(-p.reward_response * lever.reward * _WAN_PER_YI / 10)
        apply = np.where(fi.pool, 1 - (1 - apply) / 2, apply)
        new = eligible & ~fi.hte & (rng.random(fi.n) < np.minimum(apply, 1.0))
        fi.hte[new] = True
        fi.hte_expiry[new] = year + st.HTE_VALID_YEARS
        gov.pay_each("hte_reward", np.full(int(new.sum()), lever.reward))
        # tech SMEs
        if year >= st.TECH_SME_FIRST_YEAR:
            rd_int = fi.rd_y1 / np.maximum(fi.sales_y1, 1.0)
            score = st.tech_sme_score(staff_share, rd_int, fi.patents)
            ok = (fi.alive & (employees <= st.TECH_SME_MAX_STAFF) & (fi.sales_y1 <= st.TECH_SME_MAX_SALES)
                  & ((score >= st.TECH_SME_MIN_SCORE) | fi.hte))
            keep = fi.tech_sme & ok
            join = ok & ~fi.tech_sme & (rng.random(fi.n) < p.tech_sme_register_rate)
            fi.tech_sme = keep | join

    # ------------------------------------------------------------------ 7. finance
    def finance(self) -> None:
        """Private VC and the guidance fund invest in young tech firms; tech credit relaxes
        finance constraints; grown HTE list (Q4)."""
        p, fi, gov, rng = self.p, self.firms, self.government, self.stream("finance")
        young_tech = np.flatnonzero(fi.alive & (self.firm_age() < 8) & (fi.rd > 0) & (fi.financed_until < self.t))
        promise = np.log1p(fi.knowledge[young_tech]) + rng.gumbel(0.0, 1.0, len(young_tech))
        order = young_tech[np.argsort(-promise, kind="stable")]
        n_vc = int(rng.poisson(p.vc_deals_per_year / 4 * self.scale))
        # guidance fund: public money in Q1, invested over two years with private co-investors
        gf_lever = gov.lever("guidance_fund")
        gf = self.fund("guidance")
        if self.quarter == 1 and gf_lever.budget > 0:
            gf.raise_capital(gov.pay("guidance_fund", gf_lever.budget), gf_lever.leverage, p.fund_raise_rate)
        n_gf = int(gf.uninvested / 8 / gf_lever.deal_size * self.scale) if gf.uninvested > 0 else 0
        deals = order[: n_vc + n_gf]
        fi.financed_until[deals] = self.t + 3
        fi.funded_until[deals] = self.t + 3
        fi.funding[deals] += gf_lever.deal_size * _WAN_PER_YI  # VC tickets taken at the fund's size (assumption)
        self.fund("venture").deals += min(n_vc, len(deals))
        if n_gf:
            gf_done = max(0, min(n_gf, len(deals) - n_vc))
            gf.deals += gf_done
            gf.uninvested -= gf_done * gf_lever.deal_size / self.scale
        # tech credit: risk pool in Q1 enables loans to constrained tech firms
        if self.quarter == 1:
            lever = gov.lever("tech_finance")
            cand = np.flatnonzero(fi.alive & (self.firm_age() < 5) & (fi.financed_until < self.t)
                                  & (fi.tech_sme | fi.hte | (fi.rd > 0)))
            n_loans = min(int(lever.budget * lever.loan_multiplier / lever.loan_size * self.scale), len(cand))
            picked = cand[rng.permutation(len(cand))[:n_loans]]
            gov.pay("tech_finance", n_loans * lever.loan_size / lever.loan_multiplier / self.scale)
            fi.financed_until[picked] = self.t + 1
            self.fund("credit").deals += n_loans
        # listing (Q4): HTE above the listing size
        if self.quarter == 4:
            lever = gov.lever("listing_support")
            reward = lever.reward if gov.remaining("listing_support") > 0 else 0.0
            rate = p.listing_rate * (1 + p.listing_response * reward * 100)
            cand = fi.alive & fi.hte & ~fi.listed & (fi.revenue >= p.listing_revenue)
            new = cand & (rng.random(fi.n) < rate)
            fi.listed[new] = True
            gov.pay_each("listing_support", np.full(int(new.sum()), lever.reward))

    # ------------------------------------------------------------------ 8. demography
    def demography(self) -> None:
        """Exits by the SAIC age hazard (lower for tenants and funded firms); start-ups from
        the firm population, high-level talent and incubators; tenants graduate.

        References:
            SAIC (2013) 全国内资企业生存时间分析报告; Lukeš, Longo & Zouhar (2019) Technovation.
        """
        p, fi, rng, year = self.p, self.firms, self.stream("demography"), self.year
        age = self.firm_age()
        h = st.exit_hazard(age) * p.exit_hazard_scale
        h = np.where(fi.tenant >= 0, h * (1 - p.incubator_survival_effect), h)
        h = np.where(fi.funded_until >= self.t, h * (1 - p.funding_survival_effect), h)
        h = np.where(fi.listed | (fi.revenue > 50000), h * 0.3, h)
        die = fi.alive & (self.firm_uniform("demography") < 1 - (1 - h) ** 0.25)
        fi.alive[die] = False
        fi.tenant[die] = -1
        fi.hte[die] = False
        fi.tech_sme[die] = False
        ta = self.talent
        ta.employer[np.isin(ta.employer, np.flatnonzero(die))] = -1
        self.exits[year] = self.exits.get(year, 0) + int(die.sum())
        # entries
        n_alive = int(fi.alive.sum())
        high_level = int((ta.alive & (ta.level < 2)).sum())
        n_new = int(rng.poisson(p.entry_rate * n_alive / 4 + p.talent_startup_rate * high_level / 4))
        if n_new:
            self._add_firms(n_new, sector=rng.choice(len(st.SECTORS), size=n_new, p=st.ENTRANT_WEIGHTS))
        fi = self.firms
        # graduation
        grad = (fi.tenant >= 0) & (self.t - fi.tenant_since >= p.incubation_years)
        fi.tenant[grad] = -1

    def _add_firms(self, n: int, sector: np.ndarray) -> slice:
        """Start-ups: small, young, some admitted to carriers with free places."""
        rng, p = self.stream("demography"), self.p
        industrial = rng.random(n) < st.SECTOR_INDUSTRIAL[sector]
        active = rng.random(n) < np.minimum(st.SECTOR_RD_ACTIVE[sector] * 1.3, 1.0)
        rd_prop = np.where(active, st.SECTOR_RD_MEDIAN[sector] * 1.5 * np.exp(rng.normal(0.0, 0.7, n)), 0.0)
        rd_prop = np.minimum(rd_prop, 0.5) / math.exp(p.rd_growth_drift * (self.t - START_YEAR))
        revenue = np.exp(rng.normal(math.log(100.0), 1.0, n))
        uid = self._next_uid + np.arange(n, dtype=np.uint64)
        self._next_uid += np.uint64(n)
        rows = self.firms.add(
            n, uid=uid, sector=sector, zone=rng.choice(len(st.ZONES), size=n, p=st.ZONE_WEIGHTS), industrial=industrial,
            birth=self.t - rng.random(n) / 4, revenue=revenue, rev_per_employee=40.0 * np.exp(rng.normal(0.0, 0.3, n)),
            rd_propensity=rd_prop, rd=revenue * rd_prop, rd_reported=revenue * rd_prop,
            hightech_share=np.where(active, rng.uniform(0.1, 0.7, n), 0.0), knowledge=revenue * rd_prop)
        self.entries[self.year] = self.entries.get(self.year, 0) + n
        self._admit_tenants(rows)
        return rows

    def _admit_tenants(self, rows: slice) -> None:
        fi = self.firms
        carriers = self.carriers
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
            chosen = self.stream("demography").choice(len(slots), size=k, replace=False)
            takers = new[self.stream("demography").permutation(len(new))[:k]]
            fi.tenant[takers] = ids[slots[chosen]]
            fi.tenant_since[takers] = self.t

    # ------------------------------------------------------------------ 9. carriers, institutions
    def evolve_carriers_and_institutions(self) -> None:
        """Yearly: carriers open where subsidy makes them pay, or are built by policy;
        some close; institutions are recognised; contracts and S&T services evolve."""
        p, gov, rng, year = self.p, self.government, self.stream("carriers"), self.year
        lever = gov.lever("incubation")
        for c in self.carriers:  # operating subsidies
            gov.pay("incubation", lever.operating_subsidy)
        base = gov.lever("incubation", START_YEAR + 1)
        for kind, rate, sub, sub0 in (
                ("maker_space", p.maker_space_rate, lever.build_subsidy_maker_space, base.build_subsidy_maker_space),
                ("incubator", p.incubator_rate, lever.build_subsidy_incubator, base.build_subsidy_incubator)):
            lam = rate * (1 + p.subsidy_response * sub * 100) / (1 + p.subsidy_response * sub0 * 100)
            for _ in range(int(rng.poisson(lam))):
                gov.pay("incubation", sub)
                k = "accelerator" if kind == "incubator" and rng.random() < 0.15 else kind
                self._open_carrier(k, "private", year)
        for _ in range(gov.affordable("incubation", lever.conversion_cost)):  # old parks converted
            gov.pay("incubation", lever.conversion_cost)
            self._open_carrier("incubator", "government", year)
        for c in self.carriers:
            if c.opened < year and rng.random() < p.carrier_closure:
                self.firms.tenant[self.firms.tenant == c.unique_id] = -1
                c.remove()
        # provincial recognition of new-type R&D institutions
        for inst in self.institutions:
            if inst.provincial or inst.kind == "university":
                continue
            rate = p.recognition_rate * (3.0 if inst.kind == "new_type" else 1.0) * (2.0 if inst.supported else 1.0)
            if rng.random() < rate:
                inst.provincial = True
            if inst.supported:
                inst.capacity += 0.1
        # technology contracts: registered share of R&D rises (Guangdong's registration push)
        logit = _logit(p.contract_registration_2015) + p.contract_registration_growth * (year - START_YEAR)
        registered = float(_sigmoid(logit))
        fi = self.firms
        rd = fi.rd * fi.alive
        linked_rd = rd[fi.linked_until >= self.t].sum()
        firm_rd = registered * (rd.sum() + p.link_effect * linked_rd) / _WAN_PER_YI / self.scale
        self._flows["tech_contract_turnover"] = p.contract_multiplier * firm_rd
        # S&T services grow with the district's R&D (demand for services), next year
        rd_now = self._district_rd()
        self._st_growth = p.st_services_elasticity * (math.log(rd_now / self._rd_total_last) - p.revenue_growth)
        self._rd_total_last = rd_now

    # ------------------------------------------------------------------ 10. indicators
    def _add_flow(self, name: str, amount: float) -> None:
        self._flows[name] = self._flows.get(name, 0.0) + amount
        self._period_flows[name] = self._period_flows.get(name, 0.0) + amount

    def record_indicators(self) -> None:
        """Compute every declared indicator from agent state and store it for the year."""
        self.records[self.year] = compute_all(self)
        self.alive_firms[self.year] = int(self.firms.alive.sum())
        self._flows = {}
        if self.year == PLAN_START - 1:  # the 13th-plan period ends; plan-period flows restart
            self._period_flows = {}

    def period_flow(self, name: str) -> float:
        """Flow summed over the current plan period (2016-2020 or from 2021)."""
        return self._period_flows.get(name, 0.0)

    def year_flow(self, name: str) -> float:
        """Flow summed over the current year."""
        return self._flows.get(name, 0.0)

    def compact(self) -> None:
        """Drop dead firms and departed talent (yearly); talent follows its employer."""
        fi, ta = self.firms, self.talent
        mapping = fi.compact(fi.alive.copy())
        keep = ta.alive.copy()
        ta.compact(keep)
        ta.employer = mapping[ta.employer]
