"""Risk tables: ranges around the planned figures (``uncertainty``) and a register of risk events
(``risks``), checked against the portfolio with file, row and column (docs/risk.md)."""

from __future__ import annotations

import pandas as pd

from workbench.ground.cells import is_given
from workbench.ground.errors import Problem

DISTRIBUTIONS = ("triangular", "pert")
RISK_STATUSES = ("open", "mitigated", "closed")
RANGES = (
    ("cost", "cost_low", "cost_high"),
    ("value", "value_low", "value_high"),
    ("duration", "duration_low", "duration_high"),
)


def check_risk_tables(
    tables: dict[str, pd.DataFrame], sources: dict[str, str], projects: pd.DataFrame
) -> list[Problem]:
    problems: list[Problem] = []
    planned = projects.set_index("id")
    uncertainty, source = tables["uncertainty"], sources["uncertainty"]
    for _, row in uncertainty.iterrows():
        project = row["project"]
        if project not in planned.index:
            problems.append(
                Problem(
                    source,
                    f"names unknown project {project!r}; it must be an id in the projects table",
                    row=row["_row"],
                    column="project",
                    item=project,
                )
            )
            continue
        for figure, low_column, high_column in RANGES:
            value = float(planned.loc[project, figure])
            low, high = row[low_column], row[high_column]
            if is_given(low) and float(low) > value:
                problems.append(
                    Problem(
                        source,
                        f"{low_column} {float(low):g} is above the planned {figure} {value:g}; low <= planned <= high",
                        row=row["_row"],
                        column=low_column,
                        item=project,
                    )
                )
            if is_given(high) and float(high) < value:
                problems.append(
                    Problem(
                        source,
                        f"{high_column} {float(high):g} is below the planned {figure} {value:g}; "
                        "low <= planned <= high",
                        row=row["_row"],
                        column=high_column,
                        item=project,
                    )
                )
        distribution = row["distribution"]
        if is_given(distribution) and str(distribution).lower() not in DISTRIBUTIONS:
            problems.append(
                Problem(
                    source,
                    f"distribution {distribution!r} is not one of {', '.join(DISTRIBUTIONS)}",
                    row=row["_row"],
                    column="distribution",
                    item=project,
                )
            )
    for _, row in uncertainty[uncertainty["project"].duplicated()].iterrows():
        problems.append(
            Problem(
                source,
                "a second row for the same project; keep one",
                row=row["_row"],
                column="project",
                item=row["project"],
            )
        )
    risks, source = tables["risks"], sources["risks"]
    for _, row in risks.iterrows():
        if is_given(row["project"]) and row["project"] not in planned.index:
            problems.append(
                Problem(
                    source,
                    f"names unknown project {row['project']!r}",
                    row=row["_row"],
                    column="project",
                    item=row["id"],
                )
            )
        if is_given(row["status"]) and str(row["status"]).lower() not in RISK_STATUSES:
            problems.append(
                Problem(
                    source,
                    f"status {row['status']!r} is not one of {', '.join(RISK_STATUSES)}",
                    row=row["_row"],
                    column="status",
                    item=row["id"],
                )
            )
    for _, row in risks[risks["id"].duplicated()].iterrows():
        problems.append(
            Problem(
                source,
                "a second risk with the same id; ids must be unique",
                row=row["_row"],
                column="id",
                item=row["id"],
            )
        )
    return problems
