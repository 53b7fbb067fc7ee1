"""Scenarios: levers (policy) and behavioural parameters, validated by pydantic.

A scenario is a TOML file. Levers live under ``[policy.<lever>]``, each with an
annual ``budget`` in 亿元 and its design parameters; behavioural parameters live
under ``[parameters]``. A file may start from another with ``base = "..."``
(a path relative to the file, or ``"default"`` for the embedded baseline) and
set only what differs. Every numeric field has a dotted path
(``policy.talent_card.budget``) that ``--set`` and
:meth:`Scenario.with_overrides` accept.

Each field is declared once here, with its unit and its source or prior; the
CLI tables, the docs' parameter table and (later) the SALib problems are
generated from these declarations.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from innosim.errors import InputError, did_you_mean, from_validation_error, read_toml_chain

PLAN_START = 2021
"""First year in which a scenario's levers act; 2016-2020 runs the 13th-plan policy."""


def _field(default: float, ge: float, le: float, unit: str, source: str, prior: tuple[float, float] | None = None):
    """A numeric field with its valid range, unit, source and (optional) prior bounds."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if prior is not None:
        extra["prior"] = list(prior)
    return Field(default, ge=ge, le=le, description=source, json_schema_extra=extra)


def _budget(default: float, source: str):
    return _field(default, 0.0, 100.0, "亿元/yr", source)


# --------------------------------------------------------------------------- levers
class Lever(BaseModel):
    """Base class of one policy lever: an annual budget plus design parameters."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ClassVar[str]
    name_zh: ClassVar[str]
    name_en: ClassVar[str]
    plan_wording: ClassVar[str]
    acts_on: ClassVar[tuple[str, ...]]

    budget: float


class RdSubsidy(Lever):
    id = "rd_subsidy"
    name_zh = "科技项目奖补"
    name_en = "R&D project grants"
    plan_wording = "科技项目奖补 (省、市、区科技项目奖补资金约11亿元, 2016-2020)"
    acts_on = ("rd_expenditure", "rd_intensity")

    budget: float = _budget(1.3, "13th plan: about 11亿 of S&T grants over 2016-2020 (PLAN 一(一)5), 2.2亿/yr, of which 1.3 taken as project grants (assumption; the rest is split over HTE rewards, IP awards, 产学研 and R&D institutions)")
    approval_rate: float = _field(0.265, 0.01, 1.0, "fraction", "13th plan: (1720 + 497) approved of (4927 + 3427) applied provincial and municipal projects (PLAN 一(一)5)")
    application_rate: float = _field(0.35, 0.0, 1.0, "fraction of R&D-active firms per year", "assumption: gives about 1,700 applications a year at 2016 size, as the 13th plan's 8,354 over five years")
    grant_share: float = _field(0.3, 0.01, 1.0, "fraction of the firm's annual R&D", "assumption: typical matching-grant share of provincial and municipal programmes")
    max_grant: float = _field(0.02, 0.0001, 1.0, "亿元 per project", "assumption: 200万元 cap; the 13th-plan average was 11亿 / 2217 projects = 50万元")


class HteReward(Lever):
    id = "hte_reward"
    name_zh = "高新技术企业培育与认定奖励"
    name_en = "HTE cultivation and certification reward"
    plan_wording = "实施高新技术企业高质量发展行动计划,建立高新技术企业培育库"
    acts_on = ("hte_count",)

    budget: float = _budget(0.5, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5) paid as HTE rewards; Guangzhou paid up to 30万元 per new HTE in 2017-2019")
    reward: float = _field(0.003, 0.0, 0.1, "亿元 per first certification", "assumption: 30万元 (city and district rewards for a first HTE certificate, 2017-2019 practice)")
    pool_size: int = _field(100, 0, 5000, "firms", "13th plan: 102 firms in the HTE cultivation pool in 2020 (PLAN 一(一)3)")
    pool_grant: float = _field(0.0005, 0.0, 0.05, "亿元 per pool firm per year", "assumption: 5万元 cultivation support per pool firm")


class TalentCard(Lever):
    id = "talent_card"
    name_zh = "人才绿卡与云聚英才卡"
    name_en = "Talent card"
    plan_wording = "全面落实“人才绿卡”和“云聚英才卡”,完善住房、医疗、教育等人才综合服务; 人才投、人才贷、人才保"
    acts_on = ("high_level_talent",)

    budget: float = _budget(0.3, "assumption: 13th-plan district talent programmes (845 high-end and 67 leading talents recognised over 2016-2020, PLAN 一(一)4) at about 3万元 a year each")
    cost_per_card: float = _field(0.0003, 0.00001, 0.01, "亿元 per card holder per year", "assumption: 3万元 of housing, medical and schooling services a year")


class InnovationTeams(Lever):
    id = "innovation_teams"
    name_zh = "引进创新创业团队"
    name_en = "Innovation and start-up teams"
    plan_wording = "累计引育创新创业团队57个"
    acts_on = ("innovation_teams", "firms")

    budget: float = _budget(0.2, "assumption: about 2 teams a year in 2016-2020 (data file: innovation_teams 2016-2020) at the cost below")
    cost_per_team: float = _field(0.1, 0.001, 5.0, "亿元 per team", "assumption: 1000万元 district support per introduced team, paid on arrival")
    team_size: int = _field(5, 1, 50, "persons", "assumption: one leading and four high-end researchers")


class GuidanceFund(Lever):
    id = "guidance_fund"
    name_zh = "科技成果产业化引导基金"
    name_en = "Guidance fund"
    plan_wording = "设立广州市科技成果产业化引导基金子基金; 发挥白云金控等金融平台作用"
    acts_on = ("financed_firms",)

    budget: float = _budget(0.0, "13th plan: no district guidance fund; the plan sets one up (PLAN 三)")
    leverage: float = _field(3.0, 0.0, 10.0, "private yuan per public yuan (designed)", "designed 1:3-1:4 (Wei, Ang & Jia 2023, China Quarterly)")
    deal_size: float = _field(0.05, 0.001, 5.0, "亿元 per investment", "assumption: 500万元 early-stage ticket")


class TechFinance(Lever):
    id = "tech_finance"
    name_zh = "科技金融(科技信贷、科技保险、知识产权质押、风险补偿)"
    name_en = "Tech finance (credit, insurance, IP pledge, risk compensation)"
    plan_wording = "创新科技信贷、科技保险、科技融资租赁; 开展知识产权质押融资、科技保险、科技融资担保风险补偿"
    acts_on = ("financed_firms",)

    budget: float = _budget(0.1, "assumption: district risk-compensation pool in 2016-2020")
    loan_multiplier: float = _field(10.0, 1.0, 50.0, "yuan of loans per yuan of risk pool", "assumption: Guangzhou's 科技信贷风险补偿资金池 is leveraged about 10x")
    loan_size: float = _field(0.03, 0.001, 1.0, "亿元 per loan", "assumption: 300万元 typical tech-credit loan")


class Incubation(Lever):
    id = "incubation"
    name_zh = "孵化育成体系(众创空间-孵化器-加速器-产业园区)"
    name_en = "Incubation chain"
    plan_wording = "加快完善“众创空间—孵化器—加速器—产业园区”孵化育成体系; 支持旧工业园区升级改造为孵化器"
    acts_on = ("incubators", "maker_spaces", "incubation_carriers")

    budget: float = _budget(0.3, "assumption: 13th-plan carrier subsidies; 39 carriers were added over 2016-2020 (PLAN 一(一)3)")
    build_subsidy_incubator: float = _field(0.02, 0.0, 1.0, "亿元 per new incubator", "assumption: 200万元 one-off subsidy to a newly registered incubator")
    build_subsidy_maker_space: float = _field(0.005, 0.0, 1.0, "亿元 per new maker space", "assumption: 50万元 one-off subsidy")
    operating_subsidy: float = _field(0.003, 0.0, 0.5, "亿元 per carrier per year", "assumption: 30万元 yearly performance subsidy")
    conversion_cost: float = _field(0.1, 0.001, 5.0, "亿元 per converted park", "assumption: 1000万元 to convert an old industrial park into an incubator")


class RdInstitutions(Lever):
    id = "rd_institutions"
    name_zh = "新型研发机构与重大创新平台"
    name_en = "R&D institutions"
    plan_wording = "构建“5+N+X”科技创新平台体系; 华为广州研发中心等5个重大科技项目; 新型研发机构"
    acts_on = ("provincial_new_rd_institutions", "invention_patents_granted")

    budget: float = _budget(0.15, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    setup_cost: float = _field(0.3, 0.01, 20.0, "亿元 per new institution", "assumption: 3000万元 district contribution to found a new-type R&D institution")
    operating_support: float = _field(0.05, 0.0, 5.0, "亿元 per institution per year", "assumption: 500万元 yearly operating support")


class IndustryAcademia(Lever):
    id = "industry_academia"
    name_zh = "产学研合作(名校—名企联合实验室)"
    name_en = "Industry-academia collaboration"
    plan_wording = "持续推进“名校—名企”联合实验室建设; 深化高校、科研院所与企业产学研合作"
    acts_on = ("tech_contract_turnover",)

    budget: float = _budget(0.15, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    cost_per_link: float = _field(0.005, 0.0001, 1.0, "亿元 per joint project per year", "assumption: 50万元 a year per joint lab or project")
    link_years: int = _field(3, 1, 10, "years", "assumption: typical joint-lab agreement")


class ListingSupport(Lever):
    id = "listing_support"
    name_zh = "企业上市扶持(科创板、赴港上市)"
    name_en = "Listing support"
    plan_wording = "推动更多优质企业到科创板上市,支持区内符合条件的创新型企业赴港上市"
    acts_on = ("listed_hte",)

    budget: float = _budget(0.05, "assumption: district listing rewards in 2016-2020")
    reward: float = _field(0.03, 0.0, 1.0, "亿元 per listing", "assumption: 300万元 reward per listing (district practice)")


class IpAwards(Lever):
    id = "ip_awards"
    name_zh = "科技奖励与知识产权(专利资助、质押、导航)"
    name_en = "Awards and IP support"
    plan_wording = "加大优秀科技成果奖励力度; 支持高价值知识产权培育; 专利导航"
    acts_on = ("invention_patents_granted", "invention_patents_per_10k", "patent_grants")

    budget: float = _budget(0.1, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    subsidy_per_patent: float = _field(0.0001, 0.0, 0.01, "亿元 per invention patent granted", "assumption: 1万元 per invention patent (Guangzhou practice)")


class Policy(BaseModel):
    """All levers. A scenario's policy acts from 2021; before, the 13th-plan policy runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rd_subsidy: RdSubsidy = RdSubsidy()
    hte_reward: HteReward = HteReward()
    talent_card: TalentCard = TalentCard()
    innovation_teams: InnovationTeams = InnovationTeams()
    guidance_fund: GuidanceFund = GuidanceFund()
    tech_finance: TechFinance = TechFinance()
    incubation: Incubation = Incubation()
    rd_institutions: RdInstitutions = RdInstitutions()
    industry_academia: IndustryAcademia = IndustryAcademia()
    listing_support: ListingSupport = ListingSupport()
    ip_awards: IpAwards = IpAwards()

    def total_budget(self) -> float:
        """Sum of all levers' annual budgets (亿元/yr)."""
        return sum(getattr(self, lid).budget for lid in LEVERS)


LEVERS: dict[str, type[Lever]] = {
    name: field.annotation for name, field in Policy.model_fields.items()  # type: ignore[misc]
}
"""Lever id -> lever class, in the plan's order. The one registry of levers."""


# --------------------------------------------------------------------------- parameters
class Parameters(BaseModel):
    """Behavioural and structural parameters: values, units and sources or priors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # population
    initial_firms: int = _field(22000, 1000, 200000, "firms at end-2015 (full size)", "assumption: innovation-relevant firms of the 6+6 sectors, S&T services and above-scale industry (brief §3: 10^4-10^5)", (15000, 40000))
    revenue_sigma: float = _field(1.5, 0.3, 3.0, "log-sd", "assumption: lognormal firm size (Axtell 2001, Science 293)", (1.2, 1.9))
    business_rd_share: float = _field(0.88, 0.3, 1.0, "fraction", "assumption: enterprises' share of R&D expenditure; national 76.6% in 2020, higher in a district with few public institutes", (0.75, 0.95))
    # R&D decisions
    rd_cost_per_staff: float = _field(11.6, 2.0, 60.0, "万元 of R&D per S&T person per year", "calibrated by hand to 1,046 HTE in 2020 (the 10% S&T-staff criterion binds); gives S&T staff of 10-15% of employees at 2-3% R&D intensity", (8.0, 16.0))
    wage_growth: float = _field(0.07, 0.0, 0.3, "per year", "assumption: Guangzhou urban non-private average wage grew about 7-9%/yr in 2015-2020 (广州统计年鉴)", (0.04, 0.1))
    rd_growth_drift: float = _field(0.05, -0.1, 0.3, "per year", "calibrated by hand to 1.19% -> 1.57% R&D/GDP; national BERD/GDP rose about 5%/yr in 2016-2020", (0.02, 0.08))
    user_cost_elasticity: float = _field(1.1, 0.0, 3.0, "elasticity", "Chen, Liu, Suarez Serrato & Xu (2021), AER 111(7): user-cost elasticity about 1.1", (0.5, 1.5))
    grant_pass_through: float = _field(0.8, 0.0, 2.0, "yuan of R&D per yuan of grant", "Dimos & Pugh (2016) RP 45(4): no crowding-out; Boeing (2016) RP 45(9): 0.5 crowd-out for first grants", (0.4, 1.2))
    bunching_window: float = _field(0.4, 0.0, 0.9, "fraction below the threshold", "Chen et al. (2021): bunching from well below the HTE notch", (0.2, 0.6))
    bunching_rate: float = _field(0.35, 0.0, 1.0, "per year", "prior: share of near-threshold firms that raise R&D to qualify in a year", (0.15, 0.6))
    relabel_share: float = _field(0.24, 0.0, 0.9, "fraction", "Chen et al. (2021): about 24% of the reported R&D rise is relabelling", (0.1, 0.4))
    credit_constraint: float = _field(0.3, 0.0, 0.9, "fraction of desired R&D forgone", "assumption: young unfunded firms cut R&D by this share", (0.1, 0.5))
    talent_elasticity: float = _field(0.6, 0.0, 2.0, "elasticity", "assumption: R&D shortfall per unit of unfilled S&T vacancies", (0.3, 1.0))
    # knowledge and patents
    knowledge_depreciation: float = _field(0.15, 0.0, 0.5, "per year", "Hall, Mairesse & Mohnen (2010), Handbook of the Economics of Innovation: 15%", (0.1, 0.25))
    patent_elasticity: float = _field(0.5, 0.1, 1.5, "elasticity of patents to R&D", "Hausman, Hall & Griliches (1984), Econometrica 52(4): 0.3-0.7 within firm", (0.3, 0.7))
    patent_rate: float = _field(0.05, 0.0, 5.0, "invention patents per year per (100万元 R&D)^elasticity", "calibrated by hand to 2,360 invention patents over 2016-2020 (data file)", (0.03, 0.08))
    institution_patent_rate: float = _field(2.0, 0.0, 50.0, "invention patents per institution-capacity unit per year", "assumption: universities and institutes grant about a quarter of the district's invention patents", (1.0, 4.0))
    patent_lapse: float = _field(0.08, 0.0, 0.5, "per year", "assumption: Chinese invention patents lapse early for unpaid fees (CNIPA survey)", (0.04, 0.15))
    patents_per_invention: float = _field(11.0, 1.0, 40.0, "all patent grants per invention grant", "Guangzhou 2020: 155,835 grants of which 15,077 invention (广州市知识产权局)", (8.0, 16.0))
    spillover: float = _field(0.3, 0.0, 3.0, "knowledge multiplier at district-average institution density", "assumption; Jaffe (1989) AER 79(5) for university spill-overs", (0.1, 0.6))
    link_effect: float = _field(0.5, 0.0, 3.0, "extra knowledge production of linked firms", "assumption: 产学研 links raise knowledge output", (0.2, 1.0))
    # production
    revenue_growth: float = _field(0.06, -0.2, 0.4, "per year", "13th-plan real GDP growth 6.4%/yr (data file)", (0.04, 0.09))
    knowledge_elasticity: float = _field(0.08, 0.0, 0.5, "elasticity of revenue to knowledge capital", "Hall, Mairesse & Mohnen (2010): R&D capital elasticities mostly 0.01-0.25, typically about 0.08", (0.03, 0.15))
    sector_shock_sd: float = _field(0.04, 0.0, 0.5, "per year", "assumption", (0.02, 0.08))
    firm_shock_sd: float = _field(0.25, 0.0, 1.0, "per year", "assumption: idiosyncratic growth dispersion of Chinese SMEs", (0.15, 0.35))
    hightech_adjustment: float = _field(0.5, 0.0, 2.0, "per year", "calibrated by hand with the shift below: speed at which the high-tech product share follows knowledge", (0.3, 0.7))
    hightech_knowledge_slope: float = _field(1.0, 0.0, 5.0, "logit per log knowledge intensity", "assumption", (0.5, 1.5))
    hightech_logit_shift: float = _field(3.0, -5.0, 8.0, "logit", "calibrated by hand to 523.47亿 of high-tech output in 2020", (2.0, 4.0))
    # certification, finance, listing
    hte_apply_rate: float = _field(0.55, 0.0, 1.0, "per year, eligible firms", "prior: eligible firms that apply in a year", (0.3, 0.8))
    reward_response: float = _field(0.5, 0.0, 5.0, "per 10万元 of reward: the non-applying share shrinks by exp(-response * reward)", "assumption", (0.2, 1.0))
    tech_sme_register_rate: float = _field(0.3, 0.0, 1.0, "fraction of eligible firms registering a year", "calibrated by hand to 979 tech SMEs in 2020", (0.15, 0.5))
    vc_deals_per_year: float = _field(20.0, 0.0, 1000.0, "private VC deals per year (district)", "assumption", (10.0, 40.0))
    fund_raise_rate: float = _field(0.35, 0.0, 1.0, "share of designed private capital raised", "Wei, Ang & Jia (2023): 26% of funds reached target size; CSET (2021): 43% of target capital raised", (0.26, 0.43))
    funding_growth_boost: float = _field(0.15, 0.0, 1.0, "extra growth per year for 3 years after funding", "assumption", (0.05, 0.3))
    funding_survival_effect: float = _field(0.5, 0.0, 1.0, "hazard reduction", "assumption", (0.2, 0.7))
    listing_rate: float = _field(0.1, 0.0, 1.0, "per year, for HTE above the listing size", "calibrated by hand to an estimated 8 listed HTE in 2020", (0.05, 0.15))
    listing_revenue: float = _field(30000.0, 1000.0, 1e6, "万元 revenue", "assumption: 3亿元, roughly the STAR-market revenue test", (20000.0, 50000.0))
    listing_response: float = _field(0.3, 0.0, 5.0, "rise in listing rate per 100万元 of reward", "assumption", (0.1, 0.6))
    ip_response: float = _field(0.2, 0.0, 5.0, "rise in patenting per 1万元 of subsidy per patent", "assumption", (0.1, 0.4))
    # demography
    entry_rate: float = _field(0.1, 0.0, 1.0, "entrants per firm per year", "assumption: keeps the firm population roughly stable at SAIC exit hazards", (0.06, 0.14))
    exit_hazard_scale: float = _field(1.0, 0.0, 5.0, "multiplier", "SAIC (2013) age-specific exit hazard of Chinese enterprises: 1.6%, 6.3%, 9.5%, then 8%", (0.7, 1.3))
    incubator_survival_effect: float = _field(0.5, 0.0, 1.0, "hazard reduction of tenants", "Lukeš, Longo & Zouhar (2019) Technovation 82-83: incubation raises survival", (0.2, 0.7))
    incubation_years: float = _field(3.0, 0.5, 10.0, "years", "assumption: usual graduation term", (2.0, 4.0))
    # talent
    talent_departure: float = _field(0.1, 0.0, 1.0, "per year", "assumption: yearly departure hazard of S&T personnel from the district", (0.06, 0.15))
    housing_sensitivity: float = _field(0.0314, 0.0, 0.5, "departure hazard per 1,000 yuan/m2", "Song & Wu (金融研究): +3.14% leaving probability per 1,000 yuan/m2", (0.015, 0.05))
    housing_price_growth: float = _field(0.05, -0.2, 0.3, "per year", "assumption: Baiyun new-home prices", (0.0, 0.08))
    housing_price_2015: float = _field(20.0, 1.0, 200.0, "1,000 yuan/m2", "assumption", (15.0, 25.0))
    card_retention_effect: float = _field(0.5, 0.0, 1.0, "departure hazard reduction of card holders", "assumption", (0.2, 0.8))
    card_attraction: float = _field(0.3, 0.0, 5.0, "rise in high-level arrivals at full card coverage", "assumption", (0.1, 0.6))
    talent_startup_rate: float = _field(0.01, 0.0, 0.5, "start-ups per high-level talent per year", "assumption", (0.005, 0.02))
    # carriers and institutions
    maker_space_rate: float = _field(5.4, 0.0, 100.0, "new maker spaces per year at baseline subsidy", "calibrated by hand to 0 -> 25 maker spaces 2015-2020", (3.0, 8.0))
    incubator_rate: float = _field(2.0, 0.0, 100.0, "new incubators per year at baseline subsidy", "calibrated by hand to 10 -> 24 incubators 2015-2020", (1.5, 4.0))
    subsidy_response: float = _field(0.6, 0.0, 5.0, "rise in carrier creation per 100万元 of build subsidy", "assumption", (0.2, 1.0))
    carrier_closure: float = _field(0.02, 0.0, 0.5, "per year", "assumption", (0.0, 0.05))
    carrier_capacity: float = _field(40.0, 1.0, 1000.0, "tenants per carrier", "59.36万m2 over 49 carriers; assumption of 300 m2 per tenant", (20.0, 60.0))
    recognition_rate: float = _field(0.035, 0.0, 1.0, "per candidate institution per year", "calibrated by hand: 2 of 11 institutes recognised in 2016-2020", (0.02, 0.06))
    contract_multiplier: float = _field(3.8, 0.0, 20.0, "tech-contract turnover per yuan of R&D of registering firms", "calibrated by hand to 1.32亿 (2015, derived) and 70.14亿 (2020)", (2.5, 5.5))
    contract_registration_2015: float = _field(0.02, 0.0, 1.0, "share of R&D-active firms registering contracts in 2015", "calibrated by hand to 1.32亿 in 2015 (derived)", (0.01, 0.04))
    contract_registration_growth: float = _field(0.75, 0.0, 3.0, "logit growth per year of registration", "assumption: Guangdong's push to register technology contracts, 2016-2020", (0.7, 1.3))
    st_services_elasticity: float = _field(1.0, 0.0, 5.0, "S&T-services growth per unit growth of district R&D and contracts", "assumption", (0.5, 1.5))
    # macro
    gdp_growth: float = _field(0.05, -0.1, 0.2, "per year, after 2024", "assumption: continuation of Guangzhou's recent nominal growth", (0.03, 0.07))
    population_growth: float = _field(0.012, -0.05, 0.1, "per year, after 2020", "assumption: Baiyun 2010-2020 census growth was 5.3%/yr, slowing", (0.0, 0.025))


class Scenario(BaseModel):
    """One scenario: which policy runs from 2021, under which behavioural parameters.

    Attributes:
        name: Short identifier used in outputs.
        description: Free text shown in reports.
        end_year: Last simulated year (2021-2035).
        scale: Share of firms and talent simulated; indicators are rescaled by ``1/scale``.
        policy: The levers acting from 2021 (2016-2020 always runs the 13th-plan policy).
        parameters: Behavioural parameters (also used in 2016-2020).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "baseline"
    description: str = ""
    end_year: int = Field(2025, ge=2021, le=2035, json_schema_extra={"unit": "year"})
    scale: float = Field(1.0, gt=0.0, le=1.0, json_schema_extra={"unit": "fraction of full size"})
    policy: Policy = Policy()
    parameters: Parameters = Parameters()

    # ---- dotted paths
    def numeric_paths(self) -> list[str]:
        """Every numeric field's dotted path, in declaration order."""
        return list(numeric_fields(type(self)))

    def get(self, path: str) -> float:
        """Value at a dotted path."""
        obj: Any = self
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    def with_overrides(self, overrides: dict[str, Any], source: str = "--set") -> "Scenario":
        """A copy with values set by dotted path, validated like a file.

        Raises:
            InputError: an unknown path, a non-numeric path, or a value out of range.
        """
        paths = numeric_fields(type(self))
        # Only what was set explicitly (file, base chain, earlier overrides): the rest
        # stays "unset", so a posterior draw may still fill it (innosim.posterior).
        data = self.model_dump(exclude_unset=True)
        for path, value in overrides.items():
            if path not in paths:
                raise InputError(source, path, f"unknown parameter path{did_you_mean(path, paths)}")
            node = data
            *head, last = path.split(".")
            for part in head:
                node = node.setdefault(part, {})
            node[last] = value
        return _validate(data, source)

    def to_toml_dict(self) -> dict[str, Any]:
        """Plain dict of the fully resolved scenario."""
        return self.model_dump(mode="json")

    @functools.cached_property
    def hash(self) -> str:
        """SHA-256 of the resolved scenario (canonical JSON), first 16 hex digits."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@functools.cache
def numeric_fields(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    """Dotted path -> pydantic FieldInfo for every int/float field under ``model``."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        path = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(numeric_fields(ann, path + "."))
        elif ann in (int, float):
            out[path] = info
    return out


def _validate(data: dict[str, Any], source: str | Path) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(source, exc) from None


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a scenario TOML, resolving ``base = ...`` chains (``"default"``: the embedded baseline)."""
    return read_toml_chain(path, "scenario", {"default": _default_raw})


@functools.cache
def _default_raw() -> dict[str, Any]:
    ref = resources.files("innosim") / "data" / "baseline.toml"
    return tomllib.loads(ref.read_text(encoding="utf-8"))


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load and validate a scenario file; ``None`` gives the embedded baseline.

    Raises:
        InputError: missing file, malformed TOML, unknown field, wrong type or
            out-of-range value, naming the file and the field.
    """
    if path is None:
        return default_scenario()
    path = Path(path)
    return _validate(_read_toml(path), path)


@functools.cache
def default_scenario() -> Scenario:
    """The embedded baseline scenario (13th-plan policy intensity continued)."""
    return _validate(dict(_default_raw()), "innosim/data/baseline.toml")


def history_policy() -> Policy:
    """The 13th-plan policy that runs in 2016-2020 for every scenario.

    It is the embedded baseline's policy: the baseline *is* the 13th-plan intensity
    continued, so the two are declared once.
    """
    return default_scenario().policy
