"""Random small portfolios and an exhaustive solver written from the documented semantics.

Nothing here uses the workbench: the generator writes plain rows, and ``brute_force``
enumerates every plan (each project out, or at each start it may take), keeps the feasible
ones and returns the best objective.
"""

from __future__ import annotations

import itertools
import random


def label(t: int) -> str:
    return f"2027-{t + 1:02d}"


def random_case(seed: int, n_projects: int | None = None, periods: int | None = None) -> tuple[dict, dict, int]:
    rng = random.Random(seed)
    n = n_projects or rng.randint(3, 6)
    T = periods or rng.randint(2, 5)
    roles = ["dev", "ops"][: rng.randint(1, 2)]
    categories = ["a", "b"]
    projects, demand, costs = [], [], []
    for i in range(n):
        pid = f"P{i}"
        duration = rng.randint(1, min(3, T))
        row = {
            "id": pid,
            "name": f"Project {i}",
            "value": rng.choice([0, rng.randint(1, 50), rng.randint(1, 50), rng.randint(1, 50) + 0.5]),
            "cost": rng.randint(0, 30),
            "duration": duration,
            "category": categories[i % 2],
            "risk": round(rng.random(), 2),
            "score_fit": rng.randint(0, 5),
            "score_urgency": rng.randint(0, 5),
        }
        if rng.random() < 0.3:
            row["earliest_start"] = label(rng.randint(0, T - 1))
        if rng.random() < 0.3:
            row["latest_start"] = label(rng.randint(0, T - 1))
        if "earliest_start" in row and "latest_start" in row and row["earliest_start"] > row["latest_start"]:
            row["earliest_start"], row["latest_start"] = row["latest_start"], row["earliest_start"]
        projects.append(row)
        for role in roles:
            if rng.random() < 0.8:
                demand.append({"project": pid, "role": role, "fte": rng.choice([0.5, 1, 1.5, 2]), "offset": None})
        if duration > 1 and rng.random() < 0.4:
            demand.append({"project": pid, "role": rng.choice(roles), "fte": 1, "offset": rng.randint(0, duration - 1)})
        if duration > 1 and rng.random() < 0.3:
            amounts = [rng.randint(0, 15) for _ in range(duration)]
            costs.extend({"project": pid, "offset": k, "amount": a} for k, a in enumerate(amounts) if a or k == 0)
    # one commitment at most, whose own window fits
    if rng.random() < 0.4:
        p = rng.choice(projects)
        p.pop("earliest_start", None)
        p.pop("latest_start", None)
        if rng.random() < 0.5:
            p["mandatory"] = "true"
        else:
            p["status"] = "in_progress"
            p["start"] = label(rng.randint(0, T - p["duration"]))
    capacity, budget = capacity_and_budget(rng, roles, label, T)
    deps = []
    for i in range(1, n):
        if rng.random() < 0.25:
            deps.append({"project": f"P{i}", "requires": f"P{rng.randint(0, i - 1)}"})
    exclusions = []
    if n >= 3 and rng.random() < 0.5:
        members = rng.sample([p["id"] for p in projects], 2)
        exclusions = [{"group": "g", "project": m} for m in members]
    tables = {
        "projects": projects,
        "demand": demand,
        "capacity": capacity,
        "budget": budget,
        "costs": costs,
        "dependencies": deps,
        "exclusions": exclusions,
        "criteria": [{"criterion": "fit", "weight": 3}, {"criterion": "urgency", "weight": 1}],
    }
    scenario: dict = {"objective": rng.choice(["value", "value", "risk_adjusted_value", "score"])}
    if rng.random() < 0.3:
        scenario["discount_rate"] = 0.1
    if rng.random() < 0.3:
        scenario["budget"] = {"scale": rng.choice([0.8, 1.2])}
        if rng.random() < 0.5:
            scenario["budget"]["total"] = rng.randint(10, 60)
    if rng.random() < 0.3:
        scenario["hiring"] = [{"role": roles[0], "cost": rng.randint(1, 8), "max_fte": rng.choice([0.5, 1])}]
    if rng.random() < 0.3:
        scenario["capacity"] = [
            {"role": roles[-1], "delta": rng.choice([-1, 1]), "from": label(0), "until": label(T - 1)}
        ]
    if rng.random() < 0.3:
        scenario["balance"] = {"a": {"min": 0.2, "max": 0.9}}
    optional = [p["id"] for p in projects if p.get("mandatory") != "true" and p.get("status") is None]
    if optional and rng.random() < 0.3:
        scenario["force_out"] = [rng.choice(optional)]
    return tables, scenario, T


def capacity_and_budget(rng: random.Random, roles: list[str], label_of, periods: int) -> tuple[list, list]:
    """Capacity per role (sometimes one period different) and, often, a budget (sometimes one period
    different): the rows both random generators draw."""
    capacity = [{"role": r, "fte": rng.choice([1.5, 2, 3, 4]), "period": None} for r in roles]
    if rng.random() < 0.5:
        capacity.append(
            {"role": roles[0], "fte": rng.choice([0, 1, 2.5]), "period": label_of(rng.randint(0, periods - 1))}
        )
    budget = []
    if rng.random() < 0.6:
        budget.append({"amount": rng.randint(8, 40), "period": None})
        if rng.random() < 0.5:
            budget.append({"amount": rng.randint(0, 20), "period": label_of(rng.randint(0, periods - 1))})
    return capacity, budget


def _num(label_text):
    return None if label_text in (None, "") else int(label_text[5:]) - 1


def brute_force(tables: dict, scenario: dict, T: int) -> float | None:
    projects = tables["projects"]
    force_out = set(scenario.get("force_out", []))
    force_in = set(scenario.get("force_in", []))
    budget_spec = scenario.get("budget", {})
    scale = budget_spec.get("scale", 1.0)
    total_budget = budget_spec.get("total")
    rate = scenario.get("discount_rate", 0.0)
    objective = scenario.get("objective", "value")
    weights = {c["criterion"]: c["weight"] for c in tables["criteria"]}
    weight_sum = sum(weights.values())

    options = []
    for p in projects:
        d = p["duration"]
        if p.get("start"):
            starts = [_num(p["start"])] if _num(p["start"]) + d <= T else []
        else:
            low = _num(p.get("earliest_start")) or 0
            high = _num(p.get("latest_start"))
            high = T - d if high is None else min(high, T - d)
            starts = list(range(max(low, 0), high + 1))
        committed = (
            p.get("mandatory") == "true" or p.get("status") in ("approved", "in_progress") or p["id"] in force_in
        )
        if p["id"] in force_out:
            starts = []
        options.append(starts if committed else [None] + starts)

    capacity = {}
    for row in tables["capacity"]:
        if row["period"] is None:
            for t in range(T):
                capacity[(row["role"], t)] = float(row["fte"])
    for row in tables["capacity"]:
        if row["period"] is not None:
            capacity[(row["role"], _num(row["period"]))] = float(row["fte"])
    for adj in scenario.get("capacity", []):
        for t in range(_num(adj.get("from")) or 0, (_num(adj.get("until")) if adj.get("until") else T - 1) + 1):
            capacity[(adj["role"], t)] = capacity.get((adj["role"], t), 0.0) + adj["delta"]
    capacity = {k: max(0.0, v) for k, v in capacity.items()}
    budget = [None] * T
    for row in tables["budget"]:
        if row["period"] is None:
            budget = [row["amount"] * scale] * T
    for row in tables["budget"]:
        if row["period"] is not None:
            budget[_num(row["period"])] = row["amount"] * scale
    hiring = {h["role"]: (h["cost"], h["max_fte"]) for h in scenario.get("hiring", [])}
    profile = {}
    for row in tables["costs"]:
        profile.setdefault(row["project"], {})[row["offset"]] = row["amount"]

    best = None
    for plan in itertools.product(*options):
        starts = {p["id"]: s for p, s in zip(projects, plan) if s is not None}
        by_id = {p["id"]: p for p in projects}
        if any(
            r["project"] in starts
            and (
                r["requires"] not in starts
                or starts[r["project"]] < starts[r["requires"]] + by_id[r["requires"]]["duration"]
            )
            for r in tables["dependencies"]
        ):
            continue
        if sum(1 for r in tables["exclusions"] if r["project"] in starts) > 1:
            continue
        load = {}
        for r in tables["demand"]:
            if r["project"] in starts:
                s, d = starts[r["project"]], by_id[r["project"]]["duration"]
                for k in range(d) if r["offset"] is None else [r["offset"]]:
                    load[(r["role"], s + k)] = load.get((r["role"], s + k), 0.0) + r["fte"]
        spend = [0.0] * T
        feasible = True
        for (role, t), fte in load.items():
            short = fte - capacity.get((role, t), 0.0)
            if short > 1e-9:
                cost, most = hiring.get(role, (0.0, 0.0))
                if short > most + 1e-9:
                    feasible = False
                    break
                spend[t] += short * cost  # hire exactly what is short: hiring only costs
        if not feasible:
            continue
        spent_by_project = {}
        for pid, s in starts.items():
            p = by_id[pid]
            amounts = (
                [profile[pid].get(k, 0.0) for k in range(p["duration"])]
                if pid in profile
                else [p["cost"] / p["duration"]] * p["duration"]
            )
            spent_by_project[pid] = sum(amounts)
            for k, a in enumerate(amounts):
                spend[s + k] += a
        if any(b is not None and spend[t] > b + 1e-7 for t, b in enumerate(budget)):
            continue
        if total_budget is not None and sum(spend) > total_budget + 1e-7:
            continue
        total_cost = sum(spent_by_project.values())
        ok = True
        for category, bounds in scenario.get("balance", {}).items():
            share = sum(v for pid, v in spent_by_project.items() if by_id[pid]["category"] == category)
            if share < bounds.get("min", 0) * total_cost - 1e-7 or share > bounds.get("max", 1) * total_cost + 1e-7:
                ok = False
        if not ok:
            continue
        value = 0.0
        for pid, s in starts.items():
            p = by_id[pid]
            factor = (1 + rate) ** (-s / 12)
            if objective == "value":
                value += p["value"] * factor
            elif objective == "risk_adjusted_value":
                value += p["value"] * (1 - p["risk"]) * factor
            else:
                value += sum(weights[c] / weight_sum * p[f"score_{c}"] for c in weights)
        if best is None or value > best:
            best = value
    return best
