"""Calibration: config checks, reproducibility, resume after a kill, recovery, the report."""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, kill_cli_when, resume_printed, run_cli, start_cli
from innosim.calibration import load_calibration
from innosim.calibration.abc import POSTERIOR, calibrate, generations
from innosim.calibration.checks import noise_floor, parameters
from innosim.calibration.config import statistics_table
from innosim.calibration.report import write_report
from innosim.calibration.sections import REPORT
from innosim.errors import InputError, interrupts_first
from innosim.posterior import Posterior

TINY = """\
name = "tiny"
out = "out"
scale = 0.05
seed = 3
[method]
population = 20
max_generations = {generations}
[check]
replicates = 6
[forecast]
scenario = "{realised}"
replicates = 4
[[target]]
fact = "hte_count"
tolerance = 0.05
[[target]]
fact = "maker_spaces"
tolerance = 0.2
[[target]]
fact = "guangzhou_hte_count"
indicator = "hte_count"
year = 2017
relative_to = 2019
tolerance = 0.3
[[target]]
fact = "guangzhou_hte_count"
indicator = "hte_count"
year = 2018
relative_to = 2019
tolerance = 0.3
[[holdout]]
fact = "incubators"
[[holdout]]
fact = "guangzhou_tech_contract_turnover"
indicator = "tech_contract_turnover"
year = 2021
relative_to = 2020
proxy_error = 0.1
[[free]]
path = "parameters.rd_cost_per_staff"
lower = 8.0
upper = 16.0
source = "test prior"
[[free]]
path = "parameters.maker_space_rate"
lower = 3.0
upper = 8.0
source = "test prior"
"""


SHIPPED = ("baiyun.toml", "coverage.toml", "recovery.toml", "recovery-quick.toml")
"""The calibration configs that ship in calibration/."""


def _tiny(tmp_path: Path, generations: int = 2, name: str = "tiny.toml") -> Path:
    path = tmp_path / name
    realised = ROOT / "scenarios" / "realised.toml"
    path.write_text(TINY.format(generations=generations, realised=realised.as_posix()), encoding="utf-8")
    return path


# ------------------------------------------------------------------ bad configs
BAD = {
    "unknown target": ('fact = "hte_count"', 'fact = "hte_cuont"', "target.0.fact", "did you mean 'hte_count'"),
    "reversed prior": ("lower = 8.0\nupper = 16.0", "lower = 16.0\nupper = 8.0", "free.0", "must be below"),
    "missing data file": (
        'name = "tiny"',
        'name = "tiny"\ndata = "nowhere/facts.toml"',
        "data",
        "file nowhere/facts.toml not found",
    ),
    "unknown parameter": (
        "parameters.rd_cost_per_staff",
        "parameters.rd_cost_per_stuff",
        "free.0.path",
        "did you mean 'parameters.rd_cost_per_staff'",
    ),
    "target held out": ('fact = "incubators"', 'fact = "hte_count"', "holdout.0.fact", "also a target"),
    "prior outside range": ("upper = 8.0", "upper = 101.0", "free.1", "valid range"),
    "unknown key": ("[method]", "[method]\npopulaton = 10", "method.populaton", "unknown field"),
    "proxy error above one": ("proxy_error = 0.1", "proxy_error = 1.5", "holdout.1.proxy_error", "1"),
    "ratio to its own year": (
        "year = 2018\nrelative_to = 2019",
        "year = 2018\nrelative_to = 2018",
        "target.3",
        "own year",
    ),
    "a city's level for the district's": (
        "year = 2017\nrelative_to = 2019\n",
        "year = 2017\n",
        "target.2",
        "only as a ratio: give relative_to",
    ),
    "a target after the fitted years": (
        "year = 2018\nrelative_to = 2019",
        "year = 2022\nrelative_to = 2019",
        "target.3.year",
        "after the fitted years",
    ),
    "unknown indicator": (
        'indicator = "tech_contract_turnover"',
        'indicator = "tech_contracts"',
        "holdout.1.indicator",
        "unknown",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_config_is_refused_before_any_simulation(tmp_path, case):
    old, new, field, words = BAD[case]
    path = _tiny(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    started = time.perf_counter()
    r = run_cli("calibrate", str(path))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert str(path) in r.stderr and field in r.stderr and words in r.stderr, r.stderr
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 20


def test_a_later_holdout_needs_the_forecast_scenario(tmp_path):
    """Facts after the fitted years are held out for the blind forecast, which needs its scenario."""
    path = _tiny(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("[forecast]")
    path.write_text(text[:start] + text[text.index("[[target]]", start) :], encoding="utf-8")
    r = run_cli("calibrate", str(path))
    assert r.returncode == 2 and "holdout.1.year" in r.stderr and "add a [forecast] scenario" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_statistics_are_levels_or_ratios_of_one_run():
    from innosim.calibration.config import Statistic, statistics_table

    records = {2019: {"hte_count": 800.0}, 2020: {"hte_count": 1000.0}}
    assert Statistic("hte_count", 2020).of(records) == 1000.0
    ratio = Statistic("hte_count", 2019, 2020, "guangzhou_hte_count")
    assert ratio.key == "hte_count@2019/2020" and ratio.of(records) == 0.8 and ratio.last_year == 2020
    table = pd.DataFrame(
        {
            "replicate": [0, 0, 1, 1],
            "year": [2019, 2020, 2019, 2020],
            "indicator": ["hte_count"] * 4,
            "value": [800.0, 1000.0, 5.0, 0.0],
        }
    )
    wide = statistics_table(table, [Statistic("hte_count", 2020), Statistic("hte_count", 2019, 2020)])
    assert wide["hte_count@2020"].tolist() == [1000.0, 0.0]
    assert wide["hte_count@2019/2020"].iloc[0] == 0.8 and pd.isna(wide["hte_count@2019/2020"].iloc[1])


def test_the_shipped_calibration_fits_the_path_and_only_years_before_its_forecast():
    """Held out means held out: the shipped calibration fits every year of 2016-2020, no target
    after 2020, and every later fact is forecast."""
    cal = load_calibration(ROOT / "calibration" / "baiyun.toml")
    assert max(s.last_year for s in cal.targets) == cal.config.year == 2020
    assert cal.fitted_years == [2016, 2017, 2018, 2019, 2020]
    later = cal.held_for_forecast()
    assert len(later) >= 10 and all(cal.statistics[k].last_year > 2020 for k in later)
    assert len({cal.statistics[k].indicator for k in later}) >= 6


def test_missing_config_file(tmp_path):
    r = run_cli("calibrate", str(tmp_path / "nothing.toml"))
    assert r.returncode == 2 and "file not found" in r.stderr


def test_shipped_configs_check():
    for name in SHIPPED:
        cal = load_calibration(ROOT / "calibration" / name)
        assert len(cal.config.free) >= 4 and cal.config.target
    main = load_calibration(ROOT / "calibration" / "baiyun.toml")
    assert len(main.heldout) >= 3 and not set(main.heldout) & set(main.observed)
    assert all(f.source for f in main.config.free)
    # the packaged config is the same file
    assert load_calibration().hash == main.hash


# ------------------------------------------------------------------ reproducibility and resume
@pytest.fixture(scope="module")
def tiny_reference(tmp_path_factory) -> tuple[Path, Path]:
    """An uninterrupted tiny calibration (two generations) on two workers."""
    tmp = tmp_path_factory.mktemp("reference")
    cfg = _tiny(tmp)
    r = run_cli("calibrate", str(cfg), "--workers", "2", "--no-report")
    assert r.returncode == 0, r.stderr
    return cfg, tmp / "out"


def test_same_posterior_on_one_worker_or_two_with_progress(tiny_reference, tmp_path):
    _, ref_out = tiny_reference
    cfg = _tiny(tmp_path)
    r = run_cli("calibrate", str(cfg), "--workers", "1", "--no-report")
    assert r.returncode == 0, r.stderr
    for g in range(2):
        assert f"generation {g}: epsilon" in r.stderr
    assert "accepted" in r.stderr and "elapsed" in r.stderr
    assert (tmp_path / "out" / POSTERIOR).read_bytes() == (ref_out / POSTERIOR).read_bytes()
    post = Posterior.load(ref_out / POSTERIOR)
    assert len(post) == 20 and post.paths == ["parameters.rd_cost_per_staff", "parameters.maker_space_rate"]


@pytest.mark.slow  # the executor gives the same bytes on Dask as on the pool for every job kind (test_cli.py,
# test_sweep.py, test_sensitivity.py, test_design.py); this adds pyabc's sampler on a LocalCluster
def test_same_posterior_on_a_dask_cluster(tiny_reference, tmp_path):
    _, ref_out = tiny_reference
    cfg = _tiny(tmp_path)
    r = run_cli("calibrate", str(cfg), "--scheduler", "local", "--workers", "2", "--no-report")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / POSTERIOR).read_bytes() == (ref_out / POSTERIOR).read_bytes()


def _generation_stored(out: Path) -> bool:
    try:
        return (out / "abc.db").exists() and (generations(out).t >= 0).any()
    except InputError:  # read while pyabc writes it; look again
        return False


@pytest.mark.slow  # SIGTERM below stops it the way a user does; this is the abrupt end, a kill of every process
def test_killed_calibration_resumes_to_the_same_posterior(tiny_reference, tmp_path):
    _, ref_out = tiny_reference
    cfg = _tiny(tmp_path)
    out = tmp_path / "out"
    # kill the CLI and its workers mid-generation: generation 0 is stored, the last one runs
    kill_cli_when(["calibrate", str(cfg), "--workers", "2", "--no-report"], lambda: _generation_stored(out), poll=0.2)
    assert not (out / POSTERIOR).exists()
    refused = run_cli("calibrate", str(cfg), "--no-report")
    assert refused.returncode == 2 and "--resume" in refused.stderr
    r = run_cli("calibrate", str(cfg), "--workers", "1", "--resume", "--no-report")
    assert r.returncode == 0, r.stderr
    assert (out / POSTERIOR).read_bytes() == (ref_out / POSTERIOR).read_bytes()


def test_an_interrupt_is_not_hidden_by_the_clean_up_it_interrupted():
    """CI, 2026-12-07: the SIGTERM of the test below landed inside one of pyabc's database calls, whose
    ``finally`` then raised SQLAlchemy's PendingRollbackError; the command ended with that traceback
    and exit code 1. An error raised while the interrupt was handled gives way to the interrupt;
    an error of its own does not, nor one raised ``from None`` in answer to it."""

    def interrupted_query() -> None:
        try:
            raise KeyboardInterrupt
        finally:
            raise RuntimeError("Can't reconnect until invalid transaction is rolled back")

    def reported_interrupt() -> None:  # the command's own answer to the interrupt
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("exit 130, generation 0 is stored") from None

    with pytest.raises(KeyboardInterrupt), interrupts_first():
        interrupted_query()
    with pytest.raises(RuntimeError, match="damaged"), interrupts_first():
        raise RuntimeError("damaged")
    with pytest.raises(RuntimeError, match="exit 130"), interrupts_first():
        reported_interrupt()


def test_stopped_calibration_says_how_to_continue_and_continues_to_the_same_posterior(tiny_reference, tmp_path):
    """SIGTERM (or Ctrl-C) once generation 0 is stored: exit 130 naming the stored generations and
    the command that continues, which is the job's own without ``--overwrite``; it ends on the
    uninterrupted calibration's bytes."""
    _, ref_out = tiny_reference
    cfg = _tiny(tmp_path)
    out = tmp_path / "out"
    job = start_cli("calibrate", str(cfg), "--workers", "2", "--no-report", "--overwrite")
    # stopped as soon as it reports generation 0 (stored by then), about 2 s before it would end: polling the
    # database instead noticed it too late, under load, to stop the job (1 of 4 runs on 2026-12-07)
    before = list(itertools.takewhile(lambda line: not line.startswith("generation 0:"), job.stderr))
    assert job.poll() is None, "finished before it could be stopped:\n" + "".join(before)
    job.send_signal(signal.SIGTERM)
    _, err = job.communicate(timeout=120)
    assert job.returncode == 130 and f"generation 0 is stored in {out}" in err, err
    again = resume_printed(err)
    assert again[:2] == ["innosim", "calibrate"] and "--resume" in again and "--overwrite" not in again
    r = run_cli(*again[1:])
    assert r.returncode == 0, r.stderr
    assert (out / POSTERIOR).read_bytes() == (ref_out / POSTERIOR).read_bytes()


def test_resume_refuses_another_config(tiny_reference, tmp_path):
    cfg, ref_out = tiny_reference
    other = tmp_path / "other.toml"
    other.write_text(cfg.read_text(encoding="utf-8").replace("seed = 3", "seed = 4"), encoding="utf-8")
    r = run_cli("calibrate", str(other), "--out", str(ref_out), "--resume", "--no-report")
    assert r.returncode == 2 and "another config" in r.stderr


# ------------------------------------------------------------------ report
def test_report_has_every_target_holdout_and_parameter(tiny_reference, tmp_path):
    cfg, ref_out = tiny_reference
    cal = load_calibration(cfg)
    report = write_report(cal, ref_out, workers=1)
    text = report.read_text(encoding="utf-8")
    for fid in ("hte_count", "maker_spaces", "incubators", "rd_cost_per_staff", "maker_space_rate"):
        assert fid in text
    assert "Held-out facts" in text and "posterior-predictive" in text
    for section in (
        "The path's shape",
        "Blind forecast",
        "Which statistic informs which parameter",
        "What epsilon 1 asks",
    ):
        assert f"## {section}" in text
    assert "### Where the noise comes from" in text and (ref_out / "noise_sources.csv").exists()
    assert "With every parameter the posterior lacks drawn from its prior too (`innosim forecast --full`" in text
    for fig in ("marginals.png", "predictive.png", "series.png", "pairs.png", "forecast.png"):
        assert (ref_out / fig).stat().st_size > 10_000 and f"]({fig})" in text
    fc = pd.read_csv(ref_out / "forecast.csv")
    assert fc.key.tolist() == ["tech_contract_turnover@2021/2020"]
    assert {"p25", "p75", "inside_50", "inside_90", "crps", "crps_relative"} <= set(fc.columns)
    assert (fc.crps >= 0).all()
    # the city's shape stands for the district's with its proxy error: the observed value's interval is wider
    assert fc.proxy_error.tolist() == [0.1]
    assert (fc.obs_p05 < fc.p05).all() and (fc.obs_p95 > fc.p95).all()
    assert "with the error the fit allows such a proxy" in text and "proxy_error" in text


def test_noise_floor_splits_each_error_into_the_models_noise_and_a_bias(tiny_reference):
    """Runs at the posterior mean (one parameter set, seeds differing): per target, the errors' spread
    and mean over the tolerance, and each run's max-norm distance, as the fit measures it."""
    from innosim import simulate

    cfg, ref_out = tiny_reference
    cal, post = load_calibration(cfg), Posterior.load(ref_out / POSTERIOR)
    table, distances = noise_floor(cal, post, workers=1)
    runs = simulate(
        cal.scenario,
        seed=cal.config.check.seed,
        replicates=cal.config.check.replicates,
        workers=1,
        parameters="mean",
        posterior=post,
        until=cal.config.year,
    )
    assert set(runs.draw) == {-1}  # every run at the posterior mean
    values = statistics_table(runs, [cal.statistics[k] for k in cal.observed])
    errors = pd.DataFrame({k: (values[k] - f) / (cal.tolerances[k] * abs(f)) for k, f in cal.observed.items()})
    assert table.key.tolist() == list(cal.observed)
    assert table.bias.to_numpy() == pytest.approx(errors.mean().to_numpy())
    assert table.noise.to_numpy() == pytest.approx(errors.std().to_numpy())
    assert (table.noise > 0).all()  # the seeds alone move every statistic
    assert distances.to_numpy() == pytest.approx(errors.abs().max(axis=1).to_numpy())
    assert table.within.to_numpy() == pytest.approx((errors.abs() <= 1).mean().to_numpy())


def test_path_shape_reports_every_fitted_years_median_against_its_fact(tiny_reference):
    """Issue 15 asks for each year of each fitted series: the median path's error against the fact, by
    year (the ratio's base year left out), as the posterior-predictive check has it, and the verdict."""
    from innosim.calibration.checks import SHAPE_ERROR, path_shape, predictive, predictive_runs

    cfg, ref_out = tiny_reference
    cal, post = load_calibration(cfg), Posterior.load(ref_out / POSTERIOR)
    runs = predictive_runs(cal, post, workers=1)
    check = predictive(cal, post, runs=runs)
    shape = path_shape(cal, runs, check)
    assert len(shape) == 1  # hte_count relative to 2019, fitted in 2017 and 2018
    row = shape.iloc[0]
    assert row.indicator == "hte_count" and row.relative_to == 2019 and list(row.errors) == [2017, 2018]
    by_key = check.set_index("key")
    for year, error in row.errors.items():
        assert error == pytest.approx(by_key.relative_error[f"hte_count@{year}/2019"])
    assert pd.isna(row.correlation)  # two growth rates: no correlation, the years alone decide
    assert row.shape_met == (max(abs(e) for e in row.errors.values()) <= SHAPE_ERROR)
    assert abs(row["worst error"]) == max(abs(e) for e in row.errors.values())


def test_noise_sources_split_each_targets_noise_by_source(tiny_reference):
    """One source at a time, at the posterior mean: each column is the spread of a target's error (over
    its tolerance) over runs in which only that source's random numbers changed. Maker spaces come
    from the carriers' stream alone; the 2015 state moves the HTE count."""
    from innosim.calibration.noise import SOURCES, noise_sources
    from innosim.model.streams import PROCESSES
    from innosim.posterior import parameter_choice
    from innosim.simulation import replicate_seeds, run_replicate

    cfg, ref_out = tiny_reference
    cal, post = load_calibration(cfg), Posterior.load(ref_out / POSTERIOR)
    table = noise_sources(cal, post, workers=1, replicates=3)
    assert table.key.tolist() == list(cal.observed)
    assert list(table.columns) == ["key", "tolerance", "all", *SOURCES, "additivity"]
    rows = table.set_index("key")
    makers = rows.loc["maker_spaces@2020"]
    assert makers["carriers"] > 0 and (makers[[s for s in SOURCES if s != "carriers"]] == 0).all()
    assert rows.loc["hte_count@2020", "synthesis"] > 0
    # the rd column, recomputed: the base run's seed and streams, the rd stream re-rooted
    scenario, _ = parameter_choice("mean", post).for_replicate(cal.scenario, 0)
    base, *varied = replicate_seeds(cal.config.check.seed, 4)
    kept = dict.fromkeys(PROCESSES, base)
    hte = [run_replicate(scenario, base, cal.config.year, {**kept, "rd": s})[2020]["hte_count"] for s in varied]
    expected = np.std(hte, ddof=1) * cal.distance_weights["hte_count@2020"]
    assert rows.loc["hte_count@2020", "rd"] == pytest.approx(expected)


def test_observed_value_sample_adds_the_proxys_error():
    """A fact that stands for the district's statistic with a relative error e: each replicate's value
    times 1 + u, u uniform in [-e, e], the same draws on every call; no error: the replicates."""
    from innosim.calibration.checks import PROXY_DRAWS, observed_value_sample

    values = np.array([1.0, 1.2, 1.5])
    assert observed_value_sample("k", values, 0.0) is values
    sample = observed_value_sample("k", values, 0.2)
    assert len(sample) == len(values) * PROXY_DRAWS
    ratio = sample.reshape(len(values), PROXY_DRAWS) / values[:, None]
    assert ratio.min() >= 0.8 and ratio.max() <= 1.2 and ratio.min() < 0.85 and ratio.max() > 1.15
    assert np.array_equal(sample, observed_value_sample("k", values, 0.2))


def test_forecast_command(tiny_reference, tmp_path):
    cfg, ref_out = tiny_reference
    r = run_cli("forecast", str(cfg), "--posterior", str(ref_out / POSTERIOR), "--out", str(tmp_path / "fc"))
    assert r.returncode == 0, r.stderr
    assert "tech_contract_turnover@2021/2020" in r.stdout and "CRPS" in r.stdout
    assert "of 1 held-out facts inside the 90% interval" in r.stderr and "with the error of the facts" in r.stderr
    assert (tmp_path / "fc" / "forecast.csv").exists() and (tmp_path / "fc" / "forecast.png").exists()
    # --full: the parameters the posterior lacks drawn from their priors too, so other runs, other quantiles
    full = run_cli(
        "forecast", str(cfg), "--posterior", str(ref_out / POSTERIOR), "--out", str(tmp_path / "ff"), "--full"
    )
    assert full.returncode == 0, full.stderr
    a, b = (pd.read_csv(tmp_path / d / "forecast.csv") for d in ("fc", "ff"))
    assert list(a.key) == list(b.key) and not np.allclose(a[["p05", "median", "p95"]], b[["p05", "median", "p95"]])


def test_coverage_study_resumes_and_summarises(tmp_path):
    """Two truths from the prior, each a tiny recovery; a second run adds nothing and reports the same."""
    cfg = _tiny(tmp_path)
    study = tmp_path / "coverage.toml"
    study.write_text(
        'base = "tiny.toml"\nname = "tiny-coverage"\nout = "cov"\n[method]\npopulation = 20\nmax_generations = 1\n'
        "[coverage]\ntruths = 2\nseed = 5\nreplicates = 1\n",
        encoding="utf-8",
    )
    assert cfg.exists()
    r = run_cli("calibrate", str(study), "--workers", "1")
    assert r.returncode == 0, r.stderr
    results = pd.read_csv(tmp_path / "cov" / "coverage.csv")
    assert sorted(results.truth_index.unique()) == [0, 1] and set(results.path) == {
        "parameters.rd_cost_per_staff",
        "parameters.maker_space_rate",
    }
    assert results["rank"].between(0, 1).all() and not (tmp_path / "cov" / "truth-000" / "abc.db").exists()
    assert (results.ess > 0).all() and (results.final_epsilon > 0).all()
    again = run_cli("calibrate", str(study), "--workers", "1")
    assert again.returncode == 0 and "truth 1 of 2" not in again.stderr and again.stdout == r.stdout
    # another config (here another seed of the truths' fits) does not resume the stored study
    study.write_text(study.read_text(encoding="utf-8").replace('out = "cov"', 'out = "cov"\nseed = 4'), "utf-8")
    refused = run_cli("calibrate", str(study), "--workers", "1")
    assert refused.returncode == 2 and "--overwrite" in refused.stderr and "Traceback" not in refused.stderr
    assert pd.read_csv(tmp_path / "cov" / "coverage.csv").equals(results)  # nothing lost
    fresh = run_cli("calibrate", str(study), "--workers", "1", "--overwrite")
    assert fresh.returncode == 0 and "truth 2 of 2" in fresh.stderr
    assert not pd.read_csv(tmp_path / "cov" / "coverage.csv").equals(results)


def test_a_collapsed_generation_stops_the_run_and_is_not_the_posterior(tmp_path):
    """When a generation's effective sample size falls below the method's minimum (10), the run
    stops and the posterior is the last generation at or above it; with none, the last one."""
    from innosim.calibration.abc import _stop_reason, posterior_generation

    cal = load_calibration(_tiny(tmp_path, generations=20))
    gens = pd.DataFrame(
        {"t": [-1, 0, 1, 2], "epsilon": [9.0, 5.0, 3.0, 2.0], "samples": [30, 60, 90, 120], "particles": 30}
    )
    gens["ess"] = [float("nan"), 30.0, 12.0, 4.0]
    assert posterior_generation(cal, gens) == 1
    assert "effective sample size 4.0 below 10" in _stop_reason(cal, gens)
    assert _stop_reason(cal, gens.iloc[:3]) is None
    gens["ess"] = [float("nan"), 6.0, 5.0, 4.0]
    assert posterior_generation(cal, gens) == 2


# ------------------------------------------------------------------ parameter recovery (quick version)
@pytest.mark.slow
def test_parameter_recovery_quick(tmp_path):
    """Synthetic facts from known values; each true value must lie in its 90% posterior interval."""
    cal = load_calibration(ROOT / "calibration" / "recovery-quick.toml")
    out = calibrate(cal, out=tmp_path / "recovery", workers=0)
    params = parameters(cal, Posterior.load(out / POSTERIOR))
    assert params.covered.all(), params[["path", "truth", "q05", "q95"]]
    assert (params.width_ratio < 1.0).any()  # the data narrowed something


# ------------------------------------------------------------------ the shipped posterior
def test_shipped_posterior_fits_every_target():
    """Issue 3's acceptance: `innosim run --replicates 200` (the `[check]` of calibration/baiyun.toml),
    full size, every 2020 level that is a target inside the 5-95% interval and its median within 10%
    (a median of 200 runs: one of 40 moved by 17 points between blocks); the HTE's mean revenue, an
    estimate of low confidence, within issue 14's 25%; the two counts of a few dozen (incubators,
    maker spaces: 10-20% replicate noise, weighed at 20% by the path fit's tolerance rule) within
    15%, as issue 15 asks of counts. (The path's shapes are reported in REPORT.md against issue 15's
    acceptance.)"""
    cal = load_calibration(ROOT / "calibration" / "baiyun.toml")
    from innosim.calibration.checks import predictive
    from innosim.posterior import shipped_posterior

    check = predictive(cal, shipped_posterior(), workers=0)
    targets = check[check.role == "target"]
    assert len(targets) == len(cal.observed)
    levels = targets[targets.relative_to.isna() & (targets.year == 2020)]
    assert len(levels) >= 8
    band = levels.fact_id.map({"hte_mean_revenue": 0.25, "incubators": 0.15, "maker_spaces": 0.15}).fillna(0.10)
    bad = levels[~levels.inside_90 | (levels.relative_error.abs() > band)]
    assert bad.empty, bad[["fact_id", "fact", "median", "p05", "p95"]]


def _fresh_shipped_report(tmp_path: Path) -> tuple[list[str], list[str]]:
    """The report that `innosim calibrate --report-only` writes today on a copy of calibration/,
    and the shipped one, each without its date line."""
    import shutil

    root = tmp_path / "cal"
    shutil.copytree(ROOT / "calibration", root, ignore=shutil.ignore_patterns("*.db", "*.png"))
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")  # the forecast's scenario, beside it
    cal = load_calibration(root / "baiyun.toml")
    fresh = write_report(cal, cal.out, workers=0).read_text(encoding="utf-8").splitlines()
    shipped = (ROOT / "calibration" / cal.out.relative_to(root) / REPORT).read_text(encoding="utf-8").splitlines()
    drop = lambda lines: [ln for ln in lines if not ln.startswith("Generated by")]  # noqa: E731
    return drop(fresh), drop(shipped)


@pytest.mark.slow
def test_shipped_report_is_current(tmp_path):
    """calibration/REPORT.md is what `innosim calibrate --report-only` writes today (but the date),
    every section recomputed: its noise sections alone take some 300 runs."""
    fresh, shipped = _fresh_shipped_report(tmp_path)
    assert fresh == shipped


def test_shipped_report_is_current_but_its_noise(tmp_path, monkeypatch):
    """The fast suite's version of the test above: every section recomputed but the noise floor, which
    is cut from both, and the noise sources, which are read from the shipped `noise_sources.csv` (their
    computation is checked on the tiny calibration's report; the slow test checks the shipped figures).
    A change to the model changes the goldens (tests/goldens.py) as well as this report's other
    sections; the documented regeneration runs the whole report."""
    from innosim.calibration import report

    heading, sources = "## What epsilon 1 asks", "### Where the noise comes from"
    stored = pd.read_csv(ROOT / "calibration" / "noise_sources.csv")
    monkeypatch.setattr(report, "noise_floor", lambda *args, **kwargs: (None, None))
    monkeypatch.setattr(report, "noise_section", lambda *args: [heading, "(not recomputed)"])
    monkeypatch.setattr(report, "noise_sources", lambda *args, **kwargs: stored)
    fresh, shipped = _fresh_shipped_report(tmp_path)

    def cut(lines: list[str]) -> list[str]:
        start = next(i for i, line in enumerate(lines) if line.startswith(heading))
        return lines[:start] + lines[lines.index(sources) :]

    assert len(cut(shipped)) < len(shipped) - 10  # the noise floor's section, table and all
    assert cut(fresh) == cut(shipped)


def test_report_asks_to_rerun_a_recovery_from_before_a_parameter_was_freed(tmp_path):
    """A stored recovery result without one of today's free parameters is named stale, not a crash."""
    import shutil

    out = tmp_path / "cal"
    shutil.copytree(ROOT / "calibration", out, ignore=shutil.ignore_patterns("*.db", "*.png"))
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")  # the forecast's scenario, beside it
    cal = load_calibration(out / "baiyun.toml")
    dropped = cal.config.free[-1].path
    stored = out / "recovery" / POSTERIOR
    pd.read_csv(stored).drop(columns=[dropped]).to_csv(stored, index=False)
    from innosim.calibration.sections import recovery_section

    text = "\n".join(recovery_section(cal, out, workers=0))
    assert "it fits an earlier model; re-run it" in text and dropped in text.split("has no")[1]


def test_bad_posterior_file(tmp_path):
    bad = tmp_path / "p.csv"
    pd.DataFrame({"weight": [1.0], "parameters.nope": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="parameters.nope"):
        Posterior.load(bad)
    r = run_cli("run", "--posterior", str(bad), "--replicates", "1")
    assert r.returncode == 2 and "parameters.nope" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_use_the_declared_priors(name):
    """Priors are declared once, with the parameters: every shipped config's prior is the declared one."""
    from innosim.fields import numeric_fields, prior, prior_source
    from innosim.scenario import Scenario

    fields = numeric_fields(Scenario)
    cal = load_calibration(ROOT / "calibration" / name)
    for f in cal.config.free:
        assert f.bounds == prior(fields[f.path]), f.path
        assert f.source == prior_source(fields[f.path]), f.path


def test_a_config_that_restates_another_prior_is_used_and_recorded(tmp_path):
    path = _tiny(tmp_path)
    cal = load_calibration(path)
    assert cal.config.free[0].bounds == (8.0, 16.0) and cal.config.free[0].source == "test prior"
    text = path.read_text(encoding="utf-8").replace('lower = 8.0\nupper = 16.0\nsource = "test prior"\n', "")
    path.write_text(text, encoding="utf-8")
    declared = load_calibration(path).config.free[0]
    assert declared.bounds == (8.0, 16.0) and "hand calibration" in declared.source
