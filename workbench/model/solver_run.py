"""What a solver run proved (:class:`SolverRun`), the plans a running HiGHS solve reports
(:class:`Incumbents`), and the gap arithmetic every solver shares."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pulp

from workbench.ground.status import SolveStatus


#: how often a waiting solver run looks for a stop request or the end of its partner
POLL_SECONDS = 0.02


class Incumbents:
    """The newest plan a running HiGHS solve has found (thread-safe), so that a caller can show
    it before the solve ends: values by variable name, the objective and HiGHS's bound then."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: tuple[dict[str, float], float, float | None] | None = None

    def offer(self, values: dict[str, float], objective: float, bound: float | None) -> None:
        with self._lock:
            self._latest = (values, objective, bound)

    def latest(self) -> tuple[dict[str, float], float, float | None] | None:
        with self._lock:
            return self._latest


@dataclass(frozen=True)
class SolverRun:
    """What one solver run proved: the incumbent objective (tie-break included), the bound and
    the solver whose plan it is (for ``auto``: the race's winner)."""

    status: SolveStatus
    objective: float | None
    bound: float | None
    solver: str | None = None


def objective_at(problem: pulp.LpProblem, values: dict) -> float:
    """The objective at ``values`` (variable name -> value), without touching the variables."""
    objective = problem.objective
    return float(
        objective.constant
        + sum(coefficient * float(values.get(variable.name) or 0.0) for variable, coefficient in objective.items())
    )


def status_from_gap(objective: float, bound: float | None) -> SolveStatus:
    """Optimal when the bound meets the objective (a relative gap of at most 1e-9), else feasible."""
    gap = relative_gap(objective, bound)
    return SolveStatus.OPTIMAL if gap is not None and gap <= 1e-9 else SolveStatus.FEASIBLE


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)
