"""Approving a plan as the baseline: its starts written as the portfolio's ``baseline`` table,
never overwriting one silently, and a record in the decisions log."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path

from workbench.data.planning_data import Inputs
from workbench.ground.errors import InputError, Problem
from workbench.planning.result import Result

DECISIONS_LOG = "decisions.jsonl"


def baseline_target(inputs: Inputs, out: Path | None) -> Path:
    """Where the baseline goes: ``baseline.csv`` in a CSV portfolio folder, or ``out`` (required
    for a workbook, whose sheets we do not rewrite)."""
    if out is not None:
        return Path(out)
    location = Path(inputs.portfolio.location)
    if location.is_dir():
        return location / "baseline.csv"
    raise InputError([Problem(str(location), "the portfolio is a workbook: pass --out FILE.csv and add it as its "
                              "'baseline' sheet")])


def write_baseline(inputs: Inputs, result: Result, out: Path | None = None, replace: bool = False,
                   note: str = "") -> tuple[Path, Path | None]:
    """Write the plan's starts as the baseline table. An existing file is kept: an error unless
    ``replace``, then renamed ``baseline-<timestamp>.csv`` beside the new one. Returns the new
    file and the kept one (or None)."""
    if not result.has_plan:
        raise InputError([Problem(str(inputs.scenario.path), f"no plan to approve ({result.status.value})")])
    target = baseline_target(inputs, out)
    kept = None
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    if target.exists():
        if not replace:
            raise InputError([Problem(str(target), "a baseline exists; pass --replace to approve a new one "
                                      "(the old one is kept beside it with a timestamp)")])
        kept = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
        os.rename(target, kept)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["project", "start"])
    for outcome in sorted(result.selected, key=lambda p: (p.start_index, p.id)):
        writer.writerow([outcome.id, outcome.start])
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    os.replace(temporary, target)
    record = {"time": dt.datetime.now().isoformat(timespec="seconds"), "decision": "baseline",
              "scenario": str(inputs.scenario.path), "data_sha256": inputs.portfolio.data_hash,
              "status": result.status.value, "objective": result.objective, "solver": result.solver.get("name"),
              "file": str(target), "replaced": None if kept is None else str(kept), "note": note}
    with open(Path(inputs.scenario.path).parent / DECISIONS_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target, kept
