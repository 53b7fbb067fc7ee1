"""The calibration's fit report: ``REPORT.md`` and its figures, generated, never hand-written.

For every target and held-out fact: the fact, the posterior-predictive median and
5-95% interval, the relative error; the path's shape; the blind forecast of the years after
the fit, with its coverage and CRPS (``forecast.csv``). For every free parameter: its prior,
its posterior, how much the data narrowed it and which statistics inform it. The recovery
run and the coverage study, when the config names them. The tables are computed in
:mod:`innosim.calibration.checks`, the sections in :mod:`innosim.calibration.sections`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innosim.calibration.abc import MANIFEST, POSTERIOR
from innosim.calibration.checks import (
    SHAPE_ERROR,
    forecast,
    forecast_runs,
    noise_floor,
    parameters,
    path_shape,
    predictive,
    predictive_runs,
)
from innosim.calibration.config import Calibration
from innosim.calibration.figures import plot_marginals, plot_pairs, plot_predictive, plot_recovery, plot_series
from innosim.calibration.noise import REPLICATES, noise_sources
from innosim.calibration.sections import (
    FIG_FORECAST,
    FIG_MARGINALS,
    FIG_PAIRS,
    FIG_PREDICTIVE,
    FIG_RECOVERY,
    FIG_SERIES,
    FORECAST,
    NOISE_SOURCES,
    PAIR_PARAMETERS,
    REPORT,
    check_rows,
    coverage_section,
    forecast_section,
    identification_section,
    load_results,
    md_table,
    noise_section,
    param_rows,
    recovery_section,
    relative_path,
    shape_rows,
    sources_section,
)
from innosim.store import write_atomic


def _fit_text(cal: Calibration, manifest: dict[str, Any], gens: pd.DataFrame) -> str:
    gen_rows = pd.DataFrame(
        {
            "generation": gens.t.map(lambda t: "prior sample" if t < 0 else str(t)),
            "epsilon": gens.epsilon.map(lambda e: "-" if not np.isfinite(e) else f"{e:.3f}"),
            "simulations": gens.samples,
            "accepted": gens.particles,
            "acceptance rate": gens.acceptance_rate.map(lambda a: f"{a:.1%}"),
            "effective sample size": gens.ess.map(lambda e: "-" if not np.isfinite(e) else f"{e:.0f}"),
            "wall time (s)": gens.wall_time.map(lambda w: f"{w:.0f}"),
        }
    )
    m = manifest
    years = cal.fitted_years
    return f"""\
- Method: ABC-SMC (pyabc {m["pyabc_version"]}), {m["population"]} particles, scale-free distance
  ({cal.config.method.norm} norm of |sim - fact| / (tolerance × |fact|)), epsilon from the
  {cal.config.method.epsilon_quantile:g} quantile of the previous generation's distances.
- {len(cal.observed)} targets from {", ".join(map(str, years))}; stopped after {m["generations"]} generations because:
  {m["stop_reason"]}. {_posterior_generation(m)}Final epsilon {m["final_epsilon"]:.3f}.
- {m["simulations"]:,} simulations of 2016-{m["year"]} at scale {m["scale"]:g}, {m["wall_time_seconds"]:,.0f} s of wall time
  on {m["machine_cores"]} cores with {m["workers"]} workers; seed {m["seed"]}; config hash `{m["config_hash"]}`;
  innosim {m["innosim_version"]}.
- Posterior: {m["particles"]} weighted parameter sets in `{POSTERIOR}` (manifest `{MANIFEST}`), effective
  sample size {m["effective_sample_size"]:.0f}. Perturbation kernel: {cal.config.method.kernel_scale:g} × the
  weighted covariance of the previous generation.

{md_table(gen_rows)}
"""


def _posterior_generation(m: dict) -> str:
    """Which generation is the posterior, when it is not the last (its effective sample size)."""
    chosen = m.get("posterior_generation", m["generations"] - 1)
    if chosen == m["generations"] - 1:
        return ""
    return (
        f"The posterior is generation {chosen}, the last whose effective sample size is at least "
        "the method's minimum (a collapsed generation is not a sample). "
    )


def write_report(cal: Calibration, out: Path, workers: int | None = None) -> Path:
    """Write ``REPORT.md`` and its figures into the result directory ``out`` (and, with a
    ``[forecast]``, the forecast evaluation: ``forecast.csv`` and its figure)."""
    out = Path(out)
    label = cal.config.name
    posterior, manifest, gens = load_results(out)
    if cal.config.synthetic:
        cal = cal.with_observed(manifest["observed"], manifest["heldout"])
    runs = predictive_runs(cal, posterior, workers)
    check = predictive(cal, posterior, runs=runs)
    params = parameters(cal, posterior)
    chk = cal.config.check
    scale = chk.scale or cal.config.scale
    targets, held = check[check.role == "target"], check[check.role == "held out"]
    ok = bool(targets.inside_90.all() and targets.within_10pct.all())
    plot_marginals(cal, posterior, out / FIG_MARGINALS, f"{label}: posterior (bars) against prior (dashed)")
    plot_predictive(check, out / FIG_PREDICTIVE, f"{label}: posterior-predictive check")
    lines = [
        f"# Calibration report: {label}",
        "",
        f"Generated by `innosim calibrate {relative_path(cal.path)} --report-only` on "
        f"{_dt.date.today().isoformat()}; do not edit by hand. {cal.config.description}",
        "",
        "## Fit",
        "",
        _fit_text(cal, manifest, gens),
        "## Targets: posterior-predictive check",
        "",
        f"{chk.replicates} replicates at scale {scale:g}, seed {chk.seed}, each drawing its parameters from the "
        f"posterior (as `innosim run --replicates {chk.replicates} --seed {chk.seed}` does). "
        f"Every target's fact inside the 5-95% interval and its median within ±10%: "
        f"**{'yes' if ok else 'no'}**.",
        "",
        md_table(check_rows(targets)),
        "",
    ]
    shape = path_shape(cal, runs, check)
    if len(shape):
        lines += [
            "## The path's shape",
            "",
            "For every series fitted in more than one year: yearly growth of the data and of the median path "
            "between consecutive fitted years, their correlation (from three growth rates), and each fitted "
            "year's median against its fact (a ratio's base year is 1 in both and left out; beyond "
            f"{SHAPE_ERROR:.0%} in bold). The series has the data's shape when the correlation is positive and "
            f"every year is within {SHAPE_ERROR:.0%}: {int(shape.shape_met.sum())} of {len(shape)} series.",
            "",
            md_table(shape_rows(shape)),
            "",
        ]
    lines += noise_section(cal, *noise_floor(cal, posterior, workers))
    replicates = min(REPLICATES, chk.replicates)
    sources = noise_sources(cal, posterior, workers, replicates)
    write_atomic(out / NOISE_SOURCES, sources.to_csv(index=False))
    lines += sources_section(sources, replicates)
    lines += [
        "## Held-out facts of the fitted years (not fitted)",
        "",
        "These facts were left out of the distance; the same replicates predict them.",
        "",
        md_table(check_rows(held)) if len(held) else "(none)",
        "",
        f"![posterior-predictive check]({FIG_PREDICTIVE})",
        "",
    ]
    series_runs, facts = runs, check
    if cal.forecast_scenario is not None and cal.held_for_forecast():
        series_runs = forecast_runs(cal, posterior, workers)
        fc = forecast(cal, posterior, runs=series_runs)
        write_forecast(cal, fc, out)
        facts = pd.concat([check, fc], ignore_index=True)
        lines += forecast_section(cal, fc, forecast(cal, posterior, workers, parameters="full"))
    plot_series(cal, series_runs, facts, out / FIG_SERIES, f"{label}: fitted and held-out series")
    lines += [
        "## Series",
        "",
        "Posterior-predictive median and 50/90% bands by year; targets filled, held-out facts hollow, "
        "forecast facts as diamonds; the dotted line ends the fitted years.",
        "",
        f"![series]({FIG_SERIES})",
        "",
    ]
    top = list(params.sort_values("width_ratio").path[:PAIR_PARAMETERS])
    plot_pairs(cal, posterior, out / FIG_PAIRS, f"{label}: posterior pairs of the best-identified parameters", top)
    lines += [
        "## Parameters: prior and posterior",
        "",
        "Width / prior width: the 90% posterior interval over the prior's 90% interval (1 = the data said "
        f"nothing about this parameter, small = well identified). {int((params.width_ratio <= 0.7).sum())} of "
        f"{len(params)} parameters at or below 0.7.",
        "",
        md_table(param_rows(params)),
        "",
        f"![marginal posteriors]({FIG_MARGINALS})",
        "",
        f"Pairs of the {len(top)} parameters the data narrowed most:",
        "",
        f"![posterior pairs]({FIG_PAIRS})",
        "",
    ]
    lines += identification_section(out)
    if cal.config.synthetic:
        covered = int(params.covered.sum())
        plot_recovery(params, out / FIG_RECOVERY, f"{label}: true values and 90% posterior intervals")
        lines += [
            "## Parameter recovery",
            "",
            f"{covered} of {len(params)} true values lie inside their 90% posterior interval.",
            "",
            f"![recovery]({FIG_RECOVERY})",
            "",
        ]
    elif cal.config.recovery:
        lines += recovery_section(cal, out, workers)
    if not cal.config.synthetic and cal.config.coverage_study:
        lines += coverage_section(cal, out)
    (out / REPORT).write_text("\n".join(lines), encoding="utf-8")
    return out / REPORT


def write_forecast(cal: Calibration, fc: pd.DataFrame, out: Path) -> Path:
    """Write the forecast evaluation (``forecast.csv``) and its figure into ``out``."""
    write_atomic(out / FORECAST, fc.to_csv(index=False))
    plot_predictive(fc, out / FIG_FORECAST, f"{cal.config.name}: blind forecast of held-out years")
    return out / FORECAST


__all__ = ["write_forecast", "write_report"]
