"""Monte Carlo of a plan: sampled cost, value and duration per project, open risk events, and
what they do to the budget, capacity and finishes (docs/risk.md). Vectorised over samples."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from workbench.data.planning_data import Inputs, PlanningData
from workbench.planning.result import Result

QUANTILES = {"p10": 0.10, "p50": 0.50, "p80": 0.80, "p90": 0.90}


def inverse_cdf(u: np.ndarray, low: float, mode: float, high: float, distribution: str) -> np.ndarray:
    """The distribution's quantiles at ``u``: triangular(low, mode, high), or PERT (a beta on
    [low, high] with shape 1 + 4 (mode - low) / (high - low) and 1 + 4 (high - mode) / (high - low))."""
    if high <= low:
        return np.full(np.shape(u), mode, dtype=float)
    width = high - low
    if distribution == "pert":
        alpha = 1 + 4 * (mode - low) / width
        beta = 1 + 4 * (high - mode) / width
        return low + width * special.betaincinv(alpha, beta, u)
    split = (mode - low) / width  # the triangle's inverse CDF, on either side of the mode
    return np.where(u < split, low + np.sqrt(u * width * (mode - low)),
                    high - np.sqrt((1 - u) * width * (high - mode)))


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

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, ensure_ascii=False)


def _summary(values: np.ndarray) -> dict:
    return {"mean": float(values.mean()), **{k: float(np.quantile(values, q)) for k, q in QUANTILES.items()}}


def simulate(inputs: Inputs, result: Result, samples: int | None = None, seed: int | None = None) -> RiskReport:
    """Sample the plan of ``result``: each selected project's cost, value and duration from its
    uncertainty row (the planned figure when none), its success, and the open risk events on it."""
    spec = inputs.scenario.spec.risk
    samples = samples or spec.samples
    seed = spec.seed if seed is None else seed
    data: PlanningData = inputs.data
    horizon, periods = data.horizon, data.periods
    uncertainty = {str(r["project"]): r for r in inputs.portfolio.table("uncertainty").to_dict("records")}
    risks = [r for r in inputs.portfolio.table("risks").to_dict("records")
             if str(r.get("status") or "open").lower() == "open"]
    rng = np.random.default_rng(seed)
    selected = [p for p in result.selected]
    # cost factors: a Gaussian copula with one common factor gives every pair the correlation rho
    rho = spec.correlation
    common = rng.standard_normal(samples)
    spend = np.zeros((samples, periods + 1))  # the last column holds what falls after the horizon
    total_cost = np.zeros(samples)
    total_value = np.zeros(samples)
    roles = data.roles
    role_index = {r: i for i, r in enumerate(roles)}
    load = np.zeros((samples, len(roles), periods + 1))
    finishes, costs_by_project = [], {}
    for p in selected:
        row = data.projects.loc[p.id]
        d, start = int(row["duration"]), int(p.start_index)
        own = uncertainty.get(p.id, {})
        shape = str(own.get("distribution") or "triangular").lower()

        def draw(planned: float, u: np.ndarray, low_key: str, high_key: str) -> np.ndarray:
            low, high = own.get(low_key), own.get(high_key)
            low = planned if low is None or (isinstance(low, float) and math.isnan(low)) else float(low)
            high = planned if high is None or (isinstance(high, float) and math.isnan(high)) else float(high)
            return inverse_cdf(u, low, planned, high, shape)

        z = math.sqrt(rho) * common + math.sqrt(1 - rho) * rng.standard_normal(samples)
        cost = draw(float(row["cost"]), special.ndtr(z), "cost_low", "cost_high")
        value = draw(float(row["value"]), rng.random(samples), "value_low", "value_high")
        duration = np.maximum(1, np.rint(draw(float(d), rng.random(samples), "duration_low",
                                              "duration_high"))).astype(int)
        success = own.get("success_probability")
        success = 1.0 if success is None or (isinstance(success, float) and math.isnan(success)) else float(success)
        value = value * (rng.random(samples) < success)
        delay = np.zeros(samples, dtype=int)
        for risk in risks:
            if str(risk.get("project") or "") != p.id:
                continue
            hit = rng.random(samples) < float(risk["probability"])
            impact = risk.get("cost_impact")
            cost = cost + hit * (0.0 if impact is None or impact != impact else float(impact))
            lag = risk.get("delay")
            delay = delay + hit * (0 if lag is None or lag != lag else int(lag))
        profile = np.zeros(d)
        for offset, amount in data.costs_by_project.get(p.id, []):
            profile[offset] += amount
        planned_cost = profile.sum()
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
            cumulative = np.interp(np.arange(length + 1) * d / length, np.arange(d + 1),
                                   np.concatenate([[0.0], np.cumsum(profile)]))
            stretched = np.diff(cumulative) / planned_cost if planned_cost > 0 else np.full(length, 1.0 / length)
            columns = np.minimum(start + shift + np.arange(length), periods) - low
            np.add.at(shares[k], columns, stretched)
            original = np.minimum((np.arange(length) * d) // length, d - 1)
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
    return RiskReport(samples, seed, _summary(total_cost), _summary(total_value), overrun, overload, finishes,
                      drivers, warnings)
