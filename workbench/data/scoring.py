"""Scores: weighted criteria and AHP (Saaty) weights; a leaf of the data layer.

AHP: weights are the normalised principal eigenvector of the pairwise comparison matrix;
consistency ratio CR = CI / RI with CI = (lambda_max - n) / (n - 1). CR above 0.1 usually
means the comparisons contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.portfolio import SCORE_PREFIX, Portfolio
from workbench.data.scenario import AHPSpec

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


def project_scores(portfolio: Portfolio, ahp: AHPSpec | None = None) -> pd.Series:
    """Weighted criteria score per project (weights normalised to sum to 1)."""
    weights = criteria_weights(portfolio, ahp)
    projects = portfolio.projects
    score = pd.Series(0.0, index=projects.index)
    for criterion, weight in weights.items():
        score += weight * projects[SCORE_PREFIX + criterion]
    return score
