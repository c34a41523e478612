"""The Monte Carlo of a plan against closed forms and hand computations, and the risk tables'
validation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from portfolio_kit import make_case, two_uncertain_projects
from scipy import stats

from workbench.analyses.risk import simulate
from workbench.data.confidence import inverse_cdf
from workbench.analyses.solve import solve
from workbench.data.planning_data import load_inputs
from workbench.ground.errors import InputError


def test_triangular_quantiles_are_the_closed_form():
    a, c, b = 80.0, 100.0, 140.0
    u = np.array([0.05, 0.2, 1 / 3, 0.5, 0.8, 0.99])
    closed = np.where(
        u < (c - a) / (b - a), a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c))
    )
    assert inverse_cdf(u, a, c, b, "triangular") == pytest.approx(closed)


def test_pert_is_the_beta_of_its_definition_with_mean_a_4m_b_over_6():
    a, m, b = 10.0, 20.0, 60.0
    alpha, beta = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
    u = np.linspace(0.01, 0.99, 9)
    assert inverse_cdf(u, a, m, b, "pert") == pytest.approx(a + (b - a) * stats.beta.ppf(u, alpha, beta))
    assert a + (b - a) * stats.beta.mean(alpha, beta) == pytest.approx((a + 4 * m + b) / 6)
    assert inverse_cdf(np.array([0.3]), 5.0, 5.0, 5.0, "pert")[0] == 5.0  # no range: the planned figure


def one_project(tmp_path, uncertainty=None, risks=None, budget=None, **scenario):
    tables = {
        "projects": [
            {"id": "A", "name": "A", "value": 10, "cost": 100, "duration": 1},
            {"id": "B", "name": "B", "value": 10, "cost": 50, "duration": 1},
        ],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 2}],
    }
    if uncertainty:
        tables["uncertainty"] = uncertainty
    if risks:
        tables["risks"] = risks
    if budget:
        tables["budget"] = budget
    inputs = load_inputs(make_case(tmp_path, tables, periods=3, **scenario))
    return inputs, solve(inputs, solver="highs")


def test_one_project_quantiles_and_overrun_by_hand(tmp_path):
    inputs, result = one_project(
        tmp_path,
        [{"project": "A", "cost_low": 80, "cost_high": 140}],
        budget=[{"amount": 160}],
        risk={"samples": 40_000},
    )
    report = simulate(inputs, result)
    # total = A (triangular 80, 100, 140) + B (50): P50 = 50 + 140 - sqrt(0.5 * 60 * 40), P80 = 50 + 140 - sqrt(0.2 * 60 * 40)
    assert report.cost["p50"] == pytest.approx(190 - math.sqrt(1200), rel=5e-3)
    assert report.cost["p80"] == pytest.approx(190 - math.sqrt(480), rel=5e-3)
    assert report.cost["mean"] == pytest.approx(50 + (80 + 100 + 140) / 3, rel=5e-3)
    # A and B run in the same first period (budget 160): over it when A > 110, P = 30^2 / (60 * 40)
    first = inputs.data.horizon.label(0)
    assert report.budget_overrun_probability[first] == pytest.approx(900 / 2400, abs=0.01)


def test_correlation_one_doubles_the_variance_of_two_equal_projects(tmp_path):
    rows = [
        {"project": p, "cost_low": 0 if p == "A" else -50 + 50, "cost_high": 200 if p == "A" else 100}
        for p in ("A", "B")
    ]
    independent = simulate(*one_project(tmp_path / "0", rows, risk={"samples": 40_000, "correlation": 0.0}))
    together = simulate(*one_project(tmp_path / "1", rows, risk={"samples": 40_000, "correlation": 1.0}))
    spread = lambda r: r.cost["p90"] - r.cost["p10"]  # noqa: E731
    # with rho = 1 the two draws move as one: the total's spread grows, by about sqrt(2) for equal shapes
    assert spread(together) > 1.25 * spread(independent)


def test_risk_events_add_their_expected_cost_and_delay(tmp_path):
    inputs, result = one_project(
        tmp_path,
        risks=[
            {
                "id": "R1",
                "title": "vendor late",
                "project": "A",
                "probability": 0.3,
                "cost_impact": 50,
                "delay": 1,
                "status": "open",
            },
            {
                "id": "R2",
                "title": "closed one",
                "project": "A",
                "probability": 1.0,
                "cost_impact": 1000,
                "status": "closed",
            },
        ],
        risk={"samples": 40_000},
    )
    report = simulate(inputs, result)
    assert report.cost["mean"] == pytest.approx(150 + 0.3 * 50, rel=3e-3)
    finish = {f["id"]: f for f in report.finish}
    start = result.projects[0].start_index  # 70% on time, 30% a period late: P50 on time, P80 late
    assert finish["A"]["p50"] == inputs.data.horizon.label(start)
    assert finish["A"]["p80"] == inputs.data.horizon.label(start + 1)


def test_the_same_seed_gives_the_same_numbers(tmp_path):
    rows = [
        {
            "project": "A",
            "cost_low": 80,
            "cost_high": 140,
            "value_low": 5,
            "value_high": 20,
            "duration_low": 1,
            "duration_high": 2,
            "success_probability": 0.8,
            "distribution": "pert",
        }
    ]
    inputs, result = one_project(tmp_path, rows, risk={"samples": 5000, "seed": 7})
    first, again = simulate(inputs, result).to_json(), simulate(inputs, result).to_json()
    assert first == again
    assert simulate(inputs, result, seed=8).to_json() != first
    assert json.loads(first)["value"]["mean"] < 20


@pytest.mark.parametrize(
    "table, row, column, message",
    [
        ("uncertainty", {"project": "A", "cost_low": 120}, "cost_low", "above the planned cost"),
        ("uncertainty", {"project": "A", "cost_high": 90}, "cost_high", "below the planned cost"),
        ("uncertainty", {"project": "Z"}, "project", "unknown project"),
        ("uncertainty", {"project": "A", "distribution": "lognormal"}, "distribution", "not one of"),
        ("uncertainty", {"project": "A", "success_probability": 1.5}, "success_probability", "out of range"),
        ("risks", {"id": "R", "title": "t", "probability": 2}, "probability", "out of range"),
        ("risks", {"id": "R", "title": "t", "probability": 0.1, "status": "maybe"}, "status", "not one of"),
        ("risks", {"id": "R", "title": "t", "probability": 0.1, "project": "Z"}, "project", "unknown project"),
    ],
)
def test_bad_risk_tables_name_file_row_and_column(tmp_path, table, row, column, message):
    with pytest.raises(InputError) as error:
        one_project(tmp_path, **{table: [row]})
    problem = next(p for p in error.value.problems if message in str(p))
    assert problem.column == column and problem.row == 2 and f"{table}.csv" in problem.source


# ----------------------------------------------------------------------------- plans at a confidence level
def test_plan_at_uses_each_projects_quantile_and_the_checker_follows(tmp_path):
    rows = [{"project": "A", "cost_low": 80, "cost_high": 140, "duration_low": 1, "duration_high": 3}]
    budget = [{"amount": 160}]
    planned_inputs, planned = one_project(tmp_path / "planned", rows, budget=budget)
    p80_inputs, p80 = one_project(tmp_path / "p80", rows, budget=budget, risk={"plan_at": 0.8})
    cost_p80 = 140 - math.sqrt(0.2 * 60 * 40)  # triangular(80, 100, 140) at 0.8
    duration_p80 = round(3 - math.sqrt(0.2 * 2 * 2))  # triangular(1, 1, 3) at 0.8: 2.37, two periods
    a = {p.id: p for p in p80.projects}["A"]
    assert a.cost == pytest.approx(cost_p80)
    assert p80_inputs.data.projects.loc["A", "duration"] == duration_p80 == 2
    assert p80_inputs.estimates.projects.loc["A", "cost"] == 100  # the estimates are kept as loaded
    # both projects fit one period at the planned figures; at P80, A's 168/2 a period beside B's 50 still fits
    assert {p.id for p in planned.selected} == {"A", "B"}
    assert a.selected and a.finish != a.start
    # the plan's spend per period is A's P80 cost spread over its P80 duration
    spend = sum(r.spend for r in p80.budget)
    assert spend == pytest.approx(cost_p80 + 50)


def test_plan_at_leaves_out_what_only_fits_at_the_planned_figures(tmp_path):
    rows = [{"project": "A", "cost_low": 80, "cost_high": 140}]
    budget = [{"amount": 155}]
    _, planned = one_project(tmp_path / "planned", rows, budget=budget, horizon={"start": "2027-01", "periods": 1})
    _, p80 = one_project(
        tmp_path / "p80", rows, budget=budget, horizon={"start": "2027-01", "periods": 1}, risk={"plan_at": 0.8}
    )
    assert {p.id for p in planned.selected} == {"A", "B"}  # 100 + 50 <= 155
    assert len(p80.selected) == 1  # 125.3 + 50 > 155: only one of them


def test_stretched_profiles_keep_cost_shape_and_fte_per_period(tmp_path):
    from workbench.data.confidence import Figures, with_figures

    tables = {
        "projects": [{"id": "A", "name": "A", "value": 10, "cost": 40, "duration": 2}],
        "costs": [{"project": "A", "offset": 0, "amount": 10}, {"project": "A", "offset": 1, "amount": 30}],
        "demand": [
            {"project": "A", "role": "dev", "fte": 1, "offset": 0},
            {"project": "A", "role": "dev", "fte": 3, "offset": 1},
            {"project": "A", "role": "ba", "fte": 0.5},
        ],
        "capacity": [{"role": "dev", "fte": 5}, {"role": "ba", "fte": 1}],
    }
    inputs = load_inputs(make_case(tmp_path, tables, periods=6))
    stretched = with_figures(inputs.portfolio, {"A": Figures(80.0, 4, 10.0)})
    costs = stretched.table("costs").sort_values("offset")
    # cumulative 0, 10, 40 read at 0, .5, 1, 1.5, 2: 0, 5, 10, 25, 40 -> 5, 5, 15, 15, doubled to 80
    assert costs["amount"].tolist() == pytest.approx([10, 10, 30, 30])
    dev = stretched.table("demand").query("role == 'dev'").sort_values("offset")
    assert dev[["offset", "fte"]].values.tolist() == [[0, 1], [1, 1], [2, 3], [3, 3]]
    assert inputs.portfolio.table("costs")["amount"].tolist() == [10, 30]  # the loaded tables are untouched


# ----------------------------------------------------------------------------- re-solved futures
def two_projects_one_period(tmp_path, **risk):
    inputs = load_inputs(make_case(tmp_path, two_uncertain_projects(), periods=1, risk={"seed": 3, **risk}))
    return inputs, solve(inputs, solver="highs")


def test_core_index_and_regret_against_each_future_worked_by_hand(tmp_path):
    from workbench.analyses.futures import future_tasks, solve_futures
    from workbench.ground.executor import LocalExecutor

    inputs, result = two_projects_one_period(tmp_path)
    assert {p.id for p in result.selected} == {"A", "B"}
    futures = 12
    summary = solve_futures(inputs, result, futures, executor=LocalExecutor(1), solver="highs")
    tasks = future_tasks(inputs, result, futures, 3)
    optimum, chosen_best, counts = [], [], {"A": 0, "B": 0}
    for task in tasks:  # one period of budget 160: both when they fit, else the better one that fits
        a, b = task.figures["A"], task.figures["B"]
        fits = {"A": a.cost <= 160, "B": b.cost <= 160}
        best = max(
            [(a.value + b.value, {"A", "B"})]
            if a.cost + b.cost <= 160
            else [(f.value, {p}) for p, f in (("A", a), ("B", b)) if fits[p]] + [(0.0, set())],
            key=lambda pair: pair[0],
        )
        optimum.append(best[0])
        for p in best[1]:
            counts[p] += 1
        chosen_best.append(a.value + b.value if a.cost + b.cost <= 160 else None)
    share = {c["id"]: c["share"] for c in summary.core_index}
    assert share == pytest.approx({p: counts[p] / futures for p in counts})
    fitting = [o - c for o, c in zip(optimum, chosen_best) if c is not None]
    assert summary.regret["chosen_does_not_fit"] == futures - len(fitting)
    assert summary.regret["proven"] == len(fitting)
    if fitting:
        assert summary.regret["mean"] == pytest.approx(np.mean(fitting), abs=1e-6)
    funded = [o - (t.figures["A"].value + t.figures["B"].value) for o, t in zip(optimum, tasks)]
    assert summary.regret["funded"]["mean"] == pytest.approx(np.mean(funded), abs=1e-6)
    assert 0 < summary.regret["chosen_does_not_fit"] < futures  # the case exercises both branches


def test_futures_are_the_same_with_one_and_two_workers(tmp_path):
    from workbench.analyses.futures import solve_futures
    from workbench.ground.executor import LocalExecutor

    inputs, result = two_projects_one_period(tmp_path, correlation=0.5)
    one = solve_futures(inputs, result, 6, executor=LocalExecutor(1))
    two = solve_futures(inputs, result, 6, executor=LocalExecutor(2))
    assert one == two
    assert solve_futures(inputs, result, 6, seed=4, executor=LocalExecutor(1)) != one


def test_without_uncertainty_every_future_is_the_plan_and_regret_is_zero(sample_dir, tmp_path):
    from workbench.analyses.futures import solve_futures
    from workbench.ground.executor import LocalExecutor

    inputs = load_inputs(make_case(tmp_path, periods=3))
    result = solve(inputs, solver="highs")
    summary = solve_futures(inputs, result, 3, executor=LocalExecutor(1))
    assert summary.regret["proven"] == 3
    assert summary.regret["max"] == pytest.approx(0, abs=1e-6) and summary.regret["funded"]["max"] == pytest.approx(
        0, abs=1e-6
    )
    committed = {p.id for p in result.selected if p.commitment}
    assert committed and {c["id"] for c in summary.core_index if c["share"] == 1} >= committed


def test_risk_command_json_with_resolve(tmp_path):
    import subprocess
    import sys

    inputs, _ = two_projects_one_period(tmp_path)
    outcome = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            "risk",
            str(inputs.scenario.path),
            "--samples",
            "500",
            "--resolve",
            "3",
            "--workers",
            "2",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert outcome.returncode == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    assert {
        "samples",
        "seed",
        "cost",
        "value",
        "budget_overrun_probability",
        "capacity_overload_probability",
        "finish",
        "drivers",
        "core_index",
        "regret",
    } <= set(report)
    assert report["samples"] == 500 and set(report["cost"]) == {"mean", "p10", "p50", "p80", "p90"}
    assert {c["id"] for c in report["core_index"]} == {"A", "B"}
    assert report["regret"]["futures"] == 3


def test_the_report_resolves_its_futures_with_its_own_solver_and_shows_them(tmp_path):
    from workbench.analyses.futures import solve_futures
    from workbench.analyses.study import study_scenario
    from workbench.faces.report_sections import ScenarioReport
    from workbench.ground.executor import LocalExecutor

    scenario = make_case(tmp_path, two_uncertain_projects(), periods=1, risk={"seed": 3})
    report = ScenarioReport.rendering(study_scenario(scenario, solver="highs", frontier_points=2, risk_futures=8))
    direct = solve_futures(report.inputs, report.result, 8, executor=LocalExecutor(1), solver="highs")
    assert report.futures == direct
    assert "risk futures" in report.timings and report.seconds >= report.timings["risk futures"]
    page = "".join(part._repr_html_() for part in report.risk())
    assert "Core index" in page and "<svg" in page
    # without futures asked for, the section says nothing about them
    plain = ScenarioReport.rendering(study_scenario(scenario, solver="highs", frontier_points=2))
    assert plain.futures is None and "Core index" not in "".join(p._repr_html_() for p in plain.risk())
