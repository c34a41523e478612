"""Solve a scenario: the optimal plan, a reason for every project, and, when no plan exists,
the conflicts that prevent one.

Reasons are derived from the solved plan and the planning data, without re-solving; the
prices that need re-solves (force in/out, one more FTE) are in :mod:`workbench.explain`.
"""
from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.inputs import Inputs, PlanningData
from workbench.model import Plan, Slack, SolverOptions, SolveStatus, solve_plan
from workbench.portfolio import describe_window
from workbench.result import Conflict, ProjectOutcome, Result, package_versions

EPS = 1e-6


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
             warm_start: dict[str, int] | None = None) -> Plan:
    """Solve within what is left of the deadline (a spent deadline means not solved)."""
    if deadline.expired:
        return Plan(SolveStatus.NOT_SOLVED, None, None, None, 0.0, settings.solver)
    remaining = deadline.remaining()
    options = SolverOptions(settings.solver, None if remaining is None else max(remaining, 0.05), settings.gap,
                            threads=settings.threads, warm_start=warm_start)
    return solve_plan(data, options, elastic=elastic)


def solve(inputs: Inputs, solver: str | None = None, time_limit: float | None = None,
          gap: float | None = None, deadline: Deadline | None = None,
          data: PlanningData | None = None) -> Result:
    """Solve the scenario (or ``data``, a variant of its planning data) and explain the plan."""
    settings = SolveSettings.for_inputs(inputs, solver, time_limit, gap)
    deadline = deadline or Deadline(settings.time_limit)
    data = data if data is not None else inputs.data
    started = time.perf_counter()
    plan = run_plan(data, settings, deadline)
    conflicts: list[Conflict] = []
    if plan.status is SolveStatus.INFEASIBLE:
        conflicts = explain_infeasibility(data, settings, deadline)
    result = build_result(inputs, data, plan, conflicts)
    result.solver["seconds"] = time.perf_counter() - started
    if os.environ.get("WORKBENCH_CHECK") and data is inputs.data:
        # the test suite sets this: every plan, in every process, goes through the independent checker
        from workbench.check import check_result

        violations = check_result(inputs, result)
        if violations:
            raise AssertionError(f"checker rejects the plan for {inputs.name}: " + "; ".join(violations[:5]))
    return result


def build_result(inputs: Inputs, data: PlanningData, plan: Plan, conflicts: list[Conflict]) -> Result:
    horizon = data.horizon
    projects = data.projects
    starts = plan.starts
    usage = Usage(data, starts, plan.hired)
    commitments_only = Usage(data, {p: s for p, s in starts.items() if projects.loc[p, "commitment"]}, {})
    outcomes = []
    coefficient = dict(zip(zip(data.start_options["project"], data.start_options["start"]),
                           data.start_options["coefficient"]))
    extra_columns = inputs.portfolio.extra_project_columns
    extras = inputs.portfolio.projects[extra_columns].to_dict("index") if extra_columns else {}
    for project_id, row in projects.iterrows():
        start = starts.get(project_id)
        selected = start is not None
        finish = None if start is None else start + int(row["duration"]) - 1
        outcomes.append(ProjectOutcome(
            id=str(project_id), name=str(row["name"]),
            category=None if row["category"] is None or pd.isna(row["category"]) else str(row["category"]),
            selected=selected, start=None if start is None else horizon.label(start),
            finish=None if finish is None else horizon.label(finish),
            value=float(row["value"]), cost=float(row["cost"]), commitment=str(row["commitment"]),
            reason=project_reason(data, project_id, starts, usage, commitments_only) if plan.status in
            (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) else _no_plan_reason(plan.status),
            start_index=start,
            contribution=float(coefficient.get((project_id, start), 0.0)) if selected else 0.0,
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
        solver={"name": plan.solver, "seconds": plan.seconds, "solve_seconds": plan.seconds},
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


class Usage:
    """Demand and spend of a set of starts, per role-period and period."""

    def __init__(self, data: PlanningData, starts: dict[str, int], hired: dict[tuple[str, int], float]):
        self.data = data
        self.demand: dict[tuple[str, int], float] = defaultdict(float)
        self.spend = [0.0] * data.periods
        chosen = pd.DataFrame(list(starts.items()), columns=["project", "start"])
        load = chosen.merge(data.demand, on="project")
        for (role, t), fte in (load.assign(period=load["start"] + load["offset"])
                               .groupby(["role", "period"])["fte"].sum().items()):
            self.demand[(role, int(t))] = float(fte)
        money = chosen.merge(data.costs, on="project")
        for t, amount in money.assign(period=money["start"] + money["offset"]).groupby("period")["amount"].sum().items():
            self.spend[int(t)] += float(amount)
        for (role, t), fte in hired.items():
            self.spend[t] += fte * data.hiring[role][0]
        self.capacity = data.capacity_by_role_period

    def shortfalls(self, project: str, start: int) -> list[tuple[str, str | None, int, float]]:
        """What is missing to add ``project`` at ``start`` to these starts: (kind, role, period, amount).
        Hiring counts as room up to its maximum."""
        data = self.data
        missing = []
        for role, offset, fte in data.demand_by_project.get(project, []):
            t = start + offset
            room = self.capacity.get((role, t), 0.0) + data.hiring.get(role, (0.0, 0.0))[1] - self.demand.get((role, t), 0.0)
            if fte > room + EPS:
                missing.append(("capacity", role, t, fte - max(room, 0.0)))
        for offset, amount in data.costs_by_project.get(project, []):
            t = start + offset
            budget = data.budget[t]
            if budget is not None and amount > budget - self.spend[t] + EPS:
                missing.append(("budget", None, t, amount - max(budget - self.spend[t], 0.0)))
        if data.budget_total is not None:
            total = sum(amount for _, amount in data.costs_by_project.get(project, []))
            if total > data.budget_total - sum(self.spend) + EPS:
                missing.append(("budget_total", None, -1, total - max(data.budget_total - sum(self.spend), 0.0)))
        return missing


def project_reason(data: PlanningData, project: str, starts: dict[str, int], usage: Usage,
                   commitments_only: Usage) -> str:
    """Why the project is in or out of the plan, in plain words.

    ``usage`` is what the plan uses; ``commitments_only`` what the committed projects alone use.
    """
    row = data.projects.loc[project]
    horizon = data.horizon
    start = starts.get(project)
    if start is not None:
        when = f"starts {horizon.label(start)}, finishes {horizon.label(start + int(row['duration']) - 1)}"
        commitment = row["commitment"]
        if commitment == "forced in":
            return f"Selected: forced in by the scenario ({when})."
        if commitment == "in_progress":
            return f"Selected: in progress, fixed start ({when})."
        if commitment:
            return f"Selected: {commitment} ({when})."
        return f"Selected on {data.objective.value.replace('_', ' ')}: contributes " \
               f"{_coefficient(data, project, start):,.2f} ({when})."
    if row["forced_out"]:
        return "Not selected: forced out by the scenario."
    options = data.start_options.loc[data.start_options["project"] == project]
    if options.empty:
        return "Not selected: cannot run within the horizon; " + describe_window(row, horizon) + "."
    for group, members in data.exclusions.items():
        if project in members:
            winners = [m for m in members if m in starts]
            if winners:
                return f"Not selected: excluded by group {group!r}, which already has {', '.join(winners)}."
    for dependent, required in data.dependencies:
        if dependent != project:
            continue
        if required not in starts:
            return f"Not selected: needs {required}, which is not selected."
        finish = starts[required] + int(data.projects.loc[required, "duration"])
        if finish > int(options["start"].max()):
            return (f"Not selected: needs {required}, which finishes {horizon.label(finish - 1)}, too late for "
                    f"its latest start {horizon.label(int(options['start'].max()))}.")
    if float(options["coefficient"].max()) <= EPS:
        return f"Not selected: adds nothing to the objective ({data.objective.value})."
    # does it fit beside the selected projects? at its best start, what is short?
    best = _best_start(usage, project, options["start"])
    if not best[1]:
        if data.balance:
            return (f"Not selected: fits in capacity and budget at {horizon.label(best[0])}, but would break "
                    "the category balance.")
        return "Not selected: fits, but selecting it does not improve the objective."
    alone = _best_start(commitments_only, project, options["start"])
    if not alone[1]:
        return (f"Not selected: does not fit beside the selected projects (at {horizon.label(best[0])}: "
                f"{_describe_shortfalls(best[1], horizon)}); making room would displace more "
                f"{data.objective.value.replace('_', ' ')} than it adds.")
    return (f"Not selected: does not fit even beside the commitments alone (at best, starting "
            f"{horizon.label(alone[0])}: {_describe_shortfalls(alone[1], horizon)}).")


def _coefficient(data: PlanningData, project: str, start: int) -> float:
    options = data.start_options
    match = options[(options["project"] == project) & (options["start"] == start)]
    return float(match["coefficient"].iloc[0]) if len(match) else 0.0


def _best_start(usage: Usage, project: str, starts):
    best = None
    for start in starts:
        missing = usage.shortfalls(project, int(start))
        score = sum(m[3] / _unit(usage, m) for m in missing)
        if best is None or score < best[2] - EPS:
            best = (int(start), missing, score)
    return best


def _unit(usage: Usage, missing) -> float:
    if missing[0] == "capacity":
        return 1.0
    known = [b for b in usage.data.budget if b]
    return max(1.0, float(np.mean(known)) if known else 1.0)


def _describe_shortfalls(missing, horizon) -> str:
    parts = []
    by_what: dict[tuple[str, str | None], list[tuple[int, float]]] = defaultdict(list)
    for kind, role, t, amount in missing:
        by_what[(kind, role)].append((t, amount))
    for (kind, role), items in by_what.items():
        periods = sorted(t for t, _ in items)
        worst = max(a for _, a in items)
        span = horizon.label(periods[0]) if len(periods) == 1 else \
            f"{horizon.label(periods[0])}..{horizon.label(periods[-1])}"
        if kind == "capacity":
            parts.append(f"{role} short by up to {worst:.2f} FTE in {span}")
        elif kind == "budget":
            parts.append(f"budget short by up to {worst:,.0f} in {span}")
        else:
            parts.append(f"total budget short by {worst:,.0f}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- infeasible
def explain_infeasibility(data: PlanningData, settings: SolveSettings, deadline: Deadline) -> list[Conflict]:
    """Re-solve with priced slack (budgets and capacities before windows and commitments) and
    say what had to give, in the user's terms."""
    plan = run_plan(data, settings, deadline, elastic=True)
    horizon = data.horizon
    if plan.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return [Conflict("unexplained", "No plan exists; the explanation did not finish within the time limit.", 0.0)]
    # the elastic plan holds only commitments and the projects they require
    usage = Usage(data, plan.starts, plan.hired)
    conflicts = []
    for slack in sorted(plan.slacks, key=_slack_order):
        conflicts.append(_conflict(data, slack, usage, plan))
    if not conflicts:
        conflicts.append(Conflict("unexplained", "The solver proved there is no plan, but no single budget, "
                                  "capacity, window or commitment relaxation was found; check dependencies "
                                  "and exclusions among the committed projects.", 0.0))
    return conflicts


def _slack_order(slack: Slack):
    order = ["commitment", "window", "budget_total", "budget", "capacity", "balance_min", "balance_max"]
    return (order.index(slack.kind), slack.role or "", slack.period if slack.period is not None else -1)


def _conflict(data: PlanningData, slack: Slack, usage: Usage, plan: Plan) -> Conflict:
    horizon = data.horizon
    label = None if slack.period is None else horizon.label(slack.period)
    if slack.kind == "capacity":
        running = _running_projects(data, plan.starts, slack.period, role=slack.role)
        capacity = usage.capacity.get((slack.role, slack.period), 0.0)
        hiring = data.hiring.get(slack.role)
        extra = f" + at most {hiring[1]:.2f} hired" if hiring else ""
        return Conflict("capacity", f"{slack.role} {label} short by {slack.amount:.2f} FTE (demand of commitments and their prerequisites "
                        f"{usage.demand.get((slack.role, slack.period), 0.0):.2f} against capacity {capacity:.2f}{extra}"
                        + (f": {', '.join(running)}" if running else "") + ")",
                        slack.amount, period=label, role=slack.role)
    if slack.kind == "budget":
        running = _running_projects(data, plan.starts, slack.period)
        return Conflict("budget", f"budget {label} short by {slack.amount:,.2f} (spend of commitments and their prerequisites, hiring included, "
                        f"{usage.spend[slack.period]:,.2f} against {data.budget[slack.period]:,.2f}"
                        + (f": {', '.join(running)}" if running else "") + ")",
                        slack.amount, period=label)
    if slack.kind == "budget_total":
        return Conflict("budget_total", f"total budget short by {slack.amount:,.2f} (commitments spend "
                        f"{sum(usage.spend):,.2f} against {data.budget_total:,.2f})", slack.amount)
    if slack.kind in ("balance_min", "balance_max"):
        low, high = data.balance[slack.category]
        which = f"below its minimum share {low:.0%}" if slack.kind == "balance_min" else f"above its maximum share {high:.0%}"
        return Conflict(slack.kind, f"category {slack.category} {which} by {slack.amount:,.2f} of cost",
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
