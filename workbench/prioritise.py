"""Prioritisation: weighted scoring, AHP weights, and the ranked-list portfolio PPM suites cut.

AHP (Saaty): weights are the normalised principal eigenvector of the pairwise comparison
matrix; consistency ratio CR = CI / RI with CI = (lambda_max - n) / (n - 1). CR above 0.1
usually means the comparisons contradict each other.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Saaty's random consistency index for n = 1..10
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
CONSISTENCY_LIMIT = 0.1


@dataclass(frozen=True)
class AHPWeights:
    weights: dict[str, float]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        return self.consistency_ratio <= CONSISTENCY_LIMIT


def ahp_weights(criteria: list[str], matrix: list[list[float]]) -> AHPWeights:
    values = np.asarray(matrix, dtype=float)
    n = len(criteria)
    eigenvalues, eigenvectors = np.linalg.eig(values)
    principal = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, principal].real)
    weights = vector / vector.sum()
    lambda_max = float(eigenvalues[principal].real)
    ci = (lambda_max - n) / (n - 1) if n > 1 else 0.0
    ri = RANDOM_INDEX.get(n, 1.49)
    cr = ci / ri if ri > 0 else 0.0
    return AHPWeights(dict(zip(criteria, weights.tolist())), lambda_max, ci, cr)


def check_ahp(spec, portfolio) -> list[str]:
    """Messages for an AHP block that cannot be used."""
    problems = []
    n = len(spec.criteria)
    if n == 0:
        return ["ahp.criteria is empty"]
    if len(spec.matrix) != n or any(len(row) != n for row in spec.matrix):
        problems.append(f"ahp.matrix must be {n} x {n} (one row and column per criterion)")
        return problems
    for i in range(n):
        for j in range(n):
            a, b = spec.matrix[i][j], spec.matrix[j][i]
            if a <= 0:
                problems.append(f"ahp.matrix[{i}][{j}] = {a} must be positive")
            elif i == j and abs(a - 1) > 1e-9:
                problems.append(f"ahp.matrix[{i}][{i}] must be 1")
            elif abs(a * b - 1) > 1e-6:
                problems.append(f"ahp.matrix[{i}][{j}] = {a} and [{j}][{i}] = {b} are not reciprocal")
    columns = set(portfolio.projects.columns)
    for criterion in spec.criteria:
        if f"score_{criterion}" not in columns:
            problems.append(f"criterion {criterion!r} has no score_{criterion} column in the projects table")
    return problems


def criteria_weights(portfolio, ahp=None) -> dict[str, float]:
    """Normalised weights: from the AHP block if given, else the criteria table."""
    if ahp is not None:
        return ahp_weights(ahp.criteria, ahp.matrix).weights
    raw = portfolio.criteria_weights
    total = sum(raw.values())
    if total <= 0:
        return {c: 0.0 for c in raw}
    return {c: w / total for c, w in raw.items()}


def rank_and_cut(data, ranking: pd.Series) -> list[str]:
    """The PPM-suite portfolio: commitments first, then down the ranking, stopping at the first
    project whose cost would cross the budget line (the horizon's total budget)."""
    projects = data.projects
    line = data.budget_total
    if line is None and all(b is not None for b in data.budget):
        line = float(sum(data.budget))
    chosen = [p for p in projects.index if projects.loc[p, "commitment"]]
    spent = float(projects.loc[chosen, "cost"].sum())
    startable = set(data.start_options["project"])
    for project in ranking.sort_values(ascending=False, kind="stable").index:
        if project in chosen or project not in startable:
            continue
        cost = float(projects.loc[project, "cost"])
        if line is not None and spent + cost > line + 1e-9:
            break
        chosen.append(project)
        spent += cost
    return chosen


@dataclass
class Prioritisation:
    scenario: str
    weights: dict[str, float]
    ahp: dict | None
    ranking: list[dict]
    ranked_objective: float | None
    ranked_feasible: bool
    ranked_violations: list[str]
    optimal_objective: float | None
    greedy_objective: float | None = None
    greedy_selected: list[str] | None = None

    def to_json(self) -> str:
        import json
        from dataclasses import asdict

        return json.dumps(asdict(self), indent=2)


def prioritisation(inputs, solver: str | None = None, time_limit: float | None = None,
                   gap: float | None = None, optimal=None) -> Prioritisation:
    """Weighted-score ranking, the rank-and-cut portfolio, and the optimal one beside it.

    ``optimal`` is the scenario's solved :class:`~workbench.result.Result` when the caller has it
    (no re-solve then). The ranked list is scored by the criteria (AHP weights when the scenario has them); the
    cut portfolio starts each project at its earliest option and is checked against every
    constraint, so the comparison shows both the value the optimiser adds and what the cut
    portfolio would break.
    """
    from workbench.check import check_result
    from workbench.inputs import project_scores
    from workbench.model import Plan, SolveStatus
    from workbench.optimise import build_result, solve

    portfolio, spec = inputs.portfolio, inputs.scenario.spec
    weights = criteria_weights(portfolio, spec.ahp)
    ahp = None
    if spec.ahp is not None:
        computed = ahp_weights(spec.ahp.criteria, spec.ahp.matrix)
        ahp = {"weights": computed.weights, "lambda_max": computed.lambda_max,
               "consistency_index": computed.consistency_index, "consistency_ratio": computed.consistency_ratio,
               "consistent": computed.consistent}
    scores = project_scores(portfolio, inputs.scenario) if weights else inputs.data.projects["value"] / \
        inputs.data.projects["cost"].where(inputs.data.projects["cost"] > 0, 1.0)
    data = inputs.data
    chosen = rank_and_cut(data, scores)
    first_start = data.start_options.groupby("project")["start"].min()
    starts = {p: int(first_start[p]) for p in chosen if p in first_start.index}
    coefficient = dict(zip(zip(data.start_options["project"], data.start_options["start"]),
                           data.start_options["coefficient"]))
    ranked_value = float(sum(coefficient[(p, s)] for p, s in starts.items()))
    ranked = build_result(inputs, data, Plan(SolveStatus.FEASIBLE, ranked_value, None, None, 0.0, "rank-and-cut",
                                             starts=starts), [])
    violations = check_result(inputs, ranked)
    optimal = optimal if optimal is not None else solve(inputs, solver, time_limit, gap)
    optimal_ids = {p.id for p in optimal.selected}
    order = scores.sort_values(ascending=False, kind="stable")
    ranking = [{"rank": rank, "id": pid, "score": float(score), "ranked_cut": pid in starts,
                "optimal": pid in optimal_ids} for rank, (pid, score) in enumerate(order.items(), 1)]
    greedy = ranked_greedy(data, scores)
    greedy_value = float(sum(coefficient[(p, s)] for p, s in greedy.items()))
    for row in ranking:
        row["ranked_fit"] = row["id"] in greedy
    return Prioritisation(inputs.name, weights, ahp, ranking, ranked_value, not violations, violations,
                          optimal.objective, greedy_value, sorted(greedy))


def ranked_greedy(data, ranking: pd.Series) -> dict[str, int]:
    """Down the ranking, each project at its earliest start that still fits every constraint
    (capacity without hiring, budget, dependencies, exclusions): the best a careful planner
    gets from a ranked list. Commitments are placed first, in ranking order."""
    from workbench.optimise import Usage

    options = data.start_options.groupby("project")["start"].agg(list)
    duration = data.projects["duration"]
    requires: dict[str, list[str]] = {}
    for project, required in data.dependencies:
        requires.setdefault(project, []).append(required)
    group_of = {m: g for g, members in data.exclusions.items() for m in members}
    order = list(ranking.sort_values(ascending=False, kind="stable").index)
    committed = [p for p in order if data.projects.loc[p, "commitment"]]
    chosen: dict[str, int] = {}
    for project in committed + [p for p in order if p not in committed]:
        if project not in options.index:
            continue
        group = group_of.get(project)
        if group is not None and any(group_of.get(p) == group for p in chosen):
            continue
        usage = Usage(data, chosen, {})
        for start in options[project]:
            ready = all(q in chosen and chosen[q] + int(duration[q]) <= start for q in requires.get(project, []))
            if ready and not usage.shortfalls(project, int(start)):
                chosen[project] = int(start)
                break
    return chosen
