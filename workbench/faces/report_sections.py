"""Report sections: the notebooks call these, so that the templates hold narrative and calls only.

Every section returns an object the notebook displays: HTML (all data text escaped) or an
Altair chart rendered to inline SVG by vl-convert, so the report needs no JavaScript and no
network to show its charts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from workbench.ground.imports import skip_iri_grammar

skip_iri_grammar()  # before Altair imports jsonschema: 0.7 s of a report kernel's start


import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from workbench.analyses.study import ScenarioStudy  # noqa: E402
from workbench.faces import charts  # noqa: E402
from workbench.faces.export import write_tables_into  # noqa: E402
from workbench.faces.markup import CHART_WIDTH, Html, Svg, esc, frame_html  # noqa: E402
from workbench.faces.risk_sections import risk_section  # noqa: E402
from workbench.faces.views import binding_table, optimiser_gain_sentences, replan_cost_text  # noqa: E402
from workbench.ground.formatting import (  # noqa: E402
    default_limit_sentence,
    money,
    no_plan_sentence,
    percent,
    status_label,
)
from workbench.ground.files import write_atomically  # noqa: E402
from workbench.planning.result import KPI_LABELS  # noqa: E402

#: the chart sections, in the order the notebook shows them
CHART_SECTIONS: list[str] = []


def drawn_ahead(section: Callable[[ScenarioReport], object]) -> Callable[[ScenarioReport], object]:
    """A chart section that :meth:`ScenarioReport.draw_ahead` makes once, before the notebook shows it."""

    @functools.wraps(section)
    def made_once(self: ScenarioReport) -> object:
        if section.__name__ not in self.made:
            self.made[section.__name__] = section(self)
        return self.made[section.__name__]

    CHART_SECTIONS.append(section.__name__)
    return made_once


@dataclass
class ScenarioReport(ScenarioStudy):
    """One scenario's study (:func:`workbench.analyses.study.study_scenario`), rendered for a report."""

    #: sections already made (their charts drawn or being drawn), by method name
    made: dict = field(default_factory=dict)

    @classmethod
    def of(cls, study: ScenarioStudy) -> ScenarioReport:
        """The sections of ``study``, made when first shown."""
        return cls(**{f.name: getattr(study, f.name) for f in fields(ScenarioStudy)})

    @classmethod
    def rendering(cls, study: ScenarioStudy, output_dir: str | Path | None = None) -> ScenarioReport:
        """The report of ``study``: every chart is sent to the drawing processes
        (:mod:`workbench.faces.markup`) now, and drawn while the result tables are written to
        ``output_dir`` (none when omitted) and the notebook shows the sections before them.

        Parameters
        ----------
        study : ScenarioStudy
            What the analyses found.
        output_dir : str or Path, optional
            Where the result tables (CSV, xlsx) and the timings are written.

        Returns
        -------
        ScenarioReport
            The sections, ready to display.
        """
        report = cls.of(study)
        report.draw_ahead()
        if output_dir is not None:
            write_tables_into(study.result, Path(output_dir), xlsx=True)
            write_atomically(
                Path(output_dir) / "timings.json",
                json.dumps({"solver_work_seconds": study.seconds, **study.timings}, indent=2),
            )
        return report

    def draw_ahead(self) -> None:
        """Make every chart section now, so that their charts are drawn while the rest is computed."""
        for name in CHART_SECTIONS:
            getattr(self, name)()

    def risk(self) -> list:
        """The risk section (docs/risk.md): the plan's Monte Carlo, with the futures re-solved, if any."""
        if "risk" not in self.made:
            self.made["risk"] = risk_section(self.inputs, self.result, self.risk_report)
        return self.made["risk"]

    # ------------------------------------------------------------------ sections
    def summary(self) -> Html:
        k = self.result.kpis()
        status = status_label(k["status"], k["gap"], stopped_by=self.result.stopped_by)
        rows = [
            ("Scenario", esc(self.result.scenario), "scenario"),
            ("Status", esc(status), "status"),
            (f"Objective ({esc(self.result.objective_kind)})", money(k["objective"]), "objective"),
            ("Optimality gap", "-" if k["gap"] is None else f"{k['gap']:.4%}", "gap"),
            (KPI_LABELS["selected"], f"{k['selected']} of {k['projects']}", "selected"),
            (KPI_LABELS["value"], money(k["value"]), "value"),
            (
                KPI_LABELS["cost"] + (" (at completion: actual + ETC for started ones)" if self.result.replan else ""),
                money(k["cost"]),
                "cost",
            ),
            (KPI_LABELS["utilisation"], percent(k["utilisation"]), "utilisation"),
            (
                "Solver",
                f"{esc(k['solver'])}, {k['solver_seconds']:.2f} s {esc(default_limit_sentence(self.result.solver))}",
                "solver",
            ),
        ]
        if self.result.replan:
            rows.append(("Re-plan's forecast cost", esc(replan_cost_text(self.result.replan)), "replan_forecast"))
        body = "".join(f'<tr><th>{label}</th><td data-kpi="{key}">{value}</td></tr>' for label, value, key in rows)
        description = self.inputs.scenario.spec.description
        intro = f"<p>{esc(description)}</p>" if description else ""
        return Html(f'{intro}<table class="kpis">{body}</table>')

    def conflicts(self) -> Html:
        if not self.result.conflicts:
            return Html("<p>A plan exists: nothing conflicts.</p>")
        items = "".join(f"<li>{esc(c.message)}</li>" for c in self.result.conflicts)
        return Html(
            f'<div class="conflicts"><p><strong>No plan satisfies every constraint.</strong> '
            f"One way to make a plan possible, relaxing budgets and capacities before windows and "
            f"commitments (a weighted relaxation, not necessarily the smallest change; the relaxed plan "
            f"holds the commitments and what they need):</p><ul>{items}</ul></div>"
        )

    def projects(self, selected: bool) -> Html:
        rows = [p for p in self.result.projects if p.selected == selected]
        if not rows:
            return Html("<p>None.</p>")
        frame = pd.DataFrame(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "category": p.category,
                    "start": p.start,
                    "finish": p.finish,
                    "value": money(p.value),
                    "cost": money(p.cost),
                    "reason": p.reason,
                }
                for p in rows
            ]
        )
        if not selected:
            frame = frame.drop(columns=["start", "finish"])
        return frame_html(frame)

    def _no_plan(self) -> Html | None:
        if self.result.has_plan:
            return None
        return Html(f"<p><em>{esc(no_plan_sentence(self.result.status, self.result.stopped_by))}</em></p>")

    @drawn_ahead
    def roadmap(self):
        if self._no_plan():
            return self._no_plan()
        frame = charts.roadmap_frame(self.result, self.inputs.data)
        return Svg(charts.roadmap_chart(frame, CHART_WIDTH, title="Roadmap of selected projects"))

    @drawn_ahead
    def capacity_heatmap(self):
        if self._no_plan():
            return self._no_plan()
        return Svg(
            charts.capacity_heatmap(
                self.result, CHART_WIDTH, title="Demand as a share of capacity (hired FTE included)"
            )
        )

    @drawn_ahead
    def capacity_lines(self):
        if self._no_plan():
            return self._no_plan()
        frame = charts.capacity_frame(self.result)
        long = frame.melt(
            id_vars=["role", "period"], value_vars=["demand", "capacity", "hired"], var_name="series", value_name="fte"
        )
        chart = (
            alt.Chart(long)
            .mark_line(point=True)
            .encode(
                x=alt.X("period:O", title=None),
                y=alt.Y("fte:Q", title="FTE"),
                color=alt.Color("series:N", scale=alt.Scale(domain=["demand", "capacity", "hired"])),
            )
            .properties(width=300, height=110)
            .facet(facet=alt.Facet("role:N", title=None), columns=2)
            .resolve_scale(y="independent")
            .properties(title="Demand against capacity per role")
        )
        return Svg(chart)

    @drawn_ahead
    def budget_chart(self):
        if self._no_plan():
            return self._no_plan()
        return Svg(
            charts.budget_chart(self.result, CHART_WIDTH, 220, title="Spend (bars) against budget (line) per period")
        )

    @drawn_ahead
    def balance(self):
        if self._no_plan():
            return self._no_plan()
        frame = pd.DataFrame([{"category": p.category or "(none)", "cost": p.cost} for p in self.result.selected])
        frame = frame.groupby("category", as_index=False)["cost"].sum()
        frame["share"] = frame["cost"] / frame["cost"].sum() if frame["cost"].sum() > 0 else 0.0
        chart = (
            alt.Chart(frame, title="Selected cost by category")
            .mark_bar()
            .encode(
                x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of selected cost"),
                y=alt.Y("category:N", title=None),
                color=alt.Color("category:N", legend=None),
                tooltip=["category", "cost", alt.Tooltip("share:Q", format=".1%")],
            )
            .properties(width=CHART_WIDTH, height=30 * len(frame))
        )
        return Svg(chart)

    @drawn_ahead
    def frontier_chart(self):
        if self._no_plan():
            return self._no_plan()
        if not self.frontier or not self.frontier.points:
            return Html("<p>The frontier could not be traced within the time limit.</p>")
        frame = self.frontier.frame().dropna(subset=["objective"])
        here = pd.DataFrame(
            [
                {
                    "spend": sum(r.spend for r in self.result.budget),
                    "objective": self.result.objective,
                    "label": "this scenario",
                }
            ]
        )
        line = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=alt.X("budget_total:Q", title="total budget over the horizon"),
                y=alt.Y("objective:Q", title=f"best {self.result.objective_kind}"),
                tooltip=["budget_total", "objective", "spend"],
            )
        )
        point = (
            alt.Chart(here)
            .mark_point(size=160, shape="diamond", filled=True, color="#e45756")
            .encode(x="spend:Q", y="objective:Q", tooltip=["label", "spend", "objective"])
        )
        return Svg(
            (line + point).properties(
                width=CHART_WIDTH, height=260, title="Efficient frontier (diamond: this scenario)"
            )
        )

    @drawn_ahead
    def ranked_comparison(self):
        if self._no_plan() or self.prioritisation is None:
            return [self._no_plan() or Html("<p>Not available.</p>")]
        ranked = self.prioritisation
        optimal_label = (
            "Optimal"
            if self.result.status.value == "optimal"
            else f"Optimiser's best plan (not proven, gap {self.result.gap or 0:.2%})"
        )
        frame = pd.DataFrame(
            [
                {
                    "portfolio": "Ranked list cut at the budget line",
                    "objective": ranked.ranked_objective,
                    "feasible": "yes" if ranked.ranked_feasible else "no",
                },
                {
                    "portfolio": "Ranked list, each project where it fits",
                    "objective": ranked.greedy_objective,
                    "feasible": "yes" if ranked.greedy_feasible else "no",
                },
                {"portfolio": optimal_label, "objective": self.result.objective, "feasible": "yes"},
            ]
        )
        chart = (
            alt.Chart(frame, title="Optimiser's portfolio against ranked-list portfolios")
            .mark_bar()
            .encode(
                x=alt.X("objective:Q", title=self.result.objective_kind),
                y=alt.Y("portfolio:N", title=None, sort=None),
                color=alt.Color("feasible:N", scale=alt.Scale(domain=["yes", "no"], range=["#54a24b", "#bab0ac"])),
            )
            .properties(width=CHART_WIDTH, height=110)
        )
        note = Html("<p>" + " ".join(esc(sentence) for sentence in optimiser_gain_sentences(ranked)) + "</p>")
        return [Svg(chart), note]

    def binding_and_fte(self) -> Html:
        if self._no_plan():
            return self._no_plan()
        binding = binding_table(self.binding) if self.binding else pd.DataFrame({"constraint": ["none"]})
        roles = pd.DataFrame(
            [
                {
                    "role": r.role,
                    "value of one more FTE over the horizon": money(r.delta),
                    "status": r.status.value,
                    "note": r.note,
                }
                for r in self.role_values
            ]
        )
        return Html(
            "<h4>Constraints used to the full</h4>"
            + frame_html(binding).markup
            + "<h4>What one more FTE is worth</h4>"
            + frame_html(roles).markup
        )

    def appendix(self) -> Html:
        provenance = self.result.provenance
        resolved = yaml.safe_dump(provenance["scenario"], sort_keys=False, allow_unicode=True)
        versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in provenance["versions"].items())
        changes = "".join(f"<li>{esc(c)}</li>" for c in provenance["changes"]) or "<li>none</li>"
        timings = ", ".join(f"{esc(k)} {v:.2f} s" for k, v in self.timings.items())
        return Html(
            f"<h4>Scenario as resolved</h4><pre>{esc(resolved)}</pre>"
            f"<h4>Changes over the scenarios it extends</h4><ul>{changes}</ul>"
            f"<table class='kpis'><tr><th>Data SHA-256</th><td data-kpi=\"data_sha256\">{esc(provenance['data_sha256'])}</td></tr>"
            f"<tr><th>Portfolio</th><td>{esc(provenance['portfolio'])}</td></tr>"
            f"<tr><th>Solver</th><td>{esc(self.result.solver['name'])}</td></tr>"
            f"<tr><th>Package versions</th><td>{versions}</td></tr>"
            f"<tr><th>Run time</th><td>{self.seconds:.2f} s ({timings})</td></tr>"
            f"<tr><th>Generated</th><td>{dt.datetime.now().isoformat(timespec='seconds')}</td></tr></table>"
            + "".join(f"<p class='warning'>Warning: {esc(w)}</p>" for w in self.result.warnings)
        )
