"""Prioritisation: the weighted-score ranking and the ranked-list portfolios beside the optimal one.

The ranked lists are those PPM suites build (cut at the budget line; placed where each fits);
the scores and AHP weights themselves are in :mod:`workbench.data.scoring`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from workbench.planning.accounting import PlanUsage, minimal_hiring
from workbench.analyses.check import check_result
from workbench.model.formulation import Plan
from workbench.analyses.replan import replanned
from workbench.analyses.solve import solve
from workbench.planning.runs import build_result
from workbench.analyses.reasons import coefficient_of
from workbench.planning.result import Result
from workbench.data.scoring import ahp_weights, criteria_weights, project_scores
from workbench.ground.status import SolveStatus
from workbench.ground.formatting import finite_json


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
    """The ranking and three portfolios side by side, each checked by the independent checker:
    ``*_violations`` list what a ranked portfolio breaks (empty: it is a feasible plan)."""

    scenario: str
    weights: dict[str, float]
    ahp: dict | None
    ranking: list[dict]
    ranked_objective: float | None
    ranked_feasible: bool
    ranked_violations: list[str]
    optimal_objective: float | None
    optimal_status: str = "optimal"
    greedy_objective: float | None = None
    greedy_selected: list[str] | None = None
    greedy_feasible: bool = True
    greedy_violations: list[str] = field(default_factory=list)

    @property
    def optimiser_gain(self) -> float | None:
        """What the optimiser's plan adds over the feasible ranked list (``None`` when either is
        missing or the ranked list breaks a rule)."""
        if self.optimal_objective is None or self.greedy_objective is None or not self.greedy_feasible:
            return None
        return self.optimal_objective - self.greedy_objective

    def to_json(self) -> str:
        return finite_json(asdict(self))


def prioritisation(
    inputs,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    optimal: Result | None = None,
) -> Prioritisation:
    """Weighted-score ranking, the rank-and-cut portfolio, and the optimal one beside it.

    ``optimal`` is the scenario's solved :class:`~workbench.planning.result.Result` when the caller has it
    (no re-solve then). The ranked list is scored by the criteria (AHP weights when the scenario
    has them). The cut portfolio starts each project at its earliest option; the ranked list
    placed where it fits pays for the hiring it uses. Both are checked against every rule by
    the independent checker, so the comparison shows the value the optimiser adds only over a
    feasible ranked list, and what an infeasible one breaks.
    """
    inputs = replanned(inputs)
    portfolio, spec = inputs.portfolio, inputs.scenario.spec
    weights = criteria_weights(portfolio, spec.ahp)
    ahp = None
    if spec.ahp is not None:
        computed = ahp_weights(spec.ahp.criteria, spec.ahp.matrix)
        ahp = {
            "weights": computed.weights,
            "lambda_max": computed.lambda_max,
            "consistency_index": computed.consistency_index,
            "consistency_ratio": computed.consistency_ratio,
            "consistent": computed.consistent,
        }
    scores = (
        project_scores(portfolio, spec.ahp)
        if weights
        else inputs.data.projects["value"] / inputs.data.projects["cost"].where(inputs.data.projects["cost"] > 0, 1.0)
    )
    data = inputs.data
    chosen = rank_and_cut(data, scores)
    first_start = data.start_options.groupby("project")["start"].min()
    starts = {p: int(first_start[p]) for p in chosen if p in first_start.index}
    ranked_value, ranked_violations = _checked(inputs, starts, "rank-and-cut")
    optimal = optimal if optimal is not None else solve(inputs, solver, time_limit, gap)
    optimal_ids = {p.id for p in optimal.selected}
    order = scores.sort_values(ascending=False, kind="stable")
    ranking = [
        {"rank": rank, "id": pid, "score": float(score), "ranked_cut": pid in starts, "optimal": pid in optimal_ids}
        for rank, (pid, score) in enumerate(order.items(), 1)
    ]
    greedy = ranked_greedy(data, scores)
    greedy_value, greedy_violations = _checked(inputs, greedy, "ranked list placed where it fits")
    for row in ranking:
        row["ranked_fit"] = row["id"] in greedy
    return Prioritisation(
        inputs.name,
        weights,
        ahp,
        ranking,
        ranked_value,
        not ranked_violations,
        ranked_violations,
        optimal.objective,
        optimal.status.value,
        greedy_value,
        sorted(greedy),
        not greedy_violations,
        greedy_violations,
    )


def _checked(inputs, starts: dict[str, int], name: str) -> tuple[float, list[str]]:
    """The objective of a ranked portfolio (with the least hiring it needs) and what the
    independent checker finds it breaks."""
    data = inputs.data
    value = float(sum(coefficient_of(data, p, s) for p, s in starts.items()))
    plan = Plan(
        SolveStatus.FEASIBLE, value, None, None, 0.0, name, starts=dict(starts), hired=minimal_hiring(data, starts)
    )
    result = build_result(inputs, data, plan)
    return value, check_result(inputs.portfolio, inputs.scenario.spec, result)


def ranked_greedy(data, ranking: pd.Series) -> dict[str, int]:
    """Down the ranking, each project at its earliest start that still fits every capacity and
    budget rule (hiring what is short, up to its maximum, and paying for it), its dependencies
    and exclusions: the best a careful planner gets from a ranked list. Category balance is not
    considered (the checker reports it, as it reports a commitment the greedy found no room for).
    Commitments and their prerequisites are placed first."""
    options = data.start_options.groupby("project")["start"].agg(list)
    duration = data.projects["duration"]
    groups_of: dict[str, set[str]] = {}
    for group, members in data.exclusions.items():
        for member in members:
            groups_of.setdefault(member, set()).add(group)
    order = list(ranking.sort_values(ascending=False, kind="stable").index)
    must = data.must_run
    # commitments and what they need first, prerequisites before the projects needing them,
    # fixed starts before movable ones, then the rest down the ranking
    first: list[str] = []

    def place(project: str) -> None:
        if project in first:
            return
        for required in data.requires.get(project, []):
            place(required)
        first.append(project)

    for project in sorted((p for p in order if p in must), key=lambda p: len(options[p]) if p in options.index else 0):
        place(project)
    chosen: dict[str, int] = {}
    usage = PlanUsage(data, chosen, {})
    for project in first + [p for p in order if p not in must]:
        if project not in options.index:
            continue
        if any(groups_of.get(project, set()) & groups_of.get(p, set()) for p in chosen):
            continue
        for start in options[project]:
            ready = all(q in chosen and chosen[q] + int(duration[q]) <= start for q in data.requires.get(project, []))
            if ready and not usage.shortfalls(project, int(start), check_balance=False):
                chosen[project] = int(start)
                usage = PlanUsage(data, chosen, minimal_hiring(data, chosen))
                break
    return chosen
