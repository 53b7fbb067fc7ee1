"""Policy design: the optimiser finds a known constrained optimum, PRIM recovers a planted box, an
optimisation gives the same front on every executor and after a kill, and bad files are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import innosim
from conftest import ROOT, SCENARIOS, assert_refused, kill_cli_when, run_cli
from innosim import InputError, discover, load_optimisation, load_result, optimise
from innosim.design.discover import cases, prim_box
from innosim.design.search import Space, search
from innosim.indicators import INDICATORS
from innosim.report import write_report
from innosim.store import PARTS, RESULTS

TINY = f"""
kind = "optimise"
name = "tiny"
scenario = "{(SCENARIOS / "plan.toml").as_posix()}"
scale = 0.05
seed = 3
replicates = 2

[[decision]]
path = "policy.rd_subsidy.budget"
lower = 0.5
upper = 5.0

[[decision]]
path = "policy.talent_card.budget"
lower = 0.1
upper = 2.0

[budget]
total = 45.0

[[objective]]
kind = "targets_met"

[[objective]]
kind = "p_at_least"
k = 11

[[objective]]
kind = "spending"

[search]
population = 4
generations = 3
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ the engines, on known answers


def test_search_finds_a_known_constrained_optimum():
    """Maximise sum(sqrt(x)) over [0, 10]^3 with sum(x) <= 6 (optimum x = 2, 2, 2: sqrt(18)),
    spending as a second objective: the front holds a point within 2% of the optimum, within the cap."""
    space = Space(("a", "b", "c"), np.zeros(3), np.full(3, 10.0), np.ones(3), 0.0, 6.0)
    found = search(
        lambda x, g: np.column_stack([np.sqrt(x).sum(axis=1), space.spending(x)]),
        space, np.array([1, -1]), population=20, generations=30, seed=3,
    )  # fmt: skip
    front = found.f[found.front]
    assert (found.f[:, 1] <= 6.0 + 1e-9).all()  # every candidate evaluated was affordable
    assert front[:, 0].max() >= 0.98 * np.sqrt(18)
    # and the front is the known curve sqrt(3 s) wherever it has converged: no point above it
    assert (front[:, 0] <= np.sqrt(3 * front[:, 1]) + 1e-9).all()


def test_repair_keeps_bounds_and_the_cap():
    space = Space(("a", "b", "c"), np.array([1.0, 0.0, 0.0]), np.full(3, 10.0), np.array([5.0, 5.0, 0.0]), 20.0, 50.0)
    x = np.random.default_rng(1).uniform(-1, 11, (200, 3))
    fixed = space.repair(x)
    assert (fixed >= space.lower).all() and (fixed <= space.upper).all()
    assert (space.spending(fixed) <= 50.0).all()
    inside = space.spending(np.clip(x, space.lower, space.upper)) <= 50.0
    np.testing.assert_array_equal(fixed[inside], np.clip(x, space.lower, space.upper)[inside])  # left alone
    np.testing.assert_allclose(space.spending(fixed[~inside]), 50.0, rtol=1e-6)  # brought onto the cap


def test_prim_recovers_a_planted_box():
    """Cases of interest inside a in [0.2, 0.6], b in [0.3, 1] (5% of labels flipped), three inputs
    that do not matter: PRIM's box restricts a and b only, each limit within 10% of the range."""
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((3000, 5)), columns=["a", "b", "c", "d", "e"])
    y = ((x.a > 0.2) & (x.a < 0.6) & (x.b > 0.3)).to_numpy() ^ (rng.random(3000) < 0.05)
    trajectory, box, stats = prim_box(x, y)
    limits = box.set_index("input")
    assert set(box[box["restricted"]]["input"]) == {"a", "b"}
    for name, lo, hi in (("a", 0.2, 0.6), ("b", 0.3, 1.0)):
        assert abs(limits.loc[name, "lower"] - lo) <= 0.1 and abs(limits.loc[name, "upper"] - hi) <= 0.1
    assert limits.loc[["a", "b"], ["qp_lower", "qp_upper"]].max().max() < 0.05  # significant
    assert stats["coverage"] >= 0.8 and stats["density"] > 0.85
    assert trajectory["chosen"].sum() == 1


# ------------------------------------------------------------------ the model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("optimise")
    path = _write(folder / "tiny.toml", TINY)
    optimise(path, out=folder / "out", workers=1)
    return path, folder / "out"


def test_optimisation_writes_its_front(tiny):
    path, out = tiny
    pareto = pd.read_csv(out / "pareto.csv")
    evaluations = pd.read_csv(out / "evaluations.csv")
    decisions = ["policy.rd_subsidy.budget", "policy.talent_card.budget"]
    for col in ["total_spending", "targets_met", "targets_met_se", "p_at_least_11", "p_at_least_11_se", *decisions]:
        assert col in pareto.columns, col
    assert len(evaluations) == 4 * 3 and evaluations["generation"].tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert (evaluations["total_spending"] <= 45.0 + 1e-9).all()
    # committed spending: the decided budgets and the plan's other budgets (9.4 - 2.6 - 0.8 a year), five years
    committed = 5 * (evaluations[decisions].sum(axis=1) + 9.4 - 2.6 - 0.8)
    np.testing.assert_allclose(evaluations["total_spending"], committed, rtol=1e-9)
    # the front is not dominated by any candidate
    senses = np.array([1, 1, -1])
    f = evaluations[["targets_met", "p_at_least_11", "total_spending"]].to_numpy() * senses
    for row in pareto[["targets_met", "p_at_least_11", "total_spending"]].to_numpy() * senses:
        assert not ((f >= row).all(axis=1) & (f > row).any(axis=1)).any()
    # the stored runs are a sweep's table: paired replicates with the same seeds and draws
    runs = pd.read_parquet(out / RESULTS)
    assert runs.groupby("replicate")[["seed", "draw"]].nunique().max().max() == 1
    assert runs["point"].nunique() == 12
    # each mix on the front is a scenario file that runs as the decided mix
    mixes = sorted((out / "front").glob("mix_*.toml"))
    assert len(mixes) == len(pareto)
    first = innosim.load_scenario(out / "front" / f"mix_{pareto['point'].iloc[0]}.toml")
    assert first.policy.rd_subsidy.budget == pareto[decisions[0]].iloc[0] and first.scale == 1.0


def test_same_front_on_every_executor(tmp_path):
    """The quick example (made smaller) on one worker, the process pool and a Dask LocalCluster."""
    small = {"search.population": 4, "search.generations": 2, "replicates": 2, "scale": 0.05}
    opt = load_optimisation(ROOT / "experiments" / "optimise_quick.toml", small)
    fronts = [
        optimise(opt, out=tmp_path / f"w{workers}{scheduler}", workers=workers, scheduler=scheduler).evaluations
        for workers, scheduler in ((1, None), (2, None), (2, "local"))
    ]
    for other in fronts[1:]:
        pd.testing.assert_frame_equal(other, fronts[0])
    assert fronts[0]["front"].any() and len(fronts[0]) == 8


def test_killed_optimisation_resumes_to_the_same_front(tmp_path):
    text = TINY.replace("generations = 3", "generations = 5").replace("scale = 0.05", "scale = 0.1")
    path = _write(tmp_path / "kill.toml", text)
    reference = optimise(path, workers=2).evaluations
    out = tmp_path / "out"
    kill_cli_when(
        ["optimise", str(path), "--out", str(out), "--workers", "2", "--checkpoint", "0"],
        lambda: len(list((out / PARTS).glob("part-*"))) >= 6,
        poll=0.02,
    )
    assert not (out / RESULTS).exists()
    r = run_cli("optimise", str(path), "--out", str(out), "--workers", "1", "--resume")
    assert r.returncode == 0, r.stderr
    resumed = pd.read_csv(out / "evaluations.csv")
    pd.testing.assert_frame_equal(resumed, reference.reset_index(drop=True), check_dtype=False)
    assert "front of 20 candidates" in " ".join(r.stdout.split())  # the title wraps to the table


def _some_meet(out: Path) -> str:
    """A condition that some of the optimisation's runs meet and some do not: at least as many targets as
    the smallest number that not every run meets (the runs' spread depends on the shipped posterior)."""
    for met in range(len(INDICATORS)):
        condition = f"targets_met >= {met}"
        meets = cases(out, condition)[1]
        if not meets.all():
            assert meets.any(), f"every run of {out} meets the same number of targets"
            return condition
    raise AssertionError(f"no run of {out} misses a target")


def test_discover_on_an_optimisation_writes_boxes(tiny, tmp_path):
    path, out = tiny
    r = run_cli("discover", str(out), "--where", _some_meet(out), "--out", str(tmp_path / "d"), "--report")
    assert r.returncode == 0, r.stderr
    boxes = pd.read_csv(tmp_path / "d" / "boxes.csv")
    assert {"input", "lower", "upper", "qp_lower", "qp_upper", "restricted"} <= set(boxes.columns)
    assert set(boxes["input"]) >= {"policy.rd_subsidy.budget", "policy.talent_card.budget"}
    assert any(i.startswith("parameters.") for i in boxes["input"])  # the posterior draws are inputs too
    for name in ("peeling.csv", "cart.csv", "features.csv", "report.html"):
        assert (tmp_path / "d" / name).is_file(), name
    found = discover(out, _some_meet(out))
    assert len(found.y) == 24 and 0 < found.y.sum() < 24


def test_reports_of_optimisation_and_discovery(tiny, tmp_path):
    path, out = tiny
    discover(out, _some_meet(out), out=tmp_path / "d")
    for folder, lang in ((out, "en"), (tmp_path / "d", "zh")):  # the CLI's --report: the discover test above
        write_report(folder, tmp_path / f"{folder.name}.{lang}.html", lang)
    html = (tmp_path / f"{out.name}.en.html").read_text(encoding="utf-8")
    assert "Lever-mix optimisation report" in html and "Lever mixes on the front" in html
    assert "情景发现报告" in (tmp_path / "d.zh.html").read_text(encoding="utf-8")
    # and both reopen as the tables the library wrote
    evaluations, boxes = load_result(out), load_result(tmp_path / "d")
    assert evaluations["front"].any() and evaluations.attrs["manifest"]["kind"] == "optimisation"
    assert set(boxes["input"]) >= {"policy.rd_subsidy.budget"} and boxes.attrs["manifest"]["kind"] == "discovery"


BAD = {
    "unknown path": (
        ('path = "policy.talent_card.budget"', 'path = "policy.talent_cards.budget"'),
        "decision.1.path",
        "did you mean",
    ),
    "reversed bounds": (("lower = 0.1\nupper = 2.0", "lower = 2.0\nupper = 0.1"), "decision.1", "must be below"),
    "cap below the least": (("total = 45.0", "total = 10.0"), "budget", "no candidate fits"),
    "k missing": (('kind = "p_at_least"\nk = 11', 'kind = "p_at_least"'), "objective.1.k", "needs k"),
    "unknown target": (
        ("replicates = 2", 'replicates = 2\ntargets = ["hte_count"]'),
        "targets.0",
        "has no 2025 target",
    ),
    "spending only": (
        ('kind = "targets_met"', 'kind = "spending"\n\n[[objective]]\nkind = "spending"'),
        "objective",
        "given twice",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_optimisation_files_are_refused(case, tmp_path):
    (old, new), field, words = BAD[case]
    assert old in TINY
    path = _write(tmp_path / "bad.toml", TINY.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_optimisation(path)
    assert str(path) in str(err.value) and field in str(err.value) and words in str(err.value), err.value


def test_the_command_refuses_a_bad_file_before_any_run(tmp_path):
    (old, new), field, words = BAD["cap below the least"]
    path = _write(tmp_path / "bad.toml", TINY.replace(old, new, 1))
    assert_refused(["optimise", str(path)], path, field, words, tmp_path / "out")
    # the same cap from the command line
    path = _write(tmp_path / "good.toml", TINY)
    assert_refused(["optimise", str(path), "--budget-total", "10"], path, field, words, tmp_path / "out")


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (ROOT / "experiments").glob("*.toml") if 'kind = "optimise"' in p.read_text("utf-8"))
)
def test_shipped_optimisation_files_are_valid(name):
    opt = load_optimisation(ROOT / "experiments" / name)
    assert opt.config.description and opt.space.cap is not None
    assert opt.space.least_spending < opt.space.cap <= opt.space.spending(opt.space.upper)[0]


def test_bad_conditions_are_refused(tiny, tmp_path):
    path, out = tiny
    for where, words in (("hte_cuont > 3", "cannot be evaluated"), ("rd_expenditure + 1", "not a true/false"),
                         ("rd_expenditure > -1", "every case")):  # fmt: skip
        with pytest.raises(InputError, match=words):
            discover(out, where, out=tmp_path / "d")
        assert not (tmp_path / "d").exists()
    r = run_cli("discover", str(out), "--where", "hte_cuont > 3", "--out", str(tmp_path / "d"))
    assert r.returncode == 2 and "--where" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "d").exists()


def test_the_documented_file_is_valid(tmp_path):
    text = (ROOT / "docs" / "policy-design.md").read_text(encoding="utf-8")
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    block = block.replace('"../scenarios/plan.toml"', f'"{(SCENARIOS / "plan.toml").as_posix()}"')
    opt = load_optimisation(_write(tmp_path / "doc.toml", block))
    assert opt.space.cap == 47.0 and opt.runs == 24 * 12 * 16 and len(opt.targets) == 12
    assert [o.column for o in opt.objectives] == ["p_at_least_9", "total_spending"]


@pytest.mark.slow
def test_quick_example_runs_within_three_minutes(tmp_path):
    """The shipped quick example, as shipped, on 2 workers; discovery on its output."""
    import time

    start = time.monotonic()
    r = run_cli(
        "optimise", str(ROOT / "experiments" / "optimise_quick.toml"), "--out", str(tmp_path / "q"), "--workers", "2"
    )
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 180
    opt = load_optimisation(ROOT / "experiments" / "optimise_quick.toml")
    pareto = pd.read_csv(tmp_path / "q" / "pareto.csv")
    assert {"total_spending", *opt.factors, *(o.column for o in opt.objectives)} <= set(pareto.columns)
    r = run_cli("discover", str(tmp_path / "q"), "--where", "targets_met >= 8")
    assert r.returncode == 0, r.stderr
    assert list((tmp_path / "q" / "discover").glob("*/boxes.csv"))
