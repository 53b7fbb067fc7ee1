"""The report and the app in headless Chromium (Debian's ``chromium``, driven by Playwright).

The browser runs offline: every request that is not to a local file, a ``data:`` URI
or the app's own server on 127.0.0.1 is aborted and fails the test. Screenshots go
to ``$INNOSIM_SCREENSHOTS`` when set (how ``docs/images/`` is made), else to the
test's temporary directory.

Chromium is found on PATH (``.ci/run`` installs it); without it the tests are
skipped, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("the browser tests need Debian's chromium on PATH (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TEAMS_LEVER, TEAMS_INDICATOR = "引进创新创业团队", "引育创新创业团队(规划期累计)"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("INNOSIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def offline_page(browser, allowed: tuple[str, ...] = ()):
    """A page whose requests outside ``file:``, ``data:``, ``blob:`` and ``allowed`` are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:", *allowed)):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    return page, blocked, failed


def test_report_opens_offline_with_every_figure_and_chinese_glyph(browser, tmp_path, shots):
    # the acceptance command, at full size
    out = tmp_path / "baseline"
    r = run_cli("run", "--replicates", "20", "--out", str(out), "--report")
    assert r.returncode == 0, r.stderr
    page, blocked, failed = offline_page(browser)
    page.goto((out / "report.html").as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == 3 and all(ok and w > 500 and h > 300 for ok, w, h in images), images
    # every Chinese character on the page is in a loaded font face of the page (the embedded subset)
    text = page.evaluate("document.body.innerText")
    assert "国家高新技术企业数" in text and "实现概率" in text
    fonts = page.evaluate("Array.from(document.fonts).map(f => [f.family.replaceAll('\"', ''), f.status])")
    assert fonts == [["innosim-cjk", "loaded"]]
    assert page.evaluate("t => document.fonts.check('16px innosim-cjk', t)", text)
    assert blocked == [] and failed == []
    page.screenshot(path=str(shots / "report.png"))
    page.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """``innosim app`` started as documented (at scale 0.1, so a run takes a second)."""
    port = _free_port()
    exe = Path(sys.executable).with_name("innosim")
    log_path = tmp_path_factory.mktemp("app") / "app.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [str(exe), "app", "--scale", "0.1", "--port", str(port)], stdout=log, stderr=log, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            assert proc.poll() is None, f"innosim app exited: {log_path.read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                assert time.time() < deadline, f"innosim app did not answer within 120 s: {log_path.read_text()}"
                time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _latest(page, name: str) -> str:
    return page.locator(".innosim-latest tr", has_text=name).first.locator("td").nth(1).inner_text()


def _run_to_2025(page) -> str:
    """Click "run to 2025", wait for the chart, return its image source."""
    page.click(".innosim-run")
    page.wait_for_selector(".innosim-latest tr", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.innosim-run').closest('button').disabled", timeout=60_000)
    return page.locator(".innosim-fan").first.evaluate("e => (e.tagName === 'IMG' ? e : e.querySelector('img')).src")


def test_app_renders_offline_and_a_lever_changes_the_projection(browser, app_url, shots):
    page, blocked, failed = offline_page(browser, allowed=(app_url, app_url.replace("http", "ws")))
    page.goto(app_url)
    page.wait_for_selector(".innosim-run", timeout=120_000)
    assert page.locator(".v-slider").count() >= 12  # eleven lever budgets and the seed (plus Mesa's own)
    before_chart = _run_to_2025(page)
    before = _latest(page, TEAMS_INDICATOR)
    budgets_before = page.inner_text(".innosim-budgets")
    page.wait_for_selector(".innosim-population img, img.innosim-population")
    page.screenshot(path=str(shots / "app.png"))
    # move the teams budget to the right end of its slider, rebuild the model, run again
    slider = page.locator(".v-input", has_text=TEAMS_LEVER).locator(".v-slider").first
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.98, box["y"] + box["height"] / 2)
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => !document.querySelector('.innosim-run').closest('button').disabled", timeout=60_000)
    after_chart = _run_to_2025(page)
    after = _latest(page, TEAMS_INDICATOR)
    assert f"{TEAMS_LEVER} 0.2 " in budgets_before and f"{TEAMS_LEVER} 0.2 " not in page.inner_text(".innosim-budgets")
    assert int(after.replace(",", "")) > 2 * int(before.replace(",", "")), (before, after)
    assert after_chart != before_chart
    assert [u for u in blocked if not u.endswith("favicon.ico")] == [], blocked
    page.close()
