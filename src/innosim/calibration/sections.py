"""The pieces of the calibration report (``REPORT.md``): file names, tables as markdown,
and the sections that read stored results (the forecast, the identification matrix, the
coverage study, the recovery run). :mod:`innosim.calibration.report` puts them together.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from innosim.calibration.abc import GENERATIONS, IDENTIFICATION, MANIFEST, POSTERIOR
from innosim.calibration.checks import SHAPE_ERROR, parameters
from innosim.calibration.config import Calibration, load_calibration
from innosim.calibration.figures import plot_recovery
from innosim.calibration.noise import SOURCES, TOTAL
from innosim.errors import InputError
from innosim.indicators import format_value
from innosim.labels import short as _short
from innosim.posterior import Posterior

REPORT = "REPORT.md"
FIG_MARGINALS = "marginals.png"
FIG_PREDICTIVE = "predictive.png"
FIG_RECOVERY = "recovery.png"
FIG_SERIES = "series.png"
FIG_PAIRS = "pairs.png"
FIG_FORECAST = "forecast.png"
FORECAST = "forecast.csv"
NOISE_SOURCES = "noise_sources.csv"
PAIR_PARAMETERS = 8
"""How many of the best-identified parameters the pair plot shows."""
IDENTIFIED = 0.2
"""Smallest rank correlation the identification table lists."""
NOISY = 0.5
"""Replicate noise, over the tolerance, above which a target often misses it at the right parameters."""
COVERAGE_BAND = (0.8, 0.97)
"""Coverage of nominal 90% intervals that counts as calibrated (issue 15)."""


# ------------------------------------------------------------------ figures


# ------------------------------------------------------------------ markdown


def load_results(out: Path) -> tuple[Posterior, dict, pd.DataFrame]:
    return (
        Posterior.load(out / POSTERIOR),
        json.loads((out / MANIFEST).read_text(encoding="utf-8")),
        pd.read_csv(out / GENERATIONS),
    )


def relative_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False))


def _fact_label(r: Any) -> str:
    what = f"`{r.indicator}` {r.year}" + (f" / {int(r.relative_to)}" if not pd.isna(r.relative_to) else "")
    source = f" (shape of `{r.fact_id}`)" if r.fact_id != r.indicator else ""
    return f"{what} {r.name_zh} / {r.name_en}{source}"


def check_rows(check: pd.DataFrame, forecast: bool = False) -> pd.DataFrame:
    fmt = lambda r, c: format_value(r[c], r["unit"])  # noqa: E731
    rows = []
    for _, r in check.iterrows():
        row = {
            "fact": _fact_label(r),
            "observed": fmt(r, "fact"),
            "median": fmt(r, "median"),
            "5-95%": f"{fmt(r, 'p05')} - {fmt(r, 'p95')}",
            "rel. error": f"{r['relative_error']:+.1%}",
            "fact in 5-95%": "yes" if r["inside_90"] else "**no**",
        }
        if forecast:
            row["25-75%"] = f"{fmt(r, 'p25')} - {fmt(r, 'p75')}"
            row["fact in 25-75%"] = "yes" if r["inside_50"] else "no"
            row["CRPS / fact"] = f"{r['crps_relative']:.3f}"
            if r["proxy_error"] > 0:
                row["with the proxy's error (±)"] = f"{r['proxy_error']:.0%}: {fmt(r, 'obs_p05')} - {fmt(r, 'obs_p95')}"
                row["fact in it"] = "yes" if r["obs_inside_90"] else "**no**"
            else:
                row["with the proxy's error (±)"] = "district's own figure"
                row["fact in it"] = "yes" if r["inside_90"] else "**no**"
        else:
            row["median within ±10%"] = "yes" if r["within_10pct"] else "**no**"
        rows.append(row)
    return pd.DataFrame(rows)


def shape_rows(shape: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series": [
                f"`{i}`" + (f" / {r}" if r is not None else "") for i, r in zip(shape.indicator, shape.relative_to)
            ],
            "years": shape.years,
            "data growth / yr": shape["data growth"],
            "median growth / yr": shape["median growth"],
            "growth correlation": shape.correlation.map(lambda c: "-" if pd.isna(c) else f"{c:+.2f}"),
            "median vs fact, by year": [
                ", ".join(f"**{y}: {e:+.1%}**" if abs(e) > SHAPE_ERROR else f"{y}: {e:+.1%}" for y, e in errors.items())
                for errors in shape.errors
            ],
            "shape met": shape.shape_met.map({True: "yes", False: "**no**"}),
        }
    )


def param_rows(params: pd.DataFrame, sources: bool = True) -> pd.DataFrame:
    g = lambda x: f"{x:.4g}"  # noqa: E731
    rows = []
    for _, r in params.iterrows():
        row = {
            "parameter": f"`{_short(r.path)}`",
            "prior": r.prior,
            "posterior mean": g(r["mean"]),
            "median": g(r["median"]),
            "90% interval": f"{g(r.q05)} - {g(r.q95)}",
            "width / prior width": f"{r.width_ratio:.2f}",
        }
        if "truth" in params:
            row["truth"] = g(r.truth)
            row["truth in 90%"] = "yes" if r.covered else "**no**"
        if sources:
            row["prior source"] = r.source
        rows.append(row)
    return pd.DataFrame(rows)


def _relative_width(fc: pd.DataFrame) -> float:
    """The median width of the forecast's 90% intervals over their medians."""
    return float(((fc.p95 - fc.p05) / fc["median"].abs()).median())


def forecast_section(cal: Calibration, fc: pd.DataFrame, full: pd.DataFrame) -> list[str]:
    """The blind forecast ``fc``, and ``full``: the same with the unfitted parameters drawn from their priors."""
    fcfg = cal.config.forecast
    assert fcfg is not None
    n, hit90, hit50 = len(fc), int(fc.inside_90.sum()), int(fc.inside_50.sum())
    proxies, hit_obs = int((fc.proxy_error > 0).sum()), int(fc.obs_inside_90.sum())
    return [
        "## Blind forecast of the held-out years",
        "",
        f"`{fcfg.scenario}` (what happened after {cal.config.year}) run {fcfg.replicates} times from the posterior, "
        f"seed {fcfg.seed}; none of these facts entered the fit. {hit90} of {n} facts "
        f"({hit90 / n:.0%}) inside the 90% predictive interval of the district's statistic and {hit50} "
        f"({hit50 / n:.0%}) inside the 50% one, over {fc.indicator.nunique()} indicators; mean CRPS / fact "
        f"{fc.crps_relative.mean():.3f}. {proxies} of the facts stand for the district's statistic as a proxy "
        f"(a city's shape), with the error the fit allows such a proxy (`proxy_error` in `{cal.path.name}`); the "
        "predictive interval of the observed value adds that error, uniform within it: "
        f"{hit_obs} of {n} ({hit_obs / n:.0%}) inside it, mean CRPS / fact {fc.obs_crps_relative.mean():.3f}. "
        f"Table: `{FORECAST}`; `innosim forecast` on `{cal.path.name}` writes it alone. With every parameter "
        "the posterior lacks drawn from its prior too (`innosim forecast --full`, the same replicates and "
        f"seed): {int(full.inside_90.sum())} of {n} inside the 90% interval ({int(full.obs_inside_90.sum())} "
        f"with the proxy's error), mean CRPS / fact {full.crps_relative.mean():.3f}, the median interval "
        f"{_relative_width(full):.1%} of the median wide ({_relative_width(fc):.1%} above).",
        "",
        md_table(check_rows(fc, forecast=True)),
        "",
        f"![forecast]({FIG_FORECAST})",
        "",
    ]


def noise_section(cal: Calibration, noise: pd.DataFrame, distances: pd.Series) -> list[str]:
    """Why the final epsilon is what it is: each target's noise and bias at the posterior mean."""
    rows = [
        {
            "target": f"`{r.key}`",
            "tolerance": f"{r.tolerance:.0%}",
            "noise / tolerance": f"{r.noise:.2f}" + (" **noisy**" if r.noise > NOISY else ""),
            "bias / tolerance": f"{r.bias:+.2f}" + (" **misfit**" if abs(r.bias) > 1 else ""),
            "runs within tolerance": f"{r.within:.0%}",
        }
        for r in noise.itertuples()
    ]
    noisy, misfit = (noise.noise > NOISY).sum(), (noise.bias.abs() > 1).sum()
    return [
        "## What epsilon 1 asks: noise and bias at the posterior mean",
        "",
        f"The distance of a run is its largest target error, each over its tolerance. {len(distances)} runs at "
        f"scale {cal.scenario.scale:g} with every parameter at the posterior mean (only the seed differs, seed "
        f"{cal.config.check.seed}) split each target's error into the model's own noise (the runs' standard "
        "deviation) and a bias (their mean), both over the tolerance. A target whose noise is above "
        f"{NOISY:g} often misses its tolerance at the right parameters; one whose bias is beyond 1 is a misfit "
        f"near the posterior mean. Here {noisy} noisy and {misfit} misfit of {len(noise)} targets; "
        f"{(distances <= 1).mean():.0%} of the runs have every target within its tolerance (the acceptance "
        f"rate ABC would have at epsilon 1 at this point), and the median run's distance is {distances.median():.2f}.",
        "",
        md_table(pd.DataFrame(rows)),
        "",
    ]


def sources_section(sources: pd.DataFrame, replicates: int) -> list[str]:
    """Where each target's noise comes from (:func:`~innosim.calibration.noise.noise_sources`)."""
    rows = []
    for r in sources.to_dict("records"):
        largest = max(SOURCES, key=lambda s: r[s])
        row = {"target": f"`{r['key']}`", "all": f"{r[TOTAL]:.2f}"}
        row |= {s: f"**{r[s]:.2f}**" if s == largest else f"{r[s]:.2f}" for s in SOURCES}
        rows.append(row | {"additivity": f"{r['additivity']:.2f}"})
    led = (sources[list(SOURCES)].idxmax(axis=1) == "synthesis") & (sources[TOTAL] > NOISY)
    return [
        "### Where the noise comes from",
        "",
        f"The same split by source, one at a time ({replicates} runs each at the posterior mean, seeded from "
        "`[check] seed`): the synthesis of the 2015 state (the model's seed), or one process's random stream, "
        "changes while every other source keeps its numbers; `all` changes everything. Each cell is the "
        "standard deviation of the target's error over its tolerance, the largest source in bold. Additivity "
        "is the sources added in quadrature over `all`: near 1, the split is clean; well above 1, a change "
        "in any source moves the target about as much as a change in all of them (the path reacts to any "
        "perturbation), and the split says little. "
        f"Noisy targets led by the synthesis: {', '.join(f'`{k}`' for k in sources.key[led]) or 'none'}. "
        f"Table: `{NOISE_SOURCES}`.",
        "",
        md_table(pd.DataFrame(rows)),
        "",
    ]


def identification_section(out: Path) -> list[str]:
    if not (out / IDENTIFICATION).exists():
        return []
    rho = pd.read_csv(out / IDENTIFICATION, index_col=0)
    rows = []
    for path, r in rho.iterrows():
        strong = r.abs().sort_values(ascending=False)
        strong = strong[strong >= IDENTIFIED]
        rows.append(
            {
                "parameter": f"`{_short(str(path))}`",
                "statistics that move with it (Spearman ρ)": ", ".join(f"`{k}` {r[k]:+.2f}" for k in strong.index[:3])
                or f"none with |ρ| ≥ {IDENTIFIED:g}",
            }
        )
    return [
        "## Which statistic informs which parameter",
        "",
        "The rank correlation of each parameter with each target statistic over the first generation's particles "
        "(drawn from the prior and kept if nearer the facts than the median prior draw), the three strongest "
        f"with |ρ| ≥ {IDENTIFIED:g}; the whole matrix is `{IDENTIFICATION}`. A parameter that no statistic moves "
        "is informed only through its correlations with others, or not at all.",
        "",
        md_table(pd.DataFrame(rows)),
        "",
    ]


def coverage_section(cal: Calibration, out: Path) -> list[str]:
    from innosim.calibration.coverage import RANK_BINS, RESULTS, summarise

    assert cal.config.coverage_study is not None
    study = load_calibration(cal.path.parent / cal.config.coverage_study)
    rel = study.out.relative_to(out, walk_up=True)
    head = [
        "## Coverage study of the method",
        "",
        f"`{cal.config.coverage_study}` draws parameter sets from the prior, simulates the facts each implies, "
        "calibrates on them with this calibration's targets, priors and method (at a smaller scale and budget), "
        "and records where each truth falls in its posterior (simulation-based calibration, Talts et al. 2018). "
        "A well-calibrated method covers each truth with its nominal 90% interval in 90% of the draws, and the "
        "truth's posterior rank is uniform.",
        "",
    ]
    if not (study.out / RESULTS).exists():
        return head + [f"Not run yet: no results in `{rel}`.", ""]
    results = pd.read_csv(study.out / RESULTS)
    missing = sorted(set(cal.free_paths) - set(results.path))
    if missing:
        return head + [
            f"The stored result in `{rel}/` has no {', '.join(missing)}: it fits an earlier model; re-run it.",
            "",
        ]
    summary = summarise(results)
    inside = int(summary.coverage_90.between(COVERAGE_BAND[0], COVERAGE_BAND[1]).sum())
    n = int(results.truth_index.nunique())
    rows = pd.DataFrame(
        {
            "parameter": [f"`{_short(p)}`" for p in summary.path],
            "90% coverage": [
                f"{c:.2f}" if COVERAGE_BAND[0] <= c <= COVERAGE_BAND[1] else f"**{c:.2f}**" for c in summary.coverage_90
            ],
            "mean rank": summary.mean_rank.map(lambda r: f"{r:.2f}"),
            f"rank histogram ({RANK_BINS} bins of [0, 1])": summary.rank_counts,
            "uniformity p": summary.rank_uniformity_p.map(lambda v: f"{v:.2f}"),
        }
    )
    lines = [
        f"Result in `{rel}/`: {n} truths at scale {study.config.scale:g}, {study.config.method.population} particles "
        f"and at most {study.config.method.max_simulations:,} simulations each. {inside} of {len(summary)} parameters "
        f"have a coverage between {COVERAGE_BAND[0]:g} and {COVERAGE_BAND[1]:g} (bold: outside).",
    ]
    if "ess" in results:
        per_truth = results.groupby("truth_index")["ess"].first()
        least = study.config.method.min_effective_sample_size
        healthy = results[results.ess >= least]
        lines[0] += (
            f" The posteriors' effective sample size has a median of {per_truth.median():.1f} of "
            f"{study.config.method.population} particles (a fit whose generation collapsed below {least:g} gives "
            f"the last generation at or above it); coverage over every parameter is "
            f"{results.covered.mean():.2f}, and {healthy.covered.mean() if len(healthy) else float('nan'):.2f} over "
            f"the {int((per_truth >= least).sum())} truths whose posterior has an effective sample size of "
            f"{least:g} or more."
        )
    return head + lines + ["", md_table(rows), ""]


def recovery_section(cal: Calibration, out: Path, workers: int | None) -> list[str]:
    if cal.config.recovery is None:
        return []
    rec = load_calibration(cal.path.parent / cal.config.recovery)
    head = [
        "## Parameter recovery",
        "",
        f"The recovery run (`{cal.config.recovery}`, next to this calibration's config) simulates synthetic "
        "facts from known parameter values, "
        "calibrates on them with the same targets, priors and method, and checks whether each true value lies "
        "in its 90% posterior interval.",
        "",
    ]
    rel = rec.out.relative_to(out, walk_up=True)
    if not (rec.out / POSTERIOR).exists():
        return head + [f"Not run yet: no results in `{rel}`.", ""]
    try:
        posterior, manifest, _ = load_results(rec.out)
    except InputError as exc:  # a result of an earlier model, e.g. with a parameter since removed
        return head + [f"The stored result in `{rel}/` does not fit this version of the model ({exc}); re-run it.", ""]
    missing = [f.path for f in rec.config.free if f.path not in posterior.mean()]
    if missing:  # a result from before a parameter was freed
        return head + [
            f"The stored result in `{rel}/` has no {', '.join(missing)}: it fits an earlier model; re-run it.",
            "",
        ]
    rec = rec.with_observed(manifest["observed"], manifest["heldout"])
    params = parameters(rec, posterior)
    plot_recovery(params, rec.out / FIG_RECOVERY, f"{rec.config.name}: true values and 90% posterior intervals")
    covered = int(params.covered.sum())
    return head + [
        f"Result in `{rel}/` ({manifest['simulations']:,} simulations at scale {manifest['scale']:g}, "
        f"{manifest['generations']} generations, final epsilon {manifest['final_epsilon']:.3f}, "
        f"{manifest['wall_time_seconds']:,.0f} s): **{covered} of {len(params)}** true values inside their 90% "
        "posterior interval.",
        "",
        md_table(param_rows(params, sources=False)),
        "",
        f"![recovery]({rel}/{FIG_RECOVERY})",
        "",
    ]
