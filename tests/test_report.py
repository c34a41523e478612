"""Reports: papermill runs the notebooks into self-contained HTML; exports are safe."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from portfolio_kit import make_case, small_portfolio

from workbench.faces.report_runner import run_report, run_reports

HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.IGNORECASE
)


def _assert_self_contained(page: str) -> None:
    assert not EXTERNAL.search(page), EXTERNAL.search(page).group(0)
    assert "<script" not in page.lower()


def _kpi(page: str, key: str) -> str:
    match = re.search(rf'data-kpi="{key}">([^<]*)<', page)
    assert match, key
    return match.group(1)


@pytest.fixture(scope="module")
def baseline_report(tmp_path_factory, sample_dir_module):
    out = tmp_path_factory.mktemp("reports")
    outcome = run_report(sample_dir_module / "baseline.yaml", out)
    assert outcome.ok, outcome.message
    return outcome


@pytest.fixture(scope="module")
def sample_dir_module():
    return Path(__file__).resolve().parent.parent / "scenarios" / "sample"


def test_baseline_report_is_complete_and_self_contained(baseline_report):
    folder = baseline_report.folder
    assert folder.parent.name == "baseline"
    assert {
        "report.html",
        "report.ipynb",
        "result.json",
        "result.xlsx",
        "projects.csv",
        "capacity.csv",
        "budget.csv",
        "summary.csv",
        "conflicts.csv",
    } <= {p.name for p in folder.iterdir()}
    page = (folder / "report.html").read_text(encoding="utf-8")
    _assert_self_contained(page)
    assert page.count("<svg") >= 6  # roadmap, heatmap, lines, budget, balance, frontier, ranked
    for title in (
        "Roadmap",
        "Demand against capacity",
        "Budget against spend",
        "Efficient frontier",
        "Category balance",
        "Binding constraints",
        "Risk",
        "Total cost S-curve",
        "Risk register",
        "What drives the variance",
        "P80 finish",
        "Appendix",
    ):
        assert title in page
    # no code: neither sources nor prompts
    assert "ScenarioReport" not in page and "import " not in page and "In&nbsp;[" not in page


def test_risk_figures_equal_the_risk_command(baseline_report, sample_dir_module):
    page = (baseline_report.folder / "report.html").read_text(encoding="utf-8")
    outcome = subprocess.run(
        [sys.executable, "-m", "workbench.faces.cli", "risk", str(sample_dir_module / "baseline.yaml"), "--json"],
        capture_output=True,
        text=True,
    )
    assert outcome.returncode == 0, outcome.stderr
    risk = json.loads(outcome.stdout)
    assert _kpi(page, "risk_cost_p50") == f"{risk['cost']['p50']:,.2f}"
    assert _kpi(page, "risk_cost_p80") == f"{risk['cost']['p80']:,.2f}"
    assert _kpi(page, "risk_value_p80") == f"{risk['value']['p80']:,.2f}"
    assert _kpi(page, "risk_overrun_any_period") == f"{risk['any_period_overrun']:.1%}"
    # the sample has no total budget: no probability against one is stated
    assert risk["budget_overrun_probability"]["total"] is None and 'data-kpi="risk_overrun_total"' not in page


def test_summary_numbers_equal_the_result(baseline_report):
    folder = baseline_report.folder
    page = (folder / "report.html").read_text(encoding="utf-8")
    result = json.loads((folder / "result.json").read_text())
    assert _kpi(page, "objective") == f"{result['objective']:,.2f}"
    selected = [p for p in result["projects"] if p["selected"]]
    assert _kpi(page, "selected") == f"{len(selected)} of {len(result['projects'])}"
    assert _kpi(page, "value") == f"{sum(p['value'] for p in selected):,.2f}"
    assert _kpi(page, "cost") == f"{sum(p['cost'] for p in selected):,.2f}"
    assert _kpi(page, "status") == "Optimal (proven)"
    assert _kpi(page, "data_sha256") == result["provenance"]["data_sha256"]


def test_infeasible_scenario_gives_a_report_that_explains(sample_dir_module, tmp_path):
    # a relative --out, as the README's command uses, resolved against the caller's directory
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            "report",
            str(sample_dir_module / "dora-deadline.yaml"),
            "--out",
            "reports",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    html_path = Path(re.search(r"report: (\S+report\.html)", run.stdout).group(1))
    assert html_path.is_relative_to(tmp_path / "reports" / "dora-deadline")
    page = html_path.read_text(encoding="utf-8")
    assert _kpi(page, "status") == "No plan exists"
    assert "REG-05" in page and "PLT-04" in page and "cannot be scheduled" in page
    _assert_self_contained(page)


def _hostile_case(folder: Path) -> Path:
    tables = small_portfolio()
    tables["projects"][0]["name"] = HOSTILE
    tables["projects"][1]["name"] = FORMULA
    tables["projects"][1]["category"] = "@SUM(A1)"
    tables["uncertainty"] = [{"project": "A", "cost_low": 20, "cost_high": 45}]
    tables["risks"] = [
        {
            "id": HOSTILE,
            "title": HOSTILE,
            "project": "A",
            "probability": 0.3,
            "cost_impact": 5,
            "owner": FORMULA,
            "mitigation": '<b>bold</b> & "quoted"',
            "status": "open",
        }
    ]
    return make_case(folder, tables)


def test_hostile_names_are_escaped_and_exports_neutralised(tmp_path):
    outcome = run_report(_hostile_case(tmp_path / "case"), tmp_path / "out")
    assert outcome.ok, outcome.message
    page = outcome.html.read_text(encoding="utf-8")
    assert HOSTILE not in page and "onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Risk register" in page and "&lt;b&gt;bold&lt;/b&gt; &amp; " in page
    assert "<b>bold</b>" not in page
    _assert_self_contained(page)
    projects = pd.read_csv(outcome.folder / "projects.csv", keep_default_na=False)
    names = dict(zip(projects["id"], projects["name"]))
    assert names["B"] == "'" + FORMULA
    assert dict(zip(projects["id"], projects["category"]))["B"] == "'@SUM(A1)"
    book = openpyxl.load_workbook(outcome.folder / "result.xlsx")
    sheet = book["projects"]
    header = [c.value for c in sheet[1]]
    values = [row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + FORMULA in values
    assert not any(isinstance(v, str) and v.startswith("=") for row in sheet.iter_rows(values_only=True) for v in row)


def test_batch_with_one_broken_scenario(tmp_path):
    good_one = make_case(tmp_path / "one", small_portfolio())
    good_two = make_case(tmp_path / "two", small_portfolio(), periods=4, name="longer")
    broken_tables = small_portfolio()
    broken_tables["projects"][0]["value"] = "lots"
    broken = make_case(tmp_path / "three", broken_tables, name="broken")
    out = tmp_path / "reports"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            "report",
            str(good_one),
            str(broken),
            str(good_two),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    html_files = sorted(out.glob("*/*/report.html"))
    errors = sorted(out.glob("*/*-failed/error.md"))
    assert len(html_files) == 2 and len(errors) == 1
    error = errors[0].read_text()
    assert "InputError" in error and "projects.csv" in error and "Cell" in error
    assert (errors[0].parent / "report.ipynb").exists()
    assert "FAILED" in run.stdout and str(html_files[0]) in run.stdout
    # a second run never overwrites the first
    again = run_reports([good_one], out, progress=False)[0]
    assert again.ok and again.folder not in [p.parent for p in html_files]
    assert len(list(out.glob("scenario/*/report.html"))) == 2


def test_the_report_page_is_nbconverts_without_its_soup_pass(baseline_report):
    """The report's exporter skips only HTMLExporter's last pass (alt text for <img>, focusable
    cells): applying that pass to our page gives nbconvert's page exactly."""
    import nbformat
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from workbench.faces.report_runner import _report_exporter

    notebook = nbformat.read(baseline_report.folder / "report.ipynb", as_version=4)
    ours, _ = _report_exporter().from_notebook_node(notebook)
    reference = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    theirs, _ = reference.from_notebook_node(notebook)
    soup = BeautifulSoup(ours, features="html.parser")
    assert not soup.select("img")  # nothing the pass would have given alt text
    for element in soup.select(".jp-Notebook div.jp-Cell-inputWrapper") + soup.select(
        ".jp-Notebook div.jp-OutputArea-output"
    ):
        element.attrs["tabindex"] = "0"
    assert str(soup) == theirs
    assert ours.count("<svg") >= 6
