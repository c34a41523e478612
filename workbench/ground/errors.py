"""Exception hierarchy: callers catch exactly what they can handle.

``WorkbenchError``
    ``InputError`` -- the portfolio or scenario is malformed (exit code 2); holds every
    :class:`Problem` found, not only the first.
    ``SolverError`` -- the solver could not be run at all (not: no plan exists).
    ``SchedulerError`` -- the Dask scheduler given cannot be reached (exit code 2).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located precisely enough to fix it.

    Parameters
    ----------
    source : str
        The file (or ``book.xlsx, sheet 'projects'``) whose content must change.
    message : str
        What is wrong and what is expected.
    row : int or None
        Row in the file as a spreadsheet shows it (the header is row 1); for YAML, the line.
    column : str or None
        Column (or scenario key path).
    item : str or None
        The id of the offending object (project id, role), when there is one.
    """

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    item: str | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.item is not None:
            where.append(f"id {self.item!r}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class InputError(WorkbenchError):
    """Malformed portfolio or scenario; ``problems`` lists everything found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class SolverError(WorkbenchError):
    """The solver could not be run (missing binary, crashed)."""


class SchedulerError(WorkbenchError):
    """The Dask scheduler given (``--scheduler`` or ``WORKBENCH_SCHEDULER``) cannot be reached."""
