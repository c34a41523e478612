"""Benchmarks, run on demand: ``python benchmarks/run.py [section ...] [--quick]``.

Sections (default: sample build):
  sample   the bundled scenarios, CBC and HiGHS (ratio against CBC on the baseline)
  build    model-building time, PuLP against passing the same matrix to highspy directly
  scale    generated portfolios: time to first plan, to 1% gap, gap at 10 s and 60 s
  mknapcb  OR-Library mknapcb1 (5 x 100): optima hit and time per instance
  j30      PSPLIB j30: a plan exists at the optimal makespan and none one period earlier
  deps     cumulative dependency constraints against the per-start (disaggregated) form, on
           PSPLIB j30 and generated portfolios with dependencies
  report   the baseline report against papermill running an empty notebook
  app      the interactive workbench: control change to updated result (median, p95)
  workshop the workshop page: opened to KPIs visible, with and without a pre-started kernel
  status   earned value for generated portfolios with actuals (goal: 2,000 x 36 in under 1 s)
  risk     Monte Carlo of a plan: 10,000 samples of generated plans (goal: 2,000 x 36 in under 2 s)
  large    generated portfolios: the default solver at --limit (60 s) against the best plan CBC and
           HiGHS find in 10 x that limit (goal: within 0.5%); --references FILE keeps the long runs

Every table compares against a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from workbench.data.planning_data import load_inputs  # noqa: E402
from workbench.data.scenario import SolverSpec  # noqa: E402
from workbench.model import cbc, highs  # noqa: E402
from workbench.model.formulation import build_model, find_plan  # noqa: E402
from workbench.analyses.solve import solve  # noqa: E402


def table(title: str, header: list[str], rows: list[list]) -> None:
    print(f"\n## {title}\n")
    widths = (
        [max(len(str(h)), *(len(_fmt(r[i])) for r in rows)) for i, h in enumerate(header)]
        if rows
        else [len(h) for h in header]
    )
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(_fmt(v).ljust(w) for v, w in zip(row, widths)) + " |")
    sys.stdout.flush()


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return "-" if value is None else str(value)


def shared() -> Path | None:
    for candidate in (ROOT.parent / "shared" / "benchmarks", ROOT / "shared" / "benchmarks"):
        if candidate.is_dir():
            return candidate
    return None


def bench_sample(repeats: int) -> None:
    rows = []
    base = None
    for name in ["baseline", "budget-cut-15", "hire-data-engineers", "accelerate-regulatory", "dora-deadline"]:
        inputs = load_inputs(ROOT / "scenarios" / "sample" / f"{name}.yaml")
        for solver in ("cbc", "highs", "auto"):
            times, result = [], None
            for _ in range(repeats):
                started = time.perf_counter()
                result = solve(inputs, solver=solver)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            if base is None:
                base = median
            rows.append([name, solver, result.status.value, result.objective, median, max(times), median / base])
    table(
        f"Sample scenarios (median of {repeats}; ratio against CBC on the baseline)",
        ["scenario", "solver", "status", "objective", "median s", "max s", "ratio"],
        rows,
    )


def bench_build(sizes: list[int]) -> None:
    from generate import generate
    from highs_direct import build_highs_direct

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            inputs = load_inputs(generate(Path(folder), size))
            load_seconds = time.perf_counter() - started
        data = inputs.data
        started = time.perf_counter()
        build_highs_direct(data)
        direct = time.perf_counter() - started
        started = time.perf_counter()
        problem, *_ = build_model(data)
        pulp_seconds = time.perf_counter() - started
        rows.append(
            [
                size,
                len(data.start_options),
                len(problem.constraints),
                load_seconds,
                direct,
                pulp_seconds,
                pulp_seconds / direct,
            ]
        )
    table(
        "Model building: PuLP (ours) against the same matrix passed to highspy directly",
        ["projects", "variables", "constraints", "load s", "highspy direct s", "PuLP build s", "ratio"],
        rows,
    )


def bench_scale(sizes: list[int], long_limit: float) -> None:
    from generate import generate

    from workbench.analyses.prioritise import ranked_greedy

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            inputs = load_inputs(generate(Path(folder), size))
        data = inputs.data
        started = time.perf_counter()
        build_model(data)
        build = time.perf_counter() - started
        density = data.projects["value"] / data.projects["cost"].where(data.projects["cost"] > 0, 1)
        greedy = ranked_greedy(data, density)
        for solver in ("cbc", "highs"):
            with first_plan_only():
                first = find_plan(data, SolverSpec(name=solver, time_limit=long_limit))
            to_one = find_plan(data, SolverSpec(name=solver, time_limit=long_limit, gap=0.01))
            at10 = find_plan(data, SolverSpec(name=solver, time_limit=10))
            warm10 = find_plan(data, SolverSpec(name=solver, time_limit=10), warm_start=greedy)
            at_long = find_plan(data, SolverSpec(name=solver, time_limit=long_limit))
            rows.append(
                [
                    size,
                    solver,
                    build,
                    first.seconds,
                    to_one.seconds if to_one.gap is not None and to_one.gap <= 0.01 else None,
                    _gap(at10),
                    _gap(warm10),
                    _gap(at_long),
                    build / max(at_long.seconds, 1e-9),
                ]
            )
    table(
        f"Scaling (10 roles x 36 months): seconds to a first plan and to 1% gap (cap {long_limit:g} s), "
        f"gap at 10 s (cold and from a greedy warm start) and at {long_limit:g} s; build as a share of the long solve",
        [
            "projects",
            "solver",
            "build s",
            "first plan s",
            "1% gap s",
            "gap@10s",
            "gap@10s warm",
            f"gap@{long_limit:g}s",
            "build/solve",
        ],
        rows,
    )


@contextlib.contextmanager
def first_plan_only():
    """Solvers told to stop at their first plan (time to a first plan): CBC with -maxSolutions 1,
    HiGHS with mip_max_improving_sols 1. A benchmark's option, so it lives here."""
    command, configure = cbc.cbc_command, highs.HighsWithStart.createAndConfigureSolver

    def cbc_first(*args, **kwargs):
        built = command(*args, **kwargs)
        return built[:2] + ["-maxSolutions", "1"] + built[2:]

    def highs_first(self, lp):
        configure(self, lp)
        lp.solverModel.setOptionValue("mip_max_improving_sols", 1)

    cbc.cbc_command, highs.HighsWithStart.createAndConfigureSolver = cbc_first, highs_first
    try:
        yield
    finally:
        cbc.cbc_command, highs.HighsWithStart.createAndConfigureSolver = command, configure


def _gap(plan) -> str:
    if plan.objective is None:
        return "no plan"
    return f"{(plan.gap or 0.0):.2%}"


def bench_mknapcb(limit: float, count: int, solvers: tuple[str, ...] = ("cbc", "highs", "auto")) -> None:
    from mknap_format import knapsack_case, read_mknap

    folder = shared()
    if folder is None:
        print("\n(mknapcb: ../shared/benchmarks not found)")
        return
    problems = read_mknap(folder / "mknap" / "mknapcb1.txt")[:count]
    optima = [
        float(line.split(",")[5])
        for line in (folder / "mknap" / "optima.csv").read_text().splitlines()[1:]
        if line.startswith("5.100-")
    ]
    rows, hits = [], {solver: 0 for solver in solvers}
    for index, problem in enumerate(problems):
        row = [f"5.100-{index:02d}", optima[index]]
        for solver in solvers:
            with tempfile.TemporaryDirectory() as tmp:
                inputs = load_inputs(knapsack_case(Path(tmp), problem, solver=solver, time_limit=limit))
            result = solve(inputs)
            hit = result.objective is not None and abs(result.objective - optima[index]) < 1e-6
            hits[solver] += hit and result.status.value == "optimal"
            row += [result.status.value, result.objective, result.solver["seconds"]]
        rows.append(row)
    table(
        f"OR-Library mknapcb1 (time limit {limit:g} s each); proven optima hit: "
        + ", ".join(f"{s} {hits[s]}/{len(rows)}" for s in solvers),
        ["instance", "optimum"] + [f"{s} {what}" for s in solvers for what in ("status", "value", "s")],
        rows,
    )


def bench_j30(limit: float, solvers: tuple[str, ...] = ("highs", "cbc", "auto")) -> None:
    from psplib_format import rcpsp_case, read_sm

    folder = shared()
    if folder is None:
        print("\n(j30: ../shared/benchmarks not found)")
        return
    optima = {
        line.split(",")[0]: int(line.split(",")[2])
        for line in (folder / "psplib" / "optima.csv").read_text().splitlines()[1:]
    }
    rows = []
    for path in sorted((folder / "psplib").glob("j30*_*.sm")):
        instance = read_sm(path)
        optimum = optima[path.stem]
        row = [path.stem, optimum]
        for solver in solvers:
            with tempfile.TemporaryDirectory() as tmp:
                at = solve(load_inputs(rcpsp_case(Path(tmp) / "at", instance, optimum, solver, limit)))
                before = solve(load_inputs(rcpsp_case(Path(tmp) / "before", instance, optimum - 1, solver, limit)))
            confirmed = at.has_plan and before.status.value == "infeasible"
            row += [
                at.status.value,
                before.status.value,
                at.solver["seconds"] + before.solver["seconds"],
                "yes" if confirmed else "no",
            ]
        rows.append(row)
    confirmed = {s: sum(r[5 + 4 * i] == "yes" for r in rows) for i, s in enumerate(solvers)}
    table(
        f"PSPLIB j30 as mandatory projects (time limit {limit:g} s per solve): plan at the optimal makespan H, "
        "none at H-1; confirmed " + ", ".join(f"{s} {confirmed[s]}/{len(rows)}" for s in solvers),
        ["instance", "H"] + [f"{s} {what}" for s in solvers for what in ("at H", "at H-1", "s", "ok")],
        rows,
    )


def _disaggregated_dependencies(problem, data, starts_of) -> None:
    """The weaker form the model used before: one constraint per start s of p,
    x[p,s] <= sum of x[q,s'] with s' + d_q <= s (the baseline of the deps section)."""
    import pulp

    for number, (project, required) in enumerate(data.dependencies):
        duration = int(data.projects.loc[required, "duration"])
        for start, variable in starts_of.get(project, []):
            early = [v for s, v in starts_of.get(required, []) if s + duration <= start]
            problem += variable <= pulp.lpSum(early), f"dep_{number}_{start}"


def bench_deps(limit: float) -> None:
    """Both dependency forms on the same instances in one run: PSPLIB j30 (HiGHS; plan at H and
    proof of none at H-1) and generated portfolios with dependencies (gap at the limit)."""
    from generate import generate
    from psplib_format import rcpsp_case, read_sm

    from workbench.model import formulation

    @contextlib.contextmanager
    def form(name):
        original = formulation.add_dependency_constraints
        if name == "per-start":
            formulation.add_dependency_constraints = _disaggregated_dependencies
        try:
            yield
        finally:
            formulation.add_dependency_constraints = original

    forms = ["per-start", "cumulative"]
    folder = shared()
    if folder is not None:
        optima = {
            line.split(",")[0]: int(line.split(",")[2])
            for line in (folder / "psplib" / "optima.csv").read_text().splitlines()[1:]
        }
        rows, totals = [], {f: [0, 0.0] for f in forms}
        for path in sorted((folder / "psplib").glob("j30*_*.sm")):
            instance, optimum = read_sm(path), optima[path.stem]
            row = [path.stem, optimum]
            for name in forms:
                with form(name), tempfile.TemporaryDirectory() as tmp:
                    at = solve(load_inputs(rcpsp_case(Path(tmp) / "at", instance, optimum, "highs", limit)))
                    before = solve(load_inputs(rcpsp_case(Path(tmp) / "before", instance, optimum - 1, "highs", limit)))
                confirmed = at.has_plan and before.status.value == "infeasible"
                seconds = at.solver["seconds"] + before.solver["seconds"]
                totals[name][0] += confirmed
                totals[name][1] += seconds
                row += ["yes" if confirmed else "no", seconds]
            row.append(row[5] / max(row[3], 1e-9))
            rows.append(row)
        table(
            f"Dependencies on PSPLIB j30, HiGHS, {limit:g} s per solve: confirmed (plan at H, none at H-1) "
            f"per-start {totals['per-start'][0]}/{len(rows)} in {totals['per-start'][1]:.1f} s, cumulative "
            f"{totals['cumulative'][0]}/{len(rows)} in {totals['cumulative'][1]:.1f} s",
            ["instance", "H", "per-start ok", "per-start s", "cumulative ok", "cumulative s", "ratio"],
            rows,
        )
    rows = []
    for size in (100, 500):
        with tempfile.TemporaryDirectory() as tmp:
            inputs = load_inputs(generate(Path(tmp), size, dependencies=size // 2))
        data = inputs.data
        for solver in ("cbc", "highs"):
            row = [size, len(data.dependencies), solver]
            for name in forms:
                with form(name):
                    problem, *_ = build_model(data)
                    plan = find_plan(data, SolverSpec(name=solver, time_limit=limit))
                row += [len(problem.constraints), plan.objective, _gap(plan), plan.seconds]
            row.append(row[-1] / max(row[-5], 1e-9))
            rows.append(row)
    table(
        f"Dependencies on generated portfolios (10 roles x 36 months, seed 1), {limit:g} s per solve",
        [
            "projects",
            "dependencies",
            "solver",
            "per-start rows",
            "per-start objective",
            "per-start gap",
            "per-start s",
            "cumulative rows",
            "cumulative objective",
            "cumulative gap",
            "cumulative s",
            "ratio",
        ],
        rows,
    )


def bench_status(repeats: int) -> None:
    """`project_status` on generated portfolios (10 roles x 36 months) whose every project has a
    baseline start and monthly actuals up to month 18; ratio against the 100-project time."""
    import csv
    import random

    from generate import generate, month

    from workbench.analyses.earned_value import project_status

    rows = []
    # the three sizes with actuals from each project's start, then 2,000 projects reporting in
    # every one of the 36 months (72,000 rows: the size docs/status.md promises to load in seconds)
    for size, dense in ((100, False), (500, False), (2000, False), (2000, True)):
        with tempfile.TemporaryDirectory() as tmp:
            scenario = generate(Path(tmp), size)
            rng = random.Random(size)
            with open(Path(tmp) / "projects.csv", newline="") as handle:
                projects = list(csv.DictReader(handle))
            index = {month(t): t for t in range(36)}
            baseline, actuals = [], []
            for project in projects:
                start = index[project["earliest_start"]]
                baseline.append({"project": project["id"], "start": project["earliest_start"]})
                percent = 0.0
                months = range(36) if dense else range(start, min(start + int(project["duration"]), 18))
                for t in months:
                    percent = min(100.0, percent + (rng.uniform(0, 3) if dense else rng.uniform(5, 20)))
                    actuals.append(
                        {
                            "project": project["id"],
                            "period": month(t),
                            "cost": round(float(project["cost"]) / int(project["duration"]) * rng.uniform(0.8, 1.3), 2),
                            "percent_complete": round(percent, 1),
                        }
                    )
            for name, records in (("baseline", baseline), ("actuals", actuals)):
                with open(Path(tmp) / f"{name}.csv", "w", newline="") as handle:
                    writer = csv.DictWriter(handle, fieldnames=list(records[0]))
                    writer.writeheader()
                    writer.writerows(records)
            started = time.perf_counter()
            inputs = load_inputs(scenario)
            load = time.perf_counter() - started
            seconds = []
            for _ in range(repeats):
                started = time.perf_counter()
                report = project_status(inputs, month(35) if dense else month(17))
                seconds.append(time.perf_counter() - started)
            rows.append(
                [
                    f"{size}{' (every month)' if dense else ''}",
                    len(actuals),
                    load,
                    statistics.median(seconds),
                    len(report.projects),
                ]
            )
    for row in rows:
        row.append(row[3] / rows[0][3])
    table(
        "Status (earned value, forecasts, RAG) as of month 18 of 36 (every month: as of month 36): load and "
        "status seconds; ratio against 100 projects",
        ["projects", "actuals rows", "load s", "status s", "projects reported", "ratio"],
        rows,
    )


def bench_risk(samples: int) -> None:
    """`simulate` on the greedy plan of generated portfolios (10 roles x 36 months) where every
    project has a cost, value and duration range; ratio against the 100-project time."""
    import csv

    from generate import generate

    from workbench.analyses.prioritise import ranked_greedy
    from workbench.analyses.risk import simulate
    from workbench.model.formulation import Plan
    from workbench.planning.runs import build_result

    rows = []
    for size in (100, 500, 2000):
        with tempfile.TemporaryDirectory() as tmp:
            scenario = generate(Path(tmp), size)
            with open(Path(tmp) / "projects.csv", newline="") as handle:
                projects = list(csv.DictReader(handle))
            with open(Path(tmp) / "uncertainty.csv", "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(
                    [
                        "project",
                        "cost_low",
                        "cost_high",
                        "value_low",
                        "value_high",
                        "duration_low",
                        "duration_high",
                        "success_probability",
                    ]
                )
                for p in projects:
                    cost, value, d = float(p["cost"]), float(p["value"]), int(p["duration"])
                    writer.writerow(
                        [p["id"], 0.9 * cost, 1.6 * cost, 0.5 * value, 1.2 * value, max(1, d - 1), d + 3, 0.9]
                    )
            inputs = load_inputs(scenario)
        data = inputs.data
        density = data.projects["value"] / data.projects["cost"].where(data.projects["cost"] > 0, 1)
        starts = ranked_greedy(data, density)
        from workbench.ground.status import SolveStatus

        result = build_result(inputs, data, Plan(SolveStatus.FEASIBLE, 0.0, None, None, 0.0, "greedy", starts=starts))
        started = time.perf_counter()
        report = simulate(inputs, result, samples, seed=1)
        rows.append([size, len(starts), samples, time.perf_counter() - started, report.cost["p80"]])
    for row in rows:
        row.append(row[3] / rows[0][3])
    table(
        f"Risk: {samples:,} samples of a plan (10 roles x 36 months); ratio against 100 projects",
        ["projects", "in the plan", "samples", "seconds", "P80 cost", "ratio"],
        rows,
    )


def bench_workshop(repeats: int) -> None:
    """Seconds from opening the workshop page to visible KPIs in headless Chromium: the
    dashboard as served (a pre-started kernel that has run the notebook) against Voila starting
    a kernel per page (the baseline), each on a fresh server left 15 s to settle."""
    import os
    import signal
    import subprocess

    from browser_kit import http_status, offline_page
    from playwright.sync_api import sync_playwright

    from workbench.faces.serving import free_port, server_environment
    from workbench.faces.workshop import voila_command

    scenario = ROOT / "scenarios" / "sample" / "baseline.yaml"
    environment = server_environment(WORKBENCH_SCENARIO=str(scenario))
    modes = {
        "kernel per page (baseline)": [a for a in voila_command(0) if "preheat" not in a and "pool_size" not in a],
        "pre-started kernel (served)": voila_command(0),
    }
    rows = []
    for mode, template in modes.items():
        seconds = []
        for _ in range(repeats):
            port = free_port()
            command = [f"--port={port}" if a.startswith("--port=") else a for a in template]
            server = subprocess.Popen(
                command, env=environment, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                while http_status(port) != 200:
                    time.sleep(0.3)
                time.sleep(15)
                with sync_playwright() as playwright, offline_page(playwright) as page:
                    opened = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                    page.wait_for_selector("[data-kpi='objective']", timeout=180_000)
                    seconds.append(time.perf_counter() - opened)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(30)
        rows.append([mode, len(seconds), statistics.median(seconds), max(seconds)])
    for row in rows:
        row.append(row[2] / rows[0][2])
    table(
        "Workshop page: opened to KPIs visible (goal: under 10 s); ratio against a kernel per page",
        ["mode", "opens", "median s", "max s", "ratio"],
        rows,
    )


def bench_report(repeats: int) -> None:
    """The report's wall time against papermill running an empty notebook (kernel start and
    shutdown), with the solver work measured apart, in-process."""
    import nbformat
    import papermill

    import json

    from workbench.faces.report_runner import run_report

    scenario = ROOT / "scenarios" / "sample" / "baseline.yaml"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        cell = nbformat.v4.new_code_cell("x = 1")
        cell.metadata["tags"] = ["parameters"]
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), empty)
        kernel, report, solver = [], [], []
        for _ in range(repeats):
            started = time.perf_counter()
            papermill.execute_notebook(
                str(empty), str(Path(tmp) / "out.ipynb"), kernel_name="python3", progress_bar=False
            )
            kernel.append(time.perf_counter() - started)
            started = time.perf_counter()
            outcome = run_report(scenario, Path(tmp) / "reports")
            report.append(time.perf_counter() - started)
            assert outcome.ok, outcome.message
            # the report's own measurement of its solver work (solve, FTE values, frontier, ranking)
            solver.append(json.loads((outcome.folder / "timings.json").read_text())["solver_work_seconds"])
        # the commands as a user types them, wall time: a plain solve, and the report
        import subprocess

        command = str(Path(sys.executable).parent / "workbench")
        plain, cli = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([command, "solve", str(scenario)], check=True, capture_output=True)
            plain.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run(
                [command, "report", str(scenario), "--out", str(Path(tmp) / "cli")], check=True, capture_output=True
            )
            cli.append(time.perf_counter() - started)
    k, r, s = statistics.median(kernel), statistics.median(report), statistics.median(solver)
    p, c = statistics.median(plain), statistics.median(cli)
    rows.append(["empty notebook (kernel start)", k, 1.0])
    rows.append(["solver work inside the report", s, s / k])
    rows.append(["baseline report, end to end", r, r / k])
    rows.append(["report minus solver work", r - s, (r - s) / k])
    rows.append(["`workbench solve` (wall)", p, p / k])
    rows.append(["`workbench report` (wall)", c, c / k])
    table(
        f"Report time (median of {repeats}). Goals: `workbench report` <= 15 s ({c:.1f} s) and <= 8 x "
        f"`workbench solve` ({c / p:.1f} x); report minus solver work <= 3 s ({r - s:.2f} s)",
        ["what", "seconds", "ratio to empty notebook"],
        rows,
    )


def bench_app(repeats: int) -> None:
    """Workbench: seconds from a control change to the updated result (solve + redraw of every
    view), for a fixed sequence of what-if changes on the sample baseline."""
    import shutil

    from workbench.faces.app import Workbench

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "sample"
        shutil.copytree(ROOT / "scenarios" / "sample", folder)
        for solver in ("highs", "cbc", "auto"):
            bench = Workbench(folder / "baseline.yaml", debounce=None, solver=solver)
            changes = [
                lambda b: setattr(b.budget_scale, "value", 0.9),
                lambda b: setattr(b.budget_scale, "value", 1.1),
                lambda b: setattr(b.capacity["data_engineer"], "value", 1.0),
                lambda b: setattr(b.force_out, "value", ["GRO-11"]),
                lambda b: setattr(b.force_in, "value", ["REG-07"]),
                lambda b: setattr(b.hiring_on, "value", True),
                lambda b: setattr(b.discount_rate, "value", 0.05),
                lambda b: setattr(b.budget_scale, "value", 1.0),
            ]
            seconds, final = [], []
            shown: list[float] = []
            show = bench._show

            def recording(*args, show=show, shown=shown, **kwargs):  # when each result is shown
                show(*args, **kwargs)
                shown.append(time.perf_counter())

            bench._show = recording
            for _ in range(repeats):
                for change in changes:
                    shown.clear()
                    changed = time.perf_counter()
                    change(bench)
                    seconds.append(shown[0] - changed)
                    final.append(shown[-1] - changed)
                for control in (bench.force_out, bench.force_in):
                    control.value = []
                bench.capacity["data_engineer"].value = 0.0
                bench.hiring_on.value = False
                bench.discount_rate.value = 0.0
            rows.append(
                [
                    solver,
                    len(seconds),
                    statistics.median(seconds),
                    _p95(seconds),
                    max(seconds),
                    statistics.median(final),
                    _p95(final),
                ]
            )
    base = rows[0][2]
    for row in rows:
        row.append(row[2] / base)
    table(
        "Workbench: control change to the first updated result (goal: median under 1 s) and to the "
        "proven result; ratio of first-result medians against the first solver",
        [
            "solver",
            "changes",
            "first median s",
            "first p95 s",
            "first max s",
            "proven median s",
            "proven p95 s",
            "ratio",
        ],
        rows,
    )


def bench_sweep() -> None:
    """A 24-point sweep of the sample (budget.scale x capacity.data_engineer x discount_rate): one
    local worker (the baseline), two local workers, and a two-worker local Dask cluster started in
    the same run (its start-up time shown apart). Every run must give the same objectives."""
    import os
    import signal
    import subprocess
    import sys

    from workbench.analyses.sweep import parse_grid, sweep
    from workbench.faces.serving import free_port
    from workbench.ground.executor import DaskExecutor, LocalExecutor

    inputs = load_inputs(ROOT / "scenarios" / "sample" / "baseline.yaml")
    axes = [
        parse_grid("budget.scale=0.85,0.9,1.0,1.1"),
        parse_grid("capacity.data_engineer=0,1,2"),
        parse_grid("discount_rate=0,0.05"),
    ]
    rows, answers = [], []

    def timed(label: str, executor, startup: float | None) -> None:
        started = time.perf_counter()
        result = sweep(inputs.scenario, inputs.portfolio, axes, executor)
        seconds = time.perf_counter() - started
        answers.append([p.objective for p in result.points])
        rows.append([label, len(result.points), startup, seconds])

    timed("local, 1 worker", LocalExecutor(1), None)
    timed("local, 2 workers", LocalExecutor(2), None)
    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    processes += [
        subprocess.Popen(
            [
                dask,
                "worker",
                address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--preload",
                "workbench.analyses.sweep",
                "--no-nanny",
                "--host",
                "127.0.0.1",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        for attempt in range(60):
            try:
                executor = DaskExecutor(address)
                break
            except Exception:  # noqa: BLE001 - the scheduler is still starting
                time.sleep(0.5)
        executor.client.wait_for_workers(2, timeout=120)
        timed("Dask cluster, 2 workers", executor, time.perf_counter() - started)
        executor.close()
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert all(answer == answers[0] for answer in answers), "the executors disagree"
    for row in rows:
        row.append(rows[0][3] / row[3])
    table(
        "Sweep: 24 points of the sample; speed-up against one local worker (same objectives in every run)",
        ["executor", "points", "start-up s", "seconds", "speed-up"],
        rows,
    )


def _reference_run(task: tuple[int, str, float]) -> dict:
    """One long single-solver run on a generated portfolio (a pool task: one core each)."""
    from generate import generate

    size, solver, limit = task
    with tempfile.TemporaryDirectory() as folder:
        inputs = load_inputs(generate(Path(folder), size))
    plan = find_plan(inputs.data, SolverSpec(name=solver, time_limit=limit))
    return {
        "size": size,
        "solver": solver,
        "limit": limit,
        "objective": plan.objective,
        "bound": plan.bound,
        "seconds": plan.seconds,
        "status": plan.status.value,
    }


def bench_large(sizes: list[int], limit: float, references: Path | None) -> None:
    """The default solver (``auto``, both cores) at ``limit`` against the best plan CBC and HiGHS
    each find in 10 x ``limit`` (run side by side, one core each). ``references`` keeps the long
    runs in a JSON file: read when it holds every size, written otherwise."""
    import json
    import multiprocessing

    from generate import generate

    long_limit = 10 * limit
    known = json.loads(references.read_text()) if references is not None and references.exists() else []
    known = [r for r in known if r["limit"] == long_limit and r["size"] in sizes]
    missing = [
        (size, solver, long_limit)
        for size in sizes
        for solver in ("cbc", "highs")
        if not any(r["size"] == size and r["solver"] == solver for r in known)
    ]
    if missing:
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            known += pool.map(_reference_run, missing, chunksize=1)
        if references is not None:
            references.write_text(json.dumps(known, indent=1))
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            inputs = load_inputs(generate(Path(folder), size))
        plan = find_plan(inputs.data, SolverSpec(name="auto", time_limit=limit))
        longs = {r["solver"]: r for r in known if r["size"] == size}
        best = max([r["objective"] for r in longs.values() if r["objective"] is not None] + [plan.objective or 0.0])
        bounds = [r["bound"] for r in longs.values() if r["bound"] is not None] + (
            [plan.bound] if plan.bound is not None else []
        )
        short = (best - (plan.objective or 0.0)) / best
        rows.append(
            [
                size,
                plan.solver,
                plan.status.value,
                plan.objective,
                f"{plan.gap or 0:.2%}",
                plan.seconds,
                longs["cbc"]["objective"],
                longs["highs"]["objective"],
                best,
                min(bounds) if bounds else None,
                f"{short:.2%}",
                "yes" if short <= 0.005 else "no",
            ]
        )
    table(
        f"Large portfolios (10 roles x 36 months, seed 1): the default solver at {limit:g} s against the best "
        f"plan of CBC and HiGHS at {long_limit:g} s each (goal: within 0.5%)",
        [
            "projects",
            "default",
            "status",
            "objective",
            "gap",
            "seconds",
            f"cbc {long_limit:g} s",
            f"highs {long_limit:g} s",
            "best known",
            "best bound",
            "short of best",
            "within 0.5%",
        ],
        rows,
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sections", nargs="*", default=["sample", "build"])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and limits")
    parser.add_argument("--limit", type=float, default=60.0, help="time limit per solve for scale/mknapcb/j30/large")
    parser.add_argument("--references", type=Path, help="large: a JSON file keeping the long reference runs")
    parser.add_argument("--solvers", default="", help="mknapcb/j30: comma-separated solvers (default: all three)")
    args = parser.parse_args()
    sizes = [100, 500] if args.quick else [100, 500, 2000]
    for section in args.sections:
        if section == "sample":
            bench_sample(3 if args.quick else 5)
        elif section == "build":
            bench_build(sizes)
        elif section == "scale":
            bench_scale(sizes, 20.0 if args.quick else args.limit)
        elif section == "mknapcb":
            bench_mknapcb(
                args.limit, 5 if args.quick else 30, *([tuple(args.solvers.split(","))] if args.solvers else [])
            )
        elif section == "j30":
            bench_j30(args.limit, *([tuple(args.solvers.split(","))] if args.solvers else []))
        elif section == "deps":
            bench_deps(args.limit)
        elif section == "risk":
            bench_risk(10_000)
        elif section == "sweep":
            bench_sweep()
        elif section == "status":
            bench_status(3)
        elif section == "workshop":
            bench_workshop(1 if args.quick else 3)
        elif section == "app":
            bench_app(1 if args.quick else 3)
        elif section == "large":
            bench_large(sizes, args.limit, args.references)
        elif section == "report":
            bench_report(1 if args.quick else 3)
        else:
            parser.error(f"unknown section {section!r}")


if __name__ == "__main__":
    main()
