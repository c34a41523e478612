"""Status against the approved plan: earned value, earned schedule, forecasts and RAG per project
and for the portfolio, exactly as docs/status.md defines them."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from workbench.data.planning_data import Inputs, PlanningData, check_status_date
from workbench.data.scenario import RagSpec
from workbench.ground.errors import InputError
from workbench.ground.periods import label_or_date


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


@dataclass
class StatusReport:
    scenario: str
    as_of: str
    projects: list[ProjectStatus]
    portfolio: dict
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "as_of": self.as_of,
                "projects": [{k: (v.value if isinstance(v, StrEnum) else v) for k, v in asdict(p).items()}
                             for p in self.projects],
                "portfolio": self.portfolio, "warnings": self.warnings}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


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


def cost_profile(data: PlanningData, project: str) -> list[float]:
    """c[0..d-1]: the costs table's profile, or the even spread, as the optimiser uses."""
    profile = [0.0] * int(data.projects.loc[project, "duration"])
    for offset, amount in data.costs_by_project.get(project, []):
        profile[offset] += amount
    return profile


def earned_schedule(cumulative: list[float], ev: float) -> float:
    """ES: C = the largest k with PV[k] <= EV; d when C = d, else C plus the fraction of the next period."""
    duration = len(cumulative) - 1
    c = max(k for k in range(duration + 1) if cumulative[k] <= ev)
    if c == duration:
        return float(duration)
    return c + (ev - cumulative[c]) / (cumulative[c + 1] - cumulative[c])


def status_period(inputs: Inputs, as_of: str | None = None) -> int:
    """The status period index: ``as_of`` (the command line) or the scenario's ``status.as_of``,
    checked as loading checks the scenario's own (in the horizon, no actuals after it)."""
    label = as_of if as_of is not None else inputs.scenario.spec.status.as_of
    if label is None:
        raise InputError([inputs.scenario.problem(("status", "as_of"), "no status date: set status.as_of in the "
                                                   "scenario or pass --as-of")])
    problems = check_status_date(inputs.scenario, inputs.portfolio, str(label))
    if problems:
        raise InputError(problems)
    return inputs.portfolio.horizon.index_of(label_or_date(str(label)))


def project_status(inputs: Inputs, as_of: str | None = None) -> StatusReport:
    """Every project with a baseline row or actuals, as of the status period."""
    portfolio, data = inputs.portfolio, inputs.data
    horizon = portfolio.horizon
    a = status_period(inputs, as_of)
    thresholds = inputs.scenario.spec.status.rag
    baseline = {str(p): int(s) for p, s in zip(portfolio.table("baseline")["project"], portfolio.table("baseline")["start"])}
    actuals = portfolio.table("actuals")
    actuals = actuals[actuals["period"].astype(float) <= a].sort_values("period")
    by_project = {str(p): rows for p, rows in actuals.groupby("project", sort=False)}
    warnings = [f"{portfolio.sources['actuals']}: {p} has actuals but no baseline row; it has no planned value"
                for p in by_project if p not in baseline]
    ids = [p for p in data.projects.index if p in baseline or p in by_project]
    statuses = []
    for project in ids:
        row = data.projects.loc[project]
        d = int(row["duration"])
        profile = cost_profile(data, project)
        cumulative = [0.0]
        for amount in profile:
            cumulative.append(cumulative[-1] + amount)
        bac = cumulative[-1]
        rows = by_project.get(project)
        percent = float(rows["percent_complete"].iloc[-1]) if rows is not None else 0.0
        ac = float(rows["cost"].sum()) if rows is not None else 0.0
        ev = percent / 100.0 * bac
        b = baseline.get(project)
        pv = es = spi_t = forecast = None
        if b is not None:
            elapsed = a - b + 1
            pv = cumulative[min(max(elapsed, 0), d)]
            if percent >= 100.0:  # earned schedule counts to the period it first reached 100
                elapsed = int(rows.loc[rows["percent_complete"] >= 100.0, "period"].iloc[0]) - b + 1
            es = earned_schedule(cumulative, ev)
            spi_t = es / elapsed if elapsed > 0 else None
            finish = b + math.ceil(d / spi_t) - 1 if spi_t else b + d - 1
            forecast = horizon.label(finish)
        pv = pv or 0.0
        cpi = _ratio(ev, ac)
        spi = _ratio(ev, pv)
        eac = bac / cpi if cpi else bac
        state = ProjectState.COMPLETE if percent >= 100.0 else (
            ProjectState.IN_PROGRESS if rows is not None else ProjectState.NOT_STARTED)
        statuses.append(ProjectStatus(
            id=project, name=str(row["name"]), state=state, percent_complete=percent,
            baseline_start=None if b is None else horizon.label(b),
            baseline_finish=None if b is None else horizon.label(b + d - 1),
            bac=bac, pv=pv, ev=ev, ac=ac, sv=ev - pv, cv=ev - ac, spi=spi, cpi=cpi, es=es, spi_t=spi_t,
            eac=eac, etc=eac - ac, vac=bac - eac, tcpi=_ratio(bac - ev, bac - ac), forecast_finish=forecast,
            rag=rag_of(cpi, spi_t if spi_t is not None else spi, thresholds)))
    return StatusReport(inputs.name, horizon.label(a), statuses, portfolio_totals(statuses), warnings)


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
