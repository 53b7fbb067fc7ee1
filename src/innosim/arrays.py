"""Results as labelled arrays (xarray) and NetCDF files, and their compact display in notebooks.

A long table of runs (one row per run, year and indicator) becomes an :class:`xarray.Dataset` whose
variable ``value`` has the dimensions ``scenario, replicate, year, indicator`` (a run or a comparison)
or ``point, replicate, year, indicator`` (a sweep, with each varied path as a coordinate along
``point``). Along ``indicator`` the coordinates ``unit``, ``name_zh``, ``name_en`` and ``target``
(2025, NaN where the plan sets none); along ``replicate`` its ``seed`` and posterior ``draw``. The
manifest (what produced the result) is the attribute ``manifest``, as JSON text, so that it survives
NetCDF. Needs the ``xarray`` extra: ``pip install "innosim[xarray]"``.

:func:`summary_html` is the compact HTML table notebooks show for a result (``_repr_html_``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from innosim.errors import InputError
from innosim.indicators import INDICATOR_ORDER, INDICATORS, format_value
from innosim.timeline import TARGET_YEAR

if TYPE_CHECKING:  # pragma: no cover
    import xarray as xr

EXTRA = 'pip install "innosim[xarray]"'


def _need_xarray() -> None:
    """Refuse, with the install command, where xarray (which pandas' ``to_xarray`` uses) is missing."""
    import importlib.util

    if importlib.util.find_spec("xarray") is None:
        raise InputError("to_xarray", "", f"needs xarray: {EXTRA}")


def to_xarray(
    runs: pd.DataFrame, manifest: dict[str, Any], by: str = "scenario", along: Sequence[str] = ()
) -> xr.Dataset:
    """The long table ``runs`` as a Dataset (see the module docstring).

    Args:
        runs: Columns ``by, replicate, year, indicator, value`` (and ``seed``, ``draw``, ``along``).
        manifest: What produced the runs; stored as JSON text in ``attrs["manifest"]``.
        by: The first dimension: ``scenario`` (runs, comparisons) or ``point`` (sweeps).
        along: Columns constant along ``by`` to keep as its coordinates (a sweep's varied paths).
    """
    _need_xarray()
    indicators = sorted(runs["indicator"].unique(), key=lambda i: INDICATOR_ORDER.get(i, len(INDICATOR_ORDER)))
    keys = list(dict.fromkeys(runs[by])) if by == "scenario" else sorted(runs[by].unique())
    series = runs.set_index([by, "replicate", "year", "indicator"])["value"]
    data = series.to_xarray().reindex({by: keys, "indicator": indicators})
    coords: dict[str, Any] = {
        "unit": ("indicator", [INDICATORS[i].unit if i in INDICATORS else "" for i in indicators]),
        "name_zh": ("indicator", [INDICATORS[i].name_zh if i in INDICATORS else i for i in indicators]),
        "name_en": ("indicator", [INDICATORS[i].name_en if i in INDICATORS else i for i in indicators]),
        "target": ("indicator", [_target(i) for i in indicators]),
    }
    for column in ("seed", "draw"):
        if column in runs:
            per = runs.groupby("replicate")[column].first().reindex(data["replicate"].values)
            coords[column] = ("replicate", per.to_numpy())
    for column in along:
        per = runs.groupby(by)[column].first().reindex(keys)
        coords[column] = (by, per.to_numpy())
    data = data.assign_coords(coords)
    data.attrs.update(long_name="indicator value", note=f"target: the plan's {TARGET_YEAR} target")
    dataset = data.to_dataset(name="value")
    dataset.attrs["manifest"] = json.dumps(manifest, ensure_ascii=False, default=str)
    dataset.attrs["title"] = f"innosim {manifest.get('kind', 'result')}"
    return dataset


class LabelledRuns:
    """What a result holding ``runs`` (long form) and ``manifest`` converts to: :meth:`to_xarray`, :meth:`to_netcdf`."""

    runs: pd.DataFrame
    manifest: dict[str, Any]

    def to_xarray(self) -> Any:
        """The runs as an :class:`xarray.Dataset`: dimensions scenario, replicate, year, indicator;
        units and names as coordinates, the manifest as an attribute (:mod:`innosim.arrays`)."""
        return to_xarray(self.runs, self.manifest)

    def to_netcdf(self, path: str | Path) -> Path:
        """Write :meth:`to_xarray` as a NetCDF file; returns its path."""
        return to_netcdf(self.to_xarray(), path)


LONG = ("run", "point", "replicate", "seed", "draw", "year", "indicator", "value")
"""The columns of a sweep's results table besides its varied paths."""


class SweepTable(pd.DataFrame):
    """A sweep's results table: a pandas DataFrame whose :meth:`to_xarray` has the dimensions
    point, replicate, year and indicator, each varied path a coordinate along point."""

    @property
    def _constructor(self) -> type[SweepTable]:
        return SweepTable

    def to_xarray(self) -> Any:
        """The table as an :class:`xarray.Dataset` (see the module docstring); a table without the
        long columns (a selection of columns) converts as pandas converts any frame."""
        if not set(LONG) - {"run"} <= set(self.columns):
            return pd.DataFrame(self).to_xarray()
        factors = [c for c in self.columns if c not in LONG]
        return to_xarray(pd.DataFrame(self), self.attrs.get("manifest", {}), by="point", along=factors)

    to_netcdf = LabelledRuns.to_netcdf


def _target(iid: str) -> float:
    ind = INDICATORS.get(iid)
    target = ind.target() if ind is not None else None
    return float("nan") if target is None else float(target)


def to_netcdf(dataset: xr.Dataset, path: str | Path) -> Path:
    """Write ``dataset`` as NetCDF-4 (h5netcdf) to ``path``; returns it."""
    path = Path(path)
    try:
        import h5netcdf  # noqa: F401
    except ImportError:
        raise InputError(path, "", f"writing NetCDF needs h5netcdf: {EXTRA}") from None
    dataset.to_netcdf(path, engine="h5netcdf")
    return path


def summary_html(title: str, summary: pd.DataFrame, scenarios: Sequence[str], note: str = "") -> str:
    """A compact HTML table: each plan indicator's last-year median [5%-95%] per scenario, and its target.

    ``summary`` holds ``scenario, indicator, year, median, p05, p95`` (:meth:`Projection.summary
    <innosim.simulation.Projection.summary>` with its scenario, or :attr:`Comparison.indicators
    <innosim.comparison.Comparison.indicators>`)."""
    year = int(summary["year"].max()) if len(summary) else TARGET_YEAR
    at = summary[summary["year"] == year].set_index(["scenario", "indicator"])
    rows = []
    for iid, ind in INDICATORS.items():
        if not ind.plan:
            continue
        fmt = functools.partial(format_value, unit=ind.unit)
        row = {"indicator": f"{ind.name_zh} {ind.name_en}", "unit": ind.unit}
        for name in scenarios:
            r = at.loc[(name, iid)] if (name, iid) in at.index else None
            row[name] = "-" if r is None else f"{fmt(r['median'])} [{fmt(r['p05'])}-{fmt(r['p95'])}]"
        row["target"] = fmt(ind.target())
        rows.append(row)
    table = pd.DataFrame(rows).to_html(index=False, border=0, escape=True)
    caption = f"<p><b>{title}</b><br>{year}: median [5%-95%] over replicates{'; ' + note if note else ''}</p>"
    return caption + table
