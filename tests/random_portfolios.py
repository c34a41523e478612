"""Seeded random portfolios with every constraint type, for differential, metamorphic and
reason-truth tests: month and quarter horizons, commitments of every kind, force_in and
force_out, several exclusion groups, dependencies, hiring, balance, budgets per period and in
total, capacity changes, and periods written as dates (``from: 2027-04-01``) in the scenario.

Nothing here uses the workbench: the generator writes plain rows and scenario dicts (capacity and
budget rows are drawn as the brute-force cases draw them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from brute import capacity_and_budget


@dataclass
class Case:
    seed: int
    tables: dict[str, list[dict]]
    scenario: dict
    periods: int
    granularity: str

    def label(self, t: int) -> str:
        return period_label(t, self.granularity)


def period_label(t: int, granularity: str) -> str:
    if granularity == "month":
        return f"2027-{t + 1:02d}"
    return f"{2027 + t // 4}Q{t % 4 + 1}"


def period_date(t: int, granularity: str) -> dt.date:
    """The first day of period t, as a scenario may write it."""
    if granularity == "month":
        return dt.date(2027, t + 1, 1)
    return dt.date(2027 + t // 4, 3 * (t % 4) + 1, 1)


def random_case(seed: int) -> Case:
    rng = random.Random(seed)
    granularity = "quarter" if rng.random() < 0.35 else "month"
    periods = rng.randint(3, 6)
    n = rng.randint(5, 8)
    roles = ["dev", "ops", "data"][: rng.randint(1, 3)]
    categories = ["a", "b", "c"]

    def label(t):
        return period_label(t, granularity)

    def when(t):  # a scenario period: a label, or sometimes the period's first day as a date
        return period_date(t, granularity) if rng.random() < 0.5 else label(t)

    projects, demand, costs = [], [], []
    for i in range(n):
        pid = f"P{i}"
        duration = rng.randint(1, min(3, periods))
        row = {
            "id": pid,
            "name": f"Project {i}",
            "value": rng.choice([0, rng.randint(5, 60), rng.randint(5, 60)]),
            "cost": rng.randint(0, 30),
            "duration": duration,
            "category": categories[i % 3],
            "risk": round(rng.random() * 0.5, 2),
            "score_fit": rng.randint(0, 5),
            "score_urgency": rng.randint(0, 5),
        }
        if rng.random() < 0.3:
            row["earliest_start"] = label(rng.randint(0, periods - 1))
        if rng.random() < 0.3:
            row["latest_start"] = label(rng.randint(0, periods - 1))
        if "earliest_start" in row and "latest_start" in row:
            low, high = sorted([row["earliest_start"], row["latest_start"]])
            row["earliest_start"], row["latest_start"] = low, high
        projects.append(row)
        for role in roles:
            if rng.random() < 0.7:
                demand.append({"project": pid, "role": role, "fte": rng.choice([0.5, 1, 1.5, 2]), "offset": None})
        if duration > 1 and rng.random() < 0.4:
            demand.append({"project": pid, "role": rng.choice(roles), "fte": 1, "offset": rng.randint(0, duration - 1)})
        if duration > 1 and rng.random() < 0.3:
            amounts = [rng.randint(0, 15) for _ in range(duration)]
            costs.extend({"project": pid, "offset": k, "amount": a} for k, a in enumerate(amounts) if a or k == 0)
    # commitments of each kind, each whose own window fits
    for kind in ("mandatory", "in_progress", "approved"):
        if rng.random() < 0.3:
            p = rng.choice(projects)
            if p.get("mandatory") or p.get("status"):
                continue
            p.pop("earliest_start", None)
            p.pop("latest_start", None)
            if kind == "mandatory":
                p["mandatory"] = "true"
            else:
                p["status"] = kind
                if kind == "in_progress":
                    p["start"] = label(rng.randint(0, periods - p["duration"]))
    capacity, budget = capacity_and_budget(rng, roles, label, periods)
    dependencies = []
    for i in range(1, n):
        if rng.random() < 0.3:
            dependencies.append({"project": f"P{i}", "requires": f"P{rng.randint(0, i - 1)}"})
    exclusions = []
    ids = [p["id"] for p in projects]
    for group in ("g1", "g2")[: rng.randint(0, 2)]:
        exclusions.extend({"group": group, "project": m} for m in rng.sample(ids, rng.randint(2, 3)))
    tables = {
        "projects": projects,
        "demand": demand,
        "capacity": capacity,
        "budget": budget,
        "costs": costs,
        "dependencies": dependencies,
        "exclusions": exclusions,
        "criteria": [{"criterion": "fit", "weight": 3}, {"criterion": "urgency", "weight": 1}],
    }

    scenario: dict = {"objective": rng.choice(["value", "value", "risk_adjusted_value", "score"])}
    if rng.random() < 0.3:
        scenario["discount_rate"] = 0.1
    if scenario["objective"] == "score" and rng.random() < 0.3:
        scenario["ahp"] = {"criteria": ["fit", "urgency"], "matrix": [[1, 2], [0.5, 1]]}
    if rng.random() < 0.4:
        scenario["budget"] = {"scale": rng.choice([0.8, 1.2])}
        if rng.random() < 0.5:
            scenario["budget"]["total"] = rng.randint(15, 80)
        if rng.random() < 0.5:
            scenario["budget"]["periods"] = {when(rng.randint(0, periods - 1)): rng.randint(5, 30)}
    if rng.random() < 0.3:
        scenario["hiring"] = [{"role": roles[0], "cost": rng.randint(1, 8), "max_fte": rng.choice([0.5, 1])}]
    if rng.random() < 0.4:
        low = rng.randint(0, periods - 1)
        scenario["capacity"] = [
            {
                "role": roles[-1],
                "delta": rng.choice([-1, 1]),
                "from": when(low),
                "until": when(rng.randint(low, periods - 1)),
            }
        ]
    if rng.random() < 0.3:
        scenario["balance"] = {"a": {"min": 0.2, "max": 0.9}}
    committed = {p["id"] for p in projects if p.get("mandatory") or p.get("status")}
    optional = [pid for pid in ids if pid not in committed]
    if optional and rng.random() < 0.3:
        scenario["force_out"] = [rng.choice(optional)]
    rest = [pid for pid in optional if pid not in scenario.get("force_out", [])]
    if rest and rng.random() < 0.3:
        scenario["force_in"] = [rng.choice(rest)]
    return Case(seed, tables, scenario, periods, granularity)


def status_dated_case(seed: int) -> Case:
    """:func:`random_case` with an approved plan and what happened: a baseline start for most
    projects (inside its window), a status date, and actuals up to it for the projects whose
    baseline start has come (some on plan, some late or over cost, some complete, some not
    started); the scenario re-plans from the status date."""
    case = random_case(seed)
    rng = random.Random(10_000 + seed)
    periods = case.periods
    index = {case.label(t): t for t in range(periods)}
    status_date = rng.randint(0, periods - 2)
    baseline, actuals = [], []
    groups: dict[str, set[str]] = {}
    for exclusion in case.tables["exclusions"]:
        groups.setdefault(exclusion["project"], set()).add(exclusion["group"])
    approved_groups: set[str] = set()  # an approved plan holds one project of an exclusion group
    for row in case.tables["projects"]:
        duration = int(row["duration"])
        if row.get("start"):
            starts = [index[row["start"]]]
        else:
            low = index[row["earliest_start"]] if row.get("earliest_start") else 0
            high = min(index[row["latest_start"]] if row.get("latest_start") else periods - 1, periods - duration)
            starts = list(range(low, high + 1))
        committed = bool(row.get("mandatory") or row.get("status"))
        if not starts or (not committed and rng.random() < 0.25) or groups.get(row["id"], set()) & approved_groups:
            continue
        approved_groups |= groups.get(row["id"], set())
        b = rng.choice(starts)
        baseline.append({"project": row["id"], "start": case.label(b)})
        if b > status_date or (not committed and rng.random() < 0.2):  # not due yet, or due and not started
            continue
        percent = 0.0
        for t in range(b, status_date + 1):
            percent = min(100.0, percent + rng.choice([0, 20, 35, 50, 100]))
            percent = max(percent, 5.0) if committed else percent  # a commitment due by now has begun
            cost = round(float(row["cost"]) / duration * rng.choice([0.5, 1, 1.5]), 2)
            actuals.append({"project": row["id"], "period": case.label(t), "cost": cost, "percent_complete": percent})
            if percent >= 100:
                break
    tables = {**case.tables, "baseline": baseline, "actuals": actuals}
    started = {r["project"] for r in actuals if r["cost"] > 0 or r["percent_complete"] > 0}
    scenario = {**case.scenario, "status": {"as_of": case.label(status_date)}}
    rows = {row["id"]: row for row in case.tables["projects"]}

    def last_start(row: dict) -> int:
        last = periods - int(row["duration"])
        return min(last, index[row["latest_start"]]) if row.get("latest_start") else last

    # forcing in a project that can no longer start is refused (tested on its own); keep the rest
    forced = [p for p in scenario.get("force_in", []) if p in started or last_start(rows[p]) > status_date]
    if forced != scenario.get("force_in", []):
        scenario["force_in"] = forced
    return Case(seed, tables, scenario, periods, case.granularity)
