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
    return subprocess.run(
        [str(LINT), "--config", str(config), "--no-cache"],
        cwd=package_parent,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_the_package_keeps_every_contract():
    outcome = lint(ROOT, ROOT / "pyproject.toml")
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "0 broken" in outcome.stdout


@pytest.mark.parametrize(
    "module, planted, contract",
    [
        ("ground/periods.py", "import workbench.faces.views", "Floors"),
        ("data/scenario.py", "import workbench.model.formulation", "Floors"),
        ("analyses/reasons.py", "import workbench.analyses.prices", "No circles"),
        ("analyses/check.py", "import workbench.data.planning_data", "independent checker"),
        ("planning/result.py", "import pulp", "PuLP lives in the model floor"),
    ],
)
def test_a_planted_violation_breaks_its_contract(tmp_path, module, planted, contract):
    shutil.copytree(ROOT / "workbench", tmp_path / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "workbench" / module
    target.write_text(target.read_text() + f"\n{planted}  # planted\n")
    outcome = lint(tmp_path, tmp_path / "pyproject.toml")
    assert outcome.returncode != 0
    broken = [line for line in outcome.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), outcome.stdout


def _documented_rooms(text: str) -> set[str]:
    """'floor/module' of every row of docs/architecture.md's table of rooms."""
    import re

    rooms, floor = set(), None
    for line in text.splitlines():
        match = re.match(r"^\|\s*(\w*)\s*\|\s*`(\w+)`\s*\|", line)
        if match:
            floor = match.group(1) or floor
            rooms.add(f"{floor}/{match.group(2)}")
    return rooms


def _drawn_rooms(text: str) -> set[str]:
    """'floor/module' of every name in the drawing of the floors (continuation lines included)."""
    import re

    drawing = text.split("```")[1]
    rooms, floor = set(), None
    for line in drawing.splitlines():
        match = re.match(r"^\s*(\d)\s+(\w+)\s+(.*)$", line)
        names = line
        if match:
            floor, names = match.group(2), match.group(3)
        names = names.split("(")[0]
        rooms |= {f"{floor}/{name}" for name in names.split() if floor}
    return rooms


def test_the_architecture_document_names_every_module_and_only_modules_that_exist():
    """docs/architecture.md held against the code: the drawing and the table of rooms name each
    module of each floor, and nothing that is not one."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    modules = {
        f"{path.parent.name}/{path.stem}" for path in (ROOT / "workbench").glob("*/*.py") if path.stem != "__init__"
    }
    assert _documented_rooms(text) == modules
    assert _drawn_rooms(text) == modules


def test_every_name_the_architecture_document_gives_a_module_is_defined_there():
    """A class or function named in a room's row (`RelaxationKind`, `find_plan`) is defined in that
    module, or imported into it from the floor it lives on."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text()
    floor, missing = None, []
    for line in text.splitlines():
        match = re.match(r"^\|\s*(\w*)\s*\|\s*`(\w+)`\s*\|(.*)\|\s*$", line)
        if not match:
            continue
        floor = match.group(1) or floor
        source = (ROOT / "workbench" / floor / f"{match.group(2)}.py").read_text()
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", match.group(3)):
            if not (name[0].isupper() or "_" in name):  # a word in quotes, not a code name
                continue
            if not re.search(rf"^(class|def) {name}\b|^{name}\s*[:=]|^\s+def {name}\b", source, re.MULTILINE):
                missing.append(f"{floor}/{match.group(2)}: {name}")
    assert missing == []
