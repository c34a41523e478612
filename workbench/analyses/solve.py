"""Solve a scenario: the optimal plan, a reason per project, and the conflicts when no plan exists.

This is what ``workbench solve`` prints, and what every other command starts from.
"""

from __future__ import annotations

import threading
import time

from workbench.analyses.infeasibility import explain_infeasibility
from workbench.analyses.reasons import project_reasons
from workbench.analyses.replan import baseline_changes, replanned
from workbench.data.planning_data import Inputs
from workbench.ground.status import SolveStatus
from workbench.planning.result import Conflict, Result
from workbench.analyses.check import verify_plan
from workbench.planning.runs import Deadline, PlanWatch, build_result, default_time_limit, plan_within, settings_for

__all__ = ["PlanWatch", "provisional_result", "solve"]


def solve(
    inputs: Inputs,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    deadline: Deadline | None = None,
    stop: threading.Event | None = None,
    watch: PlanWatch | None = None,
    cores: int | None = None,
) -> Result:
    """Solve the scenario and explain the plan. A scenario with a status date is re-planned from
    it (:mod:`workbench.analyses.replan`).

    Parameters
    ----------
    inputs : Inputs
        The loaded scenario (:func:`workbench.data.planning_data.load_inputs`).
    solver : {"auto", "cbc", "highs"}, optional
        Overrides the scenario's solver.
    time_limit : float, optional
        Seconds for the solve and, when no plan exists, the explanation of the conflicts.
    gap : float, optional
        Relative gap at which to stop; 0 proves the optimum.
    deadline : Deadline, optional
        A deadline shared with other solver work (overrides ``time_limit``).
    stop : threading.Event, optional
        When set, ends this solve early.
    watch : PlanWatch, optional
        Shows plans found before the end (see :func:`provisional_result`).
    cores : int, optional
        Cores the solve may take (default: every core).

    Returns
    -------
    Result
        The plan (optimal, or feasible with its gap), a reason per project, or the conflicts
        when no plan exists.
    """
    inputs = replanned(inputs)
    settings = settings_for(inputs, name=solver, time_limit=time_limit, gap=gap, cores=cores)
    deadline = deadline or Deadline(settings.time_limit)
    data = inputs.data
    started = time.perf_counter()
    plan = plan_within(data, settings, deadline, stop=stop, watch=watch)
    conflicts: list[Conflict] = []
    if plan.status is SolveStatus.INFEASIBLE:
        conflicts = explain_infeasibility(data, settings, deadline)
    reasons = (
        project_reasons(data, plan.starts, plan.hired, plan.status is SolveStatus.OPTIMAL)
        if plan.status.has_plan
        else None
    )
    result = build_result(inputs, data, plan, conflicts, reasons)
    result.solver["seconds"] = time.perf_counter() - started
    result.solver["time_limit"] = deadline.seconds
    # said in the output: a limit nobody set, the default for a large model
    result.solver["default_time_limit"] = (
        inputs.scenario.spec.solver.time_limit is None
        and deadline.seconds is not None
        and (time_limit is None or time_limit == default_time_limit(inputs))
    )
    result.solver["start_options"] = len(data.start_options)
    if data.status_period is not None and plan.status.has_plan:
        result.baseline_changes = baseline_changes(inputs, result)
    if plan.status.has_plan:
        verify_plan(inputs.portfolio, inputs.scenario.spec, result)
    return result


def provisional_result(inputs: Inputs, watch: PlanWatch) -> Result | None:
    """The newest plan a running :func:`solve` has found (given the same ``inputs`` and ``watch``),
    explained as a result: feasible, never optimal, with its gap from the solver's bound then and
    reasons from the cheap rules only; ``None`` while no plan is known."""
    plan = watch.latest()
    if plan is None:
        return None
    inputs = replanned(inputs)
    reasons = project_reasons(inputs.data, plan.starts, plan.hired, False)
    result = build_result(inputs, inputs.data, plan, [], reasons)
    result.solver["seconds"] = plan.seconds
    verify_plan(inputs.portfolio, inputs.scenario.spec, result)
    return result
