"""The one way work fans out: a local process pool by default (one worker runs in this process),
or a Dask distributed cluster when a scheduler address is given.

Every fan-out in the package (re-solved futures, sweeps, batch reports, ...) hands a top-level
function and a list of tasks to :meth:`Executor.map` and gets the results back in the tasks'
order, whatever the executor and its number of workers; tasks carry their own seeds, so results
never depend on where they ran.
"""

from __future__ import annotations

import threading
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import psutil

from workbench.ground.errors import SchedulerError

#: called with (tasks done, tasks in all) as tasks finish
Progress = Callable[[int, int], None]


class Executor(Protocol):
    """Runs ``function`` on every task; results come back in the tasks' order."""

    workers: int

    def cores_per_task(self, tasks: int) -> int | None:
        """Cores each of ``tasks`` tasks may take (``None``: every core, when they run here one
        after another); a task that runs beside others must not itself take every core."""
        ...

    def map(
        self, function: Callable[[Any], Any], tasks: Sequence[Any], progress: Progress | None = None
    ) -> list[Any]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """A pool of ``workers`` local processes; with one worker the tasks run in this process.

    Workers start from a fork server (not a fork of this process, which may hold threads and a
    Jupyter kernel's state) that has imported the tasks' module once. The pool lives until
    :meth:`close`, so successive maps share it; :meth:`start` brings it up ahead of the first."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool = None

    def start(self, module: str) -> None:
        """Start the workers now, ``module`` imported, while this process does something else."""
        if self.workers > 1 and self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # the fork server imports the module once; every worker forks from it ready to run
            context.set_forkserver_preload([module])
            self._pool = context.Pool(processes=self.workers)

    def cores_per_task(self, tasks: int) -> int | None:
        return None if self.workers == 1 or tasks <= 1 else 1

    def map(self, function: Callable[[Any], Any], tasks: Sequence[Any], progress: Progress | None = None) -> list[Any]:
        tasks = list(tasks)
        if self.workers == 1 or len(tasks) <= 1:
            results = []
            for done, task in enumerate(tasks, 1):
                results.append(function(task))
                if progress:
                    progress(done, len(tasks))
            return results
        self.start(function.__module__)
        pool = self._pool
        finished = [0]
        try:
            pending = [
                pool.apply_async(function, (task,), callback=lambda _: finished.__setitem__(0, finished[0] + 1))
                for task in tasks
            ]
            shown = 0
            for result in pending:
                while not result.ready():
                    result.wait(0.2)
                    if progress and finished[0] != shown:
                        shown = finished[0]
                        progress(shown, len(tasks))
                result.get()  # a task's error is raised here, and the rest are stopped
            if progress and shown != len(tasks):
                progress(len(tasks), len(tasks))
            return [result.get() for result in pending]
        except BaseException:  # a failed task, or Ctrl+C: stop the rest now, solvers included
            self._pool = None
            _stop_workers(pool)
            raise

    def close(self) -> None:
        """Stop the workers (they are idle between maps)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.close()
            pool.join()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_pool", None) is not None:
            self._pool.terminate()


def _stop_workers(pool) -> None:
    """Kill what the pool's workers started (a solver run), then the workers themselves."""
    # Pool.terminate stops the workers but not their children; the workers are listed in _pool
    for process in list(getattr(pool, "_pool", [])):
        try:
            for member in psutil.Process(process.pid).children(recursive=True):
                member.kill()
        except psutil.NoSuchProcess:
            pass
    pool.terminate()
    pool.join()


class DaskExecutor:
    """Tasks on a Dask distributed cluster (``dask scheduler`` and ``dask worker``), gathered in
    order. A task whose worker is lost is run again elsewhere (Dask's own rescheduling); Ctrl+C
    cancels what is still queued or running. The workers must be able to import ``workbench``."""

    CONNECT_SECONDS = 5

    def __init__(self, address: str):
        # heavy: distributed (tornado, its config); imported only when a cluster is used
        from distributed import Client

        self.address = address
        advice = (
            f"start one with `dask scheduler` and workers with `dask worker {address}`, or leave "
            "--scheduler out to run locally"
        )
        # connected in a thread with a deadline of our own: a server that accepts the connection but
        # never answers as Dask does would otherwise hold the command for good, and one that answers
        # something else makes the client read garbage (a memory error, seen with an HTTP server)
        connected: dict[str, Any] = {}

        def connect() -> None:
            try:
                connected["client"] = Client(address, timeout=self.CONNECT_SECONDS, set_as_default=False)
            except BaseException as exc:  # noqa: BLE001 - reported below as the scheduler's fault
                connected["error"] = exc

        thread = threading.Thread(target=connect, daemon=True, name="dask-connect")
        thread.start()
        thread.join(self.CONNECT_SECONDS + 10)  # its own timeout first; ours only for a server that never answers
        if thread.is_alive() or "error" in connected or "client" not in connected:
            error = connected.get("error")
            if isinstance(error, (OSError, TimeoutError)):
                why = f"cannot reach the Dask scheduler at {address} within {self.CONNECT_SECONDS} s ({error})"
            elif thread.is_alive():
                why = f"{address} did not answer as a Dask scheduler within {self.CONNECT_SECONDS + 10} s"
            else:
                why = f"{address} answered, but not as a Dask scheduler ({type(error).__name__})"
            raise SchedulerError(f"{why}; {advice}")
        self.client = connected["client"]
        self.workers = max(
            1, sum(info.get("nthreads", 1) for info in self.client.scheduler_info().get("workers", {}).values())
        )

    def cores_per_task(self, tasks: int) -> int | None:
        return 1  # a worker's cores are shared with its other tasks and other clients' tasks

    def map(self, function: Callable[[Any], Any], tasks: Sequence[Any], progress: Progress | None = None) -> list[Any]:
        from distributed import as_completed  # loaded with the client already

        tasks = list(tasks)
        futures = self.client.map(function, tasks, pure=False)
        try:
            for done, _ in enumerate(as_completed(futures, loop=self.client.loop), 1):
                if progress:
                    progress(done, len(tasks))
            return self.client.gather(futures)
        except BaseException:
            self.client.cancel(futures)
            raise

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


SCHEDULER_VARIABLE = "WORKBENCH_SCHEDULER"


def local_executor(workers: int | None = None) -> Executor:
    """The default executor: a local process pool of ``workers`` (all cores when ``None``)."""
    return LocalExecutor(workers)


def executor_for(scheduler: str | None = None, workers: int | None = None) -> Executor:
    """A Dask executor on ``scheduler`` (or the ``WORKBENCH_SCHEDULER`` environment variable),
    else a local pool of ``workers``. Close it when done (both are context managers)."""
    address = scheduler or os.environ.get(SCHEDULER_VARIABLE) or None
    return DaskExecutor(address) if address else LocalExecutor(workers)
