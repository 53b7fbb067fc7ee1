"""The timeline of the model and of the plans, declared once.

One step is a quarter. The state is synthesised at the end of :data:`START_YEAR` (the
end of the 12th Five-Year Plan); 2016-2020 is the 13th plan (十三五), the calibration
window, which every scenario runs under the 13th-plan policy; the 14th plan (十四五)
runs 2021-2025, when a scenario's levers act, and its targets are for 2025.
"""

from __future__ import annotations

START_YEAR = 2015
"""The state is initialised at the end of this year; the first step is 2016Q1."""
FIRST_YEAR = START_YEAR + 1
"""The first simulated year."""
PLAN_13 = (2016, 2020)
"""The 13th Five-Year Plan (十三五): the calibration window, under the 13th-plan policy."""
PLAN_14 = (2021, 2025)
"""The 14th Five-Year Plan (十四五): the projection, under the scenario's levers."""
PLAN_START = PLAN_14[0]
"""First year in which a scenario's levers act; 2016-2020 runs the 13th-plan policy."""
TARGET_YEAR = PLAN_14[1]
"""The year of the 14th-plan targets."""
LAST_YEAR = 2035
"""The latest year a scenario may run to."""
QUARTERS = 4
"""Steps per year."""


def steps_to(year: int) -> int:
    """Steps from the initial state to the end of ``year``."""
    return (year - START_YEAR) * QUARTERS
