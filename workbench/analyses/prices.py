"""Decision prices by re-solving: force each project in or out, one more FTE per role, binding constraints.

Each re-solve is a variant of the scenario stated as a scenario (one more project in
``force_in``, one more FTE in ``capacity``), so that it can be checked like any other plan. A
re-solve that contradicts a proof (a forced project raising a proven optimum, more capacity
lowering one) is reported as "inconsistent solver results" with both numbers, never printed
as a price.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from workbench.analyses.check import verify_plan
from workbench.data.planning_data import Commitment, Inputs
from workbench.ground.errors import InputError
from workbench.ground.executor import Executor, Progress
from workbench.ground.status import ConflictKind, SolveStatus
from workbench.model.formulation import objective_tolerance
from workbench.analyses.replan import replanned
from workbench.analyses.solve import solve
from workbench.planning.runs import Deadline, plan_variant, plan_variants, settings_for
from workbench.analyses.reasons import refine_with_forced_solve
from workbench.planning.accounting import used_to_the_full
from workbench.planning.result import Reason, ReasonKind, Result
from workbench.data.scenario import SolverSpec
from workbench.analyses.what_if import extra_capacity, forced_in, forced_out, no_balance, what_if
from workbench.ground.formatting import finite_json, money


class Decision(StrEnum):
    """A project decision reversed to price it."""

    FORCE_IN = "force in"
    FORCE_OUT = "force out"

    @property
    def done(self) -> str:
        return "forced in" if self is Decision.FORCE_IN else "forced out"


@dataclass
class DecisionPrice:
    """What reversing a project's decision costs: the objective change (``None`` when the reversed
    scenario has no plan, was not solved in time, or contradicts the proof: ``note`` says which)."""

    id: str
    action: Decision
    delta: float | None
    note: str = ""
    status: SolveStatus | None = None  # what the re-solve proved; None: not re-solved


@dataclass
class RoleValue:
    """What one more FTE of a role in every period is worth: the objective change (``None``
    where the re-solve proves nothing or contradicts the proof: ``note`` says which)."""

    role: str
    delta: float | None
    status: SolveStatus
    note: str = ""


@dataclass
class Explanation:
    result: Result
    projects: list[DecisionPrice] = field(default_factory=list)
    roles: list[RoleValue] = field(default_factory=list)
    binding: list[BindingConstraint] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "result": self.result.to_dict(),
            "projects": [_plain_row(p) for p in self.projects],
            "roles": [_plain_row(r) for r in self.roles],
            "binding": [b.to_dict() for b in self.binding],
        }

    def to_json(self) -> str:
        return finite_json(self.to_dict())


def _plain_row(row) -> dict:
    return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(row).items()}


def one_more_fte(inputs: Inputs, role: str) -> Inputs:
    """The scenario with one more FTE of ``role`` in every period, and its planning data."""
    return what_if(inputs, extra_capacity(inputs.scenario, {role: 1.0}), f"explain: one more {role} FTE")


def decision_reversed(inputs: Inputs, project: str, action: Decision) -> Inputs:
    """The scenario with ``project`` forced in or out, and its planning data."""
    overrides = (forced_in if action is Decision.FORCE_IN else forced_out)(inputs.scenario, project)
    return what_if(inputs, overrides, f"explain: {project} {action.done}")


def explain(
    inputs: Inputs,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> Explanation:
    """Solve, then re-solve once per project (forced the other way) and once per role (+1 FTE
    in every period). Deltas are objective(variant) - objective(plan); ``None`` when the
    variant has no plan (forcing it in is infeasible), the time limit ran out, or the re-solve
    contradicts the proof. Projects left out of a proven optimum get the reason the forced
    re-solve proves (does_not_fit, balance, displaces_more, no_gain) in ``result``. The
    re-solves run side by side on ``executor`` when one is given."""
    inputs = replanned(inputs)
    settings = settings_for(inputs, name=solver, time_limit=time_limit, gap=gap)
    deadline = Deadline(settings.time_limit)
    result = solve(inputs, settings.name, settings.time_limit, settings.gap, deadline=deadline)
    explanation = Explanation(result)
    if not result.has_plan:
        return explanation
    data = inputs.data
    base = result.objective
    proven = result.status is SolveStatus.OPTIMAL
    tolerance = objective_tolerance(data, base)
    forced: list[tuple] = []  # (outcome, action, variant) to re-solve
    for outcome in result.projects:
        commitment = data.projects.loc[outcome.id, "commitment"]
        if outcome.selected:
            if commitment and commitment != Commitment.FORCED_IN:
                explanation.projects.append(
                    DecisionPrice(outcome.id, Decision.FORCE_OUT, None, f"{commitment}: cannot be forced out")
                )
                continue
            forced.append((outcome, Decision.FORCE_OUT, decision_reversed(inputs, outcome.id, Decision.FORCE_OUT)))
        else:
            if data.start_options["project"].eq(outcome.id).sum() == 0:
                explanation.projects.append(
                    DecisionPrice(outcome.id, Decision.FORCE_IN, None, "cannot run within the horizon or is forced out")
                )
                continue
            try:
                variant = decision_reversed(inputs, outcome.id, Decision.FORCE_IN)
            except InputError as exc:  # e.g. excluded by a commitment: the scenario itself would be refused
                explanation.projects.append(
                    DecisionPrice(
                        outcome.id,
                        Decision.FORCE_IN,
                        None,
                        "cannot be forced in: " + "; ".join(p.message for p in exc.problems),
                    )
                )
                continue
            forced.append((outcome, Decision.FORCE_IN, variant))
    # forcing a project out keeps the rest of the plan feasible unless something needs it: a start
    plan_starts = {p.id: p.start_index for p in result.selected}
    warm_starts = [
        {p: s for p, s in plan_starts.items() if p != outcome.id} if action is Decision.FORCE_OUT else None
        for outcome, action, _ in forced
    ]
    plans = plan_variants(
        [variant for _, _, variant in forced],
        settings,
        deadline,
        verify_plan,
        executor,
        progress,
        warm_starts,
    )
    for (outcome, action, variant), plan in zip(forced, plans):
        commitment = data.projects.loc[outcome.id, "commitment"]
        item = DecisionPrice(outcome.id, action, None, "", plan.status)
        if plan.objective is None:
            item.note = "no plan exists then" if plan.status is SolveStatus.INFEASIBLE else "time limit reached"
        elif proven and not commitment and plan.status is SolveStatus.OPTIMAL and plan.objective > base + tolerance:
            # forcing an optional project either way only restricts the plan: it cannot gain
            item.note = (
                f"inconsistent solver results: proven optimum {money(base)}, but the plan with "
                f"{outcome.id} {action.done} reaches {money(plan.objective)}"
            )
        else:
            item.delta = plan.objective - base
            item.note = "" if plan.status is SolveStatus.OPTIMAL else f"not proven (gap {plan.gap or 0:.2%})"
        explanation.projects.append(item)
        if action is Decision.FORCE_IN and proven:
            unbalanced = None
            if plan.status is SolveStatus.INFEASIBLE and data.balance:
                unbalanced = plan_variant(
                    what_if(variant, no_balance(variant.scenario), "explain: balance lifted"),
                    settings,
                    deadline,
                    verify_plan,
                )
            reason, contradiction = refine_with_forced_solve(
                Reason(ReasonKind(outcome.reason_kind), outcome.reason), base, plan, unbalanced, tolerance
            )
            outcome.reason_kind, outcome.reason = reason.kind, reason.text
            if contradiction:
                item.delta, item.note = None, contradiction
    order = {outcome.id: number for number, outcome in enumerate(result.projects)}
    explanation.projects.sort(key=lambda item: order[item.id])
    explanation.roles = role_values(inputs, result, settings, deadline, executor)
    explanation.binding = binding_constraints(result, data.budget_total)
    return explanation


def role_values(
    inputs: Inputs, result: Result, settings: SolverSpec, deadline: Deadline, executor: Executor | None = None
) -> list[RoleValue]:
    """For each role, the objective change from one more FTE in every period (a re-solve each,
    side by side on ``executor`` when given).

    More capacity keeps every plan feasible, so a proven optimum can only rise: a lower one is
    reported as inconsistent (``delta`` None, ``note`` with both numbers)."""
    data = inputs.data
    base = result.objective
    tolerance = objective_tolerance(data, base)
    values = []
    # one more FTE keeps the plan feasible: it is where each re-solve starts
    plan_starts = {p.id: p.start_index for p in result.selected}
    plans = plan_variants(
        [one_more_fte(inputs, role) for role in data.roles],
        settings,
        deadline,
        verify_plan,
        executor,
        warm_starts=[plan_starts] * len(data.roles),
    )
    for role, plan in zip(data.roles, plans):
        delta = None if plan.objective is None else plan.objective - base
        note = (
            ""
            if plan.status is SolveStatus.OPTIMAL
            else (
                f"not proven (gap {plan.gap:.2%})"
                if plan.gap is not None and plan.objective is not None
                else "time limit reached"
            )
        )
        if (
            delta is not None
            and delta < -tolerance
            and plan.status is SolveStatus.OPTIMAL
            and result.status is SolveStatus.OPTIMAL
        ):
            note = (
                f"inconsistent solver results: proven optimum {money(base)}, but with one more {role} "
                f"the solver proved {money(plan.objective)}"
            )
            delta = None
        values.append(RoleValue(role, delta, plan.status, note))
    return values


@dataclass(frozen=True)
class BindingConstraint:
    """A constraint a plan uses to the full: a role's capacity (``role``), the period budget or
    the total budget, and the periods where it is."""

    kind: ConflictKind  # CAPACITY, BUDGET or BUDGET_TOTAL
    periods: tuple[str, ...]
    role: str | None = None

    @property
    def constraint(self) -> str:
        """Its name as tables and JSON show it: ``capacity ROLE``, ``budget`` or ``total budget``."""
        if self.kind is ConflictKind.CAPACITY:
            return f"capacity {self.role}"
        return "budget" if self.kind is ConflictKind.BUDGET else "total budget"

    def to_dict(self) -> dict:
        return {"constraint": self.constraint, "periods": list(self.periods)}


def binding_constraints(result: Result, budget_total: float | None) -> list[BindingConstraint]:
    """Capacity (role) and budget constraints used to the full, with their periods.

    Parameters
    ----------
    result : Result
        A solved plan.
    budget_total : float or None
        The scenario's total budget, if it has one.

    Returns
    -------
    list of BindingConstraint
        One per constraint, with the periods where it is used to the full (the total budget:
        ``all periods``).
    """
    by_role: dict[str, list[str]] = {}
    for row in result.capacity:
        if used_to_the_full(row.demand, row.capacity + row.hired):
            by_role.setdefault(row.role, []).append(row.period)
    binding = [BindingConstraint(ConflictKind.CAPACITY, tuple(periods), role) for role, periods in by_role.items()]
    budget = [row.period for row in result.budget if row.budget is not None and used_to_the_full(row.spend, row.budget)]
    if budget:
        binding.append(BindingConstraint(ConflictKind.BUDGET, tuple(budget)))
    if budget_total is not None and used_to_the_full(sum(r.spend for r in result.budget), budget_total):
        binding.append(BindingConstraint(ConflictKind.BUDGET_TOTAL, ("all periods",)))
    return binding


__all__ = [
    "BindingConstraint",
    "DecisionPrice",
    "Explanation",
    "RoleValue",
    "binding_constraints",
    "decision_reversed",
    "explain",
    "one_more_fte",
    "role_values",
]
