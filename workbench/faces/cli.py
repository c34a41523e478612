"""The ``workbench`` command.

Exit codes: 0 a plan was found (or the command succeeded), 1 an internal error, 2 bad input,
3 no plan exists (infeasible), 4 the solver stopped before it found a plan.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from typing import TYPE_CHECKING

from workbench.ground.formatting import money
from workbench.faces import arguments
from workbench.ground.errors import InputError, SchedulerError, WorkbenchError
from workbench.ground.limits import MAX_FRONTIER_POINTS, MAX_FUTURES, MAX_PROBLEMS_SHOWN, MAX_SAMPLES, MAX_WORKERS
from workbench.ground.imports import skip_iri_grammar
from workbench.ground.status import SOLVER_NAMES, SolveStatus

if TYPE_CHECKING:
    from workbench.data.planning_data import Inputs
    from workbench.planning.result import Result

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NOT_SOLVED = 0, 1, 2, 3, 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Exact, explainable project-portfolio planning.")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init",
        help="make a working folder: the sample portfolio, or empty tables to fill (never overwrites)",
        description="make a working folder: the sample portfolio, or empty tables to fill (never overwrites)",
    )
    init.add_argument("folder", type=Path, help="the folder (made when missing)")
    kind = init.add_mutually_exclusive_group()
    kind.add_argument("--sample", dest="sample", action="store_true", default=True, help="the sample (default)")
    kind.add_argument(
        "--empty", dest="sample", action="store_false", help="empty tables, one example row each, documented"
    )
    init.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    def scenario_command(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("scenario", type=Path, help="scenario YAML file")
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        return command

    def solver_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument("--solver", choices=SOLVER_NAMES, help="override the scenario's solver")
        command.add_argument("--time-limit", type=arguments.seconds, metavar="S", help="seconds for all solver work")
        command.add_argument("--gap", type=arguments.gap, help="relative gap at which to stop (0 proves the optimum)")

    def executor_arguments(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            type=arguments.scheduler,
            help="run the fanned-out solves on this Dask scheduler (default: $WORKBENCH_SCHEDULER, "
            "else local processes)",
        )
        command.add_argument(
            "--workers",
            type=arguments.count(1, MAX_WORKERS, "a number of processes"),
            metavar="N",
            help=f"local processes, 1 to {MAX_WORKERS} (default: all cores)",
        )

    scenario_command("validate", "check a scenario and its portfolio; print every problem")
    solve = scenario_command("solve", "find the optimal plan and say why each project is in or out")
    solver_arguments(solve)
    solve.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    solve.add_argument("--out", type=Path, metavar="DIR", help="also write CSV tables to DIR/<scenario>/<timestamp>/")
    solve.add_argument(
        "--as-of",
        metavar="PERIOD",
        type=arguments.period,
        help="re-plan the periods after this status period (docs/status.md)",
    )
    explain = scenario_command("explain", "price every decision by re-solving: force in/out, one more FTE")
    solver_arguments(explain)
    explain.add_argument("--json", action="store_true")
    executor_arguments(explain)
    frontier = scenario_command("frontier", "efficient frontier of value against total budget")
    solver_arguments(frontier)
    frontier.add_argument(
        "--points",
        type=arguments.count(2, MAX_FRONTIER_POINTS, "a number of levels"),
        default=8,
        help=f"number of budget levels, 2 to {MAX_FRONTIER_POINTS} (default 8)",
    )
    frontier.add_argument("--json", action="store_true")
    executor_arguments(frontier)
    status = scenario_command("status", "earned value, forecasts and RAG per project against the baseline")
    status.add_argument(
        "--as-of", metavar="PERIOD", type=arguments.period, help="status period (overrides the scenario's status.as_of)"
    )
    status.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    approve = scenario_command("baseline", "solve and approve the plan as the portfolio's baseline table")
    solver_arguments(approve)
    approve.add_argument("--note", default="", help="why, for the decisions log")
    approve.add_argument("--replace", action="store_true", help="replace an existing baseline (kept, timestamped)")
    approve.add_argument("--out", type=Path, metavar="FILE", help="write here (required for an xlsx portfolio)")
    risk = scenario_command("risk", "Monte Carlo of the optimal plan: cost, value, overruns, overloads, finishes")
    solver_arguments(risk)
    risk.add_argument(
        "--samples",
        type=arguments.count(1, MAX_SAMPLES, "a number of samples"),
        help=f"samples, 1 to {MAX_SAMPLES:,} (default: the scenario's risk.samples)",
    )
    risk.add_argument("--seed", type=arguments.seed, help="seed, from 0 (default: the scenario's risk.seed)")
    risk.add_argument(
        "--futures",
        type=arguments.count(0, MAX_FUTURES, "a number of futures"),
        metavar="K",
        default=0,
        help=f"re-solve the selection on K sampled futures (0 to {MAX_FUTURES:,}): core index and regret",
    )
    earlier_name(risk, "--resolve", "futures", arguments.count(0, MAX_FUTURES, "a number of futures"))
    executor_arguments(risk)
    risk.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    prioritise = scenario_command("prioritise", "weighted-score ranking, AHP weights, rank-and-cut vs optimal")
    solver_arguments(prioritise)
    prioritise.add_argument("--json", action="store_true")
    sweep = scenario_command("sweep", "solve every combination of a grid of scenario keys")
    sweep.add_argument(
        "--grid",
        action="append",
        required=True,
        metavar="KEY=V1,V2,...",
        help="a scenario key path (budget.scale, capacity.ROLE, hiring.ROLE, ...) and its values; repeat",
    )
    sweep.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    sweep.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write sweep.html, sweep.csv and sweep.json to DIR/<scenario>-sweep/<timestamp>/",
    )
    executor_arguments(sweep)
    report = commands.add_parser("report", help="run the report notebook per scenario into self-contained HTML")
    report.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO")
    report.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default reports/)")
    report.add_argument(
        "--workers",
        type=arguments.count(1, MAX_WORKERS, "a number of processes"),
        default=1,
        help="reports run in parallel (local processes)",
    )
    earlier_name(report, "--jobs", "workers", arguments.count(1, MAX_WORKERS, "a number of processes"))
    report.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        type=arguments.scheduler,
        help="run the reports on this Dask scheduler (its workers must see the output folder)",
    )
    report.add_argument("--compare", action="store_true", help="also write a comparison report")
    report.add_argument(
        "--status", action="store_true", help="the status report (earned value, RAG) instead of the planning report"
    )
    report.add_argument(
        "--as-of", metavar="PERIOD", type=arguments.period, help="status period for --status (implies it)"
    )
    report.add_argument("--solver", choices=SOLVER_NAMES)
    report.add_argument("--time-limit", type=arguments.seconds, metavar="S")
    report.add_argument(
        "--futures",
        type=arguments.count(0, MAX_FUTURES, "a number of futures"),
        default=0,
        metavar="K",
        help="the risk section re-solves K sampled futures: core index and regret",
    )
    earlier_name(report, "--resolve", "futures", arguments.count(0, MAX_FUTURES, "a number of futures"))
    report.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    workshop = scenario_command("workshop", "serve the workshop dashboard (Voila) on 127.0.0.1")
    workshop.add_argument("--port", type=arguments.count(1, 65535, "a port"), help="port (default 8866)")
    workshop.add_argument("--solver", choices=SOLVER_NAMES)
    lab = commands.add_parser("lab", help="JupyterLab on 127.0.0.1 with notebooks/explore.ipynb open")
    lab.add_argument("scenario", type=Path, nargs="?", help="the scenario to explore (default: the sample's baseline)")
    lab.add_argument("--port", type=arguments.count(1, 65535, "a port"), help="port (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser at the notebook")
    lab.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    schema = commands.add_parser("schema", help="print the scenario JSON Schema (for editor completion)")
    schema.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    convert = commands.add_parser("convert", help="write a CSV portfolio folder as one xlsx workbook")
    convert.add_argument("folder", type=Path)
    convert.add_argument("target", type=Path)
    convert.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("portfolio-workbench")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


def earlier_name(command: argparse.ArgumentParser, flag: str, dest: str, kind: Callable[[str], object]) -> None:
    """An earlier name of an option, still understood but no longer shown: ``--resolve`` (it
    reads as YAML resolution; the option re-solves) is ``--futures``, ``--jobs`` is ``--workers``."""
    command.add_argument(flag, dest=dest, type=kind, default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def main(argv: list[str] | None = None) -> int:
    skip_iri_grammar()
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except SchedulerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        else:  # a half-made Dask client may complain as it is collected: the sentence above says it all
            sys.unraisablehook = lambda _unraisable: None
        return EXIT_INPUT
    except InputError as exc:
        print(f"error: {len(exc.problems)} problem(s) in the input:", file=sys.stderr)
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            print(f"  - {problem}", file=sys.stderr)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            print(f"  ... and {len(exc.problems) - MAX_PROBLEMS_SHOWN:,} more", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INPUT
    except (WorkbenchError, FileExistsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INPUT if isinstance(exc, FileExistsError) else EXIT_INTERNAL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout at exit
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the user sees a sentence, developers use --debug
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    """Run the command the arguments name: one function each, in the tables below. Each command
    imports what it uses, so that a report or a server starts without the planning stack."""
    if args.command in WITHOUT_SCENARIO:
        if args.command not in ("init", "schema", "convert"):
            _check_outputs(args)
        return WITHOUT_SCENARIO[args.command](args)
    _check_outputs(args)
    from workbench.data.planning_data import load_inputs

    inputs = load_inputs(args.scenario)
    for warning in inputs.data.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return ON_A_SCENARIO[args.command](args, inputs)


# ---------------------------------------------------------------------------------- without a scenario
def _init(args: argparse.Namespace) -> int:
    from workbench.faces.workspace import init_workspace, next_steps

    written = init_workspace(args.folder, sample=args.sample)
    print(f"{args.folder}: {len(written)} files written ({'the sample' if args.sample else 'empty tables'}). Next:")
    for command in next_steps(args.folder):
        print(f"  {command}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from workbench.data.scenario import json_schema

    print(json_schema())
    return EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    from workbench.data.convert import csv_folder_to_xlsx

    print(csv_folder_to_xlsx(args.folder, args.target))
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from workbench.faces.report_runner import run_reports, run_status_report, summary_table
    from workbench.ground.executor import executor_for

    if args.status or args.as_of:
        if args.as_of is not None:  # a bad --as-of is the argument's fault: say so before any kernel starts
            from workbench.analyses.earned_value import status_period
            from workbench.data.planning_data import load_inputs

            for scenario in args.scenarios:
                status_period(load_inputs(scenario), args.as_of)
        outcomes = [run_status_report(s, args.out, args.as_of) for s in args.scenarios]
    else:
        with executor_for(args.scheduler, args.workers) as executor:
            outcomes = run_reports(
                args.scenarios,
                args.out,
                executor,
                args.compare,
                args.solver,
                args.time_limit,
                risk_futures=args.futures,
            )
    print(summary_table(outcomes))
    for outcome in outcomes:
        if outcome.ok and outcome.html is not None and outcome.scenario != "comparison":
            print(f"report: {outcome.html}")
    return EXIT_OK if all(o.ok for o in outcomes) else EXIT_INTERNAL


def _workshop(args: argparse.Namespace) -> int:
    from workbench.faces.workshop import serve as serve_workshop

    return serve_workshop(args.scenario, args.port, args.solver)


def _lab(args: argparse.Namespace) -> int:
    from workbench.faces.lab import serve_lab

    return serve_lab(args.scenario, args.port, open_browser=not args.no_browser)


# ---------------------------------------------------------------------------------- on a loaded scenario
def _validate(args: argparse.Namespace, inputs: Inputs) -> int:
    portfolio = inputs.portfolio
    print(
        f"{args.scenario}: valid. {len(portfolio.projects)} projects, {len(portfolio.roles)} roles, "
        f"{inputs.data.periods} periods from {inputs.data.horizon.start}; data sha256 {portfolio.data_hash[:16]}..."
    )
    return EXIT_OK


def _solve(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.replan import replanned
    from workbench.analyses.solve import PlanWatch, solve
    from workbench.faces import views
    from workbench.faces.export import write_tables
    from workbench.faces.progress import solve_progress

    watch = PlanWatch()
    with solve_progress(watch):  # a solve past 5 s says how it goes on standard error
        result = solve(replanned(inputs, args.as_of), args.solver, args.time_limit, args.gap, watch=watch)
    print(result.to_json() if args.json else views.result_text(result))
    if args.out:
        folder = write_tables(result, args.out)
        print(f"tables written to {folder}", file=sys.stderr if args.json else sys.stdout)
    return exit_code(result)


def _explain(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.prices import explain
    from workbench.faces import views
    from workbench.faces.progress import progress_bar
    from workbench.ground.executor import executor_for

    with (
        executor_for(args.scheduler, args.workers) as executor,
        progress_bar(len(inputs.data.projects), "re-solves", disable=args.json) as bar,
    ):
        explanation = explain(inputs, args.solver, args.time_limit, args.gap, executor, bar)
    print(explanation.to_json() if args.json else views.explanation_text(explanation))
    return exit_code(explanation.result)


def _frontier(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.frontier import frontier
    from workbench.faces import views
    from workbench.faces.progress import progress_bar
    from workbench.ground.executor import executor_for

    with (
        executor_for(args.scheduler, args.workers) as executor,
        progress_bar(args.points - 1, "levels", disable=args.json) as bar,
    ):
        points = frontier(inputs, args.points, args.solver, args.time_limit, args.gap, executor=executor, progress=bar)
    print(points.to_json() if args.json else views.frontier_text(points))
    return EXIT_OK


def _status(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.earned_value import project_status
    from workbench.faces import views

    report = project_status(inputs, args.as_of)
    print(report.to_json() if args.json else views.status_text(report))
    return EXIT_OK


def _baseline(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.baseline import (
        baseline_target,
        check_baseline_target,
        decisions_log,
        portfolio_folder_of,
        write_baseline,
    )
    from workbench.analyses.solve import solve
    from workbench.faces import views

    # where it goes and the log it is recorded in, before the solve, not after
    check_baseline_target(baseline_target(inputs, args.out), args.replace, portfolio_folder_of(inputs))
    decisions_log(inputs)
    result = solve(inputs, args.solver, args.time_limit, args.gap)
    if not result.has_plan:
        print(views.result_text(result))
        print("no baseline written: there is no plan to approve", file=sys.stderr)
        return exit_code(result)
    target, kept = write_baseline(inputs, result, args.out, args.replace, args.note)
    print(
        f"baseline of {len(result.selected)} projects ({result.status.value}, objective "
        f"{money(result.objective)}) written to {target}" + (f"; the previous one is kept as {kept}" if kept else "")
    )
    return EXIT_OK


def _risk(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.solve import solve
    from workbench.analyses.study import study_risk
    from workbench.faces import views
    from workbench.faces.progress import progress_bar
    from workbench.ground.executor import executor_for

    result = solve(inputs, args.solver, args.time_limit, args.gap)
    if not result.has_plan:
        print(result.to_json() if args.json else views.result_text(result))
        return exit_code(result)
    with contextlib.ExitStack() as stack:
        executor = progress = None
        if args.futures > 0:  # a cluster is reached only when there are futures to solve on it
            executor = stack.enter_context(executor_for(args.scheduler, args.workers))
            progress = stack.enter_context(progress_bar(args.futures, "futures", disable=args.json))
        report = study_risk(
            inputs,
            result,
            futures=args.futures,
            executor=executor,
            samples=args.samples,
            seed=args.seed,
            solver=args.solver,
            time_limit=args.time_limit,
            progress=progress,
        )
    print(report.to_json() if args.json else views.risk_text(report))
    return EXIT_OK


def _sweep(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.solve import solve
    from workbench.analyses.sweep import parse_grid, sweep, sweep_tasks
    from workbench.faces import views
    from workbench.faces.progress import progress_bar
    from workbench.ground.executor import executor_for

    axes = [parse_grid(argument) for argument in args.grid]
    loaded = inputs.estimates if inputs.estimates is not None else inputs.portfolio
    tasks = sweep_tasks(inputs.scenario, loaded, axes)  # every point valid before the estimate and any solve
    total = len(tasks)
    workers = args.workers or os.cpu_count() or 1
    if total > workers:  # the work ahead, from one solve of the scenario itself, before it starts
        one = solve(inputs).solver["seconds"]
        where = "the cluster" if args.scheduler else f"{workers} process" + ("es" if workers > 1 else "")
        print(
            f"sweep: {total:,} points on {where}; one solve of the scenario took {one:.1f} s, so about "
            f"{one * total / workers:,.0f} s in all (points may take longer or shorter)",
            file=sys.stderr,
        )
    with (
        executor_for(args.scheduler, args.workers) as executor,
        progress_bar(total, "points", disable=args.json) as bar,
    ):
        result = sweep(inputs.scenario, loaded, axes, executor, progress=bar, tasks=tasks)
    print(result.to_json() if args.json else views.sweep_text(result))
    if args.out:
        from workbench.faces.sweep_report import write_sweep  # heavy: altair and vl-convert

        folder = write_sweep(result, args.out)
        if not args.json:
            print(f"sweep: {folder / 'sweep.html'}")
    return EXIT_OK


def _prioritise(args: argparse.Namespace, inputs: Inputs) -> int:
    from workbench.analyses.prioritise import prioritisation
    from workbench.faces import views

    report = prioritisation(inputs, args.solver, args.time_limit, args.gap)
    print(report.to_json() if args.json else views.prioritisation_text(report))
    return EXIT_OK


#: the commands that need no scenario loaded first (a report loads its own)
WITHOUT_SCENARIO: dict[str, Callable[[argparse.Namespace], int]] = {
    "init": _init,
    "schema": _schema,
    "convert": _convert,
    "report": _report,
    "workshop": _workshop,
    "lab": _lab,
}
#: the commands that work on the scenario named, loaded and validated first
ON_A_SCENARIO: dict[str, Callable[[argparse.Namespace, Inputs], int]] = {
    "validate": _validate,
    "solve": _solve,
    "explain": _explain,
    "frontier": _frontier,
    "status": _status,
    "baseline": _baseline,
    "risk": _risk,
    "sweep": _sweep,
    "prioritise": _prioritise,
}


def _check_outputs(args: argparse.Namespace) -> None:
    """Where results go is checked before any work: a folder that exists and can be written, or
    that can be created; a scheduler named by the environment has the right form."""
    out = getattr(args, "out", None)
    if out is not None and args.command in ("solve", "sweep", "report"):
        arguments.writable_folder(out, "--out")
    if (
        getattr(args, "scheduler", None) is None
        and os.environ.get("WORKBENCH_SCHEDULER")
        and args.command in ("explain", "frontier", "risk", "sweep", "report")
    ):
        arguments.check_scheduler_address(os.environ["WORKBENCH_SCHEDULER"], "WORKBENCH_SCHEDULER")


def exit_code(result: Result) -> int:
    return {
        SolveStatus.OPTIMAL: EXIT_OK,
        SolveStatus.FEASIBLE: EXIT_OK,
        SolveStatus.INFEASIBLE: EXIT_INFEASIBLE,
        SolveStatus.NOT_SOLVED: EXIT_NOT_SOLVED,
    }[result.status]


if __name__ == "__main__":
    sys.exit(main())
