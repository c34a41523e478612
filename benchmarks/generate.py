"""Generated portfolios for scaling benchmarks: N projects x R roles x T months."""

from __future__ import annotations

import csv
import random
from pathlib import Path


def month(t: int) -> str:
    return f"{2027 + t // 12}-{t % 12 + 1:02d}"


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def generate(
    folder: Path, projects: int, roles: int = 10, periods: int = 36, seed: int = 1, dependencies: int = 0
) -> Path:
    """Write a portfolio and a baseline scenario; returns the scenario path.

    Each project needs 2-4 roles, runs 3-12 months and may start within a 3-9 month window;
    capacity is set so that roughly 40% of the demand fits, and budget binds in some months.
    ``dependencies`` edges are added, each from a project to an earlier-numbered one that can
    finish before the project's latest start (drawn with a generator of their own, so the
    portfolio without them is the same).
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    role_names = [f"role_{r:02d}" for r in range(roles)]
    project_rows, demand_rows = [], []
    load = {r: 0.0 for r in role_names}
    total_cost = 0.0
    for p in range(projects):
        duration = rng.randint(3, 12)
        first = rng.randint(0, periods - duration)
        width = rng.choice([3, 6, 9])
        team = rng.sample(role_names, rng.randint(2, 4))
        monthly = 0.0
        for role in team:
            fte = rng.choice([0.5, 1.0, 1.5, 2.0])
            demand_rows.append({"project": f"P{p:04d}", "role": role, "fte": fte})
            load[role] += fte * duration
            monthly += fte * 10_000
        cost = round(monthly * duration, -2)
        total_cost += cost
        project_rows.append(
            {
                "id": f"P{p:04d}",
                "name": f"Generated project {p}",
                "value": round(cost * rng.uniform(0.8, 3.0), -2),
                "cost": cost,
                "duration": duration,
                "earliest_start": month(first),
                "latest_start": month(min(first + width - 1, periods - duration)),
                "category": rng.choice(["growth", "efficiency", "platform", "regulatory"]),
            }
        )
    capacity_rows = [{"role": r, "fte": round(0.4 * load[r] / periods + 1, 1)} for r in role_names]
    budget_rows = [{"amount": round(0.45 * total_cost / periods, -3)}]
    _write(folder / "projects.csv", project_rows)
    _write(folder / "demand.csv", demand_rows)
    _write(folder / "capacity.csv", capacity_rows)
    _write(folder / "budget.csv", budget_rows)
    if dependencies:
        edges, edge_rng = set(), random.Random(seed + 1)
        index = {month(t): t for t in range(periods)}
        for _ in range(dependencies * 20):
            if len(edges) >= dependencies:
                break
            p = edge_rng.randrange(1, projects)
            q = edge_rng.randrange(0, p)
            later, earlier = project_rows[p], project_rows[q]
            if index[earlier["earliest_start"]] + earlier["duration"] <= index[later["latest_start"]]:
                edges.add((later["id"], earlier["id"]))
        _write(folder / "dependencies.csv", [{"project": p, "requires": q} for p, q in sorted(edges)])
    scenario = folder / "scenario.yaml"
    scenario.write_text(f"name: generated-{projects}\nportfolio: .\nhorizon: {{start: 2027-01, periods: {periods}}}\n")
    return scenario
