"""Status-tracking tables: the approved plan (``baseline``) and what happened (``actuals``,
``effort``), checked against the portfolio; the status date is checked with the scenario."""

from __future__ import annotations

import pandas as pd

from workbench.ground.errors import Problem
from workbench.ground.periods import Horizon

#: the smallest percent complete above 0: earned value from less would put EAC = BAC / CPI past
#: any number a report can print
MIN_PERCENT = 0.01


def check_status_tables(
    tables: dict[str, pd.DataFrame], sources: dict[str, str], horizon: Horizon, known: set[str], roles: set[str]
) -> list[Problem]:
    """Unknown projects and roles, periods outside the horizon, duplicates, and a percent
    complete that goes down; each with its file, row and column."""
    problems: list[Problem] = []
    for name in ("baseline", "actuals", "effort"):
        frame, source = tables[name], sources[name]
        column = "start" if name == "baseline" else "period"
        # only the rows with a problem are visited one by one: 72,000 good rows cost a few vector ops
        periods = pd.to_numeric(frame[column], errors="coerce")
        unknown = ~frame["project"].isin(known)
        outside = periods.notna() & ((periods < 0) | (periods >= horizon.periods))
        for row, project, value, is_unknown, is_outside in zip(
            frame["_row"][unknown | outside],
            frame["project"][unknown | outside],
            periods[unknown | outside],
            unknown[unknown | outside],
            outside[unknown | outside],
        ):
            if is_unknown:
                problems.append(
                    Problem(
                        source,
                        f"names unknown project {project!r}; it must be an id in the projects table",
                        row=row,
                        column="project",
                        item=project,
                    )
                )
            if is_outside:
                problems.append(
                    Problem(
                        source,
                        f"{horizon.label(int(value))} is outside the horizon "
                        f"{horizon.label(0)}..{horizon.label(horizon.periods - 1)}",
                        row=row,
                        column=column,
                        item=project,
                    )
                )
    baseline = tables["baseline"]
    for _, row in baseline[baseline["project"].duplicated()].iterrows():
        problems.append(
            Problem(
                sources["baseline"],
                "a second baseline start for the same project; keep one row",
                row=row["_row"],
                column="project",
                item=row["project"],
            )
        )
    actuals = tables["actuals"]
    percents = pd.to_numeric(actuals["percent_complete"], errors="coerce")
    for _, row in actuals[(percents > 0) & (percents < MIN_PERCENT)].iterrows():
        problems.append(
            Problem(
                sources["actuals"],
                f"percent_complete {float(row['percent_complete']):g} is above 0 but "
                f"below {MIN_PERCENT:g}, the smallest progress reported (docs/status.md); write 0 or "
                f"at least {MIN_PERCENT:g}",
                row=row["_row"],
                column="percent_complete",
                item=row["project"],
            )
        )
    for _, row in actuals[actuals.duplicated(["project", "period"])].iterrows():
        problems.append(
            Problem(
                sources["actuals"],
                "a second row for the same project and period; merge the two",
                row=row["_row"],
                column="period",
                item=row["project"],
            )
        )
    # percent never decreases: each row against the largest percent of the project's earlier periods
    ordered = actuals.dropna(subset=["period", "percent_complete"]).copy()
    ordered["_percent"] = pd.to_numeric(ordered["percent_complete"])
    ordered["_period"] = pd.to_numeric(ordered["period"])
    ordered = ordered.sort_values(["project", "_period"], kind="stable")
    before = ordered.groupby("project", sort=False)["_percent"].shift(1)
    earlier_max = before.groupby(ordered["project"], sort=False).cummax()
    for row, project, percent, highest in zip(
        *(
            column[ordered["_percent"] < earlier_max]
            for column in (ordered["_row"], ordered["project"], ordered["_percent"], earlier_max)
        )
    ):
        problems.append(
            Problem(
                sources["actuals"],
                f"percent_complete {percent:g} is below the {highest:g} of an "
                "earlier period; it is cumulative and never decreases",
                row=row,
                column="percent_complete",
                item=project,
            )
        )
    effort = tables["effort"]
    for _, row in effort[effort.duplicated(["project", "period", "role"])].iterrows():
        problems.append(
            Problem(
                sources["effort"],
                "a second row for the same project, period and role; merge the two",
                row=row["_row"],
                column="role",
                item=row["project"],
            )
        )
    unknown_role = ~effort["role"].isin(roles)
    for row, role, project in zip(
        effort["_row"][unknown_role], effort["role"][unknown_role], effort["project"][unknown_role]
    ):
        problems.append(
            Problem(
                sources["effort"],
                f"role {role!r} has no capacity; roles are those of the capacity table",
                row=row,
                column="role",
                item=project,
            )
        )
    return problems
