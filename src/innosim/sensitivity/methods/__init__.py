"""Sensitivity methods: one module each, one interface, one registry.

Every method samples the unit hypercube (each factor as a quantile in [0, 1); the
experiment maps quantiles to values through each factor's distribution) and analyses
model outputs with SALib. All take the same :class:`Settings` and return indices as a
DataFrame with one row per factor (or group):

====================  ==========================================  ===============
method                indices (``*_conf``: half-width of the CI)   ranked by
====================  ==========================================  ===============
``sobol``             S1, S1_conf, ST, ST_conf (S2 on request)    ST
``morris``            mu, mu_star, mu_star_conf, sigma            mu_star
``efast``             S1, S1_conf, ST, ST_conf                    ST
``rbd_fast``          S1, S1_conf                                 S1
``pawn``              minimum, mean, median, maximum, CV          median
====================  ==========================================  ===============

SALib is imported where a method samples or analyses, not with its module: a command that
checks a file, and refuses it, does not wait for SALib and scipy.stats to load.
"""

from __future__ import annotations

from innosim.sensitivity.methods.base import Method, Settings
from innosim.sensitivity.methods.efast import EFAST
from innosim.sensitivity.methods.morris import MORRIS
from innosim.sensitivity.methods.pawn import PAWN
from innosim.sensitivity.methods.rbd_fast import RBD_FAST
from innosim.sensitivity.methods.sobol import SOBOL

METHODS: dict[str, Method] = {m.name: m for m in (SOBOL, MORRIS, EFAST, RBD_FAST, PAWN)}
"""Method name -> method. The one registry of sensitivity methods."""

__all__ = ["METHODS", "Method", "Settings"]
