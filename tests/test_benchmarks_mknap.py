"""OR-Library multidimensional knapsack (mknap1, mknap2): every published optimum is reached."""

from __future__ import annotations

import pytest
from conftest import shared_benchmarks
from mknap_format import knapsack_case, read_mknap, read_mknap2

from workbench.analyses.check import check_result
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve

BENCHMARKS = shared_benchmarks()
pytestmark = pytest.mark.skipif(BENCHMARKS is None, reason="../shared/benchmarks is not beside this checkout")


def _problems():
    if BENCHMARKS is None:
        return []
    return read_mknap(BENCHMARKS / "mknap" / "mknap1.txt") + read_mknap2(BENCHMARKS / "mknap" / "mknap2.txt")


def test_files_hold_the_documented_problems():
    problems = _problems()
    assert len(problems) == 7 + 48
    names = [p.name for p in problems]
    assert "WEING7" in names and "SENTO2" in names and "PB6" in names
    optima = {
        row.split(",")[0]: float(row.split(",")[5])
        for row in (BENCHMARKS / "mknap" / "optima.csv").read_text().splitlines()[1:]
    }
    for problem in problems:
        key = problem.name if problem.name in optima else problem.name.replace("mknap1-", "mknap1-")
        assert optima[key] == pytest.approx(problem.optimum), problem.name


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: p.name)
def test_published_optimum(tmp_path, problem):
    # CBC on the small classic set, HiGHS on the larger ones keeps the suite quick
    solver = "cbc" if len(problem.profits) <= 40 else "highs"
    path = knapsack_case(tmp_path, problem, solver=solver)
    inputs = load_inputs(path)
    result = solve(inputs)
    assert result.status.value == "optimal"
    assert result.objective == pytest.approx(problem.optimum, abs=1e-6)
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
