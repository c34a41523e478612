"""Why each project is in or out of a plan: a reason kind that is a claim, and words that say it.

Every kind states something a test can check against forced re-solves (docs/model.md lists
them). ``solve`` derives reasons from the plan and the planning data alone, with no extra solve:
where no cheap rule decides, the kind is :attr:`ReasonKind.UNPROVEN`, which claims nothing
beyond what it says. ``workbench explain`` re-solves with each project forced in and upgrades
those to ``does_not_fit``, ``balance``, ``displaces_more`` or ``no_gain`` (see
:func:`refine_with_forced_solve`).
"""

from __future__ import annotations

from workbench.ground.formatting import money
from workbench.planning.accounting import EPS, PlanUsage, Shortfall, describe_shortfalls
from workbench.data.planning_data import Commitment, PlanningData
from workbench.ground.status import ConflictKind, SolveStatus
from workbench.model.formulation import Plan
from workbench.planning.result import Reason, ReasonKind
from workbench.data.portfolio import describe_window


_COMMITMENT_KIND = {
    Commitment.MANDATORY: ReasonKind.MANDATORY,
    Commitment.APPROVED: ReasonKind.APPROVED,
    Commitment.IN_PROGRESS: ReasonKind.IN_PROGRESS,
    Commitment.FORCED_IN: ReasonKind.FORCED_IN,
}


class ReasonContext:
    """What the reasons of one plan share: its usage, the committed projects' prerequisites,
    the earliest start dependencies allow, and the use of commitments whose start is fixed."""

    def __init__(self, data: PlanningData, starts: dict[str, int], hired: dict[tuple[str, int], float]):
        self.data = data
        self.starts = starts
        self.usage = PlanUsage(data, starts, hired)
        projects = data.projects
        self.options = {
            p: sorted(int(s) for s in group) for p, group in data.start_options.groupby("project", sort=False)["start"]
        }
        self.requires = data.requires
        self.needed_by = data.needed_by_commitments
        committed = [p for p in projects.index if projects.loc[p, "commitment"]]
        self.earliest = self._earliest_starts()
        fixed = {p: self.options[p][0] for p in committed if len(self.options.get(p, [])) == 1}
        self.fixed_usage = PlanUsage(data, fixed, {})

    def _earliest_starts(self) -> dict[str, int | None]:
        """The earliest start of each project that its prerequisites' own earliest finishes allow
        (``None``: no start can ever satisfy them). Dependencies have no cycles (validated)."""
        earliest: dict[str, int | None] = {}

        def visit(project: str) -> int | None:
            if project in earliest:
                return earliest[project]
            ready = 0
            for q in self.requires.get(project, []):
                q_start = visit(q)
                if q_start is None:
                    earliest[project] = None
                    return None
                ready = max(ready, self.data.forecast_finish(q, q_start) + 1)  # a re-plan: its forecast
            later = [s for s in self.options.get(project, []) if s >= ready]
            earliest[project] = later[0] if later else None
            return earliest[project]

        for project in self.data.projects.index:
            visit(project)
        return earliest


def project_reasons(
    data: PlanningData, starts: dict[str, int], hired: dict[tuple[str, int], float], proven: bool
) -> dict[str, Reason]:
    """A reason for every project of a plan; ``proven`` says whether the plan is proven optimal."""
    context = ReasonContext(data, starts, hired)
    return {str(p): project_reason(context, str(p), proven) for p in data.projects.index}


def project_reason(context: ReasonContext, project: str, proven: bool) -> Reason:
    data = context.data
    horizon = data.horizon
    row = data.projects.loc[project]
    starts = context.starts
    start = starts.get(project)
    if start is not None:
        finish = data.forecast_finish(project, start)
        when = f"starts {horizon.label(start)}, finishes {horizon.label(finish)}"
        basis = row.get("finish_basis") if data.status_period is not None else None
        if basis == "complete":
            when = f"started {horizon.label(start)}, complete in {horizon.label(finish)}"
        elif basis == "planned duration":
            when = (
                f"started {horizon.label(start)}, finishes {horizon.label(finish)} at its planned duration; "
                "without a baseline row it has no forecast finish"
            )
        elif basis == "no forecast":
            when = (
                f"started {horizon.label(start)}; at its pace no forecast finish is given (docs/status.md): "
                f"what is left is spread to {horizon.label(finish)}"
            )
        elif basis == "forecast":
            when = f"started {horizon.label(start)}, forecast finish {horizon.label(finish)}" + (
                f", after the horizon's end {horizon.label(data.periods - 1)}" if finish >= data.periods else ""
            )
        commitment = row["commitment"]
        if commitment:
            kind = _COMMITMENT_KIND[commitment]
            words = {
                ReasonKind.FORCED_IN: "forced in by the scenario",
                ReasonKind.IN_PROGRESS: "done, as reported" if basis == "complete" else "in progress, fixed start",
            }.get(kind, commitment)
            return Reason(kind, f"Selected: {words} ({when}).")
        if project in context.needed_by:
            return Reason(
                ReasonKind.PREREQUISITE, f"Selected: required by committed {context.needed_by[project]} ({when})."
            )
        return Reason(
            ReasonKind.VALUE,
            f"Selected on {data.objective.value.replace('_', ' ')}: contributes "
            f"{money(coefficient_of(data, project, start))} ({when}).",
        )
    if row["forced_out"]:
        return Reason(ReasonKind.FORCED_OUT, "Not selected: forced out by the scenario.")
    options = context.options.get(project, [])
    closed = _closed_window(data, project)
    if not options and closed is not None:
        return Reason(
            ReasonKind.STATUS_DATE,
            f"Not selected: it could start {horizon.label(closed[0])}.."
            f"{horizon.label(closed[1])} only, which is no later than the status date "
            f"{horizon.label(data.status_period)}; a re-plan starts projects after the status date.",
        )
    if not options:
        return Reason(
            ReasonKind.NO_START, "Not selected: cannot run within the horizon; " + describe_window(row, horizon) + "."
        )
    for group, members in data.exclusions.items():
        winners = [m for m in members if m in starts and m != project]
        if project in members and winners:
            return Reason(
                ReasonKind.EXCLUDED,
                f"Not selected: excluded by group {group!r}, which already has {', '.join(winners)}.",
            )
    blocked = _closed_prerequisite(context, project)
    if blocked is not None:
        window = _closed_window(data, blocked)
        return Reason(
            ReasonKind.STATUS_DATE,
            f"Not selected: no plan can hold it: it needs {blocked}, which could "
            f"start {horizon.label(window[0])}..{horizon.label(window[1])} only, no later than the status "
            f"date {horizon.label(data.status_period)}.",
        )
    never = _never_fits(context, project, options)
    if never is not None:
        return Reason(ReasonKind.DOES_NOT_FIT, f"Not selected: no plan can hold it: {never}.")
    for required in context.requires.get(project, []):
        if required not in starts:
            return Reason(ReasonKind.NEEDS_PREREQUISITE, f"Not selected: needs {required}, which is not selected.")
    ready = max((data.forecast_finish(q, starts[q]) + 1 for q in context.requires.get(project, [])), default=0)
    if ready > options[-1]:
        late = [q for q in context.requires[project] if data.forecast_finish(q, starts[q]) + 1 == ready]
        return Reason(
            ReasonKind.PREREQUISITE_LATE,
            f"Not selected: needs {late[0]}, which finishes "
            f"{horizon.label(ready - 1)}, too late for its latest start {horizon.label(options[-1])}.",
        )
    # beside the plan as it is, at each start its prerequisites allow: what would be short?
    best_start, best_missing = None, None
    for s in options:
        if s < ready:
            continue
        missing = context.usage.shortfalls(project, s)
        if best_missing is None or _size(data, missing) < _size(data, best_missing) - EPS:
            best_start, best_missing = s, missing
            if not missing:
                break
    gain = coefficient_of(data, project, best_start)
    if not proven:
        beside = (
            "it would fit beside the selected projects at " + horizon.label(best_start)
            if not best_missing
            else f"beside the selected projects it would leave {describe_shortfalls(best_missing, horizon)} "
            f"(at its best start {horizon.label(best_start)})"
        )
        return Reason(ReasonKind.UNPROVEN, f"Not selected in this plan, which is not proven optimal: {beside}.")
    if not best_missing:
        if abs(gain) <= EPS:
            return Reason(
                ReasonKind.NO_GAIN,
                f"Not selected: it fits beside the selected projects at "
                f"{horizon.label(best_start)} but adds nothing to the objective "
                f"({data.objective.value.replace('_', ' ')}).",
            )
        return Reason(
            ReasonKind.UNPROVEN,
            f"Not selected, although it fits beside the selected projects at "
            f"{horizon.label(best_start)} and would add {money(gain)}: this contradicts the solver's "
            "proof of optimality (inconsistent solver results), so no claim is made.",
        )
    return Reason(
        ReasonKind.UNPROVEN,
        f"Not selected: beside the selected projects it would leave "
        f"{describe_shortfalls(best_missing, horizon)} (at its best start {horizon.label(best_start)}); "
        "whether making room would pay, or is possible at all, takes a re-solve "
        "(workbench explain prices it).",
    )


def _closed_window(data: PlanningData, project: str) -> tuple[int, int] | None:
    """A re-plan: the first and last start ``project`` had, when all of them are no later than the
    status date (and it has not started); ``None`` otherwise."""
    if "window_closed" not in data.projects:
        return None
    window = data.projects.at[project, "window_closed"]
    return window if isinstance(window, tuple) else None


def _closed_prerequisite(context: ReasonContext, project: str) -> str | None:
    """A prerequisite (directly or through others) whose start window closed by the status date,
    when it is why ``project`` can never start; ``None`` otherwise."""
    if context.earliest.get(project) is not None:
        return None
    for required in context.requires.get(project, []):
        if context.earliest.get(required) is None:
            if _closed_window(context.data, required) is not None:
                return required
            deeper = _closed_prerequisite(context, required)
            if deeper is not None:
                return deeper
    return None


def _never_fits(context: ReasonContext, project: str, options: list[int]) -> str | None:
    """A proof that no plan holds ``project``, from rules that only relax the model: its
    prerequisites' earliest finish, and its own demand and spend beside the commitments whose
    start is fixed, with all allowed hiring free. ``None`` when this does not prove it."""
    data = context.data
    horizon = data.horizon
    earliest = context.earliest.get(project)
    if earliest is None:
        chain = [q for q in context.requires.get(project, []) if context.earliest.get(q) is None]
        if chain:
            return f"it needs {chain[0]}, which can never run in the horizon"
        latest_ready = max(data.forecast_finish(q, context.earliest[q]) + 1 for q in context.requires.get(project, []))
        return (
            f"its prerequisites finish {horizon.label(latest_ready - 1)} at the earliest, after its latest "
            f"start {horizon.label(options[-1])}"
        )
    fixed = context.fixed_usage
    least: list[Shortfall] | None = None  # what is missing at the start where least is missing
    least_start = None
    for s in options:
        if s < earliest:
            continue
        missing = fixed.shortfalls(project, s, check_balance=False, pay_for_hiring=False)
        if not missing:
            return None
        if least is None or _size(data, missing) < _size(data, least):
            least, least_start = missing, s
    alone = "beside the commitments with fixed starts" if fixed.starts else "on its own"
    return (
        f"even {alone}, with all allowed hiring, at its best start {horizon.label(least_start)} it would "
        f"leave {describe_shortfalls(least, horizon)}"
    )


def _size(data: PlanningData, missing: list[Shortfall]) -> float:
    """How much is missing, FTE and money put on one scale (money in units of a mean budget)."""
    known = [b for b in data.budget if b]
    money_unit = max(1.0, sum(known) / len(known)) if known else 1.0
    return sum(m.amount if m.kind is ConflictKind.CAPACITY else m.amount / money_unit for m in missing)


def coefficient_of(data: PlanningData, project: str, start: int | None) -> float:
    """The objective coefficient of starting ``project`` at ``start`` (0 when not an option)."""
    if start is None:
        return 0.0
    return data.coefficient_by_option.get((project, int(start)), 0.0)


def refine_with_forced_solve(
    reason: Reason, base_objective: float, forced: Plan, unbalanced: Plan | None = None, tolerance: float = 0.0
) -> tuple[Reason, str | None]:
    """Upgrade an ``unproven`` reason of a project left out of a proven optimum with the re-solve
    that forces it in (``forced``, a :class:`~workbench.model.formulation.Plan`); ``unbalanced`` is the same
    re-solve without balance rules, when forcing it in was infeasible and balance rules exist.

    Returns the reason and, when the re-solve contradicts the proof, a note saying so.
    """
    if reason.kind is not ReasonKind.UNPROVEN:
        return reason, None
    if forced.status is SolveStatus.INFEASIBLE:
        if unbalanced is not None and unbalanced.objective is not None:
            return Reason(
                ReasonKind.BALANCE,
                "Not selected: forcing it in leaves no plan, only because of the "
                "category balance rules (without them a plan with it exists).",
            ), None
        if unbalanced is None or unbalanced.status is SolveStatus.INFEASIBLE:
            return Reason(
                ReasonKind.DOES_NOT_FIT, "Not selected: no plan can hold it (forcing it in is proven infeasible)."
            ), None
        return reason, None
    if forced.objective is None:
        return reason, None
    if forced.objective > base_objective + tolerance:
        return reason, (
            f"inconsistent solver results: the proven optimum is {money(base_objective)} but a plan "
            f"with this project forced in reaches {money(forced.objective)}"
        )
    if forced.objective >= base_objective - tolerance:
        return Reason(
            ReasonKind.NO_GAIN,
            "Not selected: forcing it in leaves the optimum unchanged "
            f"({money(base_objective)}); another plan as good holds it.",
        ), None
    bound = forced.bound if forced.bound is not None else forced.objective
    if forced.status is SolveStatus.OPTIMAL or bound < base_objective - tolerance:
        return Reason(
            ReasonKind.DISPLACES_MORE,
            "Not selected: forcing it in lowers the optimum to at most "
            f"{money(bound)} (by at least {money(base_objective - bound)}): making room would displace "
            "more than it adds.",
        ), None
    return reason, None
