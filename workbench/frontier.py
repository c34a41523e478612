"""Efficient frontier: the best objective at each level of total budget, each solved exactly."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from workbench.inputs import Inputs
from workbench.model import Plan
from workbench.optimise import Deadline, SolveSettings, Usage, run_plan


@dataclass
class Frontier:
    scenario: str
    points: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"scenario": self.scenario, "points": self.points}, indent=2)


def frontier(inputs: Inputs, points: int = 8, solver: str | None = None, time_limit: float | None = None,
             gap: float | None = None, deadline: Deadline | None = None, top: Plan | None = None) -> Frontier:
    """Solve at ``points`` total-budget levels, evenly from what the commitments alone must spend
    to what the unconstrained-total optimum spends (per-period budgets stay in force).

    ``top`` is that unconstrained-total optimum when the caller has solved it already; it is
    also the last point (a total equal to its own spend cannot buy more), so it is not re-solved.
    """
    if points < 2:
        raise ValueError("a frontier needs at least 2 points")
    settings = SolveSettings.for_inputs(inputs, solver, time_limit, gap)
    deadline = deadline or Deadline(settings.time_limit)
    data = inputs.data
    if top is None:
        top = run_plan(data.with_changes(budget_total=None), settings, deadline)
    curve = Frontier(inputs.name)
    if top.objective is None:
        return curve
    top_spend = sum(Usage(data, top.starts, top.hired).spend)
    floor = run_plan(_only_commitments(data), settings, deadline)
    low = sum(Usage(data, floor.starts, floor.hired).spend) if floor.objective is not None else 0.0
    levels = np.linspace(low, top_spend, points)
    for number, level in enumerate(levels):
        last = number == len(levels) - 1
        plan = top if last else run_plan(data.with_changes(budget_total=float(level)), settings, deadline)
        spend = sum(Usage(data, plan.starts, plan.hired).spend) if plan.objective is not None else None
        curve.points.append({"budget_total": float(level), "objective": plan.objective, "spend": spend,
                             "status": plan.status.value, "gap": plan.gap, "selected": sorted(plan.starts),
                             "starts": {p: data.horizon.label(s) for p, s in sorted(plan.starts.items())}})
    return curve


def _only_commitments(data):
    """The plan with nothing but the commitments (their spend is the frontier's lowest level)."""
    options = data.start_options
    committed = set(data.projects.index[data.projects["commitment"].ne("")])
    return data.with_changes(start_options=options[options["project"].isin(committed)].assign(coefficient=0.0))
