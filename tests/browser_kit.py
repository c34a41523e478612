"""Shared by the browser tests: Debian's Chromium driven by Playwright, local servers started as
the user starts them, every request that would leave the machine recorded and refused, and the
dashboard's controls driven as a user drives them."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


def http_status(port: int, path: str = "/") -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status  # http.client never follows redirects
    except OSError:
        return None
    finally:
        connection.close()


@contextmanager
def workbench_server(arguments: list[str], port: int, ready_path: str = "/", environment: dict | None = None):
    """``workbench <arguments>`` as a child in a session of its own, until ``ready_path`` answers 200."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            *arguments,
            "--port",
            str(port),
            *(["--no-browser"] if arguments[0] == "lab" else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(os.environ, **(environment or {})),
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status != 200:
            if process.poll() is not None:
                pytest.fail(f"workbench {arguments[0]} exited at start")
            status = http_status(port, ready_path)
            if status != 200:
                time.sleep(0.5)
        assert status == 200, f"GET {ready_path} answered {status} within 90 s"
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def offline_page(playwright, viewport=(1400, 1500)):
    """A page whose requests to anywhere but 127.0.0.1 are refused and listed in ``page.external``;
    console errors are listed in ``page.console_errors``."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.external, page.console_errors = [], []

        def route(request_route):
            if request_route.request.url.startswith(LOCAL):
                request_route.continue_()
            else:
                page.external.append(request_route.request.url)
                request_route.abort()

        page.route("**/*", route)
        page.on(
            "console", lambda message: page.console_errors.append(message.text) if message.type == "error" else None
        )
        yield page
    finally:
        browser.close()


def idle(page) -> None:
    page.wait_for_function(
        "() => { const s = document.querySelector('.wb-status'); return s && !document.querySelector('.wb-solving'); }",
        timeout=120_000,
    )
    page.wait_for_timeout(500)


def drive_the_workbench(page, project: str = "GRO-11") -> None:
    """Click a roadmap bar (the project is forced out), plan at P80 and back (the P80 cost follows),
    move the budget to 0.85 (the objective changes), save as 'choice'."""
    idle(page)
    roadmap = page.locator(".wb-roadmap")
    assert project in roadmap.inner_text()
    bar = page.locator(f".wb-roadmap svg path[aria-label*='{project}']").first
    bar.wait_for(state="visible")
    page.wait_for_timeout(1500)  # vega attaches its event listeners after drawing
    bar.click(force=True)  # vega's own layers sit above the mark; the click reaches it
    page.wait_for_function(
        f"() => !document.querySelector('.wb-roadmap').innerText.includes('{project}')", timeout=120_000
    )
    idle(page)
    assert project in page.inner_text("[data-kpi='left']")

    # the risk figures beside the KPIs follow the "Plan at" switch, and back
    plan_at = page.locator(".widget-dropdown:has(label:text('Plan at')) select")
    for level, basis in (("P80", "the P80 figures"), ("planned figures", "the planned figures")):
        cost_p80 = page.inner_text("[data-kpi='cost_p80']")
        plan_at.select_option(label=level)
        page.wait_for_function(
            "(before) => { const k = document.querySelector(\"[data-kpi='cost_p80']\");"
            " return k && k.innerText !== before; }",
            arg=cost_p80,
            timeout=120_000,
        )
        idle(page)
        assert f"planned with {basis}" in page.inner_text(".wb-risk")

    before = page.inner_text("[data-kpi='objective']")
    readout = page.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("0.85")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(before) => { const k = document.querySelector(\"[data-kpi='objective']\");"
        " return k && k.innerText !== before; }",
        arg=before,
        timeout=120_000,
    )
    idle(page)
    assert page.inner_text("[data-kpi='objective']") != before

    page.locator("input[placeholder='baseline-variant']").fill("choice")
    page.get_by_role("button", name="Save as scenario").click()
    page.wait_for_selector(".wb-saved", timeout=60_000)
