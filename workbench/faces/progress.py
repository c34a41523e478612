"""A progress bar on standard error for long runs, fed by an executor's (done, total) calls."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from workbench.ground.executor import Progress


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
