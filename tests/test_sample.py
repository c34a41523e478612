"""The bundled sample: loads from CSV and xlsx alike, every scenario solves and passes the checker."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from workbench.analyses.check import check_result
from workbench.data.planning_data import load_inputs
from workbench.analyses.solve import solve
from workbench.faces.export import write_tables
from workbench.data.portfolio import SCHEMA, load_portfolio

SCENARIOS = ["baseline", "budget-cut-15", "hire-data-engineers", "accelerate-regulatory"]


def public_table(portfolio, name: str) -> pd.DataFrame:
    """A table as its source has it: no internal row column, periods as labels."""
    frame = portfolio.table(name).drop(columns=["_row"], errors="ignore").copy()
    for column in SCHEMA.get(name, ()):
        if column.kind == "period" and column.name in frame:
            frame[column.name] = [None if pd.isna(v) else portfolio.horizon.label(int(v)) for v in frame[column.name]]
    return frame


def test_sample_is_a_believable_portfolio(sample_dir):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    portfolio = inputs.portfolio
    projects = portfolio.projects
    assert 50 <= len(projects) <= 70
    assert 5 <= len(portfolio.categories) <= 6
    assert len(portfolio.roles) == 8
    assert inputs.data.horizon.label(0) == "2027-01" and inputs.data.periods == 24
    assert len(portfolio.table("dependencies")) >= 10
    assert portfolio.table("exclusions")["group"].nunique() == 2
    assert projects["mandatory"].sum() >= 2
    assert (projects["status"] == "in_progress").sum() >= 2
    assert portfolio.table("demand")["offset"].notna().any()
    assert len(portfolio.table("criteria")) >= 3


def test_csv_and_xlsx_load_to_identical_data(sample_dir):
    horizon = load_inputs(sample_dir / "baseline.yaml").data.horizon
    from_csv = load_portfolio(sample_dir / "portfolio", horizon)
    from_xlsx = load_portfolio(sample_dir / "portfolio.xlsx", horizon)
    for name in from_csv.tables:
        left = public_table(from_csv, name).reset_index(drop=True)
        right = public_table(from_xlsx, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)


def test_xlsx_is_generated_from_the_csvs(tmp_path, sample_dir):
    """The committed workbook is what the conversion writes today (no drift)."""
    from workbench.data.convert import csv_folder_to_xlsx

    fresh = csv_folder_to_xlsx(sample_dir / "portfolio", tmp_path / "fresh.xlsx")
    horizon = load_inputs(sample_dir / "baseline.yaml").data.horizon
    committed = load_portfolio(sample_dir / "portfolio.xlsx", horizon)
    regenerated = load_portfolio(fresh, horizon)
    for name in committed.tables:
        pd.testing.assert_frame_equal(public_table(committed, name), public_table(regenerated, name))
    with pytest.raises(FileExistsError):
        csv_folder_to_xlsx(sample_dir / "portfolio", fresh)


@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_sample_scenarios_solve_and_pass_the_checker(sample_dir, name, solver):
    inputs = load_inputs(sample_dir / f"{name}.yaml")
    result = solve(inputs, solver=solver)
    assert result.status.value == "optimal" and result.gap == 0
    assert check_result(inputs.portfolio, inputs.scenario.spec, result) == []
    assert all(p.reason for p in result.projects)


def test_both_solvers_agree_and_results_repeat(sample_dir):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    first, second = solve(inputs, solver="cbc"), solve(inputs, solver="cbc")
    assert [(p.id, p.start) for p in first.projects] == [(p.id, p.start) for p in second.projects]
    assert solve(inputs, solver="highs").objective == pytest.approx(first.objective, rel=1e-9)


def test_infeasible_sample_is_explained(sample_dir):
    result = solve(load_inputs(sample_dir / "dora-deadline.yaml"))
    assert result.status.value == "infeasible"
    messages = " ".join(c.message for c in result.conflicts)
    assert "REG-05" in messages and "PLT-04" in messages


def test_cli_json_is_one_object_and_exit_codes(sample_dir, tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.faces.cli",
            "solve",
            str(sample_dir / "baseline.yaml"),
            "--json",
            "--solver",
            "highs",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0
    data = json.loads(run.stdout)  # the whole of stdout is one JSON object
    assert data["status"] == "optimal" and data["gap"] == 0
    assert data["objective"] == pytest.approx(sum(p["value"] for p in data["projects"] if p["selected"]))
    assert {"scenario", "solver", "projects", "capacity", "budget", "conflicts"} <= set(data)
    assert {"id", "selected", "start", "finish", "reason"} <= set(data["projects"][0])
    run = subprocess.run(
        [sys.executable, "-m", "workbench.faces.cli", "solve", str(sample_dir / "dora-deadline.yaml"), "--json"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 3
    assert json.loads(run.stdout)["conflicts"]


def test_out_writes_new_folders_and_never_overwrites(sample_dir, tmp_path):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    result = solve(inputs)
    first = write_tables(result, tmp_path)
    second = write_tables(result, tmp_path)
    assert first != second and first.parent == second.parent == tmp_path / "baseline"
    for folder in (first, second):
        assert {p.name for p in folder.iterdir()} == {
            "projects.csv",
            "capacity.csv",
            "budget.csv",
            "conflicts.csv",
            "summary.csv",
            "result.json",
        }
    summary = pd.read_csv(first / "summary.csv")
    assert summary.loc[0, "provenance.data_sha256"] == inputs.portfolio.data_hash
    assert not [p for p in (tmp_path / "baseline").iterdir() if p.name.startswith(".partial")]


def test_extra_columns_are_carried_through(sample_dir, tmp_path):
    inputs = load_inputs(sample_dir / "baseline.yaml")
    result = solve(inputs, solver="highs")
    projects = result.frames()["projects"].set_index("id")
    assert "sponsor" in projects.columns and "score_urgency" in projects.columns
    source = inputs.portfolio.projects.set_index("id")
    assert (projects["sponsor"] == source.loc[projects.index, "sponsor"]).all()
    folder = write_tables(result, tmp_path)
    assert "sponsor" in pd.read_csv(folder / "projects.csv").columns
