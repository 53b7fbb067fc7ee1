"""Reopen any result directory as the object the library returned.

=================  ===============================================  ==========================
kind               written by                                       reopened as
=================  ===============================================  ==========================
``run``            :meth:`Projection.save`, ``innosim run --out``      :class:`~innosim.simulation.Projection`
``comparison``     :meth:`Comparison.save`, ``innosim compare --out``  :class:`~innosim.comparison.Comparison`
``sweep``          :func:`innosim.sweep`, ``innosim sweep``            the results table (pandas; ``to_xarray``)
``sensitivity``    :func:`innosim.sensitivity.sensitivity`             the index table (pandas)
``optimisation``   :func:`innosim.optimise`, ``innosim optimise``      the evaluation table (pandas)
``discovery``      :func:`innosim.discover`, ``innosim discover``      the PRIM box table (pandas)
=================  ===============================================  ==========================

Tables carry their manifest in ``DataFrame.attrs["manifest"]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from innosim import provenance
from innosim.arrays import SweepTable
from innosim.comparison import Comparison
from innosim.errors import InputError, option
from innosim.simulation import Projection
from innosim.verification import RESULTS, check_finished

INDICES = "indices.parquet"
"""The index table of a finished sensitivity analysis."""
TABLES = {"sweep": RESULTS, "sensitivity": INDICES, "optimisation": "evaluations.parquet", "discovery": "boxes.csv"}
"""The table each kind of job directory is reopened as."""


def _table(folder: Path, name: str, manifest: dict[str, Any]) -> pd.DataFrame:
    check_finished(folder, manifest)
    if not (folder / name).is_file():
        raise InputError(
            folder,
            name,
            f"is missing: the {manifest['kind']} did not finish; resume it "
            f"({option('resume', flag=True)}) to complete it",
        )
    try:
        table = pd.read_csv(folder / name) if name.endswith(".csv") else pd.read_parquet(folder / name)
    except (OSError, ValueError) as exc:
        raise InputError(folder / name, "", f"cannot be read ({exc})") from None
    if manifest["kind"] == "sweep":
        table = SweepTable(table)
    table.attrs["manifest"] = manifest
    return table


def load_result(folder: str | Path) -> Projection | Comparison | pd.DataFrame:
    """The result stored in ``folder``, as the library returned it (see the module docstring).

    Raises:
        InputError: not a result directory of innosim, or one whose files are missing,
            unfinished or unreadable.
    """
    folder = Path(folder)
    manifest = provenance.read_manifest(folder)
    kind = manifest["kind"]
    if kind == "run":
        return Projection.load(folder)
    if kind == "comparison":
        return Comparison.load(folder)
    return _table(folder, TABLES[kind], manifest)
