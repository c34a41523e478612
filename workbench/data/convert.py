"""Write a CSV portfolio folder as one xlsx workbook (a sheet per table)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench.data.tables import TABLE_NAMES, read_csv_table, read_raw_portfolio
from workbench.ground.errors import InputError, Problem


def _cell(text: object) -> object:
    """Numbers become numbers so Excel users can compute with them; all else stays text."""
    if not isinstance(text, str) or text.strip() == "":
        return None if text in ("", None) else text
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


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
    raw = read_raw_portfolio(folder)  # every table checked as loading would, before anything is written
    if raw.problems:
        raise InputError(raw.problems)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in TABLE_NAMES:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        table, problems = read_csv_table(path, name)
        if problems or table is None:
            raise InputError(problems)
        sheet = book.create_sheet(name)
        sheet.append(table.header)
        for _, cells in table.rows:
            # period labels stay text: 2027-01 must not become a number or a date
            sheet.append([c if h in ("period", "start", "earliest_start", "latest_start", "id", "project",
                                     "requires", "name", "group") else _cell(c)
                          for h, c in zip(table.header, cells)])
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".xlsx.tmp")
    os.close(handle)
    try:
        book.save(temporary)
        os.link(temporary, target)  # fails rather than overwrite if the target appeared meanwhile
    finally:
        os.unlink(temporary)
    return target
