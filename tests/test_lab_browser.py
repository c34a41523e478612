"""End to end: ``workbench lab`` opens the exploration notebook in JupyterLab; all cells run, the
application renders and answers the budget slider, a roadmap click and "Save as scenario", with
no request leaving the machine."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from browser_kit import ARTIFACTS, drive_the_workbench, needs_chromium, offline_page, workbench_server

pytestmark = [needs_chromium, pytest.mark.slow]


def run_all_cells(page) -> None:
    """Run > Run All Cells once the kernel is idle, until a cell shows it ran (on a busy machine
    the first command can reach a kernel still connecting)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    for _ in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
                ".some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))",
                timeout=20_000,
            )
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("no cell ran after three 'Run All Cells'")


def test_explore_notebook_in_jupyterlab(tmp_path, sample_dir):
    from playwright.sync_api import sync_playwright

    from workbench.faces.serving import free_port

    folder = tmp_path / "sample"
    shutil.copytree(sample_dir, folder)
    port = free_port()
    environment = {
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with (
        workbench_server(["lab", str(folder / "baseline.yaml")], port, "/lab", environment),
        sync_playwright() as playwright,
        offline_page(playwright, (1500, 1400)) as page,
    ):
        try:
            page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)  # the root leads to the notebook
            page.wait_for_url("**/lab/tree/explore.ipynb", timeout=60_000)
            run_all_cells(page)
            page.wait_for_selector("[data-kpi='objective']", timeout=180_000)
            drive_the_workbench(page)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-failure.png"))
            raise
        assert page.external == [], page.external
        # no first-run news prompt: its plugin is disabled in the page's config, and nothing shows it
        disabled = page.evaluate(
            "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).disabledExtensions"
        )
        assert "@jupyterlab/apputils-extension:announcements" in disabled, disabled
        assert page.get_by_text("Jupyter news").count() == 0
        errors = [cell for cell in page.locator(".jp-OutputArea-output[data-mime-type*='error']").all_inner_texts()]
        assert errors == [], errors
    body = yaml.safe_load((folder / "choice.yaml").read_text())
    assert body["extends"] == "baseline.yaml"
    assert body["force_out"] == ["GRO-11"] and body["budget"] == {"scale": 0.85}
    # the working copy is the lab's; the template in the repository keeps no outputs
    template = json.loads((sample_dir.parent.parent / "notebooks" / "explore.ipynb").read_text())
    assert not any(cell.get("outputs") for cell in template["cells"] if cell["cell_type"] == "code")
