"""Struct-of-arrays populations (firms and talent) owned by the model.

Each population declares its columns once; rows are appended in bulk and dead rows
are dropped once a year by :meth:`Population.compact`, which returns the index map so
that references (talent's employer) can follow.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from innosim.timeline import START_YEAR


class Population:
    """A table of agents held as numpy columns.

    Columns are read and written as attributes (``firms.revenue``); each is a view of
    the first ``n`` rows. Views go stale when rows are added, so processes take them
    after any :meth:`add` they do.
    """

    columns: ClassVar[dict[str, tuple[Any, Any]]] = {}
    n: int
    """Rows in use."""
    _data: dict[str, np.ndarray]

    def __init__(self, capacity: int = 1024) -> None:
        object.__setattr__(self, "n", 0)
        object.__setattr__(
            self,
            "_data",
            {name: np.full(max(capacity, 16), default, dtype=dtype) for name, (dtype, default) in self.columns.items()},
        )

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self._data[name][: self.n]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.columns:
            self._data[name][: self.n] = value
        else:
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self.n

    def add(self, k: int, **values: Any) -> slice:
        """Append ``k`` rows (defaults, then ``values``); returns their slice."""
        start, end = self.n, self.n + k
        cap = len(next(iter(self._data.values())))
        if end > cap:
            new_cap = max(end, 2 * cap)
            for name, (dtype, default) in self.columns.items():
                arr = np.full(new_cap, default, dtype=dtype)
                arr[: self.n] = self._data[name][: self.n]
                self._data[name] = arr
        for name, (_dtype, default) in self.columns.items():
            self._data[name][start:end] = values.get(name, default)
        object.__setattr__(self, "n", end)
        return slice(start, end)

    def compact(self, keep: np.ndarray) -> np.ndarray:
        """Keep only rows where ``keep``; returns old index -> new index (-1 if dropped)."""
        mapping = np.full(self.n + 1, -1, dtype=np.int64)  # last slot maps -1 to -1
        kept = np.flatnonzero(keep)
        mapping[kept] = np.arange(len(kept))
        for name in self.columns:
            self._data[name][: len(kept)] = self._data[name][kept]
        object.__setattr__(self, "n", len(kept))
        return mapping


class Firms(Population):
    """Innovation-relevant enterprises. Money in 万元 per year (annual rates)."""

    columns = {
        "uid": (np.uint64, 0),  # identity that survives compaction (keys per-firm random draws)
        "alive": (bool, True),
        "sector": (np.int8, 0),
        "zone": (np.int8, 0),
        "industrial": (bool, False),
        "birth": (np.float64, float(START_YEAR)),
        "revenue": (np.float64, 0.0),
        "rev_per_employee": (np.float64, 50.0),
        "hightech_share": (np.float64, 0.0),
        "rd_propensity": (np.float64, 0.0),
        "rd": (np.float64, 0.0),  # real R&D, annual rate
        "rd_reported": (np.float64, 0.0),  # reported R&D (includes relabelling), annual rate
        "rd_year": (np.float64, 0.0),  # reported R&D accumulated in the current year
        "sales_year": (np.float64, 0.0),
        "rd_y1": (np.float64, 0.0),
        "rd_y2": (np.float64, 0.0),
        "rd_y3": (np.float64, 0.0),
        "sales_y1": (np.float64, 0.0),
        "sales_y2": (np.float64, 0.0),
        "sales_y3": (np.float64, 0.0),
        "knowledge": (np.float64, 0.0),
        "patents": (np.float64, 0.0),  # valid invention patents (expected stock)
        "staff": (np.int32, 0),  # S&T personnel employed (from talent)
        "hte": (bool, False),
        "hte_expiry": (np.int32, 0),
        "pool": (bool, False),
        "bunching": (bool, False),
        "tech_sme": (bool, False),
        "tenant": (np.int64, -1),  # unique_id of the incubation carrier, or -1
        "tenant_since": (np.float64, 0.0),
        "grant": (np.float64, 0.0),  # R&D grant received this year (annual rate)
        "financed_until": (np.float64, 0.0),  # equity or credit relaxes the finance constraint
        "funded_until": (np.float64, 0.0),  # equity boosts growth and survival
        "funding": (np.float64, 0.0),  # cumulative equity received, 万元
        "linked_until": (np.float64, 0.0),  # 产学研 link
        "listed": (bool, False),
        "team": (bool, False),
    }


class Talent(Population):
    """S&T personnel (level 0 leading, 1 high-end, 2 skilled)."""

    columns = {
        "alive": (bool, True),  # in the district
        "level": (np.int8, 2),
        "employer": (np.int64, -1),  # firm row, or -1
        "card": (bool, False),
        "arrived": (np.float64, float(START_YEAR)),
    }
