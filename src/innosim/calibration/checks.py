"""The calibration's checks as tables: the posterior-predictive check, the blind forecast,
the path's shape and the parameters' prior and posterior.

Each runs the model from a posterior (as ``innosim run`` does) and compares the statistics
of the runs with the facts; :mod:`innosim.calibration.report` writes them into ``REPORT.md``.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pandas as pd

from innosim.calibration.config import Calibration, statistics_table
from innosim.errors import InputError
from innosim.indicators import INDICATORS
from innosim.posterior import Posterior
from innosim.scenario import Scenario
from innosim.simulation import simulate


def _runs(
    cal: Calibration,
    scenario: Scenario,
    posterior: Posterior,
    replicates: int,
    seed: int,
    scale: float | None,
    until: int,
    workers: int | None,
    parameters: str = "posterior",
) -> pd.DataFrame:
    """Replicates of ``scenario`` to ``until``, each drawing its parameters from ``posterior``
    (as ``innosim run`` does; ``parameters="mean"``: all at its mean)."""
    if scale is not None and scale != scenario.scale:
        scenario = scenario.with_overrides({"scale": scale}, source=str(cal.path))
    return simulate(
        scenario,
        seed=seed,
        replicates=replicates,
        workers=cal.config.workers if workers is None else workers,
        parameters=parameters,
        posterior=posterior,
        until=until,
    )


SHAPE_ERROR = 0.25
"""Largest relative error of a fitted year's median for a series to have the data's shape (issue 15)."""
PROXY_DRAWS = 50
"""Draws of a proxy's error per replicate in the predictive distribution of an observed value."""


def observed_value_sample(key: str, values: np.ndarray, error: float) -> np.ndarray:
    """The predictive sample of a fact that stands for the district's statistic with a relative
    ``error``: each replicate's value times ``1 + u``, ``u`` uniform within plus or minus ``error``
    (:data:`PROXY_DRAWS` draws each, from a generator seeded by the statistic's key, so the table is
    the same on every run). With no error, the replicates themselves."""
    if error <= 0:
        return values
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    return (values[:, None] * (1 + rng.uniform(-error, error, (len(values), PROXY_DRAWS)))).ravel()


def _compare(cal: Calibration, runs: pd.DataFrame, facts: dict[str, float], role: str) -> list[dict[str, Any]]:
    """One row per fact: the simulated distribution of its statistic against the observed value,
    and, for a held-out fact that stands for the statistic as a proxy, the predictive distribution
    of the observed value (:func:`observed_value_sample`)."""
    import scoringrules

    values = statistics_table(runs, [cal.statistics[k] for k in facts])
    rows = []
    for k, fact in facts.items():
        s, v = cal.statistics[k], values[k].dropna().to_numpy()
        q05, q25, med, q75, q95 = np.quantile(v, (0.05, 0.25, 0.5, 0.75, 0.95))
        crps = float(scoringrules.crps_ensemble(fact, v))
        error = cal.proxy_errors.get(k, 0.0)
        obs = observed_value_sample(k, v, error)
        o05, o95 = np.quantile(obs, (0.05, 0.95))
        ind = INDICATORS[s.indicator]
        rows.append(
            {
                "role": role,
                "key": k,
                "fact_id": s.fact,
                "indicator": s.indicator,
                "year": s.year,
                "relative_to": s.relative_to,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit": "ratio" if s.relative_to else ind.unit,
                "tolerance": cal.tolerances.get(k),
                "fact": fact,
                "median": med,
                "p05": q05,
                "p25": q25,
                "p75": q75,
                "p95": q95,
                "relative_error": (med - fact) / abs(fact),
                "inside_50": bool(q25 <= fact <= q75),
                "inside_90": bool(q05 <= fact <= q95),
                "within_10pct": bool(abs(med - fact) <= 0.1 * abs(fact)),
                "crps": crps,
                "crps_relative": crps / abs(fact),
                "proxy_error": error,
                "obs_p05": o05,
                "obs_p95": o95,
                "obs_inside_90": bool(o05 <= fact <= o95),
                "obs_crps_relative": float(scoringrules.crps_ensemble(fact, obs)) / abs(fact),
            }
        )
    return rows


def predictive_runs(cal: Calibration, posterior: Posterior, workers: int | None = None) -> pd.DataFrame:
    """The posterior-predictive replicates of the fitted years (``[check]``) on the calibration's scenario."""
    chk = cal.config.check
    return _runs(cal, cal.scenario, posterior, chk.replicates, chk.seed, chk.scale, cal.config.year, workers)


def predictive(
    cal: Calibration, posterior: Posterior, workers: int | None = None, runs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Posterior-predictive check of every target and every held-out fact of the fitted years.

    Runs ``check.replicates`` replicates of the calibration's scenario with parameters
    drawn from ``posterior`` (as ``innosim run`` does) and compares each statistic's
    simulated distribution with its fact (``runs``: those replicates, if already run).
    """
    runs = predictive_runs(cal, posterior, workers) if runs is None else runs
    rows = _compare(cal, runs, cal.observed, "target") + _compare(cal, runs, cal.held_in_fit_period(), "held out")
    return pd.DataFrame(rows)


def noise_floor(cal: Calibration, posterior: Posterior, workers: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """What epsilon 1 asks of the model: each target's replicate noise and bias at the posterior mean.

    Runs ``check.replicates`` replicates at the fit's scale with every parameter at the
    posterior mean (only the seed differs), so their spread is the model's own noise. Each
    target's error in a run is ``(sim - fact) / (tolerance * |fact|)``, as in the distance.

    Returns:
        One row per target: ``key``, ``tolerance``, ``noise`` (the errors' standard deviation:
        above 0.5, a run at the right parameters often misses the tolerance), ``bias`` (their
        mean: beyond 1, a misfit near the posterior mean), ``within`` (share of runs within
        the tolerance); and each run's distance (the largest error, the max norm).
    """
    chk = cal.config.check
    runs = _runs(cal, cal.scenario, posterior, chk.replicates, chk.seed, None, cal.config.year, workers, "mean")
    keys = list(cal.observed)
    values = statistics_table(runs, [cal.statistics[k] for k in keys])
    weights = cal.distance_weights
    errors = pd.DataFrame({k: (values[k] - cal.observed[k]) * weights[k] for k in keys})
    table = pd.DataFrame(
        {
            "key": keys,
            "tolerance": [cal.tolerances[k] for k in keys],
            "noise": errors.std().to_numpy(),
            "bias": errors.mean().to_numpy(),
            "within": (errors.abs() <= 1).mean().to_numpy(),
        }
    )
    return table, errors.abs().max(axis=1)


def forecast_runs(
    cal: Calibration, posterior: Posterior, workers: int | None = None, parameters: str = "posterior"
) -> pd.DataFrame:
    """Replicates of the ``[forecast]`` scenario from the posterior, 2016 to the last held-out year
    (``parameters="full"``: the other parameters drawn from their priors too,
    :mod:`innosim.posterior`)."""
    if cal.forecast_scenario is None or cal.config.forecast is None:
        raise InputError(cal.path, "forecast", "the calibration has no [forecast] table")
    fc = cal.config.forecast
    until = max([cal.statistics[k].last_year for k in cal.held_for_forecast()] or [cal.config.year])
    return _runs(cal, cal.forecast_scenario, posterior, fc.replicates, fc.seed, fc.scale, until, workers, parameters)


def forecast(
    cal: Calibration,
    posterior: Posterior,
    workers: int | None = None,
    runs: pd.DataFrame | None = None,
    parameters: str = "posterior",
) -> pd.DataFrame:
    """The blind forecast: every held-out fact after the fitted years against the predictive
    distribution of the ``[forecast]`` scenario (what happened: realised inputs, the policy in
    force) run from the posterior. Columns as :func:`predictive`'s, with the 50% interval,
    coverage and the continuous ranked probability score (CRPS, in the fact's unit, and over
    the fact: 0 is a perfect point forecast)."""
    runs = forecast_runs(cal, posterior, workers, parameters) if runs is None else runs
    return pd.DataFrame(_compare(cal, runs, cal.held_for_forecast(), "forecast"))


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


def path_shape(cal: Calibration, runs: pd.DataFrame, check: pd.DataFrame) -> pd.DataFrame:
    """For every series fitted in two or more years: how the median path's shape follows the data's.

    The yearly growth rates of the data (between consecutive fitted years, and a ratio's base
    year) against those of the median path over the same years, their correlation (from three
    growth rates), each fitted year's median against its fact (``errors``: relative, by year; a
    ratio's base year is 1 in both), the year furthest from its fact, and whether the series has
    the data's shape (``shape_met``: a positive correlation, where there are three growth rates,
    and every year within :data:`SHAPE_ERROR`).
    """
    targets = check[check.role == "target"]
    rows = []
    for (ind, rel), group in targets.groupby(["indicator", targets.relative_to.fillna(-1)], sort=False):
        if len(group) < 2:
            continue
        stats = [cal.statistics[k] for k in group.key]
        median = statistics_table(runs, stats).median()
        data = pd.Series(group.fact.to_numpy(), index=group.year.to_numpy())
        sim = pd.Series([median[k] for k in group.key], index=group.year.to_numpy())
        if rel != -1:  # a ratio: its base year is 1 in the data and in every run
            data[int(rel)] = sim[int(rel)] = 1.0
        data, sim = data.sort_index(), sim.sort_index()
        steps = [(y0, y1) for y0, y1 in zip(data.index[:-1], data.index[1:])]
        g_data = np.array([(data[y1] / data[y0]) ** (1 / (y1 - y0)) - 1 for y0, y1 in steps])
        g_sim = np.array([(sim[y1] / sim[y0]) ** (1 / (y1 - y0)) - 1 for y0, y1 in steps])
        err = ((sim - data) / data.abs()).loc[sorted(group.year)]
        worst = int(err.abs().idxmax())
        correlation = float(np.corrcoef(g_data, g_sim)[0, 1]) if len(steps) >= 3 else float("nan")
        rows.append(
            {
                "indicator": ind,
                "relative_to": None if rel == -1 else int(rel),
                "years": f"{data.index[0]}-{data.index[-1]} ({len(data)})",
                "data growth": ", ".join(f"{g:+.0%}" for g in g_data),
                "median growth": ", ".join(f"{g:+.0%}" for g in g_sim),
                "correlation": correlation,
                "errors": {int(y): float(e) for y, e in err.items()},
                "worst year": worst,
                "worst error": float(err[worst]),
                "shape_met": bool(not correlation <= 0 and err.abs().max() <= SHAPE_ERROR),
            }
        )
    return pd.DataFrame(rows)
