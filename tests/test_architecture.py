"""The house's floors hold: the import-linter contract passes on the package, and each of its
rules catches a planted violation (an import up a floor, a circle on one floor, the checker
reaching into the model)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

LINT = Path(sys.executable).parent / "lint-imports"


def lint(package_parent: Path, config: Path) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(package_parent))
    return subprocess.run([str(LINT), "--config", str(config), "--no-cache"], cwd=package_parent,
                          capture_output=True, text=True, env=environment, timeout=120)


def test_the_package_keeps_every_contract():
    outcome = lint(ROOT, ROOT / "pyproject.toml")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "0 broken" in outcome.stdout


@pytest.mark.parametrize("module, planted, contract", [
    ("ground/periods.py", "import workbench.faces.views", "Floors"),
    ("data/scenario.py", "import workbench.model.formulation", "Floors"),
    ("analyses/reasons.py", "import workbench.analyses.prices", "No circles"),
    ("analyses/check.py", "import workbench.data.planning_data", "independent checker"),
    ("planning/result.py", "import pulp", "PuLP lives in the model floor"),
])
def test_a_planted_violation_breaks_its_contract(tmp_path, module, planted, contract):
    shutil.copytree(ROOT / "workbench", tmp_path / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "workbench" / module
    target.write_text(target.read_text() + f"\n{planted}  # planted\n")
    outcome = lint(tmp_path, tmp_path / "pyproject.toml")
    assert outcome.returncode != 0
    broken = [line for line in outcome.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), outcome.stdout
