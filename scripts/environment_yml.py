"""Write environment.yml from pyproject.toml: one list of dependencies, kept in pyproject.toml.

python scripts/environment_yml.py          # rewrite environment.yml
python scripts/environment_yml.py --check  # exit 1 when environment.yml differs (the tests do this)
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = """\
# Generated from pyproject.toml by scripts/environment_yml.py: edit pyproject.toml, then run it.
# conda env create -f environment.yml && conda activate portfolio-workbench && pip install -e . --no-deps
name: portfolio-workbench
channels:
  - conda-forge
dependencies:
"""


def conda_name(requirement: str) -> str:
    """A pip requirement as conda-forge spells it: extras dropped (dask's distributed is its own
    package there, so ``dask[distributed]`` is both)."""
    name, extras, version = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?(.*)$", requirement.strip()).groups()
    return f"{name}{version}"


def environment_yml() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    lines = [f"  - python{project['requires-python']}"]
    for requirement in requirements:
        lines.append(f"  - {conda_name(requirement)}")
        if requirement.startswith("dask[distributed]"):
            lines.append(f"  - distributed{requirement[len('dask[distributed]') :]}")
    return HEADER + "\n".join(lines) + "\n  - pip\n"


def main() -> int:
    text, target = environment_yml(), ROOT / "environment.yml"
    if "--check" in sys.argv:
        if target.read_text(encoding="utf-8") != text:
            print("environment.yml differs from pyproject.toml: run python scripts/environment_yml.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
