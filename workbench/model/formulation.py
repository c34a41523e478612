"""The MILP formulation (reads like docs/model.md), built with PuLP, and the plan read back from it.

Time-indexed formulation: ``x[p, s] = 1`` when project p starts in period s, with a
variable only for the start options that can exist (``PlanningData.start_options``).
Constraints are built by joining pandas frames (options x demand profile, options x cost
profile) and grouping by (role, period) / period, so no loop scans every project for every
role-period.

``elastic=True`` builds the explanation model used when a scenario is infeasible: priced
slack on capacity, budget, total and balance; committed projects may also start outside
their window (at a much higher price) or be dropped (higher still), so it is always feasible
and its cheapest relaxation says what conflicts, in the user's terms.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import pulp

from workbench.data.planning_data import PlanningData
from workbench.data.scenario import SolverSpec
from workbench.ground.status import ConflictKind, SolveStatus, StopReason
from workbench.model.neighbourhood import improve_plan
from workbench.model.solver_run import Incumbents, SolverRun, relative_gap, status_from_gap
from workbench.model.solvers import run_solver

WINDOW_SHIFT_PRICE = 1e3  # per period a commitment starts outside its window
COMMITMENT_DROP_PRICE = 1e6  # per commitment that cannot be selected at all
# per optional project the elastic plan holds: it takes one only where that relaxes something
# (a prerequisite, a category's minimum share), so its plan is the commitments' own
OPTIONAL_PROJECT_PRICE = 1e-4
TOLERANCE = 1e-6
#: with ``auto`` and a time limit, the share of the limit the race has to prove optimality; a
#: plan it has not proved is improved by a neighbourhood search for the rest (docs/model.md),
#: in as many streams as there are cores (two on the machines we measure on)
SEARCH_AFTER = 0.5
SEARCH_STREAMS = max(1, min(2, os.cpu_count() or 1))


@dataclass
class Slack:
    """One relaxed constraint of the elastic model."""

    kind: ConflictKind
    amount: float
    role: str | None = None
    period: int | None = None
    project: str | None = None
    category: str | None = None


@dataclass
class Plan:
    """A raw solution: starts and hiring, before any explanation."""

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    starts: dict[str, int] = field(default_factory=dict)
    hired: dict[tuple[str, int], float] = field(default_factory=dict)
    slacks: list[Slack] = field(default_factory=list)
    stopped_by: StopReason | None = None  #: why it did not prove its answer


def _expr(variables, coefficients) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(list(zip(variables, coefficients)))


def options_with_windows(data: PlanningData, elastic: bool) -> pd.DataFrame:
    """Start options; in elastic mode committed projects may start anywhere that fits the horizon,
    paying for every period outside their window."""
    options = data.start_options.assign(shift=0)
    if not elastic:
        return options
    rows = []
    for project in data.committed:
        allowed = set(options.loc[options["project"] == project, "start"])
        duration = int(data.projects.loc[project, "duration"])
        for start in range(0, data.periods - duration + 1):
            if start in allowed:
                continue
            shift = min((abs(start - a) for a in allowed), default=data.periods)
            rows.append((project, start, 0.0, shift))
    if rows:
        extra = pd.DataFrame(rows, columns=["project", "start", "coefficient", "shift"])
        options = pd.concat([options, extra], ignore_index=True)
    return options


def build_model(data: PlanningData, elastic: bool = False):
    """Build the PuLP problem. Returns (problem, options frame with a ``var`` column,
    hired variables, slack registry). Each constraint family is added by a method of
    :class:`_ModelBuilder`, in the order docs/model.md states them."""
    model = _ModelBuilder(data, elastic)
    model.add_one_start_each()
    model.add_hiring()
    model.add_capacity()
    model.add_budgets()
    add_dependency_constraints(model.problem, data, model.starts_of())
    model.add_exclusions()
    model.add_balance()
    model.set_objective()
    return model.problem, model.options, model.hired, model.slacks


class _ModelBuilder:
    """The problem being built: one binary per start option that can exist, hiring variables,
    and (elastic) the slacks that price each relaxation."""

    def __init__(self, data: PlanningData, elastic: bool):
        self.data, self.elastic = data, elastic
        self.problem = pulp.LpProblem("portfolio", pulp.LpMinimize if elastic else pulp.LpMaximize)
        self.options = options_with_windows(data, elastic).reset_index(drop=True)
        self.options["var"] = [pulp.LpVariable(f"x_{i}", cat=pulp.LpBinary) for i in range(len(self.options))]
        self.slacks: list[tuple[pulp.LpVariable, Slack, float]] = []  # variable, what it relaxes, price
        self.hired: dict[tuple[str, int], pulp.LpVariable] = {}
        self.spend_by_period: dict[int, pulp.LpAffineExpression] = {}
        known_budgets = [b for b in data.budget if b is not None and b > 0]
        projects = data.projects
        self.money_scale = (
            max(1.0, sum(known_budgets) / len(known_budgets))
            if known_budgets
            else max(1.0, float(projects["cost"].mean()) if len(projects) else 1.0)
        )

    def slack(self, kind: str, price: float, **where) -> pulp.LpVariable:
        variable = pulp.LpVariable(f"s_{len(self.slacks)}", lowBound=0)
        self.slacks.append((variable, Slack(ConflictKind(kind), 0.0, **where), price))
        return variable

    def add_one_start_each(self) -> None:
        """At most one start per project; exactly one for commitments."""
        problem, data = self.problem, self.data
        by_project = self.options.groupby("project", sort=False)["var"].agg(list)
        committed = set(data.committed)
        for project, variables in by_project.items():
            if project in committed and self.elastic:
                problem += pulp.lpSum(variables) + self.slack("commitment", COMMITMENT_DROP_PRICE, project=project) == 1
            elif project in committed:
                problem += pulp.lpSum(variables) == 1, f"commit_{_safe(project)}"
            else:
                problem += pulp.lpSum(variables) <= 1
        if not self.elastic:  # a commitment with no start option at all: no plan exists
            for project in data.committed:
                if project not in by_project.index:
                    problem += pulp.LpAffineExpression() == 1, f"commit_{_safe(project)}"

    def add_hiring(self) -> None:
        """Continuous FTE per role and period, up to the most that may be hired."""
        for role, (_, max_fte) in self.data.hiring.items():
            for t in range(self.data.periods):
                self.hired[(role, t)] = pulp.LpVariable(f"h_{_safe(role)}_{t}", lowBound=0, upBound=max_fte)

    def add_capacity(self) -> None:
        """The demand of running projects within capacity plus hiring, per role and period."""
        data, hired = self.data, self.hired
        load = self.options[["project", "start", "var"]].merge(data.demand, on="project")
        load["period"] = load["start"] + load["offset"]
        capacity = data.capacity.set_index(["role", "period"])["fte"]
        for (role, t), group in load.groupby(["role", "period"], sort=True):
            expression = _expr(group["var"], group["fte"])
            rhs = float(capacity.get((role, t), 0.0))
            if (role, t) in hired:
                expression -= hired[(role, t)]
            if self.elastic:
                scale = max(1.0, float(capacity[role].mean()) if role in capacity.index.get_level_values(0) else 1.0)
                expression -= self.slack("capacity", 1.0 / scale, role=role, period=int(t))
            self.problem += expression <= rhs, f"cap_{_safe(role)}_{t}"

    def add_budgets(self) -> None:
        """Spend per period within its budget, and in all within the total: a project spends its
        profile, hiring its rate."""
        data = self.data
        spend = self.options[["project", "start", "var"]].merge(data.costs, on="project")
        spend["period"] = spend["start"] + spend["offset"]
        spend_by_period = {
            int(t): _expr(group["var"], group["amount"]) for t, group in spend.groupby("period", sort=True)
        }
        for (role, t), variable in self.hired.items():
            spend_by_period.setdefault(t, pulp.LpAffineExpression())
            spend_by_period[t] += data.hiring[role][0] * variable
        for t, amount in enumerate(data.budget):
            if amount is None or t not in spend_by_period:
                continue
            expression = spend_by_period[t]
            if self.elastic:
                expression = expression - self.slack("budget", 1.0 / self.money_scale, period=t)
            self.problem += expression <= amount, f"budget_{t}"
        if data.budget_total is not None and spend_by_period:
            expression = pulp.lpSum(spend_by_period.values())
            if self.elastic:
                expression -= self.slack("budget_total", 1.0 / self.money_scale)
            self.problem += expression <= data.budget_total, "budget_total"
        self.spend_by_period = spend_by_period

    def starts_of(self) -> dict[str, list[tuple[int, pulp.LpVariable]]]:
        """Each project's start options, earliest first, with their variables."""
        return {
            project: sorted(zip(group["start"], group["var"]), key=lambda pair: pair[0])
            for project, group in self.options.groupby("project", sort=False)
        }

    def add_exclusions(self) -> None:
        """At most one project of each exclusion group."""
        starts_of = self.starts_of()
        for group, members in self.data.exclusions.items():
            variables = [v for m in members for _, v in starts_of.get(m, [])]
            if len(variables) > 1:
                self.problem += pulp.lpSum(variables) <= 1, f"excl_{_safe(group)}"

    def add_balance(self) -> None:
        """Each category's share of the selected cost (cost as spent: the profile's sum) within bounds."""
        data, options = self.data, self.options
        if not data.balance:
            return
        spent = data.costs.groupby("project")["amount"].sum()
        total_cost = _expr(options["var"], options["project"].map(spent).fillna(0.0))
        for category, (low, high) in data.balance.items():
            in_category = options["project"].map(data.projects["category"]).eq(category)
            category_cost = _expr(
                options.loc[in_category, "var"], options.loc[in_category, "project"].map(spent).fillna(0.0)
            )
            if low > 0:
                expression = category_cost - low * total_cost
                if self.elastic:
                    expression += self.slack("balance_min", 1.0 / self.money_scale, category=category)
                self.problem += expression >= 0, f"bal_min_{_safe(category)}"
            if high < 1:
                expression = category_cost - high * total_cost
                if self.elastic:
                    expression -= self.slack("balance_max", 1.0 / self.money_scale, category=category)
                self.problem += expression <= 0, f"bal_max_{_safe(category)}"

    def set_objective(self) -> None:
        """The value of the plan (tie-break included); elastic: the price of every relaxation."""
        options = self.options
        if self.elastic:
            shifted = options[options["shift"] > 0]
            optional = options[~options["project"].isin(set(self.data.committed))]
            self.problem += (
                pulp.lpSum(price * variable for variable, _, price in self.slacks)
                + _expr(shifted["var"], WINDOW_SHIFT_PRICE * shifted["shift"])
                + _expr(optional["var"], [OPTIONAL_PROJECT_PRICE] * len(optional))
            )
        else:
            self.problem += _expr(options["var"], options["coefficient"]) - _tie_break(self.data, options, self.hired)


def add_dependency_constraints(
    problem: pulp.LpProblem, data: PlanningData, starts_of: dict[str, list[tuple[int, pulp.LpVariable]]]
) -> None:
    """Dependencies, cumulative: p started by s needs q started by s - duration(q).

    ``starts_of`` maps each project to its (start, variable) pairs, sorted by start. Stronger in
    the LP relaxation than one constraint per start of p (``x[p,s] <= sum x[q,s']``); a
    constraint whose right-hand side is the same as at p's next start is implied by that one and
    left out."""
    for number, (project, required) in enumerate(data.dependencies):
        duration = int(data.projects.loc[required, "duration"])
        required_starts = starts_of.get(required, [])
        project_starts = starts_of.get(project, [])
        for position, (start, _) in enumerate(project_starts):
            ready = sum(1 for s, _ in required_starts if s + duration <= start)
            following = project_starts[position + 1][0] if position + 1 < len(project_starts) else None
            if following is not None and sum(1 for s, _ in required_starts if s + duration <= following) == ready:
                continue
            started_by = [variable for _, variable in project_starts[: position + 1]]
            problem += (
                pulp.lpSum(started_by) <= pulp.lpSum(v for _, v in required_starts[:ready]),
                f"dep_{number}_{start}",
            )


def _tie_break(data: PlanningData, options: pd.DataFrame, hired: dict) -> pulp.LpAffineExpression:
    """Tiny preference for earlier starts and less hiring; never part of the reported objective."""
    positive = options["coefficient"].abs()
    positive = positive[positive > 0]
    scale = float(positive.min()) if len(positive) else 1.0
    weight = 1e-5 * scale / max(1, len(options)) / max(1, data.periods)
    expression = _expr(options["var"], weight * options["start"].astype(float))
    total_hire = sum(v.upBound for v in hired.values()) or 1.0
    for variable in hired.values():
        expression += (1e-5 * scale / total_hire) * variable
    return expression


def objective_tolerance(data: PlanningData, base: float | None) -> float:
    """Two objectives closer than this are equal: above the tie-break (at most 2e-5 of the
    smallest non-zero coefficient) and the solvers' feasibility noise."""
    coefficients = [abs(c) for c in data.coefficient_by_option.values() if abs(c) > 0]
    smallest = min(coefficients) if coefficients else 1.0
    return 1e-4 * smallest + 1e-7 * max(1.0, abs(base or 0.0))


def _safe(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(text))[:40]


def _run_and_improve(
    problem: pulp.LpProblem,
    frame: pd.DataFrame,
    data: PlanningData,
    settings: SolverSpec,
    warm_start: bool,
    elastic: bool,
    stop: threading.Event | None,
    incumbents: Incumbents | None,
) -> SolverRun:
    """The solver run. With ``auto`` and a time limit (and more than one core), the race is
    asked for a plan by :data:`SEARCH_AFTER` of the limit (without one, HiGHS goes on to the
    limit); a plan it has not proved is then improved by a neighbourhood search, on every core,
    for the rest (docs/model.md). The search proves nothing: the bound stays the race's."""
    limit = settings.time_limit
    if settings.name != "auto" or limit is None or elastic or settings.cores == 1:
        return run_solver(problem, settings, warm_start=warm_start, stop=stop, incumbents=incumbents)
    deadline = time.monotonic() + limit
    race = run_solver(
        problem, settings, warm_start=warm_start, stop=stop, incumbents=incumbents, plan_by=SEARCH_AFTER * limit
    )
    if stop is not None and stop.is_set():
        return race
    reached = relative_gap(race.objective, race.bound)
    if (
        race.status is not SolveStatus.FEASIBLE
        or (reached is not None and reached <= settings.gap)
        or deadline - time.monotonic() < 1.0
    ):
        return race
    improve_plan(problem, frame, data, deadline, stop=stop, streams=SEARCH_STREAMS)
    objective = float(pulp.value(problem.objective))
    if objective <= race.objective + 1e-9 * max(1.0, abs(race.objective)):
        return race
    return SolverRun(status_from_gap(objective, race.bound), objective, race.bound, f"{race.solver} + search")


def find_plan(
    data: PlanningData,
    settings: SolverSpec,
    *,
    elastic: bool = False,
    warm_start: dict[str, int] | None = None,
    stop: threading.Event | None = None,
    watch: PlanWatch | None = None,
) -> Plan:
    """Build the model, run the solver and read the plan back: starts, hiring and (elastic)
    slacks. ``warm_start`` (project -> start) is a plan to begin from; setting ``stop`` ends
    the solve early; ``watch`` shows the plans found before the solve ends."""
    started = time.perf_counter()
    problem, frame, hired, slacks = build_model(data, elastic)
    if warm_start is not None and not elastic:
        for project, start, variable in frame[["project", "start", "var"]].itertuples(index=False):
            variable.setInitialValue(1 if warm_start.get(project) == start else 0)
    if watch is not None and not elastic:
        provisional_name = "auto: highs" if settings.name == "auto" else settings.name
        watch.reader = lambda values, objective, bound: _provisional_plan(
            data, frame, hired, values, objective, bound, started, run_name=provisional_name
        )
    run = _run_and_improve(
        problem,
        frame,
        data,
        settings,
        warm_start is not None and not elastic,
        elastic,
        stop,
        None if watch is None else watch.incumbents,
    )
    seconds = time.perf_counter() - started
    plan = Plan(run.status, None, None, None, seconds, run.solver or settings.name)
    stop_requested = stop is not None and stop.is_set()
    if not run.status.has_plan:
        plan.stopped_by = StopReason.of(plan.status, None, settings.gap, stop_requested)
        return plan
    _read_plan(plan, frame, hired, lambda variable: variable.varValue)
    for variable, what, _ in slacks:
        amount = float(variable.varValue or 0.0)
        if amount > TOLERANCE:
            what.amount = amount
            plan.slacks.append(what)
    if elastic:
        for project, start in plan.starts.items():
            shift = frame.loc[(frame["project"] == project) & (frame["start"] == start), "shift"].iloc[0]
            if shift > 0:
                plan.slacks.append(Slack(ConflictKind.WINDOW, float(shift), project=project, period=start))
        plan.objective = run.objective
        return plan
    _score_plan(plan, data, run.objective, run.bound, run.status is SolveStatus.OPTIMAL)
    plan.stopped_by = StopReason.of(plan.status, plan.gap, settings.gap, stop_requested)
    return plan


def _read_plan(plan: Plan, frame: pd.DataFrame, hired: dict, value_of) -> None:
    """Starts and hiring into ``plan`` from the variables' values (``value_of(variable)``)."""
    chosen = frame[[(value_of(v) or 0.0) > 0.5 for v in frame["var"]]]
    plan.starts = {str(p): int(s) for p, s in zip(chosen["project"], chosen["start"])}
    plan.hired = {key: float(value_of(v) or 0.0) for key, v in hired.items() if (value_of(v) or 0.0) > TOLERANCE}


def _score_plan(
    plan: Plan, data: PlanningData, solver_objective: float | None, solver_bound: float | None, proven: bool
) -> None:
    """The plan's reported objective (without the tie-break), and its bound and gap on that scale."""
    plan.objective = float(sum(data.coefficient_by_option[(p, s)] for p, s in plan.starts.items()))
    tie = solver_objective - plan.objective if solver_objective is not None else 0.0
    plan.bound = None if solver_bound is None else solver_bound - tie
    plan.gap = 0.0 if proven else relative_gap(plan.objective, plan.bound)


class PlanWatch:
    """The plans a running solve finds before it ends (HiGHS's, alone or in the race): give it to
    :func:`find_plan` and read :meth:`latest` from another thread. A plan read here is a plan of
    the whole model, never called optimal: its status is feasible, its gap from HiGHS's bound then."""

    def __init__(self) -> None:
        self.incumbents = Incumbents()
        self.reader = None  # set by find_plan once the model is built

    def latest(self) -> Plan | None:
        found = self.incumbents.latest()
        if found is None or self.reader is None:
            return None
        return self.reader(*found)


def _provisional_plan(
    data: PlanningData,
    frame: pd.DataFrame,
    hired: dict,
    values: dict[str, float],
    objective: float,
    bound: float | None,
    started: float,
    run_name: str,
) -> Plan:
    plan = Plan(SolveStatus.FEASIBLE, None, None, None, time.perf_counter() - started, run_name)
    _read_plan(plan, frame, hired, lambda variable: values.get(variable.name, 0.0))
    _score_plan(plan, data, objective, bound, proven=False)
    return plan
