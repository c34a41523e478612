"""Portfolios a new user might write from the format document alone."""

from __future__ import annotations

import pytest
from portfolio_kit import make_case

from workbench.analyses.check import check_result
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve


def test_one_period_horizon_zero_costs_no_optional_tables(tmp_path):
    tables = {
        "projects": [
            {"id": f"p{i}", "name": f"P {i}", "value": v, "cost": 0, "duration": 1}
            for i, v in enumerate([3.25, 2.5, 4.75, 0.0])
        ],
        "demand": [{"project": f"p{i}", "role": "analyst", "fte": f} for i, f in enumerate([0.5, 0.25, 0.75, 0.1])],
        "capacity": [{"role": "analyst", "fte": 1.0}],
    }
    inputs = load_inputs(make_case(tmp_path, tables, periods=1))
    result = solve(inputs)
    # best: p0 + p1 (0.75 FTE, 5.75) vs p2 + p1 (1.0 FTE, 7.25) vs p0 + p2 (1.25 > 1)
    assert result.objective == pytest.approx(7.25)
    assert {p.id for p in result.selected} >= {"p1", "p2"}
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
    assert all(row.budget is None for row in result.budget)


def test_hundreds_of_roles(tmp_path):
    roles = [f"role_{i:03d}" for i in range(300)]
    tables = {
        "projects": [{"id": f"p{i}", "name": f"P {i}", "value": 10 + i, "cost": 5, "duration": 2} for i in range(20)],
        "demand": [
            {"project": f"p{i}", "role": roles[(i * 7 + k) % 300], "fte": 1} for i in range(20) for k in range(3)
        ],
        "capacity": [{"role": r, "fte": 1} for r in roles],
    }
    inputs = load_inputs(make_case(tmp_path, tables, periods=4))
    result = solve(inputs, solver="highs")
    assert result.status.value == "optimal"
    assert len(result.capacity) == 300 * 4
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []


def test_quarterly_portfolio_with_everything_optional_present(tmp_path):
    tables = {
        "projects": [
            {
                "id": "core",
                "name": "Core",
                "value": 50,
                "cost": 40,
                "duration": 2,
                "category": "platform",
                "status": "approved",
            },
            {"id": "app", "name": "App", "value": 70, "cost": 30, "duration": 1, "category": "growth"},
            {"id": "alt", "name": "Alt", "value": 65, "cost": 10, "duration": 1, "category": "growth"},
        ],
        "demand": [
            {"project": "core", "role": "dev", "fte": 1},
            {"project": "app", "role": "dev", "fte": 1},
            {"project": "alt", "role": "dev", "fte": 1},
        ],
        "capacity": [{"role": "dev", "fte": 2}],
        "budget": [{"amount": 40}],
        "costs": [{"project": "core", "offset": 0, "amount": 30}, {"project": "core", "offset": 1, "amount": 10}],
        "dependencies": [{"project": "app", "requires": "core"}],
        "exclusions": [{"group": "channel", "project": "app"}, {"group": "channel", "project": "alt"}],
        "criteria": [{"criterion": "fit", "weight": 1}],
    }
    for row in tables["projects"]:
        row["score_fit"] = 1
    inputs = load_inputs(make_case(tmp_path, tables, periods=3, granularity="quarter"))
    result = solve(inputs)
    starts = {p.id: p.start for p in result.selected}
    # app needs core finished (2027Q2), so it can start 2027Q3 and beats alt
    assert starts == {"core": "2027Q1", "app": "2027Q3"}
    assert result.objective == pytest.approx(120)
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_ties_go_to_earlier_starts_and_the_objective_excludes_the_tie_break(tmp_path, solver):
    tables = {
        "projects": [{"id": f"P{i}", "name": f"P {i}", "value": 10 + i, "cost": 0, "duration": 1} for i in range(4)],
        "demand": [{"project": f"P{i}", "role": "dev", "fte": 1} for i in range(4)],
        "capacity": [{"role": "dev", "fte": 2}],
    }
    result = solve(load_inputs(make_case(tmp_path, tables, periods=6)), solver=solver)
    starts = sorted(p.start for p in result.projects)
    assert starts == ["2027-01", "2027-01", "2027-02", "2027-02"]  # as early as capacity allows
    assert result.objective == 10 + 11 + 12 + 13  # exactly: no tie-break term in it
