"""Checker sensitivity, reasons, decision prices, frontier, prioritisation and time limits."""

from __future__ import annotations

import copy

import pytest
from portfolio_kit import make_case, small_portfolio

from workbench.analyses.check import check_result
from workbench.analyses.prices import explain
from workbench.analyses.frontier import frontier
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve
from workbench.analyses.prioritise import prioritisation
from workbench.data.scoring import ahp_weights


@pytest.fixture
def baseline(sample_dir):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    return inputs, solve(inputs, solver="highs")


def _mutations(result):
    """Results each wrong in one way the checker must notice."""
    selected = next(p for p in result.projects if p.selected and not p.commitment)
    unselected = next(p for p in result.projects if not p.selected and p.reason_kind == "does_not_fit")
    mandatory = next(p for p in result.projects if p.commitment == "mandatory")

    def drop_mandatory(r):
        p = next(x for x in r.projects if x.id == mandatory.id)
        p.selected, p.start, p.finish = False, None, None

    def wrong_objective(r):
        r.objective += 1.0

    def wrong_demand(r):
        r.capacity[0].demand += 0.5

    def wrong_spend(r):
        r.budget[5].spend -= 1.0

    def wrong_finish(r):
        p = next(x for x in r.projects if x.id == selected.id)
        p.finish = r.budget[-1].period if p.finish != r.budget[-1].period else r.budget[0].period

    def add_unfit(r):
        p = next(x for x in r.projects if x.id == unselected.id)
        p.selected, p.start, p.finish = True, r.budget[0].period, r.budget[0].period

    return [drop_mandatory, wrong_objective, wrong_demand, wrong_spend, wrong_finish, add_unfit]


def test_checker_notices_each_kind_of_error(baseline):
    inputs, result = baseline
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
    for mutate in _mutations(result):
        broken = copy.deepcopy(result)
        mutate(broken)
        assert check_result(inputs.portfolio, inputs.scenario.spec, broken), f"checker missed {mutate.__name__}"


def test_reasons_name_the_cause(baseline):
    inputs, result = baseline
    reasons = {p.id: p.reason for p in result.projects}
    by_id = {p.id: p for p in result.projects}
    assert reasons["REG-01"].startswith("Selected: mandatory")
    assert reasons["PLT-01"].startswith("Selected: in progress")
    excluded = [p for p in result.projects if "excluded by group" in p.reason]
    assert excluded and all(not p.selected for p in excluded)
    needs = [p for p in result.projects if p.reason.startswith("Not selected: needs")]
    for project in needs:
        required = project.reason.split("needs ")[1].split(",")[0]
        assert required in by_id
    assert any(
        p.reason_kind == "does_not_fit" and p.reason.startswith("Not selected: no plan can hold it")
        for p in result.projects
    )


def test_explain_prices_match_direct_resolves(tmp_path):
    tables = small_portfolio()
    path = make_case(tmp_path, tables)
    inputs = load_inputs(path)
    explanation = explain(inputs, solver="highs")
    base = explanation.result.objective
    # A (value 100, 2 devs for 2 periods) and B (80, 1 dev) compete for 2 devs over 3 periods
    prices = {item.id: item for item in explanation.projects}
    for project_id, item in prices.items():
        if item.delta is None:
            continue
        key = "force_out" if item.action == "force out" else "force_in"
        forced = solve(load_inputs(make_case(tmp_path / project_id, tables, **{key: [project_id]})), solver="highs")
        assert forced.objective - base == pytest.approx(item.delta)
    roles = {item.role: item.delta for item in explanation.roles}
    bigger = copy.deepcopy(tables)
    for row in bigger["capacity"]:
        if row["role"] == "dev":
            row["fte"] += 1
    more = solve(load_inputs(make_case(tmp_path / "more", bigger)), solver="highs")
    assert roles["dev"] == pytest.approx(more.objective - base)


def test_frontier_is_monotone_and_ends_at_the_optimum(sample_dir):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    curve = frontier(inputs, points=4, solver="highs")
    values = [p.objective for p in curve.points]
    assert len(values) == 4 and values == sorted(values)
    assert values[-1] == pytest.approx(solve(inputs, solver="highs").objective)
    assert all(p.spend <= p.budget_total + 1e-6 for p in curve.points)


def test_ahp_weights_on_a_known_matrix():
    # Saaty's consistent matrix: weights proportional to 4:2:1, CR = 0
    weights = ahp_weights(["a", "b", "c"], [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]])
    assert weights.weights == pytest.approx({"a": 4 / 7, "b": 2 / 7, "c": 1 / 7})
    assert weights.consistency_ratio == pytest.approx(0.0, abs=1e-9)
    inconsistent = ahp_weights(["a", "b", "c"], [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert inconsistent.consistency_ratio > 0.1 and not inconsistent.consistent


def test_prioritisation_compares_ranked_list_with_optimum(sample_dir):
    report = prioritisation(load_inputs(sample_dir / "baseline.yaml"), solver="highs")
    assert report.optimal_objective >= report.greedy_objective
    assert len(report.ranking) == 59 and report.ranking[0]["score"] >= report.ranking[-1]["score"]


def test_time_limit_never_reports_optimal(tmp_path, sample_dir):
    """A hard instance stopped by the time limit says 'feasible' with its gap."""
    from conftest import shared_benchmarks
    from mknap_format import knapsack_case, read_mknap

    benchmarks = shared_benchmarks()
    if benchmarks is None:
        pytest.skip("../shared/benchmarks is not beside this checkout")
    problem = read_mknap(benchmarks / "mknap" / "mknapcb1.txt")[3]  # 5 x 100; takes CBC ~7 s to prove
    optimum = 23534
    path = knapsack_case(tmp_path, problem, time_limit=0.3)
    statuses = []
    for solver in ("cbc", "highs"):
        result = solve(load_inputs(path), solver=solver)
        statuses.append(result.status.value)
        if result.status.value == "optimal":  # only when truly proven
            assert result.objective == optimum and result.gap == 0
        elif result.status.value == "feasible":
            assert result.gap is not None and result.gap > 0
            assert result.bound >= optimum - 1e-6  # the bound is a true bound
            checked = load_inputs(path)
            assert check_result(checked.portfolio, checked.scenario.spec, result) == []
    assert "feasible" in statuses, statuses


def test_inconsistent_ahp_warns_and_scores_use_ahp_weights(tmp_path):
    tables = small_portfolio()
    for row, fit, urgency in zip(tables["projects"], (5, 1, 3), (1, 5, 3)):
        row["score_fit"], row["score_urgency"] = fit, urgency
    tables["criteria"] = [{"criterion": "fit", "weight": 1}, {"criterion": "urgency", "weight": 1}]
    consistent = load_inputs(
        make_case(
            tmp_path / "a",
            tables,
            objective="score",
            ahp={"criteria": ["fit", "urgency"], "matrix": [[1, 3], [1 / 3, 1]]},
        )
    )
    assert not consistent.data.warnings
    scores = consistent.data.projects["score"]
    assert scores["A"] == pytest.approx(0.75 * 5 + 0.25 * 1)
    three = {"criteria": ["fit", "urgency", "fit2"], "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]}
    tables["projects"][0]["score_fit2"] = 1
    inconsistent = load_inputs(make_case(tmp_path / "b", tables, ahp=three))
    assert any("inconsistent" in w for w in inconsistent.data.warnings)
