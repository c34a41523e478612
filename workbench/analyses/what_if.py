"""What-if variants: a scenario with changed settings, and its planning data, made together.

Every re-solve with changed settings (a project forced in or out, one more FTE, a total budget,
a frontier level, a sweep point, the app's controls, a sampled future with the chosen selection
fixed) is stated as overrides of the scenario, merged and logged as one more ``extends`` level
would be, and its planning data is derived from the merged scenario the way a file's is. So the
scenario a plan is checked against and the data it was solved with cannot disagree (a capacity
cut below zero, then one more FTE, is 1 FTE in both).

The override builders here are the one place that writes capacity, hiring, commitment, budget
and balance changes as scenario keys.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.analyses.replan import replanned
from workbench.data.planning_data import REDERIVED_KEYS, Inputs, check_scenario, inputs_for, rederived
from workbench.data.scenario import LoadedScenario, Scenario, with_overrides
from workbench.ground.errors import InputError

__all__ = [
    "extra_capacity",
    "forced_in",
    "forced_out",
    "hiring_limits",
    "priced_hiring",
    "no_balance",
    "total_budget",
    "what_if",
]


def what_if(inputs: Inputs, overrides: dict, source: str) -> Inputs:
    """``inputs`` with ``overrides`` merged over its scenario, its planning data derived anew.

    Parameters
    ----------
    inputs : Inputs
        The scenario as loaded (re-planned or not).
    overrides : dict
        Scenario keys to change, nested as in a scenario file; mappings merge key by key,
        anything else replaces (:func:`workbench.data.scenario.deep_merge`).
    source : str
        What sets them, logged with each change (``"controls"``, ``"explain: P1 forced in"``).

    Returns
    -------
    Inputs
        The variant: its scenario, the portfolio as loaded (at the variant's confidence level)
        and the planning data derived from both; re-planned from the same status date when
        ``inputs`` were.

    Raises
    ------
    InputError
        The overrides break the schema or name what the portfolio lacks; each problem names
        ``source``.
    """
    scenario = with_overrides(inputs.scenario, overrides, source)
    portfolio = inputs.estimates if inputs.estimates is not None else inputs.portfolio
    problems = check_scenario(scenario, portfolio)
    if problems:
        raise InputError(problems)
    changed = set(overrides)
    if (
        inputs.data.status_period is None
        and inputs.scenario.spec.status.as_of is None  # a status date: the variant is re-planned
        and changed <= REDERIVED_KEYS
        and set(overrides.get("budget", {})) <= {"total"}
    ):
        # the keys one variant per project changes: their tables derived again, the rest kept
        return replace(inputs, scenario=scenario, data=rederived(inputs.data, scenario, inputs.portfolio, changed))
    variant = inputs_for(scenario, portfolio)
    status_period = inputs.data.status_period
    if status_period is None:
        return replanned(variant)
    return replanned(variant, inputs.data.horizon.label(status_period))


def _spec(scenario: LoadedScenario | Scenario) -> Scenario:
    return scenario.spec if isinstance(scenario, LoadedScenario) else scenario


def forced_in(scenario: LoadedScenario | Scenario, project: str) -> dict:
    """Overrides that force ``project`` in."""
    spec = _spec(scenario)
    return {"force_in": [*spec.force_in, project]}


def forced_out(scenario: LoadedScenario | Scenario, project: str) -> dict:
    """Overrides that force ``project`` out (and no longer in)."""
    spec = _spec(scenario)
    return {"force_in": [p for p in spec.force_in if p != project], "force_out": [*spec.force_out, project]}


def extra_capacity(scenario: LoadedScenario | Scenario, extra_by_role: dict[str, float]) -> dict:
    """Overrides that add ``extra_by_role`` FTE (role -> delta) in every period, after the
    scenario's own capacity changes (a delta of 0 too: its role is checked like any other); no
    override when none is given. A value is validated with the merged scenario, as one in a
    file would be."""
    spec = _spec(scenario)
    extra = [{"role": role, "delta": delta} for role, delta in extra_by_role.items()]
    if not extra:
        return {}
    return {"capacity": [a.model_dump(by_alias=True, exclude_none=True) for a in spec.capacity] + extra}


def hiring_limits(scenario: LoadedScenario | Scenario, max_fte_by_role: dict[str, float]) -> dict:
    """Overrides that let at most ``max_fte_by_role[role]`` be hired, on the scenario's own terms
    for that role (roles the scenario prices no hiring for are left out: see :func:`priced_hiring`);
    no override when nothing changes."""
    hiring = [h.model_dump() for h in _spec(scenario).hiring]
    changed = False
    for terms in hiring:
        if terms["role"] in max_fte_by_role:
            terms["max_fte"] = max_fte_by_role[terms["role"]]
            changed = True
    return {"hiring": hiring} if changed else {}


def priced_hiring(scenario: LoadedScenario | Scenario) -> set[str]:
    """The roles the scenario prices hiring for."""
    return {h.role for h in _spec(scenario).hiring}


def total_budget(total: float | None) -> dict:
    """Overrides that set the total budget (``None``: no total)."""
    return {"budget": {"total": total}}


def no_balance(scenario: LoadedScenario | Scenario) -> dict:
    """Overrides under which no category share binds (every bound opened to 0..1)."""
    return {"balance": {category: {"min": 0.0, "max": 1.0} for category in _spec(scenario).balance}}
