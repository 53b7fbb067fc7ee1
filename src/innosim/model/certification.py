"""Process 6 (yearly, Q4): HTE and tech-SME certification by the official criteria.

HTE (国科发火〔2016〕32号): registered a year or more, core IP, S&T staff >= 10% of
employees, three-year R&D/sales >= 5%/4%/3% by sales band, high-tech income >= 60%,
certificate valid three years. Certified firms whose certificate expires renew when they
still qualify; eligible firms apply at a rate the certification reward raises (pool firms
are coached). Tech SMEs (国科发政〔2017〕115号) from 2017, by the evaluation score.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def certify(model: InnovationModel) -> None:
    """Yearly HTE and tech-SME certification by the official criteria."""
    p, fi, gov, rng, year = model.p, model.firms, model.government, model.stream("certification"), model.year
    fi.rd_y3, fi.rd_y2, fi.rd_y1 = fi.rd_y2.copy(), fi.rd_y1.copy(), fi.rd_year.copy()
    fi.sales_y3, fi.sales_y2, fi.sales_y1 = fi.sales_y2.copy(), fi.sales_y1.copy(), fi.sales_year.copy()
    fi.rd_year = 0.0
    fi.sales_year = 0.0
    sales3 = fi.sales_y1 + fi.sales_y2 + fi.sales_y3
    rd3 = fi.rd_y1 + fi.rd_y2 + fi.rd_y3
    employees = np.maximum(fi.revenue / fi.rev_per_employee, C.min_employees)
    staff_share = fi.staff / employees
    eligible = (
        fi.alive
        & (model.firm_age() >= st.HTE_MIN_AGE_YEARS)
        & ((fi.patents >= 1) | (fi.knowledge >= st.HTE_IP_KNOWLEDGE))
        & (staff_share >= st.HTE_MIN_STAFF_SHARE)
        & (rd3 >= st.hte_rd_threshold(fi.sales_y1) * sales3)
        & (fi.hightech_share >= st.HTE_MIN_HIGHTECH_SHARE)
    )
    expired = fi.hte & (fi.hte_expiry <= year)
    renew = expired & eligible & (rng.random(fi.n) < p.hte_renewal_rate)
    fi.hte[expired & ~renew] = False
    fi.hte_expiry[renew] = year + st.HTE_VALID_YEARS
    lever = gov.lever("hte_reward")
    # the reward raises the application rate towards 1; pool firms are coached to apply
    rate = 1 - (1 - p.hte_apply_rate) * math.exp(-p.reward_response * lever.reward * WAN_PER_YI / C.reward_unit)
    apply = np.where(fi.pool, 1 - (1 - rate) / p.pool_coaching, rate)
    new = eligible & ~fi.hte & (rng.random(fi.n) < np.minimum(apply, 1.0))
    fi.hte[new] = True
    fi.hte_expiry[new] = year + st.HTE_VALID_YEARS
    gov.pay_each("hte_reward", np.full(int(new.sum()), lever.reward))
    # tech SMEs
    if year >= st.TECH_SME_FIRST_YEAR:
        rd_int = fi.rd_y1 / np.maximum(fi.sales_y1, 1.0)
        score = st.tech_sme_score(staff_share, rd_int, fi.patents)
        ok = (
            fi.alive
            & (employees <= st.TECH_SME_MAX_STAFF)
            & (fi.sales_y1 <= st.TECH_SME_MAX_SALES)
            & ((score >= st.TECH_SME_MIN_SCORE) | fi.hte)
        )
        keep = fi.tech_sme & ok
        join = ok & ~fi.tech_sme & (rng.random(fi.n) < p.tech_sme_register_rate)
        fi.tech_sme = keep | join
