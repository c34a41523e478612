"""Numbers and statuses in words, the same on every face (terminal, report, app)."""

from __future__ import annotations

import json
import math

from workbench.ground.status import SolveStatus


def money(value: float | None) -> str:
    """1234.5 -> '1,234.50'; None -> '-'."""
    return "-" if value is None else f"{value:,.2f}"


def percent(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def status_label(status: SolveStatus | str, gap: float | None = None, refining: bool = False) -> str:
    """What a status means for a reader. ``refining``: the solve goes on to prove the optimum."""
    status = SolveStatus(status)
    if status is SolveStatus.OPTIMAL:
        return "Optimal (proven)"
    if status is SolveStatus.FEASIBLE:
        gap_text = "gap unknown" if gap is None else f"gap {gap:.2%}"
        return (
            f"Best plan so far, {gap_text}: proving optimality…"
            if refining
            else f"Feasible, not proven optimal ({gap_text})"
        )
    if status is SolveStatus.INFEASIBLE:
        return "No plan exists"
    return "Stopped before any plan was found"


def finite_json(value: object, indent: int | None = 2) -> str:
    """``value`` as strict JSON: a non-finite number (which JSON cannot hold) becomes null, so the
    output never holds NaN or Infinity."""
    return json.dumps(_finite(value), indent=indent, ensure_ascii=False, allow_nan=False)


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
