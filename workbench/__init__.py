"""Portfolio Workbench: exact, explainable project-portfolio planning.

The package is a house with floors; a module imports only from its own floor or below
(docs/architecture.md, checked by the import-linter contract in pyproject.toml):

1. :mod:`workbench.ground` - errors, periods, statuses, how numbers are written;
2. :mod:`workbench.data` - tables, portfolio, scenario, scores, planning data;
3. :mod:`workbench.model` - the MILP formulation and the solver adapters;
4. :mod:`workbench.planning` - solver runs for scenarios and variants, result types;
5. :mod:`workbench.analyses` - solve with reasons, infeasibility, prices, frontier,
   prioritisation, the independent checker;
6. :mod:`workbench.faces` - terminal views, exports, charts, reports, app, workshop, CLI.
"""

from __future__ import annotations

__version__ = "0.1.0"

from workbench.ground.errors import InputError, Problem, WorkbenchError  # noqa: E402

__all__ = ["InputError", "Problem", "WorkbenchError", "__version__"]
