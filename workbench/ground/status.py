"""What a solve proved, why it stopped short, and what had to give when no plan exists: the kinds
every floor above speaks."""

from __future__ import annotations

from enum import StrEnum


#: the solvers a scenario or a command may name: ``auto`` races the other two
SOLVER_NAMES = ("auto", "cbc", "highs")


class SolveStatus(StrEnum):
    """What the solver proved."""

    OPTIMAL = "optimal"  #: proven optimal (within the requested gap, which is 0 by default)
    FEASIBLE = "feasible"  #: a plan, stopped with a gap (time limit or requested gap)
    INFEASIBLE = "infeasible"  #: proven that no plan exists
    NOT_SOLVED = "not_solved"  #: stopped before any plan was found

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


class StopReason(StrEnum):
    """Why a solve ended without proving its answer (a plan's gap, or no plan at all)."""

    TIME_LIMIT = "time_limit"  #: its time limit, or what was left of the command's, ran out
    GAP_REACHED = "gap_reached"  #: the plan is within the relative gap asked for
    STOPPED = "stopped"  #: asked to stop: a newer change superseded it, or it was interrupted

    @classmethod
    def of(cls, status: SolveStatus, gap: float | None, gap_asked: float, stop_requested: bool) -> StopReason | None:
        """Why a solve that ended in ``status`` stopped; ``None`` when it proved its answer."""
        if status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
            return None
        if stop_requested:
            return cls.STOPPED
        if status is SolveStatus.FEASIBLE and gap is not None and gap_asked > 0 and gap <= gap_asked:
            return cls.GAP_REACHED
        return cls.TIME_LIMIT


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
