"""Status report sections: what ``notebooks/status_report.ipynb`` displays, each an escaped HTML
table or an inline-SVG chart (no script, no external URL), as in the planning report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import altair as alt
import pandas as pd

from workbench.analyses.earned_value import worst_first
from workbench.analyses.study import StatusStudy
from workbench.faces.charts import period_date
from workbench.faces.views import replan_cost_text
from workbench.faces.markup import CHART_WIDTH, Html, Svg, esc, frame_html
from workbench.ground.formatting import money
from workbench.planning.result import package_versions

RAG_COLOURS = alt.Scale(domain=["red", "amber", "green", "none"], range=["#e45756", "#f2a541", "#54a24b", "#bab0ac"])


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


@dataclass
class StatusSections(StatusStudy):
    """One scenario's status as of its status period, ready to display."""

    @classmethod
    def rendering(cls, study: StatusStudy) -> StatusSections:
        """The sections of ``study`` (:func:`workbench.analyses.study.study_status`), ready to display."""
        return cls(**{f.name: getattr(study, f.name) for f in fields(StatusStudy)})

    @property
    def status_period(self) -> int:
        return self.inputs.data.horizon.index_of(self.report.as_of)

    # ------------------------------------------------------------------ tables
    def summary(self) -> Html:
        totals = self.report.portfolio
        rows = [
            ("Scenario", esc(self.report.scenario), "scenario"),
            ("Status date", esc(self.report.as_of), "as_of"),
            ("Projects", str(totals["projects"]), "projects"),
        ]
        rows += [(f"RAG {rag}", str(count), f"rag_{rag}") for rag, count in totals["rag"].items()]
        rows += [
            (label, money(totals[key]), key)
            for label, key in (
                ("Budget at completion (BAC)", "bac"),
                ("Planned value (PV)", "pv"),
                ("Earned value (EV)", "ev"),
                ("Actual cost (AC)", "ac"),
                ("Estimate at completion (EAC)", "eac"),
            )
        ]
        rows += [
            ("Cost performance (CPI)", _number(totals["cpi"], 3), "cpi"),
            ("Schedule performance (SPI)", _number(totals["spi"], 3), "spi"),
        ]
        body = "".join(f'<tr><th>{label}</th><td data-kpi="{key}">{value}</td></tr>' for label, value, key in rows)
        warnings = "".join(f"<p class='warning'>Warning: {esc(w)}</p>" for w in self.report.warnings)
        return Html(f'<table class="kpis">{body}</table>{warnings}')

    def rag_table(self) -> Html:
        records = worst_first(self.report)
        frame = pd.DataFrame(
            [
                {
                    "id": r["id"],
                    "name": r["name"],
                    "RAG": r["rag"],
                    "state": r["state"],
                    "% complete": _number(r["percent_complete"], 0),
                    "CPI": _number(r["cpi"]),
                    "SPI(t)": _number(r["spi_t"]),
                    "EAC": money(r["eac"]),
                    "VAC": money(r["vac"]),
                    "baseline finish": r["baseline_finish"] or "-",
                    "forecast finish": r["forecast_finish"] or "-",
                }
                for r in records
            ]
        )
        return frame_html(frame)

    def decisions(self) -> Html:
        """Projects that need a decision: red, not started as planned, or running without a baseline."""
        rows = []
        for record in worst_first(self.report):
            why = []
            if record["rag"] == "red":
                why.append("red: CPI or SPI(t) below the red threshold")
            if record["state"] == "not_started" and record["pv"] > 0:
                why.append(f"not started, though {money(record['pv'])} of work was planned by now")
            if record["baseline_start"] is None:
                why.append("running without a baseline row: approve it or stop it")
            if why:
                rows.append({"id": record["id"], "name": record["name"], "why": "; ".join(why)})
        if not rows:
            return Html("<p>No project needs a decision.</p>")
        return frame_html(pd.DataFrame(rows))

    # ------------------------------------------------------------------ charts
    def _dates(self) -> list[str]:
        horizon = self.inputs.data.horizon
        return [_first_day(horizon.label(t), horizon.granularity.value) for t in range(horizon.periods)]

    def curves(self) -> pd.DataFrame:
        """Per project and period: cumulative PV (whole horizon), and EV and AC up to the status date
        (:func:`workbench.analyses.earned_value.status_curves`)."""
        return pd.DataFrame(self.curve_rows)

    def s_curves(self) -> list:
        curves = self.curves()
        dates = self._dates()
        total = curves.groupby("period", as_index=False)[["PV", "EV", "AC"]].sum(min_count=1)
        total["date"] = [dates[t] for t in total["period"]]
        long = total.melt(
            id_vars=["date"], value_vars=["PV", "EV", "AC"], var_name="series", value_name="money"
        ).dropna()
        portfolio_chart = (
            alt.Chart(long, title="Portfolio: planned value, earned value and actual cost")
            .mark_line(point=True)
            .encode(
                x=alt.X("date:T", title=None),
                y=alt.Y("money:Q", title="cumulative money"),
                color=alt.Color("series:N", scale=alt.Scale(domain=["PV", "EV", "AC"])),
            )
            .properties(width=CHART_WIDTH, height=240)
        )
        watched = [r["id"] for r in worst_first(self.report) if r["rag"] in ("red", "amber")][:8]
        per = curves[curves["project"].isin(watched)].copy()
        per["date"] = [dates[t] for t in per["period"]]
        per_long = per.melt(
            id_vars=["project", "date"], value_vars=["PV", "EV", "AC"], var_name="series", value_name="money"
        ).dropna()
        parts = [Svg(portfolio_chart)]
        if len(per_long):
            parts.append(
                Svg(
                    alt.Chart(per_long)
                    .mark_line()
                    .encode(
                        x=alt.X("date:T", title=None),
                        y=alt.Y("money:Q", title=None),
                        color=alt.Color("series:N", scale=alt.Scale(domain=["PV", "EV", "AC"])),
                    )
                    .properties(width=320, height=120)
                    .facet(facet=alt.Facet("project:N", title=None), columns=2)
                    .resolve_scale(y="independent")
                    .properties(title="Red and amber projects")
                )
            )
        return parts

    def quadrant(self) -> Svg | Html:
        frame = pd.DataFrame(
            [
                {"id": p.id, "CPI": p.cpi, "SPI(t)": p.spi_t, "rag": p.rag.value}
                for p in self.report.projects
                if p.cpi is not None and p.spi_t is not None
            ]
        )
        if frame.empty:
            return Html("<p>No project has both a CPI and an SPI(t) yet.</p>")
        points = (
            alt.Chart(frame)
            .mark_circle(size=120)
            .encode(
                x=alt.X("SPI(t):Q", title="SPI(t): schedule"),
                y=alt.Y("CPI:Q", title="CPI: cost"),
                color=alt.Color("rag:N", scale=RAG_COLOURS),
                tooltip=["id", "CPI", "SPI(t)"],
            )
        )
        labels = points.mark_text(dx=9, align="left").encode(text="id:N")
        rules = alt.Chart(pd.DataFrame({"one": [1.0]}))
        lines = rules.mark_rule(strokeDash=[4, 4]).encode(x="one:Q") + rules.mark_rule(strokeDash=[4, 4]).encode(
            y="one:Q"
        )
        return Svg(
            (points + labels + lines).properties(
                width=CHART_WIDTH, height=320, title="Cost against schedule (lower left: over cost and late)"
            )
        )

    def finishes(self) -> Svg | Html:
        horizon = self.inputs.data.horizon
        rows = []
        for p in self.report.projects:
            if p.baseline_finish and p.forecast_finish:
                for kind, label in (("baseline", p.baseline_finish), ("forecast", p.forecast_finish)):
                    rows.append(
                        {
                            "project": p.id,
                            "finish": kind,
                            "date": _first_day(label, horizon.granularity.value),
                            "rag": p.rag.value,
                        }
                    )
        if not rows:
            return Html("<p>No forecast finish yet.</p>")
        frame = pd.DataFrame(rows)
        chart = (
            alt.Chart(frame, title="Baseline finish (hollow) against forecast finish (filled)")
            .mark_point(size=90, filled=True)
            .encode(
                x=alt.X("date:T", title=None),
                y=alt.Y("project:N", title=None),
                shape=alt.Shape("finish:N"),
                fillOpacity=alt.condition("datum.finish == 'forecast'", alt.value(1.0), alt.value(0.0)),
                stroke=alt.Color("rag:N", scale=RAG_COLOURS),
                color=alt.Color("rag:N", scale=RAG_COLOURS),
            )
        )
        return Svg(chart.properties(width=CHART_WIDTH, height=max(120, 16 * frame["project"].nunique())))

    def spend(self) -> Svg:
        """Actual spend per period to date, the baseline's planned spend, the re-plan's forecast
        after the status date (when a re-plan exists), and the budget."""
        data = self.inputs.data
        curves = self.curves()
        dates = self._dates()
        planned = curves.groupby("period")["PV"].sum().diff().fillna(curves.groupby("period")["PV"].sum())
        actual = curves.groupby("period")["AC"].sum(min_count=1).diff()
        actual.iloc[0] = curves.groupby("period")["AC"].sum(min_count=1).iloc[0]
        forecast = [None] * len(dates)
        if self.replan_result.has_plan:
            forecast = [
                row.spend if t > self.status_period else None for t, row in enumerate(self.replan_result.budget)
            ]
        frame = pd.DataFrame(
            {
                "date": dates,
                "planned (baseline)": planned.values,
                "actual": actual.values,
                "forecast (re-plan)": forecast,
                "budget": data.budget,
            }
        )
        long = frame.melt(id_vars=["date"], var_name="series", value_name="money").dropna()
        chart = (
            alt.Chart(
                long, title="Spend per period: actual to date, the re-plan's forecast, the baseline and the budget"
            )
            .mark_line(point=True)
            .encode(x=alt.X("date:T", title=None), y=alt.Y("money:Q", title="money"), color=alt.Color("series:N"))
        )
        return Svg(chart.properties(width=CHART_WIDTH, height=240))

    def effort(self) -> Svg | Html:
        effort = self.inputs.portfolio.table("effort")
        if effort.empty:
            return Html("<p>No effort actuals reported.</p>")
        dates = self._dates()
        booked = effort.groupby(["role", "period"], as_index=False)["fte"].sum()
        capacity = self.inputs.data.capacity
        frame = booked.merge(capacity.rename(columns={"fte": "capacity"}), on=["role", "period"], how="left")
        frame["date"] = [dates[int(t)] for t in frame["period"]]
        long = frame.melt(id_vars=["role", "date"], value_vars=["fte", "capacity"], var_name="series", value_name="FTE")
        chart = (
            alt.Chart(long)
            .mark_line(point=True)
            .encode(
                x=alt.X("date:T", title=None),
                y=alt.Y("FTE:Q"),
                color=alt.Color("series:N"),
            )
            .properties(width=320, height=110)
            .facet(facet=alt.Facet("role:N", title=None), columns=2)
            .properties(title="Effort booked against capacity, per role")
        )
        return Svg(chart)

    def replan(self) -> Html:
        """The re-plan of the periods after the status date against the baseline (docs/status.md)."""
        result = self.replan_result
        if not result.has_plan:
            items = "".join(f"<li>{esc(c.message)}</li>" for c in result.conflicts)
            return Html(
                "<div class='conflicts'><p><strong>No re-plan exists from the status date.</strong> One way "
                f"to make one possible (budgets and capacities relaxed first):</p><ul>{items}</ul></div>"
            )
        if not result.baseline_changes:
            return Html(f"<p>The re-plan ({esc(result.status.value)}) keeps the baseline as it is.</p>")
        frame = pd.DataFrame(
            [
                {
                    "project": c.project,
                    "change": c.change.value,
                    "baseline start": c.baseline_start or "-",
                    "re-planned start": c.start or "-",
                    "baseline finish": c.baseline_finish or "-",
                    "forecast finish": c.finish or "-",
                    "reason": c.reason,
                }
                for c in result.baseline_changes
            ]
        )
        return Html(
            f"<p>Re-plan: {esc(result.status.value)}, objective {money(result.objective)}; "
            f"{esc(replan_cost_text(result.replan))}.</p>" + frame_html(frame).markup
        )

    def appendix(self) -> Html:
        portfolio = self.inputs.portfolio
        versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in package_versions().items())
        return Html(
            f"<table class='kpis'><tr><th>Data SHA-256</th><td data-kpi=\"data_sha256\">{esc(portfolio.data_hash)}"
            f"</td></tr><tr><th>Scenario file</th><td>{esc(self.inputs.scenario.path)}</td></tr>"
            f"<tr><th>Package versions</th><td>{versions}</td></tr>"
            f"<tr><th>Generated</th><td>{dt.datetime.now().isoformat(timespec='seconds')}</td></tr></table>"
            "<p>Definitions and the re-plan's rules: docs/status.md.</p>"
        )


def _first_day(label: str, granularity: str) -> str:
    return period_date(label, granularity).isoformat()
