"""What a table cell holds: the one test of a missing value (empty, None, NaN, pandas' NA or NaT)."""

from __future__ import annotations

import pandas as pd


def is_missing(value: object) -> bool:
    """Whether ``value`` is an empty cell: ``None``, NaN, ``pd.NA`` or ``pd.NaT``. A list or any
    other non-scalar is a value, not a missing one."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def is_given(value: object) -> bool:
    """Whether a cell holds a value (not :func:`is_missing`)."""
    return not is_missing(value)
