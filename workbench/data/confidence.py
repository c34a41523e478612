"""Project figures away from the plan's point estimates: quantiles of a project's cost, value and
duration ranges, profiles stretched to another duration, and the portfolio with its figures
replaced, for a sampled future or a plan at a confidence level (``risk.plan_at``; docs/risk.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special

from workbench.ground.cells import is_given
from workbench.data.portfolio import Portfolio


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
    return np.where(u < split, low + np.sqrt(u * width * (mode - low)), high - np.sqrt((1 - u) * width * (high - mode)))


def uncertainty_by_project(portfolio: Portfolio) -> dict[str, dict]:
    """The ``uncertainty`` row of each project that has one."""
    return {str(r["project"]): r for r in portfolio.table("uncertainty").to_dict("records")}


def figure_quantiles(row: dict, figure: str, planned: float, u: np.ndarray) -> np.ndarray:
    """Quantiles at ``u`` of one figure (cost, value or duration) of a project whose uncertainty row
    is ``row`` (empty when it has none): a missing bound is the planned figure."""
    low, high = row.get(f"{figure}_low"), row.get(f"{figure}_high")
    low = planned if not is_given(low) else float(low)
    high = planned if not is_given(high) else float(high)
    shape = str(row["distribution"]).lower() if is_given(row.get("distribution")) else "triangular"
    return inverse_cdf(u, low, planned, high, shape)


def whole_periods(duration: np.ndarray) -> np.ndarray:
    """Durations drawn or taken at a quantile, as whole periods: rounded, and at least 1."""
    return np.maximum(1, np.rint(duration)).astype(int)


def success_probability(row: dict) -> float:
    value = row.get("success_probability")
    return 1.0 if not is_given(value) else float(value)


# ----------------------------------------------------------------------------- stretched profiles
def stretched_shares(profile: np.ndarray, length: int) -> np.ndarray:
    """Shares of the total spent in each of ``length`` periods when a cost ``profile`` is
    stretched or shrunk to that length (its cumulative curve interpolated); they sum to 1."""
    planned = len(profile)
    total = float(np.sum(profile))
    if total <= 0:
        return np.full(length, 1.0 / length)
    cumulative = np.interp(
        np.arange(length + 1) * planned / length, np.arange(planned + 1), np.concatenate([[0.0], np.cumsum(profile)])
    )
    return np.diff(cumulative) / total


def stretched_offsets(planned: int, length: int) -> np.ndarray:
    """For each period of a run stretched from ``planned`` to ``length`` periods, the planned offset
    whose FTE it keeps (demand keeps its FTE per period)."""
    return np.minimum((np.arange(length) * planned) // length, planned - 1)


@dataclass(frozen=True)
class Figures:
    """A project's total cost, duration (whole periods, at least 1) and value in one future."""

    cost: float
    duration: int
    value: float


def with_figures(portfolio: Portfolio, figures: dict[str, Figures]) -> Portfolio:
    """The portfolio with these projects' cost, duration and value replaced: a cost profile is
    stretched to the new duration and scaled to the new cost, a demand profile keeps its FTE per
    period over the stretched run (docs/risk.md). The tables are copies; the data hash is kept."""
    projects = portfolio.projects.copy()
    ids = [p for p in figures if p in projects.index]
    planned_duration = projects["duration"].to_dict()
    projects.loc[ids, "cost"] = [float(figures[p].cost) for p in ids]
    projects.loc[ids, "duration"] = [max(1, int(figures[p].duration)) for p in ids]
    projects.loc[ids, "value"] = [float(figures[p].value) for p in ids]
    projects["duration"] = projects["duration"].astype(int)
    costs, demand = portfolio.table("costs"), portfolio.table("demand")
    cost_rows, kept = [], costs[~costs["project"].isin(ids)]
    for project, rows in costs[costs["project"].isin(ids)].groupby("project", sort=False):
        profile = np.zeros(planned_duration[project])
        profile[rows["offset"].astype(int).to_numpy()] = rows["amount"].to_numpy()
        length = int(projects.loc[project, "duration"])
        amounts = stretched_shares(profile, length) * float(projects.loc[project, "cost"])
        first = rows.iloc[0]
        cost_rows.extend(
            {**first.to_dict(), "offset": offset, "amount": float(amount)} for offset, amount in enumerate(amounts)
        )
    costs = pd.concat([kept, pd.DataFrame(cost_rows, columns=costs.columns)], ignore_index=True) if cost_rows else kept
    profiled = demand["offset"].map(is_given) & demand["project"].isin(ids)
    demand_rows = []
    for _, row in demand[profiled].iterrows():
        length = int(projects.loc[row["project"], "duration"])
        mapping = stretched_offsets(planned_duration[row["project"]], length)
        demand_rows.extend(
            {**row.to_dict(), "offset": int(offset)} for offset in np.flatnonzero(mapping == int(row["offset"]))
        )
    demand = (
        pd.concat([demand[~profiled], pd.DataFrame(demand_rows, columns=demand.columns)], ignore_index=True)
        if profiled.any()
        else demand
    )
    tables = {**portfolio.tables, "projects": projects, "costs": costs, "demand": demand}
    return replace(portfolio, tables=tables, warnings=list(portfolio.warnings))


def confidence_figures(portfolio: Portfolio, level: float) -> dict[str, Figures]:
    """Each project's ``level`` quantile of cost and of duration (in whole periods, rounded like a
    sampled duration), with its planned value: the figures a plan at that confidence is made with."""
    rows = uncertainty_by_project(portfolio)
    figures = {}
    for project, planned in portfolio.projects.iterrows():
        row = rows.get(str(project), {})
        cost = float(figure_quantiles(row, "cost", float(planned["cost"]), np.array([level]))[0])
        duration = whole_periods(figure_quantiles(row, "duration", float(planned["duration"]), np.array([level])))
        figures[str(project)] = Figures(cost, int(duration[0]), float(planned["value"]))
    return figures


def at_confidence(portfolio: Portfolio, level: float) -> Portfolio:
    """The portfolio as planned at confidence ``level`` (``risk.plan_at``): every project's cost
    and duration at that quantile of its range (docs/risk.md)."""
    return with_figures(portfolio, confidence_figures(portfolio, level))
