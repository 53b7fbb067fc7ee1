"""Process 3: firms decide R&D.

A firm's desired R&D intensity is its propensity, shifted by the R&D user cost (the
corporate tax rate, the super-deduction and HTE status), by an aggregate drift, and by
finance: young firms without equity or credit forgo part of it. R&D is cut where S&T
posts cannot be filled. Near the HTE notch, firms raise reported R&D to qualify, part of
it relabelled; grants add R&D at the pass-through rate.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.timeline import START_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def decide_rd(model: InnovationModel) -> None:
    """Firms set R&D: desired intensity shifted by user cost, finance, talent, grants, notch.

    References:
        Chen, Liu, Suarez Serrato & Xu (2021), AER 111(7): user-cost elasticity,
        bunching at the HTE notch and relabelling.
        Dimos & Pugh (2016), RP 45(4); Boeing (2016), RP 45(9): grant additionality.
    """
    p, fi, rng, year = model.p, model.firms, model.stream("rd"), model.year
    uc = st.rd_user_cost(year, fi.industrial, fi.hte)
    drift = math.exp(p.rd_growth_drift * (model.t - START_YEAR))
    intensity = fi.rd_propensity * drift * (uc / st.USER_COST_2015) ** (-p.user_cost_elasticity)
    young = model.firm_age() < C.young_firm_age
    constrained = young & (fi.financed_until < model.t)
    intensity = intensity * np.where(constrained, 1 - p.credit_constraint, 1.0)
    desired = fi.revenue * intensity
    capacity = (fi.staff + C.staff_slack) * p.rd_cost_per_staff * (1 + p.wage_growth) ** (model.t - START_YEAR)
    short = np.where(desired > 0, np.minimum(1.0, capacity / np.maximum(desired, 1e-9)), 1.0)
    real = desired * short**p.talent_elasticity
    # HTE notch: near-threshold firms raise R&D to qualify (decided in Q1), part relabelled.
    if model.quarter == 1:
        thr = st.hte_rd_threshold(fi.revenue)
        ratio = real / np.maximum(fi.revenue, 1.0) / thr
        near = (
            fi.alive
            & ~fi.hte
            & (ratio >= 1 - p.bunching_window)
            & (ratio < 1.0)
            & (fi.hightech_share >= p.bunching_min_hightech)
        )
        rate = np.where(fi.pool, min(1.0, p.pool_bunching_factor * p.bunching_rate), p.bunching_rate)
        fi.bunching = near & (rng.random(fi.n) < rate)
    target = st.hte_rd_threshold(fi.revenue) * p.bunching_margin * fi.revenue
    gap = np.maximum(target - real, 0.0)
    bunch = fi.bunching
    reported = np.where(bunch, real + gap, real)
    real = np.where(bunch, real + gap * (1 - p.relabel_share), real)
    extra = p.grant_pass_through * fi.grant
    fi.rd = np.where(fi.alive, real + extra, 0.0)
    fi.rd_reported = np.where(fi.alive, reported + extra, 0.0)
    fi.rd_year += fi.rd_reported / 4
    fi.sales_year += np.where(fi.alive, fi.revenue, 0.0) / 4
