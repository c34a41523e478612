"""Solver adapters behind one call, :func:`run_solver`: CBC in a process of our own, HiGHS in-process.

Every option passed is stated here; docs/model.md says why.
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
from dataclasses import dataclass, replace

import pulp
from pulp.apis.coin_api import pulp_cbc_path

from workbench.data.scenario import SolverSpec
from workbench.ground.errors import SolverError
from workbench.ground.status import SolveStatus


class Incumbents:
    """The newest plan a running HiGHS solve has found (thread-safe), so that a caller can show
    it before the solve ends: values by variable name, the objective and HiGHS's bound then."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: tuple[dict[str, float], float, float | None] | None = None

    def offer(self, values: dict[str, float], objective: float, bound: float | None) -> None:
        with self._lock:
            self._latest = (values, objective, bound)

    def latest(self) -> tuple[dict[str, float], float, float | None] | None:
        with self._lock:
            return self._latest


@dataclass(frozen=True)
class SolverRun:
    """What one solver run proved: the incumbent objective (tie-break included), the bound and
    the solver whose plan it is (for ``auto``: the race's winner)."""

    status: SolveStatus
    objective: float | None
    bound: float | None
    solver: str | None = None


def run_solver(
    problem: pulp.LpProblem,
    settings: SolverSpec,
    *,
    warm_start: bool = False,
    stop: threading.Event | None = None,
    incumbents: Incumbents | None = None,
    plan_by: float | None = None,
) -> SolverRun:
    """Run the solver named by ``settings`` on ``problem``. ``warm_start``: begin from the
    variables' initial values; setting ``stop`` ends this run (and only this one) early;
    ``incumbents``: HiGHS (alone or in the race) reports each better plan there as it finds it;
    ``plan_by`` (``auto`` only): a plan is wanted by then rather than a proof by the limit.

    CBC writes into its own log file and HiGHS is silenced by its options (its one-time banner,
    printed when the process's first HiGHS object is made, is sent to the null device before the
    first solve), so solves in worker threads do not step on each other or on standard output.
    """
    _silence_highs_banner()
    solvers = {"highs": _solve_highs, "cbc": _solve_cbc, "auto": _solve_auto}
    if settings.name not in solvers:
        raise SolverError(f"unknown solver {settings.name!r}; use auto, cbc or highs")
    if settings.name == "auto" and settings.cores == 1:
        # a race on one core would put two solvers on it: with one core, CBC runs alone
        settings = settings.model_copy(update={"name": "cbc"})
    if settings.name == "auto":
        run = _solve_auto(problem, settings, warm_start, stop, incumbents, plan_by)
    else:
        run = solvers[settings.name](problem, settings, warm_start, stop, incumbents)
    return run if run.solver is not None else replace(run, solver=settings.name)


_BANNER_LOCK = threading.Lock()
_banner_silenced = False


def _silence_highs_banner() -> None:
    """HiGHS prints its banner on standard output the first time a solver object is made, once per
    process; make that first object here, before the first solve (not at import: importing does
    no work), with fd 1 pointed at the null device for that moment, so that ``--json`` output stays
    one object and the terminal stays quiet. Under a lock: two threads swapping fd 1 at once could
    leave it pointing at the null device."""
    global _banner_silenced
    with _BANNER_LOCK:
        if _banner_silenced:
            return
        _banner_silenced = True
        _make_first_highs_quietly()


def _make_first_highs_quietly() -> None:
    try:
        import highspy  # noqa: PLC0415 - optional dependency
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


CBC_GRACE = 1.5  # seconds past the limit, plus 10%, before our own CBC process is stopped
POLL_SECONDS = 0.02


def cbc_command(
    problem: pulp.LpProblem, settings: SolverSpec, mps: str, solution: str, warm_start_file: str | None
) -> list[str]:
    """The CBC command line, every option stated here on purpose (docs/model.md says why).

    No ``-threads`` unless asked for: with any ``-threads`` value the bundled CBC 2.10 runs its
    threaded branch-and-bound, which has stopped with a wrong "optimal" on the sample.
    """
    command = [pulp_cbc_path, mps]
    if problem.sense == pulp.LpMaximize:
        command.append("-max")
    if warm_start_file is not None:
        command += ["-mips", warm_start_file]
    if settings.time_limit is not None:  # wall-clock seconds, as the user means them (CBC counts CPU time by default)
        command += ["-timeMode", "elapsed", "-sec", f"{settings.time_limit:.3f}"]
    command += ["-ratio", repr(float(settings.gap))]
    if settings.threads is not None:
        command += ["-threads", str(int(settings.threads))]
    return command + ["-solve", "-printingOptions", "all", "-solution", solution]


def _solve_cbc(
    problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None, incumbents: Incumbents | None = None
) -> SolverRun:
    """CBC in a process of our own: the time limit and a stop request end exactly that process.
    CBC reports its plan only when it ends, so ``incumbents`` hears nothing from it.

    CBC checks its time limit only between phases (root cuts can run on for minutes), so a run
    still going at 1.1 x the limit + 1.5 s is stopped and reported as not solved.
    """
    job = _CbcJob(problem, settings, warm_start)
    try:
        run, values = job.run(stop)
        if values is not None:
            job.assign(values)
        return run
    finally:
        job.close()


class _CbcJob:
    """One CBC run: the model written at creation (from the variables as they are then), run by
    :meth:`run` (any thread), its plan put back into the problem by :meth:`assign`."""

    def __init__(self, problem, settings: SolverSpec, warm_start: bool):
        self.problem, self.settings = problem, settings
        self.adapter = pulp.COIN_CMD(msg=False)  # PuLP's reader of CBC's solution file
        self.folder = tempfile.mkdtemp(prefix="workbench-cbc-")
        self.mps, self.solution, self.log_path = (
            os.path.join(self.folder, name) for name in ("model.mps", "model.sol", "cbc.log")
        )
        self.variables, self.variable_names, self.constraint_names, _ = problem.writeMPS(self.mps, rename=1)
        warm_start_file = None
        if warm_start:
            warm_start_file = os.path.join(self.folder, "start.mst")
            self.adapter.writesol(warm_start_file, problem, self.variables, self.variable_names, self.constraint_names)
        self.command = cbc_command(problem, settings, self.mps, self.solution, warm_start_file)

    def run(self, stop: threading.Event | None) -> tuple[SolverRun, dict | None]:
        """Run CBC; what it proved, and its variable values when it has a plan (not yet assigned)."""
        problem = self.problem
        stopped = _run_until(self.command, self.log_path, self.settings.time_limit, stop)
        with open(self.log_path, encoding="utf-8", errors="replace") as handle_log:
            log = handle_log.read()
        if stopped is not None:  # stopped by us; CBC reports a plan only at exit, so none is known
            return SolverRun(SolveStatus.NOT_SOLVED, None, None, "cbc"), None
        if not os.path.exists(self.solution):
            raise SolverError(f"CBC wrote no solution; its log ends: {log[-500:]}")
        _, values, _, _, _, sol_status = self.adapter.readsol_MPS(
            self.solution, problem, self.variables, self.variable_names, self.constraint_names
        )
        has_plan = sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
        objective = objective_at(problem, values) if has_plan else None
        # our models are bounded (binaries, bounded hiring, priced slack), so CBC's "infeasible or
        # unbounded" from preprocessing is a proof of infeasibility
        if sol_status == pulp.LpSolutionInfeasible or _CBC_INFEASIBLE.search(log):
            return SolverRun(SolveStatus.INFEASIBLE, None, None, "cbc"), None
        if objective is None:
            return SolverRun(SolveStatus.NOT_SOLVED, None, _cbc_bound(log, objective), "cbc"), None
        result_line = next((line for line in log.splitlines() if line.startswith("Result - ")), "")
        bound = _cbc_bound(log, objective)
        if "Optimal solution found" in result_line and self.settings.gap == 0:
            return SolverRun(SolveStatus.OPTIMAL, objective, objective, "cbc"), values
        if bound is None:
            bound = objective if "Optimal solution found" in result_line else None
        return SolverRun(status_from_gap(objective, bound), objective, bound, "cbc"), values

    def assign(self, values: dict) -> None:
        self.problem.assignVarsVals(values)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def objective_at(problem: pulp.LpProblem, values: dict) -> float:
    """The objective at ``values`` (variable name -> value), without touching the variables."""
    objective = problem.objective
    return float(
        objective.constant
        + sum(coefficient * float(values.get(variable.name) or 0.0) for variable, coefficient in objective.items())
    )


def _solve_auto(
    problem,
    settings: SolverSpec,
    warm_start: bool,
    stop: threading.Event | None,
    incumbents: Incumbents | None = None,
    plan_by: float | None = None,
) -> SolverRun:
    """The race: CBC (its own process) and HiGHS (a thread; it runs outside the GIL) on the same
    model within the same limit. The first proof (optimal or infeasible) stops the other; the
    better plan is kept, with the better of the two bounds, so the gap is from the best bound.

    With ``plan_by`` (seconds, below the limit), CBC's limit is ``plan_by``. HiGHS stops then
    too if either has a plan; without one it goes on to the limit, since a model that has no
    plan yet needs solver time (a first plan, or a proof of infeasibility)."""
    cbc_limit = plan_by if plan_by is not None else settings.time_limit
    cbc = _CbcJob(
        problem, settings.model_copy(update={"name": "cbc", "time_limit": cbc_limit}), warm_start
    )  # written before HiGHS runs
    if incumbents is None and plan_by is not None:  # to see whether HiGHS has a plan by then
        incumbents = Incumbents()
    stops = {"cbc": threading.Event(), "highs": threading.Event()}
    outcomes: dict[str, tuple[SolverRun, dict | None]] = {}
    failures: list[BaseException] = []

    def race(name: str, work) -> None:
        try:
            outcomes[name] = work()
        except BaseException as exc:  # noqa: BLE001 - reported below, after the other is stopped
            failures.append(exc)
        finally:
            if name in outcomes and outcomes[name][0].status in (SolveStatus.OPTIMAL, SolveStatus.INFEASIBLE):
                for other, event in stops.items():
                    if other != name:
                        event.set()

    def highs() -> tuple[SolverRun, dict | None]:
        run = _solve_highs(
            problem, settings.model_copy(update={"name": "highs"}), warm_start, stops["highs"], incumbents
        )
        values = {v.name: v.varValue for v in problem.variables()} if run.status.has_plan else None
        return replace(run, solver="highs"), values

    threads = [
        threading.Thread(target=race, args=("cbc", lambda: cbc.run(stops["cbc"])), daemon=True),
        threading.Thread(target=race, args=("highs", highs), daemon=True),
    ]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            if stop is not None and stop.is_set():
                for event in stops.values():
                    event.set()
            if (
                plan_by is not None
                and time.monotonic() - started >= plan_by
                and not stops["highs"].is_set()
                and (
                    incumbents.latest() is not None or ("cbc" in outcomes and outcomes["cbc"][0].objective is not None)
                )
            ):
                stops["highs"].set()  # a plan is there by plan_by: the caller improves it
            for thread in threads:
                thread.join(POLL_SECONDS)
    except BaseException:  # Ctrl+C: stop both, then let the error through
        for event in stops.values():
            event.set()
        for thread in threads:
            thread.join()
        cbc.close()
        raise
    try:
        if failures and not outcomes:
            raise failures[0]
        return _race_result(problem, cbc, outcomes)
    finally:
        cbc.close()


def _race_result(problem, cbc: _CbcJob, outcomes: dict[str, tuple[SolverRun, dict | None]]) -> SolverRun:
    runs = {name: run for name, (run, _) in outcomes.items()}
    if any(run.status is SolveStatus.INFEASIBLE for run in runs.values()):
        return SolverRun(
            SolveStatus.INFEASIBLE,
            None,
            None,
            "auto: " + next(name for name, run in runs.items() if run.status is SolveStatus.INFEASIBLE),
        )
    maximise = problem.sense == pulp.LpMaximize
    with_plan = [name for name, run in runs.items() if run.objective is not None]
    bounds = [run.bound for run in runs.values() if run.bound is not None]
    best_bound = (min(bounds) if maximise else max(bounds)) if bounds else None
    if not with_plan:
        return SolverRun(SolveStatus.NOT_SOLVED, None, best_bound, "auto")
    winner = (max if maximise else min)(with_plan, key=lambda name: runs[name].objective)
    run, values = outcomes[winner]
    if winner == "cbc":
        cbc.assign(values)
    else:
        problem.assignVarsVals(values)
    if run.status is SolveStatus.OPTIMAL:
        return replace(run, solver=f"auto: {run.solver or winner}")
    bound = best_bound if best_bound is not None else run.bound
    return SolverRun(status_from_gap(run.objective, bound), run.objective, bound, f"auto: {run.solver or winner}")


def _run_until(command: list[str], log_path: str, time_limit: float | None, stop: threading.Event | None) -> str | None:
    """Run ``command`` to its end; stop it past the time limit or when ``stop`` is set.
    Returns why it was stopped, or ``None`` when it ended by itself."""
    limit = None if time_limit is None else time_limit * 1.1 + CBC_GRACE
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while True:
                try:
                    code = process.wait(timeout=POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if stop is not None and stop.is_set():
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


_CBC_INFEASIBLE = re.compile(
    r"proven infeasible|says infeasible|Problem is infeasible|"
    r"found to be infeasible|Result - Linear relaxation infeasible",
    re.IGNORECASE,
)


def _cbc_bound(log: str, objective: float | None) -> float | None:
    """CBC's best bound from its summary ("Upper bound" when maximising with -max, "Lower
    bound" when minimising), in the sign of the problem's own objective (``objective``)."""
    match = re.search(r"^(?:Lower|Upper) bound:\s*(-?[\d.eE+-]+)", log, re.MULTILINE)
    if not match:
        return None
    bound = float(match.group(1))
    printed = re.search(r"^Objective value:\s*(-?[\d.eE+-]+)", log, re.MULTILINE)
    if printed and objective is not None and float(printed.group(1)) * objective < 0:
        bound = -bound  # CBC printed the internal (negated) sense
    return bound


#: HiGHS's threads, whatever a scenario asks: every core but one, which CBC takes in the race.
#: HiGHS's own default (0) let it take every core, and in the race it then competed with CBC: on
#: the sample's budget changes the race took 1.2 to 1.7 s where CBC alone took 1.1 to 1.3 s (on
#: two cores, with one thread each: 1.2 to 1.3 s). The number never changes within a process:
#: HiGHS keeps one thread pool per process, sized at its first solve, and a later solve that
#: asked for another size failed with no plan.
HIGHS_THREADS = max(1, (os.cpu_count() or 1) - 1)


def _solve_highs(
    problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None, incumbents: Incumbents | None = None
) -> SolverRun:
    import highspy  # noqa: PLC0415 - optional dependency, checked just below

    if not pulp.HiGHS().available():
        raise SolverError("HiGHS is not available: install highspy (pip install highspy)")
    solver = _HighsWithStart(msg=False, timeLimit=settings.time_limit, gapRel=settings.gap, threads=HIGHS_THREADS)
    solver.start_values = warm_start
    solver.stop = stop
    solver.incumbents = incumbents
    problem.solve(solver)
    model = problem.solverModel
    info = model.getInfo()
    status = model.getModelStatus()
    has_plan = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return SolverRun(SolveStatus.INFEASIBLE, None, None)
    if not has_plan:
        return SolverRun(SolveStatus.NOT_SOLVED, None, None)
    objective = pulp.value(problem.objective)
    if status == highspy.HighsModelStatus.kOptimal and settings.gap == 0:
        return SolverRun(SolveStatus.OPTIMAL, objective, objective)
    bound = _highs_bound(problem, info.mip_dual_bound)
    if bound is None and status == highspy.HighsModelStatus.kOptimal:
        bound = objective
    return SolverRun(status_from_gap(objective, bound), objective, bound)


class _HighsWithStart(pulp.HiGHS):
    """PuLP's highspy interface, plus a starting solution from the variables' initial values and
    a stop request (``stop``, a :class:`threading.Event`) that interrupts this solve only."""

    start_values = False
    stop: threading.Event | None = None
    incumbents: Incumbents | None = None

    def callSolver(self, lp):
        model = lp.solverModel
        if self.incumbents is not None:
            self._report_incumbents(lp, self.incumbents)
        if self.start_values:
            import highspy  # noqa: PLC0415 - optional dependency, present when this class is used

            solution = highspy.HighsSolution()
            solution.col_value = [float(v.varValue or 0.0) for v in lp.variables()]
            solution.value_valid = True
            model.setSolution(solution)
        _run_highs(model, self.stop)

    @staticmethod
    def _report_incumbents(lp, incumbents: Incumbents) -> None:
        """Subscribe to HiGHS's improving plans; each is put in ``incumbents`` by variable name
        (PuLP numbers HiGHS's columns in the order of ``lp.variables()``), with its objective in
        the problem's own sense and the bound then, when finite."""
        variables = lp.variables()

        def improved(event) -> None:
            values = dict(zip((v.name for v in variables), map(float, event.data_out.mip_solution)))
            incumbents.offer(values, objective_at(lp, values), _highs_bound(lp, event.data_out.mip_dual_bound))

        lp.solverModel.cbMipImprovingSolution.subscribe(improved)

    def findSolutionValues(self, lp):
        try:
            return super().findSolutionValues(lp)
        except KeyError:  # a status PuLP does not map (e.g. solution limit); values are already read
            has_plan = lp.solverModel.getInfo().primal_solution_status == 2
            return (
                (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)
                if has_plan
                else (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
            )


def _highs_bound(problem: pulp.LpProblem, dual_bound: float) -> float | None:
    """HiGHS's bound in the problem's own sense: PuLP hands HiGHS a maximisation as the
    minimisation of the negated objective, so HiGHS's bound is negated back."""
    if not math.isfinite(dual_bound):
        return None
    return -float(dual_bound) if problem.sense == pulp.LpMaximize else float(dual_bound)


class HighsRounds:
    """One HiGHS model of ``problem`` kept for many solves that differ only in which start
    variables are fixed (the neighbourhood search's rounds): built once, bounds changed in place,
    each round started from a given plan. Cheaper than building the model again every round."""

    def __init__(self, problem: pulp.LpProblem):
        self.problem = problem
        self.variables = problem.variables()
        solver = _HighsWithStart(msg=False, gapRel=0.0, threads=HIGHS_THREADS)
        solver.createAndConfigureSolver(problem)
        solver.buildSolverModel(problem)
        self.model = problem.solverModel
        self.position = {variable.name: i for i, variable in enumerate(self.variables)}

    def solve(
        self, fixed: dict[str, float], start: dict[str, float], time_limit: float, stop: threading.Event | None
    ) -> tuple[SolveStatus, float | None, dict[str, float] | None]:
        """Solve with the variables in ``fixed`` held at their values, from the plan ``start``;
        returns the status, the objective and the values (``None`` without a plan)."""
        import highspy  # noqa: PLC0415 - present: the model was built with it
        import numpy as np  # noqa: PLC0415

        model = self.model
        columns = np.array([self.position[name] for name in fixed], dtype=np.int32)
        values = np.array(list(fixed.values()), dtype=float)
        lower = np.array([self.variables[i].lowBound for i in columns], dtype=float)
        upper = np.array([self.variables[i].upBound for i in columns], dtype=float)
        model.changeColsBounds(len(columns), columns, values, values)
        try:
            model.setOptionValue("time_limit", float(max(time_limit, 0.01)))
            solution = highspy.HighsSolution()
            solution.col_value = [float(start.get(v.name, 0.0)) for v in self.variables]
            solution.value_valid = True
            model.setSolution(solution)
            _run_highs(model, stop)
            info = model.getInfo()
            if info.primal_solution_status != 2:  # kSolutionStatusFeasible
                return SolveStatus.NOT_SOLVED, None, None
            found = dict(zip((v.name for v in self.variables), map(float, model.getSolution().col_value)))
            objective = objective_at(self.problem, found)
            proven = model.getModelStatus() == highspy.HighsModelStatus.kOptimal
            return (SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE), objective, found
        finally:
            model.changeColsBounds(len(columns), columns, lower, upper)


def _run_highs(model, stop: threading.Event | None) -> None:
    """``model.run()``; setting ``stop`` cancels this run (only this one)."""
    if stop is None:
        model.run()
        return
    model.HandleUserInterrupt = True
    finished = threading.Event()

    def watch():
        while not finished.wait(POLL_SECONDS):
            if stop.is_set():
                model.cancelSolve()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        model.run()
    finally:
        finished.set()
        watcher.join()


def status_from_gap(objective: float, bound: float | None) -> SolveStatus:
    """Optimal when the bound meets the objective (a relative gap of at most 1e-9), else feasible."""
    gap = relative_gap(objective, bound)
    return SolveStatus.OPTIMAL if gap is not None and gap <= 1e-9 else SolveStatus.FEASIBLE


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return abs(bound - objective) / max(abs(objective), 1e-9)
