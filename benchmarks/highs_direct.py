"""The same MILP passed to highspy directly (no PuLP), as the reference for model-building time."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd


def build_highs_direct(data) -> highspy.Highs:
    """Selection, capacity and budget rows (what generated portfolios use) as one CSC matrix."""
    options = data.start_options.reset_index(drop=True)
    n = len(options)
    column = pd.Series(np.arange(n))
    rows, cols, vals, lower, upper = [], [], [], [], []
    # selection: one row per project
    project_codes, projects = pd.factorize(options["project"])
    rows.append(project_codes)
    cols.append(column.to_numpy())
    vals.append(np.ones(n))
    committed = data.projects.loc[projects, "commitment"].ne("").to_numpy()
    lower.append(np.where(committed, 1.0, -np.inf))
    upper.append(np.ones(len(projects)))
    offset = len(projects)
    # capacity
    load = options.reset_index().rename(columns={"index": "col"}).merge(data.demand, on="project")
    load["period"] = load["start"] + load["offset"]
    keys = load[["role", "period"]].drop_duplicates().reset_index(drop=True)
    keys["row"] = np.arange(len(keys)) + offset
    load = load.merge(keys, on=["role", "period"])
    rows.append(load["row"].to_numpy())
    cols.append(load["col"].to_numpy())
    vals.append(load["fte"].to_numpy())
    capacity = data.capacity.set_index(["role", "period"])["fte"]
    lower.append(np.full(len(keys), -np.inf))
    upper.append(capacity.reindex(pd.MultiIndex.from_frame(keys[["role", "period"]])).fillna(0.0).to_numpy())
    offset += len(keys)
    # budget
    spend = options.reset_index().rename(columns={"index": "col"}).merge(data.costs, on="project")
    spend["period"] = spend["start"] + spend["offset"]
    budget = pd.Series(data.budget, dtype="float64")
    spend = spend[spend["period"].map(budget).notna()]
    periods = np.sort(spend["period"].unique())
    period_row = pd.Series(np.arange(len(periods)) + offset, index=periods)
    rows.append(spend["period"].map(period_row).to_numpy())
    cols.append(spend["col"].to_numpy())
    vals.append(spend["amount"].to_numpy())
    lower.append(np.full(len(periods), -np.inf))
    upper.append(budget.loc[periods].to_numpy())
    row_index, col_index, value = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
    order = np.lexsort((row_index, col_index))
    row_index, col_index, value = row_index[order], col_index[order], value[order]
    starts = np.searchsorted(col_index, np.arange(n + 1))

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, int(offset + len(periods))
    lp.col_cost_ = -options["coefficient"].to_numpy(dtype=float)  # HiGHS minimises
    lp.col_lower_, lp.col_upper_ = np.zeros(n), np.ones(n)
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = row_index.astype(np.int32)
    lp.a_matrix_.value_ = value
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    return highs
