"""The interactive workbench, driven through its controls in Python."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from workbench.faces.app import Workbench
from workbench.analyses.check import check_result
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve


@pytest.fixture
def workdir(tmp_path, sample_dir):
    target = tmp_path / "sample"
    shutil.copytree(sample_dir, target)
    return target


@pytest.fixture
def bench(workdir):
    return Workbench(workdir / "baseline.yaml", debounce=None, solver="highs")


def test_budget_change_resolves_to_the_same_plan_as_a_scenario_file(bench, workdir):
    bench.budget_scale.value = 0.85
    assert bench.overrides()["budget"] == {"scale": 0.85}
    expected = solve(load_inputs(workdir / "budget-cut-15.yaml"), solver="highs")
    assert bench.result.objective == pytest.approx(expected.objective)
    assert (
        "objective" in bench.changes.value
        and f"{expected.objective - bench.base_result.objective:+,.0f}" in bench.changes.value
    )


def test_force_out_and_capacity(bench, workdir):
    leaving = next(p.id for p in bench.result.selected if not p.commitment)
    assert f'"{leaving}"' in json.dumps(bench._roadmap_chart.spec)
    bench.force_out.value = [leaving]
    assert leaving not in {p.id for p in bench.result.selected}
    assert leaving in bench.changes.value
    assert f'"{leaving}"' not in json.dumps(bench._roadmap_chart.spec)  # the roadmap is redrawn without it
    bench.capacity["data_engineer"].value = 2.0
    variant = bench.variant()
    assert check_result(variant.portfolio, variant.scenario.spec, bench.result) == []
    data = variant.data.capacity
    base = bench.inputs.data.capacity
    assert (
        data[data.role == "data_engineer"]["fte"].to_numpy() == base[base.role == "data_engineer"]["fte"].to_numpy() + 2
    ).all()


def test_roadmap_click_toggles_force_out(bench):
    project = next(p.id for p in bench.result.selected if not p.commitment)

    class Pick:
        value = [{"id": project}]

    bench._picked({"new": Pick()})
    assert project in bench.force_out.value
    assert project not in {p.id for p in bench.result.selected}


def test_infeasible_change_shows_conflicts_not_a_traceback(bench):
    bench.force_in.value = ["REG-05"]
    assert bench.result.status.value == "infeasible"
    assert "REG-05" in bench.conflicts.value and "PLT-04" in bench.conflicts.value
    assert "Traceback" not in bench.status.value


def test_invalid_change_is_explained(bench):
    bench.force_out.value = ["REG-01"]  # mandatory
    assert "cannot be forced out" in bench.conflicts.value
    assert "not valid" in bench.status.value


def test_save_writes_only_changes_and_never_overwrites(bench, workdir):
    bench.budget_scale.value = 0.9
    bench.force_out.value = ["GRO-11"]
    first = bench.save("workshop-choice")
    second = bench.save("workshop-choice")
    assert first == workdir / "workshop-choice.yaml" and second == workdir / "workshop-choice-2.yaml"
    body = yaml.safe_load(first.read_text())
    assert body["extends"] == "baseline.yaml"
    assert body["budget"] == {"scale": 0.9} and body["force_out"] == ["GRO-11"]
    assert set(body) <= {"extends", "name", "description", "budget", "force_out", "solver"}
    saved = solve(load_inputs(first), solver="highs")
    assert saved.objective == pytest.approx(bench.result.objective)
    bench.compare()
    assert "workshop-choice" in bench.comparison.value and "GRO-11" in bench.comparison.value
    # the charts with their captions, as in the comparison report
    assert bench.comparison.value.count("<svg") >= 3 and "workshop-choice drops" in bench.comparison.value


def test_debounced_changes_solve_in_the_background(workdir):
    bench = Workbench(workdir / "baseline.yaml", debounce=0.05, solver="highs")
    bench.budget_scale.value = 0.95
    bench.budget_scale.value = 0.85  # supersedes the first change
    assert bench.wait(60)
    assert bench.result.objective == pytest.approx(
        solve(load_inputs(workdir / "budget-cut-15.yaml"), solver="highs").objective
    )


def test_a_superseded_solve_is_stopped_not_left_running(workdir):
    """A change while the previous one is still solving stops that solve; the newer one is shown."""
    import time

    bench = Workbench(workdir / "baseline.yaml", debounce=0.0, solver="cbc")
    bench.budget_scale.value = 0.95
    first = bench.session._stop
    time.sleep(0.4)  # the first change's CBC run is under way
    bench.budget_scale.value = 0.85
    assert first.is_set() and not bench.session._stop.is_set()
    assert bench.wait(60)
    assert bench.result.objective == pytest.approx(
        solve(load_inputs(workdir / "budget-cut-15.yaml"), solver="highs").objective
    )


def test_a_scenario_with_a_status_date_shows_the_status_view(workdir):
    bench = Workbench(workdir / "status-2027-06.yaml", debounce=None, solver="highs")
    view = bench.status_view.value
    assert 'data-kpi="rag_red"' in view and "Projects that need a decision" in view and "<svg" in view
    assert "GRO-10" in view  # running without a baseline row
    assert "Status as of 2027-06" in bench.widget.children[1].children[1].children[0].value
    plain = Workbench(workdir / "baseline.yaml", debounce=None, solver="highs")
    assert plain.status_view.value == ""


def test_risk_figures_beside_the_kpis_and_the_plan_at_switch(bench, workdir):
    from workbench.analyses.risk import simulate

    expected = simulate(bench.inputs, bench.result, samples=Workbench.RISK_SAMPLES)
    assert f"data-kpi='cost_p80'>{expected.cost['p80']:,.2f}<" in bench.risk_view.value
    assert f"data-kpi='overrun_any_period'>{expected.any_period_overrun:.1%}<" in bench.risk_view.value
    bench.plan_at.value = 0.8
    assert bench.overrides()["risk"] == {"plan_at": 0.8}
    p80 = solve(load_inputs(workdir / "risk-p80.yaml"), solver="highs")
    assert bench.result.objective == pytest.approx(p80.objective)
    assert "planned with the P80 figures" in bench.risk_view.value
    saved = bench.save("p80-again")
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["risk"] == {"plan_at": 0.8}
    assert solve(load_inputs(saved), solver="highs").objective == pytest.approx(p80.objective)


def test_the_app_shows_a_sweep_around_its_controls(bench):
    from workbench.ground.executor import LocalExecutor

    bench.force_out.value = ["GRO-11"]
    current = bench.result.objective
    swept = bench.sweep("budget.scale=0.9,1.0", executor=LocalExecutor(1))
    assert [p.values for p in swept.points] == [{"budget.scale": 0.9}, {"budget.scale": 1.0}]
    assert swept.points[1].objective == pytest.approx(current)  # the controls' own point
    assert swept.points[0].objective <= swept.points[1].objective
    assert bench.sweep_view.children and "budget.scale" in bench.sweep_view.children[0].value


def test_a_slow_change_shows_the_best_plan_so_far_then_the_proven_one(bench, monkeypatch):
    """One solve per change: after QUICK_SECONDS the plan HiGHS has so far is shown, labelled
    feasible with its gap and passing the checker; the proven plan then replaces it."""
    from workbench.analyses.check import check_result

    # HiGHS has its first plans within 0.3 s, and proves this change after about 2 s
    monkeypatch.setattr(bench.session, "quick_seconds", 0.7)
    shown = []
    show = bench._show

    def recording(result, inputs, refining=False):
        show(result, inputs, refining=refining)
        shown.append((result, inputs, refining, bench.status.value))

    bench._show = recording
    bench.hiring_on.value = True
    assert len(shown) == 2, [s[3] for s in shown]
    (first, inputs, refining, status), (final, _, final_refining, _) = shown
    assert refining and first.status.value == "feasible" and "wb-solving" in status
    assert check_result(inputs.portfolio, inputs.scenario.spec, first) == []
    assert not final_refining and final.status.value == "optimal" and final.objective >= first.objective


def test_the_project_table_shows_short_reasons_with_the_full_sentence_on_demand():
    """One line per project: a long reason is its first sentence, the full text in a <details>;
    every text escaped (a name holding markup stays text)."""
    import html as html_module
    import re

    from conftest import SAMPLE

    from workbench.faces.app import projects_table, short_reason

    result = solve(load_inputs(SAMPLE / "baseline.yaml"), solver="highs")
    result.projects[0].name = "<img src=x onerror=alert(1)>"
    table = projects_table(result)
    assert "<img" not in table and "&lt;img src=x onerror=alert(1)&gt;" in table
    cells = re.findall(r"<tr><td>([^<]*)</td>(?:<td>[^<]*</td>){3}<td>(.*?)</td></tr>", table)
    assert len(cells) == len(result.projects)
    by_id = {p.id: p for p in result.projects}
    for project_id, cell in cells:
        reason = by_id[project_id].reason
        if "<details>" in cell:
            summary, full = re.match(r"<details><summary>(.*)</summary>(.*)</details>", cell).groups()
            assert html_module.unescape(full) == reason and len(html_module.unescape(summary)) <= 92
        else:
            assert html_module.unescape(cell) == reason == short_reason(reason)
    assert any("<details>" in cell for _, cell in cells)
