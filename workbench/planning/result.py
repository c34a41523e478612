"""The result of one solve as typed objects, its key figures, and JSON.

Projects with their reasons, capacity and budget tables, conflicts and provenance.
"""

from __future__ import annotations

import math
import platform
from dataclasses import asdict, dataclass, field, fields
from enum import Enum, StrEnum
from importlib import metadata

import pandas as pd

from workbench.ground.status import ConflictKind, SolveStatus, StopReason
from workbench.ground.formatting import finite_json


class ReasonKind(StrEnum):
    """Why a project is in (the first six) or out of the plan."""

    MANDATORY = "mandatory"  #: the portfolio marks it mandatory
    APPROVED = "approved"  #: approved in the portfolio: a commitment
    IN_PROGRESS = "in_progress"  #: already running, at its fixed start
    FORCED_IN = "forced_in"  #: the scenario forces it in
    PREREQUISITE = "prerequisite"  #: a commitment needs it (directly or through others): no plan lacks it
    VALUE = "value"  #: chosen by the optimiser for what it adds to the objective
    FORCED_OUT = "forced_out"  #: the scenario forces it out
    EXCLUDED = "excluded"  #: another member of its exclusion group is selected
    NEEDS_PREREQUISITE = "needs_prerequisite"  #: a project it requires is not selected
    PREREQUISITE_LATE = "prerequisite_late"  #: its prerequisite is selected but finishes too late for any start
    NO_START = "no_start"  #: no start inside the horizon and its window
    STATUS_DATE = "status_date"  #: a re-plan: its start window, or a prerequisite's, closed by the status date
    DOES_NOT_FIT = "does_not_fit"  #: no feasible plan contains it
    DISPLACES_MORE = "displaces_more"  #: forcing it in lowers the proven optimum
    NO_GAIN = "no_gain"  #: forcing it in leaves the proven optimum unchanged
    BALANCE = "balance"  #: forcing it in is infeasible only because of a category balance rule
    UNPROVEN = "unproven"  #: no stronger claim is proven (the plan is not proven optimal, or no cheap rule decides)

    @property
    def selected(self) -> bool:
        return self in SELECTED_KINDS


SELECTED_KINDS = frozenset(
    {
        ReasonKind.MANDATORY,
        ReasonKind.APPROVED,
        ReasonKind.IN_PROGRESS,
        ReasonKind.FORCED_IN,
        ReasonKind.PREREQUISITE,
        ReasonKind.VALUE,
    }
)


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    text: str


@dataclass
class ProjectOutcome:
    id: str
    name: str
    category: str | None
    selected: bool
    start: str | None
    finish: str | None
    value: float
    cost: float
    commitment: str
    reason: str
    reason_kind: ReasonKind | None = None  # None when there is no plan
    start_index: int | None = None
    contribution: float = 0.0
    extra: dict = field(default_factory=dict)  # the portfolio's own extra columns, carried through


@dataclass
class Conflict:
    """A constraint that had to be relaxed for any plan to exist."""

    kind: ConflictKind
    message: str
    amount: float
    period: str | None = None
    role: str | None = None
    project: str | None = None
    category: str | None = None


#: the key figures every face compares and shows (:meth:`Result.kpis`), in order, with their labels
KPI_LABELS = {
    "objective": "Objective",
    "value": "Value of selected projects",
    "cost": "Cost of selected projects",
    "selected": "Projects selected",
    "utilisation": "Capacity utilisation",
    "hired_fte_periods": "Hiring (FTE-periods)",
}


@dataclass
class CapacityRow:
    """One role in one period of a plan: the FTE its projects need, the capacity, and the FTE hired."""

    role: str
    period: str
    demand: float
    capacity: float
    hired: float


@dataclass
class BudgetRow:
    """One period of a plan: what it spends (hiring included) and its budget (``None``: none)."""

    period: str
    spend: float
    budget: float | None


class ChangeKind(StrEnum):
    """How a re-plan changes a project against the approved baseline."""

    MOVED = "moved"  #: another start
    SLIPPED = "slipped"  #: the same start, a later finish
    BROUGHT_FORWARD = "brought forward"  #: the same start, an earlier finish
    DROPPED = "dropped"  #: in the baseline, not in the re-plan
    ADDED = "added"  #: in the re-plan, not in the baseline


@dataclass
class BaselineChange:
    """One project a re-plan changes against the baseline: starts and finishes before and after
    (finishes are forecasts for started projects), and the project's reason."""

    project: str
    change: ChangeKind
    baseline_start: str | None
    start: str | None
    baseline_finish: str | None
    finish: str | None
    reason: str


@dataclass
class Result:
    """Everything ``workbench solve`` reports. Numbers are unrounded."""

    scenario: str
    status: SolveStatus
    objective: float | None
    objective_kind: str
    gap: float | None
    bound: float | None
    solver: dict
    projects: list[ProjectOutcome]
    capacity: list[CapacityRow]
    budget: list[BudgetRow]
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    baseline_changes: list[BaselineChange] = field(default_factory=list)  # a re-plan's, against the baseline
    # a re-plan: as_of, actual_cost (every project, to the status date), remaining_cost (the plan's
    # spend after it, to the horizon's end, hiring included), forecast_cost (the two), and
    # after_horizon_cost (what started projects that run past the horizon still cost there)
    replan: dict = field(default_factory=dict)
    stopped_by: StopReason | None = None  # why the solve did not prove its answer (time limit, gap, stop)

    @property
    def has_plan(self) -> bool:
        return self.status.has_plan

    @property
    def selected(self) -> list[ProjectOutcome]:
        return [p for p in self.projects if p.selected]

    def to_dict(self) -> dict:
        return _plain(asdict(self))

    def to_json(self, indent: int | None = 2) -> str:
        return finite_json(self.to_dict(), indent=indent)

    def kpis(self) -> dict[str, object]:
        """The key figures every face shows (report, app, comparison, CSV summary)."""
        selected = self.selected
        rows = [r for r in self.capacity if r.capacity + r.hired > 0]
        utilisation = None
        if rows and self.has_plan:
            utilisation = sum(r.demand for r in rows) / sum(r.capacity + r.hired for r in rows)
        return {
            "status": self.status.value,
            "objective": self.objective,
            "objective_kind": self.objective_kind,
            "gap": self.gap,
            "selected": len(selected),
            "projects": len(self.projects),
            "value": sum(p.value for p in selected),
            "cost": sum(p.cost for p in selected),
            "utilisation": utilisation,
            "hired_fte_periods": sum(r.hired for r in self.capacity),
            "solver": self.solver.get("name"),
            "solver_seconds": self.solver.get("seconds"),
        }

    def capacity_frame(self) -> pd.DataFrame:
        """One row per role and period: role, period, demand, capacity, hired."""
        return pd.DataFrame([asdict(row) for row in self.capacity], columns=[f.name for f in fields(CapacityRow)])

    def budget_frame(self) -> pd.DataFrame:
        """One row per period: period, spend, budget."""
        return pd.DataFrame([asdict(row) for row in self.budget], columns=[f.name for f in fields(BudgetRow)])

    def frames(self) -> dict[str, pd.DataFrame]:
        """The result as tables: projects, capacity, budget, conflicts."""
        return {
            "projects": pd.DataFrame(
                [{**{k: v for k, v in _plain(asdict(p)).items() if k != "extra"}, **p.extra} for p in self.projects]
            ),
            "capacity": self.capacity_frame(),
            "budget": self.budget_frame(),
            "conflicts": pd.DataFrame(
                [_plain(asdict(c)) for c in self.conflicts],
                columns=["kind", "message", "amount", "period", "role", "project", "category"],
            ),
        }


def _plain(value):
    """JSON-ready: enums as their values, non-finite numbers as None."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("portfolio-workbench", "pulp", "highspy", "pandas", "numpy", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
