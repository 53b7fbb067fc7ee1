"""Process 7: finance. Private VC and the guidance fund invest; tech credit lends; HTE list.

Young R&D-active small and medium firms without current financing are ranked by promise (knowledge with
Gumbel noise); private VC makes its yearly deals and the guidance fund, capitalised in Q1
with private co-investors at the realised leverage, invests over two years. An equity
investment relaxes the finance constraint and raises growth for three years. The tech
credit risk pool (Q1) lends to young tech firms. The listing lever rewards listings (Q4) and,
from what the expected rewards leave of its budget, supports a reserve of the largest HTE
above the listing size (Q1), which list more often.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def finance(model: InnovationModel) -> None:
    """Private VC and the guidance fund invest in young tech firms; tech credit relaxes
    finance constraints; grown HTE list (Q4)."""
    p, fi, gov, rng = model.p, model.firms, model.government, model.stream("finance")
    young_tech = np.flatnonzero(
        fi.alive
        & (model.firm_age() < C.venture_max_age)
        & (fi.revenue * model.price_level < C.venture_max_revenue)
        & (fi.rd > 0)
        & (fi.financed_until < model.t)
    )
    promise = np.log1p(fi.knowledge[young_tech]) + rng.gumbel(0.0, 1.0, len(young_tech))
    order = young_tech[np.argsort(-promise, kind="stable")]
    n_vc = int(rng.poisson(p.vc_deals_per_year / 4 * model.scale))
    # guidance fund: public money in Q1, invested over two years with private co-investors
    gf_lever = gov.lever("guidance_fund")
    gf = model.fund("guidance")
    if model.quarter == 1 and gf_lever.budget > 0:
        gf.raise_capital(gov.pay("guidance_fund", gf_lever.budget), gf_lever.leverage, p.fund_raise_rate)
    n_gf = int(gf.uninvested / C.fund_invest_quarters / gf_lever.deal_size * model.scale) if gf.uninvested > 0 else 0
    deals = order[: n_vc + n_gf]
    fi.financed_until[deals] = model.t + C.equity_years
    fi.funded_until[deals] = model.t + C.equity_years
    fi.funding[deals] += gf_lever.deal_size * WAN_PER_YI  # VC tickets taken at the fund's size (assumption)
    model.fund("venture").deals += min(n_vc, len(deals))
    if n_gf:
        gf_done = max(0, min(n_gf, len(deals) - n_vc))
        gf.deals += gf_done
        gf.uninvested -= gf_done * gf_lever.deal_size / model.scale
    # tech credit: risk pool in Q1 enables loans to constrained tech firms
    if model.quarter == 1:
        lever = gov.lever("tech_finance")
        cand = np.flatnonzero(
            fi.alive
            & (model.firm_age() < C.young_firm_age)
            & (fi.financed_until < model.t)
            & (fi.tech_sme | fi.hte | (fi.rd > 0))
        )
        n_loans = min(int(lever.budget * lever.loan_multiplier / lever.loan_size * model.scale), len(cand))
        picked = cand[rng.permutation(len(cand))[:n_loans]]
        gov.pay("tech_finance", n_loans * lever.loan_size / lever.loan_multiplier / model.scale)
        fi.financed_until[picked] = model.t + C.loan_years
        model.fund("credit").deals += n_loans
    # listing: a listing reward is an entitlement (paid on listing), so in Q1 the district keeps
    # back what it expects to pay in rewards this year and supports its listing reserve
    # (上市后备企业: the largest HTE above the listing size) with what is left; in Q4 candidates
    # list, reserve firms more often, and new listings are rewarded
    lever = gov.lever("listing_support")
    cand = fi.alive & fi.hte & ~fi.listed & (fi.revenue * model.price_level >= p.listing_revenue)
    if model.quarter == 1:
        rows = np.flatnonzero(cand)
        rows = rows[np.argsort(-fi.revenue[rows], kind="stable")]
        rewards = lever.reward * p.listing_rate * (1 + p.listing_response) * len(rows) / model.scale
        room = max(gov.remaining("listing_support") - rewards, 0.0)
        n = min(len(rows), int(room * model.scale / lever.reserve_grant + 1e-9)) if lever.reserve_grant > 0 else 0
        gov.pay_each("listing_support", np.full(n, lever.reserve_grant))  # affordable: paid in full
        fi.listing_reserve = False
        fi.listing_reserve[rows[:n]] = True
    if model.quarter == 4:
        rate = p.listing_rate * np.where(fi.listing_reserve, 1 + p.listing_response, 1.0)
        new = cand & (rng.random(fi.n) < rate)
        fi.listed[new] = True
        gov.pay_each("listing_support", np.full(int(new.sum()), lever.reward))
