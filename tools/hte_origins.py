"""Where each year's new HTE come from, at the shipped posterior's mean (docs/calibration.md).

Runs the baseline at full size with every parameter at the posterior mean, seeds 1..N, and
counts the firms certified for the first time in each year 2016-2020 by origin: firms that
started bunching in 2015 (the first year of Guangzhou's rewards, ``synthesis._first_year``),
firms that met every criterion of the 2016 round without a certificate and did not bunch
(the backlog the synthesis leaves), entrants after 2015, and the other firms, which grew into
the criteria. Prints the mean over the seeds, with the live stock at each year end and the
certificates lost in the year: lapsed (a live firm whose certificate expired unrenewed) or with
their firm (its exit). ``--realised`` runs ``scenarios/realised.toml`` instead, to 2024: the stock
and flows of the forecast years.

``--grid`` instead runs 6 seeds (100-105) at each pair of ``bunching_rate`` (0.41, 0.2, 0.1) and
``hte_apply_rate`` (0.574, 0.3), the other parameters at the posterior mean, and prints the HTE
stock of 2016-2020 and the 2016 / 2019 ratio.

    .venv/bin/python tools/hte_origins.py [N] [--realised]
    .venv/bin/python tools/hte_origins.py --grid
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ORIGINS = ("bunched in 2015", "eligible in 2015", "grew into it", "entrant")
LOSSES = ("lapsed", "with their firm")
ROOT = Path(__file__).resolve().parents[1]


def main(n: int, realised: bool = False) -> pd.DataFrame:
    from innosim.model import certification
    from innosim.model.model import InnovationModel
    from innosim.posterior import apply_parameters, shipped_posterior
    from innosim.scenario import default_scenario, load_scenario
    from innosim.timeline import PLAN_13

    base = load_scenario(ROOT / "scenarios" / "realised.toml") if realised else default_scenario()
    last = base.end_year if realised else PLAN_13[1]
    scenario = apply_parameters(base, shipped_posterior().mean())
    rows = []
    for seed in range(1, n + 1):
        m = InnovationModel(scenario, rng=seed)
        fi = m.firms
        first_entrant = int(m.next_uid)
        uid, hte = fi.uid[: fi.n], fi.hte[: fi.n]
        bunched = set(uid[fi.bunching[: fi.n]].tolist())
        eligible = certification.hte_eligible(m, PLAN_13[0], m.employees())[: fi.n]
        backlog = set(uid[eligible & ~hte].tolist()) - bunched
        ever = set(uid[hte].tolist())
        held = ever.copy()
        for year in range(PLAN_13[0], last + 1):
            m.run(year)
            fi = m.firms
            live = fi.hte[: fi.n] & fi.alive[: fi.n]
            now = set(fi.uid[: fi.n][live].tolist())
            alive = set(fi.uid[: fi.n][fi.alive[: fi.n]].tolist())
            new = now - ever
            ever |= now
            counts = {
                "bunched in 2015": len(new & bunched),
                "eligible in 2015": len(new & backlog),
                "entrant": sum(u >= first_entrant for u in new),
            }
            counts["grew into it"] = len(new) - sum(counts.values())
            lost = held - now
            losses = {"lapsed": len(lost & alive), "with their firm": len(lost - alive)}
            rows.append({"seed": seed, "year": year, "stock": len(now), **counts, **losses})
            held = now
    table = pd.DataFrame(rows)
    mean = table.groupby("year")[["stock", *ORIGINS, *LOSSES]].mean().round(0)
    print(f"new HTE by origin and certificates lost, mean of {n} runs at the posterior mean (full size, {base.name})")
    print(mean.to_string())
    return table


def grid() -> pd.DataFrame:
    from innosim.model.model import InnovationModel
    from innosim.posterior import apply_parameters, shipped_posterior
    from innosim.scenario import default_scenario

    mean = shipped_posterior().mean()
    rows = []
    for bunching in (0.41, 0.2, 0.1):
        for apply in (0.574, 0.3):
            values = {**mean, "parameters.bunching_rate": bunching, "parameters.hte_apply_rate": apply}
            scenario = apply_parameters(default_scenario(), values)
            for seed in range(100, 106):
                records = InnovationModel(scenario, rng=seed).run(2020).records
                stock = {year: records[year]["hte_count"] for year in range(2016, 2021)}
                rows.append({"bunching_rate": bunching, "hte_apply_rate": apply, **stock})
    table = pd.DataFrame(rows).groupby(["bunching_rate", "hte_apply_rate"], sort=False).mean().round(0)
    table["2016 / 2019"] = (table[2016] / table[2019]).round(2)
    print(table.to_string())
    return table


if __name__ == "__main__":
    if "--grid" in sys.argv:
        grid()
    else:
        numbers = [a for a in sys.argv[1:] if a.isdigit()]
        main(int(numbers[0]) if numbers else 3, realised="--realised" in sys.argv)
