"""The model: a Mesa model of Baiyun's innovation system, one module per ODD process.

- :mod:`~innosim.model.model`: :class:`InnovationModel`, the state, the clock and the
  schedule (:meth:`~innosim.model.model.InnovationModel.step`, one line per process);
- :mod:`~innosim.model.synthesis`: the end-2015 state and the macro paths;
- :mod:`~innosim.model.streams`: the random streams (common random numbers);
- the processes, in schedule order: :mod:`~innosim.model.calls` (1, government calls),
  :mod:`~innosim.model.talent` (2), :mod:`~innosim.model.rd` (3, firms' R&D),
  :mod:`~innosim.model.knowledge` (4), :mod:`~innosim.model.production` (5),
  :mod:`~innosim.model.certification` (6), :mod:`~innosim.model.finance` (7),
  :mod:`~innosim.model.demography` (8), :mod:`~innosim.model.carriers` (9);
- the populations: :mod:`~innosim.model.population` (firms and talent as arrays) and
  :mod:`~innosim.model.agents` (carriers, funds, institutions, the government as Mesa agents);
- the declarations: :mod:`~innosim.model.structure` (sectors, zones, official rules) and
  :mod:`~innosim.model.constants` (fixed assumptions with sources).
"""

from typing import TYPE_CHECKING

from innosim._lazy import attach

if TYPE_CHECKING:  # pragma: no cover
    from innosim.model.model import InnovationModel
    from innosim.model.streams import PROCESSES

__getattr__, __dir__ = attach(
    __name__, {"InnovationModel": "innosim.model.model", "PROCESSES": "innosim.model.streams"}
)
__all__ = ["PROCESSES", "InnovationModel"]
