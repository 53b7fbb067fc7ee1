"""Figures: library functions, Chinese and English labels, the bundled CJK font, PNG and SVG."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection

from innosim import charts, load_scenario
from innosim import labels as lb
from innosim.comparison import compare
from innosim.figures import cjk_font_path, save_all
from innosim.indicators import INDICATORS
from innosim.levers import LEVERS

SCALE = {"scale": 0.02}


@pytest.fixture(scope="module")
def comparison(root):
    scns = [load_scenario(root / "scenarios" / f).with_overrides(SCALE) for f in ("baseline.toml", "plan.toml")]
    return compare(scns, seed=5, replicates=3, workers=1)


def test_every_unit_phrase_and_lever_has_both_languages():
    assert {ind.unit for ind in INDICATORS.values()} <= set(lb.UNITS)
    for key, (zh, en) in lb.TEXT.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
    for lid in LEVERS:
        assert re.search(r"[\u4e00-\u9fff]", lb.lever(lid, "zh")) and lb.lever(lid, "en").isascii()
    assert lb.factor("policy.talent_card.budget", "en") == "Talent card budget"
    assert lb.factor("parameters.user_cost_elasticity", "zh") == "user_cost_elasticity"
    with pytest.raises(ValueError, match="unknown language"):
        lb.text("median", "fr")


def test_font_is_installed_with_the_package_and_covers_chinese_text():
    """The shipped subset: an open licence beside it, every GB 2312 character, every character of the
    labels, and far smaller than the full font."""
    from fontTools.ttLib import TTFont

    path = cjk_font_path()
    assert path.is_file() and 1_000_000 < path.stat().st_size < 5_000_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (path.parent / "OFL.txt").read_text(encoding="utf-8")
    cmap = TTFont(path).getBestCmap()
    gb = {bytes([hi, lo]).decode("gb2312", errors="ignore") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)}
    assert len(gb - {""}) >= 6763 and all(ord(c) in cmap for c in gb if c)
    labels = "".join(zh for zh, _ in lb.TEXT.values()) + "".join(lb.lever(lid, "zh") for lid in LEVERS)
    labels += "".join(ind.name_zh for ind in INDICATORS.values()) + "→±…"
    assert [c for c in labels if ord(c) > 0x7F and ord(c) not in cmap] == []


def _draw_all(comparison, lang: str) -> dict[str, object]:
    ind, year = comparison.indicators, comparison.year
    return {
        "fan": charts.fan_chart(comparison.runs, lang),
        "effects": charts.effect_chart(ind, comparison.reference, year, lang),
        "attainment": charts.attainment_chart(ind, year, lang),
        "spending": charts.spending_chart(comparison.spending, year, lang),
        "cost": charts.cost_chart(comparison.cost_effectiveness, year, lang),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_draws_every_glyph_and_saves_png_and_svg(comparison, tmp_path, lang):
    # matplotlib warns "Glyph ... missing from font(s)" when it draws a missing-glyph box
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = _draw_all(comparison, lang)
        for name, fig in figures.items():
            assert fig is not None, name
            if lang == "zh":  # Chinese titles really are Chinese
                assert re.search(
                    r"[\u4e00-\u9fff]", fig.axes[0].get_title() + (fig._suptitle.get_text() if fig._suptitle else "")
                )
            png, svg = save_all(fig, tmp_path / name)
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
            text = svg.read_text()
            # text is drawn as paths, so the SVG shows the glyphs on a machine without the font
            assert text.startswith("<?xml") and "<text" not in text


def test_fan_chart_marks_facts_and_targets(comparison):
    fig = charts.fan_chart(comparison.runs, "en", indicators=["rd_expenditure", "above_scale_hte_share"])
    rd, share = fig.axes
    target = INDICATORS["rd_expenditure"].target()
    lines = [c for c in rd.collections if isinstance(c, LineCollection)]
    assert any(np.allclose(seg[:, 1], target) for c in lines for seg in c.get_segments())
    fact = INDICATORS["rd_expenditure"].fact(2020)
    assert any(2020 in line.get_xdata() and fact in line.get_ydata() for line in rd.lines)
    # shares are drawn in percent, with the target at 60%
    assert any(
        np.allclose(seg[:, 1], 100 * INDICATORS["above_scale_hte_share"].target())
        for c in share.collections
        if isinstance(c, LineCollection)
        for seg in c.get_segments()
    )
    # two scenarios overlaid: a median line each
    medians = [line for line in rd.lines if line.get_linestyle() == "-" and len(line.get_xdata()) == 10]
    assert len({line.get_color() for line in medians}) == 2


def test_attainment_matches_the_comparison(comparison):
    ours = charts.attainment(comparison.runs, comparison.year).set_index(["scenario", "indicator"])["p_target"]
    theirs = comparison.indicators.dropna(subset=["p_target"]).set_index(["scenario", "indicator"])["p_target"]
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False)


def test_cost_chart_is_none_without_extra_spending(comparison):
    none = comparison.cost_effectiveness.assign(per_yi_median=np.nan)
    assert charts.cost_chart(none, comparison.year) is None


def test_population_chart_counts_live_firms(root):
    from innosim import InnovationModel

    model = InnovationModel(load_scenario().with_overrides(SCALE), rng=1)
    model.run(2017)
    fig = charts.population_chart(model, "zh")
    ax = fig.axes[0]
    drawn = sum(bar.get_width() for bar in ax.patches)
    assert drawn == pytest.approx(model.firms.alive.sum() / model.scale)


def test_sensitivity_figures_in_both_languages(tmp_path):
    from innosim.sensitivity.plots import Described, bars_chart, over_time_chart

    rows = [
        ("hte_count", year, "sobol", factor, index, value, 0.05)
        for year in (2024, 2025)
        for factor, value in (("policy.talent_card.budget", 0.6), ("parameters.user_cost_elasticity", 0.3))
        for index in ("S1", "ST")
    ]
    indices = pd.DataFrame(rows, columns=["indicator", "year", "method", "parameter", "index", "value", "conf"])
    about = Described("sobol", "demo", 64, 1, 0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("zh", "en"):
            bars = bars_chart(indices, about, lang)
            labels = [t.get_text() for t in bars.axes[0].get_yticklabels()]
            assert labels[0] == lb.factor("policy.talent_card.budget", lang)
            save_all(bars, tmp_path / f"bars_{lang}")
            save_all(over_time_chart(indices, about, lang), tmp_path / f"time_{lang}")
    assert len(list(Path(tmp_path).glob("*.svg"))) == 4


def test_sensitivity_bars_of_many_factors_show_the_leaders_of_every_panel(tmp_path):
    """Of 30 factors, the bar chart draws the 20 most influential in some panel, each panel's Morris
    indices taken relative to its largest (two indicators whose units differ a thousandfold)."""
    from innosim.fields import numeric_fields
    from innosim.scenario import Scenario
    from innosim.sensitivity.plots import MOST_BARS, Described, bars_chart

    paths = [p for p in numeric_fields(Scenario) if p.startswith("parameters.")][: MOST_BARS + 10]
    n = len(paths)
    rows = [
        (indicator, 2025, "morris", path, "mu_star", value, 0.0)
        for i, path in enumerate(paths)
        for indicator, value in (("hte_count", i + 1.0), ("high_level_talent", 1000.0 * (n - i)))
    ]
    indices = pd.DataFrame(rows, columns=["indicator", "year", "method", "parameter", "index", "value", "conf"])
    fig = bars_chart(indices, Described("morris", "many", 310, 1, 0.95), "en")
    drawn = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert drawn == [lb.factor(p, "en") for p in paths[:10] + paths[-10:]]
    assert f"the 20 factors of largest index of {n}" in fig.get_suptitle()
    save_all(fig, tmp_path / "bars")


def test_app_model_is_the_run_the_cli_would_do(monkeypatch):
    """A slider position runs exactly `innosim run --set policy.<lever>.budget=... --parameters mean
    --replicates 1 --seed SEED`; the app's chart is drawn by the library's fan chart."""
    pytest.importorskip("solara")
    from innosim import simulate
    from innosim.app import LeverModel, model_params, records_table, settings

    monkeypatch.setenv("INNOSIM_APP_SCALE", "0.02")
    settings.cache_clear()
    try:
        model = LeverModel(rng=4, talent_card=1.2, innovation_teams=None)
        model.run()
        assert model.finished and not model.running
        ours = records_table(model).set_index(["year", "indicator"])["value"]
        scenario = load_scenario().with_overrides({"scale": 0.02, "policy.talent_card.budget": 1.2})
        cli = simulate(scenario, seed=4, replicates=1, parameters="mean").set_index(["year", "indicator"])["value"]
        pd.testing.assert_series_equal(ours, cli)
        params = model_params(settings()[0], "zh")
        assert set(params) == {*LEVERS, "rng"} and params["talent_card"]["max"] == 2.0
        assert params["rd_subsidy"]["value"] == load_scenario().policy.rd_subsidy.budget
        with pytest.raises(TypeError, match="unknown lever"):
            LeverModel(rng=0, no_such_lever=1.0)
    finally:
        settings.cache_clear()
