"""What the report notebooks display: escaped HTML, and charts drawn to inline SVG.

Charts are drawn by vl-convert, which runs Vega in a JavaScript engine and holds Python's lock
while it draws (a thread beside it gets about 3% of a core). So charts are drawn in drawing
processes of their own: an :class:`Svg` is sent there when it is made and waited for only when it
is shown, and a report that makes its charts ahead has them drawn on a second core while this
process computes the rest. The drawing processes run at the lowest priority: they yield to the
process that computes (and to any solver). :func:`warm_up` starts them and their engines (about
0.4 s) while a kernel still imports.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import vl_convert

if TYPE_CHECKING:  # altair and pandas are imported by the modules that build charts and tables
    import altair as alt
    import pandas as pd

CHART_WIDTH = 720

# the smallest chart that makes vl-convert start its engine and compile Vega-Lite
_WARM_UP_SPEC = (
    '{"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": [{"a": 1}]}, '
    '"mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}'
)
#: two: the report's charts are drawn in about half the time, while its own process computes
#: the risk section; more would compete with that process on a two-core machine
DRAWING_PROCESSES = 2
_drawing: ProcessPoolExecutor | None = None


def _start_drawing() -> None:
    """A drawing process's start: the lowest priority (where the system allows it), so that it
    yields to the process that computes; deaf to Ctrl+C, which its parent handles (a kernel's
    shutdown interrupts its whole process group before killing it, and each drawing process
    printed the interruption); and vl-convert's engine started, so that its first chart does not
    wait."""
    if hasattr(os, "nice"):
        os.nice(19)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    vl_convert.vegalite_to_svg(_WARM_UP_SPEC)


def _drawer() -> ProcessPoolExecutor:
    """The drawing processes, which take the charts in the order they were sent."""
    global _drawing
    if _drawing is None:
        # spawned, not forked: this process may hold threads, a kernel's sockets and a solver's state
        _drawing = ProcessPoolExecutor(
            DRAWING_PROCESSES, mp_context=multiprocessing.get_context("spawn"), initializer=_start_drawing
        )
        # every drawing process now: a spawning pool otherwise starts one per task sent while none
        # is idle, so a busy machine could leave it at one process for good
        _drawing._launch_processes()
    return _drawing


def drawing_process_ids() -> set[int]:
    """The process ids of the drawing processes started so far (the pool's own table)."""
    return set(_drawer()._processes or {})


def warm_up() -> list[Future]:
    """Start every drawing process and its engine now (one small task each, sent at once), so
    that the first charts do not wait for them. Nothing starts them at import: a report notebook
    calls this before it imports the report's modules.

    Returns
    -------
    list of concurrent.futures.Future
        One per drawing process; each gives that process's id when its engine has started.
    """
    drawer = _drawer()
    return [drawer.submit(os.getpid) for _ in range(DRAWING_PROCESSES)]


class Html:
    """Raw HTML for display; built only from escaped text."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


class Svg:
    """A chart as inline SVG (vl-convert), shown without JavaScript.

    The chart's specification is taken when the object is made and sent to the drawing process;
    :attr:`svg` waits for the drawing (and raises its error, if it failed). If the drawing
    process is gone, the chart is drawn here."""

    def __init__(self, chart: alt.TopLevelMixin):
        self._spec = chart.to_json()
        self._drawn = _send(self._spec)
        self._svg: str | None = None

    @property
    def svg(self) -> str:
        if self._svg is None:
            try:
                self._svg = self._drawn.result() if self._drawn is not None else None
            except BrokenProcessPool:
                _forget_drawer()
            if self._svg is None:
                self._svg = vl_convert.vegalite_to_svg(self._spec)
        return self._svg

    def _repr_html_(self) -> str:
        # inline <svg>: vl-convert escapes all text it draws
        return f'<div class="chart">{self.svg}</div>'


def _send(spec: str) -> Future | None:
    """The chart's drawing in the drawing process, or ``None`` when there is none to send it to."""
    try:
        return _drawer().submit(vl_convert.vegalite_to_svg, spec)
    except BrokenProcessPool:  # the drawing process died: the next chart starts another
        _forget_drawer()
    except RuntimeError:  # the interpreter is shutting down
        pass
    return None


def _forget_drawer() -> None:
    global _drawing
    _drawing = None


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def frame_html(frame: pd.DataFrame, css_class: str = "table") -> Html:
    """A table with every cell escaped."""
    return Html(frame.to_html(index=False, escape=True, classes=css_class, border=0, na_rep="-"))
