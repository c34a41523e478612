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
from workbench.ground.status import SolveStatus
from workbench.model.highs import HighsRounds
from workbench.model.solver_run import objective_at

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


def improve_plan(
    problem: pulp.LpProblem,
    options: pd.DataFrame,
    data: PlanningData,
    deadline: float,
    *,
    seed: int = 0,
    stop: threading.Event | None = None,
    streams: int = 1,
) -> SearchReport:
    """Improve the plan held in ``problem``'s variables (a feasible plan, as a solver left it)
    until ``deadline`` (a :func:`time.monotonic` time) or ``stop``; the best plan found is left
    in the variables. ``options`` is the formulation's start options with their ``var``.

    ``streams`` searches run side by side (threads: HiGHS runs outside the GIL), each with a
    HiGHS model of its own, built once, its bounds changed per round, and each round starting
    from the best plan any stream has found. A sub-problem gets at most
    :data:`SUB_PROBLEM_SECONDS`; ``seed`` fixes the sequence of neighbourhoods of each stream.
    """
    variables = problem.variables()
    best = _Best(problem, _clean(variables))
    first_objective = best.objective
    start_vars = options.groupby("project", sort=False)["var"].agg(list)
    projects = list(start_vars.index)
    if not projects or deadline - time.monotonic() <= MINIMUM_ROUND_SECONDS:
        return SearchReport(0, 0, 0.0)
    windows = options.assign(end=options["start"] + options["project"].map(data.projects["duration"]))
    roles_of = data.demand.groupby("project")["role"].agg(set)
    models = [HighsRounds(problem) for _ in range(max(1, streams))]  # built here: building touches the problem
    counts = [[0, 0] for _ in models]  # rounds, improvements per stream
    failures: list[BaseException] = []

    def search(number: int) -> None:
        rng = random.Random(seed * 1009 + number)
        size = max(SMALLEST, int(FIRST_SHARE * len(projects)))
        kinds = _KINDS[number % len(_KINDS) :] + _KINDS[: number % len(_KINDS)]
        try:
            while (remaining := deadline - time.monotonic()) > MINIMUM_ROUND_SECONDS and not (stop and stop.is_set()):
                values_now, _ = best.read()
                free = _neighbourhood(
                    kinds[counts[number][0] % len(kinds)],
                    rng,
                    projects,
                    windows,
                    roles_of,
                    data.periods,
                    min(size, len(projects)),
                )
                fixed = {
                    variable.name: round(values_now[variable.name])
                    for project, project_vars in start_vars.items()
                    if project not in free
                    for variable in project_vars
                }
                status, objective, values = models[number].solve(
                    fixed, values_now, min(SUB_PROBLEM_SECONDS, remaining), stop
                )
                counts[number][0] += 1
                if values is not None and best.offer(_clean(variables, values)):
                    counts[number][1] += 1
                if status is SolveStatus.OPTIMAL and len(free) == len(projects):
                    return  # every project was free: that was the whole model, proved
                # a proven sub-problem was too easy: look wider next time; an unproven one: narrower
                size = (
                    min(len(projects), int(size * 1.5) + 1)
                    if status is SolveStatus.OPTIMAL
                    else max(min(SMALLEST, 10), int(size * 0.7))
                )
        except BaseException as exc:  # noqa: BLE001 - raised again by the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=search, args=(number,), daemon=True) for number in range(len(models))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        problem.assignVarsVals(best.read()[0])
    if failures:
        raise failures[0]
    return SearchReport(sum(c[0] for c in counts), sum(c[1] for c in counts), abs(best.objective - first_objective))


_KINDS = ("window", "role", "random")


class _Best:
    """The best plan the streams have found (thread-safe)."""

    def __init__(self, problem: pulp.LpProblem, values: dict[str, float]):
        self.problem = problem
        self.maximise = problem.sense == pulp.LpMaximize
        self.lock = threading.Lock()
        self.values, self.objective = values, objective_at(problem, values)

    def read(self) -> tuple[dict[str, float], float]:
        with self.lock:
            return self.values, self.objective

    def offer(self, values: dict[str, float]) -> bool:
        objective = objective_at(self.problem, values)
        with self.lock:
            if not _better(objective, self.objective, self.maximise):
                return False
            self.values, self.objective = values, objective
            return True


def _neighbourhood(
    kind: str,
    rng: random.Random,
    projects: list[str],
    windows: pd.DataFrame,
    roles_of: pd.Series,
    periods: int,
    size: int,
) -> set[str]:
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
        chosen = set(candidates)
        rest = [p for p in projects if p not in chosen]
        candidates = list(candidates) + rng.sample(rest, min(len(rest), size - len(candidates)))
    return set(rng.sample(list(candidates), size)) if len(candidates) > size else set(candidates)


def _clean(variables: list[pulp.LpVariable], values: dict[str, float] | None = None) -> dict[str, float]:
    """The variables' values (or ``values``), integers rounded and every value put within its
    bounds (solvers leave values a hair outside, e.g. 1.0000000000000036, which a start may not be)."""
    cleaned = {}
    for variable in variables:
        value = float((variable.varValue if values is None else values.get(variable.name)) or 0.0)
        if variable.cat == pulp.LpInteger:
            value = float(round(value))
        if variable.lowBound is not None:
            value = max(value, variable.lowBound)
        if variable.upBound is not None:
            value = min(value, variable.upBound)
        cleaned[variable.name] = value
    return cleaned


def _better(candidate: float, incumbent: float, maximise: bool) -> bool:
    margin = 1e-9 * max(1.0, abs(incumbent))
    return candidate > incumbent + margin if maximise else candidate < incumbent - margin
