"""One what-if mechanism: a variant's planning data is always what a scenario file with the same
overrides gives when loaded, re-planned from the same status date; the independent checker
agrees with the capacity a variant was solved with (a cut below zero, then one more FTE)."""

from __future__ import annotations

import dataclasses
import random

import pandas as pd
import pytest
import yaml
from conftest import SAMPLE
from portfolio_kit import make_case, small_portfolio

from workbench.analyses.check import check_result
from workbench.analyses.prices import one_more_fte
from workbench.analyses.replan import replanned
from workbench.analyses.solve import solve
from workbench.analyses.what_if import (
    extra_capacity,
    forced_in,
    forced_out,
    hiring_limits,
    no_balance,
    total_budget,
    what_if,
)
from workbench.data.planning_data import Commitment, load_inputs
from workbench.ground.errors import InputError


def assert_same_data(variant, loaded) -> None:
    """Every field of two PlanningData equal (frames to the last digit)."""
    for field in dataclasses.fields(variant):
        mine, theirs = getattr(variant, field.name), getattr(loaded, field.name)
        if isinstance(mine, pd.DataFrame):
            pd.testing.assert_frame_equal(mine, theirs, obj=field.name)
        else:
            assert mine == theirs, field.name


def as_file(tmp_path, inputs, overrides: dict, number: int):
    """The overrides written as a scenario file extending the scenario's own file, loaded and
    re-planned from the same status date as ``inputs`` (None when it is refused)."""
    path = tmp_path / f"variant-{number}.yaml"
    path.write_text(
        yaml.safe_dump({"extends": str(inputs.scenario.path), **overrides}, sort_keys=False), encoding="utf-8"
    )
    loaded = load_inputs(path)
    status = inputs.data.status_period
    return replanned(loaded) if status is None else replanned(loaded, inputs.data.horizon.label(status))


def random_overrides(rng: random.Random, inputs) -> dict:
    spec, data = inputs.scenario.spec, inputs.data
    optional = sorted(str(p) for p in data.projects.index[data.projects["commitment"].eq(Commitment.NONE)])
    overrides: dict = {}
    roles = sorted(data.roles)
    if rng.random() < 0.7:
        # cuts deep enough to go below zero, then additions on top
        chosen = rng.sample(roles, k=rng.randint(1, 3))
        overrides.update(extra_capacity(spec, {role: rng.choice([-30, -3, -1.5, 0.5, 1, 2]) for role in chosen}))
        if rng.random() < 0.5:
            after = what_if(inputs, overrides, "first step").scenario
            overrides.update(extra_capacity(after, {rng.choice(roles): 1.0}))
    if rng.random() < 0.4:
        overrides.update(forced_in(spec, rng.choice(optional)))
    if rng.random() < 0.4:
        overrides.update(forced_out(spec, rng.choice(optional)))
    if rng.random() < 0.4:
        overrides.update(total_budget(rng.choice([None, 2_000_000.0, 9_500_000.0])))
    if rng.random() < 0.3 and spec.balance:
        overrides.update(no_balance(spec))
    if rng.random() < 0.3 and spec.hiring:
        overrides.update(hiring_limits(spec, {spec.hiring[0].role: rng.choice([0.0, 1.0, 4.5])}))
    return overrides


@pytest.mark.parametrize("scenario", ["baseline", "hire-data-engineers", "accelerate-regulatory", "replan-2027-06"])
def test_a_variant_is_what_its_overrides_give_when_loaded_from_a_file(tmp_path, scenario):
    inputs = replanned(load_inputs(SAMPLE / f"{scenario}.yaml"))
    rng = random.Random(scenario)
    compared = 0
    for number in range(12):
        overrides = random_overrides(rng, inputs)
        try:
            variant = what_if(inputs, overrides, "property test")
        except InputError:
            with pytest.raises(InputError):
                as_file(tmp_path, inputs, overrides, number)
            continue
        assert_same_data(variant.data, as_file(tmp_path, inputs, overrides, number).data)
        compared += 1
    assert compared >= 6


def test_one_more_fte_after_a_cut_below_zero_is_one_fte_in_the_data_and_for_the_checker(tmp_path):
    """A scenario cuts 3 FTE of a 2-FTE role; one more FTE is then 1 FTE, in the planning data the
    re-solve uses, in the scenario it states, and for the independent checker."""
    tables = small_portfolio()
    role = tables["capacity"][0]["role"]
    base_fte = float(tables["capacity"][0]["fte"])
    path = make_case(tmp_path / "case", tables, capacity=[{"role": role, "delta": -(base_fte + 1)}])
    inputs = load_inputs(path)
    assert set(inputs.data.capacity.loc[inputs.data.capacity["role"].eq(role), "fte"]) == {0.0}
    variant = one_more_fte(inputs, role)
    assert set(variant.data.capacity.loc[variant.data.capacity["role"].eq(role), "fte"]) == {1.0}
    assert [(a.role, a.delta) for a in variant.scenario.spec.capacity] == [(role, -(base_fte + 1)), (role, 1.0)]
    result = solve(variant)
    assert result.has_plan
    assert check_result(variant.portfolio, variant.scenario.spec, result) == []
    # against the scenario as it was (0 FTE), the checker refuses that plan where it uses the role
    assert any(row.demand > 0 for row in result.capacity if row.role == role)
    assert check_result(inputs.portfolio, inputs.scenario.spec, result)


def test_a_frontier_whose_levels_pass_one_cells_money_bound_is_traced(tmp_path):
    """Each cell is within 1e13, the plan spends more than that in all: the frontier's levels are
    totals over the horizon (bounded by MAX_TOTAL_MONEY), not refused as a cell would be."""
    from workbench.analyses.frontier import frontier
    from workbench.ground.limits import MAX_MONEY

    tables = small_portfolio()
    for project in tables["projects"]:
        project["value"], project["cost"] = project["value"] * 9e10, project["cost"] * 3e11
    path = make_case(tmp_path / "big", tables, periods=4)
    inputs = load_inputs(path)
    top = solve(inputs, solver="highs")
    assert sum(p.cost for p in top.selected) > MAX_MONEY
    curve = frontier(inputs, 3, solver="highs")
    assert [p.status for p in curve.points] == ["optimal"] * 3
    assert curve.points[-1].objective == pytest.approx(top.objective)
