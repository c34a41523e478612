from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from workbench.analyses.check import assert_checked
from workbench.planning.runs import observe_plans

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
SAMPLE = ROOT / "scenarios" / "sample"

# child processes (CLI runs, notebook kernels) check their plans too: checked_site/sitecustomize.py
_CHECKED_SITE = str(Path(__file__).resolve().parent / "checked_site")
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_CHECKED_SITE, os.environ.get("PYTHONPATH")) if p)


@pytest.fixture(autouse=True)
def every_plan_is_checked():
    """Every plan solved in a test, for a scenario or a variant of one (explain, frontier, the
    app), passes the independent checker, or the solve raises."""
    unregister = observe_plans(assert_checked)
    yield
    unregister()


def shared_benchmarks() -> Path | None:
    """../shared/benchmarks beside the checkout (CI lays a copy there)."""
    for candidate in (ROOT.parent / "shared" / "benchmarks", ROOT / "shared" / "benchmarks"):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
