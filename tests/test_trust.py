"""Optimality cross-examined and reasons held to their claims, on seeded random portfolios and
the sample: CBC and HiGHS agree on every proven optimum; relaxing a constraint never lowers a
proven optimum and tightening never raises it; forced-in prices are never positive and one more
FTE is never worth less than nothing; every reason kind is true by a forced re-solve written as
a scenario of its own. Planted bugs (a wrong reason kind, a solver option that loses the
optimum) make these checks fail."""

from __future__ import annotations

import copy
from collections import defaultdict

import pytest
from conftest import SAMPLE
from portfolio_kit import make_case, write_scenario
from random_portfolios import Case, random_case, status_dated_case

from workbench.analyses import reasons
from workbench.model import highs
from workbench.ground.errors import InputError
from workbench.analyses.prices import explain
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve
from workbench.planning.result import Reason, ReasonKind
from workbench.ground.status import SolveStatus

SEEDS = range(64)
SELECTED = {"mandatory", "approved", "in_progress", "forced_in", "prerequisite", "value"}


def tolerance(objective: float | None) -> float:
    return 1e-4 + 1e-7 * abs(objective or 0.0)


def write(tmp_path, case: Case, tables: dict | None = None, **changes):
    """The case (or a variant: other tables, scenario keys changed) as files; returns its path."""
    scenario = copy.deepcopy(case.scenario)
    scenario.update(changes)
    folder = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
    return make_case(
        folder,
        tables if tables is not None else case.tables,
        periods=case.periods,
        granularity=case.granularity,
        **scenario,
    )


def solve_file(path, solver: str = "highs"):
    """(status, objective) of a scenario file; an input error counts as 'rejected'."""
    try:
        result = solve(load_inputs(path), solver=solver)
    except InputError:
        return "rejected", None
    return result.status.value, result.objective


def solved(tmp_path, seed: int):
    """(case, inputs, HiGHS result) of a seed; the test returns early when no plan exists."""
    case, inputs = loaded(tmp_path, seed)
    return case, inputs, solve(inputs, solver="highs")


def loaded(tmp_path, seed: int):
    case = random_case(seed)
    try:
        return case, load_inputs(write(tmp_path, case))
    except InputError as error:
        pytest.skip(f"seed {seed} is rejected by validation: {error}")


# ----------------------------------------------------------------------------- the generator
def test_random_cases_load_and_cover_every_constraint_type(tmp_path):
    seen, loadable = set(), 0
    for seed in SEEDS:
        case = random_case(seed)
        try:
            load_inputs(write(tmp_path, case))
            loadable += 1
        except InputError:
            continue
        tables, scenario = case.tables, case.scenario
        seen |= {name for name in ("dependencies", "costs", "budget") if tables[name]}
        seen |= set(scenario) & {"hiring", "balance", "force_out", "force_in", "capacity", "discount_rate", "ahp"}
        seen |= {scenario["objective"], case.granularity}
        seen |= {"total budget"} if scenario.get("budget", {}).get("total") else set()
        seen |= {"several exclusion groups"} if len({r["group"] for r in tables["exclusions"]}) > 1 else set()
        seen |= {
            k for p in tables["projects"] for k in ("mandatory", "start", "earliest_start", "latest_start") if p.get(k)
        }
        seen |= {p["status"] for p in tables["projects"] if p.get("status")}
        dated = [v for a in scenario.get("capacity", []) for v in (a["from"], a["until"])] + list(
            scenario.get("budget", {}).get("periods", {})
        )
        seen |= {f"date-form period ({case.granularity})" for v in dated if not isinstance(v, str)}
    assert loadable >= 50, loadable
    assert seen >= {
        "dependencies",
        "costs",
        "budget",
        "hiring",
        "balance",
        "force_out",
        "force_in",
        "capacity",
        "discount_rate",
        "ahp",
        "value",
        "score",
        "risk_adjusted_value",
        "month",
        "quarter",
        "total budget",
        "several exclusion groups",
        "mandatory",
        "start",
        "earliest_start",
        "latest_start",
        "approved",
        "in_progress",
        "date-form period (month)",
        "date-form period (quarter)",
    }, seen


# ----------------------------------------------------------------------------- differential
def disagreements(name: str, inputs) -> list[str]:
    """Where CBC, HiGHS and their race (auto) disagree on a status or a proven optimum."""
    cbc, highs, auto = solve(inputs, solver="cbc"), solve(inputs, solver="highs"), solve(inputs, solver="auto")
    found = []
    for label, other in (("HiGHS", highs), ("auto", auto)):
        if cbc.status is not other.status:
            found.append(f"{name}: CBC says {cbc.status.value}, {label} {other.status.value}")
        elif cbc.status is SolveStatus.OPTIMAL and abs(cbc.objective - other.objective) > tolerance(other.objective):
            found.append(f"{name}: proven optima differ: CBC {cbc.objective}, {label} {other.objective}")
    if auto.has_plan and not auto.solver["name"].startswith("auto: "):
        found.append(f"{name}: auto does not say whose plan it is ({auto.solver['name']})")
    return found


def solver_disagreements(tmp_path, seed: int) -> list[str]:
    return disagreements(f"seed {seed}", loaded(tmp_path, seed)[1])


@pytest.mark.parametrize("seed", SEEDS)
def test_cbc_and_highs_agree_on_every_proven_optimum(tmp_path, seed):
    assert solver_disagreements(tmp_path, seed) == []


@pytest.mark.parametrize(
    "name", ["baseline", "budget-cut-15", "hire-data-engineers", "accelerate-regulatory", "dora-deadline"]
)
def test_cbc_and_highs_agree_on_the_sample(name):
    assert sample_disagreements(name) == []


def sample_disagreements(name: str) -> list[str]:
    return disagreements(name, load_inputs(SAMPLE / f"{name}.yaml"))


def test_a_solver_option_that_loses_the_optimum_is_caught(monkeypatch):
    """Planted bug: HiGHS told to stop within 5% of its bound, which it then calls optimal."""
    original = highs.HighsWithStart.createAndConfigureSolver

    def sloppy(self, lp):
        original(self, lp)
        lp.solverModel.setOptionValue("mip_rel_gap", 0.05)

    monkeypatch.setattr(highs.HighsWithStart, "createAndConfigureSolver", sloppy)
    assert sample_disagreements("baseline"), "a solver stopping 5% short of its bound went unnoticed"


# ----------------------------------------------------------------------------- metamorphic
def variants(case: Case) -> tuple[list[tuple[str, dict, dict]], list[tuple[str, dict, dict]]]:
    """(relaxations, tightenings) of a case, each (name, tables, scenario changes)."""
    scenario, tables = case.scenario, case.tables
    role = tables["capacity"][0]["role"]
    relaxed = [("one more FTE", tables, {"capacity": [*scenario.get("capacity", []), {"role": role, "delta": 1}]})]
    budget = copy.deepcopy(scenario.get("budget", {}))
    budget["scale"] = budget.get("scale", 1.0) * 1.5
    if budget.get("total") is not None:
        budget["total"] = budget["total"] * 1.5
    budget["periods"] = {k: v * 1.5 for k, v in budget.get("periods", {}).items()}
    relaxed.append(("more budget", tables, {"budget": budget}))
    windowed = [p for p in tables["projects"] if p.get("earliest_start") or p.get("latest_start")]
    if windowed:
        wider = copy.deepcopy(tables)
        for p in wider["projects"]:
            if p["id"] == windowed[0]["id"]:
                p.pop("earliest_start", None)
                p.pop("latest_start", None)
        relaxed.append(("wider window", wider, {}))
    if tables["dependencies"]:
        fewer = copy.deepcopy(tables)
        fewer["dependencies"] = fewer["dependencies"][1:]
        relaxed.append(("one dependency removed", fewer, {}))
    tight_budget = copy.deepcopy(scenario.get("budget", {}))
    tight_budget["scale"] = tight_budget.get("scale", 1.0) * 0.7
    tightened = [
        ("less budget", tables, {"budget": tight_budget}),
        ("less capacity", tables, {"capacity": [*scenario.get("capacity", []), {"role": role, "delta": -0.5}]}),
    ]
    return relaxed, tightened


@pytest.mark.parametrize("seed", SEEDS)
def test_relaxing_never_lowers_and_tightening_never_raises_a_proven_optimum(tmp_path, seed):
    case, inputs = loaded(tmp_path, seed)
    solver = "cbc" if seed % 2 else "highs"
    base = solve(inputs, solver=solver)
    relaxed, tightened = variants(case)
    for name, tables, changes in relaxed:
        status, objective = solve_file(write(tmp_path, case, tables, **changes), solver)
        if base.status is SolveStatus.OPTIMAL:
            assert status == "optimal", (name, status)
            assert objective >= base.objective - tolerance(base.objective), (name, objective, base.objective)
    for name, tables, changes in tightened:
        status, objective = solve_file(write(tmp_path, case, tables, **changes), solver)
        if base.status is SolveStatus.INFEASIBLE:
            assert status in ("infeasible", "rejected"), (name, status)
        elif status == "optimal" and base.status is SolveStatus.OPTIMAL:
            assert objective <= base.objective + tolerance(base.objective), (name, objective, base.objective)


# ----------------------------------------------------------------------------- reasons
def latest_start(row: dict, case: Case) -> int:
    last = case.periods - int(row["duration"])
    index = {case.label(t): t for t in range(case.periods)}
    if row.get("start"):
        return index[row["start"]]
    return min(last, index[row["latest_start"]]) if row.get("latest_start") else last


def reason_violations(tmp_path, case: Case, result) -> list[str]:
    """Each project's reason kind against what a forced re-solve (a scenario file of its own) shows."""
    base = result.objective
    rows = {p["id"]: p for p in case.tables["projects"]}
    requires = defaultdict(list)
    for dependency in case.tables.get("dependencies", []):
        requires[dependency["project"]].append(dependency["requires"])
    groups = defaultdict(set)
    for exclusion in case.tables.get("exclusions", []):
        groups[exclusion["group"]].add(exclusion["project"])
    by_id = {p.id: p for p in result.projects}
    scenario = case.scenario
    wrong = []
    # a re-plan (docs/status.md): projects with cost or progress by the status date have started
    as_of = scenario.get("status", {}).get("as_of")
    status_date = None if as_of is None else [case.label(t) for t in range(case.periods)].index(as_of)
    started = {
        r["project"] for r in case.tables.get("actuals", []) if float(r["cost"]) > 0 or float(r["percent_complete"]) > 0
    }

    def closed_by_status_date(pid) -> bool:
        """Its window, or a prerequisite's (through others), ends by the status date, unstarted."""
        if pid in started:
            return False
        return latest_start(rows[pid], case) <= status_date or any(closed_by_status_date(q) for q in requires[pid])

    def forced_in(pid, **changes):
        return solve_file(write(tmp_path, case, None, force_in=[*scenario.get("force_in", []), pid], **changes))

    for p in result.projects:
        kind, row = p.reason_kind, rows[p.id]
        claim = f"{p.id} {kind}"
        if (kind in SELECTED) != p.selected:
            wrong.append(f"{claim}: kind does not match selected={p.selected}")
            continue
        if (
            kind == "mandatory"
            and row.get("mandatory") != "true"
            or kind == "approved"
            and row.get("status") != kind
            or kind == "in_progress"
            and row.get("status") != kind
            and p.id not in started
            or kind == "forced_in"
            and p.id not in scenario.get("force_in", [])
            or kind == "forced_out"
            and p.id not in scenario.get("force_out", [])
        ):
            wrong.append(f"{claim}: not what the portfolio and scenario say")
        elif kind == "value" and (row.get("mandatory") or row.get("status") or p.id in scenario.get("force_in", [])):
            wrong.append(f"{claim}: a commitment")
        elif kind == "prerequisite":
            status, _ = solve_file(write(tmp_path, case, None, force_out=[*scenario.get("force_out", []), p.id]))
            if status not in ("infeasible", "rejected"):
                wrong.append(f"{claim}: a plan without it exists ({status})")
        elif kind == "excluded" and not any(
            p.id in members and any(by_id[m].selected for m in members - {p.id}) for members in groups.values()
        ):
            wrong.append(f"{claim}: no other member of its groups is selected")
        elif kind == "needs_prerequisite" and all(by_id[q].selected for q in requires[p.id]):
            wrong.append(f"{claim}: every prerequisite is selected")
        elif kind == "prerequisite_late":
            finishes = [by_id[q].start_index + int(rows[q]["duration"]) for q in requires[p.id] if by_id[q].selected]
            if len(finishes) != len(requires[p.id]) or max(finishes) <= latest_start(row, case):
                wrong.append(f"{claim}: a prerequisite is missing or finishes in time")
        elif kind == "no_start":
            status, _ = forced_in(p.id)
            if status != "rejected":
                wrong.append(f"{claim}: forcing it in is accepted ({status})")
        elif kind == "status_date":
            status, _ = forced_in(p.id)
            if status_date is None or not closed_by_status_date(p.id):
                wrong.append(f"{claim}: neither its window nor a prerequisite's closes by the status date")
            elif status not in ("infeasible", "rejected"):
                wrong.append(f"{claim}: a plan holds it ({status})")
        elif kind == "does_not_fit":
            status, _ = forced_in(p.id)
            if status not in ("infeasible", "rejected"):
                wrong.append(f"{claim}: a plan holds it ({status})")
        elif kind == "balance":
            status, _ = forced_in(p.id)
            unbalanced, _ = forced_in(p.id, balance={})
            if status != "infeasible" or unbalanced not in ("optimal", "feasible"):
                wrong.append(f"{claim}: forced in {status}, without balance {unbalanced}")
        elif kind in ("no_gain", "displaces_more"):
            status, objective = forced_in(p.id)
            if status != "optimal":
                wrong.append(f"{claim}: forcing it in gives {status}")
            elif kind == "no_gain" and abs(objective - base) > tolerance(base):
                wrong.append(f"{claim}: forced optimum {objective} against {base}")
            elif kind == "displaces_more" and objective >= base - tolerance(base):
                wrong.append(f"{claim}: forced optimum {objective} is not below {base}")
    return wrong


@pytest.mark.parametrize("seed", SEEDS)
def test_every_reason_is_true_and_explain_prices_have_the_right_sign(tmp_path, seed):
    case, inputs, result = solved(tmp_path, seed)
    if not result.has_plan:
        return
    assert reason_violations(tmp_path, case, result) == []
    if result.status is not SolveStatus.OPTIMAL:
        assert {p.reason_kind for p in result.projects} <= SELECTED | {
            "forced_out",
            "excluded",
            "needs_prerequisite",
            "prerequisite_late",
            "no_start",
            "does_not_fit",
            "unproven",
        }
        return
    explanation = explain(inputs, solver="highs")
    assert explanation.result.objective == pytest.approx(result.objective, abs=tolerance(result.objective))
    assert reason_violations(tmp_path, case, explanation.result) == []
    for item in explanation.projects:
        assert "inconsistent" not in item.note, item
        if item.action == "force in" and item.delta is not None:
            assert item.delta <= tolerance(result.objective), item
    for item in explanation.roles:
        assert "inconsistent" not in item.note, item
        if item.status == "optimal":
            assert item.delta >= -tolerance(result.objective), item
    # explain decides every project left out of a proven optimum that it could re-solve in time
    left = {p.reason_kind for p in explanation.result.projects if not p.selected}
    assert "unproven" not in left


STATUS_SEEDS = range(48)


@pytest.mark.parametrize("seed", STATUS_SEEDS)
def test_every_reason_of_a_replan_is_true(tmp_path, seed):
    """Seeded random portfolios with a baseline, actuals and a status date: the re-plan's reasons,
    each confirmed by a forced re-solve of a scenario that re-plans from the same date."""
    case = status_dated_case(seed)
    try:
        result = solve(load_inputs(write(tmp_path, case)), solver="highs")
    except InputError as error:
        pytest.skip(f"seed {seed} is rejected: {error}")
    if result.has_plan:
        assert reason_violations(tmp_path, case, result) == []


def test_status_dated_cases_cover_the_replan(tmp_path):
    """The generator gives re-plans with started, complete and window-closed projects."""
    seen, planned = set(), 0
    for seed in STATUS_SEEDS:
        case = status_dated_case(seed)
        try:
            result = solve(load_inputs(write(tmp_path, case)), solver="highs")
        except InputError:
            continue
        planned += result.has_plan
        seen |= {p.reason_kind for p in result.projects}
        seen |= {"complete"} if any(r["percent_complete"] >= 100 for r in case.tables["actuals"]) else set()
    assert planned >= 24, planned
    assert seen >= {"in_progress", "status_date", "complete", "value"}, seen


def test_the_sample_replan_reasons_are_true(tmp_path):
    """The sample's re-plan: every status_date and does_not_fit reason confirmed by forcing the
    project in (a scenario extending replan-2027-06)."""
    result = solve(load_inputs(SAMPLE / "replan-2027-06.yaml"), solver="highs")
    claims = [p for p in result.projects if p.reason_kind in ("status_date", "does_not_fit", "no_start")]
    assert any(p.reason_kind == "status_date" for p in claims)
    for p in claims:
        path = tmp_path / f"force-{p.id}.yaml"
        path.write_text(f"extends: {SAMPLE / 'replan-2027-06.yaml'}\nname: force-{p.id}\nforce_in: [{p.id}]\n")
        status, _ = solve_file(path)
        assert status in ("infeasible", "rejected"), (p.id, p.reason_kind, status)


def test_a_wrong_reason_kind_is_caught(tmp_path, monkeypatch):
    """Planted bug: projects left out with no cheap decision are said not to fit at all."""
    original = reasons.project_reason

    def overclaiming(context, project, proven):
        reason = original(context, project, proven)
        return Reason(ReasonKind.DOES_NOT_FIT, reason.text) if reason.kind is ReasonKind.UNPROVEN else reason

    monkeypatch.setattr(reasons, "project_reason", overclaiming)
    for seed in SEEDS:
        (tmp_path / str(seed)).mkdir()
        try:
            case, inputs = loaded(tmp_path / str(seed), seed)
        except pytest.skip.Exception:
            continue
        result = solve(inputs, solver="highs")
        if result.has_plan and reason_violations(tmp_path / str(seed), case, result):
            return
    pytest.fail("an over-claiming reason went unnoticed on every seed")


def test_the_sample_reasons_are_true(tmp_path):
    """GRO-10 and PLT-09 fit in some plan: they are not said to fit in none (the old report did)."""
    inputs = load_inputs(SAMPLE / "baseline.yaml")
    result = solve(inputs, solver="highs")
    kinds = {p.id: p.reason_kind for p in result.projects}
    for project in ("GRO-10", "PLT-09"):
        assert kinds[project] != "does_not_fit"
        forced = write_scenario(
            tmp_path / f"{project}.yaml", {"extends": str(SAMPLE / "baseline.yaml"), "force_in": [project]}
        )
        assert solve(load_inputs(forced), solver="highs").has_plan
    for project, kind in kinds.items():
        if kind == "does_not_fit":
            forced = write_scenario(
                tmp_path / f"{project}.yaml", {"extends": str(SAMPLE / "baseline.yaml"), "force_in": [project]}
            )
            try:
                status = solve(load_inputs(forced), solver="highs").status
            except InputError:
                continue
            assert status is SolveStatus.INFEASIBLE, project


def test_prerequisite_late_and_balance_on_hand_built_portfolios(tmp_path):
    """B can only run late (no dev before 2027-03), so A, which needs B and must start by
    2027-03, is left out with prerequisite_late; C would tip category x over its share."""
    tables = {
        "projects": [
            {"id": "A", "name": "A", "value": 10, "cost": 1, "duration": 1, "latest_start": "2027-03", "category": "y"},
            {"id": "B", "name": "B", "value": 10, "cost": 1, "duration": 2, "category": "y"},
            {"id": "C", "name": "C", "value": 50, "cost": 9, "duration": 1, "category": "x"},
        ],
        "demand": [
            {"project": "B", "role": "dev", "fte": 1},
            {"project": "A", "role": "ops", "fte": 1},
            {"project": "C", "role": "ops", "fte": 1},
        ],
        "capacity": [
            {"role": "dev", "fte": 1},
            {"role": "dev", "fte": 0, "period": "2027-01"},
            {"role": "dev", "fte": 0, "period": "2027-02"},
            {"role": "ops", "fte": 1},
        ],
        "dependencies": [{"project": "A", "requires": "B"}],
    }
    inputs = load_inputs(make_case(tmp_path / "late", tables, periods=5, balance={"x": {"max": 0.5}}))
    result = solve(inputs, solver="highs")
    kinds = {p.id: p.reason_kind for p in result.projects}
    assert kinds["B"] == "value" and kinds["A"] == "prerequisite_late"
    assert kinds["C"] == "unproven"  # fits in capacity and budget; only a re-solve can tell why not
    refined = {p.id: p.reason_kind for p in explain(inputs, solver="highs").result.projects}
    assert refined["C"] == "balance"
    case = Case(0, tables, {"balance": {"x": {"max": 0.5}}}, 5, "month")
    (tmp_path / "check").mkdir()
    assert reason_violations(tmp_path / "check", case, result) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_ranked_lists_are_checked_and_never_beat_a_proven_optimum(tmp_path, seed):
    from workbench.analyses.prioritise import prioritisation

    case, inputs, result = solved(tmp_path, seed)
    if not result.has_plan:
        return
    ranked = prioritisation(inputs, optimal=result)
    # the ranked list placed where it fits keeps every rule it checks (it pays for its hiring);
    # what a greedy cannot promise is balance, and room for every commitment
    assert all("category" in v or "committed or forced in but not selected" in v for v in ranked.greedy_violations), (
        ranked.greedy_violations
    )
    if result.status is SolveStatus.OPTIMAL and ranked.optimiser_gain is not None:
        assert ranked.optimiser_gain >= -tolerance(result.objective)
    if not ranked.ranked_feasible:
        assert ranked.ranked_violations


def test_unaffordable_hiring_is_paid_for_by_the_ranked_list(tmp_path):
    """Hiring allowed but dearer than the budget: the ranked list may not use it for free."""
    from workbench.analyses.prioritise import prioritisation

    tables = {
        "projects": [{"id": "A", "name": "A", "value": 10, "cost": 1, "duration": 1}],
        "demand": [{"project": "A", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 0}],
        "budget": [{"amount": 5}],
    }
    inputs = load_inputs(make_case(tmp_path, tables, periods=1, hiring=[{"role": "dev", "cost": 100, "max_fte": 1}]))
    result = solve(inputs, solver="highs")
    assert result.objective == 0
    ranked = prioritisation(inputs, optimal=result)
    assert ranked.greedy_selected == [] and ranked.greedy_objective == 0 and ranked.greedy_feasible
    assert ranked.optimiser_gain == 0


# ----------------------------------------------------------------------------- the check in production
def test_a_plan_the_checker_rejects_is_raised_never_returned(monkeypatch):
    """Planted bug: the model's plan gains a project it never chose (the sample's cheapest one
    left out). The same path runs here as in production: solve and every variant of explain
    hand their plan to the independent checker, which refuses it."""
    import dataclasses

    from workbench.analyses.check import CheckFailed
    from workbench.model import formulation
    from workbench.planning import runs

    inputs = load_inputs(SAMPLE / "baseline.yaml")
    honest = solve(inputs, solver="highs")
    left_out = min((p for p in honest.projects if not p.selected), key=lambda p: p.cost)
    original = formulation.find_plan
    calls = []

    def padded(data, settings, **kwargs):
        plan = original(data, settings, **kwargs)
        calls.append(data)
        if len(calls) >= first_padded and plan.status.has_plan and left_out.id not in plan.starts:
            options = data.start_options[data.start_options["project"].eq(left_out.id)]
            plan = dataclasses.replace(plan, starts={**plan.starts, left_out.id: int(options["start"].min())})
        return plan

    monkeypatch.setattr(runs, "find_plan", padded)
    first_padded = 1
    with pytest.raises(CheckFailed, match="checker rejects the plan for baseline"):
        solve(inputs, solver="highs")
    calls.clear()
    first_padded = 2  # the scenario's own plan is honest; its first variant (a forced project) is not
    with pytest.raises(CheckFailed):
        explain(inputs, solver="highs")
    assert len(calls) > 1  # raised by a variant, not by the scenario's own solve
