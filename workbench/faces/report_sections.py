"""Report sections: the notebooks call these, so that the templates hold narrative and calls only.

Every section returns an object the notebook displays: HTML (all data text escaped) or an
Altair chart rendered to inline SVG by vl-convert, so the report needs no JavaScript and no
network to show its charts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from workbench.ground.imports import skip_iri_grammar

skip_iri_grammar()  # before Altair imports jsonschema: 0.7 s of a report kernel's start


import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from workbench.analyses.frontier import Frontier, frontier  # noqa: E402
from workbench.analyses.futures import FuturesSummary, resolve_futures  # noqa: E402
from workbench.analyses.prices import binding_constraints, role_values  # noqa: E402
from workbench.analyses.prioritise import Prioritisation, prioritisation  # noqa: E402
from workbench.analyses.replan import replanned  # noqa: E402
from workbench.analyses.solve import solve  # noqa: E402
from workbench.data.planning_data import Inputs, load_inputs  # noqa: E402
from workbench.faces import charts  # noqa: E402
from workbench.faces.export import write_tables_into  # noqa: E402
from workbench.faces.markup import CHART_WIDTH, Html, Svg, esc, frame_html  # noqa: E402
from workbench.faces.risk_sections import risk_section  # noqa: E402
from workbench.faces.views import optimiser_gain_sentences, replan_cost_text  # noqa: E402
from workbench.ground.executor import local_executor  # noqa: E402
from workbench.ground.formatting import money, percent, status_label  # noqa: E402
from workbench.model.formulation import Plan  # noqa: E402
from workbench.planning.result import Result  # noqa: E402
from workbench.planning.runs import Deadline, settings_for  # noqa: E402

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
class ScenarioReport:
    """One scenario solved and analysed for a report."""

    inputs: Inputs
    result: Result
    frontier: Frontier | None
    role_values: list[dict]
    binding: list[dict]
    prioritisation: Prioritisation | None
    seconds: float
    timings: dict = field(default_factory=dict)
    risk_futures: FuturesSummary | None = None
    #: sections already made (their charts drawn or being drawn), by method name
    made: dict = field(default_factory=dict)

    @classmethod
    def run(
        cls,
        scenario_path: str | Path,
        solver: str | None = None,
        time_limit: float | None = None,
        frontier_points: int = 6,
        output_dir: str | Path | None = None,
        risk_futures: int = 0,
    ) -> ScenarioReport:
        """Solve, price roles, trace the frontier, rank and (``risk_futures`` > 0) re-solve sampled
        futures; one time limit bounds all solver work.

        When the solver work is done, every chart is sent to the drawing processes
        (:mod:`workbench.faces.markup`) and drawn while this process computes the risk section's
        Monte Carlo and writes the result tables. (Drawing them earlier, beside the re-solves,
        only moved time from one to the other on two cores.)

        Parameters
        ----------
        scenario_path : str or Path
            The scenario file; a scenario with a status date is re-planned from it.
        solver : {"auto", "cbc", "highs"}, optional
            Overrides the scenario's solver.
        time_limit : float, optional
            Seconds for all solver work of the report (the plan, the re-solves, the frontier).
        frontier_points : int
            Total-budget levels of the frontier.
        output_dir : str or Path, optional
            Where the result tables (CSV, xlsx) are written; none when omitted.
        risk_futures : int
            Sampled futures to re-solve for the risk section's core index and regret (0: none).

        Returns
        -------
        ScenarioReport
            The sections, ready to display.

        Raises
        ------
        InputError
            The scenario or its portfolio is malformed (every problem, with file, row and column).
        """
        started = time.perf_counter()
        executor = local_executor()  # the re-solves run side by side on this machine's cores
        executor.start("workbench.planning.runs")  # its workers start while the scenario is solved
        inputs = replanned(load_inputs(scenario_path))
        settings = settings_for(inputs, solver, time_limit)
        deadline = Deadline(settings.time_limit)
        result = solve(inputs, settings.name, settings.time_limit, settings.gap, deadline=deadline)
        report = cls(inputs, result, None, [], [], None, 0.0, {"solve": result.solver["seconds"]})
        if result.has_plan:
            mark = time.perf_counter()
            top = plan_of(result) if inputs.data.budget_total is None else None
            if deadline.seconds is None:
                # no limit to split: the FTE re-solves and the frontier's levels share the workers,
                # submitted together, so that neither waits for the other's last task
                with ThreadPoolExecutor(2) as submitting:
                    roles_done = submitting.submit(role_values, inputs, result, settings, deadline, executor)
                    curve_done = submitting.submit(
                        frontier,
                        inputs,
                        frontier_points,
                        settings.name,
                        None,
                        settings.gap,
                        deadline=deadline,
                        top=top,
                        executor=executor,
                    )
                    report.role_values, report.frontier = roles_done.result(), curve_done.result()
            else:
                # one after the other: each splits what is left of the limit over its own tasks
                report.role_values = role_values(inputs, result, settings, deadline, executor)
                report.frontier = frontier(
                    inputs,
                    frontier_points,
                    settings.name,
                    None,
                    settings.gap,
                    deadline=deadline,
                    top=top,
                    executor=executor,
                )
            report.timings["role values and frontier"] = time.perf_counter() - mark
            report.binding = binding_constraints(result, inputs.data.budget_total)
            mark = time.perf_counter()
            report.prioritisation = prioritisation(inputs, optimal=result)
            report.timings["prioritisation"] = time.perf_counter() - mark
            if risk_futures > 0 and not deadline.expired:
                mark = time.perf_counter()
                report.risk_futures = resolve_futures(
                    inputs,
                    result,
                    risk_futures,
                    executor=executor,
                    solver=settings.name,
                    time_limit=deadline.remaining(),
                )
                report.timings["risk futures"] = time.perf_counter() - mark
        executor.close()
        report.seconds = time.perf_counter() - started  # the solver work ends here
        report.draw_ahead()
        report.risk()
        if output_dir is not None:
            write_tables_into(result, Path(output_dir), xlsx=True)
            (Path(output_dir) / "timings.json").write_text(
                json.dumps({"solver_work_seconds": report.seconds, **report.timings}, indent=2), encoding="utf-8"
            )
        return report

    def draw_ahead(self) -> None:
        """Make every chart section now, so that their charts are drawn while the rest is computed."""
        for name in CHART_SECTIONS:
            getattr(self, name)()

    def risk(self) -> list:
        """The risk section (docs/risk.md): the plan's Monte Carlo, with the futures re-solved, if any."""
        if "risk" not in self.made:
            self.made["risk"] = risk_section(self.inputs, self.result, futures_summary=self.risk_futures)
        return self.made["risk"]

    # ------------------------------------------------------------------ sections
    def summary(self) -> Html:
        k = self.result.kpis()
        status = status_label(k["status"], k["gap"])
        rows = [
            ("Scenario", esc(self.result.scenario), "scenario"),
            ("Status", esc(status), "status"),
            (f"Objective ({esc(self.result.objective_kind)})", money(k["objective"]), "objective"),
            ("Optimality gap", "-" if k["gap"] is None else f"{k['gap']:.4%}", "gap"),
            ("Projects selected", f"{k['selected']} of {k['projects']}", "selected"),
            ("Value of selected projects", money(k["value"]), "value"),
            (
                "Cost of selected projects"
                + (" (at completion: actual + ETC for started ones)" if self.result.replan else ""),
                money(k["cost"]),
                "cost",
            ),
            ("Capacity utilisation", percent(k["utilisation"]), "utilisation"),
            ("Solver", f"{esc(k['solver'])}, {k['solver_seconds']:.2f} s", "solver"),
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
        return Html("<p><em>No plan to show: see the conflicts above.</em></p>")

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
        frame = pd.DataFrame([p for p in self.frontier.points if p["objective"] is not None])
        here = pd.DataFrame(
            [
                {
                    "spend": sum(r["spend"] for r in self.result.budget),
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
        binding = (
            pd.DataFrame([{"constraint": b["constraint"], "periods": ", ".join(b["periods"])} for b in self.binding])
            if self.binding
            else pd.DataFrame({"constraint": ["none"]})
        )
        roles = pd.DataFrame(
            [
                {
                    "role": r["role"],
                    "value of one more FTE over the horizon": money(r["delta"]),
                    "status": r["status"],
                    "note": r.get("note", ""),
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


def plan_of(result: Result) -> Plan:
    """The raw plan behind a solved result (the frontier's top point, without re-solving it)."""
    periods = {row["period"]: t for t, row in enumerate(result.budget)}
    hired = {(row["role"], periods[row["period"]]): row["hired"] for row in result.capacity if row["hired"] > 0}
    return Plan(
        result.status,
        result.objective,
        result.bound,
        result.gap,
        result.solver["seconds"],
        result.solver["name"],
        starts={p.id: p.start_index for p in result.selected},
        hired=hired,
    )
