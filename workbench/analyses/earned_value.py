"""Status against the approved plan: earned value, earned schedule, forecasts and RAG per project
and for the portfolio, exactly as docs/status.md defines them."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction

from workbench.data.planning_data import Inputs, check_status_date
from workbench.data.portfolio import Portfolio
from workbench.data.scenario import RagSpec
from workbench.ground.errors import InputError
from workbench.ground.periods import label_or_date
from workbench.ground.formatting import finite_json


class ProjectState(StrEnum):
    COMPLETE = "complete"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


@dataclass
class ProjectStatus:
    """One project's status; ``None`` where a figure is undefined."""

    id: str
    name: str
    state: ProjectState
    percent_complete: float
    baseline_start: str | None
    baseline_finish: str | None
    bac: float
    pv: float
    ev: float
    ac: float
    sv: float
    cv: float
    spi: float | None
    cpi: float | None
    es: float | None
    spi_t: float | None
    eac: float
    etc: float
    vac: float
    tcpi: float | None
    forecast_finish: str | None
    rag: Rag
    forecast_finish_index: int | None = field(default=None, repr=False)  # the period index of forecast_finish


@dataclass
class StatusReport:
    scenario: str
    as_of: str
    projects: list[ProjectStatus]
    portfolio: dict
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "as_of": self.as_of,
            "projects": [
                {
                    k: (v.value if isinstance(v, StrEnum) else v)
                    for k, v in asdict(p).items()
                    if k != "forecast_finish_index"
                }
                for p in self.projects
            ],
            "portfolio": self.portfolio,
            "warnings": self.warnings,
        }

    def to_json(self) -> str:
        return finite_json(self.to_dict())


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def rag_of(cpi: float | None, schedule_index: float | None, thresholds: RagSpec) -> Rag:
    """The lower of the indices that exist, against the thresholds."""
    indices = [i for i in (cpi, schedule_index) if i is not None]
    if not indices:
        return Rag.NONE
    worst = min(indices)
    if worst >= thresholds.green_at:
        return Rag.GREEN
    if worst >= thresholds.red_below:
        return Rag.AMBER
    return Rag.RED


def exact(number: float) -> Fraction:
    """A figure as the decimal it was written as (a float's shortest repr), exactly."""
    return Fraction(repr(float(number)))


def exact_cost_profiles(portfolio: Portfolio, projects: list[str]) -> dict[str, list[Fraction]]:
    """c[0..d-1] of each of ``projects`` in exact arithmetic: the costs table's amounts as written,
    or cost / d each; each table read once."""
    table = portfolio.projects
    rows = {str(p): (int(d), c) for p, d, c in zip(table["id"], table["duration"], table["cost"])}
    costs = portfolio.table("costs")
    written: dict[str, list[tuple[int, float]]] = {}
    for project, offset, amount in zip(costs["project"], costs["offset"], costs["amount"]):
        written.setdefault(str(project), []).append((int(offset), amount))
    profiles = {}
    for project in projects:
        duration, cost = rows[project]
        if project in written:
            profile = [Fraction(0)] * duration
            for offset, amount in written[project]:
                profile[offset] += exact(amount)
            profiles[project] = profile
        else:
            profiles[project] = [exact(cost) / duration] * duration
    return profiles


def earned_schedule(cumulative: list, ev):
    """ES: C = the largest k with PV[k] <= EV; d when C = d, else C plus the fraction of the next
    period. Exact when the figures are :class:`~fractions.Fraction`."""
    duration = len(cumulative) - 1
    c = max(k for k in range(duration + 1) if cumulative[k] <= ev)
    if c == duration:
        return duration
    return c + (ev - cumulative[c]) / (cumulative[c + 1] - cumulative[c])


#: a forecast further than this many periods past the status date is not given (SPI(t) near 0)
FORECAST_REACH = 1200


def forecast_finish(
    state: ProjectState,
    status_date: int,
    duration: int,
    baseline_start: int | None,
    elapsed: int | None,
    es: Fraction | None,
    completed_in: int | None,
) -> int | None:
    """The forecast finish period (docs/status.md), in exact arithmetic.

    complete: the period it first reached 100 %; not started by the status date: the baseline
    finish, but no earlier than the status date plus the duration; in progress: b + ceil(d / SPI(t))
    - 1 with SPI(t) = ES / AT, but no earlier than the period after the status date (with no
    earned schedule yet: the status date plus the duration). ``None`` without a baseline row
    (unless complete) or beyond :data:`FORECAST_REACH` periods."""
    if state is ProjectState.COMPLETE:
        return completed_in
    if baseline_start is None:
        return None
    if state is ProjectState.NOT_STARTED:
        finish = max(baseline_start + duration - 1, status_date + duration)
    elif not es:  # started, nothing earned yet: all of it is still to do
        finish = max(baseline_start + duration - 1, status_date + duration)
    elif elapsed is not None and elapsed > 0:
        # ceil(d / (ES / AT)) = ceil(d * AT / ES): no float in the way of the ceiling
        finish = max(baseline_start + math.ceil(Fraction(duration) * elapsed / es) - 1, status_date + 1)
    else:  # started before its baseline start, with progress: SPI(t) is undefined
        finish = max(baseline_start + duration - 1, status_date + 1)
    return None if finish - status_date > FORECAST_REACH else finish


def status_period(inputs: Inputs, as_of: str | None = None) -> int:
    """The status period index: ``as_of`` (the command line) or the scenario's ``status.as_of``,
    checked as loading checks the scenario's own (in the horizon, no actuals after it)."""
    label = as_of if as_of is not None else inputs.scenario.spec.status.as_of
    if label is None:
        raise InputError(
            [
                inputs.scenario.problem(
                    ("status", "as_of"), "no status date: set status.as_of in the scenario or pass --as-of"
                )
            ]
        )
    problems = check_status_date(
        inputs.scenario, inputs.portfolio, str(label), argument="--as-of" if as_of is not None else None
    )
    if problems:
        raise InputError(problems)
    return inputs.portfolio.horizon.index_of(label_or_date(str(label)))


def project_status(inputs: Inputs, as_of: str | None = None) -> StatusReport:
    """Every project with a baseline row or actuals, as of the status period.

    Computed from the portfolio as loaded (its projects, costs, baseline and actuals tables), so a
    re-planned ``inputs`` (:func:`workbench.analyses.replan.replanned`) gives the same figures."""
    portfolio = inputs.portfolio
    horizon = portfolio.horizon
    a = status_period(inputs, as_of)
    thresholds = inputs.scenario.spec.status.rag
    baseline = {
        str(p): int(s) for p, s in zip(portfolio.table("baseline")["project"], portfolio.table("baseline")["start"])
    }
    actuals = portfolio.table("actuals")
    actuals = actuals[actuals["period"].astype(float) <= a].sort_values("period")
    by_project = {str(p): rows for p, rows in actuals.groupby("project", sort=False)}
    warnings = [
        f"{portfolio.sources['actuals']}: {p} has actuals but no baseline row; it has no planned value"
        for p in by_project
        if p not in baseline
    ]
    table = portfolio.projects
    names = {str(p): str(n) for p, n in zip(table["id"], table["name"])}
    ids = [p for p in names if p in baseline or p in by_project]
    profiles = exact_cost_profiles(portfolio, ids)
    statuses = []
    for project in ids:
        d = len(profiles[project])
        cumulative = [Fraction(0)]
        for amount in profiles[project]:
            cumulative.append(cumulative[-1] + amount)
        bac = cumulative[-1]
        rows = by_project.get(project)
        percent = exact(rows["percent_complete"].iloc[-1]) if rows is not None else Fraction(0)
        ac = sum((exact(c) for c in rows["cost"]), Fraction(0)) if rows is not None else Fraction(0)
        ev = percent / 100 * bac
        state = (
            ProjectState.COMPLETE
            if percent >= 100
            # rows of no cost and no progress report that nothing has started (as the re-plan reads them)
            else (ProjectState.IN_PROGRESS if ac > 0 or percent > 0 else ProjectState.NOT_STARTED)
        )
        completed_in = None
        if state is ProjectState.COMPLETE:
            completed_in = int(rows.loc[rows["percent_complete"] >= 100.0, "period"].iloc[0])
        b = baseline.get(project)
        pv = Fraction(0)
        es = spi_t = elapsed = None
        if b is not None:
            elapsed = a - b + 1
            pv = cumulative[min(max(elapsed, 0), d)]
            if completed_in is not None:  # earned schedule counts to the period it first reached 100
                elapsed = completed_in - b + 1
            es = earned_schedule(cumulative, ev)
            spi_t = Fraction(es) / elapsed if elapsed > 0 else None
        finish = forecast_finish(state, a, d, b, elapsed, None if es is None else Fraction(es), completed_in)
        if finish is None and b is not None:
            warnings.append(
                f"{project}: at SPI(t) {float(spi_t or 0):.3g} it would finish more than "
                f"{FORECAST_REACH} periods after the status date; no forecast finish is given"
            )
        cpi = None if ac == 0 else ev / ac
        spi = None if pv == 0 else ev / pv
        eac = bac / cpi if cpi else bac
        statuses.append(
            ProjectStatus(
                id=project,
                name=names[project],
                state=state,
                percent_complete=float(percent),
                baseline_start=None if b is None else horizon.label(b),
                baseline_finish=None if b is None else horizon.label(b + d - 1),
                bac=float(bac),
                pv=float(pv),
                ev=float(ev),
                ac=float(ac),
                sv=float(ev - pv),
                cv=float(ev - ac),
                spi=_float(spi),
                cpi=_float(cpi),
                es=_float(es),
                spi_t=_float(spi_t),
                eac=float(eac),
                etc=float(eac - ac),
                vac=float(bac - eac),
                tcpi=None if bac == ac else float((bac - ev) / (bac - ac)),
                forecast_finish=None if finish is None else horizon.label(finish),
                rag=rag_of(_float(cpi), _float(spi_t if spi_t is not None else spi), thresholds),
                forecast_finish_index=finish,
            )
        )
    return StatusReport(inputs.name, horizon.label(a), statuses, portfolio_totals(statuses), warnings)


def _float(number) -> float | None:
    return None if number is None else float(number)


def status_curves(inputs: Inputs, report: StatusReport) -> list[dict]:
    """Per project of ``report`` and per period of the horizon: cumulative PV (the baseline's
    planned cost profile), and EV and AC up to the status date (``None`` after it), as the
    definitions above compute them; the S-curves the status report draws."""
    portfolio = inputs.portfolio
    periods, a = portfolio.horizon.periods, portfolio.horizon.index_of(report.as_of)
    baseline = dict(zip(portfolio.table("baseline")["project"], portfolio.table("baseline")["start"]))
    actuals = portfolio.table("actuals")
    profiles = exact_cost_profiles(portfolio, [status.id for status in report.projects])
    rows = []
    for status in report.projects:
        profile = [float(c) for c in profiles[status.id]]
        start = baseline.get(status.id)
        mine = actuals[actuals["project"] == status.id].sort_values("period")
        pv = ev = ac = 0.0
        for t in range(periods):
            if start is not None and 0 <= t - int(start) < len(profile):
                pv += profile[t - int(start)]
            done = mine[mine["period"].astype(float) == t]
            if t <= a and len(done):
                ev = float(done["percent_complete"].iloc[-1]) / 100 * status.bac
                ac += float(done["cost"].sum())
            rows.append(
                {
                    "project": status.id,
                    "period": t,
                    "PV": pv,
                    "EV": ev if t <= a else None,
                    "AC": ac if t <= a else None,
                }
            )
    return rows


def portfolio_totals(statuses: list[ProjectStatus]) -> dict:
    totals = {key: sum(getattr(p, key) for p in statuses) for key in ("bac", "pv", "ev", "ac", "eac")}
    totals["cpi"] = _ratio(totals["ev"], totals["ac"])
    totals["spi"] = _ratio(totals["ev"], totals["pv"])
    totals["rag"] = {rag.value: sum(p.rag is rag for p in statuses) for rag in Rag}
    totals["projects"] = len(statuses)
    return totals


def worst_first(report: StatusReport) -> list[dict]:
    """The per-project records, red first, then amber, green and none."""
    order = {Rag.RED.value: 0, Rag.AMBER.value: 1, Rag.GREEN.value: 2, Rag.NONE.value: 3}
    return sorted(report.to_dict()["projects"], key=lambda p: (order[p["rag"]], p["id"]))
