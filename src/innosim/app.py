"""The interactive app: Mesa's SolaraViz over the innosim model (``innosim app``).

A sidebar of sliders sets every lever's annual budget (亿元/yr, from 2021) and the
seed; *Reset* builds a model with them, *Step* advances a quarter, ▶ plays, and *Run
to 2025* runs the rest of the plan period at once. The main view shows, live:

- the indicators 2016-2025 against the 13th-plan facts and the 2025 targets
  (:func:`innosim.charts.fan_chart`, the same function the reports use);
- a table of the latest values against the targets;
- the firm population by sector and zone (:func:`innosim.charts.population_chart`).

The model is the base scenario (``innosim app SCENARIO``, default the embedded
baseline) with the slider budgets set by dotted path, exactly as ``--set`` would, and
the behavioural parameters of the calibration posterior's mean (``--parameters``), so
a slider position gives the run ``innosim run SCENARIO --set policy.<lever>.budget=...
--parameters mean --replicates 1 --seed SEED`` gives. The app is configured through
environment variables that ``innosim app`` sets: ``INNOSIM_APP_SCENARIO``,
``INNOSIM_APP_SCALE``, ``INNOSIM_APP_PARAMETERS`` and ``INNOSIM_APP_LANG``.

Needs the ``app`` extra (``pip install "innosim[app]"``): Solara pinned together with
``solara-assets`` of the same version, so every asset is served locally and the app
works offline.
"""

from __future__ import annotations

import functools
import inspect
import io
import math
import os
from typing import Any

import pandas as pd
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from innosim import charts
from innosim import labels as lb
from innosim.figures import DPI, font_subset, plt
from innosim.indicators import INDICATORS, format_value
from innosim.levers import LEVERS
from innosim.model import InnovationModel
from innosim.posterior import parameter_choice
from innosim.scenario import Scenario, load_scenario
from innosim.simulation import replicate_seeds

ENV_SCENARIO = "INNOSIM_APP_SCENARIO"
ENV_SCALE = "INNOSIM_APP_SCALE"
ENV_PARAMETERS = "INNOSIM_APP_PARAMETERS"
ENV_LANG = "INNOSIM_APP_LANG"
SLIDER_STEP = 0.05
"""Budget slider step (亿元/yr)."""


@functools.cache
def settings() -> tuple[Scenario, Any, str]:
    """The base scenario, the parameter choice and the language, from the environment."""
    path = os.environ.get(ENV_SCENARIO) or None
    base = load_scenario(path)
    scale = os.environ.get(ENV_SCALE)
    if scale:
        base = base.with_overrides({"scale": float(scale)}, source=ENV_SCALE)
    lang = os.environ.get(ENV_LANG, "zh")
    lb.check_lang(lang)
    return base, parameter_choice(os.environ.get(ENV_PARAMETERS, "mean")), lang


def slider_max(budget: float) -> float:
    """Upper end of a budget slider: four times the base budget, at least 2 亿元/yr, in half-亿 steps."""
    return max(2.0, math.ceil(8 * budget) / 2)


def build(base: Scenario, choice, budgets: dict[str, float], seed: int) -> tuple[Scenario, int]:
    """The scenario and model seed of a slider position: those of replicate 0 of
    ``simulate(scenario, seed=seed, replicates=1, parameters=choice)``."""
    scenario = base.with_overrides({f"policy.{lid}.budget": float(v) for lid, v in budgets.items()}, source="app")
    rng = replicate_seeds(seed, 1)[0]
    return choice.for_replicate(scenario, rng)[0], rng


class LeverModel(InnovationModel):
    """The model the app steps: the base scenario with lever budgets set by keyword.

    ``LeverModel(rd_subsidy=2.0, talent_card=1.2, rng=3)``; a budget not given keeps
    the base scenario's. Its signature lists one keyword per lever, which is how
    SolaraViz maps sliders to arguments.
    """

    def __init__(self, rng: int = 0, **budgets: float) -> None:
        base, choice, _ = settings()
        budgets = {lid: v for lid, v in budgets.items() if v is not None}
        unknown = set(budgets) - set(LEVERS)
        if unknown:
            raise TypeError(f"unknown lever(s): {', '.join(sorted(unknown))}")
        scenario, seed = build(base, choice, budgets, int(rng))
        super().__init__(scenario, rng=seed)


LeverModel.__init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("rng", inspect.Parameter.KEYWORD_ONLY, default=0),
    ]
    + [inspect.Parameter(lid, inspect.Parameter.KEYWORD_ONLY, default=None) for lid in LEVERS]
)


def model_params(base: Scenario, lang: str) -> dict[str, Any]:
    """SolaraViz's model parameters: a slider per lever budget, and the seed."""
    params: dict[str, Any] = {}
    for lid in LEVERS:
        budget = getattr(base.policy, lid).budget
        params[lid] = {
            "type": "SliderFloat",
            "value": budget,
            "min": 0.0,
            "max": slider_max(budget),
            "step": SLIDER_STEP,
            "label": f"{lb.lever(lid, lang)} ({lb.text('app_budget', lang)})",
        }
    params["rng"] = {
        "type": "SliderInt",
        "value": 0,
        "min": 0,
        "max": 99,
        "step": 1,
        "label": lb.text("app_seed", lang),
    }
    return params


def records_table(model: InnovationModel) -> pd.DataFrame:
    """The model's yearly records as the long table the figures take (one replicate)."""
    rows = [
        (model.innosim_scenario.name, 0, year, iid, value)
        for year, values in model.records.items()
        for iid, value in values.items()
    ]
    return pd.DataFrame(rows, columns=["scenario", "replicate", "year", "indicator", "value"])


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


@solara.component
def Indicators(model: InnovationModel) -> None:
    """Live fan chart (one trajectory) of the plan's indicators against facts and targets."""
    update_counter.get()
    _, _, lang = settings()
    years = len(model.records)
    png = solara.use_memo(
        lambda: (
            _png(charts.fan_chart(records_table(model), lang, title=lb.text("trajectory_title", lang)))
            if years
            else None
        ),
        dependencies=[id(model), years],
    )
    with solara.Column(classes=["innosim-indicators"]):
        with solara.Row():
            solara.Button(
                lb.text("app_run", lang),
                color="primary",
                classes=["innosim-run"],
                on_click=lambda: (model.run(), force_update()),
                disabled=model.finished,
            )
            solara.Text(f"{lb.text('app_scenario', lang)}: {model.innosim_scenario.name} · {model.year}")
        policy = model.innosim_scenario.policy
        solara.Text(
            f"{lb.text('app_budgets', lang)}: "
            + " · ".join(f"{lb.lever(lid, lang)} {getattr(policy, lid).budget:g}" for lid in LEVERS),
            classes=["innosim-budgets"],
        )
        if png is None:
            solara.Text(lb.text("app_empty", lang))
        else:
            solara.Image(png, classes=["innosim-fan"])


@solara.component
def Latest(model: InnovationModel) -> None:
    """The latest year's plan indicators against the 2025 targets, as a table."""
    update_counter.get()
    _, _, lang = settings()
    if not model.records:
        return solara.Text(lb.text("app_empty", lang))
    year = max(model.records)
    head = (lb.text("indicator", lang), lb.text("app_latest", lang, year=year), lb.text("target2025", lang))
    lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|"]
    for iid in charts.plan_indicators():
        ind = INDICATORS[iid]
        value = model.records[year][iid]
        lines.append(
            f"| {lb.indicator(iid, lang)} | {format_value(value, ind.unit)} | {format_value(ind.target(), ind.unit)} |"
        )
    with solara.Column(classes=["innosim-latest"]):
        solara.Markdown("\n".join(lines), style={"font-size": "0.85rem"})


@solara.component
def Population(model: InnovationModel) -> None:
    """Live firms by sector and zone."""
    update_counter.get()
    _, _, lang = settings()
    png = solara.use_memo(lambda: _png(charts.population_chart(model, lang)), dependencies=[id(model), model.steps])
    solara.Image(png, classes=["innosim-population"])


@functools.cache
def _font_css(lang: str) -> str:
    """An @font-face rule with the bundled CJK font, cut to the app's own words, so Chinese
    labels render on a machine without a CJK font; Latin text keeps Solara's font."""
    base, _, _ = settings()
    words = [text for pair in lb.TEXT.values() for text in pair]
    words += [lb.lever(lid, lang) for lid in LEVERS] + [lb.indicator(iid, lang) for iid in INDICATORS]
    words += [base.name, base.description]
    font = font_subset("".join(words))
    return (
        f'@font-face {{ font-family: "innosim-cjk"; src: url(data:font/woff;base64,{font}) format("woff"); }}\n'
        ".v-application, .v-application .v-label, .v-application .v-btn { "
        'font-family: Roboto, "innosim-cjk", sans-serif !important; }\n' + _STACK
    )


_STACK = """
.vue-grid-layout { height: auto !important; }
.vue-grid-item { position: relative !important; transform: none !important; width: 100% !important;
                 height: auto !important; margin-bottom: 1rem; }
.vue-grid-item > .vue-resizable-handle { display: none; }
.innosim-indicators img, .innosim-population img { max-width: 100%; height: auto; }
"""
"""Mesa lays components out on a draggable grid of fixed-size cells; the app's views are
larger than a cell, so they are stacked at full width instead."""


@solara.component
def Page() -> None:
    """The app: SolaraViz with the innosim model, its lever sliders and the three views."""
    base, _, lang = settings()
    model = solara.use_memo(lambda: LeverModel(rng=0), dependencies=[])
    solara.Style(_font_css(lang))
    SolaraViz(
        model,
        components=[(Indicators, 0), (Latest, 0), (Population, 0)],
        model_params=model_params(base, lang),
        name=lb.text("app_title", lang),
        play_interval=50,
        render_interval=4,
    )


__all__ = ["LeverModel", "Page", "build", "model_params", "records_table", "slider_max"]
