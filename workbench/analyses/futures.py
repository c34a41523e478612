"""Re-optimisation over sampled futures (``workbench risk --futures K``): each project's core index
and the regret of the chosen plan (docs/risk.md).

A future is one joint sample of every project's cost, value and duration (risk events included).
In each, the selection is re-optimised twice: freely, and with the chosen plan's selection fixed
(its starts free). Futures are drawn in this process from the seed and solved on the executor, so
the numbers do not depend on the executor or its number of workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.analyses.check import verify_plan
from workbench.analyses.what_if import what_if
from workbench.ground.errors import InputError
from workbench.model.formulation import Plan
from workbench.analyses.replan import replanned
from workbench.analyses.risk import draw_projects, estimates
from workbench.data.confidence import Figures, with_figures
from workbench.data.planning_data import Inputs, inputs_for, option_coefficient
from workbench.data.portfolio import Portfolio
from workbench.data.scenario import LoadedScenario, SolverSpec, with_overrides
from workbench.ground.executor import Executor, Progress, local_executor
from workbench.ground.status import SolveStatus
from workbench.planning.result import Result
from workbench.planning.runs import Deadline, plan_variant, settings_for


@dataclass(frozen=True)
class FutureTask:
    """What a worker needs to solve one future: picklable, and complete."""

    index: int
    scenario: LoadedScenario
    portfolio: Portfolio
    figures: dict[str, Figures]
    chosen: dict[str, int]  # the chosen plan's selection and its start periods
    settings: SolverSpec


@dataclass(frozen=True)
class FutureOutcome:
    """One future's free optimum and the best plan with the chosen selection fixed."""

    index: int
    status: SolveStatus
    selected: tuple[str, ...]
    objective: float | None
    chosen_status: SolveStatus
    chosen_objective: float | None
    delivered: float  # the chosen plan's objective in this future, at its own starts, fitting or not


def solve_future(task: FutureTask) -> FutureOutcome:
    """Plan one future freely, then with the chosen selection fixed (runs in a worker)."""
    portfolio = with_figures(task.portfolio, task.figures)
    # the future's figures are what is planned with: no second confidence level over them
    as_sampled = with_overrides(task.scenario, {"risk": {"plan_at": None}}, f"future {task.index}")
    inputs = replanned(inputs_for(as_sampled, portfolio))
    free = plan_variant(inputs, task.settings, Deadline(task.settings.time_limit), verify_plan)
    committed = set(inputs.data.committed)
    chosen = set(task.chosen)
    selection = {
        "force_in": sorted(chosen - committed),
        "force_out": sorted(set(inputs.data.projects.index) - chosen - committed),
    }
    try:
        fixed_inputs = what_if(inputs, selection, f"future {task.index}: the chosen selection fixed")
    except InputError:  # a chosen project cannot run at all in this future
        fixed = Plan(SolveStatus.INFEASIBLE, None, None, None, 0.0, task.settings.name)
    else:
        fixed = plan_variant(fixed_inputs, task.settings, Deadline(task.settings.time_limit), verify_plan)
    delivered = sum(
        option_coefficient(inputs.data.projects, p, start, inputs.scenario.spec, inputs.data.horizon)
        for p, start in task.chosen.items()
    )
    return FutureOutcome(
        task.index,
        free.status,
        tuple(sorted(free.starts)) if free.status.has_plan else (),
        free.objective,
        fixed.status,
        fixed.objective,
        float(delivered),
    )


@dataclass
class FuturesSummary:
    """Core index per project and the chosen plan's regret over the futures.

    ``core_index`` counts only the futures whose optimum is proven. ``regret`` (the future's
    optimum minus the best plan with the chosen selection, in objective units) counts only the
    futures where both are proven; ``regret["funded"]`` (the optimum minus what the chosen plan
    delivers there at its own starts, its overruns funded) every future with a proven optimum."""

    futures: int
    core_index: list[dict]
    regret: dict


def future_tasks(
    inputs: Inputs, result: Result, futures: int, seed: int, settings: SolverSpec | None = None
) -> list[FutureTask]:
    """``futures`` joint samples of every project (forced-out ones aside) drawn from ``seed``,
    each to be solved with ``settings`` (default: the scenario's)."""
    portfolio = estimates(inputs)
    candidates = [p for p in portfolio.projects.index if p not in set(inputs.scenario.spec.force_out)]
    draws = draw_projects(inputs, candidates, futures, seed)
    settings = settings or settings_for(inputs)
    chosen = {p.id: int(p.start_index) for p in sorted(result.selected, key=lambda p: p.id)}
    tasks = []
    for k in range(futures):
        figures = {
            p: Figures(float(d.cost[k]), int(d.duration[k] + d.delay[k]), float(d.value[k])) for p, d in draws.items()
        }
        tasks.append(FutureTask(k, inputs.scenario, portfolio, figures, chosen, settings))
    return tasks


def solve_futures(
    inputs: Inputs,
    result: Result,
    futures: int,
    seed: int | None = None,
    executor: Executor | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> FuturesSummary:
    """Re-optimise the selection on ``futures`` sampled futures (seed: the scenario's risk.seed)."""
    seed = inputs.scenario.spec.risk.seed if seed is None else seed
    made_here = executor is None
    executor = executor or local_executor()
    try:
        settings = settings_for(inputs, name=solver, time_limit=time_limit, cores=executor.cores_per_task(futures))
        tasks = future_tasks(inputs, result, futures, seed, settings)
        outcomes: list[FutureOutcome] = executor.map(solve_future, tasks, progress)
    finally:
        if made_here:
            executor.close()
    return summarise(outcomes, [str(p) for p in inputs.data.projects.index])


def summarise(outcomes: list[FutureOutcome], project_ids: list[str]) -> FuturesSummary:
    proven = [o for o in outcomes if o.status is SolveStatus.OPTIMAL]
    counts = {p: 0 for p in project_ids}
    for outcome in proven:
        for p in outcome.selected:
            counts[p] = counts.get(p, 0) + 1
    core = (
        sorted(
            ({"id": p, "share": c / len(proven)} for p, c in counts.items()),
            key=lambda item: (-item["share"], item["id"]),
        )
        if proven
        else []
    )
    both = [o for o in proven if o.chosen_status is SolveStatus.OPTIMAL]
    regrets = np.array([o.objective - o.chosen_objective for o in both])
    no_plan = sum(o.status is SolveStatus.INFEASIBLE for o in outcomes)
    does_not_fit = sum(o.status.has_plan and o.chosen_status is SolveStatus.INFEASIBLE for o in outcomes)
    regret = {
        "futures": len(outcomes),
        "proven": len(both),
        "no_plan": no_plan,
        "chosen_does_not_fit": does_not_fit,
        "unproven": len(outcomes) - len(both) - no_plan - does_not_fit,
        **_spread(regrets),
        "funded": _spread(np.array([o.objective - o.delivered for o in proven])),
    }
    return FuturesSummary(len(outcomes), core, regret)


def _spread(values: np.ndarray) -> dict:
    if not len(values):
        return {"mean": None, "p50": None, "p90": None, "max": None}
    return {
        "mean": float(values.mean()),
        "p50": float(np.quantile(values, 0.5)),
        "p90": float(np.quantile(values, 0.9)),
        "max": float(values.max()),
    }
