"""Does the calibration method give honest intervals? A coverage study at reduced scale.

Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018): draw
parameter sets from the prior; for each, simulate the facts it implies (the median of a few
replicates, as a recovery run does), calibrate on them with the study's targets, priors and
method, and record where the truth falls in its posterior. If the method is well calibrated,
each parameter's nominal 90% interval covers its truth in 90% of the draws and the truth's
posterior rank (the posterior weight below it) is uniform on [0, 1].

Each truth is one recovery calibration in ``truth-NNN/`` under the study's result directory;
``coverage.csv`` gains its rows (with the effective sample size and epsilon of the fit's posterior
generation) as soon
as it finishes (and its pyabc database is deleted), so
an interrupted study resumes at the first unfinished truth and loses at most that one. A study
resumes only with the config (and innosim version) it was started with: ``study.json`` holds
its hash, and another one is refused unless ``overwrite`` discards what the directory holds.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chisquare

from innosim import provenance
from innosim.calibration.abc import DB, POSTERIOR, STATE, calibrate
from innosim.calibration.abc import MANIFEST as MANIFEST_OF_TRUTH
from innosim.calibration.config import Calibration
from innosim.calibration.schema import Synthetic
from innosim.errors import InputError, option
from innosim.files import check_output
from innosim.joblock import lock_directory
from innosim.posterior import Posterior
from innosim.store import write_atomic

RESULTS = "coverage.csv"
SUMMARY = "coverage-summary.csv"
MANIFEST = "coverage.json"
STUDY = "study.json"
"""The study's state: the hash of the config it was started with."""
RANK_BINS = 5
"""Bins of the rank histogram whose flatness is tested (chi-square), 10 draws a bin at 50 truths."""


def draw_truths(cal: Calibration) -> list[dict[str, float]]:
    """The study's parameter sets, drawn from the prior (uniform or log-uniform per parameter)."""
    cov = cal.config.coverage
    assert cov is not None
    rng = np.random.default_rng(cov.seed)
    truths = []
    for _ in range(cov.truths):
        truth = {}
        for f in cal.config.free:
            lo, hi = f.bounds
            u = rng.random()
            truth[f.path] = float(lo + u * (hi - lo) if f.distribution == "uniform" else lo * (hi / lo) ** u)
        truths.append(truth)
    return truths


def _truth_calibration(cal: Calibration, i: int, truth: dict[str, float]) -> Calibration:
    cov = cal.config.coverage
    assert cov is not None
    syn = Synthetic(truth=truth, replicates=cov.replicates, seed=cov.seed * 1000 + i)
    config = cal.config.model_copy(update={"synthetic": syn, "coverage": None, "recovery": None})
    return Calibration(config, cal.path, cal.facts, cal.scenario, cal.statistics, cal.observed, {}, None)


def _rows(i: int, truth: dict[str, float], posterior: Posterior) -> list[dict[str, float | int | str | bool]]:
    q = posterior.quantiles((0.05, 0.5, 0.95))
    rows = []
    for path, value in truth.items():
        v = posterior.values[path].to_numpy()
        rank = float(posterior.weights[v < value].sum() + 0.5 * posterior.weights[v == value].sum())
        rows.append(
            {
                "truth_index": i,
                "path": path,
                "truth": value,
                "q05": q.loc[path, "q05"],
                "median": q.loc[path, "q50"],
                "q95": q.loc[path, "q95"],
                "covered": bool(q.loc[path, "q05"] <= value <= q.loc[path, "q95"]),
                "rank": rank,
            }
        )
    return rows


def run_coverage(
    cal: Calibration,
    out: Path | None = None,
    workers: int | None = None,
    on_truth: Callable[[int, int], None] | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Run (or resume) the coverage study of ``cal`` (a config with ``[coverage]``); returns
    the result directory, holding ``coverage.csv`` (one row per truth and parameter) and
    ``coverage-summary.csv`` (one row per parameter).

    Raises:
        InputError: ``out`` holds a study made with another config or innosim version (or one
            without its ``study.json``), and ``overwrite`` is not set.
    """
    cov = cal.config.coverage
    if cov is None:
        raise ValueError("the calibration has no [coverage] table")
    out = Path(out) if out is not None else cal.out
    check_output(out)
    out.mkdir(parents=True, exist_ok=True)
    lock = lock_directory(out)
    try:
        _prepare_study(cal, out, overwrite)
        results = pd.read_csv(out / RESULTS) if (out / RESULTS).exists() else pd.DataFrame()
        done = set(results.truth_index) if len(results) else set()
        truths = draw_truths(cal)
        for i, truth in enumerate(truths):
            if i in done:
                continue
            sub_out = out / f"truth-{i:03d}"
            sub = _truth_calibration(cal, i, truth)
            calibrate(sub, out=sub_out, workers=workers, resume=(sub_out / STATE).exists(), scheduler=scheduler)
            fit = json.loads((sub_out / MANIFEST_OF_TRUTH).read_text(encoding="utf-8"))
            rows = pd.DataFrame(_rows(i, truth, Posterior.load(sub_out / POSTERIOR))).assign(
                ess=fit["effective_sample_size"], final_epsilon=fit["final_epsilon"]
            )
            results = pd.concat([results, rows], ignore_index=True)
            write_atomic(out / RESULTS, results.to_csv(index=False))
            (sub_out / DB).unlink(missing_ok=True)
            if on_truth:
                on_truth(i + 1, len(truths))
        summary = summarise(results)
        write_atomic(out / SUMMARY, summary.to_csv(index=False))
        timed = [out / f"truth-{i:03d}" / MANIFEST_OF_TRUTH for i in range(len(truths))]
        walls = [json.loads(t.read_text(encoding="utf-8"))["wall_time_seconds"] for t in timed if t.exists()]
        manifest = provenance.manifest(
            "coverage",
            "innosim.calibration.coverage.run_coverage",
            config=cal.path.name,
            truths=cov.truths,
            seed=cov.seed,
            replicates=cov.replicates,
            scale=cal.config.scale,
            population=cal.config.method.population,
            max_simulations=cal.config.method.max_simulations,
            wall_time_seconds=round(float(sum(walls)), 1),
            truths_timed=len(walls),
        )
        write_atomic(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    finally:
        lock.release()
    return out


def _prepare_study(cal: Calibration, out: Path, overwrite: bool) -> None:
    """Check that what ``out`` holds was made with this config (or discard it with ``overwrite``)
    and record the config's hash."""
    state = out / STUDY
    held = [p for p in (out / RESULTS, *out.glob("truth-*")) if p.exists()]
    stored = json.loads(state.read_text(encoding="utf-8")).get("config_hash") if state.exists() else None
    if held and stored != cal.hash:
        if not overwrite:
            made = f"another config or innosim version (hash {stored})" if stored else "no record of its config"
            raise InputError(
                out,
                option("overwrite"),
                f"holds a coverage study made with {made}, now {cal.hash}: add "
                f"{option('overwrite', flag=True)} to discard it and start again",
            )
        for path in held:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        for name in (SUMMARY, MANIFEST):
            (out / name).unlink(missing_ok=True)
    write_atomic(state, json.dumps({"config": str(cal.path), "config_hash": cal.hash}, indent=2))


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: the coverage of the nominal 90% intervals, the mean rank, and the
    chi-square p-value of a flat rank histogram in :data:`RANK_BINS` bins."""
    rows = []
    for path, group in results.groupby("path", sort=False):
        counts = np.histogram(group["rank"], bins=RANK_BINS, range=(0.0, 1.0))[0]
        rows.append(
            {
                "path": path,
                "truths": len(group),
                "coverage_90": float(group.covered.mean()),
                "mean_rank": float(group["rank"].mean()),
                "rank_uniformity_p": float(chisquare(counts).pvalue),
                "rank_counts": " ".join(str(c) for c in counts),
            }
        )
    return pd.DataFrame(rows)


__all__ = ["RESULTS", "SUMMARY", "draw_truths", "run_coverage", "summarise"]
