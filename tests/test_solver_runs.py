"""Solver runs: options as documented, runs that do not step on each other, and the +1 tester
case that CBC's threaded search once got wrong."""

from __future__ import annotations

from pathlib import Path
import threading
import time

import pytest
from conftest import SAMPLE
from portfolio_kit import write_scenario

from workbench.data.planning_data import load_inputs
from workbench.data.scenario import SolverSpec
from workbench.ground.status import SolveStatus
from workbench.model.formulation import build_model, find_plan
from workbench.model.cbc import cbc_command
from workbench.analyses.solve import solve

BASELINE_OPTIMUM = 21_174_000.0


def test_cbc_runs_serially_unless_threads_are_asked_for():
    inputs = load_inputs(SAMPLE / "baseline.yaml")
    problem, *_ = build_model(inputs.data)
    default = cbc_command(problem, SolverSpec(name="cbc"), "m.mps", "m.sol", None)
    assert "-threads" not in default
    assert "-threads" not in cbc_command(
        problem, SolverSpec(name="cbc", time_limit=5, gap=0.01), "m.mps", "m.sol", None
    )
    assert cbc_command(problem, SolverSpec(name="cbc", threads=2), "m.mps", "m.sol", None)[-7:-5] == ["-threads", "2"]


def test_highs_keeps_one_thread_count_whatever_the_scenario_asks():
    """HiGHS keeps one thread pool per process: a solve asking for another size than the first
    ended with no plan. Every solve uses every core but one, and each finds its plan."""
    from workbench.model.highs import HIGHS_THREADS, HighsRounds, solve_highs

    inputs = load_inputs(SAMPLE / "baseline.yaml")
    for asked in (None, HIGHS_THREADS + 1, None):
        problem, *_ = build_model(inputs.data)
        run = solve_highs(problem, SolverSpec(name="highs", threads=asked, time_limit=10), False, None)
        assert run.status.has_plan
        assert problem.solverModel.getOptionValue("threads")[1] == HIGHS_THREADS
    problem, *_ = build_model(inputs.data)
    assert HighsRounds(problem).model.getOptionValue("threads")[1] == HIGHS_THREADS  # the search's streams


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_one_more_tester_keeps_the_baseline_optimum(tmp_path, solver):
    """Capacity that no plan needs cannot lower the proven optimum (CBC with -threads 1 gave 20,996,000)."""
    path = write_scenario(
        tmp_path / "tester.yaml",
        {"extends": str(SAMPLE / "baseline.yaml"), "capacity": [{"role": "tester", "delta": 1}]},
    )
    result = solve(load_inputs(path), solver=solver)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(BASELINE_OPTIMUM, abs=1e-6)


def test_solver_threads_key_reaches_the_command(tmp_path):
    path = write_scenario(
        tmp_path / "t.yaml", {"extends": str(SAMPLE / "baseline.yaml"), "solver": {"name": "cbc", "threads": 2}}
    )
    assert load_inputs(path).scenario.spec.solver.threads == 2


@pytest.mark.parametrize("solver", ["cbc", "highs", "auto"])
def test_a_stop_request_ends_only_its_own_solve(solver):
    """Two solves in two threads; the one asked to stop (before it could finish, whatever the
    machine's speed: the request is there when it starts) ends without a proof, the other proves
    the optimum."""
    data = load_inputs(SAMPLE / "baseline.yaml").data
    stop = threading.Event()
    stop.set()
    plans = {}

    def run(name, stop_event):
        plans[name] = find_plan(data, SolverSpec(name=solver), stop=stop_event)

    stopped = threading.Thread(target=run, args=("stopped", stop))
    kept = threading.Thread(target=run, args=("kept", None))
    kept.start()
    stopped.start()
    stopped.join()
    kept.join()
    assert plans["kept"].status is SolveStatus.OPTIMAL
    assert plans["kept"].objective == pytest.approx(BASELINE_OPTIMUM)
    assert plans["stopped"].status is not SolveStatus.OPTIMAL, plans["stopped"]


def test_cbc_processes_are_not_left_running_after_a_stop():
    psutil = pytest.importorskip("psutil")
    from pulp.apis.coin_api import pulp_cbc_path

    data = load_inputs(SAMPLE / "baseline.yaml").data
    stop = threading.Event()
    worker = threading.Thread(target=find_plan, args=(data, SolverSpec(name="cbc")), kwargs={"stop": stop})
    worker.start()
    time.sleep(0.3)
    stop.set()
    worker.join()
    cbc = []
    for child in psutil.Process().children(recursive=True):
        try:  # a child ending while it is looked at (a zombie, or gone) is not a CBC left running
            if child.status() != psutil.STATUS_ZOMBIE and (
                child.name() == "cbc" or pulp_cbc_path in " ".join(child.cmdline())
            ):
                cbc.append(child)
        except psutil.Error:
            continue
    assert cbc == []


def _tiny_problem():
    import pulp

    problem = pulp.LpProblem("tiny", pulp.LpMaximize)
    x, y = pulp.LpVariable("x", cat="Binary"), pulp.LpVariable("y", cat="Binary")
    problem += 3 * x + 2 * y
    problem += x + y <= 1
    return problem, x, y


def test_the_race_keeps_the_better_plan_and_the_better_bound():
    from workbench.model.race import race_result
    from workbench.model.solver_run import SolverRun

    problem, x, y = _tiny_problem()

    class Job:  # CBC's side: its values are assigned only if it wins
        assigned = None

        def assign(self, values):
            Job.assigned = values

    # neither proved: HiGHS has the better plan (3), CBC the better bound (3.5): gap from 3.5
    outcomes = {
        "cbc": (SolverRun(SolveStatus.FEASIBLE, 2.0, 3.5, "cbc"), {"x": 0, "y": 1}),
        "highs": (SolverRun(SolveStatus.FEASIBLE, 3.0, 4.0, "highs"), {"x": 1, "y": 0}),
    }
    run = race_result(problem, Job(), outcomes)
    assert (run.status, run.objective, run.bound, run.solver) == (SolveStatus.FEASIBLE, 3.0, 3.5, "auto: highs")
    assert x.varValue == 1 and y.varValue == 0 and Job.assigned is None
    # a proof of optimality by one side is the answer; the other's worse plan is dropped
    outcomes = {
        "cbc": (SolverRun(SolveStatus.OPTIMAL, 3.0, 3.0, "cbc"), {"x": 1, "y": 0}),
        "highs": (SolverRun(SolveStatus.FEASIBLE, 2.0, 4.0, "highs"), {"x": 0, "y": 1}),
    }
    run = race_result(problem, Job(), outcomes)
    assert (run.status, run.objective, run.solver) == (SolveStatus.OPTIMAL, 3.0, "auto: cbc")
    assert Job.assigned == {"x": 1, "y": 0}
    # the better bound closes the other's gap: proven by the two together
    outcomes = {
        "cbc": (SolverRun(SolveStatus.NOT_SOLVED, None, 3.0, "cbc"), None),
        "highs": (SolverRun(SolveStatus.FEASIBLE, 3.0, 5.0, "highs"), {"x": 1, "y": 0}),
    }
    assert race_result(problem, Job(), outcomes).status is SolveStatus.OPTIMAL
    # an infeasibility proof wins; no plan and no proof is not solved
    outcomes = {
        "cbc": (SolverRun(SolveStatus.INFEASIBLE, None, None, "cbc"), None),
        "highs": (SolverRun(SolveStatus.NOT_SOLVED, None, None, "highs"), None),
    }
    assert race_result(problem, Job(), outcomes).status is SolveStatus.INFEASIBLE
    outcomes = {
        "cbc": (SolverRun(SolveStatus.NOT_SOLVED, None, None, "cbc"), None),
        "highs": (SolverRun(SolveStatus.NOT_SOLVED, None, 7.0, "highs"), None),
    }
    assert race_result(problem, Job(), outcomes).status is SolveStatus.NOT_SOLVED


def test_a_time_limited_race_is_never_called_optimal_unless_proven(tmp_path):
    """A 0.3 s race on a 500-project portfolio: whatever it found is labelled with its gap."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    inputs = load_inputs(generate(tmp_path, 500))
    plan = find_plan(inputs.data, SolverSpec(name="auto", time_limit=0.3))
    if plan.status is SolveStatus.OPTIMAL:  # then the bound must say so
        assert plan.bound is not None and plan.bound <= plan.objective + 1e-6 * abs(plan.objective)
    elif plan.objective is not None:
        assert plan.status is SolveStatus.FEASIBLE and plan.gap is not None and plan.gap > 0


def test_plans_shown_before_the_end_are_whole_plans_never_called_optimal():
    """The app shows HiGHS's plans while it proves: each passes the independent checker, is
    labelled feasible, is no better than the proven optimum, and its bound is a true bound."""
    from workbench.analyses.check import check_result
    from workbench.analyses.solve import PlanWatch, provisional_result

    inputs = load_inputs(SAMPLE / "hire-data-engineers.yaml")
    watch, outcome = PlanWatch(), {}
    solving = threading.Thread(target=lambda: outcome.update(result=solve(inputs, "highs", watch=watch)))
    solving.start()
    seen = {}
    while solving.is_alive():
        provisional = provisional_result(inputs, watch)
        if provisional is not None:
            seen[provisional.objective] = provisional
        time.sleep(0.02)
    final = outcome["result"]
    assert final.status is SolveStatus.OPTIMAL and seen, "HiGHS reported plans before its proof"
    for provisional in seen.values():
        assert provisional.status is SolveStatus.FEASIBLE
        assert check_result(inputs.portfolio, inputs.scenario.spec, provisional) == []
        assert provisional.objective <= final.objective + 1e-6
        if provisional.bound is not None:
            assert provisional.bound >= final.objective - 1e-6 * final.objective
            assert provisional.gap == pytest.approx((provisional.bound - provisional.objective) / provisional.objective)


def test_why_a_solve_stopped_is_kept_and_said():
    """A spent deadline, a stop request and a requested gap each say so; a proof says nothing."""
    from workbench.analyses.sweep import GridAxis, sweep
    from workbench.faces.views import result_text
    from workbench.ground.executor import LocalExecutor
    from workbench.ground.status import StopReason
    from workbench.planning.runs import Deadline

    assert StopReason.of(SolveStatus.OPTIMAL, 0.0, 0.0, True) is None
    assert StopReason.of(SolveStatus.INFEASIBLE, None, 0.0, False) is None
    assert StopReason.of(SolveStatus.NOT_SOLVED, None, 0.0, True) is StopReason.STOPPED
    assert StopReason.of(SolveStatus.FEASIBLE, 0.004, 0.01, False) is StopReason.GAP_REACHED
    assert StopReason.of(SolveStatus.FEASIBLE, 0.02, 0.01, False) is StopReason.TIME_LIMIT
    assert StopReason.of(SolveStatus.NOT_SOLVED, None, 0.01, False) is StopReason.TIME_LIMIT

    inputs = load_inputs(SAMPLE / "baseline.yaml")
    spent = solve(inputs, deadline=Deadline(0))
    assert spent.status is SolveStatus.NOT_SOLVED and spent.stopped_by is StopReason.TIME_LIMIT
    text = result_text(spent)
    assert "time limit before it found any plan" in text and "conflicts" not in text
    assert spent.projects[0].reason.startswith("The solver reached its time limit")
    assert spent.to_dict()["stopped_by"] == "time_limit"

    loose = solve(inputs, solver="highs", gap=0.5)
    assert loose.stopped_by is (StopReason.GAP_REACHED if loose.status is SolveStatus.FEASIBLE else None)
    proven = solve(inputs, solver="highs")
    assert proven.status is SolveStatus.OPTIMAL and proven.stopped_by is None

    stop = threading.Event()
    stop.set()
    asked = find_plan(inputs.data, SolverSpec(name="highs"), stop=stop)
    assert asked.stopped_by is (None if asked.status is SolveStatus.OPTIMAL else StopReason.STOPPED)

    point = sweep(
        inputs.scenario, inputs.portfolio, [GridAxis("--grid solver.gap=0", "solver.gap", (0.0,))], LocalExecutor(1)
    ).points[0]
    assert point.status is SolveStatus.OPTIMAL and point.stopped_by is None


def test_a_large_model_gets_the_default_time_limit_and_says_so(monkeypatch):
    """No unbounded default: a model past LARGE_MODEL_OPTIONS start options runs under
    DEFAULT_TIME_LIMIT when nobody set a limit, and the output says so; a limit set by the
    scenario or the command is used as given, and a small model is solved to proof."""
    from workbench.faces.views import result_text
    from workbench.planning import runs

    inputs = load_inputs(SAMPLE / "baseline.yaml")
    small = solve(inputs, solver="highs")
    assert small.solver["time_limit"] is None and not small.solver["default_time_limit"]
    assert "the default for a model" not in result_text(small)
    monkeypatch.setattr(runs, "LARGE_MODEL_OPTIONS", len(inputs.data.start_options) - 1)
    large = solve(inputs, solver="highs")
    assert large.solver["time_limit"] == runs.DEFAULT_TIME_LIMIT and large.solver["default_time_limit"]
    assert f"Time limit {runs.DEFAULT_TIME_LIMIT:g} s: the default for a model of 199 start options" in (
        result_text(large)
    )
    assert large.status is SolveStatus.OPTIMAL  # the sample proves well within it
    given = solve(inputs, solver="highs", time_limit=30)
    assert given.solver["time_limit"] == 30 and not given.solver["default_time_limit"]


def test_a_long_solve_says_how_it_goes():
    """Past `every` seconds, a line on standard error with the elapsed time, the best plan, its
    bound and gap; a block that ends first prints nothing."""
    import contextlib
    import io

    from workbench.faces.progress import solve_progress, solve_progress_line
    from workbench.model.formulation import Plan

    plan = Plan(SolveStatus.FEASIBLE, 1_234_567.0, 1_300_000.0, 0.053, 3.0, "highs")
    assert solve_progress_line(plan, 35.2) == "solving: 35 s, best plan 1,234,567.00, bound 1,300,000.00, gap 5.30%"
    assert solve_progress_line(None, 5) == "solving: 5 s, no plan yet"

    class Watch:
        def latest(self):
            return plan

    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        with solve_progress(Watch(), every=0.05):
            deadline = time.monotonic() + 30
            while "solving:" not in stream.getvalue() and time.monotonic() < deadline:
                time.sleep(0.01)
        with solve_progress(Watch(), every=60):
            pass
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("solving: ") and "gap 5.30%" in line for line in lines)
