"""Struct-of-arrays populations (firms and talent) owned by the model.

Each population declares its columns once; rows are appended in bulk and dead rows
are dropped once a year by :meth:`Population.compact`, which returns the index map so
that references (talent's employer) can follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

from innosim.timeline import START_YEAR


class Column(NamedTuple):
    """One column of a population: its dtype, default, unit and meaning."""

    dtype: Any
    default: Any
    unit: str
    description: str


class Population:
    """A table of agents held as numpy columns.

    Columns are read and written as attributes (``firms.revenue``); each is a view of
    the first ``n`` rows. Views go stale when rows are added, so processes take them
    after any :meth:`add` they do.
    """

    columns: ClassVar[dict[str, Column]] = {}
    n: int
    """Rows in use."""
    _data: dict[str, np.ndarray]

    def __init__(self, capacity: int = 1024) -> None:
        object.__setattr__(self, "n", 0)
        object.__setattr__(
            self,
            "_data",
            {name: np.full(max(capacity, 16), col.default, dtype=col.dtype) for name, col in self.columns.items()},
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
            for name, col in self.columns.items():
                arr = np.full(new_cap, col.default, dtype=col.dtype)
                arr[: self.n] = self._data[name][: self.n]
                self._data[name] = arr
        for name, col in self.columns.items():
            self._data[name][start:end] = values.get(name, col.default)
        object.__setattr__(self, "n", end)
        return slice(start, end)

    def to_frame(self, dead: bool = False) -> pd.DataFrame:
        """The population as a pandas DataFrame: one row per live agent (``dead=True``: every row),
        one column per declared column (see :meth:`describe` for units and meanings).

        The frame is a copy: changing it does not change the model. Its ``attrs["units"]`` maps
        each column to its unit.
        """
        import pandas as pd

        rows = slice(None) if dead else self._data["alive"][: self.n]
        frame = pd.DataFrame({name: self._data[name][: self.n][rows] for name in self.columns})
        frame.attrs["units"] = {name: col.unit for name, col in self.columns.items()}
        return frame

    @classmethod
    def describe(cls) -> pd.DataFrame:
        """The declared columns: ``column, dtype, unit, description``."""
        import pandas as pd

        return pd.DataFrame(
            [(name, np.dtype(col.dtype).name, col.unit, col.description) for name, col in cls.columns.items()],
            columns=["column", "dtype", "unit", "description"],
        )

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
        "uid": Column(np.uint64, 0, "id", "identity that survives compaction (keys the firm's own random draws)"),
        "alive": Column(bool, True, "flag", "in business"),
        "sector": Column(np.int8, 0, "index", "sector of the 6+6 system (innosim.model.structure.SECTORS)"),
        "zone": Column(np.int8, 0, "index", "zone of 一园一城双廊 (innosim.model.structure.ZONES)"),
        "industrial": Column(bool, False, "flag", "an industrial firm (above-scale threshold 2000万元)"),
        "birth": Column(np.float64, float(START_YEAR), "year", "founding time"),
        "revenue": Column(np.float64, 0.0, "万元/yr", "revenue, annual rate"),
        "rev_per_employee": Column(np.float64, 50.0, "万元/person", "revenue per employee"),
        "hightech_share": Column(np.float64, 0.0, "fraction", "high-tech products' share of revenue"),
        "hightech_effect": Column(
            np.float64,
            np.nan,
            "logit",
            "the firm's own product mix: its high-tech share's logit at the reference R&D intensity (set when first seen doing R&D)",
        ),
        "rd_propensity": Column(np.float64, 0.0, "fraction", "desired R&D intensity before user cost and drift"),
        "rd_start_draw": Column(
            np.float64,
            1.0,
            "probability",
            "the birth draw that decides R&D: a firm without R&D starts when its participation probability exceeds it",
        ),
        "rd": Column(np.float64, 0.0, "万元/yr", "real R&D, annual rate"),
        "rd_reported": Column(np.float64, 0.0, "万元/yr", "reported R&D (includes relabelling), annual rate"),
        "rd_year": Column(np.float64, 0.0, "万元", "reported R&D accumulated in the current year"),
        "sales_year": Column(np.float64, 0.0, "万元", "sales accumulated in the current year"),
        "rd_y1": Column(np.float64, 0.0, "万元", "reported R&D of the last full year"),
        "rd_y2": Column(np.float64, 0.0, "万元", "reported R&D two years ago"),
        "rd_y3": Column(np.float64, 0.0, "万元", "reported R&D three years ago"),
        "sales_y1": Column(np.float64, 0.0, "万元", "sales of the last full year"),
        "sales_y2": Column(np.float64, 0.0, "万元", "sales two years ago"),
        "sales_y3": Column(np.float64, 0.0, "万元", "sales three years ago"),
        "knowledge": Column(np.float64, 0.0, "万元", "knowledge stock (depreciated R&D with spill-overs)"),
        "patents": Column(np.float64, 0.0, "patents", "valid invention patents (expected stock)"),
        "staff": Column(np.int32, 0, "persons", "S&T personnel employed"),
        "other_ip": Column(
            bool, False, "flag", "holds core IP other than invention patents, acquired for an HTE application"
        ),
        "hte": Column(bool, False, "flag", "holds a valid high-tech enterprise certificate"),
        "hte_expiry": Column(np.int32, 0, "year", "year the HTE certificate expires"),
        "pool": Column(bool, False, "flag", "in the HTE cultivation pool this year"),
        "bunching": Column(bool, False, "flag", "raising R&D to reach the HTE threshold this year"),
        "tech_sme": Column(bool, False, "flag", "registered tech SME (科技型中小企业)"),
        "tenant": Column(np.int64, -1, "agent id", "unique_id of the incubation carrier it rents in, or -1"),
        "tenant_since": Column(np.float64, 0.0, "year", "time it entered its carrier"),
        "grant": Column(np.float64, 0.0, "万元/yr", "R&D grant received this year, annual rate"),
        "financed_until": Column(np.float64, 0.0, "year", "equity or tech credit relaxes its finance constraint until"),
        "funded_until": Column(np.float64, 0.0, "year", "equity raises its growth and survival until"),
        "funding": Column(np.float64, 0.0, "万元", "cumulative equity received"),
        "listing_reserve": Column(
            bool, False, "flag", "in the district's listing reserve this year, supported by the listing lever"
        ),
        "ip_project": Column(bool, False, "flag", "carries a high-value patent project of the IP lever this year"),
        "listed": Column(bool, False, "flag", "listed on a stock exchange"),
        "team": Column(bool, False, "flag", "founded by an introduced innovation team"),
    }


class Talent(Population):
    """S&T personnel (level 0 leading, 1 high-end, 2 skilled)."""

    columns = {
        "alive": Column(bool, True, "flag", "in the district"),
        "level": Column(np.int8, 2, "index", "0 leading, 1 high-end, 2 skilled"),
        "employer": Column(np.int64, -1, "row", "row of the employing firm in model.firms, or -1"),
        "card": Column(bool, False, "flag", "holds a talent card"),
        "arrived": Column(np.float64, float(START_YEAR), "year", "arrival in the district"),
    }
