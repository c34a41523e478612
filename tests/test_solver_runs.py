"""Solver runs: options as documented, runs that do not step on each other, and the +1 tester
case that CBC's threaded search once got wrong."""
from __future__ import annotations

import threading
import time

import pytest
from conftest import SAMPLE
from portfolio_kit import write_scenario

from workbench.data.planning_data import load_inputs
from workbench.data.scenario import SolverSpec
from workbench.ground.status import SolveStatus
from workbench.model.formulation import build_model, find_plan
from workbench.model.solvers import cbc_command
from workbench.analyses.solve import solve

BASELINE_OPTIMUM = 21_174_000.0


def test_cbc_runs_serially_unless_threads_are_asked_for():
    inputs = load_inputs(SAMPLE / "baseline.yaml")
    problem, *_ = build_model(inputs.data)
    default = cbc_command(problem, SolverSpec(name="cbc"), "m.mps", "m.sol", None)
    assert "-threads" not in default
    assert "-threads" not in cbc_command(problem, SolverSpec(name="cbc", time_limit=5, gap=0.01), "m.mps", "m.sol", None)
    assert cbc_command(problem, SolverSpec(name="cbc", threads=2), "m.mps", "m.sol", None)[-7:-5] == ["-threads", "2"]


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_one_more_tester_keeps_the_baseline_optimum(tmp_path, solver):
    """Capacity that no plan needs cannot lower the proven optimum (CBC with -threads 1 gave 20,996,000)."""
    path = write_scenario(tmp_path / "tester.yaml", {"extends": str(SAMPLE / "baseline.yaml"),
                                                     "capacity": [{"role": "tester", "delta": 1}]})
    result = solve(load_inputs(path), solver=solver)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(BASELINE_OPTIMUM, abs=1e-6)


def test_solver_threads_key_reaches_the_command(tmp_path):
    path = write_scenario(tmp_path / "t.yaml", {"extends": str(SAMPLE / "baseline.yaml"),
                                                "solver": {"name": "cbc", "threads": 2}})
    assert load_inputs(path).scenario.spec.solver.threads == 2


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_a_stop_request_ends_only_its_own_solve(solver):
    """Two solves in two threads; stopping one leaves the other to prove the optimum."""
    data = load_inputs(SAMPLE / "baseline.yaml").data
    stop = threading.Event()
    plans = {}

    def run(name, stop_event):
        plans[name] = find_plan(data, SolverSpec(name=solver), stop=stop_event)

    stopped = threading.Thread(target=run, args=("stopped", stop))
    kept = threading.Thread(target=run, args=("kept", None))
    stopped.start()
    kept.start()
    time.sleep(0.3)
    asked = time.monotonic()
    stop.set()
    stopped.join()
    stop_seconds = time.monotonic() - asked
    kept.join()
    assert plans["kept"].status is SolveStatus.OPTIMAL
    assert plans["kept"].objective == pytest.approx(BASELINE_OPTIMUM)
    assert plans["stopped"].status is not SolveStatus.OPTIMAL or plans["stopped"].objective == pytest.approx(BASELINE_OPTIMUM)
    assert stop_seconds < 1.0


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
    cbc = [c for c in psutil.Process().children(recursive=True) if c.name() == "cbc" or pulp_cbc_path in " ".join(c.cmdline())]
    assert cbc == []
