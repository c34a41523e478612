"""Monte Carlo of a plan: sampled cost, value and duration per project, open risk events, and
what they do to the budget, capacity and finishes (docs/risk.md). Vectorised over samples."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from workbench.data.confidence import figure_quantiles, stretched_offsets, stretched_shares, success_probability, \
    uncertainty_by_project, whole_periods
from workbench.data.planning_data import Inputs, PlanningData, build_planning_data
from workbench.data.uncertainty import given
from workbench.planning.result import Result

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

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False)


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
        for risk in risks.get(project, []):
            hit = rng.random(samples) < float(risk["probability"])
            impact, lag = risk.get("cost_impact"), risk.get("delay")
            cost = cost + hit * (float(impact) if given(impact) else 0.0)
            delay = delay + hit * (int(lag) if given(lag) else 0)
        draws[project] = Draws(cost, value, duration, delay)
    return draws


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
    spec = inputs.scenario.spec.risk
    samples = samples or spec.samples
    seed = spec.seed if seed is None else seed
    data: PlanningData = inputs.data if inputs.estimates is None else \
        build_planning_data(inputs.scenario, inputs.estimates).with_changes(budget=inputs.data.budget,
                                                                             capacity=inputs.data.capacity)
    horizon, periods = data.horizon, data.periods
    selected = [p for p in result.selected]
    draws = draw_projects(inputs, [p.id for p in selected], samples, seed)
    spend = np.zeros((samples, periods + 1))  # the last column holds what falls after the horizon
    total_cost = np.zeros(samples)
    total_value = np.zeros(samples)
    roles = data.roles
    role_index = {r: i for i, r in enumerate(roles)}
    load = np.zeros((samples, len(roles), periods + 1))
    finishes, costs_by_project = [], {}
    for p in selected:
        d, start = int(data.projects.loc[p.id, "duration"]), int(p.start_index)
        sampled = draws[p.id]
        cost, value, duration, delay = sampled.cost, sampled.value, sampled.duration, sampled.delay
        profile = np.zeros(d)
        for offset, amount in data.costs_by_project.get(p.id, []):
            profile[offset] += amount
        demand = {}
        for role, offset, fte in data.demand_by_project.get(p.id, []):
            demand.setdefault(role, np.zeros(d))[offset] += fte
        # samples fall in a few classes of (duration, delay): each class's spend shares and FTE per
        # period are laid out once, and every sample takes its class's row by one matrix product
        keys, inverse = np.unique(duration * 1_000_000 + delay, return_inverse=True)
        lengths, shifts = np.divmod(keys, 1_000_000)
        low = start + int(shifts.min())
        high = min(start + int((shifts + lengths).max()), periods) + 1  # the last column: after the horizon
        shares = np.zeros((len(keys), high - low))
        fte_rows = {role: np.zeros((len(keys), high - low)) for role in demand}
        for k, (length, shift) in enumerate(zip(lengths.tolist(), shifts.tolist())):
            columns = np.minimum(start + shift + np.arange(length), periods) - low
            np.add.at(shares[k], columns, stretched_shares(profile, length))
            original = stretched_offsets(d, length)
            for role, fte in demand.items():
                np.add.at(fte_rows[role][k], columns, fte[original])
        classes = np.zeros((samples, len(keys)))
        classes[np.arange(samples), inverse] = 1.0
        spend[:, low:high] += (classes * cost[:, None]) @ shares
        for role, rows in fte_rows.items():
            load[:, role_index[role], low:high] += classes @ rows
        total_cost += cost
        total_value += value
        costs_by_project[p.id] = cost
        finish = start + duration - 1 + delay
        finishes.append({"id": p.id, "p50": horizon.label(int(np.quantile(finish, 0.5, method="lower"))),
                         "p80": horizon.label(int(np.quantile(finish, 0.8, method="higher")))})
    budget = data.budget
    overrun = {horizon.label(t): float((spend[:, t] > budget[t] + 1e-9).mean())
               for t in range(periods) if budget[t] is not None}
    limit = data.budget_total if data.budget_total is not None else (
        sum(budget) if budget and all(b is not None for b in budget) else None)
    overrun["total"] = None if limit is None else float((total_cost > limit + 1e-9).mean())
    budgeted = [t for t in range(periods) if budget[t] is not None]
    over = np.array([budget[t] for t in budgeted]) + 1e-9
    any_period = float((spend[:, budgeted] > over).any(axis=1).mean()) if budgeted else None
    capacity = data.capacity_by_role_period
    hired = {(r["role"], horizon.index_of(r["period"])): r["hired"] for r in result.capacity}
    overload = []
    for role in roles:
        for t in range(periods):
            available = capacity.get((role, t), 0.0) + hired.get((role, t), 0.0)
            share = float((load[:, role_index[role], t] > available + 1e-9).mean())
            if share > 0:
                overload.append({"role": role, "period": horizon.label(t), "probability": share})
    variance = total_cost.var()
    drivers = sorted(({"id": pid, "share_of_variance": float(np.cov(c, total_cost, bias=True)[0, 1] / variance)
                       if variance > 0 else 0.0} for pid, c in costs_by_project.items()),
                     key=lambda item: -abs(item["share_of_variance"]))[:10]
    warnings = [] if (spend[:, periods] == 0).all() else [
        "some sampled projects run past the horizon; their spend there is not counted against any budget"]
    by_year = {}
    for year in dict.fromkeys(horizon.label(t)[:4] for t in range(periods)):
        columns = [t for t in range(periods) if horizon.label(t)[:4] == year]
        if all(budget[t] is not None for t in columns):
            by_year[year] = float((spend[:, columns].sum(axis=1) > sum(budget[t] for t in columns) + 1e-9).mean())
    levels = np.arange(1, 100) / 100
    curves = {"level": levels.tolist(), "cost": np.quantile(total_cost, levels).tolist(),
              "value": np.quantile(total_value, levels).tolist()}
    return RiskReport(samples, seed, _summary(total_cost), _summary(total_value), overrun, overload, finishes,
                      drivers, warnings, limit, any_period, by_year, curves)
