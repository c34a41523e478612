"""What a solve proved: the status every layer above the solvers speaks."""
from __future__ import annotations

from enum import StrEnum


class SolveStatus(StrEnum):
    """What the solver proved."""

    OPTIMAL = "optimal"  #: proven optimal (within the requested gap, which is 0 by default)
    FEASIBLE = "feasible"  #: a plan, stopped with a gap (time limit or requested gap)
    INFEASIBLE = "infeasible"  #: proven that no plan exists
    NOT_SOLVED = "not_solved"  #: stopped before any plan was found

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
