"""The MILP, built with PuLP. The only module that imports PuLP.

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

import contextlib
import math
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from enum import Enum

import pandas as pd
import pulp

from workbench.errors import SolverError
from workbench.inputs import PlanningData

WINDOW_SHIFT_PRICE = 1e3  # per period a commitment starts outside its window
COMMITMENT_DROP_PRICE = 1e6  # per commitment that cannot be selected at all
TOLERANCE = 1e-6


class SolveStatus(str, Enum):
    """What the solver proved."""

    OPTIMAL = "optimal"  #: proven optimal (within the requested gap, which is 0 by default)
    FEASIBLE = "feasible"  #: a plan, stopped with a gap (time limit or requested gap)
    INFEASIBLE = "infeasible"  #: proven that no plan exists
    NOT_SOLVED = "not_solved"  #: stopped before any plan was found


@dataclass
class SolverOptions:
    name: str = "cbc"
    time_limit: float | None = None
    gap: float = 0.0
    threads: int = 1  # one thread: the same input gives the same plan every time
    warm_start: dict[str, int] | None = None  # project -> start, a plan to begin from
    stop_at_first_plan: bool = False  # for measuring time to a first plan


@dataclass
class Slack:
    """One relaxed constraint of the elastic model."""

    kind: str  # capacity | budget | budget_total | balance_min | balance_max | window | commitment
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
    log: str = ""


def _expr(variables, coefficients) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(list(zip(variables, coefficients)))


def options_with_windows(data: PlanningData, elastic: bool) -> pd.DataFrame:
    """Start options; in elastic mode committed projects may start anywhere that fits the horizon,
    paying for every period outside their window."""
    options = data.start_options.assign(shift=0)
    if not elastic:
        return options
    committed = data.projects.index[data.projects["commitment"].ne("") & ~data.projects["forced_out"]]
    rows = []
    for project in committed:
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
    hired variables, slack registry)."""
    problem = pulp.LpProblem("portfolio", pulp.LpMinimize if elastic else pulp.LpMaximize)
    options = options_with_windows(data, elastic).reset_index(drop=True)
    options["var"] = [pulp.LpVariable(f"x_{i}", cat=pulp.LpBinary) for i in range(len(options))]
    projects = data.projects
    periods = data.periods
    slacks: list[tuple[pulp.LpVariable, Slack, float]] = []  # variable, what it relaxes, price

    def slack(kind: str, price: float, **where) -> pulp.LpVariable:
        variable = pulp.LpVariable(f"s_{len(slacks)}", lowBound=0)
        slacks.append((variable, Slack(kind, 0.0, **where), price))
        return variable

    # at most one start; exactly one for commitments
    by_project = options.groupby("project", sort=False)["var"].agg(list)
    for project, variables in by_project.items():
        committed = projects.loc[project, "commitment"] != ""
        if committed and elastic:
            problem += pulp.lpSum(variables) + slack("commitment", COMMITMENT_DROP_PRICE, project=project) == 1
        elif committed:
            problem += pulp.lpSum(variables) == 1, f"commit_{_safe(project)}"
        else:
            problem += pulp.lpSum(variables) <= 1
    if not elastic:  # a commitment with no start option at all: no plan exists
        for project in projects.index[projects["commitment"].ne("")]:
            if project not in by_project.index:
                problem += pulp.LpAffineExpression() == 1, f"commit_{_safe(project)}"

    # hiring: continuous FTE per role and period, costing money
    hired: dict[tuple[str, int], pulp.LpVariable] = {}
    for role, (_, max_fte) in data.hiring.items():
        for t in range(periods):
            hired[(role, t)] = pulp.LpVariable(f"h_{_safe(role)}_{t}", lowBound=0, upBound=max_fte)

    # capacity: demand of running projects <= capacity + hired
    load = options[["project", "start", "var"]].merge(data.demand, on="project")
    load["period"] = load["start"] + load["offset"]
    capacity = data.capacity.set_index(["role", "period"])["fte"]
    for (role, t), group in load.groupby(["role", "period"], sort=True):
        expression = _expr(group["var"], group["fte"])
        rhs = float(capacity.get((role, t), 0.0))
        if (role, t) in hired:
            expression -= hired[(role, t)]
        if elastic:
            scale = max(1.0, float(capacity[role].mean()) if role in capacity.index.get_level_values(0) else 1.0)
            expression -= slack("capacity", 1.0 / scale, role=role, period=int(t))
        problem += expression <= rhs, f"cap_{_safe(role)}_{t}"

    # budget: per period and total; project spend follows its profile, hiring costs its rate
    spend = options[["project", "start", "var"]].merge(data.costs, on="project")
    spend["period"] = spend["start"] + spend["offset"]
    spend_by_period: dict[int, pulp.LpAffineExpression] = {
        int(t): _expr(group["var"], group["amount"]) for t, group in spend.groupby("period", sort=True)}
    for (role, t), variable in hired.items():
        spend_by_period.setdefault(t, pulp.LpAffineExpression())
        spend_by_period[t] += data.hiring[role][0] * variable
    known_budgets = [b for b in data.budget if b is not None and b > 0]
    money_scale = max(1.0, sum(known_budgets) / len(known_budgets)) if known_budgets else \
        max(1.0, float(projects["cost"].mean()) if len(projects) else 1.0)
    for t, amount in enumerate(data.budget):
        if amount is None or t not in spend_by_period:
            continue
        expression = spend_by_period[t]
        if elastic:
            expression = expression - slack("budget", 1.0 / money_scale, period=t)
        problem += expression <= amount, f"budget_{t}"
    if data.budget_total is not None and spend_by_period:
        expression = pulp.lpSum(spend_by_period.values())
        if elastic:
            expression -= slack("budget_total", 1.0 / money_scale)
        problem += expression <= data.budget_total, "budget_total"

    # dependencies, disaggregated: starting p at s needs q started no later than s - duration(q)
    starts_of = {project: list(zip(group["start"], group["var"]))
                 for project, group in options.groupby("project", sort=False)}
    for number, (project, required) in enumerate(data.dependencies):
        duration = int(projects.loc[required, "duration"])
        required_starts = starts_of.get(required, [])
        for start, variable in starts_of.get(project, []):
            early_enough = [v for s, v in required_starts if s + duration <= start]
            problem += variable <= pulp.lpSum(early_enough), f"dep_{number}_{start}"

    # exclusion groups: at most one
    for group, members in data.exclusions.items():
        variables = [v for m in members for _, v in starts_of.get(m, [])]
        if len(variables) > 1:
            problem += pulp.lpSum(variables) <= 1, f"excl_{_safe(group)}"

    # balance: category share of total selected cost (cost as spent, i.e. the profile's sum)
    if data.balance:
        spent = data.costs.groupby("project")["amount"].sum()
        total_cost = _expr(options["var"], options["project"].map(spent).fillna(0.0))
        for category, (low, high) in data.balance.items():
            in_category = options["project"].map(projects["category"]).eq(category)
            category_cost = _expr(options.loc[in_category, "var"],
                                  options.loc[in_category, "project"].map(spent).fillna(0.0))
            if low > 0:
                expression = category_cost - low * total_cost
                if elastic:
                    expression += slack("balance_min", 1.0 / money_scale, category=category)
                problem += expression >= 0, f"bal_min_{_safe(category)}"
            if high < 1:
                expression = category_cost - high * total_cost
                if elastic:
                    expression -= slack("balance_max", 1.0 / money_scale, category=category)
                problem += expression <= 0, f"bal_max_{_safe(category)}"

    if elastic:
        shifted = options[options["shift"] > 0]
        problem += (pulp.lpSum(price * variable for variable, _, price in slacks)
                    + _expr(shifted["var"], WINDOW_SHIFT_PRICE * shifted["shift"]))
    else:
        problem += _expr(options["var"], options["coefficient"]) - _tie_break(data, options, hired)
    return problem, options, hired, slacks


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


def _safe(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(text))[:40]


# ----------------------------------------------------------------------------- solving
def solve_model(problem: pulp.LpProblem, options: SolverOptions) -> tuple[SolveStatus, float | None, float | None, str]:
    """Run the solver. Returns (status, incumbent objective incl. tie-break, best bound, log)."""
    solvers = {"highs": _solve_highs, "cbc": _solve_cbc}
    if options.name not in solvers:
        raise SolverError(f"unknown solver {options.name!r}; use cbc or highs")
    with _stdout_to_stderr():
        return solvers[options.name](problem, options)


@contextlib.contextmanager
def _stdout_to_stderr():
    """Solver banners go to standard error, so that standard output stays ours (``--json``)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real file descriptor (some notebook front ends)
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class _CbcWatchdog:
    """CBC checks its time limit only between phases (its root cuts can run on for minutes), so
    a CBC process still running well past the limit is stopped: the limit bounds the command."""

    GRACE = 1.5  # seconds past the limit, plus 10%, before stopping CBC

    def __init__(self, executable: str, seconds: float | None):
        self.executable = os.path.realpath(executable)
        self.fired = False
        self.started = time.time()
        self.timer = None
        if seconds is not None:
            self.timer = threading.Timer(seconds * 1.1 + self.GRACE, self._stop)
            self.timer.daemon = True

    def __enter__(self):
        if self.timer is not None:
            self.timer.start()
        return self

    def __exit__(self, *exc_info):
        if self.timer is not None:
            self.timer.cancel()

    def _stop(self) -> None:
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                if os.path.realpath(child.exe()) == self.executable and child.create_time() >= self.started - 1:
                    self.fired = True
                    child.kill()
            except (psutil.Error, OSError):
                continue


def _solve_cbc(problem, options):
    from pulp.apis.coin_api import pulp_cbc_path

    handle, log_path = tempfile.mkstemp(suffix=".cbc.log")
    os.close(handle)
    try:
        solver = pulp.COIN_CMD(path=pulp_cbc_path, msg=False, timeLimit=options.time_limit,
                               gapRel=options.gap, threads=options.threads, logPath=log_path,
                               warmStart=options.warm_start is not None,
                               options=["maxSolutions 1"] if options.stop_at_first_plan else None)
        with _CbcWatchdog(pulp_cbc_path, options.time_limit) as watchdog:
            try:
                problem.solve(solver)
            except pulp.PulpSolverError as exc:
                if watchdog.fired:  # stopped by us at the time limit; CBC had reported no plan yet
                    return SolveStatus.NOT_SOLVED, None, None, "stopped at the time limit"
                raise SolverError(f"CBC could not be run: {exc}") from None
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            log = handle_log.read()
    finally:
        os.unlink(log_path)
    sol_status = problem.sol_status
    objective = pulp.value(problem.objective) if sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) else None
    # our models are bounded (binaries, bounded hiring, priced slack), so CBC's "infeasible or
    # unbounded" from preprocessing is a proof of infeasibility
    if sol_status == pulp.LpSolutionInfeasible or _CBC_INFEASIBLE.search(log):
        return SolveStatus.INFEASIBLE, None, None, log
    if objective is None:
        return SolveStatus.NOT_SOLVED, None, _cbc_bound(log, problem), log
    result_line = next((line for line in log.splitlines() if line.startswith("Result - ")), "")
    bound = _cbc_bound(log, problem)
    if "Optimal solution found" in result_line and options.gap == 0:
        return SolveStatus.OPTIMAL, objective, objective, log
    if bound is None:
        bound = objective if "Optimal solution found" in result_line else None
    return _status_from_gap(objective, bound), objective, bound, log


_CBC_INFEASIBLE = re.compile(r"proven infeasible|says infeasible|Problem is infeasible|"
                             r"found to be infeasible|Result - Linear relaxation infeasible", re.IGNORECASE)


def _cbc_bound(log: str, problem) -> float | None:
    """CBC's best bound from its summary ("Upper bound" when maximising with -max, "Lower
    bound" when minimising), in the sign of the problem's own objective."""
    match = re.search(r"^(?:Lower|Upper) bound:\s*(-?[\d.eE+-]+)", log, re.MULTILINE)
    if not match:
        return None
    bound = float(match.group(1))
    printed = re.search(r"^Objective value:\s*(-?[\d.eE+-]+)", log, re.MULTILINE)
    objective = pulp.value(problem.objective)
    if printed and objective is not None and float(printed.group(1)) * objective < 0:
        bound = -bound  # CBC printed the internal (negated) sense
    return bound


def _solve_highs(problem, options):
    if not pulp.HiGHS().available():
        raise SolverError("HiGHS is not available: install highspy (pip install highspy)")
    extra = {"mip_max_improving_sols": 1} if options.stop_at_first_plan else {}
    solver = _HighsWithStart(msg=False, timeLimit=options.time_limit, gapRel=options.gap, threads=options.threads,
                             **extra)
    solver.start_values = options.warm_start is not None
    problem.solve(solver)
    model = problem.solverModel
    info = model.getInfo()
    import highspy

    status = model.getModelStatus()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return SolveStatus.INFEASIBLE, None, None, ""
    if not has_plan:
        return SolveStatus.NOT_SOLVED, None, None, ""
    objective = pulp.value(problem.objective)
    if status == highspy.HighsModelStatus.kOptimal and options.gap == 0:
        return SolveStatus.OPTIMAL, objective, objective, ""
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if problem.sense == pulp.LpMaximize and bound is not None and objective is not None and bound < objective - 1e-6 * max(1, abs(objective)):
        bound = -bound
    if bound is None and status == highspy.HighsModelStatus.kOptimal:
        bound = objective
    return _status_from_gap(objective, bound), objective, bound, ""


class _HighsWithStart(pulp.HiGHS):
    """PuLP's highspy interface, plus a starting solution from the variables' initial values."""

    start_values = False

    def callSolver(self, lp):
        if self.start_values:
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [float(v.varValue or 0.0) for v in lp.variables()]
            solution.value_valid = True
            lp.solverModel.setSolution(solution)
        lp.solverModel.run()

    def findSolutionValues(self, lp):
        try:
            return super().findSolutionValues(lp)
        except KeyError:  # a status PuLP does not map (e.g. solution limit); values are already read
            has_plan = lp.solverModel.getInfo().primal_solution_status == 2
            return ((pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible) if has_plan
                    else (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound))


def _status_from_gap(objective: float, bound: float | None) -> SolveStatus:
    gap = relative_gap(objective, bound)
    return SolveStatus.OPTIMAL if gap is not None and gap <= 1e-9 else SolveStatus.FEASIBLE


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)


def solve_plan(data: PlanningData, options: SolverOptions, elastic: bool = False) -> Plan:
    """Build and solve; return starts, hiring and (elastic) slacks."""
    started = time.perf_counter()
    problem, frame, hired, slacks = build_model(data, elastic)
    if options.warm_start is not None and not elastic:
        for project, start, variable in frame[["project", "start", "var"]].itertuples(index=False):
            variable.setInitialValue(1 if options.warm_start.get(project) == start else 0)
    status, incumbent, bound, log = solve_model(problem, options)
    seconds = time.perf_counter() - started
    plan = Plan(status, None, None, None, seconds, options.name, log=log)
    if status in (SolveStatus.INFEASIBLE, SolveStatus.NOT_SOLVED):
        return plan
    chosen = frame[[(v.varValue or 0.0) > 0.5 for v in frame["var"]]]
    plan.starts = {str(p): int(s) for p, s in zip(chosen["project"], chosen["start"])}
    plan.hired = {key: float(v.varValue or 0.0) for key, v in hired.items() if (v.varValue or 0.0) > TOLERANCE}
    for variable, what, _ in slacks:
        amount = float(variable.varValue or 0.0)
        if amount > TOLERANCE:
            what.amount = amount
            plan.slacks.append(what)
    if elastic:
        for project, start in plan.starts.items():
            shift = frame.loc[(frame["project"] == project) & (frame["start"] == start), "shift"].iloc[0]
            if shift > 0:
                plan.slacks.append(Slack("window", float(shift), project=project, period=start))
        plan.objective = incumbent
        return plan
    coefficient = dict(zip(zip(frame["project"], frame["start"]), frame["coefficient"]))
    plan.objective = float(sum(coefficient[(p, s)] for p, s in plan.starts.items()))
    tie = incumbent - plan.objective if incumbent is not None else 0.0
    plan.bound = None if bound is None else bound - tie
    plan.gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(plan.objective, plan.bound)
    return plan
