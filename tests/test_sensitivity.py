"""Sensitivity analysis: analytic test functions, a factor without effect, stability, executors, bad files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from SALib.test_functions import Ishigami

from conftest import ROOT, SCENARIOS, assert_refused, run_cli
from innosim.executor import ProcessExecutor
from innosim.sensitivity import METHODS, analyze_function, load_sensitivity, ranking, sensitivity

ISHIGAMI = [("x1", -np.pi, np.pi), ("x2", -np.pi, np.pi), ("x3", -np.pi, np.pi)]
# a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, Global Sensitivity Analysis, 4.5)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def test_sobol_recovers_ishigami_indices():
    got = analyze_function(Ishigami.evaluate, ISHIGAMI, method="sobol", samples=1024, seed=1).set_index("parameter")
    assert list(got.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    for x in ISHIGAMI_S1:
        assert got.loc[x, "S1"] == pytest.approx(ISHIGAMI_S1[x], abs=0.05)
        assert got.loc[x, "ST"] == pytest.approx(ISHIGAMI_ST[x], abs=0.05)
        assert got.loc[x, "S1_conf"] > 0 and got.loc[x, "ST_conf"] > 0


@pytest.mark.parametrize("method", ["efast", "rbd_fast"])
def test_fourier_methods_recover_ishigami_first_order(method):
    got = analyze_function(Ishigami.evaluate, ISHIGAMI, method=method, samples=1024, seed=1).set_index("parameter")
    for x in ISHIGAMI_S1:
        assert got.loc[x, "S1"] == pytest.approx(ISHIGAMI_S1[x], abs=0.05)
    if method == "efast":
        for x in ISHIGAMI_ST:
            assert got.loc[x, "ST"] == pytest.approx(ISHIGAMI_ST[x], abs=0.05)


def test_morris_ranks_ishigami_as_the_analytic_indices():
    """mu* (4 levels) ranks x2 > x1 > x3, the order of the analytic first-order indices, and puts x3 last as
    the total indices do. (x1's total index exceeds x2's through its interaction with x3, which elementary
    effects at a step of 2/3 of the range do not separate from x2's periodic effect: see docs/sensitivity.md.)"""
    got = analyze_function(Ishigami.evaluate, ISHIGAMI, method="morris", samples=100, seed=1).set_index("parameter")
    assert list(got.columns) == ["mu", "mu_star", "mu_star_conf", "sigma"]
    assert list(got["mu_star"].sort_values(ascending=False).index) == ["x2", "x1", "x3"]
    assert got["mu_star"].idxmin() == min(ISHIGAMI_ST, key=ISHIGAMI_ST.get)
    # sigma flags x3's effect as pure interaction: large against its mu*
    assert got.loc["x3", "sigma"] > got.loc["x3", "mu_star"]


def test_pawn_ranks_ishigami_and_outputs_can_be_several():
    got = analyze_function(Ishigami.evaluate, ISHIGAMI, method="pawn", samples=1024, seed=1).set_index("parameter")
    assert got["median"].idxmin() == "x3"
    two = analyze_function(lambda X: np.c_[Ishigami.evaluate(X), X[:, 0]], ISHIGAMI, "sobol", samples=256)
    assert list(two["output"].unique()) == [0, 1]
    only_x1 = two[two.output == 1].set_index("parameter")
    assert only_x1.loc["x1", "ST"] == pytest.approx(1.0, abs=0.05) and only_x1.loc["x2", "ST"] == 0


def test_function_engine_refuses_what_a_method_does_not_allow():
    with pytest.raises(ValueError, match="power of two"):
        analyze_function(Ishigami.evaluate, ISHIGAMI, method="sobol", samples=1000)
    with pytest.raises(ValueError, match="unknown method"):
        analyze_function(Ishigami.evaluate, ISHIGAMI, method="fast")
    assert set(METHODS) == {"sobol", "morris", "efast", "rbd_fast", "pawn"}


TINY = f"""
kind = "sensitivity"
name = "tiny"
scenario = "{(SCENARIOS / "plan.toml").as_posix()}"
scale = 0.05
seed = 1
replicates = 1

[method]
name = "sobol"
samples = 32

[[factor]]
path = "policy.incubation.budget"
lower = 0.2
upper = 2.0

[[factor]]
path = "policy.talent_card.budget"
distribution = "triangular"
lower = 0.2
upper = 2.0
mode = 0.8

[[factor]]
path = "policy.innovation_teams.budget"
lower = 0.2
upper = 2.4

[[factor]]
path = "parameters.population_growth"
distribution = "normal"
mean = 0.012
sd = 0.005
lower = 0.0
upper = 0.025

[output]
indicators = ["incubation_carriers", "high_level_talent", "innovation_teams", "hte_count"]
"""


def _write(tmp_path, text: str, name: str = "sens.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = _write(tmp_path_factory.mktemp("sens"), TINY)
    sens = load_sensitivity(path)
    return sens, sensitivity(sens, out=path.parent / "out", workers=2)


def test_indices_for_every_plan_year_and_figures(tiny):
    sens, indices = tiny
    assert sens.runs == 32 * 6
    assert sorted(indices["year"].unique()) == [2021, 2022, 2023, 2024, 2025]
    assert set(indices["index"]) == {"S1", "ST"} and set(indices["method"]) == {"sobol"}
    assert len(indices) == 4 * 5 * 4 * 2
    out = sens.path.parent / "out"
    for name in (
        "indices.csv",
        "indices.parquet",
        "sensitivity.png",
        "sensitivity.svg",
        "sensitivity_over_time.png",
        "results.parquet",
    ):
        assert (out / name).stat().st_size > 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "indices.parquet"), indices)


def test_a_factor_without_effect_gets_no_total_index(tiny):
    """Population growth only divides patents per 10k residents: it cannot move the other indicators."""
    sens, indices = tiny
    st = indices[(indices["index"] == "ST") & (indices["parameter"] == "parameters.population_growth")]
    # NaN where the indicator does not vary at all at this size (every index is then undefined)
    assert len(st) == 4 * 5 and (st["value"].isna() | (st["value"].abs() < 0.02)).all()
    assert st["value"].notna().sum() >= 15


def test_each_lever_leads_on_its_own_indicator(tiny):
    sens, indices = tiny
    lead = ranking(indices, sens, top=1).set_index("indicator")["parameter"]
    assert lead["incubation_carriers"] == "policy.incubation.budget"
    assert lead["innovation_teams"] == "policy.innovation_teams.budget"
    # high-level talent: the card and the teams (which bring high-level researchers) have similar
    # weight at this size, and their order is noise (test_leading_factors_stable_across_seeds)
    top2 = ranking(indices, sens, top=2)
    talent = top2[top2["indicator"] == "high_level_talent"]["parameter"]
    assert "policy.talent_card.budget" in set(talent), talent


@pytest.mark.slow
def test_leading_factors_stable_across_seeds(tiny, tmp_path):
    """Replicate noise and the sample's randomness do not change which factors lead (docs/sensitivity.md).

    The parameters are held at their defaults: with ``replicates = 1`` each seed would otherwise also
    draw another posterior particle, which can change the answer itself (docs/sensitivity.md)."""
    sens, _ = tiny
    fixed = TINY.replace("replicates = 1", 'replicates = 1\nparameters = "defaults"')
    runs = [
        sensitivity(_write(tmp_path, fixed.replace("seed = 1", f"seed = {s}"), f"s{s}.toml"), workers=2) for s in (1, 2)
    ]
    for idx in runs:
        assert set(idx["indicator"]) == set(sens.indicators)
    top2 = ranking(runs[0], sens, top=2)
    first = top2.groupby("indicator")[["value", "conf"]].agg(["first", "last"])
    leader = top2.groupby("indicator")["parameter"].first()
    second = ranking(runs[1], sens, top=1).set_index("indicator")["parameter"]
    # where a factor clearly leads (ST >= 0.3, twice the next, and its confidence interval above the
    # next one's), it leads with the other seed too; at this size (about 50 HTE) HTE and high-level
    # talent have two factors of similar weight (the teams bring high-level researchers too), whose
    # order is noise: HTE's leader had ST 1.58 ± 1.04 against 0.40 ± 0.22 with one seed
    top, nxt = first["value"]["first"], first["value"]["last"]
    apart = top - first["conf"]["first"] > nxt + first["conf"]["last"]
    clear = first[(top >= 0.3) & (top >= 2 * nxt) & apart].index
    assert len(clear) >= 2
    assert (leader[clear] == second[clear]).all(), (leader[clear], second[clear])


def test_same_indices_on_every_executor(tiny):
    sens, indices = tiny
    small = sens.resized(**{"method.samples": 4})
    reference = sensitivity(small, workers=1)
    with ProcessExecutor(1) as pool:
        pd.testing.assert_frame_equal(sensitivity(small, executor=pool), reference)
    pd.testing.assert_frame_equal(sensitivity(small, workers=2), reference)
    pd.testing.assert_frame_equal(sensitivity(small, workers=2, scheduler="local"), reference)


def test_cli_prints_runs_before_and_ranking_after(tiny, tmp_path):
    sens, indices = tiny
    out = tmp_path / "cli"
    r = run_cli("sensitivity", str(sens.path), "--out", str(out), "--samples", "4", "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert "24 runs" in r.stderr and "about" in r.stderr
    assert "factors ranked by ST" in r.stdout and "科技企业孵化载体数" in r.stdout
    # 4 base samples cannot rank the indices: the note says how many would
    said = " ".join(r.stderr.split())
    assert re.search(
        r"note: 4 base samples \(--samples\): an index shown is only known to ± [0-9.]+; .* about [0-9,]+ would do",
        said,
    )
    again = run_cli("sensitivity", str(sens.path), "--out", str(out), "--samples", "4", "--resume")
    assert again.returncode == 0 and again.stdout == r.stdout


BAD = {
    "unknown path": (
        ('path = "policy.incubation.budget"', 'path = "policy.incubation.budgt"'),
        "factor.0.path",
        "did you mean 'policy.incubation.budget'",
    ),
    "unknown method": (('name = "sobol"', 'name = "sobel"'), "method.name", "'sobol', 'morris'"),
    "bounds reversed": (("lower = 0.2\nupper = 2.4", "lower = 2.4\nupper = 0.2"), "factor.2", "must be below"),
    "samples not a power of two": (("samples = 32", "samples = 30"), "method.samples", "power of two"),
    "too few samples for efast": (('name = "sobol"', 'name = "efast"'), "method.samples", "4·M²"),
    "untruncated normal outside range": (
        ("sd = 0.005\nlower = 0.0\nupper = 0.025", "sd = 0.05"),
        "factor.3",
        "truncate it",
    ),
    "missing distribution parameter": (("mode = 0.8\n", ""), "factor.1", "needs lower, upper, mode"),
    "groups with rbd_fast": (
        ('name = "sobol"\nsamples = 32', 'name = "rbd_fast"\nsamples = 32'),
        "factor",
        "cannot analyse groups",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sensitivity_file_refused_before_any_run(tmp_path, case):
    (old, new), field, words = BAD[case]
    assert old in TINY
    text = TINY.replace(old, new)
    if case == "groups with rbd_fast":
        text = text.replace('path = "policy.incubation.budget"', 'path = "policy.incubation.budget"\ngroup = "g"')
    path = _write(tmp_path, text)
    assert_refused(["sensitivity", str(path)], path, field, words, tmp_path / "res")


@pytest.mark.parametrize("name", ["sobol_levers.toml", "morris_behaviour.toml"])
def test_example_sensitivity_experiments_run(tmp_path, name):
    sens = load_sensitivity(ROOT / "experiments" / name)
    assert sens.config.description and len(sens.groups) >= 12
    update = {"method.samples": 4, "scale": 0.02}
    if sens.method.name == "morris":
        update["method.trajectories"] = 2
    small = sens.resized(**update)
    indices = sensitivity(small, out=tmp_path / "res", workers=2)
    assert set(indices["indicator"]) == set(sens.indicators) and (tmp_path / "res" / "sensitivity.png").exists()


def test_worked_example_in_the_docs_runs(monkeypatch):
    """The pandas snippet of docs/sensitivity.md, on the committed example output."""
    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs" / "sensitivity.md").read_text(encoding="utf-8")
    section = text[text.index("## Worked example") :]
    block = section.split("```python\n")[1].split("```", 1)[0]
    scope: dict = {}
    exec(compile(block, "docs/sensitivity.md", "exec"), scope)  # noqa: S102 - our own documentation
    assert set(scope["st"].columns) == {2021, 2022, 2023, 2024, 2025}
    talent = scope["st"].loc["high_level_talent"].loc["policy.talent_card.budget"]
    # the docs' reading: the talent card's influence on high-level talent arrives over the plan period
    assert talent.is_monotonic_increasing and talent[2025] > 0.2 > talent[2021]
