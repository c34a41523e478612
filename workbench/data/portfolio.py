"""The portfolio: typed tables, loaded from a CSV folder or an xlsx workbook, and validated.

The format is documented in ``docs/portfolio-format.md``; this module enforces it. Every
problem found is collected (not only the first) and raised together as an
:class:`~workbench.ground.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.ground.cells import is_given
from workbench.ground.errors import InputError, Problem
from workbench.ground.limits import MAX_FTE, MAX_MONEY, MAX_PERIODS
from workbench.ground.periods import Granularity, Horizon, format_period
from workbench.data.actuals import check_status_tables
from workbench.data.uncertainty import check_risk_tables
from workbench.data.tables import (
    CellError,
    RawTable,
    as_bool,
    as_decimal,
    as_period,
    as_text,
    as_whole,
    read_raw_portfolio,
)

STATUSES = ("proposed", "approved", "in_progress")
COMMITTED_STATUSES = ("approved", "in_progress")


@dataclass(frozen=True)
class Column:
    """One documented column: how its cells are read and what values are allowed."""

    name: str
    kind: str  # text | decimal | whole | bool | period | status | percent (a decimal 0-100; a 60 % cell is 60)
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def expectation(self) -> str:
        kinds = {
            "text": "text",
            "decimal": "a number",
            "whole": "a whole number",
            "percent": "a percentage",
            "bool": "true or false",
            "period": "a period label",
            "status": "one of " + ", ".join(STATUSES),
        }
        text = kinds[self.kind]
        if self.minimum is not None and self.maximum is not None and self.maximum <= 100:
            text += f" from {self.minimum:g} to {self.maximum:g}"
        elif self.minimum is not None and self.maximum is not None:  # a documented limit, far above real figures
            text += f" >= {self.minimum:g}, at most {self.maximum:g} (docs/portfolio-format.md, 'Limits')"
        elif self.minimum is not None:
            text += f" >= {self.minimum:g}"
        if self.kind == "percent":
            text += " (40 for 40 %)"
        return text


M, F, P = MAX_MONEY, MAX_FTE, MAX_PERIODS  # the documented bounds (docs/portfolio-format.md, "Limits")
SCHEMA: dict[str, tuple[Column, ...]] = {
    "projects": (
        Column("id", "text", True),
        Column("name", "text", True),
        Column("value", "decimal", True, 0, M),
        Column("cost", "decimal", True, 0, M),
        Column("duration", "whole", True, 1, P),
        Column("earliest_start", "period"),
        Column("latest_start", "period"),
        Column("mandatory", "bool"),
        Column("category", "text"),
        Column("status", "status"),
        Column("start", "period"),
        Column("risk", "decimal", False, 0, 1),
    ),
    "demand": (
        Column("project", "text", True),
        Column("role", "text", True),
        Column("fte", "decimal", True, 0, F),
        Column("offset", "whole", False, 0, P),
    ),
    "capacity": (Column("role", "text", True), Column("fte", "decimal", True, 0, F), Column("period", "period")),
    "budget": (Column("amount", "decimal", True, 0, M), Column("period", "period")),
    "costs": (
        Column("project", "text", True),
        Column("offset", "whole", True, 0, P),
        Column("amount", "decimal", True, 0, M),
    ),
    "dependencies": (Column("project", "text", True), Column("requires", "text", True)),
    "exclusions": (Column("group", "text", True), Column("project", "text", True)),
    "criteria": (Column("criterion", "text", True), Column("weight", "decimal", True, 0, M)),
    # status tracking (docs/status.md): the approved plan, and what happened
    "baseline": (Column("project", "text", True), Column("start", "period", True)),
    "actuals": (
        Column("project", "text", True),
        Column("period", "period", True),
        Column("cost", "decimal", True, 0, M),
        Column("percent_complete", "percent", True, 0, 100),
    ),
    "effort": (
        Column("project", "text", True),
        Column("period", "period", True),
        Column("role", "text", True),
        Column("fte", "decimal", True, 0, F),
    ),
    # risk (docs/risk.md): ranges around the planned figures, and a register of risk events
    "uncertainty": (
        Column("project", "text", True),
        Column("cost_low", "decimal", False, 0, M),
        Column("cost_high", "decimal", False, 0, M),
        Column("value_low", "decimal", False, 0, M),
        Column("value_high", "decimal", False, 0, M),
        Column("duration_low", "whole", False, 1, P),
        Column("duration_high", "whole", False, 1, P),
        Column("success_probability", "decimal", False, 0, 1),
        Column("distribution", "text"),
    ),
    "risks": (
        Column("id", "text", True),
        Column("title", "text", True),
        Column("project", "text"),
        Column("probability", "decimal", True, 0, 1),
        Column("cost_impact", "decimal", False, 0, M),
        Column("delay", "whole", False, 0, P),
        Column("owner", "text"),
        Column("status", "text"),
        Column("mitigation", "text"),
        Column("due", "period"),
    ),
}
SCORE_PREFIX = "score_"


@dataclass
class Portfolio:
    """Typed, validated portfolio tables.

    Every frame keeps a ``_row`` column (the row in the source file) for messages, and every
    extra column of the source. Period columns hold relative period indices (0 = the horizon's
    first period); ``horizon.label(t)`` turns them back into labels.
    """

    location: Path
    horizon: Horizon
    tables: dict[str, pd.DataFrame]
    sources: dict[str, str]
    data_hash: str
    warnings: list[str] = field(default_factory=list)

    @property
    def projects(self) -> pd.DataFrame:
        return self.tables["projects"]

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def extra_project_columns(self) -> list[str]:
        """Columns of the projects table beyond the documented ones (scores included): kept as given."""
        documented = {c.name for c in SCHEMA["projects"]} | {"_row"}
        return [c for c in self.projects.columns if c not in documented]

    @property
    def roles(self) -> list[str]:
        return list(dict.fromkeys(self.tables["capacity"]["role"]))

    @property
    def categories(self) -> list[str]:
        return sorted(set(self.projects["category"].dropna()))

    @property
    def criteria_weights(self) -> dict[str, float]:
        criteria = self.tables["criteria"]
        return dict(zip(criteria["criterion"], criteria["weight"]))

    def committed(self) -> pd.Series:
        """Mandatory, approved or in-progress: always selected."""
        projects = self.projects
        return projects["mandatory"] | projects["status"].isin(COMMITTED_STATUSES)


# ----------------------------------------------------------------------------- typing
def _type_table(raw: RawTable, granularity: Granularity, start_absolute: int, problems: list[Problem]) -> pd.DataFrame:
    columns = SCHEMA[raw.name]
    spec_by_name = {c.name: c for c in columns}
    header = raw.header
    seen: set[str] = set()
    for position, title in enumerate(header):
        if title == "":
            problems.append(Problem(raw.source, f"column {position + 1} has no title; give it one or delete it", row=1))
        elif title in seen:
            problems.append(
                Problem(raw.source, "this column title appears twice; rename or remove one", row=1, column=title)
            )
        seen.add(title)
    missing = [c.name for c in columns if c.required and c.name not in header]
    for name in missing:
        problems.append(
            Problem(
                raw.source,
                f"required column {name!r} is missing; the header has "
                f"{', '.join(repr(h) for h in header) or 'no titles'}",
                row=1,
                column=name,
            )
        )
    if not raw.rows and raw.name in ("projects", "demand", "capacity"):
        problems.append(Problem(raw.source, f"has a header but no rows; the {raw.name!r} table needs at least one"))

    readers: dict[str, Callable[[object], object]] = {
        "text": as_text,
        "decimal": as_decimal,
        "whole": as_whole,
        "bool": as_bool,
        "period": lambda cell: as_period(cell, granularity),
        "status": _as_status,
        "percent": as_decimal,
    }
    formatted = raw.percent_cells  # (row, column index) of workbook cells shown as a percentage
    id_column = "id" if raw.name == "projects" else ("project" if "project" in header else None)
    records: list[dict[str, object]] = []
    for row_number, cells in raw.rows:
        record: dict[str, object] = {"_row": row_number}
        item = as_text(cells[header.index(id_column)]) if id_column in header else None
        for position, (title, cell) in enumerate(zip(header, cells)):
            if not title or title in record:
                continue
            spec = spec_by_name.get(title)
            if spec is None and raw.name == "projects" and title.startswith(SCORE_PREFIX):
                spec = Column(title, "decimal", False, 0)
            if spec is None:
                record[title] = as_text(cell)  # extra column: kept as text
                continue
            try:
                value = readers[spec.kind](cell)
                if (row_number, position) in formatted and value is not None:
                    # a cell formatted as a percentage holds a fraction (0.6 shown as 60 %)
                    if spec.kind == "percent":
                        value = value * 100
                    elif not (spec.kind == "decimal" and spec.maximum == 1):
                        raise CellError(
                            f"{value:g} is formatted as a percentage ({value:.0%}); format the cell as a plain number"
                        )
            except CellError as exc:
                problems.append(
                    Problem(
                        raw.source, f"{exc}; expected {spec.expectation()}", row=row_number, column=title, item=item
                    )
                )
                record[title] = None
                continue
            if value is None:
                if spec.required:
                    problems.append(
                        Problem(
                            raw.source,
                            f"is empty; expected {spec.expectation()}",
                            row=row_number,
                            column=title,
                            item=item,
                        )
                    )
            elif spec.kind in ("decimal", "whole", "percent") and (
                (spec.minimum is not None and value < spec.minimum)
                or (spec.maximum is not None and value > spec.maximum)
            ):
                problems.append(
                    Problem(
                        raw.source,
                        f"{value:g} is out of range; expected {spec.expectation()}",
                        row=row_number,
                        column=title,
                        item=item,
                    )
                )
            if spec.kind == "period" and value is not None:
                value = int(value) - start_absolute
            record[title] = value
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["_row", *[h for h in dict.fromkeys(header) if h]])
    for spec in columns:  # optional documented columns always exist
        if spec.name not in frame:
            frame[spec.name] = None
    return frame


def _as_status(cell: object) -> str | None:
    text = as_text(cell)
    if text is None:
        return None
    normalised = text.lower().replace("-", "_").replace(" ", "_")
    if normalised not in STATUSES:
        raise CellError(f"{text!r} is not a known status")
    return normalised


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame({"_row": pd.Series(dtype="int64"), **{c.name: pd.Series(dtype="object") for c in SCHEMA[name]}})


# ----------------------------------------------------------------------------- loading
def load_portfolio(location: str | Path, horizon: Horizon) -> Portfolio:
    """Load and validate a portfolio folder or workbook against a horizon.

    Raises
    ------
    InputError
        With every problem found, each naming file, row, id and column.
    """
    raw = read_raw_portfolio(Path(location))
    problems = list(raw.problems)
    granularity = Granularity(horizon.granularity)
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for name in SCHEMA:
        table = raw.tables.get(name)
        if table is None:
            frames[name] = _empty(name)
            sources[name] = f"{raw.location}"
            continue
        sources[name] = table.source
        frames[name] = _type_table(table, granularity, horizon.start_absolute, problems)
    if problems:  # cross-table checks on half-typed data would only add noise
        raise InputError(problems)

    portfolio = Portfolio(Path(location), horizon, frames, sources, raw.data_hash)
    _normalise(portfolio)
    problems.extend(_check_references(portfolio))
    if problems:
        raise InputError(problems)
    return portfolio


def _normalise(portfolio: Portfolio) -> None:
    projects = portfolio.tables["projects"]
    projects["id"] = projects["id"].astype(str)
    projects["mandatory"] = projects["mandatory"].map(lambda v: bool(v) if is_given(v) else False).astype(bool)
    projects["status"] = projects["status"].map(lambda v: v if isinstance(v, str) else "proposed")
    projects["risk"] = pd.to_numeric(projects["risk"]).fillna(0.0)
    for column in ("value", "cost"):
        projects[column] = pd.to_numeric(projects[column]).astype(float)
    projects["duration"] = projects["duration"].astype(int)
    for column in [c for c in projects.columns if c.startswith(SCORE_PREFIX)]:
        projects[column] = pd.to_numeric(projects[column]).fillna(0.0)
    projects.index = pd.Index(projects["id"], name="project_id")
    for name, column in (
        ("demand", "fte"),
        ("capacity", "fte"),
        ("budget", "amount"),
        ("costs", "amount"),
        ("criteria", "weight"),
        ("actuals", "cost"),
        ("actuals", "percent_complete"),
        ("effort", "fte"),
    ):
        frame = portfolio.tables[name]
        frame[column] = pd.to_numeric(frame[column]).astype(float)


def _check_references(portfolio: Portfolio) -> list[Problem]:
    """Rows that name what the portfolio lacks or contradict another row: one function per table."""
    tables, sources, horizon = portfolio.tables, portfolio.sources, portfolio.horizon
    known, roles = set(tables["projects"]["id"]), set(tables["capacity"]["role"])
    return [
        *_check_project_rows(portfolio),
        *_check_demand_rows(portfolio),
        *_duplicate_periods(tables["capacity"], ["role"], sources["capacity"], horizon, "role"),
        *_duplicate_periods(tables["budget"], [], sources["budget"], horizon, None),
        *_check_cost_rows(portfolio),
        *_check_dependency_rows(portfolio),
        *_check_exclusion_rows(portfolio),
        *_check_criteria_rows(portfolio),
        *check_status_tables(tables, sources, horizon, known, roles),
        *check_risk_tables(tables, sources, tables["projects"]),
        *_check_commitments_fit(portfolio),
    ]


def _check_project_rows(portfolio: Portfolio) -> list[Problem]:
    """Unique ids; windows, actual starts and in-progress starts that agree."""
    problems: list[Problem] = []
    tables, sources, horizon = portfolio.tables, portfolio.sources, portfolio.horizon
    projects = tables["projects"]
    src = sources["projects"]
    duplicated = projects["id"].duplicated(keep="first")
    for _, row in projects[duplicated].iterrows():
        first = projects.loc[projects["id"] == row["id"], "_row"].iloc[0]
        problems.append(
            Problem(
                src,
                f"duplicate id (first used in row {first}); ids must be unique",
                row=row["_row"],
                column="id",
                item=row["id"],
            )
        )

    for _, row in projects.iterrows():
        earliest, latest, start = row["earliest_start"], row["latest_start"], row["start"]
        if is_given(earliest) and is_given(latest) and earliest > latest:
            problems.append(
                Problem(
                    src,
                    f"earliest_start {horizon.label(int(earliest))} is after latest_start "
                    f"{horizon.label(int(latest))}; swap them or widen the window",
                    row=row["_row"],
                    column="earliest_start",
                    item=row["id"],
                )
            )
        if row["status"] == "in_progress" and not is_given(start):
            problems.append(
                Problem(
                    src,
                    "an in_progress project needs its actual 'start' period",
                    row=row["_row"],
                    column="start",
                    item=row["id"],
                )
            )
        if is_given(start) and ((is_given(earliest) and start < earliest) or (is_given(latest) and start > latest)):
            problems.append(
                Problem(
                    src,
                    f"start {horizon.label(int(start))} lies outside its window "
                    f"earliest_start..latest_start; fix one of them",
                    row=row["_row"],
                    column="start",
                    item=row["id"],
                )
            )
    return problems


def _what_rows_name(portfolio: Portfolio) -> tuple[dict, dict, set, dict]:
    """The tables, their sources, the project ids and each project's duration: what a row that
    names a project is checked against."""
    projects = portfolio.tables["projects"]
    return (
        portfolio.tables,
        portfolio.sources,
        set(projects["id"]),
        dict(zip(projects["id"], projects["duration"])),
    )


def _check_demand_rows(portfolio: Portfolio) -> list[Problem]:
    """Demand rows name a project, a role with capacity and an offset within the project."""
    problems: list[Problem] = []
    tables, sources, known, duration = _what_rows_name(portfolio)
    roles = set(tables["capacity"]["role"])
    demand = tables["demand"]
    for _, row in demand.iterrows():
        if row["project"] not in known:
            problems.append(
                Problem(
                    sources["demand"],
                    f"names unknown project {row['project']!r}; it must be an id in the projects table",
                    row=row["_row"],
                    column="project",
                    item=row["project"],
                )
            )
        if row["role"] not in roles:
            problems.append(
                Problem(
                    sources["demand"],
                    f"role {row['role']!r} has no capacity; add it to the "
                    "capacity table (roles are exactly those named there)",
                    row=row["_row"],
                    column="role",
                    item=row["project"],
                )
            )
        if is_given(row["offset"]) and row["project"] in duration and row["offset"] >= duration[row["project"]]:
            problems.append(
                Problem(
                    sources["demand"],
                    f"offset {int(row['offset'])} is outside the project's "
                    f"periods 0..{duration[row['project']] - 1} (duration {duration[row['project']]})",
                    row=row["_row"],
                    column="offset",
                    item=row["project"],
                )
            )
    return problems


def _check_cost_rows(portfolio: Portfolio) -> list[Problem]:
    """Cost profile rows name a project, an offset within it, and each offset once."""
    problems: list[Problem] = []
    tables, sources, known, duration = _what_rows_name(portfolio)
    costs = tables["costs"]
    for _, row in costs.iterrows():
        if row["project"] not in known:
            problems.append(
                Problem(
                    sources["costs"],
                    f"names unknown project {row['project']!r}",
                    row=row["_row"],
                    column="project",
                    item=row["project"],
                )
            )
        elif row["offset"] >= duration[row["project"]]:
            problems.append(
                Problem(
                    sources["costs"],
                    f"offset {int(row['offset'])} is outside the project's periods 0..{duration[row['project']] - 1}",
                    row=row["_row"],
                    column="offset",
                    item=row["project"],
                )
            )
    for _, row in costs[costs.duplicated(["project", "offset"])].iterrows():
        problems.append(
            Problem(
                sources["costs"],
                "a second amount for the same project and offset; merge the two rows",
                row=row["_row"],
                column="offset",
                item=row["project"],
            )
        )
    return problems


def _check_dependency_rows(portfolio: Portfolio) -> list[Problem]:
    """Dependencies name projects, never the project itself, and form no cycle."""
    problems: list[Problem] = []
    tables, sources, known, _ = _what_rows_name(portfolio)
    dependencies = tables["dependencies"]
    for _, row in dependencies.iterrows():
        for column in ("project", "requires"):
            if row[column] not in known:
                problems.append(
                    Problem(
                        sources["dependencies"],
                        f"names unknown project {row[column]!r}",
                        row=row["_row"],
                        column=column,
                        item=row[column],
                    )
                )
        if row["project"] == row["requires"]:
            problems.append(
                Problem(
                    sources["dependencies"],
                    "a project cannot require itself",
                    row=row["_row"],
                    column="requires",
                    item=row["project"],
                )
            )
    edges = [(p, q) for p, q in zip(dependencies["project"], dependencies["requires"]) if p != q]
    cycle = find_cycle(edges)
    if cycle:
        first_row = dependencies.loc[
            (dependencies["project"] == cycle[0]) & (dependencies["requires"] == cycle[1]), "_row"
        ].iloc[0]
        problems.append(
            Problem(
                sources["dependencies"],
                "dependency cycle "
                + " -> ".join(cycle)
                + " (each requires the next); remove one of these requirements",
                row=int(first_row),
                column="requires",
                item=cycle[0],
            )
        )
    return problems


def _check_exclusion_rows(portfolio: Portfolio) -> list[Problem]:
    """Exclusion groups name projects and hold at most one commitment."""
    problems: list[Problem] = []
    tables, sources, known, _ = _what_rows_name(portfolio)
    exclusions = tables["exclusions"]
    for _, row in exclusions.iterrows():
        if row["project"] not in known:
            problems.append(
                Problem(
                    sources["exclusions"],
                    f"names unknown project {row['project']!r}",
                    row=row["_row"],
                    column="project",
                    item=row["project"],
                )
            )
    committed = set(tables["projects"].loc[portfolio.committed(), "id"])
    for group, members in exclusions.groupby("group", sort=True):
        fixed = sorted(set(members["project"]) & committed)
        if len(fixed) > 1:
            problems.append(
                Problem(
                    sources["exclusions"],
                    f"group {group!r} holds {len(fixed)} committed "
                    f"(mandatory, approved or in_progress) projects {', '.join(fixed)}; "
                    "at most one of a group can be selected",
                    row=int(members["_row"].iloc[0]),
                    column="project",
                    item=str(group),
                )
            )
    return problems


def _check_criteria_rows(portfolio: Portfolio) -> list[Problem]:
    """Each criterion once, with its score column in the projects table."""
    problems: list[Problem] = []
    tables, sources = portfolio.tables, portfolio.sources
    projects = tables["projects"]
    criteria = tables["criteria"]
    for _, row in criteria.iterrows():
        column = SCORE_PREFIX + str(row["criterion"])
        if column not in projects.columns:
            problems.append(
                Problem(
                    sources["criteria"],
                    f"criterion {row['criterion']!r} has no column "
                    f"{column!r} in the projects table; add the scores there",
                    row=row["_row"],
                    column="criterion",
                    item=row["criterion"],
                )
            )
    for _, row in criteria[criteria["criterion"].duplicated()].iterrows():
        problems.append(
            Problem(
                sources["criteria"],
                "criterion listed twice",
                row=row["_row"],
                column="criterion",
                item=row["criterion"],
            )
        )
    return problems


def _check_commitments_fit(portfolio: Portfolio) -> list[Problem]:
    """A committed project can run within the horizon."""
    problems: list[Problem] = []
    tables, sources, horizon = portfolio.tables, portfolio.sources, portfolio.horizon
    projects = tables["projects"]
    src = sources["projects"]
    for _, row in projects[portfolio.committed()].iterrows():
        why = "mandatory" if row["mandatory"] else row["status"]
        if not start_options(row, horizon.periods):
            problems.append(
                Problem(
                    src,
                    f"{why} project cannot run within the horizon "
                    f"{horizon.label(0)}..{horizon.label(horizon.periods - 1)}: " + describe_window(row, horizon),
                    row=row["_row"],
                    column="start" if is_given(row["start"]) else "duration",
                    item=row["id"],
                )
            )
    return problems


def start_options(project: pd.Series | dict, periods: int) -> list[int]:
    """Start periods at which the project lies inside the horizon and its own window."""
    duration = int(project["duration"])
    last = periods - duration
    if is_given(project["start"]):
        start = int(project["start"])
        return [start] if 0 <= start <= last else []
    low = 0 if not is_given(project["earliest_start"]) else max(0, int(project["earliest_start"]))
    high = last if not is_given(project["latest_start"]) else min(last, int(project["latest_start"]))
    return list(range(low, high + 1))


def describe_window(project: pd.Series | dict, horizon: Horizon) -> str:
    duration = int(project["duration"])
    if is_given(project["start"]):
        start = int(project["start"])
        return (
            f"it starts in {horizon.label(start)} and runs {duration} periods, to {horizon.label(start + duration - 1)}"
        )
    low = 0 if not is_given(project["earliest_start"]) else int(project["earliest_start"])
    high = horizon.periods - 1 if not is_given(project["latest_start"]) else int(project["latest_start"])
    return (
        f"it runs {duration} periods and may start {horizon.label(max(low, 0))}..{horizon.label(high)}, "
        f"so it cannot finish by {horizon.label(horizon.periods - 1)}"
        if high >= low
        else f"its window {horizon.label(low)}..{horizon.label(high)} is empty"
    )


def _duplicate_periods(
    frame: pd.DataFrame, keys: list[str], source: str, horizon: Horizon, item_column: str | None
) -> list[Problem]:
    problems = []
    for index in frame.index[frame.duplicated(subset=keys + ["period"])]:
        row = frame.loc[index]
        period = "every period" if not is_given(row["period"]) else horizon.label(int(row["period"]))
        problems.append(
            Problem(
                source,
                f"a second row for {period}"
                + (f" and role {row[item_column]!r}" if item_column else "")
                + "; keep one row per period",
                row=int(row["_row"]),
                column="period",
                item=row[item_column] if item_column else None,
            )
        )
    return problems


def find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """A cycle in ``project -> requires`` edges, as a closed path, or ``None``."""
    graph: dict[str, list[str]] = {}
    for source, target in edges:
        graph.setdefault(source, []).append(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def per_period(frame: pd.DataFrame, value_column: str, periods: int) -> list[float | None]:
    """Expand 'a row without period + rows that replace single periods' into a value per
    period (``None`` where no row applies). Periods outside the horizon are ignored."""
    values: list[float | None] = [None] * periods
    has_period = frame["period"].map(is_given)
    default = frame[~has_period]
    if len(default):
        values = [float(default[value_column].iloc[0])] * periods
    for t, value in zip(frame.loc[has_period, "period"], frame.loc[has_period, value_column]):
        if 0 <= int(t) < periods:
            values[int(t)] = float(value)
    return values


__all__ = ["Portfolio", "load_portfolio", "start_options", "find_cycle", "per_period", "format_period"]
