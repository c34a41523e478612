"""Scenarios: YAML files validated by a pydantic schema, with ``extends`` inheritance.

A scenario names a portfolio and a horizon and, optionally, what to change: budget scale and
overrides, capacity adjustments, hiring, forced projects, category balance, objective, solver.
``extends: base.yaml`` deep-merges this file over the base (mappings merge key by key, any
other value replaces); every override is logged in :attr:`LoadedScenario.changes`. Paths are
relative to the file that states them. YAML is loaded safely: tags that would build Python
objects are refused, and a key set twice in one mapping is an error.
"""

from __future__ import annotations

import copy
import math

import datetime as dt
import json
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from workbench.ground.errors import InputError, Problem
from workbench.ground.status import SOLVER_NAMES
from workbench.ground.limits import (
    MAX_FTE,
    MAX_MONEY,
    MAX_PERIODS,
    MAX_SAMPLES,
    MAX_SECONDS,
    MAX_SEED,
    MAX_TOTAL_MONEY,
    MAX_WORKERS,
)
from workbench.ground.periods import Granularity, Horizon, format_period, label_or_date, parse_period


class Objective(StrEnum):
    VALUE = "value"
    SCORE = "score"
    RISK_ADJUSTED_VALUE = "risk_adjusted_value"


class _Strict(BaseModel):
    # numbers must be finite: inf or nan in a scenario is refused, naming the key
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_a_number(cls, value: Any, info) -> Any:
        """true is not a number: YAML's true where a number belongs is refused, not read as 1."""
        annotation = str(cls.model_fields[info.field_name].annotation)
        if isinstance(value, bool) and ("float" in annotation or "int" in annotation):
            raise ValueError(f"{value} is not a number")
        return value


def _period_text(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return value


class HorizonSpec(_Strict):
    """Planning horizon."""

    start: str = Field(description="First period label, e.g. 2027-01 (month) or 2027Q1 (quarter).")
    periods: int = Field(ge=1, le=MAX_PERIODS, strict=True, description="Number of periods.")
    granularity: Granularity = Granularity.MONTH

    _coerce_start = field_validator("start", mode="before")(_period_text)

    @model_validator(mode="after")
    def _start_is_a_period(self) -> HorizonSpec:
        parse_period(label_or_date(self.start), self.granularity)  # a ValueError names the expected form
        return self

    def to_horizon(self) -> Horizon:
        # normalise a date on a period's first day to the label
        absolute = parse_period(label_or_date(self.start), self.granularity)
        return Horizon(format_period(absolute, self.granularity), self.periods, self.granularity)


class BudgetSpec(_Strict):
    """Budget changes: ``scale`` multiplies every period's budget; ``periods`` sets a
    period's budget outright (not scaled); ``total`` caps spending over the horizon."""

    scale: float = Field(1.0, ge=0, le=1000)
    total: float | None = Field(None, ge=0, le=MAX_TOTAL_MONEY)
    periods: dict[str, float] = Field(default_factory=dict)

    @field_validator("periods", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(_period_text(k)): v for k, v in value.items()}
        return value

    @field_validator("periods")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        for key, amount in value.items():
            if amount < 0:
                raise ValueError(f"budget for {key} is negative ({amount})")
            if not math.isfinite(amount) or amount > MAX_MONEY:
                raise ValueError(f"budget for {key} ({amount}) must be a finite amount of at most {MAX_MONEY:g}")
        return value


class CapacityAdjustment(_Strict):
    """Add ``delta`` FTE (negative to remove) to a role from ``from`` until ``until`` (inclusive).

    Adjustments apply in the order listed, each to what the one before left; a cut below 0 FTE
    leaves 0, and a later addition adds to that."""

    role: str
    delta: float = Field(ge=-MAX_FTE, le=MAX_FTE)
    from_: str | None = Field(None, alias="from")
    until: str | None = None

    _coerce = field_validator("from_", "until", mode="before")(_period_text)


class HiringSpec(_Strict):
    """Extra capacity that may be bought: up to ``max_fte`` per period at ``cost`` per FTE-period."""

    role: str
    cost: float = Field(ge=0, le=MAX_MONEY, description="Cost of one FTE for one period.")
    max_fte: float = Field(gt=0, le=MAX_FTE, description="Most FTE that may be hired in any one period.")


class BalanceSpec(_Strict):
    """Share of total selected cost a category must have (fractions 0..1)."""

    min: float = Field(0.0, ge=0, le=1)
    max: float = Field(1.0, ge=0, le=1)


def _core_count(description: str) -> Any:
    """An optional whole number of cores, 1 to MAX_WORKERS."""
    return Field(None, ge=1, le=MAX_WORKERS, strict=True, description=description)


class SolverSpec(_Strict):
    name: Literal[SOLVER_NAMES] = Field(
        "auto",
        description=(
            "auto races CBC and HiGHS on the same model and keeps the better plan with the better bound; "
            "cbc or highs runs that one alone."
        ),
    )
    time_limit: float | None = Field(
        None, gt=0, le=MAX_SECONDS, description="Seconds for all solver work of one command."
    )
    gap: float = Field(0.0, ge=0, le=1, description="Relative gap at which to stop; 0 proves the optimum.")
    threads: int | None = _core_count(
        "CBC's threads; unset runs CBC serially (without its threaded search). HiGHS always runs on "
        "every core but one (docs/model.md)."
    )
    cores: Literal[1] | None = Field(
        None,
        description="1: a solve takes one core (auto runs CBC alone and searches no further), as each solve "
        "fanned out beside others does; unset: every core (auto races CBC and HiGHS, then searches on every core).",
    )


class AHPSpec(_Strict):
    """Pairwise comparison of criteria: matrix[i][j] = how much more important i is than j."""

    criteria: list[str]
    matrix: list[list[float]]


class RagSpec(_Strict):
    """RAG thresholds on the lower of CPI and SPI(t): green at or above ``green_at``, red below
    ``red_below``, amber between."""

    green_at: float = Field(0.95, gt=0, le=100)
    red_below: float = Field(0.90, gt=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RagSpec:
        if self.red_below > self.green_at:
            raise ValueError(
                f"red_below ({self.red_below:g}) is above green_at ({self.green_at:g}); green is at "
                "or above green_at, red below red_below, so red_below must not exceed green_at "
                "(e.g. green_at: 0.95, red_below: 0.90)"
            )
        return self


class StatusSpec(_Strict):
    """Status tracking: the status date (a period label) and the RAG thresholds."""

    as_of: str | None = Field(None, description="Status period, e.g. 2027-06; --as-of overrides it.")
    rag: RagSpec = Field(default_factory=RagSpec)

    _coerce = field_validator("as_of", mode="before")(_period_text)


class RiskSpec(_Strict):
    """Monte Carlo of the plan (docs/risk.md): samples, the seed every number follows from, and the
    common correlation of the projects' cost factors (a Gaussian copula), and the confidence level
    a plan is made at."""

    samples: int = Field(10_000, ge=1, le=MAX_SAMPLES, strict=True)
    seed: int = Field(1, ge=0, le=MAX_SEED, strict=True)
    correlation: float = Field(0.0, ge=0, le=1)
    plan_at: float | None = Field(
        None,
        ge=0.01,
        le=0.99,
        description=(
            "Plan with each project's cost and duration at this quantile of its range (0.8: P80) "
            "instead of the planned figures; null plans with the planned figures."
        ),
    )


class Scenario(_Strict):
    """A planning scenario (the schema behind ``workbench schema``)."""

    extends: str | None = Field(None, description="Base scenario file this one deep-merges over.")
    name: str | None = None
    description: str = ""
    portfolio: str = Field(description="Folder of CSV files or .xlsx workbook, relative to this file.")
    horizon: HorizonSpec
    objective: Objective = Objective.VALUE
    discount_rate: float = Field(
        0.0, ge=0, le=10, description="Yearly rate r: value counts x (1+r)^(-t/periods_per_year)."
    )
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    capacity: list[CapacityAdjustment] = Field(default_factory=list)
    hiring: list[HiringSpec] = Field(default_factory=list)
    force_in: list[str] = Field(default_factory=list)
    force_out: list[str] = Field(default_factory=list)
    balance: dict[str, BalanceSpec] = Field(default_factory=dict)
    solver: SolverSpec = Field(default_factory=SolverSpec)
    ahp: AHPSpec | None = None
    status: StatusSpec = Field(default_factory=StatusSpec)
    risk: RiskSpec = Field(default_factory=RiskSpec)

    @field_validator("force_in", "force_out", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) for v in value]
        return value


@dataclass
class LoadedScenario:
    """A scenario after ``extends`` is resolved.

    Attributes
    ----------
    spec : Scenario
        The validated, merged scenario.
    path : Path
        The file that was loaded.
    portfolio_path : Path
        The portfolio location, absolute.
    resolved : dict
        The merged mapping (what the report shows as "the scenario as resolved").
    changes : list of str
        Every value an ``extends`` child overrode, in the order applied.
    files : list of Path
        The chain of files, base first.
    """

    spec: Scenario
    path: Path
    portfolio_path: Path
    resolved: dict
    changes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    nodes: list = field(default_factory=list, repr=False)

    def locate(self, loc: tuple) -> tuple[str, int | None]:
        """The file that last sets the key at ``loc``, and its line."""
        for file_path, node in reversed(self.nodes):
            line = _line_of(node, loc)
            if line is not None:
                return str(file_path), line
        return str(self.path), None

    def problem(self, loc: tuple, message: str, item: str | None = None) -> Problem:
        source, line = self.locate(loc)
        return Problem(source, message, row=line, column=key_path(loc), item=item)

    @property
    def name(self) -> str:
        return self.spec.name or self.path.stem

    @property
    def horizon(self) -> Horizon:
        return self.spec.horizon.to_horizon()


# ----------------------------------------------------------------------------- YAML
class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key set twice in one mapping."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(
                    None,
                    None,
                    f"key {key!r} is set twice in one mapping (first on line {seen[key] + 1}); keep one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


#: a scenario file is a few hundred lines; past this it is refused before it is read
MAX_SCENARIO_BYTES = 1024 * 1024


def _read_yaml(path: Path) -> tuple[dict, yaml.Node | None]:
    source = str(path)
    if not path.exists():
        raise InputError([Problem(source, "scenario file does not exist")])
    if not path.is_file():  # a folder, a device, a pipe: nothing to read, or never an end to it
        raise InputError([Problem(source, "is not a scenario file (a folder or a special file); give a .yaml file")])
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise InputError(
            [
                Problem(
                    source,
                    f"is {path.stat().st_size:,} bytes; a scenario file may be at most {MAX_SCENARIO_BYTES:,} bytes",
                )
            ]
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(source, "is not UTF-8 text; save it as UTF-8")]) from None
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):  # an alias can repeat a part without end ("billion laughs")
                raise InputError(
                    [
                        Problem(
                            source,
                            "uses a YAML alias (*name); scenario files may not repeat parts "
                            "by anchors and aliases: write the values out, or use extends",
                            row=event.start_mark.line + 1,
                        )
                    ]
                )
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = getattr(exc, "problem", "") or ""
        raise InputError(
            [
                Problem(
                    source,
                    f"refused: {tag}; scenario files may hold only plain data "
                    "(mappings, lists, text, numbers), no tags that build Python objects",
                    row=line,
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError([Problem(source, f"invalid YAML: {exc.problem}", row=line)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(source, "must be a mapping of keys (portfolio, horizon, ...)", row=1)])
    return data, node


def key_path(loc: tuple) -> str:
    """('capacity', 0, 'role') -> 'capacity[0].role'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            part = "from" if part == "from_" else str(part)
            text += f".{part}" if text else part
    return text


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Line (1-based) of the deepest node along a pydantic error location."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == part or (part == "from_" and key_node.value == "from"):
                    line, node = key_node.start_mark.line + 1, value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def deep_merge(base: dict, override: dict, source: str, changes: list[str], prefix: str = "") -> dict:
    """Mappings merge key by key; anything else in ``override`` replaces. Logs each change."""
    merged = dict(base)
    for key, value in override.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = deep_merge(base[key], value, source, changes, path + ".")
        else:
            if key in base:
                changes.append(f"{path}: {base[key]!r} -> {value!r} (set in {source})")
            else:
                changes.append(f"{path}: set to {value!r} (in {source})")
            merged[key] = value
    return merged


def _merge_extends(
    path: Path, chain: list[Path], changes: list[str]
) -> tuple[dict, list[tuple[Path, yaml.Node | None]]]:
    path = path.resolve()
    if path in chain:
        names = " -> ".join(p.name for p in [*chain, path])
        raise InputError([Problem(str(chain[-1]), f"'extends' forms a cycle: {names}", column="extends")])
    data, node = _read_yaml(path)
    if "portfolio" in data and isinstance(data["portfolio"], str):
        data["portfolio"] = str((path.parent / data["portfolio"]).resolve())
    parent = data.pop("extends", None)
    if parent is None:
        return data, [(path, node)]
    if not isinstance(parent, str):
        raise InputError(
            [Problem(str(path), "'extends' must be a file name", column="extends", row=_line_of(node, ("extends",)))]
        )
    base, nodes = _merge_extends(path.parent / parent, [*chain, path], changes)
    return deep_merge(base, data, path.name, changes), [*nodes, (path, node)]


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, merge and validate a scenario file.

    Raises
    ------
    InputError
        Unreadable or unsafe YAML (with its line), a key set twice, an unknown key, a value of
        the wrong type: every problem found, with the line where the value was set.
    """
    path = Path(path)
    changes: list[str] = []
    merged, nodes = _merge_extends(path, [], changes)

    def locate(loc: tuple) -> tuple[str, int | None]:
        # the last file that sets the key is the one to change
        for file_path, node in reversed(nodes):
            line = _line_of(node, loc)
            if line is not None:
                return str(file_path), line
        return str(path), None

    spec = _validated(merged, locate)
    if spec.name is None:
        spec.name = path.stem
    portfolio_path = Path(spec.portfolio)
    return LoadedScenario(spec, path, portfolio_path, merged, changes, [p for p, _ in nodes], nodes)


def _validated(merged: dict, locate) -> Scenario:
    """The scenario of a merged mapping; every schema problem located by ``locate(loc)``, which
    returns the source to change and its line."""
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            source, line = locate(loc)
            dotted = key_path(loc)
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}; allowed here: {_allowed_keys(loc)}"
            elif "input" in error and error["type"] != "missing":
                message = f"{message} (got {error['input']!r})"
            problems.append(Problem(source, message, row=line, column=dotted or None))
        raise InputError(problems) from None


def with_overrides(loaded: LoadedScenario, overrides: dict, source: str, locate=None) -> LoadedScenario:
    """``loaded`` with ``overrides`` merged over it as one more ``extends`` level would be: the
    changes logged as set in ``source``, the result validated. A problem names ``source`` (or
    what ``locate(loc)`` returns: the source to change and its line)."""
    changes = list(loaded.changes)
    merged = deep_merge(copy.deepcopy(loaded.resolved), overrides, source, changes)
    spec = _validated(merged, locate or (lambda loc: (source, None)))
    spec.name = loaded.name
    return LoadedScenario(
        spec, loaded.path, loaded.portfolio_path, merged, changes, list(loaded.files), list(loaded.nodes)
    )


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The schema model a field holds (itself, optional, in a list, or as a mapping's values), and
    whether a key of the user's (a category, a period) comes before it: the field is a mapping."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    for argument in typing.get_args(annotation):
        model, _ = _model_of(argument)
        if model is not None:
            return model, typing.get_origin(annotation) is dict
    return None, False


def walk_schema(path: tuple | list) -> tuple[type[BaseModel] | None, str | None]:
    """Follow a key path (``("balance", "growth", "min")``, list indices allowed) through the
    scenario schema: the model it ends in (``None`` past a plain value) and the first part the
    schema does not have (``None`` when it has them all)."""
    model: type[BaseModel] | None = Scenario
    key_next = False
    for part in path:
        if isinstance(part, int) or key_next:
            key_next = False
            continue
        if model is None:
            return None, None  # below a plain value (a mapping of numbers): the value's business
        fields = dict(model.model_fields) | {f.alias: f for f in model.model_fields.values() if f.alias}
        if str(part) not in fields:
            return model, str(part)
        model, key_next = _model_of(fields[str(part)].annotation)
    return model, None


def _allowed_keys(loc: tuple) -> str:
    model, _ = walk_schema(loc[:-1])
    if model is None:
        return "see 'workbench schema'"
    return ", ".join(field.alias or name for name, field in model.model_fields.items())


def json_schema() -> str:
    """The scenario schema as JSON Schema (for editor completion)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Portfolio Workbench scenario"
    return json.dumps(schema, indent=2)
