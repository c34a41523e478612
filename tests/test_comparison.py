"""The scenario comparison: charts with captions computed from the numbers, an infeasible scenario
compared by its conflicts, and the same offline HTML rules as the planning report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from portfolio_kit import make_case, small_portfolio

from workbench.analyses.compare import bottleneck, compare_results
from workbench.analyses.solve import solve
from workbench.data.planning_data import load_inputs
from workbench.faces.comparison_sections import change_sentence, short_money
from workbench.faces.report_runner import run_comparison

SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "sample"
FIVE = ["baseline", "budget-cut-15", "hire-data-engineers", "accelerate-regulatory", "dora-deadline"]
EXTERNAL = re.compile(
    r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.IGNORECASE
)


@pytest.fixture(scope="module")
def five_report(tmp_path_factory):
    outcome = run_comparison([SAMPLE / f"{name}.yaml" for name in FIVE], tmp_path_factory.mktemp("comparison"))
    assert outcome.ok, outcome.message
    return outcome.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_results():
    return {name: solve(load_inputs(SAMPLE / f"{name}.yaml")) for name in ("baseline", "budget-cut-15")}


@pytest.mark.slow
def test_the_five_sample_scenarios_in_one_offline_report(five_report, sample_results):
    page = five_report
    assert not EXTERNAL.search(page) and "<script" not in page.lower()
    assert page.count("<svg") >= 6  # key figures, a roadmap per feasible scenario, capacity, budget, frontiers
    for title in ("Key figures", "What changes", "Capacity", "Budget", "Efficient frontiers"):
        assert title in page
    # the infeasible scenario is compared by its conflicts, not as 28 projects leaving
    assert "dora-deadline has no plan" in page
    assert not re.search(r"dora-deadline</td>\s*<td>[A-Z]+-\d+</td>\s*<td>[^<]*</td>\s*<td>leaves", page)
    # the caption of budget-cut-15 states what the results say
    difference = compare_results(sample_results["baseline"], sample_results["budget-cut-15"])
    left = difference.of("leaves")
    assert left, "a 15% cut drops projects"
    sentence = change_sentence(difference)
    assert f"drops {len(left)} project" in sentence
    assert short_money(sum(c.value for c in left)) in sentence
    assert sentence.replace("&", "&amp;") in page or sentence in page.replace("&#x27;", "'")


def test_captions_are_computed_from_the_results(tmp_path):
    tables = small_portfolio()
    tables["budget"] = [{"amount": 60}]
    first = solve(load_inputs(make_case(tmp_path / "a", tables, periods=3)))
    tables["budget"] = [{"amount": 25}]
    second = solve(load_inputs(make_case(tmp_path / "b", tables, periods=3)))
    difference = compare_results(first, second)
    chosen = {p.id for p in first.selected}
    kept = {p.id for p in second.selected}
    assert {c.id for c in difference.of("leaves")} == chosen - kept
    assert {c.id for c in difference.of("enters")} == kept - chosen
    sentence = change_sentence(difference)
    if chosen - kept:
        value = sum(p.value for p in first.projects if p.id in chosen - kept)
        assert f"drops {len(chosen - kept)} project" in sentence and short_money(value) in sentence
    delta = second.objective - first.objective
    assert f"({delta / first.objective:+.1%})" in sentence
    # the bottleneck is the role used to the full in the most periods
    neck = bottleneck(first)
    full = {}
    for row in first.capacity:
        available = row.capacity + row.hired
        full[row.role] = full.get(row.role, 0) + (available > 0 and row.demand >= 0.999 * available)
    assert neck is not None and full[neck.role] == max(full.values()) == neck.full_periods


def test_an_infeasible_scenario_is_described_by_what_would_have_to_change(tmp_path):
    tables = small_portfolio()
    first = solve(load_inputs(make_case(tmp_path / "a", tables, periods=3)))
    tables["capacity"] = [{"role": "dev", "fte": 2}, {"role": "ba", "fte": 0}]  # C is mandatory and needs a ba
    second = solve(load_inputs(make_case(tmp_path / "b", tables, periods=3)))
    assert not second.has_plan and second.conflicts
    difference = compare_results(first, second)
    assert difference.changes == [] and "has no plan" in change_sentence(difference)


def test_hostile_names_are_escaped_in_the_comparison(tmp_path):
    hostile = "<img src=x onerror=alert(1)>"
    tables = small_portfolio()
    tables["projects"][1]["name"] = hostile
    first = make_case(tmp_path / "a", tables, periods=3, name="first")
    tables["budget"] = [{"amount": 25}]
    second = make_case(tmp_path / "b", tables, periods=3, name="second")
    outcome = run_comparison([first, second], tmp_path / "out")
    assert outcome.ok, outcome.message
    page = outcome.html.read_text(encoding="utf-8")
    assert hostile not in page and "onerror=alert(1)>" not in page
    assert not EXTERNAL.search(page) and "<script" not in page.lower()
