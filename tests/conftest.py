from __future__ import annotations

import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
SAMPLE = ROOT / "scenarios" / "sample"


def shared_benchmarks() -> Path | None:
    """../shared/benchmarks beside the checkout (CI lays a copy there)."""
    for candidate in (ROOT.parent / "shared" / "benchmarks", ROOT / "shared" / "benchmarks"):
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
