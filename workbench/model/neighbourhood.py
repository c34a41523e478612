"""Large-neighbourhood search: better plans within a time limit on portfolios too large to prove.

Around the incumbent plan, a neighbourhood of projects is set free (those that could run in a
window of periods, those needing one role, or a random draw) and every other project is fixed
where the incumbent has it; the solver then re-optimises that sub-problem, starting from the
incumbent, within a few seconds. A better plan becomes the incumbent. Every plan it keeps is a
plan of the whole model (the sub-problem only fixes variables), so it stays feasible; it proves
nothing, so the bound stays the one the global solve proved and the gap is measured from it.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import pandas as pd
import pulp

from workbench.data.planning_data import PlanningData
from workbench.data.scenario import SolverSpec
from workbench.ground.status import SolveStatus
from workbench.model.solvers import run_solver

#: seconds at most for one sub-problem; a proven sub-problem grows the next neighbourhood
SUB_PROBLEM_SECONDS = 4.0
#: a round needs at least this much time left to start
MINIMUM_ROUND_SECONDS = 1.0
#: first neighbourhood size as a share of the projects with a start option, and the least size
FIRST_SHARE = 0.08
SMALLEST = 20


@dataclass(frozen=True)
class SearchReport:
    """What the search did: rounds run, rounds that improved the plan, and the objective gained."""

    rounds: int
    improved: int
    gained: float


def improve_plan(problem: pulp.LpProblem, options: pd.DataFrame, data: PlanningData, settings: SolverSpec,
                 deadline: float, *, seed: int = 0, stop: threading.Event | None = None) -> SearchReport:
    """Improve the plan held in ``problem``'s variables (a feasible plan, as a solver left it)
    until ``deadline`` (a :func:`time.monotonic` time) or ``stop``; the best plan found is left
    in the variables. ``options`` is the formulation's start options with their ``var``.

    Sub-problems are solved with ``settings.name`` (the race, for ``auto``), each within
    :data:`SUB_PROBLEM_SECONDS`; ``seed`` makes the sequence of neighbourhoods repeatable.
    """
    rng = random.Random(seed)
    maximise = problem.sense == pulp.LpMaximize
    variables = problem.variables()
    best = _clean(variables)
    best_objective = _objective(problem, best)
    start_vars = options.groupby("project", sort=False)["var"].agg(list)
    projects = list(start_vars.index)
    if not projects:
        return SearchReport(0, 0, 0.0)
    windows = options.assign(end=options["start"] + options["project"].map(data.projects["duration"]))
    roles_of = data.demand.groupby("project")["role"].agg(set)
    size = max(SMALLEST, int(FIRST_SHARE * len(projects)))
    rounds = improved = 0
    first_objective = best_objective
    kinds = ("window", "role", "random")
    try:
        while (remaining := deadline - time.monotonic()) > MINIMUM_ROUND_SECONDS and not (stop and stop.is_set()):
            kind = kinds[rounds % len(kinds)]
            free = _neighbourhood(kind, rng, projects, windows, roles_of, data.periods, min(size, len(projects)))
            for project, project_vars in start_vars.items():
                if project in free:
                    continue
                for variable in project_vars:
                    value = round(best[variable.name] or 0.0)
                    variable.lowBound = variable.upBound = value
            for variable in variables:
                variable.setInitialValue(best[variable.name])
            limit = min(SUB_PROBLEM_SECONDS, remaining)
            run = run_solver(problem, settings.model_copy(update={"time_limit": limit, "gap": 0.0}),
                             warm_start=True, stop=stop)
            _free_all(start_vars)
            rounds += 1
            if run.objective is not None and _better(run.objective, best_objective, maximise):
                best = _clean(variables)
                best_objective = run.objective
                improved += 1
            if run.status is SolveStatus.OPTIMAL and len(free) == len(projects):
                break  # every project was free: that was the whole model, proved
            # a proven sub-problem was too easy: look wider next time; an unproven one: narrower
            if run.status is SolveStatus.OPTIMAL:
                size = min(len(projects), int(size * 1.5) + 1)
            else:
                size = max(min(SMALLEST, 10), int(size * 0.7))
    finally:
        _free_all(start_vars)
        problem.assignVarsVals(best)
    return SearchReport(rounds, improved, abs(best_objective - first_objective))


def _neighbourhood(kind: str, rng: random.Random, projects: list[str], windows: pd.DataFrame,
                   roles_of: pd.Series, periods: int, size: int) -> set[str]:
    """The projects set free: those that could run in a window of periods, those needing a
    role, or a random draw; at most ``size``, drawn at random from the candidates."""
    if kind == "window":
        first = rng.randrange(periods)
        last = first + max(3, periods // 6)
        candidates = sorted(set(windows.loc[(windows["start"] < last) & (windows["end"] > first), "project"]))
    elif kind == "role" and len(roles_of):
        role = rng.choice(sorted({r for roles in roles_of for r in roles}))
        candidates = [p for p in projects if role in roles_of.get(p, ())]
    else:
        candidates = projects
    if len(candidates) < size:  # too few: widen with a random draw from the rest
        rest = [p for p in projects if p not in set(candidates)]
        candidates = list(candidates) + rng.sample(rest, min(len(rest), size - len(candidates)))
    return set(rng.sample(list(candidates), size)) if len(candidates) > size else set(candidates)


def _clean(variables: list[pulp.LpVariable]) -> dict[str, float]:
    """The variables' values, integers rounded and every value put within its bounds (solvers
    leave values a hair outside, e.g. 1.0000000000000036, which a start value may not be)."""
    values = {}
    for variable in variables:
        value = float(variable.varValue or 0.0)
        if variable.cat == pulp.LpInteger:
            value = float(round(value))
        if variable.lowBound is not None:
            value = max(value, variable.lowBound)
        if variable.upBound is not None:
            value = min(value, variable.upBound)
        values[variable.name] = value
    return values


def _free_all(start_vars: pd.Series) -> None:
    for project_vars in start_vars:
        for variable in project_vars:
            variable.lowBound, variable.upBound = 0, 1


def _objective(problem: pulp.LpProblem, values: dict) -> float:
    objective = problem.objective
    return float(objective.constant + sum(c * float(values.get(v.name) or 0.0) for v, c in objective.items()))


def _better(candidate: float, incumbent: float, maximise: bool) -> bool:
    margin = 1e-9 * max(1.0, abs(incumbent))
    return candidate > incumbent + margin if maximise else candidate < incumbent - margin
