"""A sweep written as a run folder: ``sweep.html`` (the chart and the table, offline, every text
escaped), ``sweep.csv`` (formula-like text neutralised) and ``sweep.json``."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

import vl_convert

from workbench.analyses.sweep import Sweep
from workbench.faces import charts
from workbench.faces.export import neutralise_frame, safe_name, write_run_folder
from workbench.faces.report_runner import STYLE
from workbench.ground.formatting import money, percent
from workbench.ground.status import SolveStatus


def sweep_svg(sweep: Sweep, width: int = 640) -> str:
    """The sweep's chart as inline SVG."""
    return vl_convert.vegalite_to_svg(
        charts.sweep_chart(sweep.frame(), sweep.keys, sweep.objective_kind, width).to_json()
    )


def sweep_page(sweep: Sweep) -> str:
    frame = sweep.frame()
    for column in ("objective", "value", "cost"):
        frame[column] = frame[column].map(money)
    frame["gap"] = frame["gap"].map(lambda v: percent(v, 2))
    table = frame.to_html(index=False, escape=True, border=0, na_rep="-")
    title = f"Sweep of {sweep.scenario} over {', '.join(sweep.keys)}"
    count = Counter(p.status for p in sweep.points)
    summary = (
        f"{len(sweep.points)} points; {count[SolveStatus.OPTIMAL]} proven optimal, "
        f"{count[SolveStatus.INFEASIBLE]} with no plan, "
        f"{count[SolveStatus.FEASIBLE]} not proven (their gap is shown)"
        + (
            f", {count[SolveStatus.NOT_SOLVED]} stopped before any plan was found (see stopped_by)"
            if count[SolveStatus.NOT_SOLVED]
            else ""
        )
        + "."
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1><p>{html.escape(summary)}</p>"
        f'<div class="chart">{sweep_svg(sweep, 720)}</div>{table}</body></html>\n'
    )


def write_sweep(sweep: Sweep, out_dir: str | Path) -> Path:
    """``out_dir/<scenario>-sweep/<timestamp>/`` with the page, the table and the JSON."""

    def fill(folder: Path) -> None:
        (folder / "sweep.html").write_text(sweep_page(sweep), encoding="utf-8")
        neutralise_frame(sweep.frame()).to_csv(folder / "sweep.csv", index=False)
        (folder / "sweep.json").write_text(sweep.to_json(), encoding="utf-8")

    return write_run_folder(Path(out_dir) / f"{safe_name(sweep.scenario)}-sweep", fill)
