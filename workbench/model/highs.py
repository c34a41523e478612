"""HiGHS in this process: its options, its one-time banner kept off standard output, warm
starts, plans reported as it finds them, and stop requests between rounds."""

from __future__ import annotations

import math
import os
import sys
import threading

import pulp

from workbench.data.scenario import SolverSpec
from workbench.ground.errors import SolverError
from workbench.ground.status import SolveStatus
from workbench.model.solver_run import POLL_SECONDS, Incumbents, SolverRun, objective_at, status_from_gap


_BANNER_LOCK = threading.Lock()
_banner_silenced = False


def silence_highs_banner() -> None:
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


#: HiGHS's threads, whatever a scenario asks: every core but one, which CBC takes in the race.
#: HiGHS's own default (0) let it take every core, and in the race it then competed with CBC: on
#: the sample's budget changes the race took 1.2 to 1.7 s where CBC alone took 1.1 to 1.3 s (on
#: two cores, with one thread each: 1.2 to 1.3 s). The number never changes within a process:
#: HiGHS keeps one thread pool per process, sized at its first solve, and a later solve that
#: asked for another size failed with no plan.
HIGHS_THREADS = max(1, (os.cpu_count() or 1) - 1)


def solve_highs(
    problem, settings: SolverSpec, warm_start: bool, stop: threading.Event | None, incumbents: Incumbents | None = None
) -> SolverRun:
    import highspy  # noqa: PLC0415 - optional dependency, checked just below

    if not pulp.HiGHS().available():
        raise SolverError("HiGHS is not available: install highspy (pip install highspy)")
    solver = HighsWithStart(msg=False, timeLimit=settings.time_limit, gapRel=settings.gap, threads=HIGHS_THREADS)
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


class HighsWithStart(pulp.HiGHS):
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
        solver = HighsWithStart(msg=False, gapRel=0.0, threads=HIGHS_THREADS)
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
