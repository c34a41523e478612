"""Write a CSV portfolio folder as one xlsx workbook (a sheet per table)."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from workbench.data.portfolio import SCHEMA, SCORE_PREFIX
from workbench.data.tables import TABLE_NAMES, read_raw_portfolio
from workbench.ground.errors import InputError, Problem


def _cell(text: object) -> object:
    """A number column's finite numbers become numbers so Excel users can compute with them;
    anything else stays the text it was (a bad cell stays bad, for validation to point at)."""
    if not isinstance(text, str) or text.strip() == "":
        return None if text in ("", None) else text
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _number_columns(name: str, header: list[str]) -> set[str]:
    """The columns of table ``name`` that hold numbers (scores included); every other column is text."""
    numeric = {c.name for c in SCHEMA[name] if c.kind in ("decimal", "whole", "percent")}
    return {h for h in header if h in numeric or (name == "projects" and h.startswith(SCORE_PREFIX))}


def csv_folder_to_xlsx(folder: str | Path, target: str | Path) -> Path:
    """Convert; the target is written atomically and must not exist yet."""
    import openpyxl  # heavy: loaded only to write a workbook

    folder, target = Path(folder), Path(target)
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "is not a folder of CSV tables; give the portfolio folder")])
    if target.suffix.lower() != ".xlsx":
        raise InputError([Problem(str(target), "must name an .xlsx workbook (e.g. portfolio.xlsx)")])
    if target.exists() or target.is_symlink():
        raise FileExistsError(f"{target} exists; choose a new name (nothing is overwritten)")
    raw = read_raw_portfolio(folder)  # every table read as loading reads it (names, text, fields), before any write
    if raw.problems:
        raise InputError(raw.problems)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in TABLE_NAMES:
        table = raw.tables.get(name)  # the tables as read and checked above: each file read once
        if table is None:
            continue
        sheet = book.create_sheet(name)
        sheet.append(table.header)
        numbers = _number_columns(name, table.header)
        for _, cells in table.rows:
            # text stays text (ids such as 007, period labels such as 2027-01, names)
            sheet.append([_cell(c) if h in numbers else c for h, c in zip(table.header, cells)])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".xlsx.tmp")
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    str(target), f"its folder cannot be written ({exc.strerror}); give another place for the workbook"
                )
            ]
        ) from None
    os.close(handle)
    try:
        book.save(temporary)
        os.link(temporary, target)  # fails rather than overwrite if the target appeared meanwhile
    finally:
        os.unlink(temporary)
    return target
