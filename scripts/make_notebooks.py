"""Write the report notebooks (no outputs, 'parameters' cell tagged for papermill).

The notebooks are templates: narrative in Markdown, one call per section; the logic lives in
``workbench.faces.report_sections``. Re-run after changing a template here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

FOLDER = Path(__file__).resolve().parent.parent / "notebooks"


def notebook(cells: list) -> nbformat.NotebookNode:
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number:02d}"  # stable ids: a re-run changes nothing that did not change
    return new_notebook(
        cells=cells, metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    )


def parameters(source: str):
    cell = new_code_cell(source)
    cell.metadata["tags"] = ["parameters"]
    return cell


def report() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Portfolio report"),
        parameters(
            'scenario_path = "../scenarios/sample/baseline.yaml"\nsolver = None\ntime_limit = None\n'
            "output_dir = None\nfrontier_points = 5\nrisk_futures = 0"
        ),
        new_code_cell(
            "from workbench.faces import markup\n\n"
            "markup.warm_up()  # the drawing processes start on the other core while the report's modules import\n"
            "from workbench.analyses.study import study_scenario  # noqa: E402\n"
            "from workbench.faces.report_sections import ScenarioReport  # noqa: E402\n\n"
            "study = study_scenario(scenario_path, solver=solver, time_limit=time_limit,\n"
            "                       frontier_points=frontier_points, risk_futures=risk_futures)\n"
            "report = ScenarioReport.rendering(study, output_dir=output_dir)"
        ),
        new_markdown_cell("## Executive summary"),
        new_code_cell("report.summary()"),
        new_code_cell("report.conflicts()"),
        new_markdown_cell("## Roadmap\nSelected projects by start and finish, coloured by category."),
        new_code_cell("report.roadmap()"),
        new_markdown_cell("## Selected projects"),
        new_code_cell("report.projects(selected=True)"),
        new_markdown_cell("## Projects not selected, and why"),
        new_code_cell("report.projects(selected=False)"),
        new_markdown_cell(
            "## Demand against capacity\nShare of each role's capacity (hired FTE included) "
            "that the plan uses, per period; then the FTE themselves."
        ),
        new_code_cell("report.capacity_heatmap()"),
        new_code_cell("report.capacity_lines()"),
        new_markdown_cell("## Budget against spend"),
        new_code_cell("report.budget_chart()"),
        new_markdown_cell("## Category balance"),
        new_code_cell("report.balance()"),
        new_markdown_cell(
            "## Efficient frontier\nThe best achievable objective at each level of total budget, "
            "each point solved exactly."
        ),
        new_code_cell("report.frontier_chart()"),
        new_markdown_cell("## Optimal portfolio against the ranked list"),
        new_code_cell("for part in report.ranked_comparison():\n    display(part)"),
        new_markdown_cell("## Binding constraints and the value of one more FTE"),
        new_code_cell("report.binding_and_fte()"),
        new_markdown_cell(
            "## Risk\nA Monte Carlo of the plan over the uncertainty table's ranges and the open risks of "
            "the register (docs/risk.md): how likely it is to stay within budget and capacity, "
            "when projects finish, and what drives the spread."
        ),
        new_code_cell("for part in report.risk():\n    display(part)"),
        new_markdown_cell("## Appendix"),
        new_code_cell("report.appendix()"),
    ]
    return notebook(cells)


def comparison() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Scenario comparison"),
        parameters(
            'scenario_paths = ["../scenarios/sample/baseline.yaml", "../scenarios/sample/budget-cut-15.yaml"]\n'
            "solver = None\ntime_limit = None"
        ),
        new_code_cell(
            "from workbench.analyses.study import study_comparison\n"
            "from workbench.faces.comparison_sections import Comparison\n\n"
            "comparison = Comparison.rendering(study_comparison(scenario_paths, solver=solver, time_limit=time_limit))"
        ),
        new_markdown_cell("## Key figures\nEach scenario's figures, labelled with the difference against the first."),
        new_code_cell("for part in comparison.kpi_chart():\n    display(part)"),
        new_code_cell("comparison.kpis()"),
        new_markdown_cell(
            "## What changes, scenario by scenario\nProjects that enter, leave or move, on one time "
            "axis: the first scenario's bar in grey behind the other's, grouped by category. A "
            "scenario with no plan is shown by what would have to change."
        ),
        new_code_cell("for part in comparison.roadmap_changes():\n    display(part)"),
        new_markdown_cell(
            "## Capacity\nThe change in each role's use of its capacity against the first scenario "
            "(red: more used, blue: less)."
        ),
        new_code_cell("for part in comparison.capacity_change():\n    display(part)"),
        new_markdown_cell("## Budget\nSpend against budget per period, every scenario on one chart."),
        new_code_cell("for part in comparison.budget_chart():\n    display(part)"),
        new_markdown_cell(
            "## Efficient frontiers\nThe best objective at each total budget, per scenario, where the "
            "scenarios' budgets differ; diamonds mark each scenario's plan."
        ),
        new_code_cell("for part in comparison.frontier_chart():\n    display(part)"),
        new_markdown_cell("## Every project that enters, leaves or moves"),
        new_code_cell("comparison.project_changes()"),
    ]
    return notebook(cells)


def explore() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Explore a scenario\n\n"
            "Six steps: load the scenario, check it, solve it, see why each project is in or out, "
            "compare it with another scenario, then explore what-ifs in the application and save "
            "the one you like. Run all cells from the top; nothing here changes your files until "
            "you press *Save as scenario*."
        ),
        parameters(
            "import os\n\nscenario_path = os.environ.get('WORKBENCH_SCENARIO', "
            "'../scenarios/sample/baseline.yaml')\nsolver = None\ncompare_with = None"
        ),
        new_markdown_cell(
            "## 1. Load\n\nThe scenario names its portfolio (a folder of CSV files or one workbook) "
            "and what it changes; loading validates both and stops with every problem it finds, "
            "each with its file, row and column."
        ),
        new_code_cell(
            "from pathlib import Path\n\n"
            "from workbench.analyses.prices import binding_constraints\n"
            "from workbench.analyses.solve import solve\n"
            "from workbench.analyses.study import study_comparison\n"
            "from workbench.data.planning_data import load_inputs\n"
            "from workbench.faces.app import Workbench\n"
            "from workbench.faces.comparison_sections import Comparison\n"
            "from workbench.faces.views import binding_table, result_text\n\n"
            "inputs = load_inputs(scenario_path)"
        ),
        new_markdown_cell("## 2. Check\n\nWhat was loaded, and any warnings worth reading before planning."),
        new_code_cell(
            "portfolio = inputs.portfolio\n"
            "print(f'{inputs.name}: {len(portfolio.projects)} projects, {len(portfolio.roles)} roles, '\n"
            "      f'{inputs.data.periods} periods from {inputs.data.horizon.start}')\n"
            "for warning in inputs.data.warnings:\n    print('warning:', warning)"
        ),
        new_markdown_cell(
            "## 3. Solve\n\nThe optimal plan: *optimal* means proven; a plan stopped by the time limit says its gap."
        ),
        new_code_cell("result = solve(inputs, solver)\nprint(result_text(result).split('\\n\\nid')[0])"),
        new_markdown_cell(
            "## 4. Explain\n\nEvery project has a reason, and each reason kind is a claim the "
            "workbench can back (docs/model.md). The constraints used to the full show where one "
            "more FTE or more budget would help; `workbench explain` prices each of them."
        ),
        new_code_cell(
            "import pandas as pd\n\n"
            "reasons = pd.DataFrame([{'id': p.id, 'selected': p.selected, 'kind': p.reason_kind, "
            "'reason': p.reason} for p in result.projects])\n"
            "display(reasons.groupby(['selected', 'kind']).size().rename('projects').to_frame())\n"
            "binding_table(binding_constraints(result, inputs.data.budget_total))"
        ),
        new_markdown_cell(
            "## 5. Compare\n\nThe scenario beside another one (by default the sample's budget cut, "
            "when it exists beside this scenario)."
        ),
        new_code_cell(
            "other = Path(compare_with) if compare_with else Path(scenario_path).with_name('budget-cut-15.yaml')\n"
            "if other.exists():\n"
            "    comparison = Comparison.rendering(study_comparison([scenario_path, str(other)], solver))\n"
            "    display(comparison.kpis())\n"
            "else:\n"
            "    print(f'{other} does not exist; set compare_with to a scenario file')"
        ),
        new_markdown_cell(
            "## 6. Explore and save\n\nMove the budget slider, change capacity, force projects in or "
            "out (or click a bar in the roadmap to force it out): the plan re-solves after each "
            "change. *Save as scenario* writes a new file beside this one that `extends` it with "
            "only what you changed; it never overwrites a file."
        ),
        new_code_cell("workbench = Workbench(scenario_path, solver=solver)\nworkbench"),
        new_markdown_cell(
            "The plan behind the view is `workbench.result` (a `workbench.planning.result.Result`); "
            "`workbench.overrides()` is what would be saved."
        ),
    ]
    return notebook(cells)


def workshop() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Portfolio workshop"),
        parameters(
            "import os\n\nscenario_path = os.environ.get('WORKBENCH_SCENARIO', "
            "'../scenarios/sample/baseline.yaml')\nsolver = os.environ.get('WORKBENCH_SOLVER') or None"
        ),
        new_code_cell("from workbench.faces.app import Workbench\n\nWorkbench(scenario_path, solver=solver)"),
    ]
    return notebook(cells)


def status_report() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Status report"),
        parameters('scenario_path = "../scenarios/sample/status-2027-06.yaml"\nas_of = None'),
        new_code_cell(
            "from workbench.analyses.study import study_status\n"
            "from workbench.faces.status_sections import StatusSections\n\n"
            "status = StatusSections.rendering(study_status(scenario_path, as_of))"
        ),
        new_markdown_cell(
            "## Summary\nThe portfolio against its approved baseline at the status date; definitions in docs/status.md."
        ),
        new_code_cell("status.summary()"),
        new_markdown_cell("## Projects that need a decision"),
        new_code_cell("status.decisions()"),
        new_markdown_cell("## Every project, worst first"),
        new_code_cell("status.rag_table()"),
        new_markdown_cell("## Planned value, earned value and actual cost"),
        new_code_cell("for part in status.s_curves():\n    display(part)"),
        new_markdown_cell("## Cost against schedule"),
        new_code_cell("status.quadrant()"),
        new_markdown_cell("## Baseline against forecast finish"),
        new_code_cell("status.finishes()"),
        new_markdown_cell("## Spend against budget"),
        new_code_cell("status.spend()"),
        new_markdown_cell("## Effort against capacity"),
        new_code_cell("status.effort()"),
        new_markdown_cell(
            "## The re-plan from the status date\nThe rest of the horizon planned again: started "
            "projects run on at their forecast, nothing new starts before the status date."
        ),
        new_code_cell("status.replan()"),
        new_markdown_cell("## Appendix"),
        new_code_cell("status.appendix()"),
    ]
    return notebook(cells)


def notebooks() -> dict[str, nbformat.NotebookNode]:
    return {
        "portfolio_report": report(),
        "scenario_comparison": comparison(),
        "explore": explore(),
        "workshop": workshop(),
        "status_report": status_report(),
    }


def main() -> int:
    """Write the notebooks; with ``--check``, exit 1 when a committed one differs (the tests do this)."""
    if "--check" in sys.argv:
        stale = [
            name
            for name, written in notebooks().items()
            if (FOLDER / f"{name}.ipynb").read_text(encoding="utf-8") != nbformat.writes(written) + "\n"
        ]
        if stale:
            print(f"notebooks differ from scripts/make_notebooks.py: {', '.join(stale)}", file=sys.stderr)
        return 1 if stale else 0
    FOLDER.mkdir(exist_ok=True)
    for name, written in notebooks().items():
        nbformat.write(written, FOLDER / f"{name}.ipynb")
        print(FOLDER / f"{name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
