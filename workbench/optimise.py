"""Solve a scenario: the optimal plan, a reason for every project, and, when no plan exists,
the conflicts that prevent one.

Reasons are derived from the solved plan and the planning data, without re-solving
(:mod:`workbench.reasons`); the prices that need re-solves (force in/out, one more FTE) are in
:mod:`workbench.explain`. Every plan solved here, for a scenario or for a variant of it, is
handed to the registered plan observers (the test suite's independent checker is one).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from workbench.accounting import PlanUsage
from workbench.inputs import Inputs, PlanningData
from workbench.model import Plan, RelaxationKind, Slack, SolverOptions, SolveStatus, solve_plan
from workbench.portfolio import Portfolio
from workbench.reasons import project_reasons
from workbench.result import Conflict, ProjectOutcome, Result, package_versions
from workbench.scenario import Scenario

EPS = 1e-6

#: called with (portfolio, scenario spec, result) for every plan solved; see :func:`observe_plans`
PlanObserver = Callable[[Portfolio, Scenario, Result], None]
_observers: list[PlanObserver] = []


def observe_plans(observer: PlanObserver) -> Callable[[], None]:
    """Register ``observer`` for every plan solved from now on; returns the function that
    unregisters it. Variants (forced projects, more capacity, a total budget) are reported with
    the scenario spec they stand for, so an observer can check them as scenarios of their own."""
    _observers.append(observer)
    return lambda: _observers.remove(observer)


class Deadline:
    """One time budget shared by every solve of a command."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.started = time.perf_counter()

    def remaining(self) -> float | None:
        if self.seconds is None:
            return None
        return self.seconds - (time.perf_counter() - self.started)

    @property
    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0.01


@dataclass
class SolveSettings:
    solver: str = "cbc"
    time_limit: float | None = None
    gap: float = 0.0
    threads: int | None = None

    @classmethod
    def for_inputs(cls, inputs: Inputs, solver: str | None = None, time_limit: float | None = None,
                   gap: float | None = None) -> SolveSettings:
        spec = inputs.scenario.spec.solver
        return cls(solver or spec.name, time_limit if time_limit is not None else spec.time_limit,
                   gap if gap is not None else spec.gap, spec.threads)


def run_plan(data: PlanningData, settings: SolveSettings, deadline: Deadline, elastic: bool = False,
             warm_start: dict[str, int] | None = None, stop: threading.Event | None = None) -> Plan:
    """Solve within what is left of the deadline (a spent deadline means not solved)."""
    if deadline.expired:
        return Plan(SolveStatus.NOT_SOLVED, None, None, None, 0.0, settings.solver)
    remaining = deadline.remaining()
    options = SolverOptions(settings.solver, None if remaining is None else max(remaining, 0.05), settings.gap,
                            threads=settings.threads, warm_start=warm_start, stop=stop)
    return solve_plan(data, options, elastic=elastic)


def solve_variant(inputs: Inputs, spec: Scenario, data: PlanningData, settings: SolveSettings,
                  deadline: Deadline) -> Plan:
    """Solve ``data``, a variant of the scenario's planning data that ``spec`` states as a
    scenario (e.g. one more project in ``force_in``); observers see its plan checked as that."""
    plan = run_plan(data, settings, deadline)
    if _observers and plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        result = build_result(inputs, data, plan, [], with_reasons=False)
        for observer in list(_observers):
            observer(inputs.portfolio, spec, result)
    return plan


def solve(inputs: Inputs, solver: str | None = None, time_limit: float | None = None,
          gap: float | None = None, deadline: Deadline | None = None,
          stop: threading.Event | None = None) -> Result:
    """Solve the scenario and explain the plan (``stop``, when set, ends the solve early)."""
    settings = SolveSettings.for_inputs(inputs, solver, time_limit, gap)
    deadline = deadline or Deadline(settings.time_limit)
    data = inputs.data
    started = time.perf_counter()
    plan = run_plan(data, settings, deadline, stop=stop)
    conflicts: list[Conflict] = []
    if plan.status is SolveStatus.INFEASIBLE:
        conflicts = explain_infeasibility(data, settings, deadline)
    result = build_result(inputs, data, plan, conflicts)
    result.solver["seconds"] = time.perf_counter() - started
    for observer in list(_observers):
        observer(inputs.portfolio, inputs.scenario.spec, result)
    return result


def build_result(inputs: Inputs, data: PlanningData, plan: Plan, conflicts: list[Conflict],
                 with_reasons: bool = True) -> Result:
    """The plan as a :class:`Result`; ``with_reasons=False`` skips the reasons (for checking a variant)."""
    horizon = data.horizon
    projects = data.projects
    starts = plan.starts
    usage = PlanUsage(data, starts, plan.hired)
    has_plan = plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    reasons = project_reasons(data, starts, plan.hired, plan.status is SolveStatus.OPTIMAL) \
        if has_plan and with_reasons else {}
    outcomes = []
    extra_columns = inputs.portfolio.extra_project_columns
    extras = inputs.portfolio.projects[extra_columns].to_dict("index") if extra_columns else {}
    for project_id, row in projects.iterrows():
        start = starts.get(project_id)
        selected = start is not None
        finish = None if start is None else start + int(row["duration"]) - 1
        reason = reasons.get(str(project_id))
        outcomes.append(ProjectOutcome(
            id=str(project_id), name=str(row["name"]),
            category=None if row["category"] is None or pd.isna(row["category"]) else str(row["category"]),
            selected=selected, start=None if start is None else horizon.label(start),
            finish=None if finish is None else horizon.label(finish),
            value=float(row["value"]), cost=float(row["cost"]), commitment=str(row["commitment"]),
            reason=reason.text if reason else _no_plan_reason(plan.status),
            reason_kind=reason.kind.value if reason else None,
            start_index=start,
            contribution=data.coefficient_by_option.get((str(project_id), start), 0.0) if selected else 0.0,
            extra={k: (None if v is None or (isinstance(v, float) and v != v) else v)
                   for k, v in extras.get(project_id, {}).items()},
        ))
    capacity_rows = []
    for role, t, cap in data.capacity[["role", "period", "fte"]].itertuples(index=False):
        capacity_rows.append({"role": role, "period": horizon.label(int(t)),
                              "demand": usage.demand.get((role, int(t)), 0.0), "capacity": float(cap),
                              "hired": float(plan.hired.get((role, int(t)), 0.0))})
    budget_rows = [{"period": horizon.label(t), "spend": usage.spend[t], "budget": data.budget[t]}
                   for t in range(data.periods)]
    scenario = inputs.scenario
    return Result(
        scenario=scenario.name, status=plan.status, objective=plan.objective,
        objective_kind=data.objective.value, gap=plan.gap, bound=plan.bound,
        solver={"name": plan.solver, "seconds": plan.seconds},
        projects=outcomes, capacity=capacity_rows, budget=budget_rows, conflicts=conflicts,
        warnings=list(data.warnings),
        provenance={"data_sha256": inputs.portfolio.data_hash, "portfolio": str(inputs.portfolio.location),
                    "scenario_file": str(scenario.path), "scenario_files": [str(p) for p in scenario.files],
                    "scenario": _plain(scenario.resolved), "changes": scenario.changes,
                    "versions": package_versions()},
    )


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _no_plan_reason(status: SolveStatus) -> str:
    if status is SolveStatus.INFEASIBLE:
        return "No plan exists for this scenario; see the conflicts."
    return "The solver stopped before it found any plan."


# ----------------------------------------------------------------------------- infeasible
def explain_infeasibility(data: PlanningData, settings: SolveSettings, deadline: Deadline) -> list[Conflict]:
    """Re-solve with priced slack (budgets and capacities before windows and commitments) and
    say what had to give, in the user's terms. This is one way to make a plan possible (a
    weighted relaxation), not a claim that it is the smallest change."""
    plan = run_plan(data, settings, deadline, elastic=True)
    horizon = data.horizon
    if plan.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return [Conflict("unexplained", "No plan exists; the explanation did not finish within the time limit.", 0.0)]
    # the elastic plan holds the commitments and only those optional projects it needs
    # (prerequisites, a category's minimum share): each costs it something
    usage = PlanUsage(data, plan.starts, plan.hired)
    conflicts = []
    for slack in sorted(plan.slacks, key=_slack_order):
        conflicts.append(_conflict(data, slack, usage, plan))
    if not conflicts:
        conflicts.append(Conflict("unexplained", "The solver proved there is no plan, but no single budget, "
                                  "capacity, window or commitment relaxation was found; check dependencies "
                                  "and exclusions among the committed projects.", 0.0))
    return conflicts


_SLACK_ORDER = [RelaxationKind.COMMITMENT, RelaxationKind.WINDOW, RelaxationKind.BUDGET_TOTAL, RelaxationKind.BUDGET,
                RelaxationKind.CAPACITY, RelaxationKind.BALANCE_MIN, RelaxationKind.BALANCE_MAX]


def _slack_order(slack: Slack):
    return (_SLACK_ORDER.index(slack.kind), slack.role or "", slack.period if slack.period is not None else -1)


def _conflict(data: PlanningData, slack: Slack, usage: Usage, plan: Plan) -> Conflict:
    horizon = data.horizon
    label = None if slack.period is None else horizon.label(slack.period)
    if slack.kind == "capacity":
        running = _running_projects(data, plan.starts, slack.period, role=slack.role)
        capacity = usage.capacity.get((slack.role, slack.period), 0.0)
        hiring = data.hiring.get(slack.role)
        extra = f" + at most {hiring[1]:.2f} hired" if hiring else ""
        return Conflict("capacity", f"{slack.role} {label} short by {slack.amount:.2f} FTE (demand of the relaxed "
                        f"plan {usage.demand.get((slack.role, slack.period), 0.0):.2f} against capacity "
                        f"{capacity:.2f}{extra}"
                        + (f": {', '.join(running)}" if running else "") + ")",
                        slack.amount, period=label, role=slack.role)
    if slack.kind == "budget":
        running = _running_projects(data, plan.starts, slack.period)
        return Conflict("budget", f"budget {label} short by {slack.amount:,.2f} (spend of the relaxed plan, "
                        f"hiring included, {usage.spend[slack.period]:,.2f}, against "
                        f"{data.budget[slack.period]:,.2f}"
                        + (f": {', '.join(running)}" if running else "") + ")",
                        slack.amount, period=label)
    if slack.kind == "budget_total":
        return Conflict("budget_total", f"total budget short by {slack.amount:,.2f} (the relaxed plan spends "
                        f"{sum(usage.spend):,.2f} against {data.budget_total:,.2f})", slack.amount)
    if slack.kind in ("balance_min", "balance_max"):
        low, high = data.balance[slack.category]
        which = f"below its minimum share {low:.0%}" if slack.kind == "balance_min" else f"above its maximum share {high:.0%}"
        return Conflict(slack.kind.value, f"category {slack.category} {which} by {slack.amount:,.2f} of cost",
                        slack.amount, category=slack.category)
    row = data.projects.loc[slack.project]
    who = f"{row['commitment']} {slack.project}"
    if slack.kind == "window":
        allowed = data.start_options.loc[data.start_options["project"] == slack.project, "start"]
        window = (horizon.label(int(allowed.min())) if allowed.min() == allowed.max()
                  else f"{horizon.label(int(allowed.min()))}..{horizon.label(int(allowed.max()))}")
        return Conflict("window", f"{who} cannot start within {window}; the nearest start that works is "
                        f"{label}, {int(slack.amount)} period(s) outside it", slack.amount,
                        period=label, project=slack.project)
    return Conflict("commitment", f"{who} cannot be scheduled at all: {_why_unschedulable(data, slack.project)}",
                    slack.amount, project=slack.project)


def _why_unschedulable(data: PlanningData, project: str) -> str:
    horizon = data.horizon
    row = data.projects.loc[project]
    duration = int(row["duration"])
    if duration > data.periods:
        return f"it runs {duration} periods, longer than the horizon"
    required = [q for p, q in data.dependencies if p == project]
    for q in required:
        if data.projects.loc[q, "forced_out"]:
            return f"it requires {q}, which is forced out"
        q_options = data.start_options.loc[data.start_options["project"] == q, "start"]
        if q_options.empty:
            return f"it requires {q}, which cannot run within the horizon"
        earliest = int(q_options.min()) + int(data.projects.loc[q, "duration"])
        if earliest + duration > data.periods:
            return (f"it requires {q}, which finishes {horizon.label(earliest - 1)} at the earliest, so it cannot "
                    f"finish within the horizon (by {horizon.label(data.periods - 1)})")
    for group, members in data.exclusions.items():
        others = [m for m in members if m != project and data.projects.loc[m, "commitment"]]
        if project in members and others:
            return f"exclusion group {group!r} also holds committed {', '.join(others)}"
    return "no start in the horizon satisfies its dependencies and exclusions"


def _running_projects(data: PlanningData, starts: dict[str, int], period: int, role: str | None = None) -> list[str]:
    """Projects of ``starts`` running in ``period`` (and needing ``role``, when given)."""
    names = []
    for project, start in starts.items():
        duration = int(data.projects.loc[project, "duration"])
        if not (start <= period < start + duration):
            continue
        if role is not None:
            demand = data.demand
            if not ((demand["project"] == project) & (demand["role"] == role)
                    & (demand["offset"] == period - start)).any():
                continue
        names.append(project)
    return names
