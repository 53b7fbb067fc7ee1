"""Sweeps: identical tables on every executor, kill-and-resume, bad files refused, examples run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SCENARIOS, assert_refused, kill_cli_when, run_cli
from innosim import load_sweep, sweep
from innosim.errors import InputError
from innosim.executor import ProcessExecutor
from innosim.store import PARTS, RESULTS

TINY = f"""
kind = "sweep"
name = "tiny"
scenario = "{(SCENARIOS / "plan.toml").as_posix()}"
scale = 0.05
seed = 5
replicates = 2

[design]
method = "lhs"
samples = 5

[[vary]]
path = "policy.talent_card.budget"
lower = 0.1
upper = 3.0

[[vary]]
path = "parameters.spillover"
lower = 0.1
upper = 0.6

[output]
indicators = ["hte_count", "high_level_talent", "rd_expenditure", "spending_talent_card"]
years = [2020, 2023, 2025]
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    path = _write(tmp_path_factory.mktemp("sweep") / "tiny.toml", TINY)
    return path, sweep(path, workers=1)


def test_table_has_a_row_per_run_indicator_and_year(tiny):
    path, table = tiny
    assert list(table.columns) == [
        "run",
        "point",
        "replicate",
        "seed",
        "draw",
        "policy.talent_card.budget",
        "parameters.spillover",
        "year",
        "indicator",
        "value",
    ]
    assert len(table) == 5 * 2 * 3 * 4 and table["run"].nunique() == 10
    assert table.groupby("run")["point"].first().tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    # paired: replicate k has the same seed and posterior draw at every point
    assert table.groupby("replicate")[["seed", "draw"]].nunique().max().max() == 1
    # the varied budget is what the lever spent against: more budget, more spending, up to about
    # 1亿 a year, where every high-level person holds a card
    spent = table[(table.indicator == "spending_talent_card") & (table.year == 2025)]
    budget = spent.groupby("point")[["policy.talent_card.budget", "value"]].mean()
    budget = budget.sort_values("policy.talent_card.budget").to_numpy()
    assert (budget[:, 1] <= budget[:, 0] + 1e-9).all()  # never above the budget
    assert budget[0, 1] == pytest.approx(budget[0, 0], rel=0.05)  # a small budget is spent (whole cards)
    assert budget[-1, 1] > 2 * budget[0, 1]


def test_same_table_on_every_executor(tiny, tmp_path):
    path, reference = tiny
    with ProcessExecutor(1) as pool:
        pd.testing.assert_frame_equal(sweep(path, executor=pool), reference)
    pd.testing.assert_frame_equal(sweep(path, workers=2), reference)
    pd.testing.assert_frame_equal(sweep(path, workers=2, scheduler="local"), reference)


def test_killed_sweep_resumes_to_the_same_table(tmp_path):
    text = TINY.replace("samples = 5", "samples = 24").replace("scale = 0.05", "scale = 0.1")
    path = _write(tmp_path / "kill.toml", text)
    reference = sweep(path, workers=2)
    out = tmp_path / "out"
    # kill the CLI and its workers mid-sweep, once a few parts are on disk
    kill_cli_when(
        ["sweep", str(path), "--out", str(out), "--workers", "2", "--checkpoint", "0"],
        lambda: len(list((out / PARTS).glob("part-*"))) >= 3,
        poll=0.02,
    )
    assert not (out / RESULTS).exists()
    stored = pd.concat([pd.read_parquet(p) for p in sorted((out / PARTS).glob("part-*"))])
    assert 0 < stored["run"].nunique() < 48
    refused = run_cli("sweep", str(path), "--out", str(out))
    assert refused.returncode == 2 and "--resume" in refused.stderr
    r = run_cli("sweep", str(path), "--out", str(out), "--workers", "1", "--resume")
    assert r.returncode == 0, r.stderr
    resumed = pd.read_parquet(out / RESULTS)
    pd.testing.assert_frame_equal(resumed, reference)
    assert not (out / PARTS).exists() and (out / "summary.csv").is_file()


def test_summary_and_points_written(tmp_path, tiny):
    path, table = tiny
    sweep(path, out=tmp_path / "res", workers=1)
    points = pd.read_csv(tmp_path / "res" / "points.csv")
    summary = pd.read_csv(tmp_path / "res" / "summary.csv")
    assert len(points) == 5 and list(points.columns) == ["point", "policy.talent_card.budget", "parameters.spillover"]
    assert len(summary) == 5 * 3 * 4 and (summary["replicates"] == 2).all()
    expected = table.groupby(["point", "indicator", "year"])["value"].median()
    got = summary.set_index(["point", "indicator", "year"])["median"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False, check_index_type=False)


BAD = {
    "unknown path": (
        ('path = "parameters.spillover"', 'path = "parameters.spilover"'),
        "vary.1.path",
        "did you mean 'parameters.spillover'",
    ),
    "bounds reversed": (("lower = 0.1\nupper = 0.6", "lower = 0.6\nupper = 0.1"), "vary.1", "must be below"),
    "unknown indicator": (('"hte_count", ', '"hte_cont", '), "output.indicators.0", "unknown indicator"),
    "unknown design": (('method = "lhs"', 'method = "latin"'), "design.method", "'grid', 'oat', 'lhs' or 'sobol'"),
    "sobol not power of two": (('method = "lhs"', 'method = "sobol"'), "design.samples", "power of two"),
    "values in lhs": (("lower = 0.1\nupper = 3.0", "values = [1.0, 2.0]"), "vary.0", "give lower and upper"),
    "out of range": (("upper = 3.0", "upper = 300.0"), "vary.0", "outside the valid range"),
    "year not simulated": (("years = [2020, 2023, 2025]", "years = [2015]"), "output.years.0", "not simulated"),
    "unknown key": (("seed = 5", "seed = 5\nrepeats = 3"), "repeats", "unknown field"),
    "missing scenario": (("plan.toml", "plan2.toml"), "scenario", "not found"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_refused_before_any_run(tmp_path, case):
    (old, new), field, words = BAD[case]
    assert old in TINY
    path = _write(tmp_path / "bad.toml", TINY.replace(old, new))
    assert_refused(["sweep", str(path)], path, field, words, tmp_path / "res")


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (ROOT / "experiments").glob("*.toml") if 'kind = "sweep"' in p.read_text(encoding="utf-8")),
)
def test_example_experiments_run(tmp_path, name):
    sw = load_sweep(ROOT / "experiments" / name).resized(replicates=1, scale=0.02)
    assert sw.config.description
    table = sweep(sw, out=tmp_path / "res", workers=2)
    assert table["run"].nunique() == len(sw.points) and table["value"].notna().all()


def test_worked_example_in_the_docs_runs(tmp_path, monkeypatch, capsys):
    """The pandas walk-through of docs/experiments.md, on tiny versions of the two sweeps it reads."""
    monkeypatch.chdir(tmp_path)
    for name in ("talent_fund_grid", "plan_vs_baseline"):
        sw = load_sweep(ROOT / "experiments" / f"{name}.toml").resized(replicates=2, scale=0.02)
        sweep(sw, out=tmp_path / "results" / name, workers=2)
    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    section = text[text.index("### Worked example") : text.index("### Example experiments")]
    blocks = [b.split("```", 1)[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) == 2
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "docs/experiments.md", "exec"), scope)  # noqa: S102 - our own documentation
    assert scope["per_yi"].notna().sum() > 0 and set(scope["effect"].columns) >= {0.05, 0.5, 0.95}
    assert "hte_count" in scope["effect"].index


def test_a_failing_run_is_named_and_the_finished_runs_are_kept(tiny, tmp_path, monkeypatch):
    """A run that raises stops the sweep with an error naming it (run, point, replicate, seed and
    posterior draw); the runs before it are on disk, and --resume ends with the full table."""
    import innosim.simulation as simulation
    from innosim.errors import SimulationError

    path, reference = tiny
    real = simulation.run_replicate
    failing = int(reference[reference.run == 7].seed.iloc[0])
    calls = []

    def flaky(scenario, seed, until=None, stream_roots=None):
        calls.append(seed)
        if len(calls) == 8:  # run 7: point 3, replicate 1
            raise ZeroDivisionError("boom")
        return real(scenario, seed, until, stream_roots)

    monkeypatch.setattr(simulation, "run_replicate", flaky)
    out = tmp_path / "out"
    with pytest.raises(SimulationError, match=rf"run 7 \(point 3, replicate 1, seed {failing}, posterior draw"):
        sweep(path, out=out, workers=1, checkpoint=0)
    stored = pd.concat([pd.read_parquet(p) for p in sorted((out / PARTS).glob("part-*"))])
    assert sorted(stored["run"].unique()) == list(range(7))
    monkeypatch.setattr(simulation, "run_replicate", real)
    pd.testing.assert_frame_equal(sweep(path, out=out, workers=1, resume=True), reference)


def test_set_fixes_a_scenario_value_at_every_point_and_refuses_a_varied_one(tmp_path):
    """An experiment's `set` (and the command line's --set, merged into it) fixes a field of the
    scenario at every point, enters the job's hash, and may not fix what the design varies."""
    path = _write(tmp_path / "tiny.toml", TINY)
    plain = load_sweep(path)
    fixed = load_sweep(path, {"set": {"policy.guidance_fund.budget": 2.5}})
    assert all(fixed.scenario_at(p).policy.guidance_fund.budget == 2.5 for p in range(len(fixed.points)))
    assert plain.scenario_at(0).policy.guidance_fund.budget != 2.5 and fixed.hash != plain.hash
    with pytest.raises(InputError, match=r"set\.policy\.talent_card\.budget.*varied by the design"):
        load_sweep(path, {"set": {"policy.talent_card.budget": 1.0}})
    r = run_cli("sweep", str(path), "--out", str(tmp_path / "o"), "--set", "policy.talent_card.budget=1")
    assert r.returncode == 2 and "varied by the design" in r.stderr and not (tmp_path / "o").exists()
    r = run_cli("sweep", str(path), "--out", str(tmp_path / "o"), "--set", "policy.talnt_card.budget=1")
    assert r.returncode == 2 and "talnt_card" in r.stderr and "Traceback" not in r.stderr
