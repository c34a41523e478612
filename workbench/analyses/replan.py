"""Re-planning from the status date: the planning data of the periods after it (docs/status.md).

Projects with actuals keep their actual start and are committed unless forced out (then stopped:
no further cost, no value). Their remaining cost is ETC and their remaining demand the baseline
demand times (1 - percent), both spread evenly over the periods after the status date up to the
forecast finish (what falls after the horizon is not planned); a complete project needs
nothing more. Other projects start after the status
date only. Budgets and capacities of the periods up to it are history: not constraints, and
the total budget is what is left of it after the actual cost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from workbench.analyses.earned_value import ProjectState, StatusReport, project_status, status_period
from workbench.data.planning_data import Commitment, Inputs, PlanningData, option_coefficient
from workbench.ground.errors import InputError, Problem
from workbench.planning.result import BaselineChange, ChangeKind


@dataclass(frozen=True)
class Started:
    """A project with actuals up to the status date, as the re-plan holds it."""

    project: str
    start: int  # its actual start: the first period with cost or progress
    finish: int  # its forecast finish (the completion period for a complete one)
    basis: str = "forecast"  # complete | forecast | planned duration (no baseline row) | no forecast

    @property
    def complete(self) -> bool:
        return self.basis == "complete"


def started_projects(inputs: Inputs, as_of: str | None = None) -> tuple[int, dict[str, Started], StatusReport]:
    """The status period, every project with actuals up to it, and the status they come from."""
    a = status_period(inputs, as_of)
    report = project_status(inputs, as_of)
    actuals = inputs.portfolio.table("actuals")
    actuals = actuals[actuals["period"].astype(float) <= a]
    active = actuals[(actuals["cost"].astype(float) > 0) | (actuals["percent_complete"].astype(float) > 0)]
    first = active.groupby("project")["period"].min()
    durations = dict(zip(inputs.portfolio.projects["id"], inputs.portfolio.projects["duration"]))
    started = {}
    for status in report.projects:
        if status.state is ProjectState.NOT_STARTED or status.id not in first.index:
            continue
        start = int(first[status.id])
        finish = status.forecast_finish_index
        basis = "complete" if status.state is ProjectState.COMPLETE else "forecast"
        if finish is None and status.baseline_start is None:  # no forecast: its planned duration from its start
            finish, basis = start + int(durations[status.id]) - 1, "planned duration"
        elif finish is None:  # at its pace, past any forecast: what is left is spread to the horizon's end
            finish, basis = inputs.portfolio.horizon.periods - 1, "no forecast"
        if status.state is not ProjectState.COMPLETE:
            finish = max(finish, a + 1)
        started[status.id] = Started(status.id, start, finish, basis)
    return a, started, report


def _refuse_closed_commitments(
    inputs: Inputs, projects: pd.DataFrame, closed: set[str], first_start, last_start, status_date: int
) -> None:
    """A project that must be in every plan but has not started and can no longer start after the
    status date leaves the re-plan impossible by its input: say which, and what to change."""
    horizon = inputs.portfolio.horizon
    rows = inputs.portfolio.projects.set_index("id")["_row"]
    problems = []
    for project in sorted(closed):
        commitment = projects.at[project, "commitment"]
        if not commitment or projects.at[project, "forced_out"]:
            continue
        window = (
            f"it could start {horizon.label(int(first_start[project]))}..{horizon.label(int(last_start[project]))}"
            f" only, no later than the status date {horizon.label(status_date)}, and it has no actuals"
        )
        if commitment == Commitment.FORCED_IN:
            problems.append(
                inputs.scenario.problem(
                    ("force_in",),
                    f"{project} cannot be forced into the re-plan: {window}; remove it from force_in",
                    item=project,
                )
            )
        else:
            problems.append(
                Problem(
                    inputs.portfolio.sources["projects"],
                    f"{project} is {commitment} but {window}; "
                    "widen its window (latest_start), report its actuals, or force it out",
                    row=int(rows[project]),
                    column="latest_start",
                    item=project,
                )
            )
    if problems:
        raise InputError(problems)


def replan_data(inputs: Inputs, as_of: str | None = None) -> PlanningData:
    """The planning data of the periods after the status date."""
    data = inputs.data
    a, started, status_report = started_projects(inputs, as_of)
    report = {p.id: p for p in status_report.projects}
    projects = data.projects.copy()
    options = data.start_options
    new_starts = options[(options["start"] > a) & ~options["project"].isin(list(started))]
    # the status date as a cause: projects that could start in the horizon, but not after it
    closed = set(options["project"]) - set(new_starts["project"]) - set(started)
    by_project = options.groupby("project")["start"]
    first_start, last_start = by_project.min(), by_project.max()
    projects["window_closed"] = [
        (int(first_start[p]), int(last_start[p])) if p in closed else None for p in projects.index
    ]
    _refuse_closed_commitments(inputs, projects, closed, first_start, last_start, a)
    projects["forecast_finish"] = None
    projects["finish_basis"] = None
    projects["forecast_cost"] = None
    projects["actual_cost"] = 0.0
    projects["after_horizon_cost"] = 0.0  # the part of ETC that falls after the horizon's end
    # the actual cost to date as the status summed it (every project with actuals, a stopped one too)
    actual_by_project = {p.id: p.ac for p in status_report.projects if p.ac}
    for project, spent in actual_by_project.items():
        projects.at[project, "actual_cost"] = spent
    kept_options, demand_rows, cost_rows = [], [], []
    demand = data.demand[~data.demand["project"].isin(list(started))]
    costs = data.costs[~data.costs["project"].isin(list(started))]
    for project, run in started.items():
        if projects.loc[project, "forced_out"]:
            continue  # stopped: no further cost, no value
        last = min(run.finish, data.periods - 1)  # the plan runs to the horizon's end at most
        projects.loc[project, "duration"] = last - run.start + 1
        projects.at[project, "forecast_finish"] = run.finish
        projects.at[project, "finish_basis"] = run.basis
        projects.at[project, "forecast_cost"] = actual_by_project.get(project, 0.0) + (
            0.0 if run.complete else report[project].etc
        )
        if not projects.loc[project, "commitment"]:
            projects.loc[project, "commitment"] = Commitment.IN_PROGRESS
        value = option_coefficient(projects, project, run.start, inputs.scenario.spec, data.horizon)
        kept_options.append({"project": project, "start": run.start, "coefficient": value})
        if run.complete:
            continue
        spread = run.finish - a  # periods the rest is spread over, some perhaps after the horizon
        remaining = list(range(a + 1 - run.start, last - run.start + 1))
        status = report[project]
        for offset in remaining:
            cost_rows.append({"project": project, "offset": offset, "amount": status.etc / spread})
        projects.at[project, "after_horizon_cost"] = status.etc * (spread - len(remaining)) / spread
        left = 1.0 - status.percent_complete / 100.0
        for role, planned in data.demand[data.demand["project"] == project].groupby("role")["fte"].sum().items():
            for offset in remaining:
                demand_rows.append({"project": project, "role": role, "offset": offset, "fte": planned * left / spread})
    start_options = pd.concat(
        [new_starts, pd.DataFrame(kept_options, columns=["project", "start", "coefficient"])], ignore_index=True
    )
    demand = pd.concat(
        [demand, pd.DataFrame(demand_rows, columns=["project", "role", "offset", "fte"])], ignore_index=True
    )
    costs = pd.concat([costs, pd.DataFrame(cost_rows, columns=["project", "offset", "amount"])], ignore_index=True)
    demand = demand[demand["fte"] > 0].reset_index(drop=True)
    costs = costs[costs["amount"] > 0].reset_index(drop=True)
    budget = [None if t <= a else amount for t, amount in enumerate(data.budget)]
    actual_cost = float(sum(actual_by_project.values()))
    total = None if data.budget_total is None else max(data.budget_total - actual_cost, 0.0)
    dependencies = [(p, q) for p, q in data.dependencies if p not in started]
    return data.with_changes(
        projects=projects,
        start_options=start_options,
        demand=demand,
        costs=costs,
        budget=budget,
        budget_total=total,
        dependencies=dependencies,
        status_period=a,
        actual_cost=actual_cost,
    )


def replanned(inputs: Inputs, as_of: str | None = None) -> Inputs:
    """``inputs`` re-planned from the status date (``as_of``, else the scenario's
    ``status.as_of``); unchanged when there is none."""
    label = as_of if as_of is not None else inputs.scenario.spec.status.as_of
    if label is None or (as_of is None and inputs.data.status_period is not None):
        return inputs  # nothing to re-plan, or re-planned already
    spec = inputs.scenario.spec
    spec = spec.model_copy(update={"status": spec.status.model_copy(update={"as_of": str(label)})})
    scenario = replace(inputs.scenario, spec=spec)
    stated = replace(inputs, scenario=scenario)
    return replace(stated, data=replan_data(stated, str(label)))


def baseline_changes(inputs: Inputs, result) -> list[BaselineChange]:
    """Against the approved baseline: projects the plan moves (another start), slips (the same
    start, a later finish), brings forward (an earlier finish), drops or adds. Finishes are the
    re-plan's forecasts for started projects."""
    portfolio = inputs.portfolio
    baseline = {
        str(p): int(s) for p, s in zip(portfolio.table("baseline")["project"], portfolio.table("baseline")["start"])
    }
    durations = {str(p): int(d) for p, d in zip(portfolio.projects["id"], portfolio.projects["duration"])}
    horizon = portfolio.horizon
    changes = []
    for outcome in result.projects:
        before = baseline.get(outcome.id)
        before_finish = None if before is None else before + durations[outcome.id] - 1
        if before is not None and not outcome.selected:
            kind = ChangeKind.DROPPED
        elif before is None and outcome.selected:
            kind = ChangeKind.ADDED
        elif before is None:
            continue
        elif outcome.start_index != before:
            kind = ChangeKind.MOVED
        elif horizon.index_of(outcome.finish) > before_finish:
            kind = ChangeKind.SLIPPED
        elif horizon.index_of(outcome.finish) < before_finish:
            kind = ChangeKind.BROUGHT_FORWARD
        else:
            continue
        changes.append(
            BaselineChange(
                outcome.id,
                kind,
                None if before is None else horizon.label(before),
                None if kind is ChangeKind.DROPPED else outcome.start,
                None if before_finish is None else horizon.label(before_finish),
                None if kind is ChangeKind.DROPPED else outcome.finish,
                outcome.reason,
            )
        )
    return changes
