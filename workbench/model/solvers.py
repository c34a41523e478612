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
from dataclasses import dataclass

import pulp
from pulp.apis.coin_api import pulp_cbc_path

from workbench.data.scenario import SolverSpec
from workbench.ground.errors import SolverError
from workbench.ground.status import SolveStatus


@dataclass(frozen=True)
class SolverRun:
    """What one solver run proved: the incumbent objective (tie-break included) and the bound."""

    status: SolveStatus
    objective: float | None
    bound: float | None


def run_solver(problem: pulp.LpProblem, settings: SolverSpec, *, warm_start: bool = False,
               stop: threading.Event | None = None) -> SolverRun:
    """Run the solver named by ``settings`` on ``problem``. ``warm_start``: begin from the
    variables' initial values; setting ``stop`` ends this run (and only this one) early.

    Nothing here touches the process's file descriptors: CBC writes into its own log file and
    HiGHS is silenced by its options (its one-time banner is printed when this module loads),
    so solves in worker threads do not step on each other or on standard output.
    """
    solvers = {"highs": _solve_highs, "cbc": _solve_cbc}
    if settings.name not in solvers:
        raise SolverError(f"unknown solver {settings.name!r}; use cbc or highs")
    return solvers[settings.name](problem, settings, warm_start, stop)


def _silence_highs_banner() -> None:
    """HiGHS prints its banner on standard output the first time a solver object is made, once per
    process; make that first object here, at import (in the importing thread), with fd 1 pointed
    at the null device, so that ``--json`` output stays one object and the terminal stays quiet."""
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


_silence_highs_banner()

CBC_GRACE = 1.5  # seconds past the limit, plus 10%, before our own CBC process is stopped
POLL_SECONDS = 0.02


def cbc_command(problem: pulp.LpProblem, settings: SolverSpec, mps: str, solution: str,
                warm_start_file: str | None) -> list[str]:
    """The CBC command line, every option stated here on purpose (docs/model.md says why).

    No ``-threads`` unless asked for: with any ``-threads`` value the bundled CBC 2.10 runs its
    threaded branch-and-bound, which has stopped with a wrong "optimal" on the sample.
    """
    command = [pulp_cbc_path, mps]
    if problem.sense == pulp.LpMaximize:
        command.append("-max")
    if warm_start_file is not None:
        command += ["-mips", warm_start_file]
    if settings.time_limit is not None:
        command += ["-sec", f"{settings.time_limit:.3f}"]
    command += ["-ratio", repr(float(settings.gap))]
    if settings.threads is not None:
        command += ["-threads", str(int(settings.threads))]
    return command + ["-solve", "-printingOptions", "all", "-solution", solution]


def _solve_cbc(problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None) -> SolverRun:
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
        if warm_start:
            warm_start_file = os.path.join(folder, "start.mst")
            adapter.writesol(warm_start_file, problem, variables, variable_names, constraint_names)
        command = cbc_command(problem, settings, mps, solution, warm_start_file)
        stopped = _run_until(command, log_path, settings.time_limit, stop)
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            log = handle_log.read()
        if stopped is not None:  # stopped by us; CBC reports a plan only at exit, so none is known
            return SolverRun(SolveStatus.NOT_SOLVED, None, None)
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
        return SolverRun(SolveStatus.INFEASIBLE, None, None)
    if objective is None:
        return SolverRun(SolveStatus.NOT_SOLVED, None, _cbc_bound(log, problem))
    result_line = next((line for line in log.splitlines() if line.startswith("Result - ")), "")
    bound = _cbc_bound(log, problem)
    if "Optimal solution found" in result_line and settings.gap == 0:
        return SolverRun(SolveStatus.OPTIMAL, objective, objective)
    if bound is None:
        bound = objective if "Optimal solution found" in result_line else None
    return SolverRun(_status_from_gap(objective, bound), objective, bound)


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


def _solve_highs(problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None) -> SolverRun:
    import highspy  # noqa: PLC0415 - optional dependency, checked just below

    if not pulp.HiGHS().available():
        raise SolverError("HiGHS is not available: install highspy (pip install highspy)")
    solver = _HighsWithStart(msg=False, timeLimit=settings.time_limit, gapRel=settings.gap, threads=settings.threads)
    solver.start_values = warm_start
    solver.stop = stop
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
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else None
    if problem.sense == pulp.LpMaximize and bound is not None and objective is not None and bound < objective - 1e-6 * max(1, abs(objective)):
        bound = -bound
    if bound is None and status == highspy.HighsModelStatus.kOptimal:
        bound = objective
    return SolverRun(_status_from_gap(objective, bound), objective, bound)


class _HighsWithStart(pulp.HiGHS):
    """PuLP's highspy interface, plus a starting solution from the variables' initial values and
    a stop request (``stop``, a :class:`threading.Event`) that interrupts this solve only."""

    start_values = False
    stop: threading.Event | None = None

    def callSolver(self, lp):
        model = lp.solverModel
        if self.start_values:
            import highspy  # noqa: PLC0415 - optional dependency, present when this class is used

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


