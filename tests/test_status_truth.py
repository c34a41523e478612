"""What the product says after the status date, held against independent recomputations: the
forecast finish in exact arithmetic and in every state, the re-plan's forecast cost, finishes,
slips and its reasons (a window closed by the status date), the Monte Carlo of a status-dated
plan (actual cost fixed, the rest sampled, hiring counted), the overrun probabilities it
states, the comparison's spend caption, the RAG thresholds, and one status for every face."""

from __future__ import annotations

import math
import shutil
from fractions import Fraction

import pytest
from conftest import SAMPLE
from portfolio_kit import make_case

from workbench.analyses.earned_value import project_status
from workbench.analyses.replan import replanned
from workbench.analyses.risk import simulate
from workbench.analyses.solve import solve
from workbench.data.planning_data import load_inputs
from workbench.ground.errors import InputError
from workbench.ground.periods import Horizon


def _reg02_case(tmp_path, actuals, as_of="2027-06", baseline="2027-01", periods=24):
    tables = {
        "projects": [{"id": "R", "name": "R", "value": 192000, "cost": 242000, "duration": 3}],
        "demand": [{"project": "R", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 5}],
        "baseline": [{"project": "R", "start": baseline}],
        "actuals": actuals,
    }
    return load_inputs(make_case(tmp_path, tables, periods=periods, status={"as_of": as_of}))


def _label(horizon_start: str, t: int) -> str:
    return Horizon(horizon_start, 1000).label(t)


# ----------------------------------------------------------------------------- 1. exact forecast
def test_forecast_finish_is_exact_where_floats_land_on_the_wrong_side_of_a_ceiling(tmp_path):
    inputs = _reg02_case(
        tmp_path,
        [
            {"project": "R", "period": "2027-01", "cost": 50000, "percent_complete": 20},
            {"project": "R", "period": "2027-06", "cost": 50000, "percent_complete": 40},
        ],
    )
    status = project_status(inputs).projects[0]
    # by hand: PV[1] = 242000/3, EV = 0.4 x 242000 = 96800; ES = 1 + (96800 - PV[1]) / PV[1] = 1.2
    # exactly; AT = 6, SPI(t) = 1/5; finish = 0 + ceil(3 / (1/5)) - 1 = 14: 2028-03
    es = 1 + (Fraction(96800) - Fraction(242000, 3)) / Fraction(242000, 3)
    assert es == Fraction(6, 5)
    assert status.forecast_finish == _label("2027-01", 0 + math.ceil(3 / (es / 6)) - 1) == "2028-03"
    assert status.spi_t == pytest.approx(0.2)
    # the re-plan spreads what is left up to that finish, not a period later
    data = replanned(inputs).data
    assert int(data.projects.at["R", "forecast_finish"]) == 14
    offsets = sorted(int(o) for o in data.costs[data.costs["project"] == "R"]["offset"])
    assert offsets == list(range(6 - 0, 14 + 1))  # 2027-07 .. 2028-03, from its start 2027-01
    result = solve(inputs, solver="highs")
    r = next(p for p in result.projects if p.id == "R")
    assert r.finish == "2028-03" and r.reason_kind == "in_progress"


# ----------------------------------------------------------------------------- 8. every state
def test_a_project_not_started_by_the_status_date_cannot_finish_before_it_plus_its_duration(tmp_path):
    inputs = _reg02_case(tmp_path, [], as_of="2027-06", baseline="2027-04")
    status = project_status(inputs).projects[0]
    assert status.state == "not_started"
    # baseline finish 2027-06, but nothing is done by 2027-06: 2027-07 .. 2027-09 at the earliest
    assert status.baseline_finish == "2027-06" and status.forecast_finish == "2027-09"


def test_a_project_finished_before_its_baseline_start_shows_when_it_finished(tmp_path):
    inputs = _reg02_case(
        tmp_path,
        [
            {"project": "R", "period": "2027-02", "cost": 100000, "percent_complete": 60},
            {"project": "R", "period": "2027-03", "cost": 100000, "percent_complete": 100},
        ],
        as_of="2027-06",
        baseline="2027-05",
    )
    status = project_status(inputs).projects[0]
    assert status.state == "complete" and status.forecast_finish == "2027-03"


def test_the_sample_forecasts_are_never_impossible():
    inputs = load_inputs(SAMPLE / "status-2027-06.yaml")
    report = project_status(inputs)
    a = inputs.portfolio.horizon.index_of(report.as_of)
    durations = dict(zip(inputs.portfolio.projects["id"], inputs.portfolio.projects["duration"]))
    by_id = {p.id: p for p in report.projects}
    assert by_id["CUS-04"].state == "not_started" and by_id["CUS-04"].forecast_finish == "2027-10"
    for p in report.projects:
        if p.forecast_finish is None:
            continue
        finish = inputs.portfolio.horizon.index_of(p.forecast_finish)
        if p.state == "not_started":
            assert finish >= a + int(durations[p.id]), p
        elif p.state == "in_progress":
            assert finish > a, p
        else:
            assert finish <= a, p


# ----------------------------------------------------------------------------- 9. RAG thresholds
def test_inverted_rag_thresholds_are_refused_naming_the_key(tmp_path):
    tables = {
        "projects": [{"id": "A", "name": "A", "value": 1, "cost": 1, "duration": 1}],
        "demand": [{"project": "A", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}],
    }
    path = make_case(tmp_path, tables, status={"as_of": "2027-01", "rag": {"green_at": 0.80, "red_below": 0.90}})
    with pytest.raises(InputError) as error:
        load_inputs(path)
    assert "status.rag" in str(error.value) and "red_below" in str(error.value)


# ----------------------------------------------------------------------------- 2, 7. the re-plan
@pytest.fixture(scope="module")
def replan():
    inputs = load_inputs(SAMPLE / "replan-2027-06.yaml")
    return inputs, solve(inputs, solver="highs")


def test_replan_reasons_name_the_status_date_when_it_is_the_cause(replan):
    inputs, result = replan
    by_id = {p.id: p for p in result.projects}
    for project in ("CUS-04", "CUS-03", "GRO-01", "PLT-02", "PLT-03"):
        assert by_id[project].reason_kind == "status_date", by_id[project]
        assert "status date 2027-06" in by_id[project].reason and "cannot finish" not in by_id[project].reason
    for project in ("CUS-06", "GRO-05", "PLT-08", "RSK-02"):
        assert by_id[project].reason_kind == "status_date", by_id[project]
        assert "can never run" not in by_id[project].reason
    # no reason says a project cannot finish in the horizon when it could have, started in its window
    original = load_inputs(SAMPLE / "baseline.yaml").data
    durations = original.projects["duration"]
    for p in result.projects:
        if "cannot finish by" in p.reason:
            options = original.start_options[original.start_options["project"] == p.id]["start"]
            assert all(s + int(durations[p.id]) > original.periods for s in options), p


def test_replan_summary_finishes_and_changes_are_its_forecasts(replan):
    inputs, result = replan
    status = {p.id: p for p in project_status(inputs).projects}
    a = inputs.portfolio.horizon.index_of("2027-06")
    actual = float(inputs.portfolio.table("actuals")["cost"].sum())
    after_status = sum(row.spend for row in result.budget if inputs.portfolio.horizon.index_of(row.period) > a)
    assert result.replan["actual_cost"] == pytest.approx(actual)
    assert result.replan["forecast_cost"] == pytest.approx(actual + after_status)
    assert result.replan["forecast_cost"] == pytest.approx(9_849_558.81, abs=0.01)
    by_id = {p.id: p for p in result.projects}
    for project in ("PLT-05", "PLT-07"):  # they run past the horizon: their forecast, not 2028-12
        assert by_id[project].finish == status[project].forecast_finish
        assert project in result.replan["after_horizon"]
        assert status[project].forecast_finish in by_id[project].reason
    changes = {c.project: c for c in result.baseline_changes}
    assert changes["PLT-05"].change == "slipped" and changes["PLT-05"].finish == "2029-08"
    assert changes["PLT-07"].change == "slipped" and changes["PLT-07"].finish == "2030-10"
    from workbench.faces.views import result_text

    text = result_text(result)
    assert "9,849,558.81" in text and "8,818,000" not in text


# ----------------------------------------------------------------------------- 3, 4, 6. risk
@pytest.fixture
def certain_sample(tmp_path):
    """The sample with no uncertainty and every risk closed: the Monte Carlo must give the plan."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    uncertainty = target / "portfolio" / "uncertainty.csv"
    uncertainty.write_text(uncertainty.read_text().splitlines()[0] + "\n")
    risks = target / "portfolio" / "risks.csv"
    risks.write_text(risks.read_text().replace(",open,", ",closed,"))
    return target


def test_risk_of_a_status_dated_plan_fixes_actual_cost_and_samples_what_is_left(certain_sample):
    inputs = load_inputs(certain_sample / "replan-2027-06.yaml")
    result = solve(inputs, solver="highs")
    report = simulate(inputs, result, samples=50, seed=3)
    expected = result.replan["forecast_cost"] + result.replan["after_horizon_cost"]
    assert report.cost["p10"] == pytest.approx(expected) and report.cost["p90"] == pytest.approx(expected)
    assert report.actual_cost == pytest.approx(result.replan["actual_cost"])
    # every period's spend is the plan's: no overrun where the plan keeps its budget
    for row in result.budget:
        if row.budget is not None and row.spend <= row.budget:
            assert report.budget_overrun_probability.get(row.period, 0.0) == 0.0, row
    assert report.any_period_overrun == 0.0
    finishes = {f["id"]: f for f in report.finish}
    by_id = {p.id: p for p in result.projects}
    for project in ("PLT-05", "PLT-07", "CUS-01"):
        assert finishes[project]["p50"] == finishes[project]["p80"] == by_id[project].finish


def test_risk_counts_the_plans_hiring(certain_sample):
    inputs = load_inputs(certain_sample / "hire-data-engineers.yaml")
    result = solve(inputs, solver="highs")
    spend = sum(row.spend for row in result.budget)
    hiring = sum(r.hired * inputs.data.hiring[r.role][0] for r in result.capacity if r.hired)
    assert hiring > 0
    report = simulate(inputs, result, samples=20, seed=1)
    assert report.cost["p50"] == pytest.approx(spend) and report.hiring_cost == pytest.approx(hiring)


def test_risk_states_the_any_period_overrun_and_no_total_it_does_not_have():
    from workbench.faces.views import risk_text

    inputs = load_inputs(SAMPLE / "baseline.yaml")
    assert inputs.data.budget_total is None
    result = solve(inputs, solver="highs")
    report = simulate(inputs, result, samples=400, seed=2)
    assert report.budget_total is None and report.budget_overrun_probability["total"] is None
    text = risk_text(report)
    assert f"at least one period overruns its budget: {report.any_period_overrun:.1%}" in text
    assert "no total budget" in text and "13,320,000" not in text


# ----------------------------------------------------------------------------- 5. comparison
def test_the_comparison_caption_says_what_each_scenario_spends():
    from workbench.faces.comparison_sections import spend_difference

    assert spend_difference(-658_000) == "658.0k less" and spend_difference(12_500) == "12.5k more"
    assert spend_difference(0.0) == "the same"


# ----------------------------------------------------------------------------- 10. one status
def test_the_app_shows_the_status_the_command_prints(tmp_path):
    from workbench.faces.app import Workbench

    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    bench = Workbench(target / "status-2027-06.yaml", debounce=None, solver="highs")
    command = project_status(load_inputs(target / "status-2027-06.yaml"))
    shown = bench.status_view.value
    totals = command.portfolio
    assert totals["rag"]["green"] == 4 and totals["rag"]["red"] == 5
    for key in ("bac", "pv", "ev", "ac"):
        assert f'data-kpi="{key}">{totals[key]:,.2f}<' in shown, key
    for rag, count in totals["rag"].items():
        assert f'data-kpi="rag_{rag}">{count}<' in shown, rag
    # the re-planned inputs give the same status: it is measured on the portfolio as loaded
    assert project_status(bench.inputs).to_dict() == command.to_dict()


# ----------------------------------------------------------------------------- found in review
def test_the_total_budget_probability_counts_only_spending_over_the_horizon(certain_sample):
    # the re-plan keeps a total budget of 9.9M; PLT-05 and PLT-07 still cost 712k after the horizon
    scenario = certain_sample / "total.yaml"
    scenario.write_text("extends: replan-2027-06.yaml\nname: total\nbudget: {total: 9900000}\n")
    inputs = load_inputs(scenario)
    result = solve(inputs, solver="highs")
    assert (
        result.replan["forecast_cost"]
        <= 9_900_000
        < result.replan["forecast_cost"] + result.replan["after_horizon_cost"]
    )
    report = simulate(inputs, result, samples=50, seed=1)
    assert report.budget_overrun_probability["total"] == 0.0
    assert report.drivers == []  # nothing varies: no project drives any variance


def _started_case(tmp_path, rows_a, with_baseline=True):
    tables = {
        "projects": [
            {"id": "A", "name": "A", "value": 100, "cost": 200, "duration": 2},
            {"id": "B", "name": "B", "value": 50, "cost": 100, "duration": 2},
            {"id": "Q", "name": "Q", "value": 10, "cost": 100, "duration": 2, "latest_start": "2027-02"},
        ],
        "demand": [{"project": p, "role": "dev", "fte": 1} for p in "ABQ"],
        "capacity": [{"role": "dev", "fte": 5}],
        "baseline": ([{"project": "A", "start": "2027-01"}] if with_baseline else [])
        + [{"project": "B", "start": "2027-01"}, {"project": "Q", "start": "2027-02"}],
        "actuals": rows_a
        + [
            {"project": "B", "period": "2027-01", "cost": 50, "percent_complete": 60},
            {"project": "B", "period": "2027-02", "cost": 50, "percent_complete": 100},
            {"project": "Q", "period": "2027-02", "cost": 0, "percent_complete": 0},
        ],
    }
    return load_inputs(make_case(tmp_path, tables, periods=24, status={"as_of": "2027-03"}))


def test_replan_reasons_say_when_a_finish_is_not_a_forecast(tmp_path):
    # A crawls: 0.01 % done in three months, far past any forecast
    crawling = _started_case(
        tmp_path / "a", [{"project": "A", "period": "2027-01", "cost": 100, "percent_complete": 0.01}]
    )
    status = {p.id: p for p in project_status(crawling).projects}
    assert status["A"].forecast_finish is None
    by_id = {p.id: p for p in solve(crawling, solver="highs").projects}
    assert "no forecast finish" in by_id["A"].reason and "forecast finish 2" not in by_id["A"].reason
    assert by_id["A"].finish == "2028-12"  # what is left is spread to the horizon's end, as it says
    # B is done: its reason says so; Q reported nothing: not started, in the status as in the re-plan
    assert "done" in by_id["B"].reason and "in progress" not in by_id["B"].reason
    assert status["Q"].state == "not_started" and by_id["Q"].reason_kind == "status_date"
    # without a baseline row, A has no forecast: the re-plan says it runs its planned duration
    unplanned = _started_case(
        tmp_path / "b",
        [{"project": "A", "period": "2027-02", "cost": 100, "percent_complete": 10}],
        with_baseline=False,
    )
    a = next(p for p in solve(unplanned, solver="highs").projects if p.id == "A")
    assert "planned duration" in a.reason and "no forecast finish" in a.reason and a.finish == "2027-04"


def test_a_prerequisite_running_past_the_horizon_finishes_at_its_forecast(replan):
    _, result = replan
    gro06 = next(p for p in result.projects if p.id == "GRO-06")
    assert "2029-08" in gro06.reason  # PLT-05's forecast finish, not the horizon's end
