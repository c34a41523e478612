"""Portfolio Workbench: exact, explainable project-portfolio planning.

The notebooks and the ``workbench`` command are thin layers over this package:

* :mod:`workbench.portfolio` loads and validates a portfolio (CSV folder or xlsx workbook);
* :mod:`workbench.scenario` loads a scenario YAML (with ``extends``) into a pydantic model;
* :mod:`workbench.inputs` joins the two into the data the optimiser needs;
* :mod:`workbench.optimise` builds and solves the MILP with PuLP;
* :mod:`workbench.explain`, :mod:`workbench.frontier`, :mod:`workbench.prioritise` explain it;
* :mod:`workbench.check` verifies any result independently of the model code.
"""
from __future__ import annotations

__version__ = "0.1.0"

from workbench.errors import InputError, Problem, WorkbenchError  # noqa: E402

__all__ = ["InputError", "Problem", "WorkbenchError", "__version__"]
