"""The interactive workbench: one ipywidgets application for JupyterLab and the Voila dashboard.

``Workbench(scenario)`` shows controls (budget scale, capacity per role, hiring, forced
projects, objective, discount rate, solver and time limit) and results (KPIs, roadmap, demand
against capacity, budget against spend, the project table with reasons, and the change against
the scenario as loaded). Every change re-solves in a worker thread after a short debounce, so
the kernel never freezes; an infeasible change shows its conflicts. "Save as scenario" writes a
YAML file that ``extends`` the loaded scenario with only what changed, never overwriting.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import altair as alt
import ipywidgets as widgets
import yaml
from IPython.display import display

from workbench.analyses.study import study_comparison, study_status
from workbench.analyses.replan import replanned
from workbench.analyses.risk import has_risk_data, simulate
from workbench.analyses.session import SessionViews, SolveSession
from workbench.analyses.solve import solve
from workbench.analyses.what_if import extra_capacity, what_if
from workbench.analyses.sweep import Sweep, parse_grid
from workbench.analyses.sweep import sweep as run_sweep
from workbench.data.planning_data import Inputs, load_inputs
from workbench.data.scenario import LoadedScenario, Objective
from workbench.faces import charts
from workbench.faces.comparison_sections import Comparison
from workbench.faces.status_sections import StatusSections
from workbench.ground.errors import WorkbenchError
from workbench.ground.executor import Executor
from workbench.ground.files import safe_file_name
from workbench.ground.formatting import money, no_plan_sentence, status_label, whole_money
from workbench.ground.status import SOLVER_NAMES
from workbench.planning.result import KPI_LABELS, Result

_offline_done = False


def _enable_offline_charts() -> None:
    """JupyterChart with its JavaScript bundled (no CDN), once per process."""
    global _offline_done
    if not _offline_done:
        try:
            alt.JupyterChart.enable_offline()
        except Exception:  # noqa: BLE001 - charts still render where the front end has network
            _log.warning(
                "offline charts could not be enabled; charts load their scripts from the network", exc_info=True
            )
        _offline_done = True


_log = logging.getLogger(__name__)


class Workbench:
    """What-if exploration of one scenario.

    A change is solved once, within the time limit. A solve that has not ended after
    ``QUICK_SECONDS`` shows the best plan found so far (HiGHS's, alone or in the race), labelled
    with its gap, and the solve goes on to prove the optimum; the proven plan replaces it.

    Parameters
    ----------
    scenario : path
        The scenario to start from (and to ``extend`` when saving).
    debounce : float or None
        Seconds to wait for more changes before re-solving; ``None`` solves synchronously on
        every change (for scripts and tests).
    """

    QUICK_SECONDS = 0.4
    RISK_SAMPLES = 2_000  # the dashboard's Monte Carlo: quick, and its sample count is shown

    def __init__(
        self,
        scenario: str | Path,
        debounce: float | None = 0.3,
        solver: str | None = None,
        time_limit: float | None = None,
    ):
        _enable_offline_charts()
        self.path = Path(scenario).resolve()
        # the scenario as loaded (the status is measured on it) and as planned (re-planned from its
        # status date, when it has one)
        self.loaded_inputs: Inputs = load_inputs(self.path)
        self.inputs: Inputs = replanned(self.loaded_inputs)
        self.loaded: LoadedScenario = self.inputs.scenario
        spec = self.loaded.spec
        self.debounce = debounce
        self.saved: list[Path] = []
        # the solve session re-solves each change; these views show what it delivers
        self.session = SolveSession(
            self.inputs,
            SessionViews(
                invalid=lambda problems: self._show_invalid(problems),
                solved=lambda result, inputs, refining: self._show(result, inputs, refining),
                failed=lambda exc: self._show_failure(exc),
            ),
            debounce,
            self.QUICK_SECONDS,
        )

        ids = list(self.inputs.portfolio.projects["id"])
        roles = self.inputs.portfolio.roles
        style = {"description_width": "150px"}
        layout = widgets.Layout(width="360px")
        self.budget_scale = widgets.FloatSlider(
            value=spec.budget.scale,
            min=0.3,
            max=2.0,
            step=0.05,
            description="Budget scale",
            readout_format=".2f",
            style=style,
            layout=layout,
            continuous_update=False,
        )
        self.capacity = {
            role: widgets.FloatText(
                value=0.0, step=0.5, description=role, style=style, layout=widgets.Layout(width="260px")
            )
            for role in roles
        }
        base_hiring = spec.hiring[0] if spec.hiring else None
        self.hiring_on = widgets.Checkbox(value=bool(spec.hiring), description="Allow hiring", indent=False)
        self.hiring_rate = widgets.FloatText(
            value=base_hiring.cost if base_hiring else 12000.0,
            description="Cost per FTE-period",
            style=style,
            layout=layout,
        )
        self.hiring_max = widgets.FloatText(
            value=base_hiring.max_fte if base_hiring else 1.0,
            description="Max FTE per role",
            style=style,
            layout=layout,
        )
        self.force_in = widgets.TagsInput(value=list(spec.force_in), allowed_tags=ids, allow_duplicates=False)
        self.force_out = widgets.TagsInput(value=list(spec.force_out), allowed_tags=ids, allow_duplicates=False)
        self.objective = widgets.Dropdown(
            options=[objective.value for objective in Objective],
            value=spec.objective.value,
            description="Objective",
            style=style,
            layout=layout,
        )
        self.discount_rate = widgets.BoundedFloatText(
            value=spec.discount_rate,
            min=0.0,
            max=1.0,
            step=0.01,
            description="Discount rate",
            style=style,
            layout=layout,
        )
        self.solver = widgets.Dropdown(
            options=list(SOLVER_NAMES),
            value=solver or spec.solver.name,
            description="Solver",
            style=style,
            layout=layout,
        )
        self.time_limit = widgets.BoundedFloatText(
            value=time_limit or spec.solver.time_limit or 30.0,
            min=0.1,
            max=3600.0,
            description="Time limit (s)",
            style=style,
            layout=layout,
        )
        levels = [("planned figures", None), ("P50", 0.5), ("P70", 0.7), ("P80", 0.8), ("P90", 0.9)]
        if spec.risk.plan_at not in [level for _, level in levels]:
            levels.append((f"P{spec.risk.plan_at * 100:g}", spec.risk.plan_at))
        self.plan_at = widgets.Dropdown(
            options=levels, value=spec.risk.plan_at, description="Plan at", style=style, layout=layout
        )
        self.with_risk = has_risk_data(self.inputs)
        self.risk_view = widgets.HTML()
        self.sweep_view = widgets.VBox()  # a sweep around the current controls, when one is asked for
        self.sweep_view.add_class("wb-sweep")
        self.risk_view.add_class("wb-risk")
        self.save_name = widgets.Text(
            value="",
            placeholder=f"{self.loaded.name}-variant",
            description="Save as",
            style={"description_width": "60px"},
        )
        self.save_button = widgets.Button(description="Save as scenario", icon="save")
        self.compare_button = widgets.Button(description="Compare saved", icon="columns")

        self.status = widgets.HTML()
        self.kpis = widgets.HTML()
        self.changes = widgets.HTML()
        self.conflicts = widgets.HTML()
        # containers whose children are replaced: unlike Output capture, this works from the worker thread
        self.roadmap = widgets.VBox()
        self.capacity_view = widgets.VBox()
        self.budget_view = widgets.VBox()
        self.table = widgets.HTML()
        self.status_view = widgets.HTML()  # the status against the baseline, when the scenario has a status date
        self.messages = widgets.HTML()
        self.comparison = widgets.HTML()
        for name in ("status", "kpis", "changes", "conflicts", "table", "messages", "comparison", "status_view"):
            getattr(self, name).add_class(f"wb-{name}")
        self.roadmap.add_class("wb-roadmap")

        self.base_result = solve(self.inputs, self.solver.value, self.time_limit.value)
        self.result: Result = self.base_result
        self.data = self.inputs.data
        self._roadmap_chart: alt.JupyterChart | None = None
        self._show(self.base_result, self.inputs)
        if spec.status.as_of is not None:
            self._show_status()

        for control in self._controls():
            control.observe(self._changed, names="value")
        self.save_button.on_click(lambda _: self.save())
        self.compare_button.on_click(lambda _: self.compare())
        self.widget = self._layout()

    # ------------------------------------------------------------------ layout
    def _controls(self) -> list[widgets.Widget]:
        return [
            self.budget_scale,
            *self.capacity.values(),
            self.hiring_on,
            self.hiring_rate,
            self.hiring_max,
            self.force_in,
            self.force_out,
            self.objective,
            self.discount_rate,
            self.solver,
            self.time_limit,
            *([self.plan_at] if self.with_risk else []),
        ]

    def _layout(self) -> widgets.Widget:
        def box(title: str, *children: widgets.Widget) -> widgets.VBox:
            return widgets.VBox(
                [widgets.HTML(f"<b>{html.escape(title)}</b>"), *children], layout=widgets.Layout(margin="0 0 10px 0")
            )

        controls = widgets.VBox(
            [
                box("Budget", self.budget_scale),
                box("Capacity change (FTE, every period)", *self.capacity.values()),
                box("Hiring", self.hiring_on, self.hiring_rate, self.hiring_max),
                box("Force in", self.force_in),
                box("Force out", self.force_out),
                box("Objective", self.objective, self.discount_rate),
                *([box("Risk", self.plan_at)] if self.with_risk else []),
                box("Solver", self.solver, self.time_limit),
                box("Scenario", self.save_name, widgets.HBox([self.save_button, self.compare_button]), self.messages),
            ],
            layout=widgets.Layout(width="400px", padding="0 12px 0 0"),
        )
        status = (
            [widgets.HTML(f"<h3>Status as of {html.escape(str(self.loaded.spec.status.as_of))}</h3>"), self.status_view]
            if self.status_view.value
            else []
        )
        results = widgets.VBox(
            [
                *status,
                self.status,
                self.kpis,
                self.risk_view,
                self.changes,
                self.conflicts,
                widgets.HTML("<h3>Roadmap</h3><small>Click a project to force it out.</small>"),
                self.roadmap,
                widgets.HTML("<h3>Demand against capacity</h3>"),
                self.capacity_view,
                widgets.HTML("<h3>Budget against spend</h3>"),
                self.budget_view,
                widgets.HTML("<h3>Projects</h3>"),
                self.table,
                self.comparison,
                self.sweep_view,
            ],
            layout=widgets.Layout(flex="1"),
        )
        style = widgets.HTML(
            "<style>.wb-table th, .wb-table td { text-align: left; padding: 2px 8px; "
            "vertical-align: top; } .wb-table td:nth-child(-n+4) { white-space: nowrap; }"
            ".wb-kpis th { text-align: left; padding-right: 12px; }</style>"
        )
        return widgets.VBox([style, widgets.HBox([controls, results])])

    def _show_status(self) -> None:
        """KPIs and RAG counts, the projects that need a decision, cost against schedule and every
        project worst first (docs/status.md)."""
        sections = StatusSections.rendering(study_status(self.loaded_inputs, replan=False))
        quadrant = sections.quadrant()
        self.status_view.value = (
            sections.summary().markup
            + "<h4>Projects that need a decision</h4>"
            + sections.decisions().markup
            + getattr(quadrant, "svg", str(quadrant))
            + "<h4>Every project, worst first</h4>"
            + sections.rag_table().markup
        )

    def _ipython_display_(self) -> None:
        display(self.widget)

    # ------------------------------------------------------------------ changes
    def overrides(self) -> dict:
        """What the controls change against the scenario as loaded (what 'Save' records)."""
        spec = self.loaded.spec
        changes: dict = {}
        if abs(self.budget_scale.value - spec.budget.scale) > 1e-12:
            changes["budget"] = {"scale": round(float(self.budget_scale.value), 6)}
        changes.update(extra_capacity(spec, {role: float(w.value) for role, w in self.capacity.items() if w.value}))
        base_hiring = [h.model_dump() for h in spec.hiring]
        hiring = (
            [
                {"role": role, "cost": float(self.hiring_rate.value), "max_fte": float(self.hiring_max.value)}
                for role in self.capacity
            ]
            if self.hiring_on.value
            else []
        )
        # switching hiring on with the loaded scenario's own terms changes nothing
        if hiring != base_hiring and not (self.hiring_on.value and base_hiring and self._hiring_untouched()):
            changes["hiring"] = hiring
        if list(self.force_in.value) != list(spec.force_in):
            changes["force_in"] = list(self.force_in.value)
        if list(self.force_out.value) != list(spec.force_out):
            changes["force_out"] = list(self.force_out.value)
        if self.objective.value != spec.objective.value:
            changes["objective"] = self.objective.value
        if abs(self.discount_rate.value - spec.discount_rate) > 1e-12:
            changes["discount_rate"] = float(self.discount_rate.value)
        solver = {}
        if self.solver.value != spec.solver.name:
            solver["name"] = self.solver.value
        if spec.solver.time_limit is not None and abs(self.time_limit.value - spec.solver.time_limit) > 1e-12:
            solver["time_limit"] = float(self.time_limit.value)
        if solver:
            changes["solver"] = solver
        if self.with_risk and self.plan_at.value != spec.risk.plan_at:
            changes["risk"] = {"plan_at": self.plan_at.value}
        return changes

    def _hiring_untouched(self) -> bool:
        base = self.loaded.spec.hiring[0]
        return self.hiring_rate.value == base.cost and self.hiring_max.value == base.max_fte

    def variant(self) -> Inputs:
        """The loaded scenario with the controls applied, validated like a file would be."""
        return what_if(self.inputs, self.overrides(), "controls")

    def _changed(self, _change=None) -> None:
        self.status.value = "<span class='wb-solving'>Solving…</span>"
        self.session.change(self.overrides(), self.solver.value, float(self.time_limit.value))

    def _show_invalid(self, problems: list) -> None:
        self.status.value = "<b>Not solved: the change is not valid</b>"
        self.conflicts.value = "<ul>" + "".join(f"<li>{html.escape(str(p))}</li>" for p in problems) + "</ul>"

    def _show_failure(self, exc: Exception) -> None:
        self.status.value = f"<b>Error:</b> {html.escape(type(exc).__name__)}: {html.escape(str(exc))}"

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until the latest change is solved and shown (for scripts and tests)."""
        return self.session.wait(timeout)

    # ------------------------------------------------------------------ display
    def _show(self, result: Result, inputs: Inputs, refining: bool = False) -> None:
        self.result, self.data = result, inputs.data
        status = status_label(result.status, result.gap, refining, result.stopped_by)
        solving = " wb-solving" if refining else ""
        self.status.value = (
            f"<span class='wb-status{solving}' data-status='{result.status.value}'><b>{status}</b> · "
            f"{html.escape(result.solver['name'])} {result.solver['seconds']:.2f} s</span>"
        )
        kpis = result.kpis()
        objective = whole_money(result.objective)
        self.kpis.value = (
            "<table class='wb-kpis'>"
            f"<tr><th>Objective ({html.escape(result.objective_kind)})</th><td data-kpi='objective'>{objective}</td></tr>"
            f"<tr><th>{KPI_LABELS['selected']}</th><td data-kpi='selected'>{kpis['selected']} of {kpis['projects']}"
            f"</td></tr><tr><th>{KPI_LABELS['value']}</th><td data-kpi='value'>{whole_money(kpis['value'])}</td></tr>"
            f"<tr><th>{KPI_LABELS['cost']}</th><td data-kpi='cost'>{whole_money(kpis['cost'])}</td></tr></table>"
        )
        self.risk_view.value = self._risk_summary(result, inputs)
        self.changes.value = self._change_summary(result)
        self.conflicts.value = (
            (
                "<div class='wb-conflicts'><b>No plan exists. One way to make one possible "
                "(budgets and capacities relaxed first):</b><ul>"
                + "".join(f"<li>{html.escape(c.message)}</li>" for c in result.conflicts)
                + "</ul></div>"
            )
            if result.conflicts
            else ""
        )
        self._draw_roadmap(result)
        self._draw_capacity(result)
        self._draw_budget(result)
        self.table.value = projects_table(result)

    def _risk_summary(self, result: Result, inputs: Inputs) -> str:
        """The plan's P80 cost and overrun probabilities from a Monte Carlo (docs/risk.md)."""
        if not self.with_risk or not result.has_plan:
            return ""
        samples = min(inputs.scenario.spec.risk.samples, self.RISK_SAMPLES)
        report = simulate(inputs, result, samples=samples)
        total = report.budget_overrun_probability.get("total")
        level = inputs.scenario.spec.risk.plan_at
        basis = "planned figures" if level is None else f"P{level * 100:g} figures"
        rows = [
            ("Cost P80", money(report.cost["p80"]), "cost_p80"),
            ("Overrun probability, total budget", "-" if total is None else f"{total:.1%}", "overrun_total"),
            (
                "Overrun probability, some period",
                "-" if report.any_period_overrun is None else f"{report.any_period_overrun:.1%}",
                "overrun_any_period",
            ),
        ]
        body = "".join(f"<tr><th>{label}</th><td data-kpi='{key}'>{value}</td></tr>" for label, value, key in rows)
        return (
            f"<table class='wb-kpis'>{body}</table><small>Monte Carlo of this plan, {samples:,} samples, "
            f"seed {report.seed}; planned with the {basis}.</small>"
        )

    def _change_summary(self, result: Result) -> str:
        if not result.has_plan:
            return (
                f"<div class='wb-changes'>With these changes: {html.escape(no_plan_sentence(result.status, result.stopped_by))}"
                "</div>"
            )
        base = {p.id: p for p in self.base_result.projects}
        entered = [p.id for p in result.projects if p.selected and not base[p.id].selected]
        left = [p.id for p in result.projects if not p.selected and base[p.id].selected]
        moved = [p.id for p in result.projects if p.selected and base[p.id].selected and p.start != base[p.id].start]
        if result.objective is None or self.base_result.objective is None:
            delta = "-"
        else:
            delta = f"{result.objective - self.base_result.objective:+,.0f}"
        esc = lambda ids: html.escape(", ".join(ids)) or "none"  # noqa: E731
        return (
            f"<div class='wb-changes'>Against the scenario as loaded: objective <span data-kpi='delta'>{delta}</span>; "
            f"in: <span data-kpi='entered'>{esc(entered)}</span>; out: <span data-kpi='left'>{esc(left)}</span>; "
            f"moved: {esc(moved)}</div>"
        )

    def _draw_roadmap(self, result: Result) -> None:
        frame = charts.roadmap_frame(result, self.data)
        if frame.empty:
            self.roadmap.children = [widgets.HTML("<p class='wb-empty'>No plan.</p>")]
            return
        pick = alt.selection_point(fields=["id"], name="pick")
        chart = (
            charts.roadmap_chart(frame, 640, bar_height=13)
            .encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)))
            .add_params(pick)
        )
        jupyter_chart = alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False})
        jupyter_chart.selections.observe(self._picked, ["pick"])
        self._roadmap_chart = jupyter_chart
        self.roadmap.children = [jupyter_chart]

    def _picked(self, change) -> None:
        """A click on a roadmap bar forces that project out (or back in if it was forced out)."""
        selection = change["new"]
        values = getattr(selection, "value", None) or []
        for item in values:
            project = item.get("id") if isinstance(item, dict) else None
            if project:
                self.toggle_force_out(project)

    def toggle_force_out(self, project: str) -> None:
        current = list(self.force_out.value)
        if project in current:
            current.remove(project)
        else:
            current.append(project)
        self.force_out.value = current

    def _draw_capacity(self, result: Result) -> None:
        if not result.has_plan:
            self.capacity_view.children = []
            return
        chart = charts.capacity_heatmap(result, 640, row_height=22)
        self.capacity_view.children = [alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False})]

    def _draw_budget(self, result: Result) -> None:
        if not result.has_plan:
            self.budget_view.children = []
            return
        self.budget_view.children = [
            alt.JupyterChart(charts.budget_chart(result, 640, 180), embed_options={"renderer": "svg", "actions": False})
        ]

    def sweep(self, *grids: str, executor: Executor | None = None) -> Sweep:
        """Solve every combination of ``grids`` (``"budget.scale=0.9,1.0"``, as for ``workbench
        sweep``) around the scenario as the controls set it, and show the chart below the results."""
        inputs = self.variant()
        portfolio = inputs.estimates if inputs.estimates is not None else inputs.portfolio
        result = run_sweep(inputs.scenario, portfolio, [parse_grid(g) for g in grids], executor)
        chart = charts.sweep_chart(result.frame(), result.keys, result.objective_kind, 560)
        self.sweep_view.children = [
            widgets.HTML(f"<h3>Sweep over {html.escape(', '.join(result.keys))}</h3>"),
            alt.JupyterChart(chart, embed_options={"renderer": "svg", "actions": False}),
        ]
        return result

    # ------------------------------------------------------------------ save and compare
    def save(self, name: str | None = None) -> Path | None:
        """Write ``<name>.yaml`` beside the loaded scenario: ``extends`` it with only what changed.
        An existing file is never overwritten: a free name is chosen."""
        stem = (name or self.save_name.value or f"{self.loaded.name}-variant").strip()
        stem = safe_file_name(stem, "variant")
        if stem.endswith(".yaml"):
            stem = stem[:-5]
        folder = self.path.parent
        body = {
            "extends": self.path.name,
            "name": stem,
            "description": f"Saved from the workbench, based on {self.loaded.name}.",
            **self.overrides(),
        }
        number = 1
        while True:
            target = folder / (f"{stem}.yaml" if number == 1 else f"{stem}-{number}.yaml")
            try:
                with open(target, "x", encoding="utf-8") as handle:
                    if number > 1:
                        body["name"] = target.stem
                    handle.write(f"# Saved by Portfolio Workbench from {self.path.name}\n")
                    handle.write(yaml.safe_dump(body, sort_keys=False, allow_unicode=True))
                break
            except FileExistsError:
                number += 1
        self.saved.append(target)
        self.messages.value = f"<span class='wb-saved'>Saved {html.escape(target.name)}</span>"
        return target

    def compare(self) -> None:
        """The loaded scenario and every saved one, side by side."""
        paths = [str(self.path)] + [str(p) for p in self.saved]
        try:
            comparison = Comparison.rendering(study_comparison(paths, self.solver.value, self.time_limit.value))
        except WorkbenchError as exc:
            self.comparison.value = f"<p>{html.escape(str(exc))}</p>"
            return
        parts = [
            comparison.kpis(),
            *comparison.kpi_chart(),
            *comparison.roadmap_changes(),
            *comparison.capacity_change(),
            *comparison.budget_chart(),
        ]
        self.comparison.value = "<h3>Saved scenarios side by side</h3>" + "".join(part._repr_html_() for part in parts)


def short_reason(text: str, limit: int = 90) -> str:
    """A reason's first sentence, cut to ``limit`` characters; the text itself when it is one
    short sentence (the whole stays on demand beside a shortened one)."""
    first, _, rest = text.partition(". ")
    if not rest and len(text) <= limit:
        return text
    if len(first) > limit:
        return first[: limit - 1].rstrip() + "…"
    return first + " …"


def projects_table(result: Result) -> str:
    """Every project, one line each: id, name, start, finish and its reason, short, with the full
    sentence a click away (a <details> element); every text escaped."""
    rows = []
    for p in result.projects:
        reason = html.escape(p.reason)
        short = html.escape(short_reason(p.reason))
        cell = reason if short == reason else f"<details><summary>{short}</summary>{reason}</details>"
        rows.append(
            "<tr>"
            + "".join(f"<td>{html.escape(value)}</td>" for value in (p.id, p.name, p.start or "", p.finish or ""))
            + f"<td>{cell}</td></tr>"
        )
    header = "".join(f"<th>{name}</th>" for name in ("id", "name", "start", "finish", "reason"))
    return f"<table class='wb-table'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
