"""Calibration configuration: which facts to fit, which parameters are free, how.

A calibration file is TOML, validated by pydantic (:mod:`innosim.calibration.schema`) and
then checked here against the facts file, the indicator registry and the scenario schema,
so that every mistake (an unknown fact id, a prior with lower > upper, a missing data file)
is refused with the file and field named **before any simulation runs**. See ``calibration/baiyun.toml`` and
``docs/calibration.md``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pandas as pd

from innosim.calibration.schema import CalibrationConfig, FreeParameter, Moment
from innosim.errors import InputError, did_you_mean
from innosim.facts import FactBook, default_facts, load_facts
from innosim.fields import numeric_fields, prior, prior_source
from innosim.files import load_toml
from innosim.indicators import INDICATORS
from innosim.posterior import field_bounds
from innosim.scenario import Scenario, load_scenario
from innosim.timeline import FIRST_YEAR, TARGET_YEAR
from innosim.version import __version__

CALIBRATION_FILE = "calibration file"
"""What a calibration config is called in messages."""
LAST_YEAR = TARGET_YEAR
"""Last year a calibration statistic may name (the forecast's held-out years end before it)."""


@dataclass(frozen=True)
class Statistic:
    """A simulated statistic: ``indicator`` in ``year``, or its ratio to ``relative_to``.

    ``key`` names it in the observed values, pyabc's summary statistics and the report
    (``hte_count@2018``, ``hte_count@2018/2020``).
    """

    indicator: str
    year: int
    relative_to: int | None = None
    fact: str = ""
    """The fact id it is compared with (default: the indicator)."""

    @property
    def key(self) -> str:
        return f"{self.indicator}@{self.year}" + (f"/{self.relative_to}" if self.relative_to is not None else "")

    @property
    def last_year(self) -> int:
        return max(self.year, self.relative_to or self.year)

    def of(self, records: dict[int, dict[str, float]]) -> float:
        """The statistic in one run's records (``{year: {indicator: value}}``); NaN for a ratio to zero."""
        value = records[self.year][self.indicator]
        if self.relative_to is None:
            return float(value)
        base = records[self.relative_to][self.indicator]
        return float(value / base) if base else float("nan")


def statistics_table(table: pd.DataFrame, stats: list[Statistic]) -> pd.DataFrame:
    """The statistics of every run of a :func:`~innosim.simulation.simulate` table of one
    scenario: one row per replicate, one column per statistic key."""
    wide = table.set_index(["replicate", "year", "indicator"])["value"].unstack(["year", "indicator"])
    columns = {}
    for s in stats:
        value = wide[(s.year, s.indicator)]
        if s.relative_to is not None:
            base = wide[(s.relative_to, s.indicator)]
            value = (value / base).where(base != 0)
        columns[s.key] = value
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class Calibration:
    """A checked calibration: the config plus everything it refers to, resolved."""

    config: CalibrationConfig
    path: Path
    facts: FactBook
    scenario: Scenario
    statistics: dict[str, Statistic]
    """Every target's and held-out fact's statistic, by key (:attr:`Statistic.key`)."""
    observed: dict[str, float]
    """Target statistic -> observed value (the synthetic value for a recovery run, filled later)."""
    heldout: dict[str, float]
    """Held-out statistic -> observed value: the fitted years' and the forecast's."""
    forecast_scenario: Scenario | None = None
    """The ``[forecast]`` scenario, resolved (None without a ``[forecast]`` table)."""
    proxy_errors: dict[str, float] = dataclasses.field(default_factory=dict)
    """Held-out statistic -> the error with which its fact stands for it (:class:`Holdout`'s ``proxy_error``)."""

    @property
    def out(self) -> Path:
        return (self.path.parent / self.config.out).resolve()

    @property
    def free_paths(self) -> list[str]:
        return [f.path for f in self.config.free]

    @property
    def tolerances(self) -> dict[str, float]:
        """Target statistic key -> relative tolerance."""
        return {k: t.tolerance for k, t in zip(self.observed, self.config.target, strict=True)}

    @property
    def distance_weights(self) -> dict[str, float]:
        """Target statistic -> ``1 / (tolerance * |fact|)``: a target's error in the distance is
        ``|sim - fact|`` times its weight (1 = at its tolerance)."""
        return {k: 1.0 / (abs(v) * self.tolerances[k]) for k, v in self.observed.items()}

    @property
    def targets(self) -> list[Statistic]:
        return [self.statistics[k] for k in self.observed]

    @property
    def fitted_years(self) -> list[int]:
        """The years the targets come from, in order."""
        return sorted({s.year for s in self.targets} | {s.relative_to for s in self.targets if s.relative_to})

    def held_in_fit_period(self) -> dict[str, float]:
        """Held-out facts of the fitted years (checked by the posterior-predictive check)."""
        return {k: v for k, v in self.heldout.items() if self.statistics[k].last_year <= self.config.year}

    def held_for_forecast(self) -> dict[str, float]:
        """Held-out facts after the fitted years (checked by the forecast)."""
        return {k: v for k, v in self.heldout.items() if self.statistics[k].last_year > self.config.year}

    @property
    def hash(self) -> str:
        """SHA-256 (16 hex) of what determines the posterior.

        The base scenario, year, scale, seed, the method's population, epsilon schedule
        and norm, the targets with their tolerances and observed values, the priors, and the
        innosim version (a calibration is never continued by another version of the model).
        Not the stopping rules (a stored calibration may be resumed with a larger budget
        or a smaller final epsilon: the generations already run stay valid), the text
        (names, notes, sources), the held-out facts and the forecast, the worker count, the
        result directory or the report.
        """
        cfg = self.config.model_dump(mode="json", include={"year", "scale", "seed", "synthetic"})
        cfg["method"] = self.config.method.model_dump(
            include={"name", "population", "epsilon_quantile", "norm", "kernel_scale"}
        )
        cfg["target"] = [(k, self.statistics[k].fact, tol) for k, tol in self.tolerances.items()]
        cfg["free"] = [(f.path, f.lower, f.upper, f.distribution) for f in self.config.free]
        doc = {"config": cfg, "observed": self.observed, "scenario": self.scenario.hash, "version": __version__}
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]

    def with_observed(self, observed: dict[str, float], heldout: dict[str, float]) -> Calibration:
        return replace(self, observed=observed, heldout=heldout)


def _statistic(
    facts: FactBook, src: Path, field: str, m: Moment, year: int, synthetic: bool
) -> tuple[Statistic, float]:
    """A moment's statistic and its observed value (NaN for a recovery run: simulated later)."""
    indicator = m.indicator or m.fact
    if indicator not in INDICATORS:
        what = "indicator" if m.indicator else "fact"
        raise InputError(
            src,
            f"{field}.{what}",
            f"unknown {what} id {indicator!r}: no indicator computes it{did_you_mean(indicator, INDICATORS)}",
        )
    stat = Statistic(indicator, year, m.relative_to, m.fact)
    for y in (year, m.relative_to):
        if y is not None and not FIRST_YEAR <= y <= LAST_YEAR:
            raise InputError(src, f"{field}.year", f"{y} is outside the simulated years {FIRST_YEAR}-{LAST_YEAR}")
    if synthetic:
        return stat, float("nan")
    values = []
    for y in (year, m.relative_to):
        if y is None:
            continue
        fact = facts.find(m.fact, y)
        if fact is None:
            ids = {f.id for f in facts.fact if f.year == y}
            raise InputError(
                src, f"{field}.fact", f"no fact {m.fact!r} for {y} in the data file{did_you_mean(m.fact, ids)}"
            )
        if fact.kind == "target":
            raise InputError(src, f"{field}.fact", f"{m.fact!r} in {y} is a plan target, not an observation")
        if m.relative_to is not None and not fact.value:
            raise InputError(src, f"{field}.relative_to", f"{m.fact!r} is 0 in {y}: no ratio can be taken")
        values.append(fact.value)
    return stat, values[0] / values[1] if len(values) == 2 else values[0]


def check(config: CalibrationConfig, path: Path) -> Calibration:
    """Resolve and check a parsed config against the facts, indicators and scenario schema.

    Raises:
        InputError: naming ``path`` and the offending field.
    """
    base = path.parent
    for field in ("data", "scenario"):
        ref = getattr(config, field)
        if ref not in (None, "default") and not (base / ref).is_file():
            raise InputError(path, field, f"file {ref} not found (looked in {(base / ref).parent})")
    if config.forecast is not None and not (base / config.forecast.scenario).is_file():
        raise InputError(path, "forecast.scenario", f"file {config.forecast.scenario} not found")
    facts = load_facts(base / config.data) if config.data else default_facts()
    scenario = _at_scale(
        load_scenario(None if config.scenario == "default" else base / config.scenario), config.scale, path
    )
    synthetic = config.synthetic is not None or config.coverage is not None
    statistics: dict[str, Statistic] = {}
    observed: dict[str, float] = {}
    for i, t in enumerate(config.target):
        stat, value = _statistic(facts, path, f"target.{i}", t, t.year or config.year, synthetic)
        if stat.key in statistics:
            raise InputError(path, f"target.{i}.fact", f"{stat.key!r} is a target twice")
        if stat.last_year > config.year:
            raise InputError(
                path,
                f"target.{i}.year",
                f"{stat.last_year} is after the fitted years (to {config.year}): a later fact can only be held out",
            )
        statistics[stat.key], observed[stat.key] = stat, value
    heldout: dict[str, float] = {}
    proxy_errors: dict[str, float] = {}
    later = [(f"forecast.holdout.{i}", h) for i, h in enumerate(config.forecast.holdout if config.forecast else [])]
    for where, h in [(f"holdout.{i}", h) for i, h in enumerate(config.holdout)] + later:
        stat, value = _statistic(facts, path, where, h, h.year or config.year, synthetic)
        if stat.key in observed:
            raise InputError(
                path, f"{where}.fact", f"{stat.key!r} is also a target; a held-out fact must not be fitted"
            )
        if stat.key in heldout:
            raise InputError(path, f"{where}.fact", f"{stat.key!r} is held out twice")
        if stat.last_year > config.year and config.forecast is None:
            raise InputError(
                path, f"{where}.year", f"{stat.last_year} is after the fitted years: add a [forecast] scenario"
            )
        if where.startswith("forecast") and stat.last_year <= config.year:
            raise InputError(
                path, f"{where}.year", f"{stat.last_year} is a fitted year: the forecast holds out later years only"
            )
        statistics[stat.key], heldout[stat.key], proxy_errors[stat.key] = stat, value, h.proxy_error
    forecast = None
    if config.forecast is not None:
        fc = config.forecast
        forecast = _at_scale(load_scenario(base / fc.scenario), config.scale, path)
        last = max((statistics[k].last_year for k in heldout), default=config.year)
        if forecast.end_year < last:
            raise InputError(
                path, "forecast.scenario", f"{fc.scenario} ends in {forecast.end_year}, before the held-out {last}"
            )
    config = config.model_copy(update={"free": _free_parameters(config, path)})
    _check_synthetic(config, path)
    for field in ("recovery", "coverage_study"):
        ref = getattr(config, field)
        if ref == "":  # a config that sets none over its base's
            config = config.model_copy(update={field: None})
        elif ref is not None and not synthetic and not (base / ref).exists():
            raise InputError(path, field, f"file {ref} not found next to the config")
    return Calibration(config, path, facts, scenario, statistics, observed, heldout, forecast, proxy_errors)


def _at_scale(scenario: Scenario, scale: float, path: Path) -> Scenario:
    return scenario.with_overrides({"scale": scale}, source=str(path)) if scale != scenario.scale else scenario


def _free_parameters(config: CalibrationConfig, path: Path) -> list[FreeParameter]:
    """The free parameters with their priors resolved, each checked."""
    fields = numeric_fields(Scenario)
    seen: set[str] = set()
    free = []
    for i, f in enumerate(config.free):
        where = f"free.{i}.path"
        if f.path not in fields or not f.path.startswith("parameters."):
            params = [p for p in fields if p.startswith("parameters.")]
            raise InputError(path, where, f"{f.path!r} is not a behavioural parameter{did_you_mean(f.path, params)}")
        if fields[f.path].annotation is not float:
            raise InputError(
                path, where, f"{f.path!r} is an integer parameter; only real-valued ones can be calibrated"
            )
        if f.path in seen:
            raise InputError(path, where, f"{f.path!r} is free twice")
        seen.add(f.path)
        declared = prior(fields[f.path])
        if declared is None and f.lower is None:
            raise InputError(path, f"free.{i}", f"{f.path} declares no prior; give lower and upper")
        f = f.resolved(declared or (0.0, 0.0), prior_source(fields[f.path]))
        free.append(f)
        lo, hi = field_bounds(f.path)
        p_lo, p_hi = f.bounds
        if p_lo < lo or p_hi > hi:
            raise InputError(
                path, f"free.{i}", f"prior [{p_lo}, {p_hi}] leaves the valid range [{lo}, {hi}] of {f.path}"
            )
    return free


def _check_synthetic(config: CalibrationConfig, path: Path) -> None:
    if config.synthetic is not None and config.coverage is not None:
        raise InputError(path, "coverage", "a coverage study draws its truths: drop [synthetic]")
    if config.synthetic is None:
        return
    truth = config.synthetic.truth
    paths = {f.path for f in config.free}
    for p in truth:
        if p not in paths:
            raise InputError(path, f"synthetic.truth.{p}", "not one of the free parameters")
    for f in config.free:
        if f.path not in truth:
            raise InputError(path, "synthetic.truth", f"needs a true value for {f.path}")
        if not f.bounds[0] <= truth[f.path] <= f.bounds[1]:
            raise InputError(path, f"synthetic.truth.{f.path}", f"true value {truth[f.path]} outside the prior")


def load_calibration(path: str | Path | None = None) -> Calibration:
    """Read, validate and check a calibration file (default: the packaged Baiyun calibration).

    Raises:
        InputError: malformed TOML, a schema error, or a reference that does not resolve.
    """
    if path is None:
        ref = resources.files("innosim") / "data" / "calibration" / "baiyun.toml"
        with resources.as_file(ref) as real:
            path = Path(real).resolve()
    path = Path(path)
    return check(load_toml(path, CalibrationConfig, CALIBRATION_FILE), path)
