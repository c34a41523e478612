"""Resource accounting of a plan: demand, spend, and whether one more project fits beside it.

Every capacity, budget and balance rule is checked, hiring paid for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from workbench.data.planning_data import PlanningData
from workbench.ground.formatting import fte_figure, money
from workbench.ground.status import ConflictKind

EPS = 1e-6


def used_to_the_full(used: float, available: float) -> bool:
    """Whether ``used`` (FTE or money) takes all of ``available``: the one test every face uses for
    "capacity fully used", "binding" and "bottleneck", so that they never disagree."""
    return used > 0 and used >= available - EPS * max(1.0, abs(available))


@dataclass(frozen=True)
class Shortfall:
    kind: ConflictKind  # what is missing: capacity, a period's budget, the total budget, a balance bound
    amount: float  # FTE for capacity, money for budgets and balance
    role: str | None = None
    period: int | None = None
    category: str | None = None


class PlanUsage:
    """Demand and spend of a set of starts (with its hiring), per role-period and period."""

    def __init__(self, data: PlanningData, starts: dict[str, int], hired: dict[tuple[str, int], float]):
        self.data = data
        self.starts = dict(starts)
        self.hired = dict(hired)
        self.demand: dict[tuple[str, int], float] = defaultdict(float)
        self.spend = [0.0] * data.periods
        self.cost_by_category: dict[object, float] = defaultdict(float)
        chosen = pd.DataFrame(list(starts.items()), columns=["project", "start"])
        load = chosen.merge(data.demand, on="project")
        for (role, t), fte in (
            load.assign(period=load["start"] + load["offset"]).groupby(["role", "period"])["fte"].sum().items()
        ):
            self.demand[(role, int(t))] = float(fte)
        money = chosen.merge(data.costs, on="project")
        for t, amount in (
            money.assign(period=money["start"] + money["offset"]).groupby("period")["amount"].sum().items()
        ):
            self.spend[int(t)] += float(amount)
        for (role, t), fte in hired.items():
            self.spend[t] += fte * data.hiring[role][0]
        for project in starts:
            self.cost_by_category[data.projects.loc[project, "category"]] += project_spend(data, project)
        self.capacity = data.capacity_by_role_period

    @property
    def total_spend(self) -> float:
        return float(sum(self.spend))

    def shortfalls(
        self, project: str, start: int, check_balance: bool = True, pay_for_hiring: bool = True
    ) -> list[Shortfall]:
        """What is missing for these starts plus ``project`` at ``start`` to keep every capacity,
        budget and (optionally) balance rule, hiring what is short (up to its maximum) and paying
        for it (``pay_for_hiring=False``: hiring free, a relaxation). Dependencies and exclusions
        are the caller's to check. Empty: it fits."""
        data = self.data
        missing: list[Shortfall] = []
        extra_spend: dict[int, float] = defaultdict(float)
        for role, offset, fte in data.demand_by_project.get(project, []):
            t = start + offset
            hired_now = self.hired.get((role, t), 0.0)
            rate, most = data.hiring.get(role, (0.0, 0.0))
            short = self.demand.get((role, t), 0.0) + fte - self.capacity.get((role, t), 0.0) - hired_now
            if short <= EPS:
                continue
            room = max(most - hired_now, 0.0)
            if short > room + EPS:
                missing.append(Shortfall(ConflictKind.CAPACITY, short - room, role=role, period=t))
            elif pay_for_hiring:
                extra_spend[t] += short * rate
        own = data.costs_by_project.get(project, [])
        for offset, amount in own:
            extra_spend[start + offset] += amount
        for t, amount in sorted(extra_spend.items()):
            budget = data.budget[t]
            if budget is not None and self.spend[t] + amount > budget + EPS * max(1.0, budget):
                missing.append(Shortfall(ConflictKind.BUDGET, self.spend[t] + amount - budget, period=t))
        total = data.budget_total
        added = sum(extra_spend.values())
        if total is not None and self.total_spend + added > total + EPS * max(1.0, total):
            missing.append(Shortfall(ConflictKind.BUDGET_TOTAL, self.total_spend + added - total))
        if check_balance and data.balance:
            costs = dict(self.cost_by_category)
            category = data.projects.loc[project, "category"]
            costs[category] = costs.get(category, 0.0) + project_spend(data, project)
            all_cost = sum(costs.values())
            tolerance = EPS * max(1.0, all_cost)
            for name, (low, high) in data.balance.items():
                share = costs.get(name, 0.0)
                if share < low * all_cost - tolerance:
                    missing.append(Shortfall(ConflictKind.BALANCE_MIN, low * all_cost - share, category=name))
                if share > high * all_cost + tolerance:
                    missing.append(Shortfall(ConflictKind.BALANCE_MAX, share - high * all_cost, category=name))
        return missing


def minimal_hiring(data: PlanningData, starts: dict[str, int]) -> dict[tuple[str, int], float]:
    """The least hiring these starts need: what their demand exceeds capacity by, where hiring is
    allowed (it may exceed the hiring maximum; the checker says so)."""
    hired = {}
    for (role, t), demand in PlanUsage(data, starts, {}).demand.items():
        short = demand - data.capacity_by_role_period.get((role, t), 0.0)
        if role in data.hiring and short > EPS:
            hired[(role, t)] = short
    return hired


def project_spend(data: PlanningData, project: str) -> float:
    """What a project spends over its run (its cost profile's sum)."""
    return float(sum(amount for _, amount in data.costs_by_project.get(project, [])))


def describe_shortfalls(missing: list[Shortfall], horizon) -> str:
    """'data_engineer short by up to 0.50 FTE in 2027-03..2027-05; budget short by ...'."""
    parts = []
    by_what: dict[tuple[ConflictKind, str | None], list[Shortfall]] = defaultdict(list)
    for item in missing:
        by_what[(item.kind, item.role or item.category)].append(item)
    for (kind, name), items in by_what.items():
        worst = max(item.amount for item in items)
        periods = sorted(item.period for item in items if item.period is not None)
        span = (
            ""
            if not periods
            else (
                horizon.label(periods[0])
                if len(periods) == 1
                else f"{horizon.label(periods[0])}..{horizon.label(periods[-1])}"
            )
        )
        up_to = "up to " if len(periods) > 1 else ""  # the worst of several periods
        if kind is ConflictKind.CAPACITY:
            parts.append(f"{name} short by {up_to}{fte_figure(worst)} FTE in {span}")
        elif kind is ConflictKind.BUDGET:
            parts.append(f"budget short by {up_to}{money(worst)} in {span}")
        elif kind is ConflictKind.BUDGET_TOTAL:
            parts.append(f"total budget short by {money(worst)}")
        elif kind is ConflictKind.BALANCE_MIN:
            parts.append(f"category {name} would fall below its minimum share (by {money(worst)} of cost)")
        else:
            parts.append(f"category {name} would exceed its maximum share (by {money(worst)} of cost)")
    return "; ".join(parts)
