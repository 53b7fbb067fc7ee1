"""Where the replicate noise of the 2016-2020 fit enters: the synthesised 2015 district (docs/calibration.md).

Runs ``N`` syntheses at the shipped posterior's mean (seeds 1000, 1001, ...) to 2020 and prints, for each
quantity of the 2015 state and each 2020 outcome, its coefficient of variation over the syntheses and its
correlation with the 2020 outcomes. ``--fixed-shift`` takes the R&D participation shifts from one reference
synthesis (seed 12345) instead of solving them per synthesis.

    .venv/bin/python tools/synthesis_noise.py [N] [--fixed-shift]
"""

from __future__ import annotations

import sys

import pandas as pd

OUTCOMES = ["hte2016", "hte2020", "hte_rev", "rdint", "contr"]


def main(n: int, fixed_shift: bool) -> pd.DataFrame:
    import innosim.model.model as mm
    import innosim.model.synthesis as syn
    from innosim.calibration.config import load_calibration
    from innosim.model import structure as st
    from innosim.posterior import shipped_posterior

    scn = load_calibration("calibration/baiyun.toml").scenario.with_overrides(shipped_posterior().mean(), "noise")
    if fixed_shift:
        ref = mm.InnovationModel(scn, rng=12345)
        shifts = iter([ref.asi_rd_active_shift, ref.rd_active_shift] * n)
        syn._participation_shift = lambda *_a, **_k: next(shifts)  # noqa: SLF001 - a diagnostic's patch
    rows = []
    for s in range(n):
        m = mm.InnovationModel(scn, rng=1000 + s)
        fi = m.firms
        rev, ind = fi.revenue[: fi.n], fi.industrial[: fi.n]
        big = st.above_scale_industrial(rev, ind)
        row = {
            "asi_shift": m.asi_rd_active_shift,
            "other_shift": m.rd_active_shift,
            "asi_rd_factor": m.group_rd_scale[0],
            "other_rd_factor": m.group_rd_scale[1],
            "rd_performers": int((fi.rd[: fi.n] > 0).sum()),
            "above_scale_industrial": int(big.sum()),
            "bunching_2015": m.first_year_bunching,
        }
        m.run(until=2020)
        r16, r20 = m.records[2016], m.records[2020]
        row.update(
            hte2016=r16["hte_count"],
            hte2020=r20["hte_count"],
            hte_rev=r20["hte_mean_revenue"],
            rdint=r20["rd_intensity"],
            contr=r20["tech_contract_turnover"],
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    summary = pd.DataFrame({"cv": table.std() / table.mean().abs()}).join(table.corr()[OUTCOMES])
    print(summary.round(3).to_string())
    return table


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 40, "--fixed-shift" in sys.argv)
