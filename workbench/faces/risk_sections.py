"""The planning report's risk section (docs/risk.md): S-curves, overruns by year, overload heat map,
a roadmap with P80 finishes, the tornado, the register and, when computed, the core index. Every
part is escaped HTML or an inline-SVG chart, as in the rest of the report."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from workbench.ground.cells import is_missing
from workbench.analyses.risk import RiskReport
from workbench.data.planning_data import Inputs
from workbench.faces import charts
from workbench.faces.markup import CHART_WIDTH, Html, Svg, esc, frame_html
from workbench.faces.views import regret_text
from workbench.ground.formatting import money, no_plan_sentence
from workbench.planning.result import Result

QUANTILE_LINES = pd.DataFrame({"level": [0.5, 0.8], "label": ["P50", "P80"]})


@dataclass
class RiskSection:
    """A plan's Monte Carlo (and re-solved futures, when asked for), ready to display."""

    inputs: Inputs
    result: Result
    report: RiskReport

    def parts(self) -> list:
        """The section in reading order: headings, sentences, charts and tables."""
        report = self.report
        total = report.budget_overrun_probability.get("total")
        level = self.inputs.scenario.spec.risk.plan_at
        basis = (
            f"planned at P{round(level * 100)}: each project's cost and duration at that percentile of its range"
            if level is not None
            else "planned with the point estimates"
        )

        def figure(key: str, value: float) -> str:
            return f'<span data-kpi="{key}">{money(value)}</span>'

        summary = (
            f"{report.samples:,} samples (seed {report.seed}) of the plan, {esc(basis)}. Total cost P50 "
            f"{figure('risk_cost_p50', report.cost['p50'])}, P80 {figure('risk_cost_p80', report.cost['p80'])}; "
            f"value P50 {figure('risk_value_p50', report.value['p50'])}, "
            f"P80 {figure('risk_value_p80', report.value['p80'])}."
        )
        any_period = report.any_period_overrun
        if any_period is not None:
            summary += (
                " Probability that at least one period overruns its budget: "
                f'<span data-kpi="risk_overrun_any_period">{any_period:.1%}</span>.'
            )
        if total is not None:
            what = (
                "spending after the status date, to the horizon's end, exceeding what is left of the total budget"
                if report.as_of
                else "spending more than the total budget over the horizon"
            )
            summary += (
                f" Probability of {what} of {money(report.budget_total)}: "
                f'<span data-kpi="risk_overrun_total">{total:.1%}</span>.'
            )
        else:
            summary += " The scenario has no total budget."
        if report.as_of is not None:
            summary += (
                f" From the status date {esc(report.as_of)}: the cost includes the actual cost to date "
                f"({money(report.actual_cost)}) in every sample; the work still to do is sampled."
            )
        if report.hiring_cost:
            summary += f" The cost includes the plan's hiring ({money(report.hiring_cost)}) in every sample."
        parts = [
            Html(f"<p>{summary}</p>"),
            self.s_curves(),
            self.overrun_by_year(),
            self.overload_heatmap(),
            self.p80_roadmap(),
            self.tornado(),
            *self.register(),
        ]
        if report.regret is not None:
            parts.extend(self.core_index())
        parts.extend(Html(f"<p class='warning'>Warning: {esc(w)}</p>") for w in report.warnings)
        return parts

    # ------------------------------------------------------------------ charts
    def s_curves(self) -> Svg:
        curves = self.report.curves
        frame = pd.DataFrame({"level": curves["level"], "cost": curves["cost"], "value": curves["value"]})

        def curve(figure: str, title: str, limit: float | None) -> alt.LayerChart:
            line = (
                alt.Chart(frame)
                .mark_line()
                .encode(
                    x=alt.X(f"{figure}:Q", title=figure, scale=alt.Scale(zero=False)),
                    y=alt.Y("level:Q", title="probability of at most this", axis=alt.Axis(format="%")),
                )
            )
            rules = alt.Chart(QUANTILE_LINES).mark_rule(strokeDash=[4, 3], color="#888").encode(y="level:Q")
            labels = (
                alt.Chart(QUANTILE_LINES)
                .mark_text(align="left", dx=4, dy=-6, color="#555")
                .encode(y="level:Q", x=alt.value(0), text="label:N")
            )
            layers = [line, rules, labels]
            if limit is not None:
                budget = pd.DataFrame({figure: [limit], "label": ["budget"]})
                layers.append(alt.Chart(budget).mark_rule(color="#e45756", strokeWidth=2).encode(x=f"{figure}:Q"))
                layers.append(
                    alt.Chart(budget)
                    .mark_text(color="#e45756", align="left", dx=4, y=8)
                    .encode(x=f"{figure}:Q", text="label:N")
                )
            return alt.layer(*layers).properties(width=CHART_WIDTH // 2 - 40, height=200, title=title)

        return Svg(
            alt.hconcat(
                curve("cost", "Total cost S-curve (red: total budget)", self.report.budget_total),
                curve("value", "Value S-curve", None),
            )
        )

    def overrun_by_year(self) -> Svg | Html:
        by_year = self.report.overrun_by_year
        if not by_year:
            return Html("<p>No year has a budget in every period: no yearly overrun to state.</p>")
        frame = pd.DataFrame({"year": list(by_year), "probability": list(by_year.values())})
        return Svg(
            alt.Chart(frame, title="Probability of spending more than the year's budget")
            .mark_bar()
            .encode(
                x=alt.X("year:N", title=None),
                y=alt.Y("probability:Q", axis=alt.Axis(format="%"), title=None, scale=alt.Scale(domain=[0, 1])),
                tooltip=["year", alt.Tooltip("probability:Q", format=".1%")],
            )
            .properties(width=CHART_WIDTH // 2, height=160)
        )

    def overload_heatmap(self) -> Svg:
        data = self.inputs.data
        found = {(r["role"], r["period"]): r["probability"] for r in self.report.capacity_overload_probability}
        frame = pd.DataFrame(
            [
                {
                    "role": role,
                    "period": data.horizon.label(t),
                    "probability": found.get((role, data.horizon.label(t)), 0.0),
                }
                for role in data.roles
                for t in range(data.periods)
            ]
        )
        return Svg(
            alt.Chart(frame, title="Probability that demand exceeds capacity (hiring included)")
            .mark_rect()
            .encode(
                x=alt.X("period:O", title=None),
                y=alt.Y("role:N", title=None),
                color=alt.Color(
                    "probability:Q", scale=alt.Scale(domain=[0, 1], scheme="orangered"), legend=alt.Legend(format="%")
                ),
                tooltip=["role", "period", alt.Tooltip("probability:Q", format=".1%")],
            )
            .properties(width=CHART_WIDTH, height=24 * len(data.roles))
        )

    def p80_roadmap(self) -> Svg:
        data = self.inputs.data
        horizon = data.horizon
        frame = charts.roadmap_frame(self.result, data)
        p80 = {f["id"]: f["p80"] for f in self.report.finish}
        frame["p80_end"] = [
            charts.period_date(horizon.label(horizon.index_of(p80[i]) + 1), horizon.granularity).isoformat()
            for i in frame["id"]
        ]
        bars = charts.roadmap_chart(
            frame, CHART_WIDTH, title="Roadmap: planned run, and the slip to the P80 finish (red)"
        )
        slip = (
            alt.Chart(frame[frame["p80_end"] > frame["end"]])
            .mark_bar(color="#e45756", opacity=0.6)
            .encode(
                x="end:T",
                x2="p80_end:T",
                y=alt.Y("project:N", sort=list(frame["project"])),
                tooltip=["project", alt.Tooltip("p80_end:T", title="end of the P80 finish")],
            )
        )
        return Svg(alt.layer(bars, slip))

    def tornado(self) -> Svg | Html:
        drivers = pd.DataFrame(self.report.drivers)
        if drivers.empty or (drivers["share_of_variance"] == 0).all():
            return Html("<p>No project's cost varies: nothing drives the total's variance.</p>")
        return Svg(
            alt.Chart(drivers, title="What drives the variance of the total cost")
            .mark_bar()
            .encode(
                x=alt.X("share_of_variance:Q", axis=alt.Axis(format="%"), title="share of the total's variance"),
                y=alt.Y("id:N", sort=list(drivers["id"]), title=None),
                tooltip=["id", alt.Tooltip("share_of_variance:Q", format=".1%")],
            )
            .properties(width=CHART_WIDTH // 2, height=max(60, 20 * len(drivers)))
        )

    def register(self) -> list:
        risks = self.inputs.portfolio.table("risks")
        if risks.empty:
            return [Html("<p>The portfolio has no risk register.</p>")]
        columns = [
            "id",
            "title",
            "project",
            "probability",
            "cost_impact",
            "delay",
            "owner",
            "status",
            "mitigation",
            "due",
        ]
        frame = risks[columns].copy()
        frame["status"] = frame["status"].fillna("open")
        frame["due"] = [None if is_missing(d) else self.inputs.data.horizon.label(int(d)) for d in frame["due"]]
        points = frame.assign(
            cost_impact=frame["cost_impact"].fillna(0.0).astype(float),
            delay=frame["delay"].fillna(0).astype(float),
            probability=frame["probability"].astype(float),
        )
        chart = alt.Chart(points, title="Risk register: probability against cost impact (size: delay)")
        dots = chart.mark_circle(opacity=0.7).encode(
            x=alt.X("probability:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("cost_impact:Q", title="cost impact"),
            size=alt.Size("delay:Q", title="delay (periods)"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=["open", "mitigated", "closed"], range=["#e45756", "#f2a541", "#54a24b"]),
            ),
            tooltip=["id", "title", "project", "probability", "cost_impact", "delay", "status"],
        )
        labels = chart.mark_text(align="left", dx=7, fontSize=10).encode(
            x="probability:Q", y="cost_impact:Q", text="id:N"
        )
        table = frame.assign(
            probability=frame["probability"].map(lambda v: f"{float(v):.0%}"),
            cost_impact=frame["cost_impact"].map(money),
        )
        return [Svg((dots + labels).properties(width=CHART_WIDTH, height=260)), frame_html(table)]

    def core_index(self) -> list:
        report = self.report
        parts = [Html(f"<p>{esc(regret_text(report.regret))}</p>")]
        shares = pd.DataFrame([c for c in report.core_index or [] if c["share"] > 0])
        if shares.empty:
            return parts + [Html("<p>No future's optimum was proven: no core index to show.</p>")]
        chosen = {p.id for p in self.result.selected}
        shares["in this plan"] = shares["id"].map(lambda i: "yes" if i in chosen else "no")
        parts.append(
            Svg(
                alt.Chart(shares, title="Core index: share of the sampled futures whose optimum selects the project")
                .mark_bar()
                .encode(
                    x=alt.X("share:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title=None),
                    y=alt.Y("id:N", sort=list(shares["id"]), title=None),
                    color=alt.Color(
                        "in this plan:N", scale=alt.Scale(domain=["yes", "no"], range=["#4c78a8", "#bab0ac"])
                    ),
                    tooltip=["id", alt.Tooltip("share:Q", format=".0%")],
                )
                .properties(width=CHART_WIDTH // 2, height=max(60, 14 * len(shares)))
            )
        )
        return parts


def risk_section(inputs: Inputs, result: Result, report: RiskReport | None) -> list:
    """What the report's risk section shows of ``report`` (:func:`workbench.analyses.study.study_risk`):
    the section's parts, or why there are none."""
    if report is not None:
        return RiskSection(inputs, result, report).parts()
    if not result.has_plan:
        return [Html(f"<p><em>No plan to simulate. {esc(no_plan_sentence(result.status, result.stopped_by))}</em></p>")]
    return [
        Html(
            "<p>The portfolio has no uncertainty table and no risk register: nothing to simulate "
            "(docs/risk.md says how to add them).</p>"
        )
    ]
