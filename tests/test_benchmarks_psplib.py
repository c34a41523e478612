"""PSPLIB j30 (RCPSP) as mandatory projects: a plan exists exactly from the published optimal
makespan on. One easy instance here; the 17 of shared/ are in benchmarks/run.py j30."""

from __future__ import annotations

import pytest
from conftest import shared_benchmarks
from psplib_format import rcpsp_case, read_sm

from workbench.analyses.check import check_result
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve

BENCHMARKS = shared_benchmarks()
pytestmark = pytest.mark.skipif(BENCHMARKS is None, reason="../shared/benchmarks is not beside this checkout")


def test_j301_1_has_a_plan_at_its_optimal_makespan_and_none_before(tmp_path):
    instance = read_sm(BENCHMARKS / "psplib" / "j301_1.sm")
    assert len(instance.durations) == 32 and instance.capacities == [12, 13, 4, 12]
    optimum = 43  # PSPLIB j30opt.sm
    at = load_inputs(rcpsp_case(tmp_path / "at", instance, optimum, "highs"))
    result = solve(at)
    assert result.status.value == "optimal" and len(result.selected) == 30
    assert check_result(at.portfolio, at.scenario.spec, result) == []
    finishes = [at.data.horizon.index_of(p.finish) for p in result.selected]
    assert max(finishes) == optimum - 1  # the last job ends in the last period
    before = solve(load_inputs(rcpsp_case(tmp_path / "before", instance, optimum - 1, "highs")))
    assert before.status.value == "infeasible" and before.conflicts


def test_cbc_is_stopped_when_it_runs_past_the_time_limit(tmp_path, monkeypatch):
    """CBC's root work can ignore -sec for minutes on hard RCPSP instances; the watchdog stops it."""
    import time

    from workbench.model import cbc

    instance = read_sm(BENCHMARKS / "psplib" / "j3045_2.sm")  # CBC proves nothing here for minutes
    inputs = load_inputs(rcpsp_case(tmp_path, instance, 125, "cbc", time_limit=20))
    monkeypatch.setattr(cbc, "CBC_GRACE", -20.0)  # fire at 20 x 1.1 - 20 = 2 s
    started = time.monotonic()
    result = solve(inputs)
    assert time.monotonic() - started < 10
    assert result.status.value == "not_solved" and result.objective is None
