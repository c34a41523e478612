"""The neighbourhood search that improves time-limited plans: every plan it keeps is a plan of the
whole model, it never loses the incumbent, it reaches the exhaustive optimum when a neighbourhood
covers every project, and a time-limited ``auto`` run using it says its gap from a true bound."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pulp
import pytest
from brute import brute_force, random_case
from portfolio_kit import make_case

from workbench.analyses.check import check_result
from workbench.analyses.solve import solve
from workbench.data.planning_data import load_inputs
from workbench.data.scenario import SolverSpec
from workbench.ground.status import SolveStatus
from workbench.model import neighbourhood
from workbench.model.formulation import build_model
from workbench.model.solvers import run_solver

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))


def _worst_plan(problem: pulp.LpProblem) -> float:
    """Leave the worst feasible plan in the variables (the objective turned round, then back)."""
    objective = problem.objective
    problem.setObjective(-objective)
    run = run_solver(problem, SolverSpec(name="cbc"))
    problem.setObjective(objective)
    assert run.status is SolveStatus.OPTIMAL
    return pulp.value(problem.objective)


@pytest.mark.parametrize("seed", [s for s in range(40) if brute_force(*random_case(s)) is not None][:12])
def test_a_neighbourhood_of_every_project_reaches_the_exhaustive_optimum(tmp_path, seed):
    tables, scenario, periods = random_case(seed)
    inputs = load_inputs(make_case(tmp_path, tables, periods=periods, **scenario))
    problem, options, hired, _ = build_model(inputs.data)
    worst = _worst_plan(problem)
    report = neighbourhood.improve_plan(problem, options, inputs.data, time.monotonic() + 5)
    objective = sum(
        inputs.data.coefficient_by_option[(p, s)]
        for p, s, v in options[["project", "start", "var"]].itertuples(index=False)
        if (v.varValue or 0) > 0.5
    )
    assert objective == pytest.approx(brute_force(tables, scenario, periods), rel=1e-9, abs=1e-7)
    assert report.rounds >= 1 and pulp.value(problem.objective) >= worst - 1e-9
    assert problem.valid(1e-6), "the plan left in the variables breaks a constraint"


def test_small_neighbourhoods_keep_a_feasible_plan_never_worse_than_the_start(tmp_path, monkeypatch):
    """Two projects free at a time on 100 projects: local moves only, each one a whole plan."""
    from generate import generate

    inputs = load_inputs(generate(tmp_path, 100))
    problem, options, *_ = build_model(inputs.data)
    worst = _worst_plan(problem)
    monkeypatch.setattr(neighbourhood, "FIRST_SHARE", 0.0)
    monkeypatch.setattr(neighbourhood, "SMALLEST", 2)
    report = neighbourhood.improve_plan(problem, options, inputs.data, time.monotonic() + 4)
    assert report.rounds > 3 and report.improved >= 1
    assert pulp.value(problem.objective) == pytest.approx(worst + report.gained, rel=1e-9)
    assert report.gained > 0 and problem.valid(1e-6)


@pytest.mark.slow
def test_a_time_limited_auto_run_improves_by_search_and_says_its_gap(tmp_path):
    """500 generated projects, 8 s: the plan passes the independent checker, the gap is measured
    from the solvers' bound (at least the objective), and it is never called optimal."""
    from generate import generate

    inputs = load_inputs(generate(tmp_path, 500))
    result = solve(inputs, solver="auto", time_limit=8)
    assert result.status is SolveStatus.FEASIBLE
    assert result.bound is not None and result.bound >= result.objective
    assert result.gap == pytest.approx((result.bound - result.objective) / result.objective, rel=1e-6)
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
    assert result.solver["name"].startswith("auto")


def test_a_round_fixes_only_its_variables_and_restores_their_bounds(tmp_path):
    from generate import generate
    from workbench.model.highs import HighsRounds

    inputs = load_inputs(generate(tmp_path, 40))
    problem, options, *_ = build_model(inputs.data)
    rounds = HighsRounds(problem)
    before = (list(rounds.model.getLp().col_lower_), list(rounds.model.getLp().col_upper_))
    names = [v.name for v in options["var"]]
    fixed = {name: 0.0 for name in names}  # nothing may start: only hiring is left, at zero
    status, objective, values = rounds.solve(fixed, {}, 5, None)
    assert status is SolveStatus.OPTIMAL and all(values[name] == 0 for name in names)
    assert (list(rounds.model.getLp().col_lower_), list(rounds.model.getLp().col_upper_)) == before
    status, free_objective, _ = rounds.solve({}, values, 5, None)
    assert free_objective > objective  # the same model, nothing fixed any more


def test_the_race_is_asked_for_a_plan_by_half_the_limit_and_no_plan_is_never_searched(monkeypatch):
    """The race gets the whole limit with a plan wanted by half of it; a race that ends without
    a plan (e.g. an infeasibility it could not prove) is not handed to the search."""
    from workbench.model import formulation
    from workbench.model.solver_run import SolverRun
    from conftest import SAMPLE

    calls = []

    def fake_run(problem, settings, **options):
        calls.append((settings.time_limit, options.get("plan_by")))
        return SolverRun(SolveStatus.NOT_SOLVED, None, None, "auto")

    monkeypatch.setattr(formulation, "run_solver", fake_run)
    monkeypatch.setattr(formulation, "improve_plan", lambda *a, **k: pytest.fail("searched without a plan"))
    data = load_inputs(SAMPLE / "baseline.yaml").data
    plan = formulation.find_plan(data, SolverSpec(name="auto", time_limit=10))
    assert plan.status is SolveStatus.NOT_SOLVED
    assert calls == [(10, pytest.approx(5))]


def test_without_a_plan_by_then_highs_goes_on_to_the_limit(monkeypatch):
    """CBC stops at plan_by (here it ends at once with nothing); HiGHS, with no plan from either,
    keeps the limit and proves the sample's infeasible scenario; a plan, once there, ends it."""
    from workbench.model import cbc, solvers
    from workbench.model.solver_run import SolverRun
    from conftest import SAMPLE

    monkeypatch.setattr(
        cbc.CbcJob, "run", lambda self, stop: (SolverRun(SolveStatus.NOT_SOLVED, None, None, "cbc"), None)
    )
    problem, *_ = build_model(load_inputs(SAMPLE / "dora-deadline.yaml").data)
    run = solvers.run_solver(problem, SolverSpec(name="auto", time_limit=20), plan_by=0.0)
    assert run.status is SolveStatus.INFEASIBLE and run.solver == "auto: highs"
    problem, *_ = build_model(load_inputs(SAMPLE / "baseline.yaml").data)
    run = solvers.run_solver(problem, SolverSpec(name="auto", time_limit=20), plan_by=0.0)
    assert run.status is SolveStatus.FEASIBLE and run.solver == "auto: highs"  # stopped at its first plan
