"""What a solve proved, and what had to give when no plan exists: the kinds every floor above speaks."""

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


class ConflictKind(StrEnum):
    """What the elastic model relaxed for a plan to exist, cheapest first (``UNEXPLAINED``: no
    relaxation was found in time)."""

    CAPACITY = "capacity"  #: FTE of a role in a period beyond capacity (and hiring)
    BUDGET = "budget"  #: money in a period beyond its budget
    BUDGET_TOTAL = "budget_total"  #: money beyond the total budget
    BALANCE_MIN = "balance_min"  #: cost a category is short of its minimum share
    BALANCE_MAX = "balance_max"  #: cost a category has beyond its maximum share
    WINDOW = "window"  #: periods a commitment starts outside its window
    COMMITMENT = "commitment"  #: a commitment that cannot be scheduled at all
    UNEXPLAINED = "unexplained"
