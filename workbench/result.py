"""The result of one solve, as a typed object, JSON and CSV tables."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from workbench.status import SolveStatus


@dataclass
class ProjectOutcome:
    id: str
    name: str
    category: str | None
    selected: bool
    start: str | None
    finish: str | None
    value: float
    cost: float
    commitment: str
    reason: str
    reason_kind: str | None = None  # a workbench.reasons.ReasonKind value; None when there is no plan
    start_index: int | None = None
    contribution: float = 0.0
    extra: dict = field(default_factory=dict)  # the portfolio's own extra columns, carried through


@dataclass
class Conflict:
    """A constraint that had to be relaxed for any plan to exist."""

    kind: str
    message: str
    amount: float
    period: str | None = None
    role: str | None = None
    project: str | None = None
    category: str | None = None


@dataclass
class Result:
    """Everything ``workbench solve`` reports. Numbers are unrounded."""

    scenario: str
    status: SolveStatus
    objective: float | None
    objective_kind: str
    gap: float | None
    bound: float | None
    solver: dict
    projects: list[ProjectOutcome]
    capacity: list[dict]
    budget: list[dict]
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)

    @property
    def has_plan(self) -> bool:
        return self.status.has_plan

    @property
    def selected(self) -> list[ProjectOutcome]:
        return [p for p in self.projects if p.selected]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["status"] = self.status.value
        return _finite(data)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "projects": pd.DataFrame([{**{k: v for k, v in asdict(p).items() if k != "extra"}, **p.extra}
                                      for p in self.projects]),
            "capacity": pd.DataFrame(self.capacity, columns=["role", "period", "demand", "capacity", "hired"]),
            "budget": pd.DataFrame(self.budget, columns=["period", "spend", "budget"]),
            "conflicts": pd.DataFrame([asdict(c) for c in self.conflicts],
                                      columns=["kind", "message", "amount", "period", "role", "project", "category"]),
        }

    def summary_frame(self) -> pd.DataFrame:
        rows = {"scenario": self.scenario, "status": self.status.value, "objective": self.objective,
                "objective_kind": self.objective_kind, "gap": self.gap, "solver": self.solver.get("name"),
                "seconds": self.solver.get("seconds"), "selected": len(self.selected),
                "cost": sum(p.cost for p in self.selected), "value": sum(p.value for p in self.selected)}
        rows.update({f"provenance.{k}": json.dumps(v) if isinstance(v, (dict, list)) else v
                     for k, v in self.provenance.items()})
        return pd.DataFrame([rows])

    def write_tables(self, out_dir: str | Path) -> Path:
        """Write CSV tables into a new folder ``out_dir/<scenario>/<timestamp>/``.

        The folder is filled under a temporary name and renamed into place, so it is either
        complete or absent; an existing folder is never overwritten.
        """
        parent = Path(out_dir) / safe_name(self.scenario)
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=parent))
        try:
            self.write_tables_into(staging)
            target = new_run_folder(parent)
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target


    def write_tables_into(self, folder: Path, xlsx: bool = False) -> None:
        """CSV tables (and optionally one workbook) with formula-like text neutralised."""
        from workbench.export import neutralise_frame

        frames = {"summary": self.summary_frame(), **self.frames()}
        for name, frame in frames.items():
            neutralise_frame(frame).to_csv(folder / f"{name}.csv", index=False)
        (folder / "result.json").write_text(self.to_json(), encoding="utf-8")
        if xlsx:
            with pd.ExcelWriter(folder / "result.xlsx", engine="openpyxl") as writer:
                for name, frame in frames.items():
                    neutralise_frame(frame).to_excel(writer, sheet_name=name, index=False)


def new_run_folder(parent: Path) -> Path:
    """A timestamped path under ``parent`` that does not exist yet."""
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    candidate = parent / stamp
    number = 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{stamp}-{number}"
    return candidate


def safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "scenario"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("portfolio-workbench", "pulp", "highspy", "pandas", "numpy", "pydantic"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions
