"""A sweep varies only keys that change the planning model: each allowed key, given two values,
gives two different planning data; every other key is refused before any solve."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SAMPLE

from workbench.analyses.replan import replanned
from workbench.analyses.sweep import SWEEP_KEYS, parse_grid, sweep_tasks
from workbench.data.planning_data import inputs_for, load_inputs
from workbench.ground.errors import InputError

# each allowed key (ROLE, PERIOD, CATEGORY filled in), two of its values, and a scenario where it matters
CASES = {
    "budget.scale": ("baseline", "budget.scale=0.8,1.2"),
    "budget.total": ("baseline", "budget.total=5000000,9000000"),
    "budget.periods.PERIOD": ("baseline", "budget.periods.2027-03=100000,900000"),
    "capacity.ROLE": ("baseline", "capacity.data_engineer=0,2"),
    "hiring.ROLE": ("hire-data-engineers", "hiring.data_engineer=1,3"),
    "discount_rate": ("baseline", "discount_rate=0,0.1"),
    "objective": ("baseline", "objective=value,score"),
    "risk.plan_at": ("baseline", "risk.plan_at=0.5,0.9"),
    "balance.CATEGORY.min": ("baseline", "balance.regulatory.min=0.1,0.4"),
    "balance.CATEGORY.max": ("baseline", "balance.regulatory.max=0.5,0.9"),
    "status.as_of": ("replan-2027-06", "status.as_of=2027-06,2027-09"),
}


def _fingerprint(data) -> tuple:
    """What the model is built from, as comparable values."""

    def frame(f: pd.DataFrame) -> str:
        return f.round(9).to_csv(index=True)

    return (
        frame(data.capacity),
        tuple(data.budget),
        data.budget_total,
        tuple(sorted(data.hiring.items())),
        frame(data.start_options),
        frame(data.costs),
        frame(data.demand),
        tuple(sorted(data.balance.items())),
        frame(data.projects),
        data.status_period,
    )


def test_every_allowed_key_has_a_case():
    assert set(CASES) == set(SWEEP_KEYS)


@pytest.mark.parametrize("key", sorted(CASES))
def test_each_allowed_sweep_key_changes_the_planning_model(key):
    scenario, grid = CASES[key]
    inputs = load_inputs(SAMPLE / f"{scenario}.yaml")
    loaded = inputs.estimates if inputs.estimates is not None else inputs.portfolio
    tasks = sweep_tasks(inputs.scenario, loaded, [parse_grid(grid)])
    first, second = (replanned(inputs_for(task.scenario, task.portfolio)).data for task in tasks)
    assert _fingerprint(first) != _fingerprint(second), grid


@pytest.mark.parametrize(
    "grid",
    [
        "horizon.periods=12,24",
        "horizon.start=2027-01,2027-02",
        "portfolio=a,b",
        "extends=a,b",
        "name=a,b",
        "description=a,b",
        "solver.name=cbc,highs",
        "solver.time_limit=1,2",
        "risk.samples=10,20",
        "risk.seed=1,2",
        "status.rag.green_at=0.9,0.95",
    ],
)
def test_a_key_that_changes_nothing_is_refused(grid):
    with pytest.raises(InputError) as error:
        parse_grid(grid)
    assert f"--grid {grid}" in str(error.value)
