"""Charts drawn in the drawing processes: the same SVG as vl-convert draws here, at the lowest
priority, still drawn when the drawing processes are gone, and a broken chart fails when shown."""

from __future__ import annotations

import os
import signal
import time

import altair as alt
import pandas as pd
import psutil
import pytest
import vl_convert

from workbench.faces import markup
from workbench.faces.markup import Svg


def _chart(label: str) -> alt.Chart:
    frame = pd.DataFrame({"project": [f"{label} <b>&", "B"], "cost": [3, 5]})
    return alt.Chart(frame, title=label).mark_bar().encode(x="cost:Q", y="project:N")


def _drawing_pids() -> set[int]:
    """The drawing processes, once every one has started and answered a small task: read from
    the pool's own table, not from which processes happened to answer (on a busy machine one
    process may answer every task before the other has started)."""
    for future in markup.warm_up():
        future.result(timeout=120)
    pids = markup.drawing_process_ids()
    assert len(pids) == markup.DRAWING_PROCESSES, pids
    return pids


def test_a_chart_drawn_apart_is_the_one_drawn_here():
    charts = [_chart(f"chart {n}") for n in range(5)]
    drawn = [Svg(chart) for chart in charts]  # sent at once, drawn in any process, shown in order
    assert all(svg._drawn is not None for svg in drawn)  # sent to the drawing processes, not drawn here
    for chart, svg in zip(charts, drawn):
        assert svg.svg == vl_convert.vegalite_to_svg(chart.to_json())
        assert svg._repr_html_() == f'<div class="chart">{svg.svg}</div>'
    assert "&lt;b&gt;&amp;" in drawn[0].svg  # the project's text is escaped in the picture


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_the_drawing_processes_run_at_the_lowest_priority():
    pids = _drawing_pids()
    assert pids and os.getpid() not in pids
    assert all(psutil.Process(pid).nice() == 19 for pid in pids)


def test_an_interrupt_leaves_the_drawing_processes_drawing_quietly(capfd):
    pids = _drawing_pids()
    for pid in pids:
        os.kill(pid, signal.SIGINT)  # as a kernel's shutdown does to its process group
    time.sleep(0.5)
    assert all(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids)
    drawn = Svg(_chart("still"))
    assert drawn.svg.startswith("<svg") and drawn._drawn is not None
    assert _drawing_pids() == pids  # the same processes answer: none was replaced
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_a_chart_is_still_drawn_when_the_drawing_processes_are_gone():
    pids = _drawing_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        psutil.Process(pid).wait(10) if psutil.pid_exists(pid) else None
    time.sleep(0.2)
    chart = _chart("after")
    assert Svg(chart).svg == vl_convert.vegalite_to_svg(chart.to_json())
    # and the next chart has drawing processes again
    assert _drawing_pids().isdisjoint(pids)
    assert Svg(_chart("again")).svg.startswith("<svg")


class _BrokenChart:
    def to_json(self) -> str:
        return '{"mark": "no-such-mark", "data": {"values": [{"a": 1}]}}'


def test_a_broken_chart_fails_when_shown_not_when_made():
    svg = Svg(_BrokenChart())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        svg.svg
