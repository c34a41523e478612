"""End to end: the workshop dashboard served by ``workbench workshop``, driven in headless
Chromium with no request leaving the machine."""

from __future__ import annotations

import shutil

import pytest
import yaml
from browser_kit import ARTIFACTS, drive_the_workbench, needs_chromium, offline_page, workbench_server

pytestmark = [needs_chromium, pytest.mark.slow]


@pytest.fixture
def workshop(tmp_path, sample_dir):
    from workbench.faces.serving import free_port

    folder = tmp_path / "sample"
    shutil.copytree(sample_dir, folder)
    port = free_port()
    with workbench_server(["workshop", str(folder / "baseline.yaml")], port):
        yield port, folder


def test_workshop_dashboard_end_to_end_offline(workshop):
    from playwright.sync_api import sync_playwright

    port, folder = workshop
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright, offline_page(playwright) as page:
        try:
            page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
            page.wait_for_selector("[data-kpi='objective']", timeout=120_000)
            drive_the_workbench(page)
            page.screenshot(path=str(ARTIFACTS / "workshop.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "workshop-failure.png"), full_page=True)
            raise
        assert page.external == [], page.external
        assert page.console_errors == [], page.console_errors
    body = yaml.safe_load((folder / "choice.yaml").read_text())
    assert body["extends"] == "baseline.yaml"
    assert body["force_out"] == ["GRO-11"] and body["budget"] == {"scale": 0.85}
    assert "risk" not in body  # planned at P80 and back: nothing changed
