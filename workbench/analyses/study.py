"""Studies: a scenario loaded once and every analysis a report shows, run here, on the analyses
floor; the report, comparison, status and risk sections (workbench.faces) only render them.

- :func:`study_scenario` -- the plan, the value of one more FTE per role, the frontier, the
  binding constraints, the prioritisation, the re-solved futures and the plan's Monte Carlo.
- :func:`study_comparison` -- several scenarios solved, with a frontier each where their
  budgets differ.
- :func:`study_status` -- the status as of the status date and the re-plan from it.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from workbench.analyses.earned_value import StatusReport, project_status, status_curves
from workbench.analyses.frontier import Frontier, frontier
from workbench.analyses.futures import FuturesSummary, solve_futures
from workbench.analyses.prices import BindingConstraint, RoleValue, binding_constraints, role_values
from workbench.analyses.prioritise import Prioritisation, prioritisation
from workbench.analyses.replan import replanned
from workbench.analyses.risk import RiskReport, has_risk_data, simulate
from workbench.analyses.solve import solve
from workbench.data.planning_data import Inputs, load_inputs
from workbench.ground.executor import Executor, Progress, local_executor
from workbench.model.formulation import Plan
from workbench.planning.result import Result
from workbench.planning.runs import Deadline, settings_for

__all__ = [
    "ComparisonStudy",
    "ScenarioStudy",
    "StatusStudy",
    "plan_of",
    "study_comparison",
    "study_risk",
    "study_scenario",
    "study_status",
]


@dataclass
class ScenarioStudy:
    """One scenario and what each analysis found for it.

    ``seconds`` is the solver work (the plan, the re-solves, the frontier, the futures);
    ``timings`` splits it. ``risk_report`` is ``None`` when there is no plan or nothing uncertain."""

    inputs: Inputs
    result: Result
    frontier: Frontier | None = None
    role_values: list[RoleValue] = field(default_factory=list)
    binding: list[BindingConstraint] = field(default_factory=list)
    prioritisation: Prioritisation | None = None
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)
    futures: FuturesSummary | None = None
    risk_report: RiskReport | None = None


def plan_of(result: Result) -> Plan:
    """The raw plan behind a solved result (the frontier's top point, without re-solving it)."""
    periods = {row.period: t for t, row in enumerate(result.budget)}
    hired = {(row.role, periods[row.period]): row.hired for row in result.capacity if row.hired > 0}
    return Plan(
        result.status,
        result.objective,
        result.bound,
        result.gap,
        result.solver["seconds"],
        result.solver["name"],
        starts={p.id: p.start_index for p in result.selected},
        hired=hired,
        stopped_by=result.stopped_by,
    )


def study_scenario(
    scenario_path: str | Path,
    solver: str | None = None,
    time_limit: float | None = None,
    frontier_points: int = 6,
    risk_futures: int = 0,
) -> ScenarioStudy:
    """Solve, price roles, trace the frontier, rank, (``risk_futures`` > 0) re-solve sampled
    futures and simulate the plan; one time limit bounds all solver work.

    Parameters
    ----------
    scenario_path : str or Path
        The scenario file; a scenario with a status date is re-planned from it.
    solver : {"auto", "cbc", "highs"}, optional
        Overrides the scenario's solver.
    time_limit : float, optional
        Seconds for all solver work (the plan, the re-solves, the frontier, the futures).
    frontier_points : int
        Total-budget levels of the frontier.
    risk_futures : int
        Sampled futures to re-solve for the core index and the regret (0: none).

    Returns
    -------
    ScenarioStudy
        What each analysis found.

    Raises
    ------
    InputError
        The scenario or its portfolio is malformed (every problem, with file, row and column).
    """
    started = time.perf_counter()
    executor = local_executor()  # the re-solves run side by side on this machine's cores
    executor.start("workbench.planning.runs")  # its workers start while the scenario is solved
    try:
        inputs = replanned(load_inputs(scenario_path))
        settings = settings_for(inputs, name=solver, time_limit=time_limit)
        deadline = Deadline(settings.time_limit)
        result = solve(inputs, settings.name, settings.time_limit, settings.gap, deadline=deadline)
        study = ScenarioStudy(inputs, result, timings={"solve": result.solver["seconds"]})
        if result.has_plan:
            _re_solves(study, settings, deadline, frontier_points, risk_futures, executor)
    finally:
        executor.close()
    study.seconds = time.perf_counter() - started
    # a report simulates only what is uncertain; without uncertainty it says so instead
    study.risk_report = study_risk(inputs, result, study.futures) if has_risk_data(inputs) else None
    return study


def _re_solves(study: ScenarioStudy, settings, deadline: Deadline, points: int, futures: int, executor) -> None:
    inputs, result = study.inputs, study.result
    mark = time.perf_counter()
    top = plan_of(result) if inputs.data.budget_total is None else None

    def trace() -> Frontier:
        return frontier(
            inputs, points, settings.name, None, settings.gap, deadline=deadline, top=top, executor=executor
        )

    if deadline.seconds is None:
        # no limit to split: the FTE re-solves and the frontier's levels share the workers,
        # submitted together, so that neither waits for the other's last task
        with ThreadPoolExecutor(2) as submitting:
            roles_done = submitting.submit(role_values, inputs, result, settings, deadline, executor)
            curve_done = submitting.submit(trace)
            study.role_values, study.frontier = roles_done.result(), curve_done.result()
    else:
        # one after the other: each splits what is left of the limit over its own tasks
        study.role_values = role_values(inputs, result, settings, deadline, executor)
        study.frontier = trace()
    study.timings["role values and frontier"] = time.perf_counter() - mark
    study.binding = binding_constraints(result, inputs.data.budget_total)
    mark = time.perf_counter()
    study.prioritisation = prioritisation(inputs, optimal=result)
    study.timings["prioritisation"] = time.perf_counter() - mark
    if futures > 0 and not deadline.expired:
        mark = time.perf_counter()
        study.futures = solve_futures(
            inputs, result, futures, executor=executor, solver=settings.name, time_limit=deadline.remaining()
        )
        study.timings["risk futures"] = time.perf_counter() - mark


def study_risk(
    inputs: Inputs,
    result: Result,
    futures_summary: FuturesSummary | None = None,
    futures: int = 0,
    executor: Executor | None = None,
    samples: int | None = None,
    seed: int | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> RiskReport | None:
    """The plan's Monte Carlo (docs/risk.md), with the core index and regret of the futures
    re-solved before (``futures_summary``) or here (``futures`` > 0, on ``executor``, with
    ``solver`` and ``time_limit``); ``None`` when there is no plan. ``samples`` and ``seed``
    default to the scenario's."""
    if not result.has_plan:
        return None
    report = simulate(replanned(inputs), result, samples, seed)
    if futures > 0:
        futures_summary = solve_futures(inputs, result, futures, seed, executor, solver, time_limit, progress=progress)
    if futures_summary is not None:
        report.core_index, report.regret = futures_summary.core_index, futures_summary.regret
    return report


@dataclass
class ComparisonStudy:
    """Scenarios solved to be compared with the first; ``frontiers`` by scenario name."""

    studies: list[ScenarioStudy]
    frontiers: dict[str, Frontier] = field(default_factory=dict)


def study_comparison(
    scenario_paths: list[str | Path],
    solver: str | None = None,
    time_limit: float | None = None,
    frontier_points: int = 5,
) -> ComparisonStudy:
    """Solve each scenario; where their budgets differ, trace each one's frontier.

    Parameters
    ----------
    scenario_paths : list of str or Path
        The scenario files; the first is the one the others are compared with.
    solver : {"auto", "cbc", "highs"}, optional
        Overrides each scenario's solver.
    time_limit : float, optional
        Seconds for each scenario's solve (and each frontier).
    frontier_points : int
        Total-budget levels of each frontier.

    Returns
    -------
    ComparisonStudy
        Each scenario's plan and binding constraints, and the frontiers.

    Raises
    ------
    InputError
        A scenario or its portfolio is malformed.
    """
    studies = []
    for path in scenario_paths:
        inputs = replanned(load_inputs(path))
        result = solve(inputs, solver, time_limit)
        binding = binding_constraints(result, inputs.data.budget_total) if result.has_plan else []
        studies.append(ScenarioStudy(inputs, result, binding=binding, seconds=result.solver["seconds"]))
    comparison = ComparisonStudy(studies)
    budgets = {s.inputs.scenario.spec.budget.model_dump_json() for s in studies}
    if len(budgets) > 1 and frontier_points >= 2:  # the scenarios differ in budget: trace each frontier
        with local_executor() as executor:
            for study in studies:
                if not study.result.has_plan:
                    continue
                settings = settings_for(study.inputs, name=solver, time_limit=time_limit)
                top = plan_of(study.result) if study.inputs.data.budget_total is None else None
                comparison.frontiers[study.result.scenario] = frontier(
                    study.inputs,
                    frontier_points,
                    settings.name,
                    settings.time_limit,
                    settings.gap,
                    top=top,
                    executor=executor,
                )
    return comparison


@dataclass
class StatusStudy:
    """A scenario's status as of its status date, its S-curves and the re-plan from it (``None``
    when not asked for)."""

    inputs: Inputs
    report: StatusReport
    curve_rows: list[dict]
    replan_result: Result | None


def study_status(scenario: str | Path | Inputs, as_of: str | None = None, replan: bool = True) -> StatusStudy:
    """The status of a scenario against its baseline as of its status date, and the re-plan.

    Parameters
    ----------
    scenario : str, Path or Inputs
        The scenario file, or the scenario loaded (not re-planned).
    as_of : str, optional
        The status period (overrides the scenario's ``status.as_of``).
    replan : bool
        Whether to solve the re-plan too.

    Returns
    -------
    StatusStudy
        The status, the S-curves and the re-plan of the periods after the status date.

    Raises
    ------
    InputError
        A malformed scenario or portfolio, or no status date (or one outside the horizon).
    """
    inputs = scenario if isinstance(scenario, Inputs) else load_inputs(scenario)
    report = project_status(inputs, as_of)
    replan_result = solve(replanned(inputs, report.as_of)) if replan else None
    return StatusStudy(inputs, report, status_curves(inputs, report), replan_result)
