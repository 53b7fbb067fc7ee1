"""The small populations as Mesa agents: carriers, funds, R&D institutions, government.

Firms and talent are arrays owned by the model (see :mod:`innosim.model.population`); these
agents act on them through vectorised updates.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from innosim.levers import LEVERS, Policy
from innosim.parameters import Parameters
from innosim.timeline import PLAN_START

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel


class Government(mesa.Agent):
    """Spends each lever's annual budget, never more, and records what it spent.

    Amounts are district-level 亿元. Payouts to sampled firms are divided by the
    model's scale before they are charged, so the ledger is always district-level.

    Attributes:
        ledger: ``{year: {lever_id: 亿元 spent}}``.
    """

    def __init__(self, model: InnovationModel, scenario_policy: Policy, history: Policy) -> None:
        super().__init__(model)
        self.scenario_policy = scenario_policy
        self.history = history
        self.ledger: dict[int, dict[str, float]] = defaultdict(lambda: {lid: 0.0 for lid in LEVERS})

    def policy(self, year: int) -> Policy:
        """The policy in force in ``year``: the 13th-plan policy before 2021."""
        return self.history if year < PLAN_START else self.scenario_policy

    def lever(self, lever_id: str, year: int | None = None) -> Any:
        """The lever settings in force in ``year`` (default: the current year): a
        :class:`~innosim.levers.Lever` model of the kind ``lever_id`` names."""
        return getattr(self.policy(self.model.year if year is None else year), lever_id)

    def remaining(self, lever_id: str) -> float:
        """亿元 left of this year's budget for the lever."""
        year = self.model.year
        return max(0.0, self.lever(lever_id).budget - self.ledger[year][lever_id])

    def pay(self, lever_id: str, amount: float) -> float:
        """Pay up to ``amount`` 亿元 (district level); returns what was paid."""
        paid = min(max(amount, 0.0), self.remaining(lever_id))
        self.ledger[self.model.year][lever_id] += paid
        return paid

    def pay_each(self, lever_id: str, amounts: np.ndarray) -> np.ndarray:
        """Pay model-level amounts (亿元) in order until the budget runs out.

        Each amount stands for ``1/scale`` of itself at district level. Returns the
        model-level amounts actually paid (the last one possibly partial).
        """
        scale = self.model.scale
        district = np.cumsum(amounts) / scale
        room = self.remaining(lever_id)
        paid_district = np.minimum(district, room)
        paid = np.diff(paid_district, prepend=0.0) * scale
        self.ledger[self.model.year][lever_id] += float(paid_district[-1]) if len(paid_district) else 0.0
        return paid

    def pay_pro_rata(self, lever_id: str, amounts: np.ndarray) -> np.ndarray:
        """Pay model-level amounts (亿元) in full if the budget allows, else the same share of each.

        Each amount stands for ``1/scale`` of itself at district level; returns the
        model-level amounts paid.
        """
        total = float(amounts.sum()) / self.model.scale
        if total <= 0:
            return np.zeros_like(amounts)
        share = min(1.0, self.remaining(lever_id) / total)
        self.ledger[self.model.year][lever_id] += share * total
        return amounts * share

    def affordable(self, lever_id: str, unit_cost: float) -> int:
        """How many whole units of ``unit_cost`` 亿元 the remaining budget buys."""
        if unit_cost <= 0:
            return 0
        return int(self.remaining(lever_id) / unit_cost + 1e-9)

    def spent(self, year: int, lever_id: str) -> float:
        """亿元 spent on the lever in ``year``."""
        return self.ledger[year][lever_id] if year in self.ledger else 0.0


class IncubationCarrier(mesa.Agent):
    """A maker space (众创空间), incubator (孵化器) or accelerator (加速器).

    Attributes:
        kind: ``"maker_space"``, ``"incubator"`` or ``"accelerator"``.
        capacity: Tenant places in the (possibly scaled) firm population.
        area: Floor area in 万m2.
        operator: ``"private"`` or ``"government"``.
        opened: Year opened.
    """

    def __init__(
        self, model: InnovationModel, kind: str, capacity: float, area: float, operator: str, opened: int
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.capacity = capacity
        self.area = area
        self.operator = operator
        self.opened = opened

    @property
    def is_incubator(self) -> bool:
        """Counts towards 孵化器(加速器)."""
        return self.kind in ("incubator", "accelerator")

    def close_or_stay(self, rng: np.random.Generator, closure: float, year: int) -> None:
        """A carrier opened before ``year`` closes with probability ``closure``; its tenants leave."""
        if self.opened < year and rng.random() < closure:
            firms = self.model.firms
            firms.tenant[firms.tenant == self.unique_id] = -1
            self.remove()


class Fund(mesa.Agent):
    """A guidance fund, a private VC fund or a tech-credit bank.

    Attributes:
        kind: ``"guidance"``, ``"venture"`` or ``"credit"``.
        public_capital: 亿元 paid in by the government (guidance fund).
        private_capital: 亿元 raised from private co-investors.
        uninvested: 亿元 not yet invested.
        deals: Number of investments (or loans) made; the firms carry the funding.
    """

    def __init__(self, model: InnovationModel, kind: str) -> None:
        super().__init__(model)
        self.kind = kind
        self.public_capital = 0.0
        self.private_capital = 0.0
        self.uninvested = 0.0
        self.deals = 0

    def raise_capital(self, public: float, leverage: float, raise_rate: float) -> None:
        """Guidance fund: public money attracts private money at the realised leverage."""
        private = public * leverage * raise_rate
        self.public_capital += public
        self.private_capital += private
        self.uninvested += public + private


INSTITUTION_KINDS_ZH = {"university": "高校", "research_institute": "科研院所", "new_type": "新型研发机构"}
INSTITUTION_NAMES: dict[str, tuple[str, ...]] = {
    "university": ("南方医科大学", "广州中医药大学"),
    "research_institute": ("广州化工研究设计院", "广州市建筑科学研究院"),
    "new_type": ("广东省新兴激光等离子体技术研究院", "白云美湾化妆品国际研究院"),
}
"""Institutions the plan names (PLAN 一(一)2, 二(二)2), given in order to the first of each kind;
the others are labelled by kind and id."""


class RdInstitution(mesa.Agent):
    """A university (高校), research institute (科研院所) or new-type R&D institution.

    Attributes:
        kind: ``"university"``, ``"research_institute"`` or ``"new_type"``.
        name: Its name: those the plan names (:data:`INSTITUTION_NAMES`), else the kind and id.
        zone: Zone index (spill-overs are zonal).
        capacity: Research capacity (1 = a typical institute).
        provincial: Recognised as a provincial new-type R&D institution.
        supported: Receives district operating support this year.
    """

    def __init__(
        self, model: InnovationModel, kind: str, zone: int, capacity: float, founded: int, name: str = ""
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.name = name or f"{INSTITUTION_KINDS_ZH[kind]} {self.unique_id}"
        self.zone = zone
        self.capacity = capacity
        self.founded = founded
        self.provincial = False
        self.supported = False

    def develop(self, rng: np.random.Generator, p: Parameters) -> None:
        """Yearly: a candidate is recognised as a provincial new-type R&D institution (more
        likely if new-type or supported by the district); support adds capacity.

        Universities and institutions already recognised are not candidates.
        """
        if self.provincial or self.kind == "university":
            return
        rate = (
            p.recognition_rate
            * (p.new_type_recognition_factor if self.kind == "new_type" else 1.0)
            * (p.supported_recognition_factor if self.supported else 1.0)
        )
        if rng.random() < rate:
            self.provincial = True
        if self.supported:
            self.capacity += p.supported_capacity_growth
