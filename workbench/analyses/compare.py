"""What differs between two scenarios' results: projects that enter, leave or move, key figures,
capacity use and spend, and the bottleneck role of each. Numbers only; the faces word them."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.planning.accounting import used_to_the_full
from workbench.planning.result import KPI_LABELS, Result


@dataclass(frozen=True)
class ProjectChange:
    """One project that enters, leaves or moves against the first scenario."""

    id: str
    name: str
    category: str | None
    change: str  # "enters", "leaves" or "moves"
    first_start: str | None
    first_finish: str | None
    start: str | None
    finish: str | None
    value: float
    shift: int = 0  # periods later (negative: earlier), for a move


@dataclass(frozen=True)
class Bottleneck:
    """The role used to the full in the most periods (ties: the higher mean use)."""

    role: str
    full_periods: int
    mean_utilisation: float


@dataclass
class Difference:
    """``other`` against ``first``; project changes only when both have a plan."""

    first: str
    other: str
    first_has_plan: bool
    has_plan: bool
    changes: list[ProjectChange] = field(default_factory=list)
    kpis: dict = field(default_factory=dict)  # name -> (first, other)
    utilisation_change: list[dict] = field(default_factory=list)  # role, period, change
    first_bottleneck: Bottleneck | None = None
    bottleneck: Bottleneck | None = None

    def of(self, change: str) -> list[ProjectChange]:
        return [c for c in self.changes if c.change == change]


KPI_NAMES = tuple(KPI_LABELS)


def utilisation_by_role_period(result: Result) -> dict[tuple[str, str], float]:
    """Demand as a share of capacity plus hiring, per role and period (0 where nothing is available)."""
    shares = {}
    for row in result.capacity:
        available = row.capacity + row.hired
        shares[(row.role, row.period)] = row.demand / available if available > 0 else 0.0
    return shares


def bottleneck(result: Result) -> Bottleneck | None:
    if not result.has_plan or not result.capacity:
        return None
    shares = utilisation_by_role_period(result)
    roles = list(dict.fromkeys(role for role, _ in shares))
    full = {(row.role, row.period) for row in result.capacity if used_to_the_full(row.demand, row.capacity + row.hired)}
    ranked = []
    for role in roles:
        values = [share for (r, _), share in shares.items() if r == role]
        full_periods = sum(1 for (r, _) in full if r == role)
        ranked.append(Bottleneck(role, full_periods, sum(values) / len(values)))
    best = max(ranked, key=lambda b: (b.full_periods, b.mean_utilisation))
    return best if best.full_periods > 0 or best.mean_utilisation > 0 else None


def _index(label: str | None, labels: list[str]) -> int | None:
    return labels.index(label) if label in labels else None


def compare_results(first: Result, other: Result) -> Difference:
    """The difference of ``other`` against ``first``."""
    difference = Difference(
        first.scenario,
        other.scenario,
        first.has_plan,
        other.has_plan,
        first_bottleneck=bottleneck(first),
        bottleneck=bottleneck(other),
    )
    first_kpis, other_kpis = first.kpis(), other.kpis()
    difference.kpis = {
        name: (first_kpis.get(name) if first.has_plan else None, other_kpis.get(name) if other.has_plan else None)
        for name in KPI_NAMES
    }
    if not (first.has_plan and other.has_plan):
        return difference
    labels = [row.period for row in first.budget]
    before = {p.id: p for p in first.projects}
    for project in other.projects:
        was = before.get(project.id)
        if was is None:
            continue
        if project.selected and not was.selected:
            change = "enters"
        elif was.selected and not project.selected:
            change = "leaves"
        elif project.selected and project.start != was.start:
            change = "moves"
        else:
            continue
        shift = 0
        if change == "moves":
            shift = (_index(project.start, labels) or 0) - (_index(was.start, labels) or 0)
        difference.changes.append(
            ProjectChange(
                project.id,
                project.name,
                project.category,
                change,
                was.start,
                was.finish,
                project.start,
                project.finish,
                project.value,
                shift,
            )
        )
    first_shares, other_shares = utilisation_by_role_period(first), utilisation_by_role_period(other)
    difference.utilisation_change = [
        {"role": role, "period": period, "change": other_shares.get((role, period), 0.0) - share}
        for (role, period), share in first_shares.items()
    ]
    return difference
