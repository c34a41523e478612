"""Period labels: ``YYYY-MM`` for months, ``YYYYQn`` for quarters.

Period ``t`` counts from the horizon's start (t = 0, 1, ..., periods-1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def per_year(self) -> int:
        return 12 if self is Granularity.MONTH else 4

    @property
    def example(self) -> str:
        return "2027-03" if self is Granularity.MONTH else "2027Q1"


def parse_period(value: object, granularity: Granularity) -> int:
    """Absolute period number (year * per_year + index) of a label, date or datetime.

    Raises ``ValueError`` with a message meant for the user.
    """
    granularity = Granularity(granularity)
    if isinstance(value, (dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            raise ValueError(f"{value} is not the first day of a {granularity.value}")
        if granularity is Granularity.MONTH:
            if value.day != 1:
                raise ValueError(f"{value:%Y-%m-%d} is not the first day of a month")
            return value.year * 12 + value.month - 1
        if value.day != 1 or value.month not in (1, 4, 7, 10):
            raise ValueError(f"{value:%Y-%m-%d} is not the first day of a quarter")
        return value.year * 4 + (value.month - 1) // 3
    text = str(value).strip()
    if granularity is Granularity.MONTH:
        match = _MONTH.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return int(match.group(1)) * 12 + int(match.group(2)) - 1
    else:
        match = _QUARTER.match(text)
        if match:
            return int(match.group(1)) * 4 + int(match.group(2)) - 1
    raise ValueError(f"{text!r} is not a {granularity.value} label; expected the form {granularity.example}")


def format_period(absolute: int, granularity: Granularity) -> str:
    granularity = Granularity(granularity)
    year, index = divmod(absolute, granularity.per_year)
    if granularity is Granularity.MONTH:
        return f"{year:04d}-{index + 1:02d}"
    return f"{year:04d}Q{index + 1}"


def label_or_date(text: str) -> object:
    """'2027-01-01' (a date, as YAML or a user may write it) as a date; anything else unchanged."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else text
    except ValueError:
        return text


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: ``periods`` consecutive periods from ``start``."""

    start: str
    periods: int
    granularity: Granularity = Granularity.MONTH

    @property
    def start_absolute(self) -> int:
        return parse_period(self.start, self.granularity)

    def index_of(self, value: object) -> int:
        """Relative period index (may be outside 0..periods-1)."""
        return parse_period(value, self.granularity) - self.start_absolute

    def label(self, t: int) -> str:
        return format_period(self.start_absolute + t, self.granularity)
