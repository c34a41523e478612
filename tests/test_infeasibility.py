"""Each conflict kind on a small portfolio whose answer is worked out by hand, and an elastic
plan that holds no optional project it does not need."""

from __future__ import annotations

import pytest
from portfolio_kit import make_case

from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve


def conflicts_of(tmp_path, tables, periods=1, **scenario):
    result = solve(load_inputs(make_case(tmp_path, tables, periods=periods, **scenario)), solver="highs")
    assert result.status.value == "infeasible"
    return {(c.kind, c.role or c.project or c.category or c.period): c for c in result.conflicts}


def one_project(**project):
    row = {"id": "A", "name": "A", "value": 10, "cost": 100, "duration": 1, "mandatory": "true", "category": "x"}
    row.update(project)
    return row


def test_capacity_conflict_is_the_missing_fte(tmp_path):
    # A needs 3 dev, there are 2: one FTE short in its one period; the optional B (dev 1) stays out
    tables = {
        "projects": [one_project(), {"id": "B", "name": "B", "value": 5, "cost": 1, "duration": 1}],
        "demand": [{"project": "A", "role": "dev", "fte": 3}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 2}],
    }
    conflicts = conflicts_of(tmp_path, tables)
    assert set(conflicts) == {("capacity", "dev")}
    conflict = conflicts[("capacity", "dev")]
    assert conflict.amount == pytest.approx(1.0) and conflict.period == "2027-01"
    assert "demand of the relaxed plan 3.00 against capacity 2.00: A" in conflict.message


def test_budget_conflicts_per_period_and_in_total(tmp_path):
    # A costs 100 in its period, whose budget is 60: 40 short; the total of 50 is 50 short
    tables = {
        "projects": [one_project()],
        "demand": [{"project": "A", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}],
        "budget": [{"amount": 60}],
    }
    conflicts = conflicts_of(tmp_path, tables, budget={"total": 50})
    assert conflicts[("budget", "2027-01")].amount == pytest.approx(40.0)
    assert conflicts[("budget_total", None)].amount == pytest.approx(50.0)


def test_balance_conflict_is_the_cost_over_the_share(tmp_path):
    # x may be at most 25% of cost; A (x) and B (y) cost 100 each: x is 100 - 0.25 * 200 = 50 over
    tables = {
        "projects": [one_project(), one_project(id="B", name="B", category="y")],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 2}],
    }
    conflicts = conflicts_of(tmp_path, tables, balance={"x": {"max": 0.25}})
    assert set(conflicts) == {("balance_max", "x")}
    assert conflicts[("balance_max", "x")].amount == pytest.approx(50.0)


def test_window_conflict_is_the_periods_outside_the_window(tmp_path):
    # A must start in 2027-01 but needs B (two periods) first: the nearest start is 2027-03, 2 out
    tables = {
        "projects": [
            one_project(latest_start="2027-01"),
            {"id": "B", "name": "B", "value": 0, "cost": 0, "duration": 2},
        ],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}],
        "dependencies": [{"project": "A", "requires": "B"}],
    }
    conflicts = conflicts_of(tmp_path, tables, periods=4)
    assert set(conflicts) == {("window", "A")}
    assert conflicts[("window", "A")].amount == pytest.approx(2.0)
    assert conflicts[("window", "A")].period == "2027-03"


def test_commitment_conflict_names_what_makes_it_impossible(tmp_path):
    # A needs B, which the scenario forces out: A cannot be scheduled at all
    tables = {
        "projects": [one_project(), {"id": "B", "name": "B", "value": 0, "cost": 0, "duration": 1}],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}],
        "dependencies": [{"project": "A", "requires": "B"}],
    }
    conflicts = conflicts_of(tmp_path, tables, periods=3, force_out=["B"])
    assert set(conflicts) == {("commitment", "A")}
    assert conflicts[("commitment", "A")].amount == pytest.approx(1.0)
    assert "requires B, which is forced out" in conflicts[("commitment", "A")].message


def test_optional_projects_enter_the_relaxed_plan_only_where_they_help(tmp_path):
    # the capacity conflict of A is 1 FTE whatever the optional projects do; C (category y) is
    # needed for y's 30% minimum share (cost 60 of 160 = 37.5%), D is not needed and stays out
    tables = {
        "projects": [
            one_project(),
            {"id": "C", "name": "C", "value": 1, "cost": 60, "duration": 1, "category": "y"},
            {"id": "D", "name": "D", "value": 1, "cost": 5, "duration": 1, "category": "x"},
        ],
        "demand": [
            {"project": "A", "role": "dev", "fte": 3},
            {"project": "C", "role": "ops", "fte": 1},
            {"project": "D", "role": "ops", "fte": 1},
        ],
        "capacity": [{"role": "dev", "fte": 2}, {"role": "ops", "fte": 2}],
    }
    conflicts = conflicts_of(tmp_path, tables, balance={"y": {"min": 0.3}})
    assert set(conflicts) == {("capacity", "dev")}
    assert conflicts[("capacity", "dev")].amount == pytest.approx(1.0)


def test_a_free_optional_project_stays_out_of_the_relaxed_plan(tmp_path):
    # D costs nothing and has room: free in a slack-only model, it would be listed as running
    tables = {
        "projects": [one_project(), {"id": "D", "name": "D", "value": 10, "cost": 0, "duration": 1}],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "D", "role": "ops", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}, {"role": "ops", "fte": 1}],
        "budget": [{"amount": 60}],
    }
    conflicts = conflicts_of(tmp_path, tables)
    message = conflicts[("budget", "2027-01")].message
    assert message.endswith("against 60.00: A)"), message
