"""Helpers that write portfolios and scenarios for tests, straight from Python data."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml


def write_table(folder: Path, name: str, rows: list[dict], header: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = header or list(dict.fromkeys(k for row in rows for k in row))
    path = folder / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return path


def write_portfolio(folder: Path, tables: dict[str, list[dict]]) -> Path:
    for name, rows in tables.items():
        if rows:
            write_table(folder, name, rows)
    return folder


def write_scenario(path: Path, body: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path


def small_portfolio() -> dict[str, list[dict]]:
    """Three projects, two roles, a monthly budget: the smallest interesting portfolio."""
    return {
        "projects": [
            {"id": "A", "name": "Alpha", "value": 100, "cost": 30, "duration": 2, "category": "growth"},
            {"id": "B", "name": "Beta", "value": 80, "cost": 20, "duration": 1, "category": "growth"},
            {
                "id": "C",
                "name": "Gamma",
                "value": 60,
                "cost": 10,
                "duration": 3,
                "category": "regulatory",
                "mandatory": "true",
            },
        ],
        "demand": [
            {"project": "A", "role": "dev", "fte": 2},
            {"project": "B", "role": "dev", "fte": 1},
            {"project": "C", "role": "ba", "fte": 1},
        ],
        "capacity": [{"role": "dev", "fte": 2}, {"role": "ba", "fte": 1}],
    }


def make_case(
    tmp_path: Path,
    tables: dict[str, list[dict]] | None = None,
    periods: int = 3,
    granularity: str = "month",
    **scenario,
) -> Path:
    """Write a portfolio and a scenario for it; returns the scenario path."""
    write_portfolio(tmp_path / "portfolio", tables if tables is not None else small_portfolio())
    start = "2027-01" if granularity == "month" else "2027Q1"
    body = {"portfolio": "portfolio", "horizon": {"start": start, "periods": periods, "granularity": granularity}}
    body.update(scenario)
    return write_scenario(tmp_path / "scenario.yaml", body)


def two_uncertain_projects() -> dict[str, list[dict]]:
    """Two projects that compete for one period's budget of 160, with cost (and for B, value)
    ranges: whether both fit depends on the sampled future."""
    return {
        "projects": [
            {"id": "A", "name": "A", "value": 10, "cost": 100, "duration": 1},
            {"id": "B", "name": "B", "value": 12, "cost": 50, "duration": 1},
        ],
        "demand": [{"project": "A", "role": "dev", "fte": 1}, {"project": "B", "role": "dev", "fte": 1}],
        "capacity": [{"role": "dev", "fte": 2}],
        "budget": [{"amount": 160}],
        "uncertainty": [
            {"project": "A", "cost_low": 80, "cost_high": 140},
            {"project": "B", "cost_low": 40, "cost_high": 90, "value_low": 5, "value_high": 30},
        ],
    }
