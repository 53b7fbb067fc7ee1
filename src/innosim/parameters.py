"""Behavioural and structural parameters, declared once with their sources and priors.

This is the one place parameters are declared. Each field carries its default (the hand
calibration or the literature value), its valid range, unit, source, and the prior range
that calibration configs (``calibration/*.toml``) and sensitivity analyses (``distribution =
"prior"``) draw from; a test checks that the shipped calibration configs agree with it.
Fixed assumptions that no analysis varies are :mod:`innosim.model.constants`.

The module is over 400 lines because it is one declaration, a table of every behavioural
parameter (one entry each, with its range, unit, source and prior); splitting it would
scatter the one place parameters are declared.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from innosim.fields import numeric


class Parameters(BaseModel):
    """Behavioural and structural parameters: values, units and sources or priors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # population
    initial_firms: int = numeric(
        22000,
        1000,
        200000,
        "firms at end-2015 (full size)",
        "assumption: innovation-relevant firms of the 6+6 sectors, S&T services and above-scale industry (brief §3: 10^4-10^5)",
        (15000, 40000),
    )
    revenue_sigma: float = numeric(
        1.5, 0.3, 3.0, "log-sd", "assumption: lognormal firm size (Axtell 2001, Science 293)", (1.2, 1.9)
    )
    business_rd_share: float = numeric(
        0.88,
        0.3,
        1.0,
        "fraction",
        "assumption: enterprises' share of R&D expenditure; national 76.6% in 2020, higher in a district with few public institutes",
        (0.75, 0.95),
    )
    # R&D decisions
    rd_intensity_scale: float = numeric(
        0.667,
        0.1,
        2.0,
        "multiple of the sectors' median R&D intensities",
        "prior: the sectors' median intensities of R&D performers (innosim.model.structure.SECTORS) are assumptions; with the 2015 R&D total fixed, this sets how many firms do R&D and how far below the HTE criterion they sit (above-scale industry, whose R&D is fixed separately, has every firm doing R&D in 2015 at 0.49 and a third at 1.0; Baiyun's share doing R&D in 2020 is estimated at 36.6%, from the 43.1% with an R&D institution); default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.4, 1.0),
        prior_source="prior: scale of the assumed sector median R&D intensities of R&D performers, 0.4-1.0",
    )
    rd_active_size_slope: float = numeric(
        0.307,
        0.0,
        2.0,
        "logit per log revenue",
        "larger firms do R&D more often (Cohen & Klepper 1996, A reprise of size and R&D, Economic Journal 106(437): the likelihood that a firm reports R&D rises with its size): the slope of a firm's probability of doing R&D on its log revenue, in the 2015 population, for entrants and as firms grow (innosim.model.rd.start_rd). It sets how many small firms do R&D: Baiyun's 979 tech SMEs in 2020 (held out of the fit) and 1,046 HTE against the HTE's mean size (0.80亿, estimated; a target of the fit); default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.1, 0.7),
        prior_source="prior: from nearly flat (small tech firms do R&D about as often as large ones) to steep (0.7 logit per log revenue: a firm ten times larger has five times the odds); was a constant 0.5, an assumption, with which the model had too few small R&D performers (578 tech SMEs against 979, HTE 20-30% short in 2020)",
    )
    rd_cost_per_staff: float = numeric(
        11.6,
        2.0,
        60.0,
        "万元 of R&D per S&T person per year",
        "calibrated by hand to 1,046 HTE in 2020 (the 10% S&T-staff criterion binds); gives S&T staff of 10-15% of employees at 2-3% R&D intensity",
        (8.0, 16.0),
        prior_source="prior around the hand calibration (11.6万元 of R&D per S&T person a year, where the 10% S&T-staff HTE criterion binds), -30%/+40%",
    )
    wage_growth: float = numeric(
        0.07,
        0.0,
        0.3,
        "per year",
        "assumption: Guangzhou urban non-private average wage grew about 7-9%/yr in 2015-2020 (广州统计年鉴)",
        (0.04, 0.1),
    )
    user_cost_elasticity: float = numeric(
        1.1,
        0.0,
        3.0,
        "elasticity",
        "Chen, Liu, Suarez Serrato & Xu (2021), AER 111(7): user-cost elasticity about 1.1",
        (0.5, 1.5),
    )
    grant_pass_through: float = numeric(
        0.8,
        0.0,
        2.0,
        "yuan of R&D per yuan of grant",
        "Dimos & Pugh (2016) RP 45(4): no crowding-out; Boeing (2016) RP 45(9): 0.5 crowd-out for first grants",
        (0.4, 1.2),
    )
    bunching_rate: float = numeric(
        0.429,
        0.0,
        1.0,
        "per year",
        "prior: share of near-threshold firms that raise R&D to qualify in a year; default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.15, 0.6),
        prior_source="prior: share of near-notch firms that raise R&D to qualify in a year (Chen et al. 2021 find strong bunching)",
    )
    rewards_known_2015: float = numeric(
        0.454,
        0.0,
        1.0,
        "share of 2015",
        "prior: the part of 2015 in which Guangzhou's HTE rewards (120万元 a certificate from the 2015 certificates, 穗府办函〔2015〕127号) were known, over which firms started bunching in 2015 at bunching_rate (a constant hazard: 1 - (1 - bunching_rate) ** share); the document's date was not found, so uniform from none to all of the year; default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.0, 1.0),
        prior_source="prior: the document of the rewards is of 2015 and its date was not found, so from none to all of 2015",
    )
    profit_margin: float = numeric(
        0.0712,
        0.01,
        0.3,
        "profit / revenue",
        "国家统计局: 规模以上工业企业营业收入利润率 about 6% in 2016-2020 (5.8-6.6%); the HTE notch saves 10 points of tax on profits; default: the posterior median of the calibration of 2026-12-05, which fitted it; fixed since, as no target statistic moves it (calibration/baiyun.toml, docs/calibration.md)",
        (0.04, 0.09),
        prior_source="national above-scale industrial profit margin 2016-2020 (about 6%), +-2-3 points",
    )
    hte_fixed_cost: float = numeric(
        15.3,
        0.0,
        200.0,
        "万元 per certificate (three years)",
        "assumption: intermediary and audit fees, IP acquisition and record keeping of an HTE application; Chen et al. (2021) find that compliance costs keep small firms from bunching; default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (5.0, 30.0),
        prior_source="prior: agency fees of 3-10万元 per application plus IP and audit costs, 5-30万元 per certificate",
    )
    hte_status_value: float = numeric(
        5.45,
        0.0,
        50.0,
        "万元 a year",
        "assumption: what HTE status is worth to a firm beyond the tax saving and the rewards (programmes open only to HTE, credit and procurement preferences, the ten-year loss carry-forward of 财税〔2018〕76号); no estimate was found. It is what keeps firms certified when the rewards fall after 2020, as Guangzhou's stock did not fall (12,000 in 2020, 13,000 in 2023); default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.0, 10.0),
    )
    certification_rd_ratio: float = numeric(
        2.15,
        1.0,
        3.0,
        "criterion R&D / statistical R&D",
        "R&D as HTE certification counts it (研发费用 of 国科火字〔2016〕195号: with depreciation, other costs up to 20% and 80% of commissioned R&D) over R&D as the statistics count it, for the same firm. Guangzhou, 2019: HTE revenue over 1.5万亿 (Torch statistics, 广州市科学技术局 2020-10-29) needs at least 450亿 of criterion R&D at the lowest threshold of 3%, while all the city's R&D was 677.74亿, enterprises' share 62.6% (2021 bulletin) and HTE's share of enterprise R&D 70% nationally (科技部, 2022-06-06): about 297亿, a ratio of at least 1.5 (1.06 if HTE did all enterprise R&D); default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (1.0, 2.5),
        prior_source="prior: from 1 (the same R&D) to 2.5 (Guangzhou's HTE at 5% of revenue on average; in the city's 2024 survey of HTE, 37.7% report 10% or more, 38.9% 5-10% and 21.3% 3-5%)",
    )
    rd_persistence: float = numeric(
        0.3,
        0.0,
        1.0,
        "per year",
        "prior: share of the real R&D a firm added to reach the HTE criterion that it keeps as its own R&D after a year. R&D is persistent: it is mostly the wages of staff whose firm-specific knowledge leaves with them, so firms smooth it (Hall 2002, Oxford Review of Economic Policy 18(1)), and its sunk costs make firms that did R&D last year far more likely to do it again (Máñez, Rochina-Barrachina, Sanchis-Llopis & Sanchis-Llopis 2009, Journal of Industrial Economics 57(4))",
        (0.1, 0.5),
    )
    relabel_share: float = numeric(
        0.24, 0.0, 0.9, "fraction", "Chen et al. (2021): about 24% of the reported R&D rise is relabelling", (0.1, 0.4)
    )
    presentable_hightech_min: float = numeric(
        0.371,
        0.0,
        0.6,
        "true high-tech share",
        "prior: the lowest true high-tech income share from which an HTE applicant presents the 60% criterion; default: the posterior median of the calibration of 2026-12-05, which fitted it; fixed since, as no target statistic moves it (calibration/baiyun.toml, docs/calibration.md)",
        (0.3, 0.6),
        prior_source="prior: high-tech income is the applicant's own classification of its products into the catalogue's fields (国家重点支持的高新技术领域), prepared with an agency, so the 60% criterion is met from a lower true share; from half the criterion to the criterion itself. Presented figures exceed true ones: Guangdong revoked certificates of the 2016-2017 cohorts after the provincial audit of the reward years (calibration/data/baiyun.toml, guangdong_hte_revoked), and Chen et al. (2021) find a quarter of the R&D reported at the same notch relabelled. Firms from this share also bunch at the R&D criterion",
    )
    bunching_margin: float = numeric(
        1.05,
        1.0,
        1.5,
        "multiple of the R&D threshold",
        "assumption: bunching firms aim 5% above the threshold, a safety margin (Chen et al. 2021 find mass just above the notch)",
        (1.0, 1.1),
    )
    pool_bunching_factor: float = numeric(
        2.0,
        1.0,
        5.0,
        "multiple of bunching_rate",
        "assumption: HTE cultivation-pool firms are coached and bunch twice as often",
        (1.5, 3.0),
    )
    credit_constraint: float = numeric(
        0.3,
        0.0,
        0.9,
        "fraction of desired R&D forgone",
        "assumption: young unfunded firms cut R&D by this share",
        (0.1, 0.5),
    )
    talent_elasticity: float = numeric(
        0.6, 0.0, 2.0, "elasticity", "assumption: R&D shortfall per unit of unfilled S&T vacancies", (0.3, 1.0)
    )
    # knowledge and patents
    knowledge_depreciation: float = numeric(
        0.15,
        0.0,
        0.5,
        "per year",
        "Hall, Mairesse & Mohnen (2010), Handbook of the Economics of Innovation: 15%",
        (0.1, 0.25),
    )
    patent_elasticity: float = numeric(
        0.5,
        0.1,
        1.5,
        "elasticity of patents to R&D",
        "Hausman, Hall & Griliches (1984), Econometrica 52(4): 0.3-0.7 within firm",
        (0.3, 0.7),
        prior_source="Hausman, Hall & Griliches (1984): within-firm patent-R&D elasticity 0.3-0.7",
    )
    patent_rate: float = numeric(
        0.101,
        0.0,
        5.0,
        "invention patents per year per (100万元 R&D)^elasticity",
        "calibrated by hand to 2,360 invention patents over 2016-2020 (data file); default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.03, 0.15),
        prior_source="prior: from 0.03 to 0.15 per (100万元 R&D)^elasticity; the rate that gives 2,360 invention patents depends on how R&D is spread over firms (the elasticity is below one), so it moved with the firm-size distribution (0.05-0.07 with lognormal firms, higher with the Pareto tail of above-scale industry)",
    )
    institution_patent_rate: float = numeric(
        2.0,
        0.0,
        50.0,
        "invention patents per institution-capacity unit per year",
        "assumption: universities and institutes grant about a quarter of the district's invention patents",
        (1.0, 4.0),
    )
    patent_lapse: float = numeric(
        0.08,
        0.0,
        0.5,
        "per year",
        "assumption: Chinese invention patents lapse early for unpaid fees (CNIPA survey)",
        (0.04, 0.15),
    )
    patents_per_invention: float = numeric(
        13.0,
        1.0,
        40.0,
        "all patent grants per invention grant",
        "Guangzhou's ratio was 10.3 in 2020 (155,835 grants of which 15,077 invention, 广州市知识产权局); Baiyun's is higher: its patent applications passed 10,000 in 2017 (广州市知识产权局, 2018-02-05) against about 470 invention grants a year (2,360 over 2016-2020), about 13 at a grant rate of 0.6 for utility models and designs; Baiyun's own grant count was not found",
        (10.0, 25.0),
    )
    spillover: float = numeric(
        0.3,
        0.0,
        3.0,
        "knowledge multiplier at district-average institution density",
        "assumption; Jaffe (1989) AER 79(5) for university spill-overs",
        (0.1, 0.6),
    )
    link_effect: float = numeric(
        0.5,
        0.0,
        3.0,
        "extra knowledge production per link to a partner of a typical institute's capacity",
        "assumption: 产学研 links raise knowledge output",
        (0.2, 1.0),
    )
    link_search_rate: float = numeric(
        0.02,
        0.0,
        0.5,
        "unfunded 产学研 links formed per unlinked R&D-active firm per year",
        "assumption: R&D firms find a university or institute partner on their own a few times a century each (the lever's funded links come on top)",
        (0.005, 0.05),
    )
    high_level_boost: float = numeric(
        0.5,
        0.0,
        3.0,
        "extra knowledge production at an all-high-level S&T staff",
        "assumption: leading and high-end researchers raise a firm's knowledge production",
        (0.2, 0.8),
    )
    # production
    knowledge_elasticity: float = numeric(
        0.08,
        0.0,
        0.5,
        "elasticity of revenue to knowledge capital",
        "Hall, Mairesse & Mohnen (2010): R&D capital elasticities mostly 0.01-0.25, typically about 0.08",
        (0.03, 0.15),
    )
    sector_shock_sd: float = numeric(0.04, 0.0, 0.5, "per year", "assumption", (0.02, 0.08))
    firm_shock_sd: float = numeric(
        0.25, 0.0, 1.0, "per year", "assumption: idiosyncratic growth dispersion of Chinese SMEs", (0.15, 0.35)
    )
    hightech_adjustment: float = numeric(
        0.476,
        0.0,
        2.0,
        "per year",
        "prior: speed at which the high-tech product share follows a change of the firm's R&D intensity; default: the posterior median of the calibration of 2026-12-05, which fitted it; fixed since, as no target statistic moves it (calibration/baiyun.toml, docs/calibration.md)",
        (0.3, 0.7),
        prior_source="prior: speed at which the high-tech product share follows a change of the firm's R&D intensity, per year",
    )
    hightech_rd_slope: float = numeric(
        1.0,
        0.0,
        5.0,
        "logit per log R&D intensity",
        "assumption: the within-firm response of the high-tech product share to the firm's R&D intensity (innovative sales rise with R&D: Crépon, Duguet & Mairesse 1998); below the 2015 cross-section's slope of 1.2, which mixes firm effects with the response",
        (0.5, 1.5),
    )
    hightech_logit_shift: float = numeric(
        1.62,
        -5.0,
        8.0,
        "logit",
        "prior: the 2015 cross-section's level of the high-tech share: its logit at 2% R&D intensity for R&D firms outside above-scale industry (whose shares are scaled to the 2015 output) and for firms that start R&D later; default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (-2.0, 3.0),
        prior_source="prior: the level of the 2015 high-tech share of R&D firms at 2% R&D intensity, logistic(shift) from 12% to 95%; no survey of small firms' high-tech income was found; above-scale industry's shares add up to its 2015 high-tech output (37.0% of its output, derived)",
    )
    # certification, finance, listing
    hte_apply_rate: float = numeric(
        0.609,
        0.0,
        1.0,
        "per year, eligible firms",
        "prior: eligible firms that apply in a year; default: the posterior median of the shipped calibration (calibration/REPORT.md)",
        (0.3, 0.8),
        prior_source="prior: share of eligible firms that apply for HTE status in a year",
    )
    hte_renewal_rate: float = numeric(
        0.9,
        0.0,
        1.0,
        "per expiring certificate of a firm that still qualifies",
        "assumption: most certified firms that still meet the criteria re-apply when the certificate expires; no published renewal rate was found (queries: 重新认定率, 到期高企 重新认定 通过率, 复审通过率, 高企 流失率); the one claim found, of low confidence, is that over 15% of renewal reviews failed in recent years (「近三年复核未通过率超15%」, an undated consultancy page, http://www.xjsygy.com/gaoqi/19437.html), which the prior's lower part covers",
        (0.8, 0.98),
    )
    tech_sme_register_rate: float = numeric(
        0.3,
        0.0,
        1.0,
        "fraction of eligible firms registering a year",
        "calibrated by hand to 979 tech SMEs in 2020",
        (0.15, 0.5),
        prior_source="prior: share of eligible firms registering as tech SMEs in a year; its fact is held out",
    )
    vc_deals_per_year: float = numeric(
        20.0, 0.0, 1000.0, "private VC deals per year (district)", "assumption", (10.0, 40.0)
    )
    fund_raise_rate: float = numeric(
        0.35,
        0.0,
        1.0,
        "share of designed private capital raised",
        "Wei, Ang & Jia (2023): 26% of funds reached target size; CSET (2021): 43% of target capital raised",
        (0.26, 0.43),
    )
    funding_growth_boost: float = numeric(
        0.15, 0.0, 1.0, "extra growth per year for 3 years after funding", "assumption", (0.05, 0.3)
    )
    funding_survival_effect: float = numeric(0.5, 0.0, 1.0, "hazard reduction", "assumption", (0.2, 0.7))
    listing_rate: float = numeric(
        0.1,
        0.0,
        1.0,
        "per year, for HTE above the listing size",
        "calibrated by hand to an estimated 8 listed HTE in 2020",
        (0.05, 0.15),
    )
    listing_revenue: float = numeric(
        30000.0,
        1000.0,
        1e6,
        "万元 revenue",
        "assumption: 3亿元, roughly the STAR-market revenue test",
        (20000.0, 50000.0),
    )
    listing_response: float = numeric(
        0.3,
        0.0,
        5.0,
        "relative rise of the listing hazard of a supported reserve firm",
        "assumption: no estimate of local listing support was found (docs/levers.md)",
        (0.1, 0.6),
    )
    ip_response: float = numeric(
        0.2, 0.0, 5.0, "rise in patenting per 1万元 of subsidy per patent", "assumption", (0.1, 0.4)
    )
    ip_project_effect: float = numeric(
        0.3,
        0.0,
        2.0,
        "relative rise in invention patents of a firm carrying a high-value patent project",
        "assumption, near the >30% rise in patenting under Chinese patent subsidies (Dang & Motohashi 2015, China Economic Review 35: 137-155)",
        (0.1, 0.5),
    )
    # demography
    entry_rate: float = numeric(
        0.1,
        0.0,
        1.0,
        "entrants per firm per year",
        "assumption: keeps the firm population roughly stable at SAIC exit hazards",
        (0.06, 0.14),
    )
    exit_hazard_scale: float = numeric(
        1.0,
        0.0,
        5.0,
        "multiplier",
        "SAIC (2013) age-specific exit hazard of Chinese enterprises: 1.6%, 6.3%, 9.5%, then 8%",
        (0.7, 1.3),
    )
    large_firm_revenue: float = numeric(
        50000.0,
        1000.0,
        1e6,
        "万元 revenue",
        "assumption: firms above 5亿元 revenue (and listed firms) exit less",
        (30000.0, 100000.0),
    )
    large_firm_hazard_factor: float = numeric(
        0.3,
        0.0,
        1.0,
        "multiplier of the exit hazard",
        "assumption: large and listed firms exit at 30% of the age hazard",
        (0.2, 0.5),
    )
    incubator_survival_effect: float = numeric(
        0.5,
        0.0,
        1.0,
        "hazard reduction of tenants",
        "Lukeš, Longo & Zouhar (2019) Technovation 82-83: incubation raises survival",
        (0.2, 0.7),
    )
    incubation_years: float = numeric(3.0, 0.5, 10.0, "years", "assumption: usual graduation term", (2.0, 4.0))
    # talent
    talent_departure: float = numeric(
        0.1,
        0.0,
        1.0,
        "per year",
        "assumption inside the sourced range (constants.talent_hazard_range): 51job's 2022 survey puts all job-to-job turnover at 17.9% a year, an upper bound on leaving the district",
        (0.06, 0.15),
    )
    vacancy_fill_rate: float = numeric(
        0.5,
        0.0,
        1.0,
        "share of open S&T posts filled by arrivals a quarter",
        "assumption: the labour market fills about half of the open posts a quarter",
        (0.3, 0.8),
    )
    housing_sensitivity: float = numeric(
        0.0314,
        0.0,
        0.5,
        "relative change of the departure hazard per 1,000 yuan/m2",
        "宋弘、吴茂华 (2020) 金融研究 2020(3): +3.14% leaving probability per 1,000 yuan/m2, a cross-city difference; applied as a relative change to the wage-deflated price",
        (0.015, 0.05),
    )
    housing_price_growth: float = numeric(
        0.05, -0.2, 0.3, "per year", "assumption: Baiyun new-home prices", (0.0, 0.08)
    )
    housing_price_2015: float = numeric(20.0, 1.0, 200.0, "1,000 yuan/m2", "assumption", (15.0, 25.0))
    card_retention_effect: float = numeric(
        0.5, 0.0, 1.0, "departure hazard reduction of card holders", "assumption", (0.2, 0.8)
    )
    card_attraction: float = numeric(
        0.3, 0.0, 5.0, "rise in high-level arrivals at full card coverage", "assumption", (0.1, 0.6)
    )
    talent_startup_rate: float = numeric(
        0.01, 0.0, 0.5, "start-ups per high-level talent per year", "assumption", (0.005, 0.02)
    )
    # carriers and institutions
    maker_space_rate: float = numeric(
        5.4,
        0.0,
        100.0,
        "new maker spaces per year at baseline subsidy",
        "calibrated by hand to 0 -> 25 maker spaces 2015-2020",
        (3.0, 8.0),
        prior_source="prior: 0 -> 25 maker spaces in 2015-2020 is 5 a year",
    )
    incubator_rate: float = numeric(
        2.0,
        0.0,
        100.0,
        "new incubators per year at baseline subsidy",
        "calibrated by hand to 10 -> 24 incubators 2015-2020",
        (1.5, 4.0),
        prior_source="prior: 10 -> 24 incubators in 2015-2020 is about 3 a year before closures",
    )
    subsidy_response: float = numeric(
        0.6, 0.0, 5.0, "rise in carrier creation per 100万元 of build subsidy", "assumption", (0.2, 1.0)
    )
    carrier_closure: float = numeric(0.02, 0.0, 0.5, "per year", "assumption", (0.0, 0.05))
    carrier_capacity: float = numeric(
        40.0,
        1.0,
        1000.0,
        "tenants per carrier",
        "59.36万m2 over 49 carriers; assumption of 300 m2 per tenant",
        (20.0, 60.0),
    )
    recognition_rate: float = numeric(
        0.035,
        0.0,
        1.0,
        "per candidate institution per year",
        "calibrated by hand: 2 of 11 institutes recognised in 2016-2020",
        (0.02, 0.06),
        prior_source="prior: 2 of 11 institutes recognised over five years is about 0.036 a year; its fact is held out",
    )
    new_type_recognition_factor: float = numeric(
        3.0,
        1.0,
        10.0,
        "multiple of recognition_rate",
        "assumption: new-type institutions are recognised three times as often as institutes",
        (2.0, 5.0),
    )
    supported_recognition_factor: float = numeric(
        2.0,
        1.0,
        10.0,
        "multiple of recognition_rate",
        "assumption: district operating support doubles the chance of recognition",
        (1.5, 3.0),
    )
    supported_capacity_growth: float = numeric(
        0.1,
        0.0,
        1.0,
        "capacity units per year",
        "assumption: a supported institution grows by a tenth of a typical institute a year",
        (0.05, 0.2),
    )
    contract_multiplier: float = numeric(
        3.8,
        0.0,
        20.0,
        "tech-contract turnover per yuan of R&D of registering firms",
        "calibrated by hand to 1.32亿 (2015, derived) and 70.14亿 (2020)",
        (2.5, 5.5),
        prior_source="prior around the hand calibration to 70.14亿 contract turnover",
    )
    contract_registration_growth: float = numeric(
        0.75,
        0.0,
        3.0,
        "logit growth per year of registration, 2016-2020",
        "assumption: Guangdong's push to register technology contracts, 2016-2020 (the city's 2015 subsidy of 5% of a firm's technology purchases, 《广州市促进科技成果转化实施办法》; the VAT exemption of technology transfer and development from 2016, which requires the contract's certification, 财税〔2016〕36号 annex 3; the province's 2019 registration notice, 粤科函区字〔2019〕1318号); the registered share holds at its 2020 value after 2020: no later push was found, and a trend fitted to 2016-2020 is not extrapolated",
        (0.4, 1.3),
        prior_source="prior: logit growth of contract registration under Guangdong's 2016-2020 push, from a sixfold rise of the registered share over 2016-2020 (0.4: 2% to 13%) to near-complete registration (1.3: 93%); widened down from 0.7 in December 2026, when the 2015 share became the one that meets the district's 2015 turnover: with its 2020 turnover the district's two levels then ask for about 0.75, at the old prior's edge",
    )
    st_services_elasticity: float = numeric(
        1.0,
        0.0,
        5.0,
        "S&T-services growth per unit growth of their clients' R&D (beyond real GDP growth)",
        "assumption",
        (0.5, 1.5),
    )
    # macro
    price_growth: float = numeric(
        0.02,
        -0.05,
        0.1,
        "per year, after 2024",
        "consumer-price rise after the realised years (cpi_growth, 2016-2024, in the facts file): the deflator between firms' real money and the nominal facts and thresholds; default: China's 2025 target (2025年政府工作报告: 居民消费价格涨幅2%左右); prior over 2016-2024's rises (0.2-2.9%)",
        (0.0, 0.03),
    )
    gdp_growth: float = numeric(
        0.05,
        -0.1,
        0.2,
        "real, per year, after 2024",
        "assumption: China's 2025 target of about 5% real growth (2025年政府工作报告: 国内生产总值增长5%左右); Baiyun's own 2025 outcome is not in the data file",
        (0.03, 0.07),
    )
    population_growth: float = numeric(
        0.012,
        -0.05,
        0.1,
        "per year, after the last realised year (2021)",
        "assumption: Baiyun 2010-2020 census growth was 5.3%/yr, slowing (2021: -1.4%, data file)",
        (0.0, 0.025),
    )
