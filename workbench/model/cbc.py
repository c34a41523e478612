"""CBC in a process of our own: its command line (every option stated here on purpose), the
process stopped past its limit or on request, its log read for the status and the bound."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pulp
from pulp.apis.coin_api import pulp_cbc_path

from workbench.data.scenario import SolverSpec
from workbench.ground.errors import SolverError
from workbench.ground.status import SolveStatus
from workbench.model.solver_run import POLL_SECONDS, Incumbents, SolverRun, objective_at, status_from_gap


CBC_GRACE = 1.5  # seconds past the limit, plus 10%, before our own CBC process is stopped


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


def solve_cbc(
    problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None, incumbents: Incumbents | None = None
) -> SolverRun:
    """CBC in a process of our own: the time limit and a stop request end exactly that process.
    CBC reports its plan only when it ends, so ``incumbents`` hears nothing from it.

    CBC checks its time limit only between phases (root cuts can run on for minutes), so a run
    still going at 1.1 x the limit + 1.5 s is stopped and reported as not solved.
    """
    job = CbcJob(problem, settings, warm_start)
    try:
        run, values = job.run(stop)
        if values is not None:
            job.assign(values)
        return run
    finally:
        job.close()


class CbcJob:
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
