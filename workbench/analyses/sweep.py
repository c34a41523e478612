"""Scenario sweeps (``workbench sweep``): every combination of a grid of scenario keys, solved on
the executor, with each point's status and gap.

A grid argument is ``KEY=V1,V2,...``. ``KEY`` is any scenario key path (``budget.scale``,
``budget.total``, ``discount_rate``, ``risk.plan_at``, ``solver.gap``, ...) or, by role,
``capacity.ROLE`` (FTE added in every period) and ``hiring.ROLE`` (the most FTE that may be hired
for a role the scenario prices hiring for). Values are read as YAML scalars (``0.8``, ``null``,
``value``). Every point is validated before anything is solved.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field, replace

import pandas as pd
import yaml

from workbench.analyses.replan import replanned
from workbench.analyses.solve import solve
from workbench.data.planning_data import check_scenario, inputs_for
from workbench.data.portfolio import Portfolio
from workbench.data.scenario import LoadedScenario, walk_schema, with_overrides
from workbench.analyses.what_if import extra_capacity, hiring_limits, priced_hiring
from workbench.ground.errors import InputError, Problem
from workbench.ground.executor import Executor, Progress, local_executor
from workbench.ground.formatting import finite_json
from workbench.ground.limits import MAX_GRID_POINTS
from workbench.ground.status import SolveStatus, StopReason


@dataclass(frozen=True)
class GridAxis:
    """One ``--grid`` argument: the key path and its values, in the order given."""

    argument: str
    key: str
    values: tuple

    @property
    def source(self) -> str:
        return f"--grid {self.argument}"


#: keys a grid may vary: each changes the planning model (tests/test_sweep_keys.py sweeps each and
#: sees the planning data change). ROLE, PERIOD and CATEGORY stand for any role, period or category.
SWEEP_KEYS = (
    "budget.scale",
    "budget.total",
    "budget.periods.PERIOD",
    "capacity.ROLE",
    "hiring.ROLE",
    "discount_rate",
    "objective",
    "risk.plan_at",
    "balance.CATEGORY.min",
    "balance.CATEGORY.max",
    "status.as_of",
)


def check_sweep_key(key: str, source: str) -> None:
    """Refuse a key whose values would not change the model (the horizon, the portfolio, the
    solver's settings, the Monte Carlo's, names), naming the argument."""
    parts = key.split(".")
    allowed = (
        key in SWEEP_KEYS
        or (len(parts) == 3 and parts[:2] == ["budget", "periods"] and parts[2])
        or (len(parts) == 2 and parts[0] in ("capacity", "hiring") and parts[1])
        or (len(parts) == 3 and parts[0] == "balance" and parts[1] and parts[2] in ("min", "max"))
    )
    if not allowed:
        _, unknown = walk_schema(parts)
        why = (
            f"unknown key {unknown!r} (not a scenario key)"
            if unknown is not None
            else f"{key!r} cannot be swept (a sweep keeps the scenario's portfolio, horizon, names, solver and "
            "Monte Carlo settings: it varies only keys that change the planning model)"
        )
        raise InputError([Problem(source, f"{why}; sweep one of {', '.join(SWEEP_KEYS)}", column=key)])


def parse_grid(argument: str) -> GridAxis:
    """``KEY=V1,V2,...`` as a :class:`GridAxis`; a malformed argument is an :class:`InputError`."""
    key, equals, listed = argument.partition("=")
    key = key.strip()
    source = f"--grid {argument}"
    if not equals or not key or not listed.strip():
        raise InputError([Problem(source, "expected KEY=V1,V2,... (e.g. budget.scale=0.8,0.9,1.0)")])
    check_sweep_key(key, source)
    values = []
    for text in listed.split(","):
        try:
            value = yaml.safe_load(text.strip()) if text.strip() else None
        except yaml.YAMLError:
            raise InputError([Problem(source, f"{text.strip()!r} is not a value", column=key)]) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError([Problem(source, f"{text.strip()!r} is not a finite number", column=key)])
        if isinstance(value, (dict, list)):
            raise InputError(
                [Problem(source, f"{text.strip()!r}: each value must be a single number or word", column=key)]
            )
        values.append(value)
    if len(set(map(repr, values))) != len(values):
        raise InputError(
            [
                Problem(
                    source,
                    "a value is listed twice; list each once (values are separated by "
                    "commas: write 1000000, not 1,000,000)",
                    column=key,
                )
            ]
        )
    return GridAxis(argument, key, tuple(values))


def overrides_for(loaded: LoadedScenario, settings: list[tuple[GridAxis, object]]) -> dict:
    """The scenario overrides of one point: nested keys, ``capacity.ROLE`` and ``hiring.ROLE``."""
    overrides: dict = {}
    extra: dict[str, float] = {}
    limits: dict[str, float] = {}
    for axis, value in settings:
        head, _, rest = axis.key.partition(".")
        if head == "capacity" and rest:
            extra[rest] = value
        elif head == "hiring" and rest:
            if rest not in priced_hiring(loaded):
                raise InputError(
                    [
                        Problem(
                            axis.source,
                            f"the scenario prices no hiring for {rest!r}; add "
                            f"hiring: [{{role: {rest}, cost: ..., max_fte: ...}}] to it first",
                            column=axis.key,
                        )
                    ]
                )
            limits[rest] = value
        else:
            node = overrides
            parts = axis.key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise InputError([Problem(axis.source, "a key path may not run through a value", column=axis.key)])
            node[parts[-1]] = value
    overrides.update(extra_capacity(loaded, extra))
    overrides.update(hiring_limits(loaded, limits))
    return overrides


@dataclass(frozen=True)
class SweepTask:
    index: int
    values: dict
    scenario: LoadedScenario
    portfolio: Portfolio
    cores: int | None = None  # what the point's solve may take (one, beside other points)


@dataclass
class SweepPoint:
    """One point of the grid: its values and what the solve proved."""

    values: dict
    status: SolveStatus
    objective: float | None
    gap: float | None
    selected: int
    value: float
    cost: float
    conflicts: list[str] = field(default_factory=list)
    solver: str = ""  # whose plan it is
    stopped_by: StopReason | None = None  # why it did not prove its answer


@dataclass
class Sweep:
    scenario: str
    keys: list[str]
    objective_kind: str
    points: list[SweepPoint]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    **p.values,
                    "status": p.status.value,
                    "stopped_by": None if p.stopped_by is None else p.stopped_by.value,
                    "objective": p.objective,
                    "gap": p.gap,
                    "selected": p.selected,
                    "value": p.value,
                    "cost": p.cost,
                    "conflicts": "; ".join(p.conflicts),
                    "solver": p.solver,
                }
                for p in self.points
            ]
        )

    def to_json(self) -> str:
        return finite_json(
            {
                "scenario": self.scenario,
                "keys": self.keys,
                "objective_kind": self.objective_kind,
                "points": [
                    {**asdict(p), "status": p.status.value, "stopped_by": p.stopped_by and p.stopped_by.value}
                    for p in self.points
                ],
            }
        )


def sweep_tasks(loaded: LoadedScenario, portfolio: Portfolio, axes: list[GridAxis]) -> list[SweepTask]:
    """Every combination as a validated scenario; all problems are raised before any solve, each
    naming the grid argument it comes from."""
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        twice = next(k for k in keys if keys.count(k) > 1)
        raise InputError([Problem(f"--grid {twice}=...", "this key has two grids; give it one")])
    points = math.prod(len(axis.values) for axis in axes)
    if points > MAX_GRID_POINTS:
        raise InputError(
            [
                Problem(
                    " ".join(axis.source for axis in axes),
                    f"the grids make {points:,} points; a sweep has at most {MAX_GRID_POINTS:,}: give fewer values",
                )
            ]
        )
    problems: list[Problem] = []
    for axis in axes:  # each value alone first, so that a problem names the one argument it is in
        for value in axis.values:
            try:
                scenario = with_overrides(loaded, overrides_for(loaded, [(axis, value)]), axis.source)
                problems.extend(
                    Problem(axis.source, f"{axis.key}={value!r}: {p.message}", column=p.column, item=p.item)
                    for p in check_scenario(scenario, portfolio)
                )
            except InputError as exc:
                problems.extend(
                    Problem(
                        axis.source,
                        f"{axis.key}={value!r}: {p.message}" if p.source == axis.source else p.message,
                        column=p.column or axis.key,
                        item=p.item,
                    )
                    for p in exc.problems
                )
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    tasks = []
    for index, combination in enumerate(itertools.product(*(axis.values for axis in axes))):
        settings = list(zip(axes, combination))
        source = "--grid " + " ".join(f"{axis.key}={value}" for axis, value in settings)
        scenario = with_overrides(loaded, overrides_for(loaded, settings), source)
        found = check_scenario(scenario, portfolio)
        if found:
            raise InputError(found)
        tasks.append(SweepTask(index, {axis.key: value for axis, value in settings}, scenario, portfolio))
    return tasks


def solve_point(task: SweepTask) -> SweepPoint:
    """Solve one point (runs in a worker)."""
    result = solve(replanned(inputs_for(task.scenario, task.portfolio)), cores=task.cores)
    kpis = result.kpis()
    return SweepPoint(
        task.values,
        result.status,
        result.objective,
        result.gap,
        kpis["selected"],
        kpis["value"],
        kpis["cost"],
        [c.message for c in result.conflicts],
        result.solver["name"],
        result.stopped_by,
    )


def sweep(
    loaded: LoadedScenario,
    portfolio: Portfolio,
    axes: list[GridAxis],
    executor: Executor | None = None,
    progress: Progress | None = None,
    tasks: list[SweepTask] | None = None,
) -> Sweep:
    """Solve every point of the grid on ``executor`` (a local pool by default), in grid order;
    ``tasks``: the points :func:`sweep_tasks` already made of these axes (else they are made here)."""
    tasks = tasks if tasks is not None else sweep_tasks(loaded, portfolio, axes)
    made_here = executor is None
    executor = executor or local_executor()
    try:
        cores = executor.cores_per_task(len(tasks))
        points = executor.map(solve_point, [replace(task, cores=cores) for task in tasks], progress)
    finally:
        if made_here:
            executor.close()
    return Sweep(loaded.name, [axis.key for axis in axes], loaded.spec.objective.value, points)
