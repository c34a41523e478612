"""The ``auto`` race: CBC (its own process) and HiGHS (a thread) on the same model; the better
plan with the better bound is kept."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pulp

from workbench.data.scenario import SolverSpec
from workbench.ground.status import SolveStatus
from workbench.model.cbc import CbcJob
from workbench.model.highs import solve_highs
from workbench.model.solver_run import POLL_SECONDS, Incumbents, SolverRun, status_from_gap


def solve_auto(
    problem,
    settings: SolverSpec,
    warm_start: bool,
    stop: threading.Event | None,
    incumbents: Incumbents | None = None,
    plan_by: float | None = None,
) -> SolverRun:
    """The race: CBC (its own process) and HiGHS (a thread; it runs outside the GIL) on the same
    model within the same limit. The first proof (optimal or infeasible) stops the other; the
    better plan is kept, with the better of the two bounds, so the gap is from the best bound.

    With ``plan_by`` (seconds, below the limit), CBC's limit is ``plan_by``. HiGHS stops then
    too if either has a plan; without one it goes on to the limit, since a model that has no
    plan yet needs solver time (a first plan, or a proof of infeasibility)."""
    cbc_limit = plan_by if plan_by is not None else settings.time_limit
    cbc = CbcJob(
        problem, settings.model_copy(update={"name": "cbc", "time_limit": cbc_limit}), warm_start
    )  # written before HiGHS runs
    if incumbents is None and plan_by is not None:  # to see whether HiGHS has a plan by then
        incumbents = Incumbents()
    stops = {"cbc": threading.Event(), "highs": threading.Event()}
    outcomes: dict[str, tuple[SolverRun, dict | None]] = {}
    failures: list[BaseException] = []

    def race(name: str, work) -> None:
        try:
            outcomes[name] = work()
        except BaseException as exc:  # noqa: BLE001 - reported below, after the other is stopped
            failures.append(exc)
        finally:
            if name in outcomes and outcomes[name][0].status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
                for other, event in stops.items():
                    if other != name:
                        event.set()

    def highs() -> tuple[SolverRun, dict | None]:
        run = solve_highs(
            problem, settings.model_copy(update={"name": "highs"}), warm_start, stops["highs"], incumbents
        )
        values = {v.name: v.varValue for v in problem.variables()} if run.status.has_plan else None
        return replace(run, solver="highs"), values

    threads = [
        threading.Thread(target=race, args=("cbc", lambda: cbc.run(stops["cbc"])), daemon=True),
        threading.Thread(target=race, args=("highs", highs), daemon=True),
    ]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            if stop is not None and stop.is_set():
                for event in stops.values():
                    event.set()
            if (
                plan_by is not None
                and time.monotonic() - started >= plan_by
                and not stops["highs"].is_set()
                and (
                    incumbents.latest() is not None or ("cbc" in outcomes and outcomes["cbc"][0].objective is not None)
                )
            ):
                stops["highs"].set()  # a plan is there by plan_by: the caller improves it
            for thread in threads:
                thread.join(POLL_SECONDS)
    except BaseException:  # Ctrl+C: stop both, then let the error through
        for event in stops.values():
            event.set()
        for thread in threads:
            thread.join()
        cbc.close()
        raise
    try:
        if failures and not outcomes:
            raise failures[0]
        return race_result(problem, cbc, outcomes)
    finally:
        cbc.close()


def race_result(problem, cbc: CbcJob, outcomes: dict[str, tuple[SolverRun, dict | None]]) -> SolverRun:
    runs = {name: run for name, (run, _) in outcomes.items()}
    if any(run.status is SolveStatus.INFEASIBLE for run in runs.values()):
        return SolverRun(
            SolveStatus.INFEASIBLE,
            None,
            None,
            "auto: " + next(name for name, run in runs.items() if run.status is SolveStatus.INFEASIBLE),
        )
    maximise = problem.sense == pulp.LpMaximize
    with_plan = [name for name, run in runs.items() if run.objective is not None]
    bounds = [run.bound for run in runs.values() if run.bound is not None]
    best_bound = (min(bounds) if maximise else max(bounds)) if bounds else None
    if not with_plan:
        return SolverRun(SolveStatus.NOT_SOLVED, None, best_bound, "auto")
    winner = (max if maximise else min)(with_plan, key=lambda name: runs[name].objective)
    run, values = outcomes[winner]
    if winner == "cbc":
        cbc.assign(values)
    else:
        problem.assignVarsVals(values)
    if run.status is SolveStatus.OPTIMAL:
        return replace(run, solver=f"auto: {run.solver or winner}")
    bound = best_bound if best_bound is not None else run.bound
    return SolverRun(status_from_gap(run.objective, bound), run.objective, bound, f"auto: {run.solver or winner}")
