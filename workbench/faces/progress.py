"""A progress bar on standard error for long runs, fed by an executor's (done, total) calls."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from workbench.ground.executor import Progress
from workbench.ground.formatting import money


@contextmanager
def progress_bar(total: int, unit: str, disable: bool = False) -> Iterator[Progress]:
    """A bar of ``total`` ``unit``; the yielded function moves it to (done, total)."""
    bar = tqdm(
        total=total, desc=unit, unit=unit.rstrip("s"), file=sys.stderr, disable=disable or total < 2, leave=False
    )

    def update(done: int, total: int) -> None:
        if total != bar.total:  # the work turned out smaller (or larger) than announced
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def solve_progress_line(plan, elapsed: float) -> str:
    """One line of a running solve's progress: elapsed time, the best plan so far, its bound and
    gap (``plan``: the newest from a PlanWatch, or ``None`` while there is none)."""
    if plan is None:
        return f"solving: {elapsed:.0f} s, no plan yet"
    bound = "-" if plan.bound is None else money(plan.bound)
    gap = "-" if plan.gap is None else f"{plan.gap:.2%}"
    return f"solving: {elapsed:.0f} s, best plan {money(plan.objective)}, bound {bound}, gap {gap}"


@contextmanager
def solve_progress(watch, every: float = 5.0, disable: bool = False) -> Iterator[None]:
    """While the block runs, a line on standard error every ``every`` seconds (the first after
    ``every``: a quick solve prints nothing) with the solve's progress from ``watch``."""
    if disable:
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def report() -> None:
        while not done.wait(every):
            print(solve_progress_line(watch.latest(), time.monotonic() - started), file=sys.stderr, flush=True)

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
