"""The scenario comparison (``workbench report --compare``, the app's "Compare saved" and the
workshop): key figures as bars, a roadmap of differences, the change in capacity use, spend
against budget and the frontiers, each with a one-sentence caption computed from the numbers. An
infeasible scenario is compared by its conflicts. Every part is escaped HTML or inline SVG."""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from workbench.analyses.compare import Difference, compare_results
from workbench.analyses.frontier import Frontier
from workbench.analyses.study import ComparisonStudy
from workbench.faces.charts import period_date
from workbench.faces.markup import CHART_WIDTH, Html, Svg, esc, frame_html
from workbench.faces.report_sections import ScenarioReport
from workbench.ground.formatting import money, no_plan_sentence, percent, short_money
from workbench.planning.result import KPI_LABELS

CHANGE_COLOURS = alt.Scale(domain=["enters", "leaves", "moves"], range=["#54a24b", "#e45756", "#4c78a8"])
#: the comparison's labels: the key figures' own, utilisation drawn in percent
COMPARED_LABELS = {key: label.lower() + (" (%)" if key == "utilisation" else "") for key, label in KPI_LABELS.items()}


def _signed(amount: float, kind: str) -> str:
    if kind == "utilisation":
        return f"{amount:+.1f} pts"
    if kind in ("selected", "hired_fte_periods"):
        return f"{amount:+,.0f}" if kind == "selected" else f"{amount:+,.1f}"
    return ("+" if amount >= 0 else "-") + short_money(abs(amount))


def spend_difference(amount: float) -> str:
    """A difference in spend as words: '658.0k less', '12.5k more', 'the same'."""
    if abs(amount) < 0.005:
        return "the same"
    return f"{short_money(abs(amount))} {'less' if amount < 0 else 'more'}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def change_sentence(difference: Difference) -> str:
    """What the other scenario changes, in one sentence, from the numbers."""
    if not difference.has_plan:
        return f"{difference.other} has no plan: it is compared by what would have to change."
    if not difference.first_has_plan:
        return f"{difference.first} has no plan to compare {difference.other} with."
    parts = []
    left, entered, moved = difference.of("leaves"), difference.of("enters"), difference.of("moves")
    if left:
        parts.append(f"drops {_plural(len(left), 'project')} worth {short_money(sum(c.value for c in left))}")
    if entered:
        parts.append(f"adds {_plural(len(entered), 'project')} worth {short_money(sum(c.value for c in entered))}")
    if moved:
        later = sum(c.shift > 0 for c in moved)
        earlier = len(moved) - later
        words = [w for w in (f"{later} later" if later else "", f"{earlier} earlier" if earlier else "") if w]
        parts.append(f"moves {_plural(len(moved), 'project')} ({' and '.join(words)})")
    if not parts:
        parts.append("selects and schedules the same projects")
    first_objective, objective = difference.kpis["objective"]
    sentence = f"{difference.other} " + ", ".join(parts)
    if first_objective is not None and objective is not None:
        delta = objective - first_objective
        sentence += f"; objective {_signed(delta, 'objective')}" + (
            f" ({delta / first_objective:+.1%})" if first_objective else ""
        )
    was, now = difference.first_bottleneck, difference.bottleneck
    if now is not None:
        if was is not None and was.role == now.role:
            sentence += f"; {now.role} stays the bottleneck (used to the full in {_plural(now.full_periods, 'period')})"
        else:
            sentence += f"; the bottleneck is {now.role}" + (f" (was {was.role})" if was is not None else "")
    return sentence + "."


@dataclass
class Comparison:
    """Two or more scenarios solved and compared with the first."""

    reports: list[ScenarioReport]
    frontiers: dict[str, Frontier] = field(default_factory=dict)

    @classmethod
    def rendering(cls, study: ComparisonStudy) -> Comparison:
        """The comparison of ``study`` (:func:`workbench.analyses.study.study_comparison`), ready to display."""
        return cls([ScenarioReport.of(s) for s in study.studies], dict(study.frontiers))

    @property
    def first(self):
        return self.reports[0].result

    def differences(self) -> list[Difference]:
        return [compare_results(self.first, report.result) for report in self.reports[1:]]

    # ------------------------------------------------------------------ sections
    def summary(self) -> Html:
        """One sentence per scenario against the first."""
        items = "".join(f"<li>{esc(change_sentence(d))}</li>" for d in self.differences())
        return Html(f"<p>Against <strong>{esc(self.first.scenario)}</strong>:</p><ul class='captions'>{items}</ul>")

    def kpis(self) -> Html:
        rows = []
        for report in self.reports:
            k = report.result.kpis()
            rows.append(
                {
                    "scenario": report.result.scenario,
                    "status": k["status"],
                    "objective": money(k["objective"]),
                    "selected": k["selected"],
                    "value": money(k["value"]),
                    "cost": money(k["cost"]),
                    "utilisation": percent(k["utilisation"]),
                }
            )
        return frame_html(pd.DataFrame(rows))

    def kpi_chart(self) -> list:
        """The key figures as bars, each labelled with its difference against the first."""
        rows = []
        base = self.first.kpis() if self.first.has_plan else None
        for report in self.reports:
            result = report.result
            k = result.kpis()
            for name, label in COMPARED_LABELS.items():
                value = k.get(name) if result.has_plan else None
                first = base.get(name) if base else None
                if name == "utilisation" and value is not None:  # drawn in percent; labelled in points
                    value = 100 * value
                    first = None if first is None else 100 * first
                if result is self.first:
                    text = "" if value is None else "first"
                elif value is None:
                    text = "no plan"
                else:
                    text = "" if first is None else _signed(value - first, name)
                rows.append({"scenario": result.scenario, "figure": label, "amount": value or 0.0, "label": text})
        frame = pd.DataFrame(rows)
        order = [r.result.scenario for r in self.reports]
        bars = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                x=alt.X("amount:Q", title=None),
                y=alt.Y("scenario:N", sort=order, title=None),
                color=alt.Color("scenario:N", sort=order, legend=None),
                tooltip=["scenario", "figure", "amount", "label"],
            )
        )
        labels = (
            alt.Chart(frame)
            .mark_text(align="left", dx=4, fontSize=10)
            .encode(x="amount:Q", y=alt.Y("scenario:N", sort=order), text="label:N")
        )
        chart = (
            alt.layer(bars, labels)
            .properties(width=300, height=22 * len(order))
            .facet(facet=alt.Facet("figure:N", sort=list(COMPARED_LABELS.values()), title=None), columns=2)
            .resolve_scale(x="independent")
        )
        return [Svg(chart), self.summary()]

    def roadmap_changes(self) -> list:
        """Per scenario: the projects that enter, leave or move, on one time axis, the first
        scenario's bar faded behind the other's, grouped by category."""
        parts = []
        for difference, report in zip(self.differences(), self.reports[1:]):
            caption = Html(f"<p class='caption'>{esc(change_sentence(difference))}</p>")
            if not difference.has_plan or not difference.first_has_plan:
                parts.extend([Html(f"<h4>{esc(difference.other)}</h4>"), caption, self.conflicts(report)])
                continue
            if not difference.changes:
                parts.extend([Html(f"<h4>{esc(difference.other)}</h4>"), caption])
                continue
            granularity = report.inputs.data.horizon.granularity
            horizon = report.inputs.data.horizon
            rows = []
            for change in difference.changes:
                row = {
                    "project": f"{change.category or '(none)'} · {change.id} {change.name}",
                    "change": change.change,
                    "category": change.category or "(none)",
                }
                for prefix, start, finish in (
                    ("first_", change.first_start, change.first_finish),
                    ("", change.start, change.finish),
                ):
                    if start is not None:
                        row[prefix + "from"] = period_date(start, granularity).isoformat()
                        row[prefix + "to"] = period_date(
                            horizon.label(horizon.index_of(finish) + 1), granularity
                        ).isoformat()
                rows.append(row)
            frame = pd.DataFrame(rows).sort_values(["category", "project"])
            order = list(frame["project"])
            faded = (
                alt.Chart(frame.dropna(subset=["first_from"]))
                .mark_bar(color="#bab0ac", opacity=0.45)
                .encode(
                    x=alt.X("first_from:T", title=None),
                    x2="first_to:T",
                    y=alt.Y("project:N", sort=order, title=None),
                    tooltip=["project", alt.Tooltip("first_from:T", title=f"start in {difference.first}")],
                )
            )
            now = (
                alt.Chart(frame.dropna(subset=["from"]))
                .mark_bar(height=7)
                .encode(
                    x="from:T",
                    x2="to:T",
                    y=alt.Y("project:N", sort=order),
                    color=alt.Color("change:N", scale=CHANGE_COLOURS),
                    tooltip=["project", "change", alt.Tooltip("from:T", title=f"start in {difference.other}")],
                )
            )
            leaving = (
                alt.Chart(frame[frame["change"] == "leaves"])
                .mark_tick(color="#e45756", thickness=2)
                .encode(x="first_from:T", y=alt.Y("project:N", sort=order))
            )
            chart = alt.layer(faded, now, leaving).properties(
                width=CHART_WIDTH,
                height=max(60, 16 * len(frame)),
                title=f"{difference.other} against {difference.first} (grey: {difference.first})",
            )
            parts.extend([Html(f"<h4>{esc(difference.other)}</h4>"), caption, Svg(chart)])
        return parts

    def conflicts(self, report: ScenarioReport) -> Html:
        """An infeasible scenario: what would have to change for a plan to exist."""
        result = report.result
        if not result.conflicts:
            return Html(f"<p>{esc(result.scenario)}: {esc(no_plan_sentence(result.status, result.stopped_by))}</p>")
        items = "".join(f"<li>{esc(c.message)}</li>" for c in result.conflicts)
        return Html(
            f"<div class='conflicts'><p><strong>{esc(result.scenario)} has no plan.</strong> One way to make "
            f"one possible (budgets and capacities relaxed first; not necessarily the smallest "
            f"change):</p><ul>{items}</ul></div>"
        )

    def capacity_change(self) -> list:
        """Per scenario, the change in each role's use of its capacity, period by period."""
        rows, captions = [], []
        for difference in self.differences():
            if not (difference.has_plan and difference.first_has_plan):
                continue
            rows.extend({**row, "scenario": difference.other} for row in difference.utilisation_change)
            changes = sorted(difference.utilisation_change, key=lambda r: r["change"])
            if changes and (changes[0]["change"] < -1e-9 or changes[-1]["change"] > 1e-9):
                up, down = changes[-1], changes[0]
                words = []
                if up["change"] > 1e-9:
                    words.append(f"{up['role']} rises most ({up['change'] * 100:+.0f} pts in {up['period']})")
                if down["change"] < -1e-9:
                    words.append(f"{down['role']} falls most ({down['change'] * 100:+.0f} pts in {down['period']})")
                captions.append(f"{difference.other}: " + "; ".join(words) + ".")
            else:
                captions.append(f"{difference.other}: capacity is used as in {difference.first}.")
        if not rows:
            return [Html("<p>No two plans to compare capacity between.</p>")]
        frame = pd.DataFrame(rows)
        limit = max(0.05, float(frame["change"].abs().max()))
        chart = (
            alt.Chart(frame)
            .mark_rect()
            .encode(
                x=alt.X("period:O", title=None, sort=None),
                y=alt.Y("role:N", title=None),
                color=alt.Color(
                    "change:Q",
                    title="change in use",
                    legend=alt.Legend(format="+%"),
                    scale=alt.Scale(scheme="redblue", reverse=True, domain=[-limit, limit]),
                ),
                tooltip=["scenario", "role", "period", alt.Tooltip("change:Q", format="+.1%")],
            )
            .properties(width=CHART_WIDTH, height=22 * frame["role"].nunique())
            .facet(row=alt.Row("scenario:N", title=None, sort=[r.result.scenario for r in self.reports[1:]]))
        )
        items = "".join(f"<li>{esc(c)}</li>" for c in captions)
        return [Html(f"<ul class='captions'>{items}</ul>"), Svg(chart)]

    def budget_chart(self) -> list:
        """Spend against budget per period, every scenario on one chart."""
        rows, totals = [], []
        for report in self.reports:
            result = report.result
            if not result.has_plan:
                continue
            for row in result.budget:
                rows.append({"scenario": result.scenario, "period": row.period, "series": "spend", "amount": row.spend})
                if row.budget is not None:
                    rows.append(
                        {
                            "scenario": result.scenario,
                            "period": row.period,
                            "series": "budget",
                            "amount": row.budget,
                        }
                    )
            totals.append((result.scenario, sum(r.spend for r in result.budget)))
        if not rows:
            return [Html("<p>No plan to show spend for.</p>")]
        frame = pd.DataFrame(rows)
        order = [r.result.scenario for r in self.reports]
        chart = (
            alt.Chart(frame)
            .mark_line(point=alt.OverlayMarkDef(size=18))
            .encode(
                x=alt.X("period:O", sort=None, title=None),
                y=alt.Y("amount:Q", title="per period"),
                color=alt.Color("scenario:N", sort=order),
                strokeDash=alt.StrokeDash("series:N", sort=["spend", "budget"]),
                tooltip=["scenario", "series", "period", alt.Tooltip("amount:Q", format=",.0f")],
            )
            .properties(width=CHART_WIDTH, height=240, title="Spend (solid) and budget (dashed) per period")
        )
        first_name, first_total = totals[0]
        sentence = (
            "; ".join(
                f"{name} spends {short_money(total)} ({spend_difference(total - first_total)})"
                for name, total in totals[1:]
            )
            if len(totals) > 1
            else ""
        )
        caption = (
            f"Over the horizon {first_name} spends {short_money(first_total)}"
            + (f"; {sentence}" if sentence else "")
            + "."
        )
        return [Html(f"<p class='caption'>{esc(caption)}</p>"), Svg(chart)]

    def frontier_chart(self) -> list:
        """The scenarios' frontiers on one chart, each scenario's plan marked (only where budgets differ)."""
        if not self.frontiers:
            return [
                Html(
                    "<p>The scenarios have the same budget: one frontier would serve them all (see each "
                    "scenario's report).</p>"
                )
            ]
        lines, marks = [], []
        for report in self.reports:
            name = report.result.scenario
            curve = self.frontiers.get(name)
            if curve is None:
                continue
            lines.extend(
                {
                    "scenario": name,
                    "budget_total": p.budget_total,
                    "objective": p.objective,
                    "status": p.status.value,
                }
                for p in curve.points
                if p.objective is not None
            )
            marks.append(
                {
                    "scenario": name,
                    "spend": sum(r.spend for r in report.result.budget),
                    "objective": report.result.objective,
                }
            )
        order = [r.result.scenario for r in self.reports]
        line = (
            alt.Chart(pd.DataFrame(lines))
            .mark_line(point=True)
            .encode(
                x=alt.X("budget_total:Q", title="total budget over the horizon"),
                y=alt.Y("objective:Q", title=f"best {self.first.objective_kind}"),
                color=alt.Color("scenario:N", sort=order),
                tooltip=["scenario", "budget_total", "objective", "status"],
            )
        )
        mark = (
            alt.Chart(pd.DataFrame(marks))
            .mark_point(size=160, shape="diamond", filled=True)
            .encode(
                x="spend:Q",
                y="objective:Q",
                color=alt.Color("scenario:N", sort=order),
                tooltip=["scenario", "spend", "objective"],
            )
        )
        unproven = sum(p["status"] != "optimal" for p in lines)
        best = max(marks, key=lambda m: m["objective"])
        caption = (
            f"Diamonds mark each scenario's plan; {best['scenario']} reaches the highest objective "
            f"({short_money(best['objective'])})."
        ) + (f" {unproven} frontier points are not proven optimal." if unproven else "")
        return [
            Html(f"<p class='caption'>{esc(caption)}</p>"),
            Svg((line + mark).properties(width=CHART_WIDTH, height=260, title="Efficient frontiers")),
        ]

    def project_changes(self) -> Html:
        """Every project that enters, leaves or moves, as a table; an infeasible scenario by its conflicts."""
        rows, notes = [], []
        for difference, report in zip(self.differences(), self.reports[1:]):
            if not (difference.has_plan and difference.first_has_plan):
                notes.append(
                    self.conflicts(report).markup
                    if not difference.has_plan
                    else f"<p>{esc(difference.first)} has no plan to compare with.</p>"
                )
                continue
            by_id = {p.id: p for p in report.result.projects}
            for change in difference.changes:
                what = {
                    "enters": "enters",
                    "leaves": "leaves",
                    "moves": f"moves {change.first_start} -> {change.start}",
                }[change.change]
                rows.append(
                    {
                        "scenario": difference.other,
                        "project": change.id,
                        "name": change.name,
                        "change": what,
                        "reason": by_id[change.id].reason,
                    }
                )
        table = (
            frame_html(pd.DataFrame(rows)).markup
            if rows
            else f"<p>No project enters, leaves or moves against {esc(self.first.scenario)}.</p>"
        )
        return Html(table + "".join(notes))
