"""Numbers and statuses in words, the same on every face (terminal, report, app)."""

from __future__ import annotations

import json
import math

from workbench.ground.cells import is_missing
from workbench.ground.status import SolveStatus, StopReason


def money(value: float | None) -> str:
    """1234.5 -> '1,234.50'; missing (None, NaN) -> '-'."""
    return "-" if is_missing(value) else f"{value:,.2f}"


def whole_money(value: float | None) -> str:
    """1234.5 -> '1,235' (a figure at a glance: KPIs, chart labels); missing -> '-'."""
    return "-" if is_missing(value) else f"{value:,.0f}"


def short_money(amount: float) -> str:
    """1,560,000 as 1.56M, 45,000 as 45.0k: for sentences; the tables keep full figures."""
    size = abs(amount)
    if size >= 1e6:
        return f"{amount / 1e6:.2f}M"
    if size >= 1e3:
        return f"{amount / 1e3:.1f}k"
    return whole_money(amount)


def fte_figure(value: float) -> str:
    """0.5 -> '0.50' (FTE, to the hundredth)."""
    return f"{value:.2f}"


def percent(value: float | None, digits: int = 1) -> str:
    """0.1234 -> '12.3%'; missing -> '-'."""
    return "-" if is_missing(value) else f"{value:.{digits}%}"


#: why a solve stopped short, in words
STOPPED_BY_TEXT = {
    StopReason.TIME_LIMIT: "time limit reached",
    StopReason.GAP_REACHED: "within the gap asked for",
    StopReason.STOPPED: "stopped on request",
}


def status_label(
    status: SolveStatus | str,
    gap: float | None = None,
    refining: bool = False,
    stopped_by: StopReason | str | None = None,
) -> str:
    """What a status means for a reader, with why the solve stopped short when it is known.
    ``refining``: the solve goes on to prove the optimum."""
    status = SolveStatus(status)
    why = "" if stopped_by is None else f"; {STOPPED_BY_TEXT[StopReason(stopped_by)]}"
    if status is SolveStatus.OPTIMAL:
        return "Optimal (proven)"
    if status is SolveStatus.FEASIBLE:
        gap_text = "gap unknown" if gap is None else f"gap {gap:.2%}"
        return (
            f"Best plan so far, {gap_text}: proving optimality…"
            if refining
            else f"Feasible, not proven optimal ({gap_text}{why})"
        )
    if status is SolveStatus.INFEASIBLE:
        return "No plan exists"
    return "Stopped before any plan was found" + (f" ({why[2:]})" if why else "")


def default_limit_sentence(solver: dict) -> str:
    """Said when a command's solver work ran under the default time limit (``solver``: a result's
    solver record); empty otherwise."""
    if not solver.get("default_time_limit"):
        return ""
    return (
        f"Time limit {solver['time_limit']:g} s: the default for a model of {solver['start_options']:,} start "
        "options (more than 1,000); set solver.time_limit or --time-limit to change it."
    )


def no_plan_sentence(status: SolveStatus | str, stopped_by: StopReason | str | None = None) -> str:
    """Why a result holds no plan, in one sentence: no plan exists (the conflicts say why), or the
    solver stopped before it found one (and why, when known)."""
    if SolveStatus(status) is SolveStatus.INFEASIBLE:
        return "No plan exists for this scenario; see the conflicts."
    if stopped_by is not None and StopReason(stopped_by) is StopReason.TIME_LIMIT:
        return "The solver reached its time limit before it found any plan; a longer time limit may find one."
    if stopped_by is not None and StopReason(stopped_by) is StopReason.STOPPED:
        return "The solve was stopped before it found any plan."
    return "The solver stopped before it found any plan."


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
