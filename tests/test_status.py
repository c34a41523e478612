"""Status tracking: every earned-value definition on hand-computed cases, validation of the
status tables, the sample's status, and the baseline and status commands."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from conftest import SAMPLE
from portfolio_kit import make_case

from workbench.analyses.earned_value import project_status
from workbench.data.planning_data import load_inputs
from workbench.ground.errors import InputError


def tables(**extra):
    base = {
        "projects": [
            {"id": "A", "name": "A", "value": 10, "cost": 400, "duration": 4},
            {"id": "B", "name": "B", "value": 10, "cost": 400, "duration": 4},
            {"id": "C", "name": "C", "value": 10, "cost": 300, "duration": 3},
            {"id": "D", "name": "D", "value": 10, "cost": 400, "duration": 4},
            {"id": "E", "name": "E", "value": 10, "cost": 200, "duration": 2},
            {"id": "F", "name": "F", "value": 10, "cost": 100, "duration": 2},
        ],
        "demand": [{"project": p, "role": "dev", "fte": 1} for p in "ABCDEF"],
        "capacity": [{"role": "dev", "fte": 10}],
        "costs": [{"project": "C", "offset": k, "amount": a} for k, a in enumerate([50, 100, 150])],
        "baseline": [
            {"project": "A", "start": "2027-02"},
            {"project": "B", "start": "2027-05"},
            {"project": "C", "start": "2027-01"},
            {"project": "D", "start": "2027-02"},
            {"project": "E", "start": "2027-02"},
        ],
        "actuals": [
            {"project": "A", "period": "2027-02", "cost": 90, "percent_complete": 20},
            {"project": "A", "period": "2027-03", "cost": 120, "percent_complete": 45},
            {"project": "C", "period": "2027-01", "cost": 60, "percent_complete": 50},
            {"project": "C", "period": "2027-02", "cost": 110, "percent_complete": 100},
            {"project": "D", "period": "2027-02", "cost": 100, "percent_complete": 30},
            {"project": "D", "period": "2027-03", "cost": 200, "percent_complete": 60},
            {"project": "E", "period": "2027-02", "cost": 0, "percent_complete": 10},
            {"project": "F", "period": "2027-03", "cost": 30, "percent_complete": 20},
        ],
    }
    base.update(extra)
    return base


@pytest.fixture
def report(tmp_path):
    inputs = load_inputs(make_case(tmp_path, tables(), periods=8, status={"as_of": "2027-03"}))
    return project_status(inputs)


def test_a_project_behind_and_over_budget(report):
    a = next(p for p in report.projects if p.id == "A")  # b = 1, a = 2: AT = 2
    assert (a.bac, a.pv, a.ev, a.ac) == (400, 200, 180, 210)
    assert (a.sv, a.cv) == (-20, -30)
    assert a.spi == pytest.approx(0.9) and a.cpi == pytest.approx(180 / 210)
    assert a.es == pytest.approx(1.8) and a.spi_t == pytest.approx(0.9)
    assert a.eac == pytest.approx(400 / (180 / 210)) and a.etc == pytest.approx(a.eac - 210)
    assert a.vac == pytest.approx(400 - a.eac) and a.tcpi == pytest.approx(220 / 190)
    assert a.forecast_finish == "2027-06"  # 1 + ceil(4 / 0.9) - 1 = 5
    assert a.state == "in_progress" and a.rag == "red"  # min(0.857, 0.9) < 0.90


def test_a_project_not_due_yet(report):
    b = next(p for p in report.projects if p.id == "B")  # AT = 2 - 4 + 1 = -1
    assert (b.pv, b.ev, b.ac, b.es) == (0, 0, 0, 0)
    assert b.spi is None and b.cpi is None and b.spi_t is None
    assert b.forecast_finish == b.baseline_finish == "2027-08"
    assert b.eac == b.bac == 400 and b.tcpi == 1.0
    assert b.state == "not_started" and b.rag == "none"


def test_a_project_finished_early(report):
    c = next(p for p in report.projects if p.id == "C")  # profile 50/100/150, done in its 2nd period
    assert (c.percent_complete, c.ev, c.pv, c.ac) == (100, 300, 300, 170)
    assert c.es == 3 and c.spi_t == pytest.approx(1.5)  # AT counts to 2027-02: 2
    assert c.forecast_finish == "2027-02"
    assert c.spi == 1.0 and c.cpi == pytest.approx(300 / 170)
    assert c.state == "complete" and c.rag == "green"


def test_earned_value_beyond_planned_value(report):
    d = next(p for p in report.projects if p.id == "D")
    assert (d.pv, d.ev, d.ac) == (200, 240, 300)
    assert d.es == pytest.approx(2.4) and d.spi_t == pytest.approx(1.2)
    assert d.forecast_finish == "2027-05"  # 1 + ceil(4 / 1.2) - 1
    assert d.rag == "red"  # CPI 0.8


def test_no_actual_cost_and_no_baseline(report):
    e = next(p for p in report.projects if p.id == "E")
    assert e.ac == 0 and e.cpi is None and e.eac == e.bac == 200
    assert e.ev == 20 and e.pv == 200 and e.spi_t == pytest.approx((20 / 100) / 2)
    assert e.rag == "red"  # only SPI(t) 0.1 exists
    f = next(p for p in report.projects if p.id == "F")
    assert f.pv == 0 and f.es is None and f.spi_t is None and f.forecast_finish is None
    assert f.baseline_start is None and f.cpi == pytest.approx(20 / 30)
    assert any("F has actuals but no baseline row" in w for w in report.warnings)


def test_portfolio_totals(report):
    totals = report.portfolio
    for key in ("bac", "pv", "ev", "ac", "eac"):
        assert totals[key] == pytest.approx(sum(getattr(p, key) for p in report.projects))
    assert totals["cpi"] == pytest.approx(totals["ev"] / totals["ac"])
    assert totals["spi"] == pytest.approx(totals["ev"] / totals["pv"])
    assert totals["rag"] == {"green": 1, "amber": 0, "red": 4, "none": 1} and totals["projects"] == 6


def test_quarters_and_thresholds(tmp_path):
    quarterly = {
        "projects": [{"id": "Q", "name": "Q", "value": 1, "cost": 300, "duration": 3}],
        "demand": [{"project": "Q", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 1}],
        "baseline": [{"project": "Q", "start": "2027Q1"}],
        "actuals": [{"project": "Q", "period": "2027Q2", "cost": 200, "percent_complete": 62}],
    }
    inputs = load_inputs(
        make_case(
            tmp_path,
            quarterly,
            periods=4,
            granularity="quarter",
            status={"as_of": "2027Q2", "rag": {"green_at": 0.9, "red_below": 0.5}},
        )
    )
    q = project_status(inputs).projects[0]
    assert (q.pv, q.ev, q.ac) == (200, 186, 200) and q.es == pytest.approx(1.86)
    assert q.spi_t == pytest.approx(0.93) and q.forecast_finish == "2027Q4"  # 0 + ceil(3 / 0.93) - 1 = 3
    assert q.rag == "green"  # min(0.93, 0.93) >= 0.9
    assert math.isclose(project_status(inputs, "2027Q3").projects[0].pv, 300)


@pytest.mark.parametrize(
    "table, row, column, message",
    [
        (
            "actuals",
            {"project": "ZZ", "period": "2027-02", "cost": 1, "percent_complete": 1},
            "project",
            "unknown project",
        ),
        (
            "actuals",
            {"project": "A", "period": "2028-02", "cost": 1, "percent_complete": 1},
            "period",
            "outside the horizon",
        ),
        (
            "actuals",
            {"project": "A", "period": "2027-02", "cost": 1, "percent_complete": 120},
            "percent_complete",
            "out of range",
        ),
        ("actuals", {"project": "A", "period": "2027-02", "cost": -1, "percent_complete": 1}, "cost", "out of range"),
        (
            "actuals",
            {"project": "A", "period": "2027-02", "cost": 5, "percent_complete": 25},
            "period",
            "same project and period",
        ),
        ("effort", {"project": "A", "period": "2027-02", "role": "chef", "fte": 1}, "role", "role 'chef'"),
        ("baseline", {"project": "A", "start": "2027-03"}, "project", "second baseline start"),
    ],
)
def test_bad_status_tables_name_file_row_and_column(tmp_path, table, row, column, message):
    broken = tables()
    broken[table] = broken.get(table, []) + [row]
    with pytest.raises(InputError) as error:
        load_inputs(make_case(tmp_path, broken, periods=8))
    problem = next(p for p in error.value.problems if message in str(p))
    assert problem.column == column and problem.row == len(broken[table]) + 1
    assert f"{table}.csv" in problem.source


def test_percent_never_decreases_and_no_actuals_after_the_status_date(tmp_path):
    broken = tables()
    broken["actuals"][1]["percent_complete"] = 10  # A: 20 then 10
    with pytest.raises(InputError, match="never decreases"):
        load_inputs(make_case(tmp_path / "down", broken, periods=8))
    with pytest.raises(InputError, match="after the status date"):
        load_inputs(make_case(tmp_path / "late", tables(), periods=8, status={"as_of": "2027-02"}))


def test_the_sample_status_has_every_rag_and_the_documented_cases():
    inputs = load_inputs(SAMPLE / "status-2027-06.yaml")
    report = project_status(inputs)
    rags = report.portfolio["rag"]
    assert rags["green"] and rags["amber"] and rags["red"]
    by_id = {p.id: p for p in report.projects}
    assert by_id["REG-02"].state == "complete" and by_id["REG-02"].forecast_finish < by_id["REG-02"].baseline_finish
    assert by_id["CUS-04"].state == "not_started" and by_id["CUS-04"].pv > 0
    assert by_id["GRO-10"].baseline_start is None and by_id["GRO-10"].ac > 0


def run(*arguments):
    return subprocess.run([sys.executable, "-m", "workbench.faces.cli", *arguments], capture_output=True, text=True)


def test_status_json_is_one_object_with_every_field():
    outcome = run("status", str(SAMPLE / "status-2027-06.yaml"), "--json")
    assert outcome.returncode == 0, outcome.stderr
    body = json.loads(outcome.stdout)
    assert body["as_of"] == "2027-06"
    assert set(body["projects"][0]) >= {
        "id",
        "state",
        "percent_complete",
        "bac",
        "pv",
        "ev",
        "ac",
        "sv",
        "cv",
        "spi",
        "cpi",
        "es",
        "spi_t",
        "eac",
        "etc",
        "vac",
        "tcpi",
        "forecast_finish",
        "rag",
    }
    assert run("status", str(SAMPLE / "baseline.yaml"), "--as-of", "2027-02").returncode == 2  # actuals after it


def test_baseline_command_never_overwrites_silently(tmp_path):
    scenario = make_case(tmp_path, {k: v for k, v in tables().items() if k not in ("baseline", "actuals")}, periods=8)
    first = run("baseline", str(scenario), "--note", "approved by the board")
    assert first.returncode == 0, first.stderr
    written = (tmp_path / "portfolio" / "baseline.csv").read_text()
    assert written.startswith("project,start")
    again = run("baseline", str(scenario))
    assert again.returncode == 2 and "--replace" in again.stderr
    assert (tmp_path / "portfolio" / "baseline.csv").read_text() == written
    replaced = run("baseline", str(scenario), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    kept = list((tmp_path / "portfolio").glob("baseline-*.csv"))
    assert len(kept) == 1 and kept[0].read_text() == written
    log = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [r["note"] for r in log] == ["approved by the board", ""]
    assert log[0]["status"] == "optimal" and log[0]["data_sha256"] and log[1]["replaced"] == str(kept[0])


def test_status_report_is_offline_escaped_and_complete(tmp_path):
    import csv
    import re
    import shutil

    from workbench.faces.report_runner import run_status_report

    folder = tmp_path / "sample"
    shutil.copytree(SAMPLE, folder)
    projects = folder / "portfolio" / "projects.csv"
    rows = list(csv.DictReader(projects.open(encoding="utf-8")))
    hostile = "<script>alert('x')</script> Core banking"
    next(r for r in rows if r["id"] == "PLT-01")["name"] = hostile
    with projects.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    outcome = run_status_report(folder / "status-2027-06.yaml", tmp_path / "reports")
    assert outcome.ok, outcome.message
    page = outcome.html.read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert('x')&lt;/script&gt; Core banking" in page
    urls = set(re.findall(r"(?:src|href)=[\"']([^\"']+)", page))
    assert not [u for u in urls if u.startswith(("http://", "https://", "//"))], urls
    assert page.count("<svg") >= 6  # S-curves (portfolio, projects), quadrant, finishes, spend, effort
    for section in (
        "Projects that need a decision",
        "Every project, worst first",
        "Cost against schedule",
        "Baseline against forecast finish",
        "Spend against budget",
        "Effort against capacity",
        "The re-plan from the status date",
        "No re-plan exists from the status date",
    ):
        assert section in page
    assert 'data-kpi="cpi"' in page and "In [" not in page


def replan_case(tmp_path, **scenario):
    """A started at 2027-02 (40% done by 2027-03, on cost), B and C not started; status 2027-03."""
    body = {
        "projects": [
            {"id": "A", "name": "A", "value": 50, "cost": 400, "duration": 4},
            {"id": "B", "name": "B", "value": 30, "cost": 100, "duration": 2},
            {"id": "C", "name": "C", "value": 20, "cost": 100, "duration": 1, "latest_start": "2027-02"},
        ],
        "demand": [{"project": p, "role": "dev", "fte": 1} for p in "ABC"],
        "capacity": [{"role": "dev", "fte": 2}],
        "baseline": [{"project": "A", "start": "2027-02"}, {"project": "B", "start": "2027-01"}],
        "actuals": [
            {"project": "A", "period": "2027-02", "cost": 100, "percent_complete": 20},
            {"project": "A", "period": "2027-03", "cost": 100, "percent_complete": 40},
        ],
    }
    return load_inputs(make_case(tmp_path, body, periods=8, status={"as_of": "2027-03"}, **scenario))


def test_a_replan_keeps_history_and_starts_nothing_before_the_status_date(tmp_path):
    from workbench.analyses.solve import solve

    result = solve(replan_case(tmp_path), solver="highs")  # the checker (fixture) applies the re-plan rules
    by_id = {p.id: p for p in result.projects}
    assert result.status.value == "optimal"
    # A: PV 200 (AT 2), EV 160, AC 200: CPI 0.8, EAC 500, ETC 300; ES 1.6, SPI(t) 0.8: finish 1 + 5 - 1 = 2027-06.
    # Its ETC and 60% of its 4 FTE-periods are spread over 2027-04..2027-06: 100 and 0.8 FTE a period.
    a = by_id["A"]
    assert a.selected and a.start == "2027-02" and a.finish == "2027-06" and a.reason_kind == "in_progress"
    assert by_id["B"].selected and by_id["B"].start_index > 2  # not before the status date
    assert not by_id["C"].selected and by_id["C"].reason_kind == "status_date"  # its window closed by the status date
    spend = {row.period: row.spend for row in result.budget}
    b_running = by_id["B"].start_index <= 3 <= by_id["B"].start_index + 1
    assert spend["2027-04"] == pytest.approx(100 + (50 if b_running else 0))
    # A keeps its start but finishes a month after its baseline finish (2027-05): a slip
    assert {c.project: c.change for c in result.baseline_changes} == {"A": "slipped", "B": "moved"}
    demand = {row.period: row.demand for row in result.capacity}
    assert demand["2027-04"] == pytest.approx(0.8 + (1 if b_running else 0))
    assert demand["2027-02"] == demand["2027-03"] == 0  # history: nothing is planned there


def test_a_started_project_forced_out_is_stopped(tmp_path):
    from workbench.analyses.solve import solve

    result = solve(replan_case(tmp_path, force_out=["A"]), solver="highs")
    a = next(p for p in result.projects if p.id == "A")
    assert not a.selected and a.reason_kind == "forced_out"
    assert all(row.spend == pytest.approx(0.0) for row in result.budget if row.period <= "2027-03")
    assert {c.project: c.change for c in result.baseline_changes}["A"] == "dropped"


def test_solve_as_of_on_the_command_line_and_the_sample_replan():
    outcome = run("solve", str(SAMPLE / "replan-2027-06.yaml"), "--json")
    assert outcome.returncode == 0, outcome.stderr
    body = json.loads(outcome.stdout)
    starts = {p["id"]: p["start"] for p in body["projects"] if p["selected"]}
    assert starts["PLT-01"] == "2027-01" and "GRO-10" not in starts
    assert all(
        s > "2027-06"
        for p, s in starts.items()
        if p not in {"REG-02", "EFF-01", "RSK-03", "PLT-01", "CUS-01", "REG-01", "PLT-07", "REG-03", "PLT-05"}
    )
    assert body["baseline_changes"]
    assert run("solve", str(SAMPLE / "baseline.yaml"), "--as-of", "2027-06").returncode in (0, 3)


@pytest.mark.parametrize("seed", range(24))
def test_random_replans_keep_history_and_pass_the_checker(tmp_path, seed):
    """Baseline = the optimum; every project the baseline starts by the status date reports some
    progress; the re-plan (checked by the independent checker through the fixture) starts nothing
    new up to it and keeps every started project at its actual start."""
    import copy
    import random

    from random_portfolios import random_case

    from workbench.analyses.solve import solve

    case = random_case(seed)
    tables = copy.deepcopy(case.tables)
    try:
        first = solve(
            load_inputs(
                make_case(
                    tmp_path / "plan", tables, periods=case.periods, granularity=case.granularity, **case.scenario
                )
            ),
            solver="highs",
        )
    except InputError:
        pytest.skip("rejected by validation")
    if not first.has_plan or case.periods < 3:
        return
    rng = random.Random(seed)
    a = rng.randint(0, case.periods - 2)
    tables["baseline"] = [{"project": p.id, "start": p.start} for p in first.selected]
    tables["actuals"] = []
    for p in first.selected:
        if p.start_index <= a:
            percent = 0.0
            for t in range(p.start_index, a + 1):
                percent = min(100.0, percent + rng.choice([10, 25, 40, 60]))
                tables["actuals"].append(
                    {"project": p.id, "period": case.label(t), "cost": rng.randint(0, 12), "percent_complete": percent}
                )
    scenario = {**case.scenario, "status": {"as_of": case.label(a)}}
    try:
        inputs = load_inputs(
            make_case(tmp_path / "replan", tables, periods=case.periods, granularity=case.granularity, **scenario)
        )
    except InputError:
        pytest.skip("the status tables do not fit this case")
    result = solve(inputs, solver="highs")
    if not result.has_plan:
        assert result.conflicts
        return
    started = {r["project"] for r in tables["actuals"]}
    forced_out = set(case.scenario.get("force_out", []))
    for p in result.projects:
        if p.id in started and p.id not in forced_out:
            assert p.selected and p.start == first.projects[[q.id for q in first.projects].index(p.id)].start
        elif p.selected:
            assert p.start_index > a, (p.id, p.start, a)
    REPLANNED.append((seed, len(started)))


REPLANNED: list[tuple[int, int]] = []


def test_the_random_replans_exercised_started_projects():
    """Runs after the cases above (file order): most of them re-planned with started projects."""
    if not REPLANNED:
        pytest.skip("run with the random re-plan cases")
    assert sum(1 for _, started in REPLANNED if started) >= 10, REPLANNED
