"""Exports: result tables written atomically into new folders, formula-like text neutralised."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from workbench.ground.files import safe_file_name
from workbench.planning.result import Result

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix an apostrophe to text that starts like a formula (CSV/Excel injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def summary_frame(result: Result) -> pd.DataFrame:
    """One row: the result's key figures and its provenance."""
    kpis = result.kpis()
    row = {
        "scenario": result.scenario,
        "status": kpis["status"],
        "objective": kpis["objective"],
        "objective_kind": kpis["objective_kind"],
        "gap": kpis["gap"],
        "solver": kpis["solver"],
        "seconds": kpis["solver_seconds"],
        "selected": kpis["selected"],
        "cost": kpis["cost"],
        "value": kpis["value"],
    }
    row.update(
        {f"provenance.{k}": json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in result.provenance.items()}
    )
    return pd.DataFrame([row])


def write_tables(result: Result, out_dir: str | Path) -> Path:
    """Write CSV tables into a new folder ``out_dir/<scenario>/<timestamp>/``.

    The folder is filled under a temporary name and renamed into place, so it is either
    complete or absent; an existing folder is never overwritten.
    """
    return write_run_folder(
        Path(out_dir) / safe_name(result.scenario), lambda folder: write_tables_into(result, folder)
    )


def write_run_folder(parent: Path, fill: Callable[[Path], None]) -> Path:
    """A new timestamped folder under ``parent``, filled by ``fill`` under a temporary name and
    renamed into place: complete or absent, and nothing existing overwritten."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=parent))
    try:
        fill(staging)
        target = new_run_folder(parent)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def write_tables_into(result: Result, folder: Path, xlsx: bool = False) -> None:
    """CSV tables, result.json (and optionally one workbook) with formula-like text neutralised."""
    frames = {"summary": summary_frame(result), **result.frames()}
    for name, frame in frames.items():
        neutralise_frame(frame).to_csv(folder / f"{name}.csv", index=False)
    (folder / "result.json").write_text(result.to_json(), encoding="utf-8")
    if xlsx:
        with pd.ExcelWriter(folder / "result.xlsx", engine="openpyxl") as writer:
            for name, frame in frames.items():
                neutralise_frame(frame).to_excel(writer, sheet_name=name, index=False)


def new_run_folder(parent: Path) -> Path:
    """A timestamped path under ``parent`` that does not exist yet."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    candidate = parent / stamp
    number = 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{stamp}-{number}"
    return candidate


def safe_name(name: str) -> str:
    """A scenario's name as a folder name (:func:`workbench.ground.files.safe_file_name`)."""
    return safe_file_name(name, "scenario")
