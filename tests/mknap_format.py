"""Readers for the OR-Library multidimensional knapsack files, and their portfolio form.

A knapsack item is a one-period project (value = profit, cost 0), a knapsack constraint a role
whose capacity is its bound; the horizon is one period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from portfolio_kit import make_case


@dataclass
class Knapsack:
    name: str
    profits: list[float]
    weights: list[list[float]]  # one row per constraint
    capacities: list[float]
    optimum: float | None


def read_mknap(path: Path) -> list[Knapsack]:
    """mknap1 / mknapcb1 format: K, then per problem n m opt, profits, rows, capacities."""
    tokens = path.read_text().split()
    position = 0

    def take(count: int) -> list[float]:
        nonlocal position
        values = [float(t) for t in tokens[position : position + count]]
        position += count
        return values

    problems = []
    (count,) = take(1)
    for index in range(int(count)):
        n, m, optimum = take(3)
        n, m = int(n), int(m)
        profits = take(n)
        weights = [take(n) for _ in range(m)]
        capacities = take(m)
        problems.append(Knapsack(f"{path.stem}-{index + 1}", profits, weights, capacities, optimum or None))
    return problems


def read_mknap2(path: Path) -> list[Knapsack]:
    """SAC-94 format: blocks after 'problem NAME.DAT': m n, profits, capacities, rows, optimum."""
    text = "\n".join(line.split("//")[0] for line in path.read_text().splitlines())
    parts = re.split(r"problem\s+(\S+)\.DAT", text, flags=re.IGNORECASE)
    problems = []
    for name, body in zip(parts[1::2], parts[2::2]):
        numbers = [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?", body.replace("+", " "))]
        m, n = int(numbers[0]), int(numbers[1])
        at = 2
        profits = numbers[at : at + n]
        at += n
        capacities = numbers[at : at + m]
        at += m
        weights = [numbers[at + i * n : at + (i + 1) * n] for i in range(m)]
        at += m * n
        problems.append(Knapsack(name, profits, weights, capacities, numbers[at]))
    return problems


def knapsack_case(folder: Path, problem: Knapsack, solver: str = "cbc", time_limit: float | None = None) -> Path:
    items = range(len(problem.profits))
    roles = [f"c{i}" for i in range(len(problem.capacities))]
    tables = {
        "projects": [
            {"id": f"i{j}", "name": f"item {j}", "value": problem.profits[j], "cost": 0, "duration": 1} for j in items
        ],
        "demand": [
            {"project": f"i{j}", "role": role, "fte": problem.weights[i][j]}
            for i, role in enumerate(roles)
            for j in items
            if problem.weights[i][j]
        ],
        "capacity": [{"role": role, "fte": capacity} for role, capacity in zip(roles, problem.capacities)],
    }
    solver_spec = {"name": solver}
    if time_limit is not None:
        solver_spec["time_limit"] = time_limit
    return make_case(folder, tables, periods=1, solver=solver_spec)
