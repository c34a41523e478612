"""Decision prices by re-solving: what forcing each project in (or out) would cost, what one
more FTE of each role over the horizon is worth, and which constraints bind."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from workbench.inputs import Inputs
from workbench.optimise import Deadline, SolveSettings, run_plan, solve
from workbench.result import Result

EPS = 1e-6


@dataclass
class Explanation:
    result: Result
    projects: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    binding: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"result": self.result.to_dict(), "projects": self.projects, "roles": self.roles,
                "binding": self.binding}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


def explain(inputs: Inputs, solver: str | None = None, time_limit: float | None = None,
            gap: float | None = None) -> Explanation:
    """Solve, then re-solve once per project (forced the other way) and once per role (+1 FTE
    in every period). Deltas are objective(variant) - objective(plan); ``None`` when the
    variant has no plan (forcing it in is infeasible) or the time limit ran out."""
    settings = SolveSettings.for_inputs(inputs, solver, time_limit, gap)
    deadline = Deadline(settings.time_limit)
    result = solve(inputs, settings.solver, settings.time_limit, settings.gap, deadline=deadline)
    explanation = Explanation(result)
    if not result.has_plan:
        return explanation
    data = inputs.data
    base = result.objective
    for outcome in result.projects:
        row = data.projects.loc[outcome.id]
        if outcome.selected:
            if row["commitment"] and row["commitment"] != "forced in":
                explanation.projects.append({"id": outcome.id, "action": "force out", "delta": None,
                                             "note": f"{row['commitment']}: cannot be forced out"})
                continue
            projects = data.projects.copy()
            projects.loc[outcome.id, "commitment"] = ""
            projects.loc[outcome.id, "forced_out"] = True
            variant = data.with_changes(projects=projects, start_options=data.start_options[
                data.start_options["project"] != outcome.id])
            action = "force out"
        else:
            if data.start_options["project"].eq(outcome.id).sum() == 0:
                explanation.projects.append({"id": outcome.id, "action": "force in", "delta": None,
                                             "note": "cannot run within the horizon or is forced out"})
                continue
            projects = data.projects.copy()
            projects.loc[outcome.id, "commitment"] = "forced in"
            variant = data.with_changes(projects=projects)
            action = "force in"
        plan = run_plan(variant, settings, deadline)
        if plan.objective is None:
            note = "no plan exists then" if plan.status.value == "infeasible" else "time limit reached"
            explanation.projects.append({"id": outcome.id, "action": action, "delta": None, "note": note})
        else:
            note = "" if plan.status.value == "optimal" else f"not proven (gap {plan.gap or 0:.2%})"
            explanation.projects.append({"id": outcome.id, "action": action, "delta": plan.objective - base,
                                         "note": note})
    explanation.roles = role_values(inputs, base, settings, deadline)
    explanation.binding = binding_constraints(inputs, result)
    return explanation


def role_values(inputs: Inputs, base: float, settings: SolveSettings, deadline: Deadline) -> list[dict]:
    """For each role, the objective change from one more FTE in every period (a re-solve each)."""
    data = inputs.data
    values = []
    for role in data.roles:
        capacity = data.capacity.copy()
        capacity.loc[capacity["role"] == role, "fte"] += 1.0
        plan = run_plan(data.with_changes(capacity=capacity), settings, deadline)
        values.append({"role": role, "delta": None if plan.objective is None else plan.objective - base,
                       "status": plan.status.value})
    return values


def binding_constraints(inputs: Inputs, result: Result) -> list[dict]:
    """Capacity (role) and budget constraints used to the full, with their periods."""
    binding: dict[str, list[str]] = {}
    for row in result.capacity:
        if row["demand"] > 0 and row["demand"] >= row["capacity"] + row["hired"] - EPS:
            binding.setdefault(f"capacity {row['role']}", []).append(row["period"])
    for row in result.budget:
        if row["budget"] is not None and row["spend"] >= row["budget"] - EPS * max(1.0, row["budget"]):
            binding.setdefault("budget", []).append(row["period"])
    total = inputs.data.budget_total
    if total is not None and sum(r["spend"] for r in result.budget) >= total - EPS * max(1.0, total):
        binding["total budget"] = ["all periods"]
    return [{"constraint": name, "periods": periods} for name, periods in binding.items()]


__all__ = ["Explanation", "explain", "role_values", "binding_constraints"]
