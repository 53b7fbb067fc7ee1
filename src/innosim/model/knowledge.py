"""Process 4: knowledge production and invention patents.

Knowledge accumulates from R&D (depreciating), multiplied by spill-overs from R&D
institutions in the firm's zone and 产学研 links and by the high-level share of its S&T
staff. Invention patents are granted at a rate with constant elasticity to R&D (Hausman,
Hall & Griliches 1984), times the examination's throughput of the year: CNIPA's invention grants
per application of two years before, relative to 2019's (:func:`grant_throughput`; stable before,
realised to 2024, held after), so that the grants of 2021-2024 follow the national speed-up of
examination rather than the district's R&D alone. The IP lever pays a subsidy per invention patent granted while
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
from innosim.timeline import FIRST_YEAR

if TYPE_CHECKING:  # pragma: no cover
    from innosim.facts import FactBook
    from innosim.model.model import InnovationModel

EXAMINATION_LAG_YEARS = 2
"""Years from an invention application to its decision: CNIPA's average pendency was about 22
months in 2016-2019 (calibration/data/baiyun.toml, ``national_invention_examination_months``)."""
THROUGHPUT_BASE_YEAR = 2019
"""The first year whose grants can be set against applications of the same definition (CNIPA
counted filings received to 2016 and applications from 2017): the throughput is 1 to this year."""


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
    throughput = model.grant_throughput[model.year]
    lam = np.where(
        fi.alive & (fi.rd > 0),
        p.patent_rate * (fi.rd / C.patent_rd_unit) ** p.patent_elasticity * spill * ip_factor * project / 4,
        0.0,
    )
    grants = rng.poisson(lam * throughput)
    inst_rate = model.institution_capacity() * p.institution_patent_rate * ip_factor * throughput
    inst_grants = rng.poisson(inst_rate / 4 * model.scale)
    fi.patents = fi.patents * (1 - p.patent_lapse) ** 0.25 + grants
    model.institution_patents = model.institution_patents * (1 - p.patent_lapse) ** 0.25 + inst_grants / model.scale
    total = (grants.sum() + inst_grants) / model.scale
    gov.pay("ip_awards", total * per_grant)
    model.add_flow("invention_patents_granted", total)


def grant_throughput(facts: FactBook, end_year: int) -> dict[int, float]:
    """The examination's throughput by year, 1 to :data:`THROUGHPUT_BASE_YEAR`: after it, CNIPA's
    invention grants of the year per invention application of :data:`EXAMINATION_LAG_YEARS`
    before (the national series of the data file), relative to the base year's; held at the
    last year with data.

    The district's inventions are granted at the pace the patent office examines. That pace was
    stable to 2019 (22 months on average, 2016-2019); then the office cut the examination to 15.5
    months (2024) and its grants rose 97% from 2020 to 2024 while the applications of two years
    before rose 5%. An exogenous input, like GDP (docs/model.md).
    """
    grants, filed = "national_invention_patents_granted", "national_invention_patent_applications"
    base = facts.value(grants, THROUGHPUT_BASE_YEAR) / facts.value(filed, THROUGHPUT_BASE_YEAR - EXAMINATION_LAG_YEARS)
    path = {year: 1.0 for year in range(FIRST_YEAR, min(THROUGHPUT_BASE_YEAR, end_year) + 1)}
    for year in range(THROUGHPUT_BASE_YEAR + 1, end_year + 1):
        now, before = facts.find(grants, year), facts.find(filed, year - EXAMINATION_LAG_YEARS)
        path[year] = now.value / before.value / base if now and before else path[year - 1]
    return path
