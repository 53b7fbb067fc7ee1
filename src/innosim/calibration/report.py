"""The calibration's fit report: ``REPORT.md`` and its figures, generated, never hand-written.

For every target and held-out fact: the fact, the posterior-predictive median and
5-95% interval, the relative error. For every free parameter: its prior, its
posterior and how much the data narrowed it. For a parameter-recovery run: whether
each true value lies in its 90% posterior interval.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from innosim.calibration.abc import GENERATIONS, MANIFEST, POSTERIOR
from innosim.calibration.config import Calibration, load_calibration
from innosim.calibration.figures import plot_marginals, plot_predictive, plot_recovery
from innosim.errors import InputError
from innosim.indicators import INDICATORS, format_value
from innosim.labels import short as _short
from innosim.posterior import Posterior
from innosim.simulation import simulate

REPORT = "REPORT.md"
FIG_MARGINALS = "marginals.png"
FIG_PREDICTIVE = "predictive.png"
FIG_RECOVERY = "recovery.png"


# ------------------------------------------------------------------ tables
def predictive(cal: Calibration, posterior: Posterior, workers: int | None = None) -> pd.DataFrame:
    """Posterior-predictive check of every target and held-out fact.

    Runs ``check.replicates`` replicates of the calibration's scenario with parameters
    drawn from ``posterior`` (as ``innosim run`` does) and compares the simulated
    ``year`` values with the facts.
    """
    chk = cal.config.check
    scn = cal.scenario
    if chk.scale is not None and chk.scale != scn.scale:
        scn = scn.with_overrides({"scale": chk.scale}, source=str(cal.path))
    table = simulate(
        scn,
        seed=chk.seed,
        replicates=chk.replicates,
        workers=cal.config.workers if workers is None else workers,
        parameters="posterior",
        posterior=posterior,
        until=cal.config.year,
    )
    values = table[table.year == cal.config.year].groupby("indicator")["value"]
    rows = []
    for role, facts in (("target", cal.observed), ("held out", cal.heldout)):
        for fid, fact in facts.items():
            v = values.get_group(fid)
            med, p05, p95 = v.median(), v.quantile(0.05), v.quantile(0.95)
            rows.append(
                {
                    "role": role,
                    "fact_id": fid,
                    "name_zh": INDICATORS[fid].name_zh,
                    "name_en": INDICATORS[fid].name_en,
                    "unit": INDICATORS[fid].unit,
                    "tolerance": cal.tolerances.get(fid),
                    "fact": fact,
                    "median": med,
                    "p05": p05,
                    "p95": p95,
                    "relative_error": (med - fact) / abs(fact),
                    "inside_90": bool(p05 <= fact <= p95),
                    "within_10pct": bool(abs(med - fact) <= 0.1 * abs(fact)),
                }
            )
    return pd.DataFrame(rows)


def parameters(cal: Calibration, posterior: Posterior) -> pd.DataFrame:
    """Prior and posterior of every free parameter (and the truth, for a recovery run)."""
    q = posterior.quantiles((0.05, 0.5, 0.95))
    mean = posterior.mean()
    truth = cal.config.synthetic.truth if cal.config.synthetic else {}
    rows = []
    for f in cal.config.free:
        lo, hi = f.bounds
        if f.distribution == "uniform":
            prior_width = 0.9 * (hi - lo)
        else:
            prior_width = lo * ((hi / lo) ** 0.95 - (hi / lo) ** 0.05)
        row = {
            "path": f.path,
            "prior": f"{f.distribution}({lo:g}, {hi:g})",
            "prior_lower": lo,
            "prior_upper": hi,
            "source": f.source,
            "mean": mean[f.path],
            "q05": q.loc[f.path, "q05"],
            "median": q.loc[f.path, "q50"],
            "q95": q.loc[f.path, "q95"],
        }
        row["width_ratio"] = (row["q95"] - row["q05"]) / prior_width
        if truth:
            row["truth"] = truth[f.path]
            row["covered"] = bool(row["q05"] <= truth[f.path] <= row["q95"])
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ figures


# ------------------------------------------------------------------ markdown
def _md_table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    return head + "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False))


def _check_rows(check: pd.DataFrame) -> pd.DataFrame:
    fmt = lambda r, c: format_value(r[c], r["unit"])  # noqa: E731
    return pd.DataFrame(
        [
            {
                "fact": f"`{r.fact_id}` {r.name_zh} / {r.name_en}",
                "observed": fmt(r, "fact"),
                "median": fmt(r, "median"),
                "5-95%": f"{fmt(r, 'p05')} - {fmt(r, 'p95')}",
                "rel. error": f"{r['relative_error']:+.1%}",
                "fact in 5-95%": "yes" if r["inside_90"] else "**no**",
                "median within ±10%": "yes" if r["within_10pct"] else "**no**",
            }
            for _, r in check.iterrows()
        ]
    )


def _param_rows(params: pd.DataFrame, sources: bool = True) -> pd.DataFrame:
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


def _load(out: Path) -> tuple[Posterior, dict, pd.DataFrame]:
    return (
        Posterior.load(out / POSTERIOR),
        json.loads((out / MANIFEST).read_text(encoding="utf-8")),
        pd.read_csv(out / GENERATIONS),
    )


def _fit_section(
    cal: Calibration, out: Path, workers: int | None, label: str
) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    posterior, manifest, gens = _load(out)
    if cal.config.synthetic:
        cal = cal.with_observed(manifest["observed"], manifest["heldout"])
    check = predictive(cal, posterior, workers)
    params = parameters(cal, posterior)
    plot_marginals(cal, posterior, out / FIG_MARGINALS, f"{label}: posterior (bars) against prior (dashed)")
    plot_predictive(check, out / FIG_PREDICTIVE, f"{label}: posterior-predictive check, {cal.config.year}")
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
    text = f"""\
- Method: ABC-SMC (pyabc {m["pyabc_version"]}), {m["population"]} particles, scale-free distance
  ({cal.config.method.norm} norm of |sim - fact| / (tolerance × |fact|)), epsilon from the
  {cal.config.method.epsilon_quantile:g} quantile of the previous generation's distances.
- Stopped after {m["generations"]} generations because: {m["stop_reason"]}. Final epsilon {m["final_epsilon"]:.3f}.
- {m["simulations"]:,} simulations of 2016-{m["year"]} at scale {m["scale"]:g}, {m["wall_time_seconds"]:,.0f} s of wall time
  on {m["machine_cores"]} cores with {m["workers"]} workers; seed {m["seed"]}; config hash `{m["config_hash"]}`;
  innosim {m["innosim_version"]}.
- Posterior: {m["particles"]} weighted parameter sets in `{POSTERIOR}` (manifest `{MANIFEST}`), effective
  sample size {m["effective_sample_size"]:.0f}. Perturbation kernel: {cal.config.method.kernel_scale:g} × the
  weighted covariance of the previous generation.

{_md_table(gen_rows)}
"""
    return text, check, params


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def write_report(cal: Calibration, out: Path, workers: int | None = None) -> Path:
    """Write ``REPORT.md`` and its figures into the result directory ``out``."""
    out = Path(out)
    label = cal.config.name
    fit, check, params = _fit_section(cal, out, workers, label)
    chk = cal.config.check
    scale = chk.scale or cal.config.scale
    targets, held = check[check.role == "target"], check[check.role == "held out"]
    ok = bool(targets.inside_90.all() and targets.within_10pct.all())
    lines = [
        f"# Calibration report: {label}",
        "",
        f"Generated by `innosim calibrate {_relative(cal.path)} --report-only` on "
        f"{_dt.date.today().isoformat()}; do not edit by hand. {cal.config.description}",
        "",
        "## Fit",
        "",
        fit,
        f"## Targets: posterior-predictive check ({cal.config.year})",
        "",
        f"{chk.replicates} replicates at scale {scale:g}, seed {chk.seed}, each drawing its parameters from the "
        f"posterior (as `innosim run --replicates {chk.replicates} --seed {chk.seed}` does). "
        f"Every target's fact inside the 5-95% interval and its median within ±10%: "
        f"**{'yes' if ok else 'no'}**.",
        "",
        _md_table(_check_rows(targets)),
        "",
        "## Held-out facts (not fitted)",
        "",
        "These facts were left out of the distance; the same replicates predict them.",
        "",
        _md_table(_check_rows(held)) if len(held) else "(none)",
        "",
        f"![posterior-predictive check]({FIG_PREDICTIVE})",
        "",
        "## Parameters: prior and posterior",
        "",
        "Width / prior width: the 90% posterior interval over the prior's 90% interval (1 = the data said "
        "nothing about this parameter, small = well identified).",
        "",
        _md_table(_param_rows(params)),
        "",
        f"![marginal posteriors]({FIG_MARGINALS})",
        "",
    ]
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
        lines += _recovery_section(cal, out, workers)
    (out / REPORT).write_text("\n".join(lines), encoding="utf-8")
    return out / REPORT


def _recovery_section(cal: Calibration, out: Path, workers: int | None) -> list[str]:
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
        posterior, manifest, _ = _load(rec.out)
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
        _md_table(_param_rows(params, sources=False)),
        "",
        f"![recovery]({rel}/{FIG_RECOVERY})",
        "",
    ]


__all__ = ["REPORT", "parameters", "predictive", "write_report"]
