"""The calibration file's schema: targets, held-out facts, free parameters, method, checks.

pydantic models of what a calibration TOML may hold (``calibration/baiyun.toml``); they
check each field on its own. :mod:`innosim.calibration.config` checks the file against the
facts, the indicators and the scenario schema, and resolves it into a
:class:`~innosim.calibration.config.Calibration`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from innosim.timeline import FIRST_YEAR, PLAN_13


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Moment(_Strict):
    """A fact and the simulated statistic it is compared with."""

    fact: str = Field(description="fact id in the data file; also the indicator id unless `indicator` is given")
    year: int | None = Field(None, description="year of the fact (default: the config's year)")
    indicator: str | None = Field(
        None,
        description="the simulated indicator compared with the fact (default: the fact's id); a city-level "
        "fact informs the district's indicator through `relative_to` (a shape, not a level)",
    )
    relative_to: int | None = Field(
        None,
        description="compare the ratio of the values in `year` and in this year (a growth or a shape), "
        "not the level: the fact's ratio against the indicator's",
    )
    note: str = ""

    @model_validator(mode="after")
    def _years(self) -> Moment:
        if self.relative_to is not None and self.relative_to == self.year:
            raise ValueError(f"relative_to {self.relative_to} is the fact's own year")
        if self.indicator not in (None, self.fact) and self.relative_to is None:
            raise ValueError(
                f"fact {self.fact!r} informs indicator {self.indicator!r} only as a ratio: give relative_to"
            )
        return self


class Target(Moment):
    """A fact the simulated statistic must match: ``|sim - fact| <= tolerance * |fact|`` at epsilon 1."""

    tolerance: float = Field(0.05, gt=0.0, le=1.0, description="relative tolerance (scale of the distance)")


class Holdout(Moment):
    """A fact kept out of the fit, predicted afterwards: one of the fitted years by the
    posterior-predictive check, a later year by the forecast (``[forecast]``)."""

    proxy_error: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="relative error with which the fact stands for the district's statistic (a city's shape: "
        "the fit's rule for proxies; 0 for the district's own figure): the predictive interval of the observed "
        "value adds it, uniform within plus or minus this share",
    )


class Forecast(_Strict):
    """Held-out years after the fit: the scenario of what happened, run from the posterior, and
    the facts it is scored on (each after the fitted years)."""

    scenario: str = Field(
        description="scenario file (relative to this file): realised exogenous inputs and the policy in force"
    )
    replicates: int = Field(40, ge=2, le=10_000)
    seed: int = 0
    scale: float | None = Field(None, gt=0.0, le=1.0, description="default: the calibration's scale")
    holdout: list[Holdout] = []


class FreeParameter(_Strict):
    """A behavioural parameter fitted by the calibration, with its prior.

    The prior is the range declared with the parameter (:mod:`innosim.parameters`, the one
    place priors are declared); ``lower`` and ``upper`` override it for this calibration only
    (a recovery experiment, a sensitivity check), and the manifest records what was used.
    """

    path: str = Field(description="dotted path, parameters.<name>")
    lower: float | None = Field(None, description="default: the declared prior's lower bound")
    upper: float | None = Field(None, description="default: the declared prior's upper bound")
    distribution: Literal["uniform", "loguniform"] = "uniform"
    source: str | None = Field(None, min_length=1, description="why another prior than the declared one")

    @model_validator(mode="after")
    def _ordered(self) -> FreeParameter:
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both lower and upper, or neither (the declared prior)")
        if self.lower is not None and self.upper is not None and not self.lower < self.upper:
            raise ValueError(f"prior lower bound {self.lower} must be below upper bound {self.upper}")
        if self.distribution == "loguniform" and self.lower is not None and self.lower <= 0:
            raise ValueError("a loguniform prior needs lower > 0")
        return self

    def resolved(self, declared: tuple[float, float], source: str) -> FreeParameter:
        """This parameter with the declared prior filled in where the file gives none."""
        if self.lower is not None:
            return self
        return self.model_copy(update={"lower": declared[0], "upper": declared[1], "source": self.source or source})

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's ``(lower, upper)``, once resolved (:func:`check` resolves every free parameter)."""
        if self.lower is None or self.upper is None:
            raise ValueError(f"the prior of {self.path} is not resolved; load the config with load_calibration")
        return self.lower, self.upper


class Method(_Strict):
    """ABC-SMC settings (pyabc)."""

    name: Literal["abc-smc"] = "abc-smc"
    population: int = Field(300, ge=20, le=100_000, description="particles per generation")
    max_generations: int = Field(12, ge=1, le=1000)
    max_simulations: int = Field(40_000, ge=1, description="stop after the generation that passes this")
    min_epsilon: float = Field(1.0, ge=0.0, description="stop once a generation's epsilon is at or below this")
    min_acceptance_rate: float = Field(0.01, ge=0.0, lt=1.0)
    min_effective_sample_size: float = Field(
        10.0,
        ge=0.0,
        description="stop once a generation's effective sample size (Kish) falls below this; the posterior is "
        "then the last generation at or above it, as fewer effective draws cannot give a 90% interval",
    )
    epsilon_quantile: float = Field(
        0.5, gt=0.0, lt=1.0, description="next epsilon = this weighted quantile of distances"
    )
    kernel_scale: float = Field(
        2.0,
        gt=0.0,
        le=10.0,
        description="perturbation kernel covariance = this times the weighted covariance of "
        "the previous generation (2: Beaumont et al. 2009)",
    )
    norm: Literal["max", "euclidean", "manhattan"] = Field(
        "max", description="how the per-target scaled errors combine: max = every target within tolerance at epsilon 1"
    )


class Synthetic(_Strict):
    """Parameter recovery: fit to facts simulated from known parameter values."""

    truth: dict[str, float] = Field(description="dotted path -> true value, for every free parameter")
    replicates: int = Field(5, ge=1, le=1000, description="synthetic facts are the median over this many replicates")
    seed: int = 7


class Coverage(_Strict):
    """A coverage study of the method (simulation-based calibration, Talts et al. 2018):
    ``truths`` parameter sets drawn from the prior, each calibrated on the facts it simulates,
    and how often each parameter's 90% posterior interval covers its truth."""

    truths: int = Field(50, ge=2, le=10_000, description="parameter sets drawn from the prior")
    seed: int = Field(0, description="seed of the draws and of their synthetic facts")
    replicates: int = Field(3, ge=1, le=1000, description="each truth's facts are the median over this many replicates")


class Check(_Strict):
    """Posterior-predictive check written into the report."""

    replicates: int = Field(40, ge=2, le=10_000)
    seed: int = 0
    scale: float | None = Field(None, gt=0.0, le=1.0, description="default: the calibration's scale")


class CalibrationConfig(_Strict):
    """A calibration file. ``base = "other.toml"`` starts from another file: tables
    merge key by key, lists (targets, held-out facts, free parameters) are replaced."""

    name: str
    description: str = ""
    scenario: str = Field("default", description='scenario file (relative to this file) or "default"')
    data: str | None = Field(None, description="facts file relative to this file; default: the packaged one")
    out: str = Field(".", description="result directory, relative to this file")
    year: int = Field(
        PLAN_13[1], ge=FIRST_YEAR, le=PLAN_13[1], description="last fitted year; the default year of targets"
    )
    scale: float = Field(1.0, gt=0.0, le=1.0)
    seed: int = 0
    workers: int = Field(0, ge=0, description="0 = one per core")
    method: Method = Method()
    check: Check = Check()
    recovery: str | None = Field(
        None, description='a recovery calibration file whose result the report includes ("" for none, over a base)'
    )
    coverage_study: str | None = Field(
        None,
        description='a coverage-study calibration file ([coverage]) whose result the report includes ("" for none)',
    )
    forecast: Forecast | None = None
    target: list[Target] = Field(min_length=1)
    holdout: list[Holdout] = []
    free: list[FreeParameter] = Field(min_length=1)
    synthetic: Synthetic | None = None
    coverage: Coverage | None = None
