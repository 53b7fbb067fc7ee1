"""Indicators of the 14th Five-Year plan, declared once and computed from agent state.

Each declaration carries its id, Chinese and English names, unit, definition, whether
higher is better, and the function that computes it from the model at a year end. The
2020 fact and the 2025 target come from the facts file by the same id. Shares are
fractions, money is in 亿元, counts are counts; counts and sums over sampled firms are
divided by the model's ``scale``.

The module is over 400 lines because it is one declaration, a table of every indicator (one
entry each, with its names, unit, definition and computation); splitting it would scatter
the one place indicators are declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from innosim.facts import FactBook, default_facts
from innosim.levers import LEVERS
from innosim.model import network
from innosim.model import structure as st
from innosim.timeline import PLAN_13, TARGET_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model import InnovationModel

_WAN_PER_YI = 1e4


@dataclass(frozen=True)
class Indicator:
    """Declaration of one indicator."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    definition: str
    higher_is_better: bool
    compute: Callable[[InnovationModel], float]
    plan: bool = True  # one of the plan's indicators (vs. auxiliary or spending)

    def fact(self, year: int = PLAN_13[1], facts: FactBook | None = None) -> float | None:
        """The observed value for ``year`` from the facts file, if any."""
        f = (facts or default_facts()).find(self.id, year)
        return None if f is None or f.kind == "target" else f.value

    def target(self, facts: FactBook | None = None) -> float | None:
        """The 2025 target, if the plan sets one."""
        f = (facts or default_facts()).find(self.id, TARGET_YEAR)
        return f.value if f is not None and f.kind == "target" else None


# ------------------------------------------------------------------ helpers on model state
def _above_scale(m: InnovationModel) -> np.ndarray:
    fi = m.firms
    return fi.alive & st.above_scale(fi.sales_y1 * m.price_level, fi.industrial)


def _above_scale_industrial(m: InnovationModel) -> np.ndarray:
    fi = m.firms
    return fi.alive & st.above_scale_industrial(fi.sales_y1 * m.price_level, fi.industrial)


def _count(m: InnovationModel, mask: np.ndarray) -> float:
    return float(mask.sum()) / m.scale


def _sum_yi(m: InnovationModel, values: np.ndarray) -> float:
    return float(values.sum()) / _WAN_PER_YI / m.scale * m.price_level


def _hightech_output(m: InnovationModel) -> float:
    fi = m.firms
    return _sum_yi(m, fi.sales_y1 * fi.hightech_share * _above_scale_industrial(m))


def _industrial_output(m: InnovationModel) -> float:
    return _sum_yi(m, m.firms.sales_y1 * _above_scale_industrial(m))


def _leading_industrial(m: InnovationModel) -> np.ndarray:
    """Above-scale industrial firms with sales of 5亿 or more (the district's 龙头企业)."""
    return _above_scale_industrial(m) & (m.firms.sales_y1 * m.price_level >= st.LEADING_INDUSTRIAL)


def _leading_industrial_share(m: InnovationModel) -> float:
    total = _industrial_output(m)
    return _sum_yi(m, m.firms.sales_y1 * _leading_industrial(m)) / total if total else 0.0


def _rd_expenditure(m: InnovationModel) -> float:
    return _sum_yi(m, m.firms.rd_y1 * _above_scale(m)) + m.institution_rd() * m.price_level


def _valid_patents(m: InnovationModel) -> float:
    return float((m.firms.patents * m.firms.alive).sum()) / m.scale + m.institution_patents


def _carriers(m: InnovationModel, kinds: tuple[str, ...]) -> float:
    return float(sum(1 for c in m.carriers if c.kind in kinds))


def _hte_mean(m: InnovationModel, values: np.ndarray) -> float:
    """Mean of ``values`` over the live HTE (0 when there are none)."""
    return _mean_over(m, m.firms.hte & m.firms.alive, values)


def _mean_over(m: InnovationModel, rows: np.ndarray, values: np.ndarray) -> float:
    """Mean of ``values`` over ``rows`` (0 when there are none)."""
    n = int(rows.sum())
    return float(values[rows].sum() / n) if n else 0.0


def _above_scale_industrial_rd_intensity(m: InnovationModel) -> float:
    fi, big = m.firms, _above_scale_industrial(m)
    sales = float(fi.sales_y1[big].sum())
    return float(fi.rd_y1[big].sum()) / sales if sales else 0.0


def _hte_share_of_business_rd(m: InnovationModel) -> float:
    fi = m.firms
    business = float(fi.rd_y1[_above_scale(m)].sum())
    return float(fi.rd_y1[fi.hte & fi.alive].sum()) / business if business else 0.0


def _st_services(m: InnovationModel) -> float:
    fi = m.firms
    return _sum_yi(
        m,
        fi.sales_y1
        * (fi.alive & (fi.sector == st.ST_SERVICES) & (fi.sales_y1 * m.price_level >= st.ABOVE_SCALE_SERVICES)),
    )


# ------------------------------------------------------------------ declarations
_PLAN_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "hte_count",
        "国家高新技术企业数",
        "High-tech enterprises (HTE)",
        "firms",
        "Firms holding a valid HTE certificate at year end",
        True,
        lambda m: _count(m, m.firms.hte & m.firms.alive),
    ),
    Indicator(
        "above_scale_hte_share",
        "规模以上高新技术企业占比",
        "Share of above-scale firms among HTE",
        "fraction",
        "HTE that are above scale (industry: sales >= 2000万元; services: >= 1000万元) over all HTE",
        True,
        lambda m: _hte_mean(m, _above_scale(m)),
    ),
    Indicator(
        "hightech_output",
        "高新技术产品产值",
        "High-tech product output",
        "亿元",
        "Sales of above-scale industrial firms times their high-tech product share, over the year",
        True,
        _hightech_output,
    ),
    Indicator(
        "hightech_output_share",
        "高新技术产品产值占规上工业总产值比重",
        "High-tech share of above-scale industrial output",
        "fraction",
        "High-tech product output over the output of above-scale industrial firms",
        True,
        lambda m: _hightech_output(m) / max(_industrial_output(m), 1e-9),
    ),
    Indicator(
        "rd_expenditure",
        "全社会研发经费投入",
        "R&D expenditure",
        "亿元",
        "Reported R&D of above-scale firms (the scope of the R&D statistics for enterprises) plus R&D of universities and institutes, over the year",
        True,
        _rd_expenditure,
    ),
    Indicator(
        "rd_intensity",
        "研发经费投入强度",
        "R&D intensity (R&D / GDP)",
        "fraction",
        "R&D expenditure over district GDP (GDP is exogenous: see docs/model.md)",
        True,
        lambda m: _rd_expenditure(m) / m.gdp[m.year],
    ),
    Indicator(
        "provincial_new_rd_institutions",
        "省级新型研发机构数",
        "Provincial new-type R&D institutions",
        "institutions",
        "R&D institutions recognised as provincial new-type R&D institutions",
        True,
        lambda m: float(sum(1 for i in m.institutions if i.provincial)),
    ),
    Indicator(
        "incubators",
        "孵化器(加速器)数",
        "Incubators and accelerators",
        "carriers",
        "Registered incubators and accelerators open at year end",
        True,
        lambda m: _carriers(m, ("incubator", "accelerator")),
    ),
    Indicator(
        "maker_spaces",
        "众创空间数",
        "Maker spaces",
        "carriers",
        "Maker spaces open at year end",
        True,
        lambda m: _carriers(m, ("maker_space",)),
    ),
    Indicator(
        "incubation_carriers",
        "科技企业孵化载体数",
        "Incubation carriers",
        "carriers",
        "Incubators, accelerators and maker spaces open at year end",
        True,
        lambda m: _carriers(m, ("incubator", "accelerator", "maker_space")),
    ),
    Indicator(
        "invention_patents_per_10k",
        "万人发明专利拥有量",
        "Valid invention patents per 10k residents",
        "patents per 10k residents",
        "Valid invention patents held in the district per 10,000 residents",
        True,
        lambda m: _valid_patents(m) / m.population[m.year] * 1e4,
    ),
    Indicator(
        "invention_patents_granted",
        "发明专利授权量(规划期累计)",
        "Invention patents granted (plan period)",
        "patents",
        "Invention patents granted since the start of the plan period (2016 or 2021)",
        True,
        lambda m: m.period_flow("invention_patents_granted"),
    ),
    Indicator(
        "patent_grants",
        "专利授权量(规划期累计)",
        "Patent grants, all types (plan period)",
        "patents",
        "Invention, utility-model and design grants since the start of the plan period: invention grants "
        "times the all-to-invention ratio",
        True,
        lambda m: m.period_flow("invention_patents_granted") * m.p.patents_per_invention,
    ),
    Indicator(
        "innovation_teams",
        "引育创新创业团队(规划期累计)",
        "Innovation teams introduced (plan period)",
        "teams",
        "Innovation and start-up teams introduced since the start of the plan period",
        True,
        lambda m: m.period_flow("innovation_teams"),
    ),
    Indicator(
        "listed_hte",
        "上市高新技术企业数",
        "Listed HTE",
        "firms",
        "Listed firms holding an HTE certificate",
        True,
        lambda m: _count(m, m.firms.listed & m.firms.hte & m.firms.alive),
    ),
    Indicator(
        "st_services_revenue",
        "规上科学研究和技术服务业营业收入",
        "Above-scale S&T services revenue",
        "亿元",
        "Revenue of S&T-services firms with revenue >= 1000万元, over the year",
        True,
        _st_services,
    ),
    Indicator(
        "tech_sme_count",
        "科技型中小企业数",
        "Tech SMEs",
        "firms",
        "Firms registered as 科技型中小企业 that meet the 2017 criteria",
        True,
        lambda m: _count(m, m.firms.tech_sme & m.firms.alive),
    ),
    Indicator(
        "tech_contract_turnover",
        "技术合同成交额",
        "Technology contract turnover",
        "亿元",
        "Registered technology-contract turnover over the year",
        True,
        lambda m: m.year_flow("tech_contract_turnover"),
    ),
)

_AUX_INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "hte_notch_rd",
        "高企认定门槛带来的研发投入",
        "R&D reported because of the HTE notch",
        "亿元",
        "Reported R&D that firms add to reach or keep the HTE R&D criterion (part of it relabelled), over the year",
        True,
        lambda m: m.year_flow("notch_rd"),
        plan=False,
    ),
    Indicator(
        "industry_academia_links",
        "产学研合作关系数",
        "Industry-academia links",
        "links",
        "产学研 links between firms and R&D institutions in force at year end (funded and found by search)",
        True,
        lambda m: _count(m, network.live(m)),
        plan=False,
    ),
    Indicator(
        "hte_mean_revenue",
        "高新技术企业平均营业收入",
        "Mean revenue of an HTE",
        "亿元",
        "Sales over the year of the firms holding an HTE certificate at year end, per firm",
        True,
        lambda m: _hte_mean(m, m.firms.sales_y1 * m.price_level / _WAN_PER_YI),
        plan=False,
    ),
    Indicator(
        "hte_mean_staff",
        "高新技术企业平均从业人员",
        "Mean employees of an HTE",
        "persons",
        "Employees of the firms holding an HTE certificate at year end, per firm",
        True,
        lambda m: _hte_mean(m, m.employees()),
        plan=False,
    ),
    Indicator(
        "above_scale_industrial_rd_intensity",
        "规上工业企业研发经费占营业收入比重",
        "R&D intensity of above-scale industry",
        "fraction",
        "R&D over sales of industrial firms with sales >= 2000万元, over the year",
        True,
        _above_scale_industrial_rd_intensity,
        plan=False,
    ),
    Indicator(
        "above_scale_industrial_rd_performers",
        "规上工业企业中开展研发活动的比重",
        "Share of above-scale industrial firms doing R&D",
        "fraction",
        "Industrial firms with sales >= 2000万元 that did R&D in the year, over all of them (Baiyun: 36.6% in 2020, "
        "estimated from the 43.1% with an R&D institution, PLAN 一(一)2, and Dongguan's 44.5% doing R&D against "
        "52.4% with an institution in 2021; data file)",
        True,
        lambda m: _mean_over(m, _above_scale_industrial(m), m.firms.rd_y1 > 0),
        plan=False,
    ),
    Indicator(
        "hte_share_of_business_rd",
        "高新技术企业研发经费占企业研发经费比重",
        "HTE R&D over business R&D",
        "fraction",
        "R&D of the firms holding an HTE certificate at year end over the R&D of above-scale firms (the "
        "statistics' business R&D), over the year; 70% nationally in 2021 (data file)",
        True,
        _hte_share_of_business_rd,
        plan=False,
    ),
    Indicator(
        "above_scale_industrial_hte_share",
        "规上工业高新技术企业占比",
        "Share of above-scale industrial firms among HTE",
        "fraction",
        "HTE that are above-scale industrial firms (sales >= 2000万元) over all HTE; 36.5% nationally at the "
        "end of 2024 (data file)",
        True,
        lambda m: _hte_mean(m, _above_scale_industrial(m)),
        plan=False,
    ),
    Indicator(
        "firms",
        "创新相关企业数",
        "Innovation-relevant firms",
        "firms",
        "Live firms in the model population",
        True,
        lambda m: _count(m, m.firms.alive),
        plan=False,
    ),
    Indicator(
        "st_personnel",
        "科技人员数",
        "S&T personnel",
        "persons",
        "S&T personnel in the district",
        True,
        lambda m: _count(m, m.talent.alive),
        plan=False,
    ),
    Indicator(
        "high_level_talent",
        "高层次人才数",
        "High-level talent",
        "persons",
        "Leading and high-end S&T personnel in the district",
        True,
        lambda m: _count(m, m.talent.alive & (m.talent.level < 2)),
        plan=False,
    ),
    Indicator(
        "financed_firms",
        "获股权投资或科技信贷企业数",
        "Firms with equity or tech credit",
        "firms",
        "Firms whose finance constraint is relaxed at year end by equity (VC, guidance fund) or tech credit",
        True,
        lambda m: _count(m, m.firms.alive & (m.firms.financed_until >= m.t)),
        plan=False,
    ),
    Indicator(
        "above_scale_industrial_output",
        "规上工业总产值",
        "Above-scale industrial output",
        "亿元",
        "Sales of industrial firms with sales >= 2000万元",
        True,
        _industrial_output,
        plan=False,
    ),
    Indicator(
        "leading_industrial_firms",
        "产值5亿元以上工业企业数",
        "Industrial firms with output of 5亿 or more",
        "firms",
        "Industrial firms with sales >= 5亿元 in the year (the district's leading firms, 龙头企业)",
        True,
        lambda m: _count(m, _leading_industrial(m)),
        plan=False,
    ),
    Indicator(
        "leading_industrial_output_share",
        "产值5亿元以上工业企业产值占规上工业比重",
        "Share of above-scale industrial output from firms of 5亿 or more",
        "fraction",
        "Sales of industrial firms with sales >= 5亿元 over those of all industrial firms with sales >= 2000万元: "
        "how concentrated industry is in its largest firms",
        True,
        _leading_industrial_share,
        plan=False,
    ),
    Indicator(
        "valid_invention_patents",
        "有效发明专利数",
        "Valid invention patents",
        "patents",
        "Valid invention patents held in the district",
        True,
        _valid_patents,
        plan=False,
    ),
)


def _spending(lever_id: str) -> Callable[[InnovationModel], float]:
    return lambda m: m.government.spent(m.year, lever_id)


_SPENDING_INDICATORS: tuple[Indicator, ...] = tuple(
    Indicator(
        f"spending_{lid}",
        f"财政投入:{cls.name_zh}",
        f"Public spending: {cls.name_en}",
        "亿元",
        f"Public money spent on the {cls.name_en} lever in the year (never above its budget)",
        False,
        _spending(lid),
        plan=False,
    )
    for lid, cls in LEVERS.items()
) + (
    Indicator(
        "spending_total",
        "财政投入合计",
        "Public spending, all levers",
        "亿元",
        "Public money spent on all levers in the year",
        False,
        lambda m: sum(m.government.spent(m.year, lid) for lid in LEVERS),
        plan=False,
    ),
)

INDICATORS: dict[str, Indicator] = {i.id: i for i in _PLAN_INDICATORS + _AUX_INDICATORS + _SPENDING_INDICATORS}
"""Every indicator, by id, in display order. The one registry of indicators."""

INDICATOR_ORDER: dict[str, int] = {iid: i for i, iid in enumerate(INDICATORS)}
"""Indicator id -> its place in :data:`INDICATORS`, to sort tables in display order."""


def target_indicators() -> list[str]:
    """Indicators with a 2025 target (the plan's targets), in registry order."""
    return [iid for iid, ind in INDICATORS.items() if ind.target() is not None]


def format_value(x: float | None, unit: str) -> str:
    """A value for tables: shares as percentages, counts without decimals, money to 2-3 figures."""
    if x is None:
        return "-"
    if unit == "fraction":
        return f"{x:.1%}" if abs(x) >= 0.1 else f"{x:.2%}"
    if unit != "亿元" and abs(x) >= 10:
        return f"{x:,.0f}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.2f}"


def format_signed(x: float, unit: str, suffix: bool = True) -> str:
    """A change for tables: :func:`format_value` of its size with a ``+`` or ``-`` sign; a change of
    a share in percentage points (``+0.95 pp``; without ``pp`` when ``suffix`` is false, as for the
    lower end of a range)."""
    sign = "-" if x < 0 else "+"
    if unit == "fraction":
        points = abs(x) * 100
        return (
            f"{sign}{points:.1f}{' pp' if suffix else ''}"
            if points >= 10
            else f"{sign}{points:.2f}{' pp' if suffix else ''}"
        )
    return sign + format_value(abs(x), unit)


def compute_all(model: InnovationModel) -> dict[str, float]:
    """Every indicator for the model's current year."""
    return {iid: float(ind.compute(model)) for iid, ind in INDICATORS.items()}
