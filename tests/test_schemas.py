"""JSON Schemas of the TOML files (innosim.schemas, `innosim schema`): every shipped file names
its schema and validates against it; unknown keys and values out of range are refused, as the
loader refuses them; the committed schemas are current."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, run_cli
from innosim.calibration.config import load_calibration
from innosim.errors import InputError
from innosim.experiments.kinds import load_experiment
from innosim.scenario import load_scenario
from innosim.schemas import SCHEMAS, json_schema, schema_text

SHIPPED = {
    "scenario": sorted((ROOT / "scenarios").glob("*.toml")),
    "experiment": sorted((ROOT / "experiments").glob("*.toml")),
    "calibration": sorted((ROOT / "calibration").glob("*.toml")),
}
LOADERS = {"scenario": load_scenario, "experiment": load_experiment, "calibration": load_calibration}


def _errors(kind: str, data: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("kind", SCHEMAS)
def test_the_schema_is_valid_and_the_committed_copy_is_current(kind: str) -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema(kind))
    committed = ROOT / "schemas" / f"{kind}.json"
    assert committed.read_text(encoding="utf-8") == schema_text(kind), (
        f"{committed} is stale: python -m innosim.schemas schemas"
    )


@pytest.mark.parametrize("kind,path", [(k, p) for k, paths in SHIPPED.items() for p in paths], ids=lambda x: str(x))
def test_every_shipped_file_names_its_schema_and_fits_it(kind: str, path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"#:schema ../schemas/{kind}.json", f"{path}: first line {first!r}"
    assert (path.parent / first.removeprefix("#:schema ")).resolve() == ROOT / "schemas" / f"{kind}.json"
    assert _errors(kind, tomllib.loads(path.read_text(encoding="utf-8"))) == []


def test_the_shipped_sets_are_not_empty() -> None:
    assert all(len(paths) >= 3 for paths in SHIPPED.values()), {k: len(v) for k, v in SHIPPED.items()}


BAD = [
    ("scenario", 'nme = "x"\n', "nme"),
    ("scenario", "[policy.talent_card]\nbudgett = 1.0\n", "budgett"),
    ("scenario", "[policy.talent_card]\nbudget = -1.0\n", "minimum"),
    ("scenario", "scale = 2.0\n", "maximum"),
    ("scenario", "[parameters]\nprofit_margn = 0.1\n", "profit_margn"),
    ("experiment", 'name = "x"\nkind = "optimize"\n', "optimize"),
    ("experiment", 'name = "x"\nreplicates = 0\n[[vary]]\npath = "scale"\nvalues = [0.1]\n', "minimum"),
    ("experiment", 'kind = "optimise"\nname = "x"\n[search]\npopulation = 20\nmutation = 0.1\n', "mutation"),
    ("calibration", 'base = "baiyun.toml"\n[method]\npopulaton = 10\n', "populaton"),
    ("calibration", 'name = "x"\n', "required"),
]


@pytest.mark.parametrize("kind,text,word", BAD, ids=[f"{k}-{w}" for k, _, w in BAD])
def test_the_schema_refuses_what_the_loader_refuses(kind: str, text: str, word: str, tmp_path: Path) -> None:
    errors = _errors(kind, tomllib.loads(text))
    assert errors and any(word in e for e in errors), errors
    # the same file is refused on loading too (its base, if any, the shipped file)
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('base = "baiyun.toml"', f'base = "{ROOT / "calibration" / "baiyun.toml"}"'), "utf-8")
    with pytest.raises(InputError):
        LOADERS[kind](path)


def test_a_file_with_a_base_needs_no_key_and_an_experiment_kind_chooses_its_keys() -> None:
    assert _errors("scenario", {"base": "plan.toml"}) == []
    assert _errors("calibration", {"base": "baiyun.toml", "seed": 3}) == []
    assert _errors("experiment", {"base": "sobol_levers.toml", "replicates": 2}) == []
    # a sweep (the default kind) has no [search]; an optimisation has no [[vary]]
    assert any("search" in e for e in _errors("experiment", {"name": "x", "search": {"population": 8}}))
    assert any("vary" in e for e in _errors("experiment", {"kind": "optimise", "name": "x", "vary": []}))


def test_innosim_schema_prints_it_and_refuses_another_kind(tmp_path: Path) -> None:
    r = run_cli("schema", "experiment")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json_schema("experiment")
    out = tmp_path / "scenario.json"
    r = run_cli("schema", "scenario", "--out", str(out))
    assert r.returncode == 0 and out.read_text(encoding="utf-8") == schema_text("scenario")
    r = run_cli("schema", "facts")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "scenario" in r.stderr
