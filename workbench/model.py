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

import math
import os
import re
import shutil
import subprocess
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
from workbench.status import SolveStatus

WINDOW_SHIFT_PRICE = 1e3  # per period a commitment starts outside its window
COMMITMENT_DROP_PRICE = 1e6  # per commitment that cannot be selected at all
# per optional project the elastic plan holds: it takes one only where that relaxes something
# (a prerequisite, a category's minimum share), so its plan is the commitments' own
OPTIONAL_PROJECT_PRICE = 1e-4
TOLERANCE = 1e-6


@dataclass
class SolverOptions:
    name: str = "cbc"
    time_limit: float | None = None
    gap: float = 0.0
    threads: int | None = None  # None: the solver's serial default (see cbc_command)
    warm_start: dict[str, int] | None = None  # project -> start, a plan to begin from
    stop_at_first_plan: bool = False  # for measuring time to a first plan
    stop: threading.Event | None = None  # set it to stop this solve (a newer request superseded it)


class RelaxationKind(str, Enum):
    """What the elastic model may relax, cheapest first."""

    CAPACITY = "capacity"  #: FTE of a role in a period beyond capacity (and hiring)
    BUDGET = "budget"  #: money in a period beyond its budget
    BUDGET_TOTAL = "budget_total"  #: money beyond the total budget
    BALANCE_MIN = "balance_min"  #: cost a category is short of its minimum share
    BALANCE_MAX = "balance_max"  #: cost a category has beyond its maximum share
    WINDOW = "window"  #: periods a commitment starts outside its window
    COMMITMENT = "commitment"  #: a commitment that cannot be scheduled at all


@dataclass
class Slack:
    """One relaxed constraint of the elastic model."""

    kind: RelaxationKind
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
        slacks.append((variable, Slack(RelaxationKind(kind), 0.0, **where), price))
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

    starts_of = {project: sorted(zip(group["start"], group["var"]), key=lambda pair: pair[0])
                 for project, group in options.groupby("project", sort=False)}
    add_dependency_constraints(problem, data, starts_of)

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
        optional = options[options["project"].map(projects["commitment"]).eq("")]
        problem += (pulp.lpSum(price * variable for variable, _, price in slacks)
                    + _expr(shifted["var"], WINDOW_SHIFT_PRICE * shifted["shift"])
                    + _expr(optional["var"], [OPTIONAL_PROJECT_PRICE] * len(optional)))
    else:
        problem += _expr(options["var"], options["coefficient"]) - _tie_break(data, options, hired)
    return problem, options, hired, slacks


def add_dependency_constraints(problem: pulp.LpProblem, data: PlanningData,
                               starts_of: dict[str, list[tuple[int, pulp.LpVariable]]]) -> None:
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
            started_by = [variable for _, variable in project_starts[:position + 1]]
            problem += (pulp.lpSum(started_by) <= pulp.lpSum(v for _, v in required_starts[:ready]),
                        f"dep_{number}_{start}")


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


# ----------------------------------------------------------------------------- solving
def solve_model(problem: pulp.LpProblem, options: SolverOptions) -> tuple[SolveStatus, float | None, float | None, str]:
    """Run the solver. Returns (status, incumbent objective incl. tie-break, best bound, log).

    Nothing here touches the process's file descriptors: CBC writes into its own log file and
    HiGHS is silenced by its options (its one-time banner is printed when this module loads),
    so solves in worker threads do not step on each other or on standard output.
    """
    solvers = {"highs": _solve_highs, "cbc": _solve_cbc}
    if options.name not in solvers:
        raise SolverError(f"unknown solver {options.name!r}; use cbc or highs")
    return solvers[options.name](problem, options)


def _silence_highs_banner() -> None:
    """HiGHS prints its banner on standard output the first time a solver object is made, once per
    process; make that first object here, at import (in the importing thread), with fd 1 pointed
    at the null device, so that ``--json`` output stays one object and the terminal stays quiet."""
    try:
        import highspy
    except ImportError:  # HiGHS is optional; asking for it later gives a clear error
        return
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real file descriptor (some notebook front ends)
        highspy.Highs()
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_highs_banner()

CBC_GRACE = 1.5  # seconds past the limit, plus 10%, before our own CBC process is stopped
POLL_SECONDS = 0.02


def cbc_command(problem: pulp.LpProblem, options: SolverOptions, mps: str, solution: str,
                warm_start_file: str | None) -> list[str]:
    """The CBC command line, every option stated here on purpose (docs/model.md says why).

    No ``-threads`` unless asked for: with any ``-threads`` value the bundled CBC 2.10 runs its
    threaded branch-and-bound, which has stopped with a wrong "optimal" on the sample.
    """
    from pulp.apis.coin_api import pulp_cbc_path

    command = [pulp_cbc_path, mps]
    if problem.sense == pulp.LpMaximize:
        command.append("-max")
    if warm_start_file is not None:
        command += ["-mips", warm_start_file]
    if options.time_limit is not None:
        command += ["-sec", f"{options.time_limit:.3f}"]
    command += ["-ratio", repr(float(options.gap))]
    if options.threads is not None:
        command += ["-threads", str(int(options.threads))]
    if options.stop_at_first_plan:
        command += ["-maxSolutions", "1"]
    return command + ["-solve", "-printingOptions", "all", "-solution", solution]


def _solve_cbc(problem, options):
    """CBC in a process of our own: the time limit and a stop request end exactly that process.

    CBC checks its time limit only between phases (root cuts can run on for minutes), so a run
    still going at 1.1 x the limit + 1.5 s is stopped and reported as not solved.
    """
    adapter = pulp.COIN_CMD(msg=False)  # PuLP's reader of CBC's solution file
    folder = tempfile.mkdtemp(prefix="workbench-cbc-")
    mps, solution, log_path = (os.path.join(folder, name) for name in ("model.mps", "model.sol", "cbc.log"))
    try:
        variables, variable_names, constraint_names, _ = problem.writeMPS(mps, rename=1)
        warm_start_file = None
        if options.warm_start is not None:
            warm_start_file = os.path.join(folder, "start.mst")
            adapter.writesol(warm_start_file, problem, variables, variable_names, constraint_names)
        command = cbc_command(problem, options, mps, solution, warm_start_file)
        stopped = _run_until(command, log_path, options)
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            log = handle_log.read()
        if stopped is not None:  # stopped by us; CBC reports a plan only at exit, so none is known
            return SolveStatus.NOT_SOLVED, None, None, f"{stopped}\n{log}"
        if not os.path.exists(solution):
            raise SolverError(f"CBC wrote no solution; its log ends: {log[-500:]}")
        status, values, _, _, _, sol_status = adapter.readsol_MPS(solution, problem, variables, variable_names,
                                                                   constraint_names)
        problem.assignVarsVals(values)
        problem.assignStatus(status, sol_status)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
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


def _run_until(command: list[str], log_path: str, options: SolverOptions) -> str | None:
    """Run ``command`` to its end; stop it past the time limit or on ``options.stop``.
    Returns why it was stopped, or ``None`` when it ended by itself."""
    limit = None if options.time_limit is None else options.time_limit * 1.1 + CBC_GRACE
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while True:
                try:
                    code = process.wait(timeout=POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if options.stop is not None and options.stop.is_set():
                        reason = "stopped: superseded by a newer request"
                    elif limit is not None and time.monotonic() - started > limit:
                        reason = "stopped at the time limit"
                    else:
                        continue
                    process.kill()
                    process.wait()
                    return reason
        except BaseException:  # Ctrl+C or an error here: never leave CBC running
            process.kill()
            process.wait()
            raise
    if code != 0:
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            raise SolverError(f"CBC failed (exit code {code}): {handle_log.read()[-500:]}")
    return None


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
    import highspy

    if not pulp.HiGHS().available():
        raise SolverError("HiGHS is not available: install highspy (pip install highspy)")
    extra = {"mip_max_improving_sols": 1} if options.stop_at_first_plan else {}
    solver = _HighsWithStart(msg=False, timeLimit=options.time_limit, gapRel=options.gap, threads=options.threads,
                             **extra)
    solver.start_values = options.warm_start is not None
    solver.stop = options.stop
    problem.solve(solver)
    model = problem.solverModel
    info = model.getInfo()
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
    """PuLP's highspy interface, plus a starting solution from the variables' initial values and
    a stop request (``stop``, a :class:`threading.Event`) that interrupts this solve only."""

    start_values = False
    stop: threading.Event | None = None

    def callSolver(self, lp):
        model = lp.solverModel
        if self.start_values:
            import highspy

            solution = highspy.HighsSolution()
            solution.col_value = [float(v.varValue or 0.0) for v in lp.variables()]
            solution.value_valid = True
            model.setSolution(solution)
        if self.stop is None:
            model.run()
            return
        model.HandleUserInterrupt = True
        finished = threading.Event()

        def watch():
            while not finished.wait(POLL_SECONDS):
                if self.stop.is_set():
                    model.cancelSolve()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            model.run()
        finally:
            finished.set()
            watcher.join()

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
                plan.slacks.append(Slack(RelaxationKind.WINDOW, float(shift), project=project, period=start))
        plan.objective = incumbent
        return plan
    coefficient = dict(zip(zip(frame["project"], frame["start"]), frame["coefficient"]))
    plan.objective = float(sum(coefficient[(p, s)] for p, s in plan.starts.items()))
    tie = incumbent - plan.objective if incumbent is not None else 0.0
    plan.bound = None if bound is None else bound - tie
    plan.gap = 0.0 if status is SolveStatus.OPTIMAL else relative_gap(plan.objective, plan.bound)
    return plan
