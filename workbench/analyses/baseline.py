"""Approving a plan as the baseline: its starts written as the portfolio's ``baseline`` table,
never overwriting one silently, and a record in the decisions log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

from workbench.data.planning_data import Inputs
from workbench.data.tables import near_table_name
from workbench.ground.files import write_atomically
from workbench.ground.errors import InputError, Problem
from workbench.planning.result import Result

DECISIONS_LOG = "decisions.jsonl"


def portfolio_folder_of(inputs: Inputs) -> Path | None:
    location = Path(inputs.portfolio.location)
    return location if location.is_dir() else None


def baseline_target(inputs: Inputs, out: Path | None) -> Path:
    """Where the baseline goes: ``baseline.csv`` in a CSV portfolio folder, or ``out`` (required
    for a workbook, whose sheets we do not rewrite)."""
    if out is not None:
        return Path(out)
    location = Path(inputs.portfolio.location)
    if location.is_dir():
        return location / "baseline.csv"
    raise InputError(
        [Problem(str(location), "the portfolio is a workbook: pass --out FILE.csv and add it as its 'baseline' sheet")]
    )


BASELINE_HEADER = ["project", "start"]


def decisions_log(inputs: Inputs) -> Path:
    """The decisions log beside the scenario: a regular file, or none yet (checked before any write)."""
    log = Path(inputs.scenario.path).parent / DECISIONS_LOG
    if (log.exists() or log.is_symlink()) and (not log.is_file() or log.is_symlink()):
        raise InputError(
            [
                Problem(
                    str(log),
                    "is not a regular file; the decisions log is appended to it: move what is there and run again",
                )
            ]
        )
    if not os.access(log.parent, os.W_OK) or (log.exists() and not os.access(log, os.W_OK)):
        raise InputError([Problem(str(log), "cannot be written; the decisions log records every approval")])
    return log


def check_baseline_target(target: Path, replace: bool, portfolio_folder: Path | None = None) -> None:
    """The baseline may go to ``target``: a new file in a folder that can be written, or, with
    ``replace``, an existing regular file that holds a baseline table (header project,start) and
    nothing else: never a folder, a device or another table."""
    target = Path(target)
    if (
        portfolio_folder is not None
        and target.resolve().parent == Path(portfolio_folder).resolve()
        and target.name != "baseline.csv"
        and (target.suffix.lower() == ".csv" or near_table_name(target.stem))
    ):
        raise InputError(
            [
                Problem(
                    str(target),
                    "would be a table file in the portfolio folder under another name "
                    "than baseline.csv; write the baseline as baseline.csv there, or elsewhere",
                )
            ]
        )
    if target.exists() or target.is_symlink():
        if not target.is_file() or target.is_symlink():
            kind = "a folder" if target.is_dir() else "a link" if target.is_symlink() else "not a regular file"
            raise InputError(
                [
                    Problem(
                        str(target),
                        f"is {kind}; the baseline is written as a CSV file: give a file name (--out FILE.csv)",
                    )
                ]
            )
        try:
            with open(target, encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader([handle.readline()]), [])
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem(str(target), f"cannot be read to check that it is a baseline ({exc})")]) from None
        if [h.strip().lower() for h in header] != BASELINE_HEADER:
            raise InputError(
                [
                    Problem(
                        str(target),
                        "exists and is not a baseline table (its header is not "
                        "'project,start'); nothing is overwritten: give another --out FILE",
                    )
                ]
            )
        if not replace:
            raise InputError(
                [
                    Problem(
                        str(target),
                        "a baseline exists; pass --replace to approve a new one "
                        "(the old one is kept beside it with a timestamp)",
                    )
                ]
            )
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError([Problem(str(target), f"its folder {folder} does not exist; create it or give another file")])
    if not os.access(folder, os.W_OK):
        raise InputError([Problem(str(target), f"its folder {folder} cannot be written")])


def write_baseline(
    inputs: Inputs, result: Result, out: Path | None = None, replace: bool = False, note: str = ""
) -> tuple[Path, Path | None]:
    """Write the plan's starts as the baseline table. An existing file is kept: an error unless
    ``replace``, then renamed ``baseline-<timestamp>.csv`` beside the new one. Returns the new
    file and the kept one (or None)."""
    if not result.has_plan:
        raise InputError([Problem(str(inputs.scenario.path), f"no plan to approve ({result.status.value})")])
    target = baseline_target(inputs, out)
    check_baseline_target(target, replace, portfolio_folder_of(inputs))
    decisions_log(inputs)
    kept = None
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    if target.exists():
        kept = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
        while kept.exists():  # two approvals within a second: never overwrite a kept one
            kept = kept.with_name(f"{kept.stem}-1{kept.suffix}")
        try:
            os.link(target, kept)  # the old baseline stays in place until the new one replaces it
        except OSError:  # a file system without hard links
            shutil.copy2(target, kept)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(BASELINE_HEADER)
    for outcome in sorted(result.selected, key=lambda p: (p.start_index, p.id)):
        writer.writerow([outcome.id, outcome.start])
    write_atomically(target, buffer.getvalue())
    record = {
        "time": dt.datetime.now().isoformat(timespec="seconds"),
        "decision": "baseline",
        "scenario": str(inputs.scenario.path),
        "data_sha256": inputs.portfolio.data_hash,
        "status": result.status.value,
        "objective": result.objective,
        "solver": result.solver.get("name"),
        "file": str(target),
        "replaced": None if kept is None else str(kept),
        "note": note,
    }
    with open(decisions_log(inputs), "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target, kept
