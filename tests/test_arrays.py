"""Results as labelled arrays: every result directory of a run, a comparison and a sweep reopens
with `load_result` and converts with `.to_xarray()` (dimensions, units, names, targets and the
manifest), the values equal to the long table's, and a NetCDF file round-trips; notebooks show a
compact table and a one-line repr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

import innosim
from conftest import SCENARIOS

SMALL = {"scale": 0.03}


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("arrays")
    base = innosim.default_scenario().with_overrides(SMALL)
    plan = innosim.load_scenario(SCENARIOS / "plan.toml").with_overrides(SMALL)
    innosim.project(plan, replicates=2, seed=4, workers=1).save(root / "run")
    innosim.compare([base, plan], replicates=2, seed=4, workers=1).save(root / "cmp")
    sweep_file = root / "sweep.toml"
    sweep_file.write_text(
        f'name = "s"\nscenario = "{(SCENARIOS / "plan.toml").as_posix()}"\nscale = 0.03\nreplicates = 2\n'
        '[[vary]]\npath = "policy.talent_card.budget"\nvalues = [0.3, 0.9, 1.5]\n'
        '[output]\nindicators = ["hte_count", "rd_intensity"]\nyears = [2024, 2025]\n',
        encoding="utf-8",
    )
    innosim.sweep(sweep_file, out=root / "sweep", workers=1)
    return {"run": root / "run", "cmp": root / "cmp", "sweep": root / "sweep"}


def _check(ds: xr.Dataset, long, first: str) -> None:
    assert ds["value"].dims == (first, "replicate", "year", "indicator")
    assert ds["unit"].sel(indicator="hte_count").item() == "firms"
    assert ds["name_zh"].sel(indicator="hte_count").item() == "国家高新技术企业数"
    manifest = json.loads(ds.attrs["manifest"])
    assert manifest["kind"] in ("run", "comparison", "sweep") and manifest["innosim_version"]
    # every value of the long table is where the dimensions say
    for row in long.sample(20, random_state=1).itertuples(index=False):
        at = ds["value"].sel(
            {first: getattr(row, first), "replicate": row.replicate, "year": row.year, "indicator": row.indicator}
        )
        assert at.item() == row.value


def test_a_run_and_a_comparison_convert_with_their_dimensions_units_and_manifest(saved, tmp_path) -> None:
    run = innosim.load_result(saved["run"])
    ds = run.to_xarray()
    _check(ds, run.runs, "scenario")
    assert list(ds["scenario"].values) == ["plan"] and ds.sizes["replicate"] == 2
    assert ds["target"].sel(indicator="rd_expenditure").item() == 70.0
    cmp = innosim.load_result(saved["cmp"])
    ds = cmp.to_xarray()
    _check(ds, cmp.runs, "scenario")
    assert list(ds["scenario"].values) == ["baseline", "plan"]
    path = cmp.to_netcdf(tmp_path / "cmp.nc")
    back = xr.open_dataset(path, engine="h5netcdf")
    xr.testing.assert_equal(back["value"].load(), ds["value"])
    assert json.loads(back.attrs["manifest"]) == json.loads(ds.attrs["manifest"])


def test_a_sweep_directory_converts_by_point_with_its_varied_paths(saved) -> None:
    table = innosim.load_result(saved["sweep"])
    ds = table.to_xarray()
    _check(ds, table, "point")
    assert list(ds["policy.talent_card.budget"].values) == [0.3, 0.9, 1.5]
    assert ds.sizes == {"point": 3, "replicate": 2, "year": 2, "indicator": 2}
    # a selection of rows is still a sweep table; a selection of columns converts as pandas does
    assert table[table.year == 2025].to_xarray().sizes["year"] == 1
    assert "value" in table[["value"]].to_xarray()


def test_notebooks_show_a_compact_table_and_a_one_line_repr(saved) -> None:
    cmp = innosim.load_result(saved["cmp"])
    html = cmp._repr_html_()
    assert html.count("<tr") == 1 + sum(1 for i in innosim.INDICATORS.values() if i.plan) and "targets met" in html
    assert "\n" not in repr(cmp) and len(repr(cmp)) < 300 and "plan against baseline" in repr(cmp)
    run = innosim.load_result(saved["run"])
    assert "\n" not in repr(run) and "<table" in run._repr_html_()


def test_every_result_directory_holds_the_long_table_as_parquet_with_units_and_manifest(saved) -> None:
    """One file name, one dtype per shared column, the units and the manifest in the Parquet metadata."""
    import pyarrow.parquet as pq

    from innosim.store import MANIFEST_KEY, UNITS_KEY

    types = {}
    for name, folder in saved.items():
        schema = pq.read_schema(folder / "results.parquet")
        manifest = json.loads(schema.metadata[MANIFEST_KEY])
        assert manifest == json.loads((folder / "manifest.json").read_text(encoding="utf-8")), name
        units = json.loads(schema.metadata[UNITS_KEY])
        assert units["hte_count"] == "firms" and units["rd_expenditure"] == "亿元", name
        for column in ("replicate", "seed", "draw", "year", "indicator", "value"):
            types.setdefault(column, set()).add(str(schema.field(column).type))
    assert types == {
        "replicate": {"int64"},
        "seed": {"uint64"},
        "draw": {"int64"},
        "year": {"int64"},
        "indicator": {"string"},
        "value": {"double"},
    }, types
