"""Files the package carries: the notebooks the reports, the lab and the workshop run, and the
sample portfolio with its scenarios. Found through importlib.resources, so that they are where
the package is installed (a wheel in site-packages, or this checkout), never beside the caller.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _packaged(*parts: str) -> Path:
    # an installed wheel and an editable checkout both hold the package as plain files
    return Path(str(files("workbench").joinpath(*parts)))


def packaged_file(name: str) -> Path:
    """A file at the package's top, e.g. ``portfolio-format.md`` (the tables documented)."""
    return _packaged(name)


def notebook(name: str) -> Path:
    """The packaged notebook ``name`` (``portfolio_report.ipynb``, ``explore.ipynb``, ...)."""
    return _packaged("notebooks", name)


def sample_folder() -> Path:
    """The sample: ``portfolio/`` (CSV tables), ``portfolio.xlsx`` and the scenarios beside them."""
    return _packaged("sample")


def sample_scenario(name: str = "baseline") -> Path:
    """A scenario of the sample, by name."""
    return sample_folder() / f"{name}.yaml"
