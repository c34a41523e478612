"""End to end: the workshop dashboard served by ``workbench workshop``, driven in headless Chromium."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _get_root(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status  # http.client never follows redirects
    except OSError:
        return None
    finally:
        connection.close()


@pytest.fixture
def server(tmp_path, sample_dir):
    from workbench.faces.workshop import free_port

    folder = tmp_path / "sample"
    shutil.copytree(sample_dir, folder)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "workbench.faces.cli", "workshop", str(folder / "baseline.yaml"),
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            if process.poll() is not None:
                pytest.fail("the workshop server exited at start")
            status = _get_root(port)
            if status is None:
                time.sleep(0.5)
        assert status == 200, f"GET / answered {status} within 60 s"
        yield port, folder
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _idle(page) -> None:
    page.wait_for_function("() => { const s = document.querySelector('.wb-status');"
                           " return s && !document.querySelector('.wb-solving'); }", timeout=120_000)
    page.wait_for_timeout(500)


def test_workshop_dashboard_end_to_end(server):
    from playwright.sync_api import sync_playwright

    port, folder = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
            page.wait_for_selector("[data-kpi='objective']", timeout=120_000)
            _idle(page)

            # click a project in the roadmap: it is forced out and leaves the roadmap
            roadmap = page.locator(".wb-roadmap")
            assert "GRO-11" in roadmap.inner_text()
            bar = page.locator(".wb-roadmap svg path[aria-label*='GRO-11']").first
            bar.wait_for(state="visible")
            page.wait_for_timeout(1500)  # vega attaches its event listeners after drawing
            bar.click(force=True)  # vega's own layers sit above the mark; the click reaches it
            page.wait_for_function("() => !document.querySelector('.wb-roadmap').innerText.includes('GRO-11')",
                                   timeout=120_000)
            _idle(page)
            assert "GRO-11" in page.inner_text("[data-kpi='left']")

            # move the budget slider: the KPIs change
            before = page.inner_text("[data-kpi='objective']")
            readout = page.locator(".widget-readout").first
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("0.85")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "(before) => { const k = document.querySelector(\"[data-kpi='objective']\");"
                " return k && k.innerText !== before; }", arg=before, timeout=120_000)
            _idle(page)
            after = page.inner_text("[data-kpi='objective']")
            assert after != before

            # save the scenario and find the new file
            page.locator("input[placeholder='baseline-variant']").fill("workshop-choice")
            page.get_by_role("button", name="Save as scenario").click()
            page.wait_for_selector(".wb-saved", timeout=60_000)
            page.screenshot(path=str(ARTIFACTS / "workshop.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "workshop-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    saved = folder / "workshop-choice.yaml"
    assert saved.exists()
    body = yaml.safe_load(saved.read_text())
    assert body["extends"] == "baseline.yaml"
    assert body["force_out"] == ["GRO-11"] and body["budget"] == {"scale": 0.85}
