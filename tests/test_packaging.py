"""Installed as users install it: the notebooks and the sample travel with the package and are
found through importlib.resources; `workbench init` makes a working folder and never overwrites;
one list of dependencies (environment.yml is generated from pyproject.toml); the notebooks are
what scripts/make_notebooks.py writes. The wheel itself, installed outside the checkout, is
checked by scripts/wheel_check.sh (make test runs it)."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
import yaml
from conftest import ROOT

from workbench.analyses.solve import solve
from workbench.data.planning_data import load_inputs
from workbench.faces import packaged
from workbench.faces.cli import main
from workbench.faces.workspace import EMPTY_TABLES, init_workspace
from workbench.ground.errors import InputError


def test_the_package_carries_the_notebooks_the_sample_and_the_format():
    for name in ("portfolio_report", "scenario_comparison", "status_report", "explore", "workshop"):
        assert packaged.notebook(f"{name}.ipynb").is_file()
    assert packaged.sample_scenario().is_file() and (packaged.sample_folder() / "portfolio" / "projects.csv").is_file()
    assert "### `projects` (required)" in packaged.packaged_file("portfolio-format.md").read_text(encoding="utf-8")
    # what pyproject.toml puts in the wheel covers each of them
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert {"notebooks/*.ipynb", "sample/*.yaml", "sample/portfolio/*.csv", "portfolio-format.md"} <= set(
        data["workbench"]
    )


def test_init_with_the_sample_makes_a_folder_that_solves_and_never_overwrites(tmp_path, capsys):
    folder = tmp_path / "pmo"
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"workbench validate {folder / 'baseline.yaml'}" in out and "workbench report" in out
    result = solve(load_inputs(folder / "baseline.yaml"), solver="highs")
    assert result.objective == pytest.approx(solve(load_inputs(packaged.sample_scenario()), solver="highs").objective)
    edited = folder / "portfolio" / "projects.csv"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert main(["init", str(folder)]) == 2  # every file that exists is named; nothing is written
    assert "exists already" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_init_empty_gives_documented_tables_with_one_valid_example_row_each(tmp_path):
    written = init_workspace(tmp_path / "mine", sample=False)
    names = {p.relative_to(tmp_path / "mine").as_posix() for p in written}
    assert names == {"README.md", "baseline.yaml", *(f"portfolio/{name}" for name in EMPTY_TABLES)}
    readme = (tmp_path / "mine" / "README.md").read_text(encoding="utf-8")
    for name, text in EMPTY_TABLES.items():
        header, example, *rest = text.splitlines()
        assert example and not rest  # a header and one example row
        for column in header.split(","):
            assert f"`{column}`" in readme, (name, column)  # every column documented
    inputs = load_inputs(tmp_path / "mine" / "baseline.yaml")
    assert yaml.safe_load((tmp_path / "mine" / "baseline.yaml").read_text())["portfolio"] == "portfolio"
    assert solve(inputs, solver="highs").has_plan


def test_init_refuses_a_file_as_its_folder(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("mine")
    with pytest.raises(InputError, match="is a file"):
        init_workspace(target)
    assert target.read_text() == "mine"


def test_version(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out.strip().startswith("workbench ")


@pytest.mark.parametrize("script", ["environment_yml.py", "make_notebooks.py"])
def test_generated_files_match_their_source(script):
    """environment.yml lists pyproject.toml's dependencies; the notebooks are the generator's."""
    outcome = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert outcome.returncode == 0, outcome.stderr


def test_environment_yml_lists_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = {
        line.strip()[2:].split(">")[0].split("<")[0].split("=")[0]
        for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
        if line.startswith("  - ")
    }
    wanted = {
        r.split("[")[0].split(">")[0].split("<")[0].split("=")[0]
        for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    }
    assert wanted <= listed and {"python", "distributed"} <= listed
