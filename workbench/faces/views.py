"""Plain-text views of results for the terminal."""

from __future__ import annotations


from workbench.analyses.earned_value import worst_first
import pandas as pd

from workbench.analyses.prices import BindingConstraint, binding_constraints
from workbench.ground.status import ConflictKind
from workbench.ground.formatting import default_limit_sentence, money, no_plan_sentence, percent, status_label


def replan_cost_text(replan: dict) -> str:
    """A re-plan's forecast cost in words: actual to date, the rest to the horizon's end, and after it."""
    text = (
        f"forecast cost to {replan['horizon_end']} {money(replan['forecast_cost'])} (actual to date "
        f"{money(replan['actual_cost'])} + remaining {money(replan['remaining_cost'])})"
    )
    if replan["after_horizon_cost"] > 0:
        text += (
            f"; a further {money(replan['after_horizon_cost'])} falls after {replan['horizon_end']} "
            f"({', '.join(replan['after_horizon'])} run past the horizon)"
        )
    return text


def result_text(result) -> str:
    """A result as the terminal shows it.

    Parameters
    ----------
    result : Result
        What :func:`workbench.analyses.solve.solve` returned.

    Returns
    -------
    str
        The status, key figures, a line per project with its reason, the capacity used to the
        full, the conflicts when no plan exists, and a re-plan's changes against the baseline.
    """
    lines = [f"Scenario {result.scenario}: {result.status.value.upper()}"]
    if result.has_plan:
        kpis = result.kpis()
        lines.append(
            f"Objective ({result.objective_kind}): {money(result.objective)}  "
            f"[{status_label(result.status, result.gap, stopped_by=result.stopped_by)}]"
        )
        if result.replan:
            replan = result.replan
            lines.append(
                f"Re-plan from {replan['as_of']}: selected {kpis['selected']} of {kpis['projects']} projects; "
                f"value {money(kpis['value'])}; {replan_cost_text(replan)}"
            )
        else:
            lines.append(
                f"Selected {kpis['selected']} of {kpis['projects']} projects; value "
                f"{money(kpis['value'])}, cost {money(kpis['cost'])}"
            )
    else:
        lines.append(no_plan_sentence(result.status, result.stopped_by))
    lines.append(f"Solver {result.solver['name']}, {result.solver['seconds']:.2f} s")
    if default_limit_sentence(result.solver):
        lines.append(default_limit_sentence(result.solver))
    if result.conflicts:
        lines.append("")
        lines.append(
            "No plan exists. One way to make a plan possible, relaxing budgets and capacities before "
            "windows and commitments (the relaxed plan holds the commitments and what they need):"
        )
        lines.extend(f"  - {c.message}" for c in result.conflicts)
    if result.has_plan:
        lines.append("")
        lines.append(f"{'id':<10} {'start':<8} {'finish':<8} reason")
        for p in sorted(result.projects, key=lambda p: (not p.selected, p.start_index or 0, p.id)):
            lines.append(f"{p.id:<10} {p.start or '-':<8} {p.finish or '-':<8} {p.reason}")
        capacity = [b for b in binding_constraints(result, None) if b.kind is ConflictKind.CAPACITY]
        if capacity:
            lines.append("")
            lines.append("Capacity fully used:")
            lines.extend(f"  {b.role}: {', '.join(b.periods)}" for b in capacity)
    if result.baseline_changes:
        lines.append("")
        lines.append("Against the approved baseline:")
        lines.extend(
            f"  {c.project:<10} {c.change.value:<15} start {c.baseline_start or '-':>8} -> "
            f"{c.start or '-':<8} finish {c.baseline_finish or '-':>8} -> {c.finish or '-':<8}"
            for c in result.baseline_changes
        )
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def explanation_text(explanation) -> str:
    lines = [result_text(explanation.result), "", "Price of each decision (objective change if reversed):"]
    for item in explanation.projects:
        change = "-" if item.delta is None else f"{item.delta:+,.2f}"
        lines.append(f"  {item.id:<10} {item.action.value:<10} {change:>16}  {item.note}")
    lines.append("")
    lines.append("Value of one more FTE over the whole horizon:")
    for item in explanation.roles:
        change = "-" if item.delta is None else f"{item.delta:+,.2f}"
        lines.append(f"  {item.role:<20} {change:>16}  {item.note}".rstrip())
    if explanation.binding:
        lines.append("")
        lines.append("Binding constraints:")
        lines.extend(f"  {b.constraint}: {', '.join(b.periods)}" for b in explanation.binding)
    return "\n".join(lines)


def frontier_text(points) -> str:
    lines = [
        f"Efficient frontier for {points.scenario}: objective against total budget",
        f"{'total budget':>16} {'objective':>16} {'spend':>16} {'projects':>8}  status",
    ]
    for p in points.points:
        lines.append(
            f"{money(p.budget_total):>16} {money(p.objective):>16} {money(p.spend):>16} "
            f"{len(p.selected):>8}  {p.status.value}  {p.note}".rstrip()
        )
    return "\n".join(lines)


def prioritisation_text(report) -> str:
    lines = [f"Prioritisation for {report.scenario}"]
    if report.ahp:
        lines.append(
            "AHP weights: "
            + ", ".join(f"{k} {v:.3f}" for k, v in report.ahp["weights"].items())
            + f"; consistency ratio {report.ahp['consistency_ratio']:.3f}"
            + (
                "  WARNING: above 0.1, the comparisons contradict each other"
                if report.ahp["consistency_ratio"] > 0.1
                else ""
            )
        )
    lines.append("Weights used: " + ", ".join(f"{k} {v:.3f}" for k, v in report.weights.items()))
    lines.append("")
    lines.append(f"{'rank':>4} {'id':<10} {'score':>7}  in ranked-cut  in optimal")
    for row in report.ranking:
        lines.append(
            f"{row['rank']:>4} {row['id']:<10} {row['score']:>7.3f}  {'yes' if row['ranked_cut'] else '':<13} "
            f"{'yes' if row['optimal'] else ''}"
        )
    lines.append("")
    lines.append(
        f"Rank-and-cut portfolio: objective {money(report.ranked_objective)}"
        + ("" if report.ranked_feasible else " (not feasible: " + "; ".join(report.ranked_violations[:3]) + ")")
    )
    lines.append(
        f"Ranked list, each project placed where it still fits: objective {money(report.greedy_objective)}"
        + ("" if report.greedy_feasible else " (not feasible: " + "; ".join(report.greedy_violations[:3]) + ")")
    )
    name = (
        "Optimal portfolio"
        if report.optimal_status == "optimal"
        else f"Optimiser's best plan ({report.optimal_status}, not proven optimal)"
    )
    lines.append(f"{name}: objective {money(report.optimal_objective)}")
    lines.extend(optimiser_gain_sentences(report))
    return "\n".join(lines)


def optimiser_gain_sentences(report) -> list[str]:
    """What the optimiser adds over the feasible ranked list, and what an infeasible ranked list
    breaks: said only as far as the checks and the proof allow."""
    sentences = []
    gain = report.optimiser_gain
    if gain is not None and gain >= 0:
        sentences.append(f"The optimiser adds {money(gain)} over the best feasible ranked list.")
    elif gain is not None:
        sentences.append(
            f"The feasible ranked list is worth {money(-gain)} more than the optimiser's plan, which "
            "is not proven optimal."
        )
    for feasible, violations, name in (
        (report.greedy_feasible, report.greedy_violations, "The ranked list placed where it fits"),
        (report.ranked_feasible, report.ranked_violations, "The plain cut at the budget line"),
    ):
        if not feasible:
            sentences.append(f"{name} is not a feasible plan; it breaks: " + "; ".join(violations[:3]) + ".")
    return sentences


def status_text(report) -> str:
    """The status table, worst RAG first, and the portfolio totals."""

    def number(value, digits=2):
        return "-" if value is None else f"{value:,.{digits}f}"

    totals = report.portfolio
    lines = [
        f"Status of {report.scenario} as of {report.as_of}: {totals['projects']} projects; "
        + ", ".join(f"{count} {rag}" for rag, count in totals["rag"].items() if count),
        f"Portfolio: BAC {money(totals['bac'])}, PV {money(totals['pv'])}, EV {money(totals['ev'])}, "
        f"AC {money(totals['ac'])}, EAC {money(totals['eac'])}; CPI {number(totals['cpi'], 3)}, "
        f"SPI {number(totals['spi'], 3)}",
        "",
        f"{'id':<10} {'rag':<6} {'state':<12} {'%':>5} {'CPI':>6} {'SPI(t)':>7} {'EAC':>14} "
        f"{'baseline':<8} {'forecast':<8}",
    ]
    for row in worst_first(report):
        lines.append(
            f"{row['id']:<10} {row['rag']:<6} {row['state']:<12} {row['percent_complete']:>5.0f} "
            f"{number(row['cpi']):>6} {number(row['spi_t']):>7} {money(row['eac']):>14} "
            f"{row['baseline_finish'] or '-':<8} {row['forecast_finish'] or '-':<8}"
        )
    lines.extend(f"warning: {w}" for w in report.warnings)
    return "\n".join(lines)


def regret_text(regret: dict) -> str:
    """The chosen plan's regret over the re-solved futures, with what was left out of it and why."""
    counted = f"over {regret['proven']} of {regret['futures']} futures"
    left = [
        f"{regret[key]} {words}"
        for key, words in (
            ("no_plan", "with no plan at all"),
            ("chosen_does_not_fit", "where the chosen selection does not fit"),
            ("unproven", "not proven within the time limit"),
        )
        if regret[key]
    ]
    if regret["mean"] is None:
        text = f"regret: no future where both optima are proven ({regret['futures']} futures)"
    else:
        text = (
            f"regret of the chosen selection {counted}: mean {money(regret['mean'])}, "
            f"p50 {money(regret['p50'])}, p90 {money(regret['p90'])}, max {money(regret['max'])}"
        )
    text += "" if not left else "; left out: " + ", ".join(left)
    funded = regret.get("funded") or {}
    if funded.get("mean") is not None:
        text += (
            f"\nregret if the chosen plan's overruns were funded (every future with a proven optimum): "
            f"mean {money(funded['mean'])}, p50 {money(funded['p50'])}, p90 {money(funded['p90'])}, "
            f"max {money(funded['max'])}"
        )
    return text


def risk_basis_sentences(report) -> list[str]:
    """What the cost figures hold, and the budget overrun probabilities, in words."""
    lines = []
    if report.as_of is not None:
        lines.append(
            f"from the status date {report.as_of}: the cost includes the actual cost to date "
            f"{money(report.actual_cost)} in every sample; the work still to do is sampled"
        )
    if report.hiring_cost:
        lines.append(f"the cost includes the plan's hiring, {money(report.hiring_cost)}, in every sample")
    any_period = report.any_period_overrun
    lines.append(
        "probability that at least one period overruns its budget: "
        + (
            ("- (no period after the status date has a budget)" if report.as_of else "- (no period has a budget)")
            if any_period is None
            else f"{any_period:.1%}"
        )
    )
    total = report.budget_overrun_probability.get("total")
    if report.budget_total is None:
        lines.append("probability of exceeding the total budget: - (the scenario has no total budget)")
    else:
        what = (
            "spending after the status date, to the horizon's end, exceeds what is left of the total budget"
            if report.as_of
            else "spending over the horizon exceeds the total budget"
        )
        lines.append(f"probability that {what} of {money(report.budget_total)}: {total:.1%}")
    return lines


def risk_text(report) -> str:
    """The Monte Carlo's figures: cost and value quantiles, overruns, overloads, drivers."""

    def row(name, figures):
        return f"{name:<6} " + "  ".join(f"{k} {money(v)}" for k, v in figures.items())

    lines = [f"{report.samples} samples, seed {report.seed}", row("cost", report.cost), row("value", report.value)]
    lines.extend(risk_basis_sentences(report))
    periods = {k: v for k, v in report.budget_overrun_probability.items() if k != "total" and v > 0}
    if periods:
        lines.append("probability of exceeding the budget: " + ", ".join(f"{k} {v:.1%}" for k, v in periods.items()))
    worst = sorted(report.capacity_overload_probability, key=lambda r: -r["probability"])[:10]
    if worst:
        lines.append(
            "most likely overloads: " + ", ".join(f"{r['role']} {r['period']} {r['probability']:.0%}" for r in worst)
        )
    lines.append(
        "cost variance drivers: "
        + (
            ", ".join(f"{d['id']} {d['share_of_variance']:.0%}" for d in report.drivers)
            or "none (the total cost is the same in every sample)"
        )
    )
    if report.regret is not None:
        lines.append(regret_text(report.regret))
        if report.core_index:
            lines.append(
                "core index (share of proven optima that select it): "
                + ", ".join(f"{c['id']} {c['share']:.0%}" for c in report.core_index if c["share"] > 0)
            )
    lines.extend(f"warning: {w}" for w in report.warnings)
    return "\n".join(lines)


def sweep_text(sweep) -> str:
    """One line per point of a sweep: its values, status, objective and gap."""
    frame = sweep.frame()
    columns = [*sweep.keys, "status", "objective", "gap", "selected", "cost"]
    shown = frame[columns].copy()
    shown["objective"] = shown["objective"].map(money)
    shown["gap"] = shown["gap"].map(lambda v: percent(v, 2))
    shown["cost"] = shown["cost"].map(money)
    return f"Sweep of {sweep.scenario} ({sweep.objective_kind})\n" + shown.to_string(index=False)


def binding_table(binding: list[BindingConstraint]) -> pd.DataFrame:
    """The constraints a plan uses to the full, one row each: its name and its periods."""
    return pd.DataFrame(
        [{"constraint": b.constraint, "periods": ", ".join(b.periods)} for b in binding],
        columns=["constraint", "periods"],
    )
