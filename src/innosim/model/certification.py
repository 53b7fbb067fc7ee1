"""Process 6 (yearly, Q4): HTE and tech-SME certification by the official criteria.

HTE (国科发火〔2016〕32号; 〔2008〕172号 before 2016): registered a year or more, core IP,
S&T staff >= 10% of employees, three-year R&D/sales >= 5%/4%/3% by sales band (6% for the
smallest band before 2016), high-tech income >= 60%, certificate valid three years. Which
income counts as high-tech is the applicant's classification of its products into the
catalogue's fields, prepared with an agency, so a firm whose true share is at least
``presentable_hightech_min`` presents 60% (an assumption with a prior; docs/model.md). A firm
applies during the year on its accounts of the three years before (近三个会计年度) and is
certified at the year's end, so R&D raised in one year counts from the next year's round. A
certified firm whose certificate expires renews when it still qualifies and the status still
pays (:func:`innosim.model.rd.status_pays`), with probability ``hte_renewal_rate``; one that does
not renew may apply again from the next round; an eligible firm applies when the status pays,
at the yearly rate ``hte_apply_rate`` (awareness; pool firms are coached and always apply).
Firms certified for the first time receive the district's reward from the lever's budget, pro
rata when the budget is oversubscribed (a lapsed firm certified again is re-certified and gets
the renewal amounts); the share paid is what firms expect next year. Tech SMEs
(国科发政〔2017〕115号) from 2017, by the evaluation score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.rd import rd_criterion, status_pays

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def certify(model: InnovationModel) -> None:
    """Yearly HTE and tech-SME certification by the official criteria."""
    p, fi, gov, rng, year = model.p, model.firms, model.government, model.stream("certification"), model.year
    employees = model.employees()
    # applications are judged on the three accounting years before this one
    eligible = hte_eligible(model, year, employees)
    pays = status_pays(model)
    fi.rd_y3, fi.rd_y2, fi.rd_y1 = fi.rd_y2.copy(), fi.rd_y1.copy(), fi.rd_year.copy()
    fi.sales_y3, fi.sales_y2, fi.sales_y1 = fi.sales_y2.copy(), fi.sales_y1.copy(), fi.sales_year.copy()
    fi.rd_year = 0.0
    fi.sales_year = 0.0
    expired = fi.hte & (fi.hte_expiry <= year)
    renew = expired & eligible & pays & (rng.random(fi.n) < p.hte_renewal_rate)
    fi.hte[expired & ~renew] = False
    fi.hte_expiry[renew] = year + st.HTE_VALID_YEARS
    # a certificate that expired unrenewed this round cannot be won again in the same round
    apply = eligible & ~fi.hte & ~expired & pays & (fi.pool | (rng.random(fi.n) < p.hte_apply_rate))
    new = np.flatnonzero(apply)
    first = new[fi.hte_expiry[new] == 0]  # the district rewards a first certificate only
    fi.hte[new] = True
    fi.hte_expiry[new] = year + st.HTE_VALID_YEARS
    lever = gov.lever("hte_reward")
    asked = np.full(len(first), lever.reward)
    paid = gov.pay_pro_rata("hte_reward", asked)
    model.hte_reward_paid_share = float(paid.sum() / asked.sum()) if len(first) and lever.reward > 0 else 1.0
    # tech SMEs
    if year >= st.TECH_SME_FIRST_YEAR:
        rd_int = fi.rd_y1 / np.maximum(fi.sales_y1, 1.0)
        score = st.tech_sme_score(fi.staff / employees, rd_int, fi.patents)
        ok = (
            fi.alive
            & (employees <= st.TECH_SME_MAX_STAFF)
            & (fi.sales_y1 <= st.TECH_SME_MAX_SALES)
            & ((score >= st.TECH_SME_MIN_SCORE) | fi.hte)
        )
        keep = fi.tech_sme & ok
        join = ok & ~fi.tech_sme & (rng.random(fi.n) < p.tech_sme_register_rate)
        fi.tech_sme = keep | join


def hte_criteria(model: InnovationModel, year: int, employees: np.ndarray) -> dict[str, np.ndarray]:
    """Each HTE criterion of the rules in force in ``year``, per firm row, on the last three completed
    years' accounts (the certificate itself aside): :func:`hte_eligible` asks all of them of a live firm."""
    fi = model.firms
    sales3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3
    rd3 = fi.rd_y1 + fi.rd_y2 + fi.rd_y3
    return {
        "age": model.firm_age() >= st.HTE_MIN_AGE_YEARS,
        "IP": st.has_core_ip(fi.patents, fi.knowledge, fi.other_ip),
        "S&T staff": fi.staff / employees >= st.HTE_MIN_STAFF_SHARE,
        "R&D/sales": rd3 >= rd_criterion(model, fi.sales_y1 * model.price_level, year) * sales3,
        "high-tech income": fi.hightech_share >= model.p.presentable_hightech_min,
    }


def hte_eligible(model: InnovationModel, year: int, employees: np.ndarray) -> np.ndarray:
    """Live firms that meet every HTE criterion (:func:`hte_criteria`) of the rules in force in ``year``."""
    eligible = model.firms.alive.copy()
    for ok in hte_criteria(model, year, employees).values():
        eligible &= ok
    return eligible
