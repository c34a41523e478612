"""``workbench report``: notebooks run by papermill into self-contained HTML reports.

Each scenario gets ``<out>/<scenario-name>/<timestamp>/`` holding ``report.html``, the
executed ``report.ipynb`` and the result tables (CSV and ``result.xlsx``). The folder is
filled under a temporary name and renamed into place, so it is complete or absent, and nothing
existing is overwritten. When the notebook fails, the folder is named ``<timestamp>-failed``
and holds the failed notebook beside ``error.md``, which names the failing cell and the error.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from workbench.data.scenario import load_scenario
from workbench.faces.export import new_run_folder, safe_name
from workbench.faces.packaged import notebook
from workbench.ground.errors import WorkbenchError
from workbench.ground.files import write_atomically
from workbench.ground.executor import Executor, LocalExecutor

if TYPE_CHECKING:
    from nbformat import NotebookNode

REPORT_TEMPLATE = notebook("portfolio_report.ipynb")
COMPARISON_TEMPLATE = notebook("scenario_comparison.ipynb")
STATUS_TEMPLATE = notebook("status_report.ipynb")

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; line-height: 1.45; padding: 0 1rem; }
h1 { border-bottom: 3px solid #4c78a8; padding-bottom: .3rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
table.kpis th { width: 16rem; }
.conflicts { background: #fff4f2; border-left: 4px solid #e45756; padding: .5rem 1rem; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; }
svg { max-width: 100%; height: auto; }
.jp-OutputPrompt, .jp-InputPrompt, .prompt, .anchor-link { display: none; }
td { white-space: normal; } td:nth-child(-n+1) { white-space: nowrap; }
"""


@dataclass
class ReportOutcome:
    scenario: str
    ok: bool
    folder: Path | None
    message: str
    seconds: float
    html_name: str = "report.html"

    @property
    def html(self) -> Path | None:
        return None if self.folder is None or not self.ok else self.folder / self.html_name


def _report_exporter():
    """nbconvert's HTML exporter (template "basic", no code, no prompts) without its last pass.

    That pass parses the whole page again with BeautifulSoup to give ``<img>`` elements alt text
    and to make code cells and outputs focusable with the keyboard. A report has no ``<img>``
    (its charts are inline SVG, with their own titles) and no code cells, and on half a megabyte
    of SVG the pass took 0.2 s of every report."""
    # heavy: nbconvert and its templates; loaded only when a report is written
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name", None))
            self.register_filter(
                "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
            )
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = ReportExporter(template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


FAILURE_LINES = 12  # of a failed report's error, printed on the terminal (all of it is in error.md)


def notebook_to_html(notebook: NotebookNode, title: str) -> str:
    """The executed notebook as one self-contained page: no code, no scripts, no external URLs."""
    body, _ = _report_exporter().from_notebook_node(notebook)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _import_nbconvert() -> None:
    import nbconvert  # noqa: F401, PLC0415 - only loaded ahead of notebook_to_html


def _scenario_name(path: Path) -> str:
    try:
        return load_scenario(path).name
    except WorkbenchError:
        return path.stem


def run_notebook(
    template: Path, out_dir: Path, name: str, parameters: dict, html_name: str, title: str
) -> ReportOutcome:
    """Execute ``template`` with papermill into a new run folder of ``out_dir/name``."""
    # heavy: papermill starts kernels; loaded only when a report is run
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    # nbconvert takes about half a second to import: do it while the kernel works
    threading.Thread(target=_import_nbconvert, daemon=True).start()
    # absolute: the kernel runs in the notebooks folder, not in the caller's working directory
    parent = Path(out_dir).resolve() / safe_name(name)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=parent))
    executed = staging / "report.ipynb"
    try:
        given = {**parameters, "output_dir": str(staging)} if "output_dir" in parameters else parameters
        notebook = papermill.execute_notebook(
            str(template),
            str(executed),
            parameters=given,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            # the notebook is written once, at the end (the staging folder of a run that fails
            # without a notebook is removed anyway)
            request_save_on_cell_execute=False,
            # every output is in when the last cell replies: a graceful shutdown waited 2.5 s for a
            # kernel that had used a process pool, then killed it
            shutdown_kernel="immediate",
            cwd=str(template.parent),
            stdout_file=None,
            stderr_file=None,
            # the kernel talks over local sockets (IPC): over TCP it warns on the terminal that
            # it is unencrypted, which a user reads as a security problem
            kernel_manager_class="workbench.faces.kernels.LocalKernelManager",
        )
    except PapermillExecutionError as exc:
        summary = (
            f"# Report for {name} failed\n\nCell {exc.cell_index} (execution count {exc.exec_count}) "
            f"raised {exc.ename}:\n\n```\n{exc.evalue}\n```\n\nThe failed notebook is report.ipynb beside "
            "this file.\n\nFailing cell source:\n\n```python\n" + exc.source + "\n```\n"
        )
        (staging / "error.md").write_text(summary, encoding="utf-8")
        target = new_run_folder(parent)
        target = target.with_name(target.name + "-failed")
        os.rename(staging, target)
        # the first lines of the error: for bad input, the problems with their file, row and column
        lines = str(exc.evalue).strip().splitlines() or [exc.ename]
        shown = lines[:FAILURE_LINES] + (
            [f"... and {len(lines) - FAILURE_LINES} more lines in error.md"] if len(lines) > FAILURE_LINES else []
        )
        return ReportOutcome(
            name,
            False,
            target,
            f"cell {exc.cell_index}: {exc.ename}: " + "\n".join(shown),
            time.perf_counter() - started,
        )
    except KeyboardInterrupt:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except Exception as exc:  # noqa: BLE001 - one failed report, kept with its traceback, stops no other
        # the run folder keeps what failed and why, the traceback included (a failed run is visible)
        error_text = f"# Report for {name} failed\n\n{type(exc).__name__}: {exc}\n\n```\n{traceback.format_exc()}```\n"
        (staging / "error.md").write_text(error_text, encoding="utf-8")
        target = new_run_folder(parent)
        target = target.with_name(target.name + "-failed")
        os.rename(staging, target)
        return ReportOutcome(name, False, target, f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
    write_atomically(staging / html_name, notebook_to_html(notebook, title))
    target = new_run_folder(parent)
    os.rename(staging, target)
    return ReportOutcome(name, True, target, "ok", time.perf_counter() - started, html_name)


def run_report(
    scenario: str | Path,
    out_dir: str | Path,
    solver: str | None = None,
    time_limit: float | None = None,
    risk_futures: int = 0,
) -> ReportOutcome:
    path = Path(scenario).resolve()
    name = _scenario_name(path)
    return run_notebook(
        REPORT_TEMPLATE,
        Path(out_dir),
        name,
        {
            "scenario_path": str(path),
            "solver": solver,
            "time_limit": time_limit,
            "output_dir": None,
            "risk_futures": risk_futures,
        },
        "report.html",
        f"Portfolio report: {name}",
    )


def run_status_report(scenario: str | Path, out_dir: str | Path, as_of: str | None = None) -> ReportOutcome:
    path = Path(scenario).resolve()
    name = _scenario_name(path)
    return run_notebook(
        STATUS_TEMPLATE,
        Path(out_dir),
        name,
        {"scenario_path": str(path), "as_of": as_of},
        "status.html",
        f"Status report: {name}",
    )


def run_comparison(
    scenarios: list[str | Path], out_dir: str | Path, solver: str | None = None, time_limit: float | None = None
) -> ReportOutcome:
    paths = [str(Path(s).resolve()) for s in scenarios]
    return run_notebook(
        COMPARISON_TEMPLATE,
        Path(out_dir),
        "comparison",
        {"scenario_paths": paths, "solver": solver, "time_limit": time_limit},
        "comparison.html",
        "Scenario comparison",
    )


def _report_task(task: tuple) -> ReportOutcome:
    """One scenario's report (runs in a worker): a crash is one failed report, not a failed batch."""
    scenario, out_dir, solver, time_limit, risk_futures = task
    try:
        return run_report(scenario, out_dir, solver, time_limit, risk_futures)
    except Exception as exc:  # noqa: BLE001 - one failure stops none of the others
        return ReportOutcome(Path(scenario).stem, False, None, f"{type(exc).__name__}: {exc}", 0.0)


def run_reports(
    scenarios: list[str | Path],
    out_dir: str | Path,
    executor: Executor | int | None = None,
    compare: bool = False,
    solver: str | None = None,
    time_limit: float | None = None,
    progress: bool = True,
    risk_futures: int = 0,
) -> list[ReportOutcome]:
    """Run every scenario's report on ``executor`` (a local pool; an int: that many local processes,
    one by default), in the order given; one failure stops none of the others."""
    if executor is None or isinstance(executor, int):
        executor = LocalExecutor(executor or 1)
    bar = tqdm(
        total=len(scenarios) + compare,
        desc="reports",
        unit="report",
        file=sys.stderr,
        disable=not progress or len(scenarios) + compare < 2,
    )
    tasks = [(str(s), str(out_dir), solver, time_limit, risk_futures) for s in scenarios]
    outcomes = executor.map(_report_task, tasks, lambda done, _total: bar.update(done - bar.n))
    if compare:
        outcomes.append(run_comparison(scenarios, out_dir, solver, time_limit))
        bar.update()
    bar.close()
    return outcomes


def summary_table(outcomes: list[ReportOutcome]) -> str:
    width = max([len(o.scenario) for o in outcomes] + [8])
    lines = [f"{'scenario':<{width}}  {'result':<7}  {'seconds':>7}  output"]
    for o in outcomes:
        where = o.html or (o.folder / "error.md" if o.folder else "-")
        message = o.message.splitlines() or [""]
        detail = "" if o.ok else f"  ({message[0]})"
        lines.append(f"{o.scenario:<{width}}  {'ok' if o.ok else 'FAILED':<7}  {o.seconds:>7.1f}  {where}{detail}")
        if not o.ok:
            lines.extend(f"    {line}" for line in message[1:])
    return "\n".join(lines)
