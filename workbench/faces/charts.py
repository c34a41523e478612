"""Charts shared by the report and the app: the roadmap, capacity use and spend against budget.
Each builder takes a result and returns an Altair chart; the face renders it (inline SVG in
reports, a JupyterChart in the app)."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from workbench.ground.cells import is_missing
from workbench.data.planning_data import PlanningData
from workbench.ground.formatting import whole_money
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
        rows.append(
            {
                "id": p.id,
                "project": f"{p.id} {p.name}",
                "category": p.category or "(none)",
                "start": period_date(p.start, horizon.granularity).isoformat(),
                "end": period_date(horizon.label(end_index), horizon.granularity).isoformat(),
                "commitment": p.commitment or "optional",
            }
        )
    frame = pd.DataFrame(rows, columns=["id", "project", "category", "start", "end", "commitment"])
    return frame.sort_values(["category", "start"])


def roadmap_chart(frame: pd.DataFrame, width: int, bar_height: int = 14, title: str | None = None) -> alt.Chart:
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return (
        chart.mark_bar()
        .encode(
            x=alt.X("start:T", title=None),
            x2="end:T",
            y=alt.Y("project:N", sort=list(frame["project"]), title=None),
            color=alt.Color("category:N", title="category"),
            tooltip=["project", "category", "commitment"],
        )
        .properties(width=width, height=max(100, bar_height * len(frame)))
    )


def capacity_frame(result: Result) -> pd.DataFrame:
    """Per role and period: demand, capacity, hired, available and the share used."""
    frame = result.capacity_frame()
    frame["available"] = frame["capacity"] + frame["hired"]
    frame["utilisation"] = (frame["demand"] / frame["available"].where(frame["available"] > 0)).fillna(0.0)
    return frame


def capacity_heatmap(result: Result, width: int, row_height: int = 24, title: str | None = None) -> alt.Chart:
    frame = capacity_frame(result)
    chart = alt.Chart(frame, title=title) if title else alt.Chart(frame)
    return (
        chart.mark_rect()
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y("role:N", title=None),
            color=alt.Color("utilisation:Q", scale=alt.Scale(domain=[0, 1], scheme="orangered"), title="used"),
            tooltip=["role", "period", "demand", "capacity", "hired"],
        )
        .properties(width=width, height=row_height * frame["role"].nunique())
    )


def budget_chart(result: Result, width: int, height: int, title: str | None = None) -> alt.LayerChart:
    """Spend per period as bars, the budget as a line."""
    frame = result.budget_frame()
    bars = (
        alt.Chart(frame)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("period:O", title=None), y=alt.Y("spend:Q", title="money"), tooltip=["period", "spend", "budget"]
        )
    )
    line = (
        alt.Chart(frame.dropna(subset=["budget"]))
        .mark_line(color="#e45756", point=True)
        .encode(x="period:O", y="budget:Q")
    )
    layered = (bars + line).properties(width=width, height=height)
    return layered.properties(title=title) if title else layered


def sweep_chart(frame: pd.DataFrame, keys: list[str], objective_kind: str, width: int) -> alt.Chart:
    """The objective over a sweep: a line over one key; a heat map over the first two keys,
    one panel per combination of the others. Points without a plan are grey, unproven ones say so."""
    frame = frame.copy()
    frame["label"] = [
        ("no plan" if is_missing(o) else whole_money(o))
        + ("" if s == "optimal" or is_missing(o) else f" ({s}, gap {g:.1%})" if not is_missing(g) else f" ({s})")
        for o, s, g in zip(frame["objective"], frame["status"], frame["gap"])
    ]
    # Vega-Lite reads a dot in a field name as a nested field: the keys get plain names, and titles
    fields = {key: f"key{number}" for number, key in enumerate(keys)}
    for key, name in fields.items():
        frame[name] = frame[key].map(lambda v: "null" if v is None else str(v))
    frame = frame.drop(columns=list(keys))
    titles = keys
    keys = list(fields.values())
    tooltip = [
        *(alt.Tooltip(f"{k}:N", title=t) for k, t in zip(keys, titles)),
        "status",
        alt.Tooltip("objective:Q", format=",.0f"),
        alt.Tooltip("gap:Q", format=".2%"),
        "selected",
    ]
    if len(keys) == 1:
        key = keys[0]
        base = alt.Chart(frame).encode(x=alt.X(f"{key}:O", sort=list(frame[key].unique()), title=titles[0]))
        line = base.mark_line(point=True).encode(y=alt.Y("objective:Q", title=objective_kind), tooltip=tooltip)
        text = base.mark_text(dy=-10, fontSize=10).encode(y="objective:Q", text="label:N")
        return (line + text).properties(width=width, height=240)
    x_key, y_key, *rest = keys
    frame["panel"] = (
        [", ".join(f"{t}={row[k]}" for k, t in zip(rest, titles[2:])) for _, row in frame.iterrows()] if rest else ""
    )
    cells = alt.Chart(frame).encode(
        x=alt.X(f"{x_key}:O", sort=list(frame[x_key].unique()), title=titles[0]),
        y=alt.Y(f"{y_key}:O", sort=list(frame[y_key].unique()), title=titles[1]),
    )
    rect = cells.mark_rect().encode(
        color=alt.Color("objective:Q", title=objective_kind, scale=alt.Scale(scheme="blues")), tooltip=tooltip
    )
    text = cells.mark_text(fontSize=10).encode(text="label:N")
    size = max(1, frame[x_key].nunique())
    chart = (rect + text).properties(width=min(width, 90 * size), height=34 * max(1, frame[y_key].nunique()))
    return chart.facet(facet=alt.Facet("panel:N", title=None), columns=2) if rest else chart
