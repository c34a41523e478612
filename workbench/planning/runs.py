"""Solver runs for a scenario and its variants, each plan checked, and plans assembled into results.

One time budget per command, the settings of each run, and the check every plan passes: the
caller hands in the independent checker (:func:`workbench.analyses.check.verify_plan`), and a
plan it rejects is raised, never returned, in production and under test alike.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


from workbench.ground.cells import is_missing
from workbench.data.planning_data import Inputs, PlanningData
from workbench.data.portfolio import Portfolio
from workbench.data.scenario import Scenario, SolverSpec
from workbench.ground.executor import Executor, Progress
from workbench.ground.formatting import no_plan_sentence
from workbench.ground.status import SolveStatus, StopReason
from workbench.model.formulation import Plan, PlanWatch, find_plan
from workbench.planning.accounting import PlanUsage
from workbench.planning.result import (
    BudgetRow,
    CapacityRow,
    Conflict,
    ProjectOutcome,
    Reason,
    Result,
    package_versions,
)

#: called with (portfolio, the scenario spec the plan stands for, result) for every plan found;
#: raises when the plan breaks that scenario. Variants (forced projects, more capacity, a total
#: budget) are checked as the scenarios they stand for.
PlanCheck = Callable[[Portfolio, Scenario, Result], None]


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


#: a model with more start options than this gets DEFAULT_TIME_LIMIT when no limit is set
LARGE_MODEL_OPTIONS = 1_000
#: seconds of solver work for one command on a large model when neither the scenario nor the
#: command line sets a limit (docs/model.md, "Time limits"); smaller models are solved to proof
DEFAULT_TIME_LIMIT = 120.0


def default_time_limit(inputs: Inputs) -> float | None:
    """The time limit a command takes when none is set: DEFAULT_TIME_LIMIT for a large model."""
    return DEFAULT_TIME_LIMIT if len(inputs.data.start_options) > LARGE_MODEL_OPTIONS else None


def settings_for(inputs: Inputs, **changes: object) -> SolverSpec:
    """The scenario's solver settings with ``changes`` (fields of :class:`SolverSpec`: ``name``,
    ``time_limit``, ``gap`` from the command line, ``cores`` from the executor); ``None`` leaves
    a field as the scenario has it. A large model without a time limit gets the default one
    (:func:`default_time_limit`)."""
    given = {key: value for key, value in changes.items() if value is not None}
    settings = inputs.scenario.spec.solver.model_copy(update=given)
    if settings.time_limit is None:
        settings = settings.model_copy(update={"time_limit": default_time_limit(inputs)})
    return settings


def plan_within(
    data: PlanningData,
    settings: SolverSpec,
    deadline: Deadline,
    *,
    elastic: bool = False,
    warm_start: dict[str, int] | None = None,
    stop: threading.Event | None = None,
    watch: PlanWatch | None = None,
) -> Plan:
    """Solve within what is left of the deadline (a spent deadline means not solved); ``watch``
    shows the plans found before the solve ends."""
    if deadline.expired:
        return Plan(SolveStatus.NOT_SOLVED, None, None, None, 0.0, settings.name, stopped_by=StopReason.TIME_LIMIT)
    remaining = deadline.remaining()
    run_settings = settings.model_copy(update={"time_limit": None if remaining is None else max(remaining, 0.05)})
    return find_plan(data, run_settings, elastic=elastic, warm_start=warm_start, stop=stop, watch=watch)


def plan_variant(
    variant: Inputs,
    settings: SolverSpec,
    deadline: Deadline,
    check: PlanCheck,
    warm_start: dict[str, int] | None = None,
) -> Plan:
    """Solve ``variant``, a scenario with changed settings and its planning data (made together
    by :func:`workbench.analyses.what_if.what_if`); its plan is checked as that scenario.
    ``warm_start`` (project -> start) is a plan to begin from, e.g. the scenario's own plan when
    the variant only loosens it."""
    plan = plan_within(variant.data, settings, deadline, warm_start=warm_start)
    if plan.status.has_plan:
        check(variant.portfolio, variant.scenario.spec, build_result(variant, variant.data, plan))
    return plan


@dataclass(frozen=True)
class VariantTask:
    """One variant to solve in a worker: everything :func:`plan_variant` needs, picklable."""

    variant: Inputs
    settings: SolverSpec
    time_limit: float | None
    check: PlanCheck
    warm_start: dict[str, int] | None = None


def plan_variant_task(task: VariantTask) -> Plan:
    """Solve one variant within its own time limit (runs in a worker)."""
    return plan_variant(task.variant, task.settings, Deadline(task.time_limit), task.check, task.warm_start)


def plan_variants(
    variants: list[Inputs],
    settings: SolverSpec,
    deadline: Deadline,
    check: PlanCheck,
    executor: Executor | None = None,
    progress: Progress | None = None,
    warm_starts: list[dict[str, int] | None] | None = None,
) -> list[Plan]:
    """Solve every variant, in order: one after another within the deadline, or side by side on
    ``executor``, each with an equal share of what is left of the deadline (the same plans when
    they are proven; only time-limited ones can differ). ``warm_starts``: a plan to begin from per
    variant (``None`` where there is none)."""
    warm_starts = warm_starts or [None] * len(variants)
    if executor is None or executor.workers == 1 or len(variants) < 2:
        plans = []
        for variant, warm_start in zip(variants, warm_starts):
            plans.append(plan_variant(variant, settings, deadline, check, warm_start))
            if progress:
                progress(len(plans), len(variants))
        return plans
    remaining = deadline.remaining()
    rounds = -(-len(variants) // executor.workers)
    share = None if remaining is None else max(remaining / rounds, 0.05)
    beside = settings.model_copy(update={"cores": executor.cores_per_task(len(variants))})
    tasks = [
        VariantTask(variant, beside, share, check, warm_start) for variant, warm_start in zip(variants, warm_starts)
    ]
    return executor.map(plan_variant_task, tasks, progress)


def build_result(
    inputs: Inputs,
    data: PlanningData,
    plan: Plan,
    conflicts: list[Conflict] | None = None,
    reasons: dict[str, Reason] | None = None,
) -> Result:
    """The plan as a :class:`Result`, with a reason per project when ``reasons`` are given."""
    horizon = data.horizon
    projects = data.projects
    starts = plan.starts
    usage = PlanUsage(data, starts, plan.hired)
    reasons = reasons or {}
    outcomes = []
    extra_columns = inputs.portfolio.extra_project_columns
    extras = inputs.portfolio.projects[extra_columns].to_dict("index") if extra_columns else {}
    for project_id, row in projects.iterrows():
        start = starts.get(project_id)
        selected = start is not None
        finish = None if start is None else data.forecast_finish(str(project_id), start)
        reason = reasons.get(str(project_id))
        outcomes.append(
            ProjectOutcome(
                id=str(project_id),
                name=str(row["name"]),
                category=None if is_missing(row["category"]) else str(row["category"]),
                selected=selected,
                start=None if start is None else horizon.label(start),
                finish=None if finish is None else horizon.label(finish),
                value=float(row["value"]),
                cost=data.forecast_cost(str(project_id)),
                commitment=str(row["commitment"]),
                reason=reason.text if reason else no_plan_sentence(plan.status, plan.stopped_by),
                reason_kind=reason.kind if reason else None,
                start_index=start,
                contribution=data.coefficient_by_option.get((str(project_id), start), 0.0) if selected else 0.0,
                extra={k: (None if is_missing(v) else v) for k, v in extras.get(project_id, {}).items()},
            )
        )
    capacity_rows = [
        CapacityRow(
            role,
            horizon.label(int(t)),
            usage.demand.get((role, int(t)), 0.0),
            float(cap),
            float(plan.hired.get((role, int(t)), 0.0)),
        )
        for role, t, cap in data.capacity[["role", "period", "fte"]].itertuples(index=False)
    ]
    budget_rows = [BudgetRow(horizon.label(t), usage.spend[t], data.budget[t]) for t in range(data.periods)]
    scenario = inputs.scenario
    replan = {}
    if data.status_period is not None:
        remaining = sum(usage.spend[t] for t in range(data.status_period + 1, data.periods))
        after = sum(float(projects.at[o.id, "after_horizon_cost"]) for o in outcomes if o.selected)
        replan = {
            "as_of": horizon.label(data.status_period),
            "actual_cost": data.actual_cost,
            "remaining_cost": remaining,
            "forecast_cost": data.actual_cost + remaining,
            "after_horizon_cost": after,
            "horizon_end": horizon.label(data.periods - 1),
            "after_horizon": [
                o.id for o in outcomes if o.selected and float(projects.at[o.id, "after_horizon_cost"]) > 0
            ],
        }
    return Result(
        scenario=scenario.name,
        status=plan.status,
        objective=plan.objective,
        objective_kind=data.objective.value,
        gap=plan.gap,
        bound=plan.bound,
        stopped_by=plan.stopped_by,
        solver={"name": plan.solver, "seconds": plan.seconds},
        projects=outcomes,
        capacity=capacity_rows,
        budget=budget_rows,
        conflicts=list(conflicts or []),
        warnings=list(data.warnings),
        replan=replan,
        provenance={
            "data_sha256": inputs.portfolio.data_hash,
            "portfolio": str(inputs.portfolio.location),
            "scenario_file": str(scenario.path),
            "scenario_files": [str(p) for p in scenario.files],
            "scenario": _plain(scenario.resolved),
            "changes": scenario.changes,
            "versions": package_versions(),
        },
    )


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
