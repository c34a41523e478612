"""``workbench init DIR``: a working folder of one's own, from the sample or from empty tables.

Nothing is ever overwritten: a file that exists already is named and the folder is left as it
was. The empty portfolio holds the required tables (and a budget) with their headers and one
example row each, documented column by column in the folder's README.md.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from workbench.faces.packaged import packaged_file, sample_folder
from workbench.ground.errors import InputError, Problem
from workbench.ground.files import write_atomically

#: the empty portfolio: each table's header and one example row, every value valid
EMPTY_TABLES = {
    "projects.csv": (
        "id,name,category,value,cost,duration,earliest_start,latest_start,mandatory,status,start,risk\n"
        "P-001,Example project,growth,250000,120000,6,,,false,proposed,,0.1\n"
    ),
    "demand.csv": "project,role,fte,offset\nP-001,analyst,1.5,\n",
    "capacity.csv": "role,fte,period\nanalyst,3,\n",
    "budget.csv": "amount,period\n40000,\n",
}


def _baseline_scenario(start: str) -> str:
    return (
        "# Your portfolio's plan: edit the tables in portfolio/, then `workbench validate` this file.\n"
        "name: baseline\n"
        "description: The portfolio as it stands.\n"
        "portfolio: portfolio\n"
        "horizon:\n"
        f"  start: {start}\n"
        "  periods: 12\n"
        "  granularity: month\n"
        "objective: value\n"
    )


def init_workspace(folder: str | Path, sample: bool = True, today: dt.date | None = None) -> list[Path]:
    """Make ``folder`` a working folder: the sample portfolio and its scenarios (``sample``), or
    empty tables with one example row each, a README.md and a baseline scenario. Returns the
    files written.

    Raises
    ------
    InputError
        A file to be written exists already (nothing is written then), or ``folder`` is a file.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(str(folder), "is a file; give a folder (it is made if missing)")])
    files = _sample_files() if sample else _empty_files(today or dt.date.today())
    existing = [folder / name for name in files if (folder / name).exists()]
    if existing:
        raise InputError(
            [Problem(str(path), "exists already; init never overwrites: give an empty folder") for path in existing]
        )
    written = []
    for name, source in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        else:
            write_atomically(target, source)
        written.append(target)
    return written


def _sample_files() -> dict[str, Path]:
    root = sample_folder()  # the files the package carries, whatever else lies beside them in a checkout
    paths = [*root.glob("*.yaml"), root / "portfolio.xlsx", *root.glob("portfolio/*.csv")]
    return {str(path.relative_to(root)): path for path in sorted(paths)}


def _empty_files(today: dt.date) -> dict[str, str | Path]:
    files: dict[str, str | Path] = {f"portfolio/{name}": text for name, text in EMPTY_TABLES.items()}
    files["baseline.yaml"] = _baseline_scenario(f"{today.year}-{today.month:02d}")
    files["README.md"] = (
        "# Your portfolio\n\n"
        "`portfolio/` holds the tables (CSV, one file per table); `baseline.yaml` is the scenario that\n"
        "plans them. Each table starts with one example row: replace it with your own. Below, every\n"
        "table and column the workbench reads.\n\n" + packaged_file("portfolio-format.md").read_text(encoding="utf-8")
    )
    return files


def next_steps(folder: Path) -> list[str]:
    """The three commands to run next."""
    scenario = folder / "baseline.yaml"
    return [
        f"workbench validate {scenario}",
        f"workbench solve {scenario}",
        f"workbench report {scenario} --out {folder / 'reports'}",
    ]
