"""``innosim report`` and ``run/compare --report``: one self-contained HTML file per result directory."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SCENARIOS, run_cli
from innosim.errors import InputError
from innosim.indicators import INDICATORS
from innosim.report import write_report

SMALL = ["--set", "scale=0.03"]


class _Links(HTMLParser):
    """Every URL a page would load: src/href attributes and CSS url(...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.images = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.images += tag == "img"
        self.urls += [v for k, v in attrs if k in ("src", "href", "srcset", "data", "poster") and v]

    def handle_data(self, data):
        self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)


def assert_self_contained(page: str) -> _Links:
    links = _Links()
    links.feed(page)
    assert links.urls and all(u.startswith("data:") for u in links.urls), [u[:60] for u in links.urls]
    assert not {"script", "link", "iframe", "object", "embed"} & set(links.tags)
    assert "@import" not in page
    return links


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "baseline"
    r = run_cli("run", "--replicates", "4", "--seed", "3", "--workers", "1", *SMALL, "--out", str(out), "--report")
    assert r.returncode == 0, r.stderr
    assert "report written to" in r.stderr
    return out


def test_run_report_is_one_self_contained_file(run_dir):
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    links = assert_self_contained(page)
    assert links.images == 3  # fan, attainment, spending
    for iid, ind in INDICATORS.items():
        if ind.plan:
            assert ind.name_zh in page, iid
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["kind"] == "run"
    for value in (manifest["scenario_hash"], str(manifest["replicate_seeds"][0]), manifest["innosim_version"]):
        assert value in page
    # the embedded font is a subset: it has the glyphs the page shows, and is far smaller than the font
    font = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page).group(1)
    assert 5_000 < len(base64.b64decode(font)) < 2_000_000
    for stem in ("fan", "attainment", "spending"):
        assert (run_dir / "figures" / "zh" / f"{stem}.png").exists() and (
            run_dir / "figures" / "zh" / f"{stem}.svg"
        ).exists()


def test_english_report_beside_the_chinese_one(run_dir, tmp_path):
    out = tmp_path / "en.html"
    r = run_cli("report", str(run_dir), "--lang", "en", "--out", str(out))
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert "High-tech enterprises (HTE)" in page and "Probability of meeting the 2025 targets" in page
    assert "国家高新技术企业数" not in page
    assert (tmp_path / "en_figures" / "fan.svg").exists()


def test_report_of_a_comparison(tmp_path):
    out = tmp_path / "cmp"
    r = run_cli(
        "compare",
        str(SCENARIOS / "baseline.toml"),
        str(SCENARIOS / "plan.toml"),
        "--replicates",
        "3",
        "--workers",
        "1",
        *SMALL,
        "--out",
        str(out),
        "--report",
        "--lang",
        "en",
    )
    assert r.returncode == 0, r.stderr
    page = (out / "report.en.html").read_text(encoding="utf-8")  # English reports are named so
    links = assert_self_contained(page)
    assert links.images == 5  # fan, effects, attainment, spending, cost-effectiveness
    assert "plan ← baseline" in page and "effect [5-95%]" in page
    doc = json.loads((out / "comparison.json").read_text())
    for s in doc["scenarios"]:
        assert s["hash"] in page


def test_report_of_a_sweep_and_of_a_sensitivity_analysis(tmp_path, root):
    sweep = tmp_path / "sweep"
    r = run_cli(
        "sweep",
        str(root / "experiments" / "talent_fund_grid.toml"),
        "--replicates",
        "1",
        "--scale",
        "0.02",
        "--workers",
        "1",
        "--out",
        str(sweep),
    )
    assert r.returncode == 0, r.stderr
    exp = tmp_path / "sens.toml"
    exp.write_text(f"""kind = "sensitivity"
name = "tiny"
scenario = "{root / "scenarios" / "plan.toml"}"
scale = 0.02
replicates = 1
[output]
indicators = ["hte_count", "high_level_talent"]
years = [2024, 2025]
[method]
name = "sobol"
samples = 4
[[factor]]
path = "policy.talent_card.budget"
lower = 0.3
upper = 1.6
[[factor]]
path = "policy.rd_subsidy.budget"
lower = 1.3
upper = 5.2
""")
    sens = tmp_path / "sens"
    r = run_cli("sensitivity", str(exp), "--workers", "1", "--out", str(sens))
    assert r.returncode == 0, r.stderr
    for folder, images, words in ((sweep, 1, "人才绿卡与云聚英才卡 预算"), (sens, 2, "因素排序")):
        page = write_report(folder).read_text(encoding="utf-8")
        assert assert_self_contained(page).images == images
        assert words in page
        assert json.loads((folder / "manifest.json").read_text())["hash"] in page


@pytest.mark.parametrize("case", ["missing", "not_a_result", "unknown_kind", "incomplete", "bad_json"])
def test_bad_result_directory_is_refused_without_output(tmp_path, run_dir, case):
    folder = tmp_path / "res"
    if case != "missing":
        folder.mkdir()
    manifest = folder / "manifest.json"
    if case == "unknown_kind":
        manifest.write_text(json.dumps({"kind": "calibration"}))
    elif case == "incomplete":
        manifest.write_text((run_dir / "manifest.json").read_text())
    elif case == "bad_json":
        manifest.write_text("{")
    words = {
        "missing": "is not a directory",
        "not_a_result": "no manifest.json",
        "unknown_kind": "kind: is 'calibration'; a result directory holds a run, comparison, sweep, sensitivity, optimisation or discovery",
        "incomplete": "indicators.csv: is missing",
        "bad_json": "manifest.json: is not valid JSON",
    }[case]
    with pytest.raises(InputError, match=re.escape(words)) as err:
        write_report(folder)
    assert str(folder) in str(err.value)
    assert not (folder / "report.html").exists() and not (folder / "figures").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "--replicates", "1", "--report"], "--report: --out: a report is written into the result directory"),
        (["report", "{run}", "--lang", "fr", "--out", "{tmp}/x.html"], "is not one of 'zh', 'en'"),
        (["report", "{tmp}/nothing"], "nothing: is not a directory"),
    ],
)
def test_cli_refuses_with_exit_2(tmp_path, run_dir, args, words):
    r = run_cli(*[a.format(run=run_dir, tmp=tmp_path) for a in args])
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []
