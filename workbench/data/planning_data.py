"""Scenario + portfolio -> the planning data the optimiser, checker and views share.

``load_inputs(path)`` loads a scenario, its portfolio, checks the scenario against the
portfolio (unknown projects, roles, categories; forced-out commitments; forced-in projects
that cannot fit) and derives, per the documented semantics:

* the start options of every project (only those that can exist),
* demand and cost profiles by offset,
* capacity per role and period (after scenario adjustments), budget per period,
* the objective coefficient of every (project, start).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.ground.cells import is_given
from workbench.ground.formatting import money
from workbench.ground.errors import InputError, Problem
from workbench.ground.periods import Horizon, label_or_date
from workbench.data.confidence import at_confidence
from workbench.data.portfolio import Portfolio, describe_window, load_portfolio, per_period, start_options
from workbench.data.scenario import LoadedScenario, Objective, load_scenario, Scenario
from workbench.data.scoring import CONSISTENCY_LIMIT, ahp_weights, check_ahp, project_scores


class Commitment(StrEnum):
    """Why a project must be in every plan (``NONE``: it is optional)."""

    NONE = ""
    MANDATORY = "mandatory"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    FORCED_IN = "forced in"


@dataclass
class PlanningData:
    """Everything one solve needs, indexed by what can exist.

    Attributes
    ----------
    projects : DataFrame
        Indexed by project id: name, value, cost, duration, category, risk, score,
        ``commitment`` ("mandatory", "approved", "in_progress", "forced in" or ""),
        ``forced_out`` (bool).
    start_options : DataFrame
        Columns project, start, coefficient (objective value of that start).
    demand : DataFrame
        Columns project, role, offset, fte (per running period, flat rows expanded).
    costs : DataFrame
        Columns project, offset, amount.
    capacity : DataFrame
        Columns role, period, fte (scenario adjustments applied, never below 0).
    budget : list of float or None
        Per period; ``None`` where spending is unconstrained.
    """

    horizon: Horizon
    objective: Objective
    projects: pd.DataFrame
    start_options: pd.DataFrame
    demand: pd.DataFrame
    costs: pd.DataFrame
    capacity: pd.DataFrame
    budget: list[float | None]
    budget_total: float | None
    hiring: dict[str, tuple[float, float]]
    dependencies: list[tuple[str, str]]
    exclusions: dict[str, list[str]]
    balance: dict[str, tuple[float, float]]
    warnings: list[str] = field(default_factory=list)
    status_period: int | None = None  # set when this is a re-plan from that status period
    actual_cost: float | None = None  # a re-plan: the actual cost of every project up to the status period

    def forecast_finish(self, project: str, start: int) -> int:
        """The finish of ``project`` started at ``start``: a started project's forecast in a re-plan
        (which may lie after the horizon), else start + duration - 1."""
        if "forecast_finish" in self.projects:
            forecast = self.projects.at[project, "forecast_finish"]
            if forecast is not None and forecast == forecast:
                return int(forecast)
        return start + int(self.projects.at[project, "duration"]) - 1

    def forecast_cost(self, project: str) -> float:
        """A started project's forecast cost at completion in a re-plan (actual + ETC), else its cost."""
        if "forecast_cost" in self.projects:
            forecast = self.projects.at[project, "forecast_cost"]
            if forecast is not None and forecast == forecast:
                return float(forecast)
        return float(self.projects.at[project, "cost"])

    @property
    def periods(self) -> int:
        return self.horizon.periods

    @property
    def roles(self) -> list[str]:
        return list(dict.fromkeys(self.capacity["role"]))

    def with_changes(self, **changes) -> PlanningData:
        return replace(self, **changes)

    @cached_property
    def demand_by_project(self) -> dict[str, list[tuple[str, int, float]]]:
        """project -> [(role, offset, fte)], for per-project look-ups without scanning the frame."""
        out: dict[str, list[tuple[str, int, float]]] = {}
        for project, role, offset, fte in self.demand[["project", "role", "offset", "fte"]].itertuples(index=False):
            out.setdefault(project, []).append((role, int(offset), float(fte)))
        return out

    @cached_property
    def capacity_by_role_period(self) -> dict[tuple[str, int], float]:
        """(role, period) -> FTE available before hiring."""
        return {
            (role, int(t)): float(fte)
            for role, t, fte in self.capacity[["role", "period", "fte"]].itertuples(index=False)
        }

    @cached_property
    def requires(self) -> dict[str, list[str]]:
        """project -> the projects it requires."""
        out: dict[str, list[str]] = {}
        for project, required in self.dependencies:
            out.setdefault(project, []).append(required)
        return out

    @cached_property
    def committed(self) -> list[str]:
        """The projects every plan holds: mandatory, approved, in progress or forced in, and not
        forced out (a re-plan may stop a started one). The one test of a commitment; the
        independent checker has its own."""
        projects = self.projects
        return [str(p) for p in projects.index[projects["commitment"].ne(Commitment.NONE) & ~projects["forced_out"]]]

    @cached_property
    def must_run(self) -> set[str]:
        """The commitments and every project they require, directly or through others."""
        return set(self.committed) | set(self.needed_by_commitments)

    @cached_property
    def needed_by_commitments(self) -> dict[str, str]:
        """Each project a commitment requires, directly or through others -> one such commitment.
        No plan lacks these."""
        needed: dict[str, str] = {}
        for commitment in self.committed:
            stack = list(self.requires.get(commitment, []))
            while stack:
                required = stack.pop()
                if required not in needed:
                    needed[required] = str(commitment)
                    stack.extend(self.requires.get(required, []))
        return needed

    @cached_property
    def coefficient_by_option(self) -> dict[tuple[str, int], float]:
        """(project, start) -> objective coefficient of that start."""
        options = self.start_options
        return {
            (str(p), int(s)): float(c) for p, s, c in zip(options["project"], options["start"], options["coefficient"])
        }

    @cached_property
    def costs_by_project(self) -> dict[str, list[tuple[int, float]]]:
        """project -> [(offset, amount)]."""
        out: dict[str, list[tuple[int, float]]] = {}
        for project, offset, amount in self.costs[["project", "offset", "amount"]].itertuples(index=False):
            out.setdefault(project, []).append((int(offset), float(amount)))
        return out


@dataclass
class Inputs:
    """A loaded scenario, its portfolio and the planning data derived from both.

    With ``risk.plan_at`` set, ``portfolio`` holds the figures at that confidence, which the plan
    is made and checked with, and ``estimates`` the portfolio as loaded."""

    scenario: LoadedScenario
    portfolio: Portfolio
    data: PlanningData
    estimates: Portfolio | None = None

    @property
    def name(self) -> str:
        return self.scenario.name


def load_inputs(path: str | Path) -> Inputs:
    """Load a scenario, its portfolio, and the planning data derived from both.

    Parameters
    ----------
    path : str or Path
        The scenario file (YAML); its ``portfolio`` is relative to it.

    Returns
    -------
    Inputs
        The scenario, the portfolio and the planning data.

    Raises
    ------
    InputError
        Every problem found in the scenario and the portfolio, each naming its file, row (or
        line), id and column.
    """
    scenario = load_scenario(path)
    portfolio = load_portfolio(scenario.portfolio_path, scenario.horizon)
    problems = check_scenario(scenario, portfolio)
    if problems:
        raise InputError(problems)
    return inputs_for(scenario, portfolio)


def inputs_for(scenario: LoadedScenario, portfolio: Portfolio) -> Inputs:
    """The inputs of ``scenario`` over the portfolio as loaded: at the confidence level of
    ``risk.plan_at`` when the scenario sets one."""
    level = scenario.spec.risk.plan_at
    if level is not None:
        planned = at_confidence(portfolio, level)
        return Inputs(scenario, planned, build_planning_data(scenario, planned), estimates=portfolio)
    return Inputs(scenario, portfolio, build_planning_data(scenario, portfolio))


def check_scenario(scenario: LoadedScenario, portfolio: Portfolio) -> list[Problem]:
    """Scenario keys that name things the portfolio does not have, or contradict it."""
    spec, horizon = scenario.spec, portfolio.horizon
    problems: list[Problem] = []
    projects = portfolio.projects
    known = set(projects["id"])
    committed = set(projects.loc[portfolio.committed(), "id"])
    for key in ("force_in", "force_out"):
        for index, project in enumerate(getattr(spec, key)):
            if project not in known:
                problems.append(
                    scenario.problem(
                        (key, index), f"unknown project {project!r}; use an id from the projects table", project
                    )
                )
    for index, project in enumerate(spec.force_out):
        if project in committed:
            row = projects.loc[project]
            why = "mandatory" if row["mandatory"] else row["status"]
            problems.append(
                scenario.problem(
                    ("force_out", index),
                    f"project {project!r} is {why} and cannot be forced out; change its status in the portfolio first",
                    project,
                )
            )
        if project in spec.force_in:
            problems.append(
                scenario.problem(("force_out", index), f"project {project!r} is forced both in and out", project)
            )
    for index, project in enumerate(spec.force_in):
        if project in known and not start_options(projects.loc[project], horizon.periods):
            problems.append(
                scenario.problem(
                    ("force_in", index),
                    f"forced-in project {project!r} cannot run "
                    "within the horizon: " + describe_window(projects.loc[project], horizon),
                    project,
                )
            )
    fixed = committed | (set(spec.force_in) & known)
    exclusions = portfolio.table("exclusions")
    for group, members in exclusions.groupby("group", sort=True):
        both = sorted(set(members["project"]) & fixed)
        if len(both) > 1 and not set(both) <= committed:
            problems.append(
                scenario.problem(
                    ("force_in",),
                    f"exclusion group {group!r} would hold "
                    f"{', '.join(both)}, all committed or forced in; at most one "
                    "can be selected",
                    str(group),
                )
            )
    roles = set(portfolio.roles)
    for index, adjustment in enumerate(spec.capacity):
        if adjustment.role not in roles:
            problems.append(
                scenario.problem(
                    ("capacity", index, "role"),
                    f"unknown role {adjustment.role!r}; roles are {', '.join(sorted(roles))}",
                    adjustment.role,
                )
            )
        bounds = []
        for key, value in (("from", adjustment.from_), ("until", adjustment.until)):
            if value is None:
                continue
            try:
                bounds.append(horizon.index_of(label_or_date(value)))
            except ValueError as exc:
                problems.append(scenario.problem(("capacity", index, key), str(exc)))
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            problems.append(scenario.problem(("capacity", index, "from"), "'from' is after 'until'"))
    seen_roles: set[str] = set()
    for index, hire in enumerate(spec.hiring):
        if hire.role not in roles:
            problems.append(
                scenario.problem(
                    ("hiring", index, "role"),
                    f"unknown role {hire.role!r}; roles are {', '.join(sorted(roles))}",
                    hire.role,
                )
            )
        if hire.role in seen_roles:
            problems.append(scenario.problem(("hiring", index, "role"), f"role {hire.role!r} listed twice"))
        seen_roles.add(hire.role)
    categories = set(portfolio.categories)
    for category, bounds in spec.balance.items():
        if category not in categories:
            problems.append(
                scenario.problem(
                    ("balance", category),
                    f"unknown category {category!r}; categories are {', '.join(sorted(categories)) or 'none'}",
                    category,
                )
            )
        if bounds.min > bounds.max:
            problems.append(scenario.problem(("balance", category), f"min {bounds.min} is above max {bounds.max}"))
    for key in spec.budget.periods:
        try:
            t = horizon.index_of(label_or_date(key))
        except ValueError as exc:
            problems.append(scenario.problem(("budget", "periods", key), str(exc)))
            continue
        if not 0 <= t < horizon.periods:  # a typo'd year would otherwise be dropped without a word
            problems.append(
                scenario.problem(
                    ("budget", "periods", key),
                    f"{key} is outside the horizon {horizon.label(0)}..{horizon.label(horizon.periods - 1)}",
                )
            )
    if spec.objective is Objective.SCORE and not len(portfolio.table("criteria")) and spec.ahp is None:
        problems.append(
            scenario.problem(
                ("objective",),
                "objective 'score' needs a criteria table in the portfolio (or an 'ahp' block in the scenario)",
            )
        )
    if spec.ahp is not None:
        problems.extend(scenario.problem(("ahp",), message) for message in check_ahp(spec.ahp, portfolio))
    problems.extend(check_status_date(scenario, portfolio, spec.status.as_of))
    return problems


def check_status_date(
    scenario: LoadedScenario, portfolio: Portfolio, as_of: str | None, argument: str | None = None
) -> list[Problem]:
    """The status date lies in the horizon, and no actuals are reported after it; a bad date is
    blamed on ``argument`` (``--as-of``) when it came from there, else on the scenario's key."""
    if as_of is None:
        return []
    horizon = portfolio.horizon

    def bad_date(message: str) -> list[Problem]:
        if argument is not None:
            return [Problem(argument, message)]
        return [scenario.problem(("status", "as_of"), message)]

    try:
        status_period = horizon.index_of(label_or_date(str(as_of)))
    except ValueError as exc:
        return bad_date(str(exc))
    if not 0 <= status_period < horizon.periods:
        return bad_date(f"{as_of} is outside the horizon {horizon.label(0)}..{horizon.label(horizon.periods - 1)}")
    problems = []
    for name in ("actuals", "effort"):
        frame = portfolio.table(name)
        for _, row in frame[frame["period"].astype(float) > status_period].iterrows():
            problems.append(
                Problem(
                    portfolio.sources[name],
                    f"{horizon.label(int(row['period']))} is after the status "
                    f"date {horizon.label(status_period)}; actuals can only be reported up to it",
                    row=row["_row"],
                    column="period",
                    item=row["project"],
                )
            )
    return problems


def option_coefficients(projects: pd.DataFrame, options: pd.DataFrame, spec, horizon: Horizon) -> pd.Series:
    """The objective coefficient of each (project, start) row of ``options``: the project's value
    (times 1 - risk for ``risk_adjusted_value``) discounted to its start, or its score."""
    base = {
        Objective.VALUE: projects["value"],
        Objective.RISK_ADJUSTED_VALUE: projects["value"] * (1.0 - projects["risk"]),
        Objective.SCORE: projects["score"],
    }[spec.objective]
    coefficients = options["project"].map(base).astype(float)
    if spec.objective is Objective.SCORE:
        return coefficients
    return coefficients * (1.0 + spec.discount_rate) ** (-options["start"] / horizon.granularity.per_year)


def option_coefficient(projects: pd.DataFrame, project: str, start: int, spec, horizon: Horizon) -> float:
    """The objective coefficient of starting ``project`` at ``start`` (:func:`option_coefficients`)."""
    option = pd.DataFrame({"project": [project], "start": [start]})
    return float(option_coefficients(projects, option, spec, horizon).iloc[0])


def build_planning_data(scenario: LoadedScenario, portfolio: Portfolio) -> PlanningData:
    """The planning data of ``scenario`` over ``portfolio``: each table derived by a function of
    its own, from the portfolio's tables and the scenario's keys."""
    spec, horizon = scenario.spec, portfolio.horizon
    warnings = list(portfolio.warnings)
    projects = _projects_frame(spec, portfolio)
    costs, cost_warnings = _costs_frame(portfolio)
    capacity, capacity_warnings = _capacity_frame(spec, portfolio)
    warnings += cost_warnings + capacity_warnings + _ahp_warnings(scenario)
    exclusions = {
        str(group): list(dict.fromkeys(members["project"]))
        for group, members in portfolio.table("exclusions").groupby("group", sort=True)
    }
    dependencies = list(
        dict.fromkeys(zip(portfolio.table("dependencies")["project"], portfolio.table("dependencies")["requires"]))
    )
    return PlanningData(
        horizon=horizon,
        objective=spec.objective,
        projects=projects,
        start_options=_start_options_frame(spec, portfolio, projects),
        demand=_demand_frame(portfolio),
        costs=costs,
        capacity=capacity,
        budget=_budget_by_period(spec, portfolio),
        budget_total=spec.budget.total,
        hiring={h.role: (h.cost, h.max_fte) for h in spec.hiring},
        dependencies=dependencies,
        exclusions=exclusions,
        balance={c: (b.min, b.max) for c, b in spec.balance.items()},
        warnings=warnings,
    )


def _commitments(spec: Scenario, portfolio: Portfolio) -> pd.Series:
    """Each project's commitment: mandatory, approved, in progress, forced in, or none."""
    raw = portfolio.projects
    commitment = np.where(
        raw["mandatory"],
        Commitment.MANDATORY.value,
        np.where(
            raw["status"].isin([Commitment.APPROVED, Commitment.IN_PROGRESS]), raw["status"], Commitment.NONE.value
        ),
    )
    commitment = pd.Series(commitment, index=raw.index).map(Commitment)
    commitment[commitment.eq(Commitment.NONE) & raw.index.isin(spec.force_in)] = Commitment.FORCED_IN
    return commitment


#: the scenario keys whose change :func:`rederived` derives from planning data as it stands
REDERIVED_KEYS = frozenset({"force_in", "force_out", "capacity", "budget", "balance", "hiring"})


def rederived(data: PlanningData, scenario: LoadedScenario, portfolio: Portfolio, changed: set[str]) -> PlanningData:
    """``data`` (built from ``portfolio`` for another scenario) for ``scenario``, whose keys differ
    only in ``changed`` (a subset of :data:`REDERIVED_KEYS`; of ``budget``, only ``total``):
    the tables those keys touch derived again by the functions :func:`build_planning_data` uses,
    the rest kept. Equal to a rebuild, which a property test holds it to; fast enough for one
    variant per project."""
    spec, changes = scenario.spec, {}
    if changed & {"force_in", "force_out"}:
        projects = data.projects.copy()
        projects["commitment"] = _commitments(spec, portfolio)
        projects["forced_out"] = projects.index.isin(spec.force_out)
        changes["projects"] = projects
        changes["start_options"] = _start_options_frame(spec, portfolio, projects)
    if "capacity" in changed:
        # the only warnings a change of these keys can change: the portfolio's, the cost
        # profiles' and the AHP's stay as they are, in the order build_planning_data gives
        changes["capacity"], capacity_warnings = _capacity_frame(spec, portfolio)
        _, cost_warnings = _costs_frame(portfolio)
        changes["warnings"] = list(portfolio.warnings) + cost_warnings + capacity_warnings + _ahp_warnings(scenario)
    if "budget" in changed:
        changes["budget_total"] = spec.budget.total
    if "balance" in changed:
        changes["balance"] = {c: (b.min, b.max) for c, b in spec.balance.items()}
    if "hiring" in changed:
        changes["hiring"] = {h.role: (h.cost, h.max_fte) for h in spec.hiring}
    return data.with_changes(**changes)


def _projects_frame(spec: Scenario, portfolio: Portfolio) -> pd.DataFrame:
    """One row per project: its figures, score, commitment and window."""
    raw = portfolio.projects
    commitment = _commitments(spec, portfolio)
    has_scores = len(portfolio.table("criteria")) or spec.ahp is not None
    projects = pd.DataFrame(
        {
            "name": raw["name"],
            "value": raw["value"],
            "cost": raw["cost"],
            "duration": raw["duration"],
            "category": raw["category"].where(raw["category"].map(is_given), None),
            "risk": raw["risk"],
            "score": project_scores(portfolio, spec.ahp) if has_scores else 0.0,
            "commitment": commitment,
            "forced_out": raw.index.isin(spec.force_out),
            "earliest_start": raw["earliest_start"],
            "latest_start": raw["latest_start"],
            "start": raw["start"],
        },
        index=raw.index,
    )
    return projects


def _start_options_frame(spec: Scenario, portfolio: Portfolio, projects: pd.DataFrame) -> pd.DataFrame:
    """The (project, start) pairs that can exist, with their objective coefficients."""
    raw, periods = portfolio.projects, portfolio.horizon.periods
    horizon = portfolio.horizon
    # start options: only those inside the horizon and the project's window
    rows = []
    for project_id, project in raw.iterrows():
        if project_id in spec.force_out:
            continue
        rows.extend((project_id, s) for s in start_options(project, periods))
    options = pd.DataFrame(rows, columns=["project", "start"])
    options["coefficient"] = option_coefficients(projects, options, spec, horizon)
    return options


def _demand_frame(portfolio: Portfolio) -> pd.DataFrame:
    """FTE per project, role and offset from its start."""
    raw = portfolio.projects
    # demand: a row without offset applies to every running period; rows add up
    demand_rows = portfolio.table("demand")
    duration = raw["duration"]
    flat = demand_rows[~demand_rows["offset"].map(is_given)]
    flat_expanded = flat.loc[flat.index.repeat(flat["project"].map(duration))].copy()
    flat_expanded["offset"] = flat_expanded.groupby(level=0).cumcount()
    profiled = demand_rows[demand_rows["offset"].map(is_given)]
    demand = pd.concat(
        [flat_expanded[["project", "role", "offset", "fte"]], profiled[["project", "role", "offset", "fte"]]],
        ignore_index=True,
    )
    demand["offset"] = demand["offset"].astype(int)
    demand = demand.groupby(["project", "role", "offset"], as_index=False, sort=True)["fte"].sum()
    demand = demand[demand["fte"] > 0].reset_index(drop=True)
    return demand


def _costs_frame(portfolio: Portfolio) -> tuple[pd.DataFrame, list[str]]:
    """Money per project and offset from its start, and a warning per profile that does not sum
    to the project's cost."""
    raw, warnings = portfolio.projects, []
    # costs: even spread, unless the costs table profiles the project
    profile_rows = portfolio.table("costs")
    profiled_projects = set(profile_rows["project"])
    even = raw.loc[~raw.index.isin(profiled_projects), ["duration", "cost"]]
    even_costs = pd.DataFrame(
        {
            "project": np.repeat(even.index.to_numpy(), even["duration"].to_numpy()),
            "offset": np.concatenate([np.arange(d) for d in even["duration"]]) if len(even) else np.array([], int),
            "amount": np.repeat((even["cost"] / even["duration"]).to_numpy(), even["duration"].to_numpy()),
        }
    )
    costs = pd.concat([even_costs, profile_rows[["project", "offset", "amount"]]], ignore_index=True)
    costs["offset"] = costs["offset"].astype(int)
    costs = costs[costs["amount"] > 0].reset_index(drop=True)
    for project_id, total in profile_rows.groupby("project")["amount"].sum().items():
        if not np.isclose(total, raw.loc[project_id, "cost"], rtol=1e-9, atol=1e-6):
            warnings.append(
                f"{portfolio.sources['costs']}: the cost profile of {project_id!r} sums to "
                f"{money(total)} but its cost is {money(raw.loc[project_id, 'cost'])}; "
                "the profile is what is spent"
            )
    return costs, warnings


def _capacity_frame(spec: Scenario, portfolio: Portfolio) -> tuple[pd.DataFrame, list[str]]:
    """FTE per role and period, the scenario's changes applied in order, and a warning when one
    takes a role below 0."""
    horizon, periods, warnings = portfolio.horizon, portfolio.horizon.periods, []
    # capacity per role and period, then scenario adjustments
    capacity_rows = []
    for role, rows_of_role in portfolio.table("capacity").groupby("role", sort=False):
        for t, fte in enumerate(per_period(rows_of_role, "fte", periods)):
            capacity_rows.append((role, t, 0.0 if fte is None else fte))
    capacity = pd.DataFrame(capacity_rows, columns=["role", "period", "fte"])
    cut_below_zero: set[str] = set()
    for adjustment in spec.capacity:
        low = 0 if adjustment.from_ is None else horizon.index_of(label_or_date(adjustment.from_))
        high = periods - 1 if adjustment.until is None else horizon.index_of(label_or_date(adjustment.until))
        mask = capacity["role"].eq(adjustment.role) & capacity["period"].between(low, high)
        adjusted = capacity.loc[mask, "fte"] + adjustment.delta
        # in order, each from what the one before left: a cut below 0 leaves 0, and a later
        # addition (one more FTE) adds to that
        if (adjusted < 0).any():
            cut_below_zero.add(adjustment.role)
        capacity.loc[mask, "fte"] = adjusted.clip(lower=0.0)
    if cut_below_zero:
        warnings.append(
            "capacity adjustments take "
            + ", ".join(sorted(cut_below_zero))
            + " below 0 FTE in some periods; counted as 0"
        )
    return capacity, warnings


def _budget_by_period(spec: Scenario, portfolio: Portfolio) -> list[float | None]:
    """Each period's budget: the table scaled, the scenario's periods set."""
    horizon, periods = portfolio.horizon, portfolio.horizon.periods
    budget_rows = portfolio.table("budget")
    budget = per_period(budget_rows, "amount", periods)
    budget = [None if b is None else b * spec.budget.scale for b in budget]
    for key, amount in spec.budget.periods.items():
        t = horizon.index_of(label_or_date(key))
        if 0 <= t < periods:
            budget[t] = float(amount)
    return budget


def _ahp_warnings(scenario: LoadedScenario) -> list[str]:
    spec, warnings = scenario.spec, []
    if spec.ahp is not None:
        consistency = ahp_weights(spec.ahp.criteria, spec.ahp.matrix).consistency_ratio
        if consistency > CONSISTENCY_LIMIT:
            warnings.append(
                f"{scenario.path}: the AHP comparisons are inconsistent (consistency ratio "
                f"{consistency:.3f} > {CONSISTENCY_LIMIT}); revisit the pairwise judgements"
            )
    return warnings
