"""innosim used the way Mesa's own examples are: build a model, step it, read its DataCollector,
sweep it with ``mesa.batch_run``, and plot.

    python examples/mesa_user/run.py [--scale 0.1] [--out figure.png]

``--out -`` prints the tables only. See Readme.md beside this file.
"""

from __future__ import annotations

import argparse

import mesa
import pandas as pd

import innosim
from innosim.model.agents import IncubationCarrier


def main() -> None:
    """Step a model, read its data, batch-run a lever, draw the R&D path."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="share of firms simulated (1 = full size)")
    parser.add_argument("--out", default="innosim_mesa.png", help="figure file, or - for none")
    args = parser.parse_args()

    # 1. Build and step a model, as with any Mesa model: one step is a quarter.
    model = innosim.InnovationModel(rng=42, scale=args.scale, talent_card_budget=0.9)
    for _ in range(8):  # 2016 and 2017
        model.step()
    print(f"after {model.steps} steps ({model.year}): {int(model.firms.alive.sum())} firms simulated")

    # 2. Firms and people are arrays; read them as tables (columns and units: Firms.describe()).
    firms = model.firms.to_frame()
    print(firms.groupby("hte")[["revenue", "rd", "staff"]].mean().round(1))

    # 3. Run to the end (2025) and read the DataCollector: a row per year end, a column per indicator.
    model.run()
    yearly = model.datacollector.get_model_vars_dataframe().set_index("year")
    print(yearly[["hte_count", "rd_expenditure", "incubation_carriers"]].round(2))
    carriers = model.datacollector.get_agenttype_vars_dataframe(IncubationCarrier)
    print(carriers.groupby("Step")["kind"].value_counts().unstack(fill_value=0).tail(3))

    # 4. Sweep a lever with Mesa's batch_run: every scenario field is a keyword.
    results = mesa.batch_run(
        innosim.InnovationModel,
        parameters={"talent_card_budget": [0.3, 0.9], "scale": args.scale},
        rng=[1, 2],
        max_steps=40,
        number_processes=1,
        display_progress=False,
    )
    runs = pd.DataFrame(results).drop_duplicates("RunId")
    print("batch_run, 2025:")
    print(runs.groupby("talent_card_budget")[["high_level_talent", "spending_talent_card"]].mean().round(2))

    # 5. Plot, as Mesa's examples do with matplotlib (the app, app.py, uses Mesa's SolaraViz).
    if args.out != "-":
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
        ax.plot(yearly.index, yearly["rd_expenditure"], marker="o")
        ax.set(xlabel="year", ylabel="R&D expenditure (100 million yuan)", title="innosim: one run, talent card 0.9")
        fig.savefig(args.out, dpi=120)
        print(f"figure written to {args.out}")


if __name__ == "__main__":
    main()
