"""Process 5: production. Revenue grows with knowledge; the high-tech share follows R&D.

Revenue grows at the district's real GDP growth of the year (data to 2024, the scenario's
``gdp_growth`` after: an observed input, not a fitted trend) plus the output elasticity of
knowledge capital times the growth of the firm's knowledge, plus a boost for three years
after an equity investment and, for S&T services, the demand from their clients' R&D;
sector and firm shocks are lognormal, the firm's smaller the larger the firm (Stanley et al. 1996).

The high-tech product share is the firm's own: a firm effect (its product mix, fixed when it
is first seen doing R&D) plus the within-firm response to its R&D intensity
(``hightech_rd_slope``, logit per log intensity). The share moves towards that target at
``hightech_adjustment`` a year, so it changes only when the firm's R&D intensity does
(bunching at the HTE notch, a start of R&D); firms without R&D keep their product mix. There
is no common level the shares drift towards: the district's share changes with which firms
grow, enter and do more R&D.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import logit, ndtri

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.maths import sigmoid

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def produce(model: InnovationModel) -> None:
    """Revenue grows with knowledge, funding and sector shocks; the high-tech share follows the firm's R&D."""
    p, fi, rng = model.p, model.firms, model.stream("production")
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
    # the firm effect of the product mix is fixed when a firm is first seen doing R&D
    response = p.hightech_rd_slope * log_rd_intensity(fi.rd_propensity)
    new = (fi.rd > 0) & np.isnan(fi.hightech_effect)
    share = np.clip(fi.hightech_share[new], C.hightech_share_min, C.hightech_share_max)
    fi.hightech_effect[new] = logit(share) - response[new]
    target = np.where(fi.rd > 0, sigmoid(fi.hightech_effect + response), fi.hightech_share)
    fi.hightech_share = fi.hightech_share + p.hightech_adjustment / 4 * (target - fi.hightech_share)


def log_rd_intensity(intensity: np.ndarray) -> np.ndarray:
    """Log of R&D intensity relative to the reference of the high-tech share (floored at 0.01%)."""
    return np.log(np.maximum(intensity, 1e-4) / C.hightech_intensity_ref)


def cross_section_share(model: InnovationModel, intensity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """High-tech shares drawn from the 2015 cross-section at R&D ``intensity``: logistic in log
    intensity at the level ``hightech_logit_shift``, with firm noise. Used for the 2015 firms
    (before above-scale industry is scaled to the 2015 output) and for firms that start R&D."""
    noise = rng.normal(0.0, C.hightech_noise_sd, len(intensity))
    return sigmoid(model.p.hightech_logit_shift + C.hightech_logit_slope * log_rd_intensity(intensity) + noise)
