"""Policy levers: every lever of the plan, with its annual budget and design parameters.

Each lever is a pydantic model declared once here, with its Chinese and English names, the
plan's wording, the indicators it acts on, and every numeric field's valid range, unit and
source (:func:`innosim.fields.numeric`). A scenario's ``[policy.<lever>]`` tables set them;
:data:`LEVERS` is the one registry of levers, in the plan's order.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from innosim.fields import budget, numeric


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

    budget: float = budget(
        1.3,
        "13th plan: about 11亿 of S&T grants over 2016-2020 (PLAN 一(一)5), 2.2亿/yr, of which 1.3 taken as project grants (assumption; the rest is split over HTE rewards, IP awards, 产学研 and R&D institutions)",
    )
    approval_rate: float = numeric(
        0.265,
        0.01,
        1.0,
        "fraction",
        "13th plan: (1720 + 497) approved of (4927 + 3427) applied provincial and municipal projects (PLAN 一(一)5)",
    )
    application_rate: float = numeric(
        0.35,
        0.0,
        1.0,
        "fraction of R&D-active firms per year",
        "assumption: gives about 1,700 applications a year at 2016 size, as the 13th plan's 8,354 over five years",
    )
    grant_share: float = numeric(
        0.3,
        0.01,
        1.0,
        "fraction of the firm's annual R&D",
        "assumption: typical matching-grant share of provincial and municipal programmes",
    )
    max_grant: float = numeric(
        0.02,
        0.0001,
        1.0,
        "亿元 per project",
        "assumption: 200万元 cap; the 13th-plan average was 11亿 / 2217 projects = 50万元",
    )


class HteReward(Lever):
    id = "hte_reward"
    name_zh = "高新技术企业培育与认定奖励"
    name_en = "HTE cultivation and certification reward"
    plan_wording = "实施高新技术企业高质量发展行动计划,建立高新技术企业培育库"
    acts_on = ("hte_count",)

    budget: float = budget(
        0.5,
        "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5) paid as the district's HTE rewards (Guangzhou's own schedule is paid on top, outside the district's budget)",
    )
    reward: float = numeric(
        0.003,
        0.0,
        0.1,
        "亿元 per first certification",
        "assumption: 30万元, the district's own reward for a first HTE certificate, on top of Guangzhou's schedule (innosim.model.structure.city_hte_reward); no Baiyun amount was found",
    )
    pool_size: int = numeric(
        100, 0, 5000, "firms", "13th plan: 102 firms in the HTE cultivation pool in 2020 (PLAN 一(一)3)"
    )
    pool_grant: float = numeric(
        0.0005, 0.0, 0.05, "亿元 per pool firm per year", "assumption: 5万元 cultivation support per pool firm"
    )


class TalentCard(Lever):
    id = "talent_card"
    name_zh = "人才绿卡与云聚英才卡"
    name_en = "Talent card"
    plan_wording = "全面落实“人才绿卡”和“云聚英才卡”,完善住房、医疗、教育等人才综合服务; 人才投、人才贷、人才保"
    acts_on = ("high_level_talent",)

    budget: float = budget(
        0.3,
        "assumption: 13th-plan district talent programmes (845 high-end and 67 leading talents recognised over 2016-2020, PLAN 一(一)4) at about 3万元 a year each",
    )
    cost_per_card: float = numeric(
        0.0003,
        0.00001,
        0.01,
        "亿元 per card holder per year",
        "assumption: 3万元 of housing, medical and schooling services a year",
    )


class InnovationTeams(Lever):
    id = "innovation_teams"
    name_zh = "引进创新创业团队"
    name_en = "Innovation and start-up teams"
    plan_wording = "累计引育创新创业团队57个"
    acts_on = ("innovation_teams", "firms")

    budget: float = budget(
        0.2, "assumption: about 2 teams a year in 2016-2020 (data file: innovation_teams 2016-2020) at the cost below"
    )
    cost_per_team: float = numeric(
        0.1, 0.001, 5.0, "亿元 per team", "assumption: 1000万元 district support per introduced team, paid on arrival"
    )
    team_size: int = numeric(5, 1, 50, "persons", "assumption: one leading and four high-end researchers")


class GuidanceFund(Lever):
    id = "guidance_fund"
    name_zh = "科技成果产业化引导基金"
    name_en = "Guidance fund"
    plan_wording = "设立广州市科技成果产业化引导基金子基金; 发挥白云金控等金融平台作用"
    acts_on = ("financed_firms",)

    budget: float = budget(0.0, "13th plan: no district guidance fund; the plan sets one up (PLAN 三)")
    leverage: float = numeric(
        3.0,
        0.0,
        10.0,
        "private yuan per public yuan (designed)",
        "designed 1:3-1:4 (Wei, Ang & Jia 2023, China Quarterly)",
    )
    deal_size: float = numeric(0.05, 0.001, 5.0, "亿元 per investment", "assumption: 500万元 early-stage ticket")


class TechFinance(Lever):
    id = "tech_finance"
    name_zh = "科技金融(科技信贷、科技保险、知识产权质押、风险补偿)"
    name_en = "Tech finance (credit, insurance, IP pledge, risk compensation)"
    plan_wording = "创新科技信贷、科技保险、科技融资租赁; 开展知识产权质押融资、科技保险、科技融资担保风险补偿"
    acts_on = ("financed_firms",)

    budget: float = budget(0.1, "assumption: district risk-compensation pool in 2016-2020")
    loan_multiplier: float = numeric(
        10.0,
        1.0,
        50.0,
        "yuan of loans per yuan of risk pool",
        "assumption: Guangzhou's 科技信贷风险补偿资金池 is leveraged about 10x",
    )
    loan_size: float = numeric(0.03, 0.001, 1.0, "亿元 per loan", "assumption: 300万元 typical tech-credit loan")


class Incubation(Lever):
    id = "incubation"
    name_zh = "孵化育成体系(众创空间-孵化器-加速器-产业园区)"
    name_en = "Incubation chain"
    plan_wording = "加快完善“众创空间—孵化器—加速器—产业园区”孵化育成体系; 支持旧工业园区升级改造为孵化器"
    acts_on = ("incubators", "maker_spaces", "incubation_carriers")

    budget: float = budget(
        0.3, "assumption: 13th-plan carrier subsidies; 39 carriers were added over 2016-2020 (PLAN 一(一)3)"
    )
    build_subsidy_incubator: float = numeric(
        0.02, 0.0, 1.0, "亿元 per new incubator", "assumption: 200万元 one-off subsidy to a newly registered incubator"
    )
    build_subsidy_maker_space: float = numeric(
        0.005, 0.0, 1.0, "亿元 per new maker space", "assumption: 50万元 one-off subsidy"
    )
    operating_subsidy: float = numeric(
        0.003, 0.0, 0.5, "亿元 per carrier per year", "assumption: 30万元 yearly performance subsidy"
    )
    conversion_cost: float = numeric(
        0.1,
        0.001,
        5.0,
        "亿元 per converted park",
        "assumption: 1000万元 to convert an old industrial park into an incubator",
    )


class RdInstitutions(Lever):
    id = "rd_institutions"
    name_zh = "新型研发机构与重大创新平台"
    name_en = "R&D institutions"
    plan_wording = "构建“5+N+X”科技创新平台体系; 华为广州研发中心等5个重大科技项目; 新型研发机构"
    acts_on = ("provincial_new_rd_institutions", "invention_patents_granted")

    budget: float = budget(0.15, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    setup_cost: float = numeric(
        0.3,
        0.01,
        20.0,
        "亿元 per new institution",
        "assumption: 3000万元 district contribution to found a new-type R&D institution",
    )
    operating_support: float = numeric(
        0.05, 0.0, 5.0, "亿元 per institution per year", "assumption: 500万元 yearly operating support"
    )


class IndustryAcademia(Lever):
    id = "industry_academia"
    name_zh = "产学研合作(名校—名企联合实验室)"
    name_en = "Industry-academia collaboration"
    plan_wording = "持续推进“名校—名企”联合实验室建设; 深化高校、科研院所与企业产学研合作"
    acts_on = ("tech_contract_turnover",)

    budget: float = budget(0.15, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    cost_per_link: float = numeric(
        0.005, 0.0001, 1.0, "亿元 per joint project per year", "assumption: 50万元 a year per joint lab or project"
    )
    link_years: int = numeric(3, 1, 10, "years", "assumption: typical joint-lab agreement")


class ListingSupport(Lever):
    id = "listing_support"
    name_zh = "企业上市扶持(科创板、赴港上市)"
    name_en = "Listing support"
    plan_wording = "推动更多优质企业到科创板上市,支持区内符合条件的创新型企业赴港上市"
    acts_on = ("listed_hte",)

    budget: float = budget(0.05, "assumption: district listing rewards in 2016-2020")
    reward: float = numeric(
        0.03, 0.0, 1.0, "亿元 per listing", "assumption: 300万元 reward per listing (district practice)"
    )
    reserve_grant: float = numeric(
        0.005,
        0.0,
        0.5,
        "亿元 per reserve firm per year",
        "assumption: 50万元 a year of support (shareholding reform, intermediaries) to each firm of the listing reserve (上市后备企业库), from what the year's expected listing rewards leave of the budget",
    )


class IpAwards(Lever):
    id = "ip_awards"
    name_zh = "科技奖励与知识产权(专利资助、质押、导航)"
    name_en = "Awards and IP support"
    plan_wording = "加大优秀科技成果奖励力度; 支持高价值知识产权培育; 专利导航"
    acts_on = ("invention_patents_granted", "invention_patents_per_10k", "patent_grants")

    budget: float = budget(0.1, "assumption: share of the 13th-plan S&T grants (PLAN 一(一)5)")
    subsidy_per_patent: float = numeric(
        0.0001,
        0.0,
        0.01,
        "亿元 per invention patent granted",
        "assumption: 1万元 per invention patent (Guangzhou practice); paid only until 2024, as CNIPA's 国知发保字〔2021〕1号 abolishes grant-stage subsidies before 2025",
    )
    cost_per_project: float = numeric(
        0.01,
        0.0,
        1.0,
        "亿元 per high-value patent project per year",
        "assumption: 100万元 a year per 高价值专利培育 project (the support the CNIPA notice leaves in place)",
    )


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
    name: field.annotation for name, field in Policy.model_fields.items() if isinstance(field.annotation, type)
}
"""Lever id -> lever class, in the plan's order. The one registry of levers."""
