"""Status-tracking tables: the approved plan (``baseline``) and what happened (``actuals``,
``effort``), checked against the portfolio; the status date is checked with the scenario."""
from __future__ import annotations

import pandas as pd

from workbench.ground.errors import Problem
from workbench.ground.periods import Horizon


def check_status_tables(tables: dict[str, pd.DataFrame], sources: dict[str, str], horizon: Horizon,
                        known: set[str], roles: set[str]) -> list[Problem]:
    """Unknown projects and roles, periods outside the horizon, duplicates, and a percent
    complete that goes down; each with its file, row and column."""
    problems: list[Problem] = []
    for name in ("baseline", "actuals", "effort"):
        frame, source = tables[name], sources[name]
        for _, row in frame.iterrows():
            if row["project"] not in known:
                problems.append(Problem(source, f"names unknown project {row['project']!r}; it must be an id in "
                                        "the projects table", row=row["_row"], column="project", item=row["project"]))
            column = "start" if name == "baseline" else "period"
            value = row[column]
            if value is not None and not pd.isna(value) and not 0 <= int(value) < horizon.periods:
                problems.append(Problem(source, f"{horizon.label(int(value))} is outside the horizon "
                                        f"{horizon.label(0)}..{horizon.label(horizon.periods - 1)}",
                                        row=row["_row"], column=column, item=row["project"]))
    baseline = tables["baseline"]
    for _, row in baseline[baseline["project"].duplicated()].iterrows():
        problems.append(Problem(sources["baseline"], "a second baseline start for the same project; keep one row",
                                row=row["_row"], column="project", item=row["project"]))
    actuals = tables["actuals"]
    for _, row in actuals[actuals.duplicated(["project", "period"])].iterrows():
        problems.append(Problem(sources["actuals"], "a second row for the same project and period; merge the two",
                                row=row["_row"], column="period", item=row["project"]))
    for project, rows in actuals.dropna(subset=["period", "percent_complete"]).groupby("project", sort=False):
        ordered = rows.sort_values("period")
        percents = pd.to_numeric(ordered["percent_complete"]).tolist()
        for (_, row), before in zip(list(ordered.iterrows())[1:], percents):
            if float(row["percent_complete"]) < before:
                problems.append(Problem(sources["actuals"], f"percent_complete {float(row['percent_complete']):g} is "
                                        f"below the {before:g} of an earlier period; it is cumulative and never "
                                        "decreases", row=row["_row"], column="percent_complete", item=project))
    effort = tables["effort"]
    for _, row in effort.iterrows():
        if row["role"] not in roles:
            problems.append(Problem(sources["effort"], f"role {row['role']!r} has no capacity; roles are those of "
                                    "the capacity table", row=row["_row"], column="role", item=row["project"]))
    return problems
