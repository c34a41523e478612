"""A solve session: a scenario re-solved as its overrides change, the way the app's controls change
it. Each change supersedes the solve in flight (which is stopped), changes in quick succession
are solved once (debounced), a solve still running after a moment shows the best plan found so
far, and only the newest change's outcome is delivered. The app (workbench.faces.app) renders
what the session delivers; the session holds no widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from workbench.analyses.solve import PlanWatch, provisional_result, solve
from workbench.analyses.what_if import what_if
from workbench.data.planning_data import Inputs
from workbench.ground.errors import InputError, WorkbenchError
from workbench.planning.result import Result

_log = logging.getLogger(__name__)


@dataclass
class SessionViews:
    """What a session calls as a change is solved (from its worker thread)."""

    #: the change is not valid: its problems
    invalid: Callable[[list], None]
    #: a plan for the change, and the inputs it was solved with; ``True``: provisional, the solve goes on
    solved: Callable[[Result, Inputs, bool], None]
    #: the solve failed: the error (logged with its traceback)
    failed: Callable[[Exception], None]


class SolveSession:
    """Re-solves ``inputs`` with each change's overrides (:func:`change`).

    Parameters
    ----------
    inputs : Inputs
        The scenario as loaded (re-planned when it has a status date).
    views : SessionViews
        Where the outcomes go.
    debounce : float or None
        Seconds a change waits for a newer one; ``None`` solves at once, in the caller's thread.
    quick_seconds : float
        After this long, a solve still running shows the best plan it has found.
    """

    def __init__(self, inputs: Inputs, views: SessionViews, debounce: float | None = 0.3, quick_seconds: float = 0.4):
        self.inputs, self.views, self.debounce, self.quick_seconds = inputs, views, debounce, quick_seconds
        self._generation = 0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._stop = threading.Event()  # set when a newer change supersedes the solve in flight

    def change(self, overrides: dict, solver: str | None, time_limit: float) -> None:
        """Solve the scenario with ``overrides`` (superseding any change before it)."""
        with self._lock:
            self._generation += 1
            generation = self._generation
            if self._timer is not None:
                self._timer.cancel()
            self._stop.set()  # the solve of the previous change is superseded: stop it
            self._stop = stop = threading.Event()
            self._idle.clear()
            task = (generation, stop, overrides, solver, time_limit)
            if self.debounce is not None:
                self._timer = threading.Timer(self.debounce, self._start_worker, args=task)
                self._timer.daemon = True
                self._timer.start()
        if self.debounce is None:
            self._solve_change(*task)

    def is_current(self, generation: int) -> bool:
        return generation == self._generation

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the latest change is solved and delivered (for scripts and tests)."""
        return self._idle.wait(timeout)

    def _start_worker(self, *task) -> None:
        threading.Thread(target=self._solve_change, args=task, daemon=True).start()

    def _solve_change(self, generation: int, stop: threading.Event, overrides: dict, solver, time_limit) -> None:
        try:
            try:
                inputs = what_if(self.inputs, overrides, "controls")
            except (InputError, WorkbenchError, ValueError) as exc:
                if self.is_current(generation):
                    self.views.invalid(getattr(exc, "problems", None) or [exc])
                return
            result = self._solve_showing_progress(inputs, solver, time_limit, generation, stop)
            if result is not None and self.is_current(generation):
                self.views.solved(result, inputs, False)
        except Exception as exc:  # noqa: BLE001 - the face shows a sentence, the log keeps the traceback
            _log.exception("a re-solve of the session failed")
            if self.is_current(generation):
                self.views.failed(exc)
        finally:
            if self.is_current(generation):
                self._idle.set()

    def _solve_showing_progress(
        self, inputs: Inputs, solver: str | None, limit: float, generation: int, stop: threading.Event
    ) -> Result | None:
        """One solve within ``limit``; if it has not ended after ``quick_seconds``, the best plan
        found so far is delivered meanwhile, labelled with its gap. ``None`` when superseded."""
        watch = PlanWatch()
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["result"] = solve(inputs, solver, limit, stop=stop, watch=watch)
            except BaseException as exc:  # noqa: BLE001 - raised again in the waiting thread
                outcome["error"] = exc

        solving = threading.Thread(target=run, daemon=True)
        solving.start()
        try:
            solving.join(self.quick_seconds)
            if solving.is_alive() and self.is_current(generation):
                provisional = provisional_result(inputs, watch)
                if provisional is not None:
                    self.views.solved(provisional, inputs, True)
        except BaseException:
            stop.set()  # showing the early plan failed: the solve is not left running
            raise
        finally:
            solving.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"] if self.is_current(generation) else None
