"""Fixed structure of Baiyun's innovation system and the real rules the model encodes.

Sectors follow the plan's "6+6" system (六大支柱型优势产业 + 六大战略性新兴产业), plus
S&T services and the rest; zones follow "一园一城双廊". Certification thresholds and
tax rules are the official ones (see each constant's docstring).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sector:
    """One sector of the 6+6 system (with its synthesis assumptions)."""

    zh: str
    en: str
    kind: str  # pillar | emerging | services | other
    weight: float  # share of firms at end-2015 (assumption)
    industrial: float  # probability that a firm is industrial (assumption)
    rd_active: float  # share of firms doing any R&D (assumption)
    rd_median: float  # median R&D intensity of R&D-active firms (assumption)


SECTORS: tuple[Sector, ...] = (
    Sector("美丽健康", "Beauty and health", "pillar", 0.12, 0.70, 0.50, 0.025),
    Sector("现代都市农业", "Modern urban agriculture", "pillar", 0.04, 0.50, 0.30, 0.012),
    Sector("航空运输与现代物流", "Aviation and modern logistics", "pillar", 0.10, 0.10, 0.25, 0.008),
    Sector("现代都市消费", "Modern urban consumer industries", "pillar", 0.22, 0.60, 0.35, 0.012),
    Sector("轨道交通", "Rail transit", "pillar", 0.04, 0.70, 0.60, 0.030),
    Sector("建筑业", "Construction", "pillar", 0.10, 0.20, 0.30, 0.010),
    Sector("智能汽车", "Intelligent vehicles", "emerging", 0.03, 0.80, 0.70, 0.040),
    Sector("激光及等离子体", "Laser and plasma", "emerging", 0.01, 0.80, 0.80, 0.060),
    Sector("新能源", "New energy", "emerging", 0.03, 0.70, 0.60, 0.035),
    Sector("新一代信息技术", "Next-generation IT", "emerging", 0.08, 0.20, 0.70, 0.060),
    Sector("设计产业", "Design", "emerging", 0.05, 0.10, 0.50, 0.030),
    Sector("文化旅游创意", "Culture, tourism and creative", "emerging", 0.05, 0.05, 0.30, 0.010),
    Sector("科技服务", "S&T services", "services", 0.05, 0.00, 0.70, 0.050),
    Sector("其他", "Other", "other", 0.08, 0.50, 0.25, 0.010),
)
ST_SERVICES = 12
"""Index of the S&T services sector (科学研究和技术服务业)."""

SECTOR_WEIGHTS = np.array([s.weight for s in SECTORS]) / sum(s.weight for s in SECTORS)
SECTOR_INDUSTRIAL = np.array([s.industrial for s in SECTORS])
SECTOR_RD_ACTIVE = np.array([s.rd_active for s in SECTORS])
SECTOR_RD_ACTIVE_LOGIT = np.log(SECTOR_RD_ACTIVE / (1 - SECTOR_RD_ACTIVE))
SECTOR_RD_MEDIAN = np.array([s.rd_median for s in SECTORS])
EMERGING = np.array([s.kind == "emerging" for s in SECTORS])
ENTRANT_WEIGHTS = SECTOR_WEIGHTS * np.where(EMERGING, 2.0, 1.0)
ENTRANT_WEIGHTS = ENTRANT_WEIGHTS / ENTRANT_WEIGHTS.sum()
"""Entrants tilt towards the emerging sectors (assumption: twice their stock share)."""

ZONES: tuple[tuple[str, str, float], ...] = (
    ("广州民营科技园", "Guangzhou Private Science and Technology Park", 0.15),
    ("白云湖数字科技城", "Baiyun Lake Digital Technology City", 0.08),
    ("数字经济创新走廊", "Digital Economy Innovation Corridor", 0.12),
    ("白云大道产业创新走廊", "Baiyun Avenue Industrial Innovation Corridor", 0.15),
    ("其他", "Rest of the district", 0.50),
)
ZONE_WEIGHTS = np.array([z[2] for z in ZONES])

# --- 国科发火〔2016〕32号 《高新技术企业认定管理办法》 (from 2016), replacing 国科发火〔2008〕172号
HTE_MIN_AGE_YEARS = 1.0
HTE_MIN_STAFF_SHARE = 0.10
# high-tech income >= 60%: met as presented (parameters.presentable_hightech_min, its upper bound)
HTE_VALID_YEARS = 3
HTE_SALES_BANDS = (5000.0, 20000.0)  # 万元: <=50M yuan, 50-200M
HTE_RD_THRESHOLDS = (0.05, 0.04, 0.03)
HTE_REFORM_YEAR = 2016
"""First year of the 2016 rules. Under the 2008 rules (国科发火〔2008〕172号), firms with
sales under 5000万元 needed R&D of 6% of sales, not 5%; the other bands were the same.
(The 2008 rules also asked for 30% college-educated S&T staff, which the model does not
represent.) The firms the 2016 reform made eligible explain much of the 2016 jump in
Guangzhou's HTE stock (1,919 at end-2015, 4,742 at end-2016)."""
HTE_RD_THRESHOLDS_2008 = (0.06, 0.04, 0.03)
HTE_IP_KNOWLEDGE = 80.0
"""Knowledge stock (万元) standing for core IP other than invention patents (utility
models, software copyrights), an assumption of the model."""


def hte_rd_threshold(sales: np.ndarray, year: int) -> np.ndarray:
    """R&D-to-sales threshold by sales band (sales in 万元) under the rules in force in ``year``."""
    lo, hi = HTE_SALES_BANDS
    small, mid, large = HTE_RD_THRESHOLDS if year >= HTE_REFORM_YEAR else HTE_RD_THRESHOLDS_2008
    return np.where(sales <= lo, small, np.where(sales <= hi, mid, large))


def has_core_ip(patents: np.ndarray, knowledge: np.ndarray, other_ip: np.ndarray) -> np.ndarray:
    """The IP criterion: an invention patent, a knowledge stock standing for other core IP,
    or other IP acquired for the application."""
    return (patents >= 1) | (knowledge >= HTE_IP_KNOWLEDGE) | other_ip


PATENT_GRANT_SUBSIDY_END = 2025
"""Grant-stage patent subsidies end before 2025 (CNIPA 国知发保字〔2021〕1号: "“十四五”期间,
各地方要逐步减少对专利授权的各类财政资助,在2025年以前全部取消")."""

# --- 规模以上 thresholds (国家统计局)
ABOVE_SCALE_INDUSTRIAL = 2000.0  # 万元 main-business revenue
ABOVE_SCALE_SERVICES = 1000.0  # 万元, for 科学研究和技术服务业 and other services
LEADING_INDUSTRIAL = 50000.0  # 万元: the district's class of leading industrial firms (产值5亿元以上的龙头企业)


def above_scale(sales: np.ndarray, industrial: np.ndarray) -> np.ndarray:
    """Whether firms with ``sales`` (万元 a year, nominal) are above scale (规模以上 / 四上)."""
    return sales >= np.where(industrial, ABOVE_SCALE_INDUSTRIAL, ABOVE_SCALE_SERVICES)


def above_scale_industrial(sales: np.ndarray, industrial: np.ndarray) -> np.ndarray:
    """Whether firms with ``sales`` (万元 a year, nominal) are above-scale industrial firms (规上工业)."""
    return industrial & (sales >= ABOVE_SCALE_INDUSTRIAL)


# --- Guangzhou's reward for HTE certification (city and district funds under the city's schemes)
CITY_HTE_REWARD_2015_2017 = 120.0
"""万元 per firm certified in 2015-2017: a 20万元 subsidy on the accepted application and a 100万元 reward
on certification, paid by the city and the districts (《广州市科技创新小巨人企业及高新技术企业培育行动方案》,
穗府办函〔2015〕127号; 2017 notice: 「市财政给予每家20万元经费补贴……由市、区两级财政……给予每家总额100万元
的资金奖励」, reposted at http://m.kaituanwang.com/news/show-320.html)."""
CITY_HTE_REWARD_2018_2020 = ((200.0, 30.0), (1000.0, 50.0), (math.inf, 100.0))
"""(R&D below, 万元 a year; reward 万元) for firms certified in 2018-2020, with 100万元 for any above-scale firm
(《广州市高新技术企业树标提质行动方案(2018—2020年)》: 「参考企业研发投入状况分档给予奖励,最高100万元」;
tiers as listed at http://www.feimabiji.com/news/keji-13464.html: 「研發費‹200萬,補貼30萬;1000萬>研發費≥200萬,
補貼50萬;研發費≥1000萬,補貼100萬。②納入統計的規上企業獎勵100萬」)."""
CITY_HTE_REWARD_2021 = (20.0, 10.0, 10.0, ((1000.0, 0.0), (5000.0, 20.0), (10000.0, 40.0), (math.inf, 70.0)))
"""From 2021 (穗科规字〔2021〕4号, in force to 2024 and assumed to continue): 20万元 for a first certificate,
10万元 for a renewal, 10万元 more for an above-scale firm, and 20/40/70万元 more for R&D of 1000-5000万元,
5000万-1亿元 and over 1亿元 (「首次认定通过的高新技术企业,给予20万元奖励。重新认定通过的高新技术企业,给予10万元
奖励……首次纳入国民经济统计"四上"企业库,额外奖励10万元。研发费用投入金额在1000万~5000万元之间的,额外奖励20万元
……5000万~1亿元之间的,额外奖励40万元……1亿元以上的,额外奖励70万元」, reposted at
https://gzzhilu.com/newsinfo/2516967.html)."""


def city_hte_reward(year: int, rd: np.ndarray, is_above_scale: np.ndarray, renewal: np.ndarray) -> np.ndarray:
    """Guangzhou's reward (万元) for a certificate won in ``year``, by the firm's R&D (万元 a year,
    nominal), scale and whether it renews one (renewals were rewarded only from 2021)."""
    if year <= 2017:
        return np.where(renewal, 0.0, CITY_HTE_REWARD_2015_2017)
    if year <= 2020:
        top = CITY_HTE_REWARD_2018_2020[-1][1]
        return np.where(renewal, 0.0, np.where(is_above_scale, top, _tier(CITY_HTE_REWARD_2018_2020, rd)))
    first, again, scale_bonus, rd_tiers = CITY_HTE_REWARD_2021
    return np.where(renewal, again, first) + np.where(is_above_scale, scale_bonus, 0.0) + _tier(rd_tiers, rd)


def _tier(tiers: tuple[tuple[float, float], ...], rd: np.ndarray) -> np.ndarray:
    """The amount of the tier ``(R&D below, amount)`` each firm's R&D falls in."""
    bounds, amounts = zip(*tiers, strict=True)
    return np.asarray(amounts)[np.searchsorted(bounds, rd, side="right")]


# --- 科技型中小企业评价办法 (国科发政〔2017〕115号), evaluated from 2017
TECH_SME_FIRST_YEAR = 2017
TECH_SME_MAX_STAFF = 500
TECH_SME_MAX_SALES = 20000.0  # 万元
TECH_SME_MIN_SCORE = 60


def tech_sme_score(staff_share: np.ndarray, rd_intensity: np.ndarray, invention_patents: np.ndarray) -> np.ndarray:
    """Score of the 2017 evaluation: S&T staff (20), R&D intensity (50), IP (30)."""
    staff_pts = np.select(
        [staff_share >= 0.30, staff_share >= 0.25, staff_share >= 0.20, staff_share >= 0.15, staff_share >= 0.10],
        [20, 16, 12, 8, 4],
        0,
    )
    rd_pts = np.select(
        [rd_intensity >= 0.06, rd_intensity >= 0.05, rd_intensity >= 0.04, rd_intensity >= 0.03, rd_intensity >= 0.02],
        [50, 40, 30, 20, 10],
        0,
    )
    ip_pts = np.where(invention_patents >= 1, 30, 0)
    return staff_pts + rd_pts + ip_pts


# --- corporate income tax and R&D super-deduction
CIT_RATE = 0.25
CIT_RATE_HTE = 0.15


def super_deduction(year: int, industrial: np.ndarray) -> np.ndarray:
    """Extra deduction of R&D: 50% to 2017, 75% 2018-2020 (财税〔2018〕99号), 100% for
    manufacturing from 2021 (财政部 税务总局公告2021年第13号), 100% for all from 2023
    (公告2023年第7号)."""
    if year <= 2017:
        return np.full(industrial.shape, 0.5)
    if year <= 2020:
        return np.full(industrial.shape, 0.75)
    if year <= 2022:
        return np.where(industrial, 1.0, 0.75)
    return np.full(industrial.shape, 1.0)


def rd_user_cost(year: int, industrial: np.ndarray, hte: np.ndarray) -> np.ndarray:
    """After-tax cost of one yuan of R&D: 1 - t * (1 + deduction)."""
    tax = np.where(hte, CIT_RATE_HTE, CIT_RATE)
    return 1.0 - tax * (1.0 + super_deduction(year, industrial))


USER_COST_2015 = 1.0 - CIT_RATE * 1.5
"""Reference user cost (a non-HTE firm in 2015)."""

# --- SAIC (2013) 《全国内资企业生存时间分析报告》: exit hazard by age
EXIT_HAZARD_BY_AGE = np.array([0.016, 0.063, 0.095, 0.085, 0.08, 0.08, 0.08, 0.05])
"""Yearly exit hazard at age 0, 1, ..., 6 and 7+ (7+ is an assumption)."""


def exit_hazard(age: np.ndarray) -> np.ndarray:
    """Yearly exit hazard for firms of the given ages (years)."""
    idx = np.minimum(age.astype(np.int64), len(EXIT_HAZARD_BY_AGE) - 1)
    return EXIT_HAZARD_BY_AGE[np.maximum(idx, 0)]


TALENT_LEVELS = ("leading", "high_end", "skilled")
TALENT_LEVEL_SHARES = np.array([0.01, 0.09, 0.90])
"""Shares of leading / high-end / skilled among S&T personnel (assumption; the plan counts
about 150 provincial and municipal high-end talents and 845 district high-end talents)."""
