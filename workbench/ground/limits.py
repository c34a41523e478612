"""The documented bounds on every input (docs/portfolio-format.md, "Limits"): what a table cell,
a scenario key or a command-line argument may hold. Past them a figure is refused with a clear
error before any work starts, instead of an overflow, a hang or a memory error later."""

from __future__ import annotations

#: money (costs, values, budgets, actual costs, risk impacts, hiring rates): at most this much
MAX_MONEY = 1e13
#: a total over the horizon (``budget.total``): every project's cost together may exceed one cell's
#: bound, and a frontier's levels are totals a plan spends
MAX_TOTAL_MONEY = MAX_MONEY * 250_000
#: FTE (demand, capacity, effort, hiring, a capacity change): at most this much in one cell
MAX_FTE = 1e6
#: periods (a horizon, a duration, a risk's delay): at most this many
MAX_PERIODS = 1200
#: Monte Carlo samples of one run
MAX_SAMPLES = 100_000
#: sampled futures re-solved by one run (``--futures``)
MAX_FUTURES = 1_000
#: points of one sweep (the product of its grids)
MAX_GRID_POINTS = 1_000
#: levels of one frontier
MAX_FRONTIER_POINTS = 100
#: local worker processes
MAX_WORKERS = 1024
#: a seed: numpy takes any non-negative integer; this keeps it to 64 bits
MAX_SEED = 2**63 - 1
#: seconds of solver work
MAX_SECONDS = 7 * 24 * 3600.0
#: a table file (CSV) or workbook larger than this is refused before it is read
MAX_TABLE_BYTES = 20 * 1024 * 1024
#: rows of one table
MAX_TABLE_ROWS = 250_000
#: problems printed for one input; the rest are counted
MAX_PROBLEMS_SHOWN = 50
#: numbers one Monte Carlo holds at once (samples x (roles + 1) x (periods + 1)): about 400 MB
MAX_RISK_CELLS = 50_000_000
#: the smallest non-zero figure in a table: below it a ratio (CPI = EV / AC) passes any float
MIN_MAGNITUDE = 1e-9
#: columns a workbook sheet may use (a table has about twenty)
MAX_SHEET_COLUMNS = 500
