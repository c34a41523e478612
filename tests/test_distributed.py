"""Fan-out on one executor: sweeps and re-solved futures give the same numbers on local processes
and on a real Dask cluster (a `dask scheduler` and two `dask worker` processes on 127.0.0.1),
survive a lost worker, and leave no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from portfolio_kit import make_case, small_portfolio, two_uncertain_projects

from workbench.analyses.futures import solve_futures
from workbench.analyses.solve import solve
from workbench.analyses.sweep import parse_grid, sweep
from workbench.data.planning_data import load_inputs
from workbench.faces.serving import free_port
from workbench.ground.errors import InputError, SchedulerError
from workbench.ground.executor import DaskExecutor, LocalExecutor

DASK = str(Path(sys.executable).parent / "dask")
SAMPLE = Path(__file__).resolve().parent.parent / "scenarios" / "sample"


def run(*arguments, **options):
    return subprocess.run(
        [sys.executable, "-m", "workbench.faces.cli", *arguments], capture_output=True, text=True, **options
    )


class Cluster:
    """A scheduler and workers as process groups of their own, all stopped at the end."""

    def __init__(self, workers: int = 2):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        self.workers = [self._start_worker() for _ in range(workers)]

    def _start(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def _start_worker(self) -> subprocess.Popen:
        return self._start(
            [
                DASK,
                "worker",
                self.address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ]
        )

    def processes(self) -> list[psutil.Process]:
        found = []
        for popen in [self.scheduler, *self.workers]:
            try:
                parent = psutil.Process(popen.pid)
                found.extend([parent, *parent.children(recursive=True)])
            except psutil.NoSuchProcess:
                pass
        return found

    def kill_worker(self, index: int) -> None:
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait(timeout=30)

    def stop(self) -> list[psutil.Process]:
        everything = self.processes()
        for popen in [*self.workers, self.scheduler]:
            try:
                os.killpg(popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        gone, alive = psutil.wait_procs(everything, timeout=20)
        for process in alive:
            process.kill()
        for popen in [*self.workers, self.scheduler]:
            popen.wait(timeout=10)
        return [p for p in everything if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.fixture
def cluster():
    started = Cluster(workers=2)
    try:
        with DaskExecutor(started.address) as executor:
            executor.client.wait_for_workers(2, timeout=90)
        yield started
    finally:
        left = started.stop()
        assert left == [], f"processes left behind: {left}"


def small_sweep_case(tmp_path):
    return load_inputs(make_case(tmp_path, small_portfolio(), periods=3))


def futures_case(tmp_path):
    return load_inputs(make_case(tmp_path, two_uncertain_projects(), periods=1, risk={"seed": 5, "correlation": 0.3}))


@pytest.mark.slow
def test_sweep_and_futures_on_a_dask_cluster_equal_the_local_run_and_survive_a_lost_worker(cluster, tmp_path):
    inputs = small_sweep_case(tmp_path / "sweep")
    axes = [parse_grid("capacity.dev=0,1,2"), parse_grid("discount_rate=0,0.1")]
    local = sweep(inputs.scenario, inputs.portfolio, axes, LocalExecutor(1))
    with DaskExecutor(cluster.address) as executor:
        assert executor.workers == 2
        remote = sweep(inputs.scenario, inputs.portfolio, axes, executor)
        assert [(p.values, p.status, p.objective) for p in remote.points] == [
            (p.values, p.status, p.objective) for p in local.points
        ]
        assert len({p.objective for p in local.points}) > 1  # the grid changes the answer

        futures_inputs = futures_case(tmp_path / "futures")
        result = solve(futures_inputs, solver="highs")
        here = solve_futures(futures_inputs, result, 8, executor=LocalExecutor(1))
        there = solve_futures(futures_inputs, result, 8, executor=executor)
        assert here == there

        # a worker killed after the first point is done: its tasks run again on the other one
        killed = []

        def kill_once(done: int, _total: int) -> None:
            if done >= 1 and not killed:
                cluster.kill_worker(0)
                killed.append(done)

        sample = load_inputs(SAMPLE / "baseline.yaml")
        grid = [parse_grid("budget.scale=0.85,0.9,0.95,1.0,1.05,1.1")]
        complete = sweep(sample.scenario, sample.portfolio, grid, executor, progress=kill_once)
    assert killed and killed[0] < 6
    assert [p.values["budget.scale"] for p in complete.points] == [0.85, 0.9, 0.95, 1.0, 1.05, 1.1]
    assert all(p.status == "optimal" for p in complete.points)
    objectives = [p.objective for p in complete.points]
    assert objectives == sorted(objectives)  # more budget never lowers a proven optimum
    baseline = solve(sample)
    assert objectives[3] == pytest.approx(baseline.objective)


@pytest.mark.slow
def test_the_cli_runs_a_sweep_and_risk_resolve_on_the_cluster(cluster, tmp_path):
    inputs = small_sweep_case(tmp_path / "sweep")
    outcome = run(
        "sweep", str(inputs.scenario.path), "--grid", "capacity.dev=0,1", "--json", "--scheduler", cluster.address
    )
    assert outcome.returncode == 0, outcome.stderr
    remote = json.loads(outcome.stdout)
    local = json.loads(
        run("sweep", str(inputs.scenario.path), "--grid", "capacity.dev=0,1", "--json", "--workers", "1").stdout
    )
    assert [(p["values"], p["objective"]) for p in remote["points"]] == [
        (p["values"], p["objective"]) for p in local["points"]
    ]
    futures_inputs = futures_case(tmp_path / "futures")
    environment = dict(os.environ, WORKBENCH_SCHEDULER=cluster.address)
    remote = run(
        "risk", str(futures_inputs.scenario.path), "--samples", "200", "--resolve", "4", "--json", env=environment
    )
    assert remote.returncode == 0, remote.stderr
    local = run(
        "risk", str(futures_inputs.scenario.path), "--samples", "200", "--resolve", "4", "--json", "--workers", "2"
    )
    assert json.loads(remote.stdout)["core_index"] == json.loads(local.stdout)["core_index"]
    assert json.loads(remote.stdout)["regret"] == json.loads(local.stdout)["regret"]


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(tmp_path):
    inputs = small_sweep_case(tmp_path)
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    with pytest.raises(SchedulerError, match="cannot reach the Dask scheduler"):
        DaskExecutor(address)
    assert time.perf_counter() - started < 30
    outcome = run("sweep", str(inputs.scenario.path), "--grid", "capacity.dev=0,1", "--scheduler", address, timeout=60)
    assert outcome.returncode == 2
    assert "cannot reach the Dask scheduler" in outcome.stderr and "Traceback" not in outcome.stderr


# ----------------------------------------------------------------------------- sweep grids
@pytest.mark.parametrize(
    "argument, expected",
    [
        ("budget.scael=0.9,1.0", "unknown key 'scael'"),
        ("budget.scale=0.9,abc", "budget.scale='abc'"),
        ("budget.scale=-1", "budget.scale=-1"),
        ("capacity.wizard=1", "wizard"),
        ("hiring.dev=1", "prices no hiring for 'dev'"),
        ("budget.scale", "expected KEY=V1,V2"),
        ("force_in=Z", "Z"),
    ],
)
def test_bad_grids_name_the_argument_and_exit_2(tmp_path, argument, expected):
    inputs = small_sweep_case(tmp_path)
    outcome = run("sweep", str(inputs.scenario.path), "--grid", argument, "--workers", "1")
    assert outcome.returncode == 2, outcome.stdout + outcome.stderr
    assert f"--grid {argument}" in outcome.stderr and expected in outcome.stderr, outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_a_sweep_point_equals_the_scenario_written_out(tmp_path):
    """Each point is the scenario with its keys set: solved apart, it has the same optimum."""
    inputs = small_sweep_case(tmp_path)
    axes = [parse_grid("capacity.dev=0,1"), parse_grid("objective=value,risk_adjusted_value")]
    points = sweep(inputs.scenario, inputs.portfolio, axes, LocalExecutor(2)).points
    assert [p.values for p in points] == [
        {"capacity.dev": c, "objective": o} for c in (0, 1) for o in ("value", "risk_adjusted_value")
    ]
    body = {
        "portfolio": "portfolio",
        "horizon": {"start": "2027-01", "periods": 3, "granularity": "month"},
        "capacity": [{"role": "dev", "delta": 1}],
    }
    written = tmp_path / "written.yaml"
    written.write_text(json.dumps(body), encoding="utf-8")
    assert solve(load_inputs(written)).objective == pytest.approx(points[2].objective)
    with pytest.raises(InputError):
        sweep(inputs.scenario, inputs.portfolio, [parse_grid("capacity.dev=0"), parse_grid("capacity.dev=1")])


def test_sweep_writes_its_page_table_and_json(tmp_path):
    inputs = small_sweep_case(tmp_path / "case")
    outcome = run(
        "sweep",
        str(inputs.scenario.path),
        "--grid",
        "capacity.dev=0,1,2",
        "--out",
        str(tmp_path / "out"),
        "--workers",
        "1",
    )
    assert outcome.returncode == 0, outcome.stderr
    folder = next((tmp_path / "out").glob("*-sweep/*"))
    page = (folder / "sweep.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page.lower() and "capacity.dev" in page
    assert len(json.loads((folder / "sweep.json").read_text())["points"]) == 3
    assert (folder / "sweep.csv").read_text().count("\n") == 4


@pytest.mark.slow
def test_ctrl_c_stops_a_local_sweep_and_its_workers(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            "sweep",
            str(SAMPLE / "baseline.yaml"),
            "--grid",
            "budget.scale=0.8,0.85,0.9,0.95,1.0,1.05,1.1,1.15",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a shell without job control starts background jobs ignoring SIGINT
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        workers = []
        while time.monotonic() < deadline and len(workers) < 2:  # the pool is up and solving
            time.sleep(0.5)
            # the fork server and its two workers (the resource tracker aside)
            workers = [c for c in psutil.Process(process.pid).children(recursive=True) if c.ppid() != process.pid]
        assert len(workers) >= 2, "the sweep never started its workers"
        time.sleep(2)
        descendants = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    gone, alive = psutil.wait_procs(descendants, timeout=10)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []


def test_auto_races_alone_and_runs_cbc_beside_other_workers(tmp_path):
    """A race in every pool worker would put two solvers on each core."""
    inputs = small_sweep_case(tmp_path)
    axes = [parse_grid("capacity.dev=0,1")]
    assert inputs.scenario.spec.solver.name == "auto"
    alone = sweep(inputs.scenario, inputs.portfolio, axes, LocalExecutor(1)).points
    beside = sweep(inputs.scenario, inputs.portfolio, axes, LocalExecutor(2)).points
    assert all(p.solver.startswith("auto: ") for p in alone)
    assert [p.solver for p in beside] == ["cbc", "cbc"]
    assert [p.objective for p in beside] == pytest.approx([p.objective for p in alone])
