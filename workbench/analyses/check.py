"""An independent check of a result against the portfolio and the scenario.

Written apart from the model code on purpose: it re-reads the documented semantics from the
portfolio tables and the scenario with plain loops, and verifies every constraint and every
reported number of a :class:`~workbench.planning.result.Result`. It imports nothing from the planning
data, the model, the optimisation, the scoring or the prioritisation code: its criteria
weights (AHP included) and its period parsing are its own, following the documented rules.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from fractions import Fraction
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from workbench.planning.result import Result

ABS_TOL = 1e-6
REL_TOL = 1e-7
_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_QUARTER_DATE = re.compile(r"^(\d{4})-(01|04|07|10)-01$")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def absolute_period(value: object, granularity: str) -> int:
    """Absolute period number of a label (2027-03, 2027Q1) or a period's first day as a date
    (2027-03-01, 2027-04-01 for 2027Q2), as the portfolio and scenario formats document."""
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if granularity == "month":
        match = _MONTH.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return int(match.group(1)) * 12 + int(match.group(2)) - 1
    else:
        match = _QUARTER.match(text)
        if match:
            return int(match.group(1)) * 4 + int(match.group(2)) - 1
        match = _QUARTER_DATE.match(text)
        if match:
            return int(match.group(1)) * 4 + (int(match.group(2)) - 1) // 3
    raise ValueError(f"{text!r} is not a {granularity} period")


def criteria_weights(portfolio, ahp) -> dict[str, float]:
    """Weights summing to 1: the principal eigenvector of the AHP matrix when the scenario has
    one (found by power iteration, not by the scoring module), else the criteria table's."""
    if ahp is not None:
        matrix = np.asarray(ahp.matrix, dtype=float)
        vector = np.ones(len(ahp.criteria)) / len(ahp.criteria)
        for _ in range(1000):
            following = matrix @ vector
            following /= following.sum()
            if np.abs(following - vector).max() < 1e-14:
                break
            vector = following
        return dict(zip(ahp.criteria, following.tolist()))
    criteria = portfolio.table("criteria")
    raw = {str(c): float(w) for c, w in zip(criteria["criterion"], criteria["weight"])}
    total = sum(raw.values())
    return {c: (w / total if total > 0 else 0.0) for c, w in raw.items()}


def check_result(portfolio, spec, result: Result) -> list[str]:
    """Every violated constraint or misreported number; an empty list means the result is right.

    ``portfolio`` is the loaded portfolio, ``spec`` the scenario (a
    :class:`~workbench.data.scenario.Scenario`) the result claims to be a plan for. Each
    constraint family is checked by a function of its own, from the tables and the scenario."""
    if not result.has_plan:
        return []
    errors: list[str] = []
    plan = _read_claimed_plan(portfolio, spec, result, errors)
    _check_started(plan, errors)
    _check_schedule(plan, errors)
    _check_dependencies_and_exclusions(plan, errors)
    hiring_spend = _check_capacity(plan, errors)
    project_spend = _check_budget(plan, hiring_spend, errors)
    _check_balance(plan, project_spend, errors)
    _check_objective(plan, errors)
    return errors


@dataclass
class _ClaimedPlan:
    """The plan a result claims, read back from it, with what every check needs."""

    portfolio: object
    spec: object
    result: Result
    periods: int
    granularity: str
    first: int
    projects: dict[str, dict]
    starts: dict[str, int]
    status_date: int | None = None
    started: dict[str, dict] = field(default_factory=dict)
    duration: dict[str, int] = field(default_factory=dict)

    def index(self, label: object) -> int:
        return absolute_period(label, self.granularity) - self.first

    def outcome(self, pid: str):
        return next(o for o in self.result.projects if o.id == pid)


def _read_claimed_plan(portfolio, spec, result: Result, errors: list[str]) -> _ClaimedPlan:
    horizon = portfolio.horizon
    granularity = horizon.granularity.value
    plan = _ClaimedPlan(
        portfolio,
        spec,
        result,
        horizon.periods,
        granularity,
        absolute_period(horizon.start, granularity),
        {str(r["id"]): r for r in portfolio.projects.to_dict("records")},
        {},
    )
    for outcome in result.projects:
        if outcome.id not in plan.projects:
            errors.append(f"result names unknown project {outcome.id}")
            continue
        if outcome.selected:
            plan.starts[outcome.id] = plan.index(outcome.start)
    if {o.id for o in result.projects} != set(plan.projects):
        errors.append("result does not list every project exactly once")
    # a re-plan from the status date (docs/status.md): history is fixed, started projects run on
    plan.status_date = None if spec.status.as_of is None else plan.index(spec.status.as_of)
    plan.started = {} if plan.status_date is None else _started(portfolio, plan.status_date)
    plan.duration = {pid: int(row["duration"]) for pid, row in plan.projects.items()}
    plan.duration.update(
        {pid: min(run["finish"], plan.periods - 1) - run["start"] + 1 for pid, run in plan.started.items()}
    )
    return plan


def _check_started(plan: _ClaimedPlan, errors: list[str]) -> None:
    """A started project stays in the re-plan, at its actual start."""
    for pid, run in plan.started.items():
        if pid in plan.spec.force_out:
            continue
        if pid not in plan.starts:
            errors.append(f"{pid} has actuals but is not in the re-plan")
        elif plan.starts[pid] != run["start"]:
            errors.append(f"{pid} started in period {run['start']} but the re-plan starts it in {plan.starts[pid]}")


def _check_schedule(plan: _ClaimedPlan, errors: list[str]) -> None:
    """Windows, the horizon, commitments and forcing; finishes as reported."""
    spec, starts, started, periods, status_date = plan.spec, plan.starts, plan.started, plan.periods, plan.status_date
    for pid, row in plan.projects.items():
        committed = bool(row["mandatory"]) or row["status"] in ("approved", "in_progress") or pid in spec.force_in
        if committed and pid not in starts:
            errors.append(f"{pid} is committed or forced in but not selected")
        if pid in spec.force_out and pid in starts:
            errors.append(f"{pid} is forced out but selected")
        if pid not in starts:
            continue
        s, d = starts[pid], plan.duration[pid]
        if pid in started:
            if plan.index(plan.outcome(pid).finish) != started[pid]["finish"]:
                errors.append(f"{pid} does not finish at its forecast finish")
            continue  # it runs from its actual start, whatever its window said
        if status_date is not None and s <= status_date:
            errors.append(f"{pid} starts in period {s}, not after the status date {status_date}")
        if s < 0 or s + d - 1 > periods - 1:
            errors.append(f"{pid} runs {s}..{s + d - 1}, outside the horizon 0..{periods - 1}")
        if not _missing(row["start"]) and s != int(row["start"]):
            errors.append(f"{pid} has fixed start {row['start']} but starts {s}")
        if not _missing(row["earliest_start"]) and s < int(row["earliest_start"]):
            errors.append(f"{pid} starts before its earliest_start")
        if not _missing(row["latest_start"]) and s > int(row["latest_start"]):
            errors.append(f"{pid} starts after its latest_start")
        outcome = plan.outcome(pid)
        if plan.index(outcome.finish) != s + d - 1:
            errors.append(f"{pid} finish {outcome.finish} is not start + duration - 1")


def _check_dependencies_and_exclusions(plan: _ClaimedPlan, errors: list[str]) -> None:
    starts, started, duration = plan.starts, plan.started, plan.duration
    for row in plan.portfolio.table("dependencies").to_dict("records"):
        p, q = row["project"], row["requires"]
        if p in starts and p not in started:  # a started project's prerequisites are history
            if q not in starts:
                errors.append(f"{p} is selected but requires {q}, which is not")
            elif starts[p] < starts[q] + duration[q]:
                errors.append(f"{p} starts before {q} has finished")
    groups: dict[str, set[str]] = defaultdict(set)
    for row in plan.portfolio.table("exclusions").to_dict("records"):
        if row["project"] in starts:
            groups[row["group"]].add(row["project"])
    for group, members in groups.items():
        if len(members) > 1:
            errors.append(f"exclusion group {group} has {sorted(members)} selected")


def _capacity_by_role_period(plan: _ClaimedPlan) -> dict[tuple[str, int], float]:
    """FTE per role and period from the capacity table, then the scenario's changes in order."""
    periods = plan.periods
    capacity: dict[tuple[str, int], float] = {}
    capacity_rows = plan.portfolio.table("capacity").to_dict("records")
    for row in capacity_rows:
        if _missing(row["period"]):
            for t in range(periods):
                capacity.setdefault((row["role"], t), float(row["fte"]))
    for row in capacity_rows:
        capacity.setdefault((row["role"], 0), 0.0)
        if not _missing(row["period"]) and 0 <= int(row["period"]) < periods:
            capacity[(row["role"], int(row["period"]))] = float(row["fte"])
    for role in {row["role"] for row in capacity_rows}:
        for t in range(periods):
            capacity.setdefault((role, t), 0.0)
    for adjustment in plan.spec.capacity:
        low = 0 if adjustment.from_ is None else plan.index(adjustment.from_)
        high = periods - 1 if adjustment.until is None else plan.index(adjustment.until)
        for t in range(max(low, 0), min(high, periods - 1) + 1):
            # in order: a cut below 0 leaves 0, a later addition adds to what is left
            capacity[(adjustment.role, t)] = max(capacity[(adjustment.role, t)] + adjustment.delta, 0.0)
    return capacity


def _demand_by_role_period(plan: _ClaimedPlan) -> dict[tuple[str, int], float]:
    demand: dict[tuple[str, int], float] = defaultdict(float)
    for pid, run in plan.started.items():
        if pid in plan.starts:
            for role, fte in run["demand"].items():
                for t in run["remaining"]:
                    if t < plan.periods:  # what falls after the horizon is not planned
                        demand[(role, t)] += fte
    for row in plan.portfolio.table("demand").to_dict("records"):
        pid = row["project"]
        if pid not in plan.starts or pid in plan.started:
            continue
        s, d = plan.starts[pid], int(plan.projects[pid]["duration"])
        offsets = range(d) if _missing(row["offset"]) else [int(row["offset"])]
        for k in offsets:
            demand[(row["role"], s + k)] += float(row["fte"])
    return demand


def _check_capacity(plan: _ClaimedPlan, errors: list[str]) -> list[float]:
    """Demand, capacity and hiring per role and period; returns the hiring's spend per period."""
    demand, capacity = _demand_by_role_period(plan), _capacity_by_role_period(plan)
    hire_max = {h.role: h.max_fte for h in plan.spec.hiring}
    hire_cost = {h.role: h.cost for h in plan.spec.hiring}
    reported = {(row.role, plan.index(row.period)): row for row in plan.result.capacity}
    if set(reported) != set(capacity):
        errors.append("capacity table does not cover every role and period exactly once")
    hiring_spend = [0.0] * plan.periods
    for key, cap in capacity.items():
        row = reported.get(key)
        if row is None:
            continue
        role, t = key
        if not _close(row.demand, demand.get(key, 0.0)):
            errors.append(f"{role} period {t}: reported demand {row.demand} but the plan needs {demand.get(key, 0.0)}")
        if not _close(row.capacity, cap):
            errors.append(f"{role} period {t}: reported capacity {row.capacity} but it is {cap}")
        hired = row.hired
        if hired > ABS_TOL and role not in hire_max:
            errors.append(f"{role} period {t}: hires {hired} FTE but the scenario allows no hiring")
        if hired > hire_max.get(role, 0.0) + ABS_TOL:
            errors.append(f"{role} period {t}: hires {hired} FTE, above the maximum {hire_max.get(role)}")
        if demand.get(key, 0.0) > cap + hired + 1e-6 * max(1.0, cap):
            errors.append(f"{role} period {t}: demand {demand.get(key, 0.0)} exceeds capacity {cap} + hired {hired}")
        hiring_spend[t] += hired * hire_cost.get(role, 0.0)
    return hiring_spend


def _budget_by_period(plan: _ClaimedPlan) -> list[float | None]:
    """Each period's budget: the table scaled, the scenario's periods set; none up to a status date."""
    periods, spec = plan.periods, plan.spec
    budget: list[float | None] = [None] * periods
    budget_rows = plan.portfolio.table("budget").to_dict("records")
    for row in budget_rows:
        if _missing(row["period"]):
            budget = [float(row["amount"]) * spec.budget.scale] * periods
    for row in budget_rows:
        if not _missing(row["period"]) and 0 <= int(row["period"]) < periods:
            budget[int(row["period"])] = float(row["amount"]) * spec.budget.scale
    for label, amount in spec.budget.periods.items():
        t = plan.index(label)
        if 0 <= t < periods:
            budget[t] = float(amount)
    if plan.status_date is not None:  # the periods up to the status date are history
        budget = [None if t <= plan.status_date else amount for t, amount in enumerate(budget)]
    return budget


def _check_budget(plan: _ClaimedPlan, hiring_spend: list[float], errors: list[str]) -> dict[str, float]:
    """Spend per period against its budget and in all against the total; returns each selected
    project's spend over the horizon."""
    periods, spec, result = plan.periods, plan.spec, plan.result
    spend = list(hiring_spend)
    project_spend: dict[str, float] = {}
    profiles: dict[str, dict[int, float]] = defaultdict(dict)
    for row in plan.portfolio.table("costs").to_dict("records"):
        profiles[row["project"]][int(row["offset"])] = float(row["amount"])
    for pid, s in plan.starts.items():
        if pid in plan.started:  # what is left to spend, evenly after the status date
            run = plan.started[pid]
            project_spend[pid] = 0.0
            for t in run["remaining"]:
                if t < periods:
                    spend[t] += run["etc"] / len(run["remaining"])
                    project_spend[pid] += run["etc"] / len(run["remaining"])
            continue
        d, cost = int(plan.projects[pid]["duration"]), float(plan.projects[pid]["cost"])
        amounts = [profiles[pid].get(k, 0.0) for k in range(d)] if pid in profiles else [cost / d] * d
        project_spend[pid] = sum(amounts)
        for k, amount in enumerate(amounts):
            spend[s + k] += amount
    budget = _budget_by_period(plan)
    if len(result.budget) != periods:
        errors.append("budget table does not have one row per period")
    for t, row in enumerate(result.budget):
        if not _close(row.spend, spend[t]):
            errors.append(f"period {t}: reported spend {row.spend} but the plan spends {spend[t]}")
        if (row.budget is None) != (budget[t] is None) or (budget[t] is not None and not _close(row.budget, budget[t])):
            errors.append(f"period {t}: reported budget {row.budget} but it is {budget[t]}")
        if budget[t] is not None and spend[t] > budget[t] + 1e-6 * max(1.0, budget[t]):
            errors.append(f"period {t}: spend {spend[t]} exceeds budget {budget[t]}")
    total_budget = spec.budget.total
    if total_budget is not None and plan.status_date is not None:  # what is left after the actual cost
        actuals = plan.portfolio.table("actuals")
        spent = sum(float(c) for c, t in zip(actuals["cost"], actuals["period"]) if int(t) <= plan.status_date)
        total_budget = max(total_budget - spent, 0.0)
    if total_budget is not None and sum(spend) > total_budget + 1e-6 * max(1.0, total_budget):
        errors.append(f"total spend {sum(spend)} exceeds the total budget {spec.budget.total}")
    return project_spend


def _check_balance(plan: _ClaimedPlan, project_spend: dict[str, float], errors: list[str]) -> None:
    """Each category's share of the selected cost (cost as spent) within its bounds."""
    total_cost = sum(project_spend.values())
    for category, bounds in plan.spec.balance.items():
        in_category = sum(v for pid, v in project_spend.items() if plan.projects[pid]["category"] == category)
        tolerance = 1e-6 * max(1.0, total_cost)
        if in_category < bounds.min * total_cost - tolerance:
            errors.append(f"category {category} share {in_category / total_cost:.4f} below its minimum {bounds.min}")
        if in_category > bounds.max * total_cost + tolerance:
            errors.append(f"category {category} share {in_category / total_cost:.4f} above its maximum {bounds.max}")


def _check_objective(plan: _ClaimedPlan, errors: list[str]) -> None:
    """The reported objective, from its definition."""
    spec = plan.spec
    weights = criteria_weights(plan.portfolio, spec.ahp) if spec.objective.value == "score" else {}
    objective = 0.0
    for pid, s in plan.starts.items():
        row = plan.projects[pid]
        factor = (1.0 + spec.discount_rate) ** (-s / (12 if plan.granularity == "month" else 4))
        if spec.objective.value == "value":
            objective += float(row["value"]) * factor
        elif spec.objective.value == "risk_adjusted_value":
            objective += float(row["value"]) * (1.0 - float(row["risk"])) * factor
        else:
            objective += sum(w * float(row[f"score_{c}"]) for c, w in weights.items())
    result = plan.result
    if result.objective is None or not math.isclose(result.objective, objective, rel_tol=1e-9, abs_tol=1e-6):
        errors.append(f"reported objective {result.objective} but the plan is worth {objective}")


class CheckFailed(AssertionError):
    """A plan the independent checker rejects: a bug in the model, never shown as a plan."""


def verify_plan(portfolio, spec, result: Result) -> None:
    """The check every plan passes before it is used (a :data:`workbench.planning.runs.PlanCheck`):
    raises :class:`CheckFailed` naming the violations."""
    violations = check_result(portfolio, spec, result)
    if violations:
        raise CheckFailed(
            f"the independent checker rejects the plan for {result.scenario} (a bug in the workbench; "
            "please report it with the scenario): " + "; ".join(violations[:5])
        )


def _started(portfolio, status_date: int) -> dict[str, dict]:
    """Projects with cost or progress up to the status date, as docs/status.md re-plans them:
    the actual start, the finish (completion period, or forecast finish but after the status
    date), the cost still to come (ETC) and the demand per role still to come, per period."""
    actuals = [r for r in portfolio.table("actuals").to_dict("records") if int(r["period"]) <= status_date]
    baseline = {r["project"]: int(r["start"]) for r in portfolio.table("baseline").to_dict("records")}
    demand_rows = portfolio.table("demand").to_dict("records")
    projects = {str(r["id"]): r for r in portfolio.projects.to_dict("records")}
    written = defaultdict(dict)
    for row in portfolio.table("costs").to_dict("records"):
        written[row["project"]][int(row["offset"])] = Fraction(repr(float(row["amount"])))

    def exact_profile(pid: str) -> list[Fraction]:
        d = int(projects[pid]["duration"])
        if pid in written:
            return [written[pid].get(k, Fraction(0)) for k in range(d)]
        return [Fraction(repr(float(projects[pid]["cost"]))) / d] * d

    runs = {}
    for pid in sorted({r["project"] for r in actuals}):
        rows = sorted((r for r in actuals if r["project"] == pid), key=lambda r: int(r["period"]))
        active = [int(r["period"]) for r in rows if float(r["cost"]) > 0 or float(r["percent_complete"]) > 0]
        if not active:
            continue
        start, d = min(active), int(projects[pid]["duration"])
        # exact arithmetic, figures as written: a ceiling must not fall on the wrong side of a float
        percent = Fraction(repr(float(rows[-1]["percent_complete"])))
        spent = sum((Fraction(repr(float(r["cost"]))) for r in rows), Fraction(0))
        profile = exact_profile(pid)
        bac = sum(profile)
        earned = percent / 100 * bac
        eac = bac * spent / earned if spent > 0 and earned > 0 else bac
        if percent >= 100:
            finish = min(int(r["period"]) for r in rows if float(r["percent_complete"]) >= 100)
        elif pid not in baseline:
            finish = max(start + d - 1, status_date + 1)
        else:
            b = baseline[pid]
            cumulative = [sum(profile[:k], Fraction(0)) for k in range(d + 1)]
            reached = max(k for k in range(d + 1) if cumulative[k] <= earned)
            schedule = (
                Fraction(d)
                if reached == d
                else reached + (earned - cumulative[reached]) / (cumulative[reached + 1] - cumulative[reached])
            )
            elapsed = status_date - b + 1
            if schedule == 0:
                finish = max(b + d - 1, status_date + d)
            elif elapsed > 0:
                finish = max(b + math.ceil(d * elapsed / schedule) - 1, status_date + 1)
            else:
                finish = max(b + d - 1, status_date + 1)
            if finish - status_date > 1200:  # no forecast: what is left is spread to the horizon's end
                finish = max(portfolio.horizon.periods - 1, status_date + 1)
        percent, spent, eac = float(percent), float(spent), float(eac)
        remaining = [] if percent >= 100 else list(range(status_date + 1, finish + 1))
        role_demand: dict[str, float] = defaultdict(float)
        for row in demand_rows:
            if row["project"] == pid:
                periods = d if _missing(row["offset"]) else 1
                role_demand[row["role"]] += float(row["fte"]) * periods
        left = 1 - percent / 100
        runs[pid] = {
            "start": start,
            "finish": finish,
            "etc": eac - spent,
            "remaining": remaining,
            "demand": {role: total * left / len(remaining) for role, total in role_demand.items()} if remaining else {},
        }
    return runs
