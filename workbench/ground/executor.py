"""The one way work fans out: a local process pool by default (one worker runs in this process).

Every fan-out in the package (re-solves over sampled futures, batch reports, ...) hands a
top-level function and a list of tasks to :meth:`Executor.map` and gets the results back in
the tasks' order, whatever the number of workers, so results never depend on the executor.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from typing import Any, Protocol

#: called with (tasks done, tasks in all) as tasks finish
Progress = Callable[[int, int], None]


class Executor(Protocol):
    """Runs ``function`` on every task; results come back in the tasks' order."""

    workers: int

    def map(self, function: Callable[[Any], Any], tasks: Sequence[Any],
            progress: Progress | None = None) -> list[Any]: ...


class LocalExecutor:
    """A pool of ``workers`` local processes; with one worker the tasks run in this process.

    Workers start from a fork server (not a fork of this process, which may hold threads and a
    Jupyter kernel's state); the first task of a pool pays for their imports."""

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)

    def map(self, function: Callable[[Any], Any], tasks: Sequence[Any],
            progress: Progress | None = None) -> list[Any]:
        tasks = list(tasks)
        if self.workers == 1 or len(tasks) <= 1:
            results = []
            for done, task in enumerate(tasks, 1):
                results.append(function(task))
                if progress:
                    progress(done, len(tasks))
            return results
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=context) as pool:
            futures = [pool.submit(function, task) for task in tasks]
            pending, done = set(futures), 0
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in finished:
                        future.result()  # a task's error is raised here, and the rest are cancelled
                        done += 1
                    if progress:
                        progress(done, len(tasks))
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
            return [future.result() for future in futures]


def local_executor(workers: int | None = None) -> Executor:
    """The default executor: a local process pool of ``workers`` (all cores when ``None``)."""
    return LocalExecutor(workers)
