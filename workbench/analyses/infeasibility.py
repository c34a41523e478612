"""Why no plan exists: an elastic re-solve and its relaxations in the user's terms.

Priced slack relaxes budgets and capacities before windows and commitments: one way to make
a plan possible, not a claim that it is the smallest change (docs/model.md).
"""

from __future__ import annotations

from workbench.ground.formatting import fte_figure, money
from workbench.data.planning_data import PlanningData
from workbench.data.scenario import SolverSpec
from workbench.ground.status import ConflictKind
from workbench.model.formulation import Plan, Slack
from workbench.planning.accounting import PlanUsage
from workbench.planning.result import Conflict
from workbench.planning.runs import Deadline, plan_within


def explain_infeasibility(data: PlanningData, settings: SolverSpec, deadline: Deadline) -> list[Conflict]:
    """Re-solve with priced slack (budgets and capacities before windows and commitments) and
    say what had to give, in the user's terms. This is one way to make a plan possible (a
    weighted relaxation), not a claim that it is the smallest change."""
    plan = plan_within(data, settings, deadline, elastic=True)
    if not plan.status.has_plan:
        return [
            Conflict(
                ConflictKind.UNEXPLAINED, "No plan exists; the explanation did not finish within the time limit.", 0.0
            )
        ]
    # the elastic plan holds the commitments and only those optional projects it needs
    # (prerequisites, a category's minimum share): each costs it something
    usage = PlanUsage(data, plan.starts, plan.hired)
    conflicts = []
    for slack in sorted(plan.slacks, key=_slack_order):
        conflicts.append(_conflict(data, slack, usage, plan))
    if not conflicts:
        conflicts.append(
            Conflict(
                ConflictKind.UNEXPLAINED,
                "The solver proved there is no plan, but no single budget, "
                "capacity, window or commitment relaxation was found; check dependencies "
                "and exclusions among the committed projects.",
                0.0,
            )
        )
    return conflicts


_SLACK_ORDER = [
    ConflictKind.COMMITMENT,
    ConflictKind.WINDOW,
    ConflictKind.BUDGET_TOTAL,
    ConflictKind.BUDGET,
    ConflictKind.CAPACITY,
    ConflictKind.BALANCE_MIN,
    ConflictKind.BALANCE_MAX,
]


def _slack_order(slack: Slack):
    return (_SLACK_ORDER.index(slack.kind), slack.role or "", slack.period if slack.period is not None else -1)


def _conflict(data: PlanningData, slack: Slack, usage: PlanUsage, plan: Plan) -> Conflict:
    horizon = data.horizon
    label = None if slack.period is None else horizon.label(slack.period)
    if slack.kind is ConflictKind.CAPACITY:
        running = _running_projects(data, plan.starts, slack.period, role=slack.role)
        capacity = usage.capacity.get((slack.role, slack.period), 0.0)
        hiring = data.hiring.get(slack.role)
        extra = f" + at most {fte_figure(hiring[1])} hired" if hiring else ""
        return Conflict(
            ConflictKind.CAPACITY,
            f"{slack.role} {label} short by {fte_figure(slack.amount)} FTE (demand of the relaxed "
            f"plan {fte_figure(usage.demand.get((slack.role, slack.period), 0.0))} against capacity "
            f"{fte_figure(capacity)}{extra}" + (f": {', '.join(running)}" if running else "") + ")",
            slack.amount,
            period=label,
            role=slack.role,
        )
    if slack.kind is ConflictKind.BUDGET:
        running = _running_projects(data, plan.starts, slack.period)
        return Conflict(
            ConflictKind.BUDGET,
            f"budget {label} short by {money(slack.amount)} (spend of the relaxed plan, "
            f"hiring included, {money(usage.spend[slack.period])}, against "
            f"{money(data.budget[slack.period])}" + (f": {', '.join(running)}" if running else "") + ")",
            slack.amount,
            period=label,
        )
    if slack.kind is ConflictKind.BUDGET_TOTAL:
        return Conflict(
            ConflictKind.BUDGET_TOTAL,
            f"total budget short by {money(slack.amount)} (the relaxed plan spends "
            f"{money(sum(usage.spend))} against {money(data.budget_total)})",
            slack.amount,
        )
    if slack.kind in (ConflictKind.BALANCE_MIN, ConflictKind.BALANCE_MAX):
        low, high = data.balance[slack.category]
        which = (
            f"below its minimum share {low:.0%}"
            if slack.kind is ConflictKind.BALANCE_MIN
            else f"above its maximum share {high:.0%}"
        )
        return Conflict(
            slack.kind,
            f"category {slack.category} {which} by {money(slack.amount)} of cost",
            slack.amount,
            category=slack.category,
        )
    row = data.projects.loc[slack.project]
    who = f"{row['commitment']} {slack.project}"
    if slack.kind is ConflictKind.WINDOW:
        allowed = data.start_options.loc[data.start_options["project"] == slack.project, "start"]
        window = (
            horizon.label(int(allowed.min()))
            if allowed.min() == allowed.max()
            else f"{horizon.label(int(allowed.min()))}..{horizon.label(int(allowed.max()))}"
        )
        return Conflict(
            ConflictKind.WINDOW,
            f"{who} cannot start within {window}; the nearest start that works is "
            f"{label}, {int(slack.amount)} period(s) outside it",
            slack.amount,
            period=label,
            project=slack.project,
        )
    return Conflict(
        ConflictKind.COMMITMENT,
        f"{who} cannot be scheduled at all: {_why_unschedulable(data, slack.project)}",
        slack.amount,
        project=slack.project,
    )


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
            return (
                f"it requires {q}, which finishes {horizon.label(earliest - 1)} at the earliest, so it cannot "
                f"finish within the horizon (by {horizon.label(data.periods - 1)})"
            )
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
            if not (
                (demand["project"] == project) & (demand["role"] == role) & (demand["offset"] == period - start)
            ).any():
                continue
        names.append(project)
    return names
