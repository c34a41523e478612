"""Reading raw tables from a CSV folder or an xlsx workbook, and typing their cells.

A raw table keeps each cell as read (text from CSV; number, date or text from xlsx) with
the row number a spreadsheet would show, so that every later message can point at it.
"""

from __future__ import annotations

import csv
import difflib
import datetime as dt
import hashlib
import io
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from workbench.ground.errors import Problem
from workbench.ground.limits import MAX_SHEET_COLUMNS, MAX_TABLE_BYTES, MAX_TABLE_ROWS, MIN_MAGNITUDE
from workbench.ground.periods import Granularity, parse_period

TABLE_NAMES = (
    "projects",
    "demand",
    "capacity",
    "budget",
    "costs",
    "dependencies",
    "exclusions",
    "criteria",
    "baseline",
    "actuals",
    "effort",
    "uncertainty",
    "risks",
)
REQUIRED_TABLES = ("projects", "demand", "capacity")


@dataclass
class RawTable:
    """A table as read: header, and (row number, cells) pairs."""

    name: str
    source: str
    header: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column index) shown as a percentage


@dataclass
class RawPortfolio:
    location: Path
    tables: dict[str, RawTable]
    data_hash: str
    problems: list[Problem]


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip() == "")


def _too_large(path: Path) -> Problem | None:
    """A file past the documented size, refused before it is read into memory."""
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        return Problem(
            str(path),
            f"is {size / 1024 / 1024:,.1f} MB; a table or workbook may be at most "
            f"{MAX_TABLE_BYTES // 1024 // 1024} MB (docs/portfolio-format.md, 'Limits'): split it or "
            "remove rows the portfolio does not need",
        )
    return None


def _too_many_rows(source: str, row: int) -> Problem:
    return Problem(
        source,
        f"has more than {MAX_TABLE_ROWS:,} rows, the most a table may have (docs/portfolio-format.md, 'Limits')",
        row=row,
    )


def read_csv_table(path: Path, name: str) -> tuple[RawTable | None, list[Problem]]:
    source = str(path)
    large = _too_large(path)
    if large is not None:
        return None, [large]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                source,
                f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
            )
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    header: list[str] | None = None
    rows: list[tuple[int, list[object]]] = []
    try:
        for fields in reader:
            row_number = reader.line_num
            if all(_blank(f) for f in fields):
                continue
            if header is None:
                header = [f.strip() for f in fields]
                continue
            if len(rows) >= MAX_TABLE_ROWS:
                problems.append(_too_many_rows(source, row_number))
                break
            if len(fields) != len(header):
                problems.append(
                    Problem(
                        source,
                        f"has {len(fields)} fields but the header has {len(header)}; "
                        "check for a missing or extra comma (quote text that contains commas)",
                        row=row_number,
                    )
                )
                continue
            rows.append((row_number, list(fields)))
    except csv.Error as exc:
        problems.append(Problem(source, f"is not valid CSV: {exc}", row=reader.line_num))
    if header is None:
        problems.append(Problem(source, "is empty; the first line must be the header row"))
        return None, problems
    return RawTable(name, source, header, rows), problems


def read_xlsx_tables(path: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    import openpyxl  # imported here: only workbooks need it

    large = _too_large(path)
    if large is not None:
        return {}, [large]
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        # the same cells as written, to tell an empty cell from a formula with no saved result
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        return {}, [Problem(str(path), f"cannot be read as an xlsx workbook: {exc}")]
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    try:
        for sheet_name in book.sheetnames:
            near = near_table_name(sheet_name)
            if near is not None:
                problems.append(
                    Problem(
                        f"{path}, sheet {sheet_name!r}",
                        f"is not a table name: did you mean "
                        f"{near!r}? Rename the sheet to exactly {near!r} (table names are "
                        "lowercase, without spaces)",
                    )
                )
                continue
            name = sheet_name
            if name not in TABLE_NAMES:
                continue
            source = f"{path}, sheet {sheet_name!r}"
            sheet = book[sheet_name]
            # a stray cell far away makes every row that wide: refuse the used range, not read it
            used_rows, used_columns = sheet.max_row or 0, sheet.max_column or 0
            if used_rows > MAX_TABLE_ROWS + 1 or used_columns > MAX_SHEET_COLUMNS:
                problems.append(
                    Problem(
                        source,
                        f"uses {used_rows:,} rows and {used_columns:,} columns; a table may "
                        "have at most "
                        f"{MAX_TABLE_ROWS:,} rows and {MAX_SHEET_COLUMNS} columns: delete the stray "
                        "cells beyond the table",
                    )
                )
                continue
            header: list[str] | None = None
            rows: list[tuple[int, list[object]]] = []
            percent_cells: set[tuple[int, int]] = set()
            written_rows = formulas[sheet_name].iter_rows(values_only=True)
            for row_number, cells in enumerate(sheet.iter_rows(), 1):
                values = [getattr(cell, "value", None) for cell in cells]
                for column, cell in enumerate(cells):
                    if "%" in str(getattr(cell, "number_format", "") or "") and isinstance(
                        getattr(cell, "value", None), (int, float)
                    ):
                        percent_cells.add((row_number, column))
                if len(rows) >= MAX_TABLE_ROWS:
                    problems.append(_too_many_rows(source, row_number))
                    break
                written = list(next(written_rows, ()))
                for column, (value, as_written) in enumerate(zip(values, written)):
                    if value is None and isinstance(as_written, str) and as_written.startswith("="):
                        title = header[column] if header and column < len(header) else f"column {column + 1}"
                        problems.append(
                            Problem(
                                source,
                                f"holds the formula {as_written!r} with no saved result; open the workbook "
                                "in Excel or LibreOffice and save it, so the computed values are stored",
                                row=row_number,
                                column=title,
                            )
                        )
                if all(_blank(v) for v in values):
                    continue
                if header is None:
                    while values and _blank(values[-1]):
                        values.pop()
                    header = ["" if v is None else str(v).strip() for v in values]
                    continue
                extra = [i for i, v in enumerate(values) if i >= len(header) and not _blank(v)]
                if extra:
                    problems.append(
                        Problem(
                            source,
                            f"has {max(extra) + 1} fields but the header has {len(header)}; "
                            "remove the values right of the last titled column or give that column a title",
                            row=row_number,
                        )
                    )
                    continue
                values = values[: len(header)] + [None] * (len(header) - len(values))
                rows.append((row_number, values))
            if header is None:
                problems.append(Problem(source, "is empty; the first row must be the header row"))
                continue
            tables[name] = RawTable(name, source, header, rows, percent_cells)
    finally:
        book.close()
        formulas.close()
    return tables, problems


def read_raw_portfolio(location: Path) -> RawPortfolio:
    """Read every table of a portfolio folder or workbook; nothing is written."""
    location = Path(location)
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    digest = hashlib.sha256()
    if not location.exists():
        problems.append(
            Problem(
                str(location),
                "does not exist; 'portfolio' must name a folder of "
                "CSV files or an .xlsx workbook (relative to the scenario file)",
            )
        )
        return RawPortfolio(location, tables, "", problems)
    if location.is_dir():
        files = {}
        for path in sorted(location.iterdir()):
            if path.suffix.lower() != ".csv":
                continue
            if not path.is_file():
                if path.stem in TABLE_NAMES or near_table_name(path.stem):
                    problems.append(
                        Problem(
                            str(path),
                            "is named like a table but is not a regular file (a folder, "
                            "a device or a pipe); a table is a CSV file",
                        )
                    )
                continue
            near = near_table_name(path.stem)
            if near is not None or (path.suffix != ".csv" and path.stem in TABLE_NAMES):
                problems.append(
                    Problem(
                        str(path),
                        f"is not a table file name: did you mean {near or path.stem}.csv? "
                        f"Rename it to exactly {near or path.stem}.csv (table names are lowercase, "
                        "without spaces)",
                    )
                )
                continue
            files[path.stem] = path
        for name in TABLE_NAMES:
            path = files.get(name)
            if path is None:
                continue
            table, found = read_csv_table(path, name)
            if table is not None:
                digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
            problems.extend(found)
            if table is not None:
                tables[name] = table
        where = "folder"
    elif location.suffix.lower() in (".xlsx", ".xlsm"):
        tables, found = read_xlsx_tables(location)
        if not found or tables:
            digest.update(location.read_bytes())
        problems.extend(found)
        where = "workbook"
    else:
        problems.append(Problem(str(location), "is neither a folder of CSV files nor an .xlsx workbook"))
        return RawPortfolio(location, tables, "", problems)
    for name in REQUIRED_TABLES:
        if name not in tables and not any(
            p.source.endswith(f"{name}.csv") or f"'{name}'" in p.source for p in problems
        ):
            hint = f"add {name}.csv" if where == "folder" else f"add a sheet named {name!r}"
            problems.append(Problem(str(location), f"has no {name!r} table; {hint}"))
    return RawPortfolio(location, tables, digest.hexdigest(), problems)


def near_table_name(name: str) -> str | None:
    """The table a file or sheet name almost names (another case, spaces around or inside), or
    ``None`` when it names one exactly or none at all."""
    if name in TABLE_NAMES:
        return None
    # another case, spaces, invisible characters (zero-width, joiners) or compatibility forms
    visible = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf")
    squeezed = "".join(visible.split()).lower()
    if squeezed in TABLE_NAMES:
        return squeezed
    if not squeezed.isascii():  # a letter from another script that looks the same (Cyrillic a for a)
        close = difflib.get_close_matches(squeezed, TABLE_NAMES, n=1, cutoff=0.8)
        return close[0] if close else None
    return None


# ----------------------------------------------------------------------------- cell typing
class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message says what is expected."""


def as_text(cell: object) -> str | None:
    if _blank(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()
    return str(cell).strip()


def as_decimal(cell: object) -> float | None:
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        raise CellError(f"{cell!r} is not a number")
    if isinstance(cell, (int, float)):
        number = float(cell)
    else:
        text = str(cell).strip()
        # Python's float() reads 1_2 as 12 and any script's digits (١٠, １０); nobody writes a number so
        if "_" in text or not text.isascii():
            raise CellError(
                f"{text!r} is not a number; write it with the digits 0-9, a dot for decimals and "
                "no underscores, like 1250.5"
            )
        try:
            number = float(text)
        except ValueError:
            raise CellError(
                f"{text!r} is not a number; write it like 1250.5 "
                "(a dot for decimals, no thousands separators or currency signs)"
            ) from None
    if not math.isfinite(number):
        raise CellError(f"{cell!r} is not a finite number")
    if number != 0 and abs(number) < MIN_MAGNITUDE:
        raise CellError(f"{cell!r} is too small to compute with; write 0, or a figure of at least {MIN_MAGNITUDE:g}")
    return number


def as_whole(cell: object) -> int | None:
    number = as_decimal(cell)
    if number is None:
        return None
    if not float(number).is_integer():
        raise CellError(f"{cell!r} is not a whole number")
    return int(number)


_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def as_bool(cell: object) -> bool | None:
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)) and cell in (0, 1):
        return bool(cell)
    text = str(cell).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{cell!r} is not true or false")


def as_period(cell: object, granularity: Granularity) -> int | None:
    """Absolute period number; ``None`` for an empty cell."""
    if _blank(cell):
        return None
    try:
        return parse_period(cell, granularity)
    except ValueError as exc:
        raise CellError(str(exc)) from None
