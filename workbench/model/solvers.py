"""Solver adapters behind one call, :func:`run_solver`: CBC in a process of our own
(:mod:`workbench.model.cbc`), HiGHS in-process (:mod:`workbench.model.highs`), or the two raced
(:mod:`workbench.model.race`).

Every option passed is stated in those modules; docs/model.md says why.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pulp

from workbench.data.scenario import SolverSpec
from workbench.ground.errors import SolverError
from workbench.ground.status import SOLVER_NAMES
from workbench.model.cbc import solve_cbc
from workbench.model.highs import silence_highs_banner, solve_highs
from workbench.model.race import solve_auto
from workbench.model.solver_run import Incumbents, SolverRun


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
    silence_highs_banner()
    solvers = {"highs": solve_highs, "cbc": solve_cbc, "auto": solve_auto}
    if settings.name not in solvers:
        raise SolverError(f"unknown solver {settings.name!r}; use {', '.join(SOLVER_NAMES)}")
    if settings.name == "auto" and settings.cores == 1:
        # a race on one core would put two solvers on it: with one core, CBC runs alone
        settings = settings.model_copy(update={"name": "cbc"})
    if settings.name == "auto":
        run = solve_auto(problem, settings, warm_start, stop, incumbents, plan_by)
    else:
        run = solvers[settings.name](problem, settings, warm_start, stop, incumbents)
    return run if run.solver is not None else replace(run, solver=settings.name)
