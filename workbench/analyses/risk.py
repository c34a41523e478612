"""Monte Carlo of a plan: sampled cost, value and duration per project, open risk events, and
what they do to the budget, capacity and finishes (docs/risk.md). Vectorised over samples."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from workbench.ground.cells import is_given
from workbench.data.confidence import (
    figure_quantiles,
    stretched_offsets,
    stretched_shares,
    success_probability,
    uncertainty_by_project,
    whole_periods,
)
from workbench.analyses.replan import replanned
from workbench.data.planning_data import Inputs, PlanningData, build_planning_data
from workbench.ground.errors import InputError, Problem
from workbench.ground.limits import MAX_RISK_CELLS
from workbench.planning.result import Result
from workbench.ground.formatting import finite_json

QUANTILES = {"p10": 0.10, "p50": 0.50, "p80": 0.80, "p90": 0.90}


@dataclass
class RiskReport:
    samples: int
    seed: int
    cost: dict
    value: dict
    budget_overrun_probability: dict
    capacity_overload_probability: list[dict]
    finish: list[dict]
    drivers: list[dict]
    warnings: list[str] = field(default_factory=list)
    budget_total: float | None = None  # the limit budget_overrun_probability["total"] is against
    any_period_overrun: float | None = None  # P(spend over budget in at least one budgeted period)
    overrun_by_year: dict = field(default_factory=dict)  # year -> P(spend over that year's budget)
    curves: dict = field(default_factory=dict)  # level, cost, value: the S-curves at 1%, 2%, ..., 99%
    core_index: list[dict] | None = None  # with re-solved futures (workbench.analyses.futures)
    regret: dict | None = None
    hiring_cost: float = 0.0  # the plan's hiring, in every sample's cost
    actual_cost: float = 0.0  # a status-dated plan: the actual cost to date (every project), in every sample
    as_of: str | None = None  # a status-dated plan: its status date

    def to_json(self) -> str:
        return finite_json(self.__dict__)


def _summary(values: np.ndarray) -> dict:
    return {"mean": float(values.mean()), **{k: float(np.quantile(values, q)) for k, q in QUANTILES.items()}}


@dataclass
class Draws:
    """One project's sampled figures, one entry per sample: total cost (risk events included),
    value (0 where the project fails), duration in whole periods, and slip from risk events."""

    cost: np.ndarray
    value: np.ndarray
    duration: np.ndarray
    delay: np.ndarray
    impact: np.ndarray  # the part of ``cost`` that risk events add


def open_risks(inputs: Inputs) -> dict[str, list[dict]]:
    """Open risks of the register, by project."""
    by_project: dict[str, list[dict]] = {}
    for risk in inputs.portfolio.table("risks").to_dict("records"):
        if str(risk.get("status") or "open").lower() == "open" and risk.get("project"):
            by_project.setdefault(str(risk["project"]), []).append(risk)
    return by_project


def draw_projects(inputs: Inputs, project_ids: list[str], samples: int, seed: int) -> dict[str, Draws]:
    """Sample ``project_ids`` (in this order, which the numbers follow from) ``samples`` times from
    ``seed``: cost through a one-factor Gaussian copula with the scenario's correlation, value,
    duration, success and the project's open risk events (docs/risk.md)."""
    portfolio = estimates(inputs)
    rows = uncertainty_by_project(portfolio)
    risks = open_risks(inputs)
    rho = inputs.scenario.spec.risk.correlation
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(samples)
    draws = {}
    for project in project_ids:
        planned, own = portfolio.projects.loc[project], rows.get(project, {})
        z = math.sqrt(rho) * common + math.sqrt(1 - rho) * rng.standard_normal(samples)
        cost = figure_quantiles(own, "cost", float(planned["cost"]), special.ndtr(z))
        value = figure_quantiles(own, "value", float(planned["value"]), rng.random(samples))
        duration = whole_periods(figure_quantiles(own, "duration", float(planned["duration"]), rng.random(samples)))
        value = value * (rng.random(samples) < success_probability(own))
        delay = np.zeros(samples, dtype=int)
        impacts = np.zeros(samples)
        for risk in risks.get(project, []):
            hit = rng.random(samples) < float(risk["probability"])
            impact, lag = risk.get("cost_impact"), risk.get("delay")
            cost = cost + hit * (float(impact) if is_given(impact) else 0.0)
            impacts = impacts + hit * (float(impact) if is_given(impact) else 0.0)
            delay = delay + hit * (int(lag) if is_given(lag) else 0)
        draws[project] = Draws(cost, value, duration, delay, impacts)
    return draws


def _started_run(data: PlanningData, project: str) -> tuple[float, float, int] | None:
    """A re-plan's project started by the status date: (actual cost to date, ETC, periods from the
    status date to its forecast finish, 0 when complete); ``None`` for any other project."""
    if "forecast_finish" not in data.projects:
        return None
    finish = data.projects.at[project, "forecast_finish"]
    if finish is None or finish != finish:
        return None
    actual = float(data.projects.at[project, "actual_cost"])
    etc = data.forecast_cost(project) - actual
    left = max(int(finish) - data.status_period, 0)
    return actual, etc, left


def _lay_out(
    spend: np.ndarray,
    load: np.ndarray,
    role_index: dict[str, int],
    cost: np.ndarray,
    duration: np.ndarray,
    delay: np.ndarray,
    origin: int,
    profile: np.ndarray,
    demand: dict[str, np.ndarray],
    periods: int,
) -> None:
    """Add one project's sampled spend and load from period ``origin``: its ``profile`` and
    ``demand`` stretched to each sample's duration and shifted by its delay (the last column
    of ``spend`` and ``load`` holds what falls after the horizon)."""
    samples = len(cost)
    planned = len(profile)
    # samples fall in a few classes of (duration, delay): each class's spend shares and FTE per
    # period are laid out once, and every sample takes its class's row by one matrix product
    keys, inverse = np.unique(duration * 1_000_000 + delay, return_inverse=True)
    lengths, shifts = np.divmod(keys, 1_000_000)
    low = min(origin + int(shifts.min()), periods)
    high = min(origin + int((shifts + lengths).max()), periods) + 1  # the last column: after the horizon
    shares = np.zeros((len(keys), high - low))
    fte_rows = {role: np.zeros((len(keys), high - low)) for role in demand}
    for k, (length, shift) in enumerate(zip(lengths.tolist(), shifts.tolist())):
        columns = np.minimum(origin + shift + np.arange(length), periods) - low
        np.add.at(shares[k], columns, stretched_shares(profile, length))
        original = stretched_offsets(planned, length)
        for role, fte in demand.items():
            np.add.at(fte_rows[role][k], columns, fte[original])
    classes = np.zeros((samples, len(keys)))
    classes[np.arange(samples), inverse] = 1.0
    spend[:, low:high] += (classes * cost[:, None]) @ shares
    for role, rows in fte_rows.items():
        load[:, role_index[role], low:high] += classes @ rows


def has_risk_data(inputs: Inputs) -> bool:
    """Whether the portfolio has an uncertainty table or a risk register to simulate."""
    portfolio = estimates(inputs)
    return bool(len(portfolio.table("uncertainty")) or len(portfolio.table("risks")))


def estimates(inputs: Inputs):
    """The portfolio as estimated: the one a confidence-level plan's figures were taken from."""
    return inputs.estimates if inputs.estimates is not None else inputs.portfolio


def simulate(inputs: Inputs, result: Result, samples: int | None = None, seed: int | None = None) -> RiskReport:
    """Sample the plan of ``result``: each selected project's cost, value and duration from its
    uncertainty row (the planned figure when none), its success, and the open risk events on it.
    A plan made at a confidence level (``risk.plan_at``) is sampled around the estimates."""
    inputs = replanned(inputs)  # a status-dated plan is sampled from its status date
    spec = inputs.scenario.spec.risk
    samples = spec.samples if samples is None else samples
    seed = spec.seed if seed is None else seed
    data: PlanningData = inputs.data
    if inputs.estimates is not None:
        as_estimated = Inputs(inputs.scenario, inputs.estimates, build_planning_data(inputs.scenario, inputs.estimates))
        if data.status_period is not None:
            as_estimated = replanned(as_estimated, data.horizon.label(data.status_period))
        data = as_estimated.data.with_changes(budget=inputs.data.budget, capacity=inputs.data.capacity)
    horizon, periods = data.horizon, data.periods
    cells = samples * (len(data.roles) + 1) * (periods + 1)
    if cells > MAX_RISK_CELLS:
        most = MAX_RISK_CELLS // ((len(data.roles) + 1) * (periods + 1))
        raise InputError(
            [
                Problem(
                    "--samples (or risk.samples)",
                    f"{samples:,} samples of {len(data.roles)} roles over "
                    f"{periods} periods would hold {cells:,} numbers at once; at most {most:,} samples "
                    "here (docs/risk.md)",
                )
            ]
        )
    selected = [p for p in result.selected]
    draws = draw_projects(inputs, [p.id for p in selected], samples, seed)
    spend = np.zeros((samples, periods + 1))  # the last column holds what falls after the horizon
    total_cost = np.zeros(samples)
    total_value = np.zeros(samples)
    roles = data.roles
    role_index = {r: i for i, r in enumerate(roles)}
    load = np.zeros((samples, len(roles), periods + 1))
    finishes, costs_by_project = [], {}
    status_date = data.status_period
    selected_actual = 0.0  # a re-plan: the actual cost of the selected projects that have started
    planned_figures = estimates(inputs).projects.set_index("id")
    for p in selected:
        start = int(p.start_index)
        sampled = draws[p.id]
        run = _started_run(data, p.id) if status_date is not None else None
        if run is None:
            d = int(data.projects.loc[p.id, "duration"])
            laid_out, duration, delay, origin = sampled.cost, sampled.duration, sampled.delay, start
            profile = np.zeros(d)
            for offset, amount in data.costs_by_project.get(p.id, []):
                profile[offset] += amount
            demand = {}
            for role, offset, fte in data.demand_by_project.get(p.id, []):
                demand.setdefault(role, np.zeros(d))[offset] += fte
            cost = laid_out
        else:
            # started by the status date: its actual cost is spent; what is left (ETC over the
            # periods to its forecast finish) varies as its whole estimate does, from the status date
            actual, etc, left = run
            selected_actual += actual
            planned = planned_figures.loc[p.id]
            origin = status_date + 1
            if left == 0:  # complete: nothing left to vary, nothing laid out
                laid_out, duration, delay = np.zeros(samples), np.ones(samples, dtype=int), np.zeros(samples, dtype=int)
                origin = data.forecast_finish(p.id, start)  # its finish is where it completed
                profile, demand = np.zeros(1), {}
            else:
                cost_factor = (sampled.cost - sampled.impact) / max(float(planned["cost"]), 1e-12)
                laid_out = etc * cost_factor + sampled.impact
                duration = whole_periods(left * sampled.duration / max(float(planned["duration"]), 1.0))
                delay = sampled.delay
                profile = np.full(left, etc / left if etc > 0 else 0.0)
                demand = {}
                for role, offset, fte in data.demand_by_project.get(p.id, []):
                    if offset == origin - start:  # the rest runs at the FTE per period the re-plan gives it
                        demand.setdefault(role, np.zeros(left))[:] += fte
            cost = actual + laid_out  # the total counts the actual cost too
        if run is None or run[2] > 0:  # a complete project has nothing left to lay out
            _lay_out(spend, load, role_index, laid_out, duration, delay, origin, profile, demand, periods)
        total_cost += cost
        total_value += sampled.value
        costs_by_project[p.id] = cost
        finish = origin + duration - 1 + delay
        finishes.append(
            {
                "id": p.id,
                "p50": horizon.label(int(np.quantile(finish, 0.5, method="lower"))),
                "p80": horizon.label(int(np.quantile(finish, 0.8, method="higher"))),
            }
        )
    # hiring the plan buys is paid whatever happens: a fixed cost in its periods
    hiring_cost = 0.0
    for row in result.capacity:
        if row.hired > 0:
            t = horizon.index_of(row.period)
            amount = row.hired * data.hiring.get(row.role, (0.0, 0.0))[0]
            spend[:, t] += amount
            hiring_cost += amount
    total_cost += hiring_cost
    # a re-plan: what stopped projects (forced out after they started) spent is spent too
    total_cost += (data.actual_cost or 0.0) - selected_actual
    budget = data.budget
    overrun = {
        horizon.label(t): float((spend[:, t] > budget[t] + 1e-9).mean())
        for t in range(periods)
        if budget[t] is not None
    }
    # against the total budget only where the scenario has one, and as the plan is held to it: the
    # spending over the horizon (what falls after it is no budget's; a re-plan's history is not in
    # the spend and what is left of the total is its limit); no sum of period budgets passes for one
    limit = data.budget_total
    within_horizon = spend[:, :periods].sum(axis=1)
    overrun["total"] = None if limit is None else float((within_horizon > limit + 1e-9 * max(1.0, limit)).mean())
    budgeted = [t for t in range(periods) if budget[t] is not None]
    over = np.array([budget[t] for t in budgeted]) + 1e-9
    any_period = float((spend[:, budgeted] > over).any(axis=1).mean()) if budgeted else None
    capacity = data.capacity_by_role_period
    hired = {(r.role, horizon.index_of(r.period)): r.hired for r in result.capacity}
    overload = []
    for role in roles:
        for t in range(periods):
            available = capacity.get((role, t), 0.0) + hired.get((role, t), 0.0)
            share = float((load[:, role_index[role], t] > available + 1e-9).mean())
            if share > 0:
                overload.append({"role": role, "period": horizon.label(t), "probability": share})
    variance = total_cost.var()
    if variance <= 1e-18 * max(1.0, float(total_cost.mean()) ** 2):  # the same cost in every sample, up to rounding
        variance = 0.0
    drivers = (
        []
        if variance == 0
        else sorted(
            (
                {
                    "id": pid,
                    "share_of_variance": float(np.cov(c, total_cost, bias=True)[0, 1] / variance)
                    if variance > 0
                    else 0.0,
                }
                for pid, c in costs_by_project.items()
            ),
            key=lambda item: -abs(item["share_of_variance"]),
        )[:10]
    )
    warnings = (
        []
        if (spend[:, periods] == 0).all()
        else ["some sampled projects run past the horizon; their spend there is not counted against any budget"]
    )
    by_year = {}
    for year in dict.fromkeys(horizon.label(t)[:4] for t in range(periods)):
        columns = [t for t in range(periods) if horizon.label(t)[:4] == year]
        if all(budget[t] is not None for t in columns):
            by_year[year] = float((spend[:, columns].sum(axis=1) > sum(budget[t] for t in columns) + 1e-9).mean())
    levels = np.arange(1, 100) / 100
    curves = {
        "level": levels.tolist(),
        "cost": np.quantile(total_cost, levels).tolist(),
        "value": np.quantile(total_value, levels).tolist(),
    }
    return RiskReport(
        samples,
        seed,
        _summary(total_cost),
        _summary(total_value),
        overrun,
        overload,
        finishes,
        drivers,
        warnings,
        limit,
        any_period,
        by_year,
        curves,
        hiring_cost=hiring_cost,
        actual_cost=data.actual_cost or 0.0,
        as_of=None if status_date is None else horizon.label(status_date),
    )
