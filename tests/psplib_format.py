"""PSPLIB single-mode (.sm) reader, and an RCPSP instance as a portfolio of mandatory projects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portfolio_kit import make_case


@dataclass
class RCPSP:
    durations: dict[int, int]
    successors: dict[int, list[int]]
    requests: dict[int, list[int]]
    capacities: list[int]


def read_sm(path: Path) -> RCPSP:
    lines = path.read_text().splitlines()
    durations, successors, requests = {}, {}, {}
    capacities: list[int] = []
    section = None
    skip = 0
    for line in lines:
        if line.startswith("PRECEDENCE RELATIONS"):
            section, skip = "precedence", 1
            continue
        if line.startswith("REQUESTS/DURATIONS"):
            section, skip = "requests", 2
            continue
        if line.startswith("RESOURCEAVAILABILITIES"):
            section, skip = "capacity", 1
            continue
        if skip:
            skip -= 1
            continue
        if line.startswith("*"):
            section = None if section != "capacity" or capacities else section
            continue
        numbers = [int(t) for t in re.findall(r"-?\d+", line)]
        if not numbers:
            continue
        if section == "precedence":
            successors[numbers[0]] = numbers[3:]
        elif section == "requests":
            durations[numbers[0]] = numbers[2]
            requests[numbers[0]] = numbers[3:]
        elif section == "capacity":
            capacities = numbers
            section = None
    return RCPSP(durations, successors, requests, capacities)


def rcpsp_case(
    folder: Path, instance: RCPSP, horizon: int, solver: str = "highs", time_limit: float | None = None
) -> Path:
    """Real jobs as mandatory projects (dummies of duration 0 dropped), precedences as
    dependencies, resources as roles: a plan exists exactly when horizon >= optimal makespan."""
    real = [j for j, d in instance.durations.items() if d > 0]
    roles = [f"r{k + 1}" for k in range(len(instance.capacities))]
    tables = {
        "projects": [
            {
                "id": f"J{j:02d}",
                "name": f"job {j}",
                "value": 0,
                "cost": 0,
                "duration": instance.durations[j],
                "mandatory": "true",
            }
            for j in real
        ],
        "demand": [
            {"project": f"J{j:02d}", "role": roles[k], "fte": amount}
            for j in real
            for k, amount in enumerate(instance.requests[j])
            if amount
        ],
        "capacity": [{"role": role, "fte": capacity} for role, capacity in zip(roles, instance.capacities)],
        "dependencies": [
            {"project": f"J{s:02d}", "requires": f"J{j:02d}"}
            for j in real
            for s in instance.successors.get(j, [])
            if s in real
        ],
    }
    solver_spec = {"name": solver}
    if time_limit is not None:
        solver_spec["time_limit"] = time_limit
    return make_case(folder, tables, periods=horizon, solver=solver_spec)
