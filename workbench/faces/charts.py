"""Charts shared by the report and the app: the roadmap, capacity use and spend against budget.
Each builder takes a result and returns an Altair chart; the face renders it (inline SVG in
reports, a JupyterChart in the app)."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from workbench.data.planning_data import PlanningData
from workbench.ground.periods import Granularity
from workbench.planning.result import Result


def period_date(label: str, granularity: Granularity) -> dt.date:
    """The first day of a period label (2027-03 or 2027Q2)."""
    if Granularity(granularity) is Granularity.MONTH:
        year, month = label.split("-")
        return dt.date(int(year), int(month), 1)
    year, quarter = label.split("Q")
    return dt.date(int(year), 3 * (int(quarter) - 1) + 1, 1)


def roadmap_frame(result: Result, data: PlanningData) -> pd.DataFrame:
    """One row per selected project: its bar from its first period to the end of its last."""
    horizon = data.horizon
    rows = []
    for p in result.selected:
        end_index = p.start_index + int(data.projects.loc[p.id, "duration"])
        rows.append({"id": p.id, "project": f"{p.id} {p.name}", "category": p.category or "(none)",
                     "start": period_date(p.start, horizon.granularity).isoformat(),
                     "end": period_date(horizon.label(end_index), horizon.granularity).isoformat(),
                     "commitment": p.commitment or "optional"})
    frame = pd.DataFrame(rows, columns=["id", "project", "category", "start", "end", "commitment"])
    return frame.sort_values(["category", "start"])


def roadmap_chart(frame: pd.DataFrame, width: int, bar_height: int = 14, title: str | None = None) -> alt.Chart:
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return chart.mark_bar().encode(
        x=alt.X("start:T", title=None), x2="end:T",
        y=alt.Y("project:N", sort=list(frame["project"]), title=None),
        color=alt.Color("category:N", title="category"),
        tooltip=["project", "category", "commitment"],
    ).properties(width=width, height=max(100, bar_height * len(frame)))


def capacity_frame(result: Result) -> pd.DataFrame:
    """Per role and period: demand, capacity, hired, available and the share used."""
    frame = pd.DataFrame(result.capacity, columns=["role", "period", "demand", "capacity", "hired"])
    frame["available"] = frame["capacity"] + frame["hired"]
    frame["utilisation"] = (frame["demand"] / frame["available"].where(frame["available"] > 0)).fillna(0.0)
    return frame


def capacity_heatmap(result: Result, width: int, row_height: int = 24, title: str | None = None) -> alt.Chart:
    frame = capacity_frame(result)
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return chart.mark_rect().encode(
        x=alt.X("period:O", title=None), y=alt.Y("role:N", title=None),
        color=alt.Color("utilisation:Q", scale=alt.Scale(domain=[0, 1], scheme="orangered"), title="used"),
        tooltip=["role", "period", "demand", "capacity", "hired"],
    ).properties(width=width, height=row_height * frame["role"].nunique())


def budget_chart(result: Result, width: int, height: int, title: str | None = None) -> alt.LayerChart:
    """Spend per period as bars, the budget as a line."""
    frame = pd.DataFrame(result.budget, columns=["period", "spend", "budget"])
    bars = alt.Chart(frame).mark_bar(color="#4c78a8").encode(
        x=alt.X("period:O", title=None), y=alt.Y("spend:Q", title="money"), tooltip=["period", "spend", "budget"])
    line = alt.Chart(frame.dropna(subset=["budget"])).mark_line(color="#e45756", point=True).encode(
        x="period:O", y="budget:Q")
    layered = (bars + line).properties(width=width, height=height)
    return layered.properties(title=title) if title else layered
