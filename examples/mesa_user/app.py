"""innosim in Mesa's SolaraViz with Mesa's own plot component, as Mesa's examples build their apps.

    solara run examples/mesa_user/app.py        # needs: pip install "innosim[app]"

The sliders set keywords of :class:`innosim.InnovationModel` (every scenario field is one); the
plots read the model's DataCollector. innosim's own app (``innosim app``) is the richer version,
with fan charts and tables in Chinese and English.
"""

from __future__ import annotations

from mesa.visualization import SolaraViz, make_plot_component

import innosim

model_params = {
    "rng": {"type": "InputText", "value": 42, "label": "Random seed"},
    "scale": {
        "type": "SliderFloat",
        "value": 0.1,
        "label": "Share of firms simulated",
        "min": 0.02,
        "max": 1.0,
        "step": 0.02,
    },
    "talent_card_budget": {
        "type": "SliderFloat",
        "value": 0.3,
        "label": "Talent card budget (亿元/yr, from 2021)",
        "min": 0.0,
        "max": 2.0,
        "step": 0.1,
    },
    "rd_subsidy_budget": {
        "type": "SliderFloat",
        "value": 1.3,
        "label": "R&D grants budget (亿元/yr, from 2021)",
        "min": 0.0,
        "max": 5.0,
        "step": 0.1,
    },
}

model = innosim.InnovationModel(rng=42, scale=0.1)
page = SolaraViz(
    model,
    components=[
        make_plot_component("hte_count"),
        make_plot_component("rd_expenditure"),
        make_plot_component(["high_level_talent"]),
    ],
    model_params=model_params,
    name="innosim (Mesa style)",
)
