"""Process 4: knowledge production and invention patents.

Knowledge accumulates from R&D (depreciating), multiplied by spill-overs from R&D
institutions in the firm's zone and 产学研 links and by the high-level share of its S&T
staff. Invention patents are granted at a rate with constant elasticity to R&D (Hausman,
Hall & Griliches 1984). The IP lever pays a subsidy per invention patent granted while
grant-stage subsidies are allowed (until 2024: CNIPA 国知发保字〔2021〕1号) and funds
high-value patent projects, which raise the patenting of the firms that carry them.
Universities and institutes patent in proportion to their capacity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from innosim.model import structure as st
from innosim.model.constants import CONSTANTS as C
from innosim.model.constants import WAN_PER_YI
from innosim.model.talent import staff_counts

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


def produce_knowledge(model: InnovationModel) -> None:
    """Knowledge accumulates from R&D with spill-overs; invention patents are granted.

    References:
        Hausman, Hall & Griliches (1984), Econometrica 52(4): patents-R&D elasticity.
    """
    p, fi, gov, rng = model.p, model.firms, model.government, model.stream("knowledge")
    spill = model.spillover()
    high_level = staff_counts(model, model.talent.level < 2)
    talent_boost = 1.0 + p.high_level_boost * high_level / np.maximum(fi.staff, 1)
    model.knowledge_before = fi.knowledge.copy()
    fi.knowledge = fi.knowledge * (1 - p.knowledge_depreciation) ** 0.25 + fi.rd / 4 * spill * talent_boost
    ip = gov.lever("ip_awards")
    per_grant = ip.subsidy_per_patent if model.year < st.PATENT_GRANT_SUBSIDY_END else 0.0
    ip_factor = 1.0 + p.ip_response * per_grant * WAN_PER_YI * (gov.remaining("ip_awards") > 0)
    project = np.where(fi.ip_project, 1.0 + p.ip_project_effect, 1.0)
    lam = np.where(
        fi.alive & (fi.rd > 0),
        p.patent_rate * (fi.rd / C.patent_rd_unit) ** p.patent_elasticity * spill * ip_factor * project / 4,
        0.0,
    )
    grants = rng.poisson(lam)
    inst_grants = rng.poisson(model.institution_capacity() * p.institution_patent_rate * ip_factor / 4 * model.scale)
    fi.patents = fi.patents * (1 - p.patent_lapse) ** 0.25 + grants
    model.institution_patents = model.institution_patents * (1 - p.patent_lapse) ** 0.25 + inst_grants / model.scale
    total = (grants.sum() + inst_grants) / model.scale
    gov.pay("ip_awards", total * per_grant)
    model.add_flow("invention_patents_granted", total)
