"""Process 5: production. Revenue grows with knowledge; the high-tech share follows it.

Revenue grows at the district's real GDP growth of the year (data to 2024, the scenario's
``gdp_growth`` after: an observed input, not a fitted trend) plus the output elasticity of
knowledge capital times the growth of the firm's knowledge, plus a boost for three years
after an equity investment and, for S&T services, the demand from their clients' R&D;
sector and firm shocks are lognormal, the firm's smaller the larger the firm (Stanley et al. 1996). The high-tech product share moves towards a logistic
target in knowledge intensity (firms without R&D keep their product mix).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.maths import sigmoid

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def produce(model: InnovationModel) -> None:
    """Revenue grows with knowledge, funding and sector shocks; the high-tech share follows knowledge intensity."""
    p, fi, rng = model.p, model.firms, model.stream("production")
    kint = fi.knowledge / np.maximum(fi.revenue, 1.0)
    # output elasticity of knowledge capital: revenue ~ K^elasticity
    g = model.real_growth[model.year] + p.knowledge_elasticity * 4 * (
        np.log1p(fi.knowledge) - np.log1p(model.knowledge_before)
    )
    g = g + p.funding_growth_boost * (fi.funded_until >= model.t)
    g = g + np.where(fi.sector == st.ST_SERVICES, model.st_growth, 0.0)
    shocks = rng.normal(0.0, p.sector_shock_sd / 2, len(st.SECTORS))[fi.sector]
    # growth dispersion falls with size (Stanley et al. 1996)
    size = np.maximum(fi.revenue / C.productivity_reference_revenue, 1.0)
    sd = p.firm_shock_sd / 2 * size ** (-C.growth_size_exponent)
    eps = sd * ndtri(model.firm_uniform("production"))
    fi.revenue = fi.revenue * np.exp(g / 4 + shocks + eps - sd * sd / 2)
    target = sigmoid(
        p.hightech_logit_shift + p.hightech_knowledge_slope * np.log(np.maximum(kint, 1e-6) / C.knowledge_intensity_ref)
    )
    target = np.where(fi.rd > 0, target, fi.hightech_share)  # without R&D the product mix stays
    fi.hightech_share = fi.hightech_share + p.hightech_adjustment / 4 * (target - fi.hightech_share)
