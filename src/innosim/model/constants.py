"""Named constants of the model: the assumptions that are not behavioural parameters.

Behavioural parameters, which calibration and sensitivity analysis vary, are declared with
their priors in :class:`innosim.parameters.Parameters`. What is here is fixed: how the
end-2015 population is synthesised from the facts, what an entrant and an introduced team
look like, the length of financing spells, selection noise, and unit conversions. Each
constant is declared once, with its unit and its source or the reason for its value, and
``docs/model.md`` lists them all (generated from this declaration by :mod:`innosim.docs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

WAN_PER_YI = 1e4
"""万元 per 亿元: firms' money is in 万元, the district's in 亿元."""


def _c(value: Any, unit: str, source: str) -> Any:
    return field(default=value, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class Constants:
    """The fixed assumptions of the model, with units and sources (see the module docstring)."""

    # ---- the end-2015 population (synthesis)
    firm_capacity_headroom: float = _c(
        1.6, "rows per initial firm", "memory: room for entrants before the arrays grow (no effect on results)"
    )
    firm_age_mean: float = _c(
        8.0,
        "years",
        "assumption: exponential age distribution of the 2015 stock, mean 8 years (SAIC 2013 reports a median survival of about 6 years)",
    )
    revenue_median_industrial: float = _c(
        600.0, "万元", "assumption: median revenue of an industrial firm before scaling to the 2015 above-scale output"
    )
    revenue_median_other: float = _c(
        300.0, "万元", "assumption: median revenue of a non-industrial firm before scaling"
    )
    above_scale_pareto_alpha: float = _c(
        1.07,
        "Pareto exponent",
        "Guangzhou's HTE by revenue, 2015 (广州市科学技术局 2020-10-29, Torch statistics): 93 firms at 10亿 or more and 8 at 100亿 or more, a tenfold size for 11.6 times fewer firms, log10(93/8) = 1.07 (226 and 17 in 2019: 1.12); Axtell (2001, Science 293) finds 1.06 for US firms",
    )
    above_scale_revenue_cap: float = _c(
        1e6,
        "万元",
        "assumption: no Baiyun industrial firm had 100亿 of revenue in 2015 (Guangzhou had 8 such HTE; Baiyun's share of the city's above-scale output, 850.6 of 19,556亿 in 2016, would give it 0.35)",
    )
    revenue_per_employee_industrial: float = _c(
        60.0, "万元 per employee", "assumption: Guangdong manufacturing labour productivity, order of magnitude"
    )
    revenue_per_employee_other: float = _c(
        40.0, "万元 per employee", "assumption: services labour productivity, order of magnitude"
    )
    productivity_size_elasticity: float = _c(
        0.25,
        "elasticity of revenue per employee to revenue",
        "assumption: labour productivity rises with firm size (large Chinese industrial firms have two to three times the revenue per employee of small ones); gives Guangzhou's HTE average of 136万元 per employee (1.5万亿 over 110万, 2019) at about 1亿 of revenue",
    )
    productivity_reference_revenue: float = _c(
        600.0, "万元", "reference size of rev_per_employee: the median industrial firm"
    )
    revenue_per_employee_sigma: float = _c(0.3, "log-sd", "assumption: dispersion of labour productivity")
    rd_intensity_sigma: float = _c(
        0.7, "log-sd", "assumption: dispersion of R&D intensity among R&D-active firms of a sector"
    )
    rd_intensity_max: float = _c(0.5, "fraction of revenue", "assumption: cap on a firm's R&D intensity")
    reference_population_scale: float = _c(
        4.0,
        "multiple of the district's firms",
        "size of the reference population on which the participation shifts are solved (innosim.model.synthesis.participation_shifts): four times the district halves the sampling error of the shifts against one synthesis's own firms, at about 20 ms a synthesis",
    )
    reference_population_seed: int = _c(
        20151231, "seed", "fixed seed of the reference population: the same for every replicate and parameter set"
    )
    contract_registration_max_2015: float = _c(
        0.5,
        "share of firm R&D",
        "assumption: cap on the registered share solved from the 2015 turnover (at full size it is 1-3%; the cap keeps a tiny sample with little R&D finite)",
    )
    hightech_noise_sd: float = _c(
        0.8, "logit", "assumption: dispersion of the 2015 high-tech product share at a given R&D intensity"
    )
    hightech_logit_slope: float = _c(
        1.2, "logit per log R&D intensity", "assumption: the 2015 high-tech share rises with R&D intensity"
    )
    hightech_intensity_ref: float = _c(
        0.02, "fraction of revenue", "assumption: reference R&D intensity of the 2015 high-tech share"
    )
    hightech_inactive_factor: float = _c(
        0.05, "multiplier", "assumption: firms without R&D sell few high-tech products"
    )
    hightech_share_min: float = _c(
        0.01, "fraction", "floor on a share when the firm effect of its product mix is set (its logit is finite)"
    )
    hightech_share_max: float = _c(
        0.98,
        "fraction",
        "assumption: cap on a firm's high-tech share while scaling to the 2015 output; with hightech_share_min, the range within which the firm effect of its product mix is set",
    )
    hte_score_sigma: float = _c(
        0.3, "log-sd", "assumption: noise in which innovative firms held the 2015 HTE certificates"
    )
    hte_rd_margin: tuple[float, float] = _c(
        (1.05, 1.6), "multiple of the R&D threshold", "assumption: 2015 HTE hold R&D 5-60% above their threshold"
    )
    hte_hightech_share: tuple[float, float] = _c(
        (0.62, 0.9), "fraction", "assumption: 2015 HTE high-tech share, above the 60% criterion"
    )
    hte_new_share_2015: float = _c(
        0.25,
        "new certificates per HTE of the stock",
        "assumption: one year's new HTE before the 2016 reform, about a quarter of the stock (Guangzhou's stock grew about 10% a year before 2016 with three-year certificates expiring)",
    )
    backlog_rd_below: tuple[float, float] = _c(
        (0.7, 0.97),
        "multiple of the 2015 R&D criterion",
        "assumption: firms beyond one year's applications sit below the R&D criterion, uniformly in this band",
    )
    ip_acquisition_cost: float = _c(
        5.0,
        "万元",
        "assumption: buying or filing the utility models and software copyrights that meet the HTE IP criterion",
    )
    rd_growth_before_2015: float = _c(
        1.08,
        "ratio per year",
        "assumption: firms' R&D grew 8% a year before 2015 (the three-year R&D history of the HTE test)",
    )
    sales_growth_before_2015: float = _c(
        1.06, "ratio per year", "assumption: sales grew 6% a year before 2015, about nominal GDP growth"
    )
    knowledge_growth_2015: float = _c(
        0.05,
        "per year",
        "assumption: the 2015 knowledge stock is R&D over (depreciation + 5% growth), the steady state of a growing stock",
    )
    firm_patent_share: float = _c(
        0.75, "fraction", "assumption: firms hold 75% of valid invention patents, universities and institutes the rest"
    )
    patent_weight_exponent: float = _c(
        0.8, "exponent", "assumption: patents are allocated to firms in proportion to knowledge^0.8"
    )
    talent_unemployed_share: float = _c(
        1.03, "multiple of posts", "assumption: 3% of S&T personnel are between jobs at end-2015"
    )
    talent_tenure_mean: float = _c(5.0, "years", "assumption: mean time in the district of the 2015 S&T personnel")
    university_capacity: float = _c(
        3.0, "capacity units", "assumption: a university's research capacity, three typical institutes"
    )
    institute_capacity: float = _c(2.0, "capacity units", "assumption: a research institute's capacity")
    new_institution_capacity: float = _c(
        1.0, "capacity units", "assumption: a new-type R&D institution starts as a typical institute"
    )
    institution_founded: int = _c(
        2000, "year", "assumption: founding year recorded for the universities and institutes of 2015"
    )
    talent_hazard_range: tuple[float, float] = _c(
        (0.03, 0.179),
        "per year",
        "range of S&T personnel's yearly departure hazard: upper bound 17.9%, all job-to-job turnover in 2022 (前程无忧《2023离职与调薪调研报告》; leaving the district is a subset of leaving a job); lower bound 3%, an assumption (no published city-exit hazard was found)",
    )
    setup_instalments: int = _c(
        3,
        "yearly instalments",
        "assumption: the district pays its contribution to a new-type R&D institution over three years (staged funding on milestones is the usual practice of Guangdong's programmes)",
    )
    # ---- carriers
    maker_space_area: float = _c(0.3, "万m2", "assumption: floor area of a new maker space")
    incubator_area: float = _c(
        1.2, "万m2", "assumption: floor area of a new incubator (59.36万m2 over 49 carriers in 2020 averages 1.2)"
    )
    accelerator_area: float = _c(2.0, "万m2", "assumption: floor area of a new accelerator")
    maker_space_capacity_factor: float = _c(
        0.5, "multiple of carrier_capacity", "assumption: a maker space has half an incubator's tenant places"
    )
    accelerator_share: float = _c(
        0.15, "fraction of new incubators", "assumption: share of new incubators registered as accelerators"
    )
    # ---- entrants and introduced teams
    entrant_rd_active_factor: float = _c(
        1.3, "multiple of the sector's share", "assumption: entrants do R&D more often than incumbents"
    )
    entrant_rd_median_factor: float = _c(
        1.5, "multiple of the sector's median", "assumption: R&D-active entrants are more R&D-intensive"
    )
    entrant_revenue_median: float = _c(100.0, "万元", "assumption: median revenue of an entrant")
    entrant_revenue_sigma: float = _c(1.0, "log-sd", "assumption: dispersion of entrants' revenue")
    entrant_revenue_per_employee: float = _c(40.0, "万元 per employee", "assumption: labour productivity of a start-up")
    entrant_hightech_share: tuple[float, float] = _c(
        (0.1, 0.7), "fraction", "assumption: uniform high-tech share of R&D-active entrants"
    )
    team_knowledge: float = _c(300.0, "万元", "assumption: knowledge a team brings to its firm")
    team_rd_propensity: float = _c(0.15, "fraction of revenue", "assumption: R&D intensity of a team's firm")
    team_revenue: float = _c(500.0, "万元", "assumption: first-year revenue of a team's firm")
    team_rd: float = _c(75.0, "万元 a year", "assumption: R&D of a team's firm (15% of 500万元)")
    team_hightech_share: float = _c(
        0.6, "fraction", "assumption: high-tech share of a team's firm, at the HTE criterion"
    )
    # ---- firms' decisions and finance
    young_firm_age: float = _c(
        5.0, "years", "assumption: firms younger than this are finance-constrained unless financed"
    )
    venture_max_age: float = _c(8.0, "years", "assumption: VC and the guidance fund invest in firms younger than this")
    venture_max_revenue: float = _c(
        40000.0,
        "万元 a year, nominal",
        "VC and the guidance fund invest in small and medium firms: the upper bound of a medium industrial enterprise (中小企业划型标准规定, 工信部联企业〔2011〕300号: 营业收入40000万元以下)",
    )
    growth_size_exponent: float = _c(
        0.15,
        "elasticity of growth dispersion to size",
        "the dispersion of firms' growth rates falls with size as size^-0.15 (Stanley et al. 1996, Nature 379: 0.15 +- 0.03 for sales); firm_shock_sd is that of a firm of the median industrial size (productivity_reference_revenue) and smaller",
    )
    equity_years: float = _c(
        3.0,
        "years",
        "assumption: an equity investment relaxes the finance constraint and raises growth for three years",
    )
    loan_years: float = _c(1.0, "years", "assumption: term of a tech-credit loan")
    fund_invest_quarters: float = _c(
        8.0, "quarters", "assumption: the guidance fund invests its capital over two years"
    )
    staff_slack: float = _c(
        0.5, "persons", "assumption: a firm can spend R&D for half a person more than its S&T staff"
    )
    min_employees: float = _c(3.0, "persons", "assumption: the smallest firm has three employees")
    grant_merit_noise: float = _c(1.0, "sd of log merit", "assumption: noise in how calls rank applicants")
    link_choice_sigma: float = _c(0.5, "log-sd", "assumption: noise in which R&D firms start 产学研 links")
    search_link_years: float = _c(2.0, "years", "assumption: term of a link a firm formed on its own")
    link_same_zone_weight: float = _c(
        3.0, "multiple", "assumption: a firm is three times as likely to pick a partner in its own zone"
    )
    link_end_before_year: float = _c(
        0.01, "years", "numerical: a link agreed in a call ends just before the same call of its last year"
    )
    # ---- units
    patent_rd_unit: float = _c(100.0, "万元", "unit: the patent rate is per (100万元 of R&D)^elasticity")
    million_unit: float = _c(100.0, "100万元 per 亿元", "unit: the build-subsidy response is per 100万元")


CONSTANTS = Constants()
"""The constants the model uses (one frozen instance)."""


def constant_table() -> list[tuple[str, Any, str, str]]:
    """``(name, value, unit, source)`` of every constant, in declaration order (for the docs)."""
    return [(f.name, getattr(CONSTANTS, f.name), f.metadata["unit"], f.metadata["source"]) for f in fields(Constants)]
