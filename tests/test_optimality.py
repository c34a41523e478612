"""The optimiser against exhaustive enumeration on small random portfolios, and against the
independent checker on every plan it returns."""

from __future__ import annotations

import pytest
from brute import brute_force, random_case
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from portfolio_kit import make_case

from workbench.analyses.check import check_result
from workbench.ground.errors import InputError
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve


def _solve_case(tmp_path, seed: int, solver: str):
    tables, scenario, periods = random_case(seed)
    path = make_case(tmp_path, tables, periods=periods, **scenario)
    inputs = load_inputs(path)
    return inputs, solve(inputs, solver=solver), brute_force(tables, scenario, periods)


@pytest.mark.parametrize("seed", range(60))
def test_cbc_matches_brute_force(tmp_path, seed):
    inputs, result, best = _solve_case(tmp_path, seed, "cbc")
    if best is None:
        assert result.status.value == "infeasible"
        assert result.conflicts, "an infeasible scenario is explained"
    else:
        assert result.status.value == "optimal"
        assert result.objective == pytest.approx(best, rel=1e-9, abs=1e-7)
        assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []


@pytest.mark.parametrize("seed", range(60, 90))
def test_highs_matches_brute_force(tmp_path, seed):
    inputs, result, best = _solve_case(tmp_path, seed, "highs")
    if best is None:
        assert result.status.value == "infeasible"
    else:
        assert result.objective == pytest.approx(best, rel=1e-9, abs=1e-7)
        assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []


def test_random_cases_cover_every_constraint_type():
    """The brute-force cases above really exercise each feature (guards the generator)."""
    seen = set()
    for seed in range(90):
        tables, scenario, _ = random_case(seed)
        seen |= {name for name in ("dependencies", "exclusions", "costs", "budget") if tables[name]}
        seen |= set(scenario) & {"hiring", "balance", "force_out", "capacity", "discount_rate"}
        seen |= {scenario["objective"]}
        if any(p.get("mandatory") for p in tables["projects"]):
            seen.add("mandatory")
        if any(p.get("start") for p in tables["projects"]):
            seen.add("fixed start")
        if any(r["offset"] is not None for r in tables["demand"]):
            seen.add("demand profile")
    assert seen >= {
        "dependencies",
        "exclusions",
        "costs",
        "budget",
        "hiring",
        "balance",
        "force_out",
        "capacity",
        "discount_rate",
        "value",
        "score",
        "risk_adjusted_value",
        "mandatory",
        "fixed start",
        "demand profile",
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=1000, max_value=10**6), periods=st.integers(min_value=1, max_value=6))
def test_any_returned_plan_passes_the_checker(tmp_path_factory, seed, periods):
    tables, scenario, _ = random_case(seed, periods=periods)
    folder = tmp_path_factory.mktemp("case")
    try:
        inputs = load_inputs(make_case(folder, tables, periods=periods, **scenario))
    except InputError:
        return  # e.g. a one-period horizon with a commitment that cannot fit: rejected, fine
    result = solve(inputs, solver="highs")
    if result.has_plan:
        assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
