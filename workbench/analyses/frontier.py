"""Efficient frontier: the best objective at each level of total budget, each solved exactly."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from workbench.analyses.check import verify_plan
from workbench.analyses.what_if import total_budget, what_if
from workbench.planning.accounting import PlanUsage, project_spend
from workbench.analyses.replan import replanned
from workbench.data.planning_data import Inputs, PlanningData
from workbench.model.formulation import Plan, objective_tolerance
from workbench.ground.executor import Executor, Progress
from workbench.ground.status import SolveStatus, StopReason
from workbench.planning.runs import Deadline, plan_variant, plan_variants, settings_for
from workbench.ground.formatting import finite_json, money


@dataclass
class FrontierPoint:
    """The best plan at one total-budget level: its objective (``None``: no plan found), what it
    spends, what the solve proved (``gap``, ``stopped_by``), the projects and their starts, and a
    note where the result contradicts a proof."""

    budget_total: float
    objective: float | None
    spend: float | None
    status: SolveStatus
    gap: float | None
    selected: list[str]
    starts: dict[str, str]
    note: str = ""
    stopped_by: StopReason | None = None


@dataclass
class Frontier:
    scenario: str
    points: list[FrontierPoint] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """One row per level: budget_total, objective, spend, status, gap, note."""
        return pd.DataFrame(
            [
                {
                    "budget_total": p.budget_total,
                    "objective": p.objective,
                    "spend": p.spend,
                    "status": p.status.value,
                    "gap": p.gap,
                    "note": p.note,
                }
                for p in self.points
            ],
            columns=["budget_total", "objective", "spend", "status", "gap", "note"],
        )

    def to_json(self) -> str:
        points = [
            {**asdict(p), "status": p.status.value, "stopped_by": p.stopped_by and p.stopped_by.value}
            for p in self.points
        ]
        return finite_json({"scenario": self.scenario, "points": points})


def with_total_budget(inputs: Inputs, total: float | None) -> Inputs:
    """The scenario with ``total`` to spend over the horizon (``None``: no total), and its planning
    data. In a re-plan ``total`` is what is left to spend: the scenario's total adds the actual cost."""
    if total is not None and inputs.data.actual_cost is not None:
        total += inputs.data.actual_cost
    return what_if(inputs, total_budget(total), "frontier: total budget level")


def frontier(
    inputs: Inputs,
    points: int = 8,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    deadline: Deadline | None = None,
    top: Plan | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Frontier:
    """Solve at ``points`` total-budget levels, evenly from what the commitments and their
    prerequisites must spend to what the unconstrained-total optimum spends (per-period budgets
    stay in force).

    ``top`` is that unconstrained-total optimum when the caller has solved it already; it is
    also the last point (a total equal to its own spend cannot buy more), so it is not re-solved.
    The levels are solved side by side on ``executor`` when one is given.
    """
    if points < 2:
        raise ValueError("a frontier needs at least 2 points")
    inputs = replanned(inputs)
    settings = settings_for(inputs, name=solver, time_limit=time_limit, gap=gap)
    deadline = deadline or Deadline(settings.time_limit)
    data = inputs.data
    if top is None:
        top = plan_variant(with_total_budget(inputs, None), settings, deadline, verify_plan)
    curve = Frontier(inputs.name)
    if top.objective is None:
        return curve
    top_spend = PlanUsage(data, top.starts, top.hired).total_spend
    levels = np.linspace(min(committed_spend(data), top_spend), top_spend, points)
    tolerance = objective_tolerance(data, top.objective)
    best_proven = None  # a larger total budget can only raise a proven optimum
    plans = plan_variants(
        [with_total_budget(inputs, float(level)) for level in levels[:-1]],
        settings,
        deadline,
        verify_plan,
        executor,
        progress,
    ) + [top]
    for level, plan in zip(levels, plans):
        spend = PlanUsage(data, plan.starts, plan.hired).total_spend if plan.objective is not None else None
        note = ""
        if plan.status is SolveStatus.OPTIMAL:
            if best_proven is not None and plan.objective < best_proven - tolerance:
                note = (
                    f"inconsistent solver results: proven {money(plan.objective)} here, but "
                    f"{money(best_proven)} with a smaller total budget"
                )
            best_proven = plan.objective if best_proven is None else max(best_proven, plan.objective)
        curve.points.append(
            FrontierPoint(
                float(level),
                plan.objective,
                spend,
                plan.status,
                plan.gap,
                sorted(plan.starts),
                {p: data.horizon.label(s) for p, s in sorted(plan.starts.items())},
                note,
                plan.stopped_by,
            )
        )
    return curve


def committed_spend(data: PlanningData) -> float:
    """What the commitments and the projects they need spend, hiring aside: no plan spends less."""
    return float(sum(project_spend(data, p) for p in data.must_run))
