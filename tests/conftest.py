from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
SAMPLE = ROOT / "scenarios" / "sample"

# every solve in the suite (here, in CLI subprocesses and in notebook kernels, which inherit the
# environment) passes its result through the independent checker, failing loudly on a violation
os.environ["WORKBENCH_CHECK"] = "1"


def shared_benchmarks() -> Path | None:
    """../shared/benchmarks beside the checkout (CI lays a copy there)."""
    for candidate in (ROOT.parent / "shared" / "benchmarks", ROOT / "shared" / "benchmarks"):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
