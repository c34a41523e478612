"""Hostile input, answered: every bad argument is refused when parsed (exit 2, naming it), every
bad table cell or scenario key names its file, row and column (exit 2), output paths are checked
before any work and nothing is renamed or overwritten, large inputs are refused before they are
read, and nothing crashes with an internal error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE

from workbench.faces.cli import main
from workbench.ground.formatting import finite_json


@pytest.fixture
def sample(tmp_path) -> Path:
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target)
    return target


def run(argv, capsys) -> tuple[int, str, str]:
    """The command's exit code, standard output and standard error (argparse exits on bad arguments)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refused(argv, capsys, *named: str) -> str:
    code, _, err = run(argv, capsys)
    assert code == 2, (argv, code, err)
    assert "internal error" not in err and "Traceback" not in err, err
    for text in named:
        assert text in err, (text, err)
    return err


# ----------------------------------------------------------------------------- arguments
BASELINE = SAMPLE / "baseline.yaml"


@pytest.mark.parametrize(
    "argv, argument",
    [
        (["risk", BASELINE, "--samples", "-1"], "--samples"),
        (["risk", BASELINE, "--samples", "0"], "--samples"),
        (["risk", BASELINE, "--samples", "1000000000"], "--samples"),
        (["risk", BASELINE, "--samples", "ten"], "--samples"),
        (["risk", BASELINE, "--seed", "-1"], "--seed"),
        (["risk", BASELINE, "--resolve", "-1"], "--resolve"),
        (["risk", BASELINE, "--resolve", "100000"], "--resolve"),
        (["explain", BASELINE, "--workers", "0"], "--workers"),
        (["sweep", BASELINE, "--grid", "budget.scale=1", "--workers", "-3"], "--workers"),
        (["solve", BASELINE, "--time-limit", "-1"], "--time-limit"),
        (["solve", BASELINE, "--time-limit", "inf"], "--time-limit"),
        (["solve", BASELINE, "--time-limit", "nan"], "--time-limit"),
        (["solve", BASELINE, "--gap", "2"], "--gap"),
        (["frontier", BASELINE, "--points", "1"], "--points"),
        (["frontier", BASELINE, "--points", "100000"], "--points"),
        (["sweep", BASELINE, "--grid", "budget.scale=1", "--scheduler", "not-a-url"], "--scheduler"),
        (["report", BASELINE, "--scheduler", "tcp://host"], "--scheduler"),
        (["report", BASELINE, "--jobs", "0"], "--jobs"),
        (["workshop", BASELINE, "--port", "70000"], "--port"),
    ],
)
def test_a_bad_argument_is_refused_naming_it(argv, argument, capsys):
    refused(argv, capsys, argument)


@pytest.mark.parametrize(
    "grid",
    [
        "horizon.periods=12,24",
        "portfolio=a,b",
        "extends=x,y",
        "name=a,b",
        "risk.samples=10,20",
        "solver.threads=1,2",
        "budget.scale=.inf",
        "budget.scale=nan,1",
        "nonsense",
    ],
)
def test_a_sweep_key_that_changes_nothing_or_a_bad_value_is_refused(grid, capsys):
    refused(["sweep", BASELINE, "--grid", grid], capsys, "--grid")


def test_a_grid_past_the_limit_is_refused_before_any_solve(capsys):
    many = ",".join(f"{0.5 + k / 1000:.3f}" for k in range(100))
    roles = ",".join(str(k) for k in range(11))
    refused(
        ["sweep", BASELINE, "--grid", f"budget.scale={many}", "--grid", f"capacity.data_engineer={roles}"],
        capsys,
        "--grid",
        "1,100 points",
        "at most 1,000",
    )


def test_a_bad_status_date_argument_is_blamed_on_the_argument(capsys):
    err = refused(["status", SAMPLE / "status-2027-06.yaml", "--as-of", "2031-13"], capsys, "--as-of")
    assert "row 7" not in err
    refused(["solve", SAMPLE / "status-2027-06.yaml", "--as-of", "2035-01"], capsys, "--as-of", "outside the horizon")


def test_a_scheduler_from_the_environment_is_checked(capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_SCHEDULER", "garbage")
    refused(["sweep", BASELINE, "--grid", "budget.scale=1"], capsys, "WORKBENCH_SCHEDULER")


# ----------------------------------------------------------------------------- outputs
@pytest.mark.parametrize("command", [["solve"], ["sweep", "--grid", "budget.scale=1"]])
def test_out_must_be_a_folder_checked_before_any_work(command, tmp_path, capsys):
    a_file = tmp_path / "taken.txt"
    a_file.write_text("keep me")
    for target in (a_file, Path("/dev/null"), a_file / "below"):
        refused([command[0], BASELINE, *command[1:], "--out", target], capsys, "--out")
    assert a_file.read_text() == "keep me"


def test_baseline_replace_replaces_only_a_baseline_file(sample, capsys):
    portfolio = sample / "portfolio"
    before = {p.name: p.read_bytes() for p in portfolio.iterdir()}
    scenario = sample / "baseline.yaml"
    for target in (portfolio, portfolio / "projects.csv", Path("/dev/null")):
        refused(["baseline", scenario, "--out", target, "--replace"], capsys, str(target))
    assert {p.name: p.read_bytes() for p in portfolio.iterdir()} == before  # nothing renamed or rewritten
    # the real baseline is replaced, and the old one kept beside it
    code, out, err = run(["baseline", scenario, "--replace", "--solver", "highs"], capsys)
    assert code == 0, err
    kept = [p for p in portfolio.iterdir() if p.name.startswith("baseline-")]
    assert len(kept) == 1 and kept[0].read_bytes() == before["baseline.csv"]
    assert (portfolio / "baseline.csv").read_text().startswith("project,start")


def test_baseline_of_a_scenario_with_no_plan_exits_3_and_writes_nothing(sample, capsys):
    portfolio = sample / "portfolio"
    before = {p.name: p.read_bytes() for p in portfolio.iterdir()}
    code, out, err = run(["baseline", sample / "status-2027-06.yaml", "--replace", "--solver", "highs"], capsys)
    assert code == 3, (out, err)
    assert {p.name: p.read_bytes() for p in portfolio.iterdir()} == before


# ----------------------------------------------------------------------------- tables
def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    "table, old, new, column",
    [
        ("actuals", "REG-02,2027-01,76633.33,50.0", "REG-02,2027-01,76633.33,1_2", "percent_complete"),
        ("actuals", "REG-02,2027-01,76633.33,50.0", "REG-02,2027-01,76633.33,1e-320", "percent_complete"),
        ("actuals", "REG-02,2027-01,76633.33,50.0", "REG-02,2027-01,1e308,50.0", "cost"),
        ("actuals", "REG-02,2027-01,76633.33,50.0", "REG-02,2027-01,inf,50.0", "cost"),
        (
            "risks",
            "R01,Vendor delivers the core banking module late,PLT-01,0.35,60000,2,",
            "R01,Vendor delivers the core banking module late,PLT-01,0.35,1e308,2,",
            "cost_impact",
        ),
        (
            "risks",
            "R01,Vendor delivers the core banking module late,PLT-01,0.35,60000,2,",
            "R01,Vendor delivers the core banking module late,PLT-01,0.35,60000,2000000,",
            "delay",
        ),
        (
            "uncertainty",
            "REG-02,218000.0,460000.0,115000.0,230000.0,2,6,",
            "REG-02,218000.0,460000.0,115000.0,230000.0,2,1000000000,",
            "duration_high",
        ),
        (
            "projects",
            "REG-01,Basel IV reporting,regulatory,274000.0,363000.0,6,",
            "REG-01,Basel IV reporting,regulatory,274000.0,363000.0,1000000,",
            "duration",
        ),
    ],
)
def test_a_number_past_its_bounds_names_file_row_and_column(table, old, new, column, sample, capsys):
    _replace(sample / "portfolio" / f"{table}.csv", old, new)
    refused(["status", sample / "status-2027-06.yaml"], capsys, f"{table}.csv", "row ", f"column '{column}'")


def test_a_risk_certain_to_happen_with_a_long_delay_is_simulated(sample, capsys):
    with open(sample / "portfolio" / "risks.csv", "a") as handle:
        handle.write("R99,Certain and long,PLT-01,1,0,30,CTO,open,none,2027-11\n")
    code, out, err = run(["risk", sample / "baseline.yaml", "--samples", "200", "--solver", "highs", "--json"], capsys)
    assert code == 0, err
    assert "NaN" not in out and "Infinity" not in out


def test_tables_are_matched_by_exact_name(sample, capsys):
    portfolio = sample / "portfolio"
    shutil.copy(portfolio / "actuals.csv", portfolio / "Actuals.csv")
    refused(["validate", sample / "status-2027-06.yaml"], capsys, "Actuals.csv", "actuals.csv")
    os.remove(portfolio / "Actuals.csv")
    shutil.copy(portfolio / "risks.csv", portfolio / "risks .csv")
    refused(["validate", sample / "baseline.yaml"], capsys, "risks .csv")


def _workbook(sample: Path, edit) -> Path:
    import openpyxl

    book_path = sample / f"book{len(list(sample.glob('book*.xlsx')))}.xlsx"
    assert main(["convert", str(sample / "portfolio"), str(book_path)]) == 0
    book = openpyxl.load_workbook(book_path)
    edit(book)
    book.save(book_path)
    scenario = sample / f"{book_path.stem}.yaml"
    scenario.write_text(f"extends: status-2027-06.yaml\nname: book\nportfolio: {book_path.name}\n")
    return scenario


def test_a_sheet_named_almost_like_a_table_is_refused(sample, capsys):
    def rename(book):
        book["actuals"].title = "actuals "

    refused(["validate", _workbook(sample, rename)], capsys, "'actuals '", "did you mean 'actuals'")


def test_percent_formatted_cells_are_read_as_percent(sample, capsys):
    from workbench.analyses.earned_value import project_status
    from workbench.data.planning_data import load_inputs

    def as_percent(book):
        for row in book["actuals"].iter_rows(min_row=2):
            row[3].value = row[3].value / 100
            row[3].number_format = "0%"

    scenario = _workbook(sample, as_percent)
    from_book = project_status(load_inputs(scenario)).to_dict()
    from_csv = project_status(load_inputs(sample / "status-2027-06.yaml")).to_dict()
    rags = from_book["portfolio"].pop("rag"), from_csv["portfolio"].pop("rag")
    assert rags[0] == rags[1] and from_book["portfolio"] == pytest.approx(from_csv["portfolio"])

    def cost_as_percent(book):
        book["projects"]["F2"].number_format = "0%"

    refused(
        ["validate", _workbook(sample, cost_as_percent)],
        capsys,
        "sheet 'projects'",
        "row 2",
        "formatted as a percentage",
    )


def test_a_table_past_the_size_limit_is_refused_before_it_is_read(sample, capsys):
    from workbench.ground.limits import MAX_TABLE_BYTES

    big = sample / "portfolio" / "actuals.csv"
    with open(big, "a") as handle:
        handle.truncate(MAX_TABLE_BYTES + 1)  # a sparse file: refused by its size, not read
    refused(["validate", sample / "status-2027-06.yaml"], capsys, "actuals.csv", "at most 20 MB")


def test_at_most_fifty_problems_are_printed(sample, capsys):
    with open(sample / "portfolio" / "actuals.csv", "a") as handle:
        for k in range(300):
            handle.write(f"NOPE-{k},2027-01,1,1\n")
    err = refused(["validate", sample / "status-2027-06.yaml"], capsys, "and 250 more")
    assert err.count("unknown project") == 50


# ----------------------------------------------------------------------------- scenario keys
@pytest.mark.parametrize(
    "extra, key",
    [
        ("risk: {samples: true}", "risk.samples"),
        ("risk: {seed: -5}", "risk.seed"),
        ("risk: {samples: 0}", "risk.samples"),
        ("budget: {scale: .inf}", "budget.scale"),
        ("budget: {total: .nan}", "budget.total"),
        ("status: {as_of: 2027-06, rag: {green_at: 0.80, red_below: 0.90}}", "status.rag"),
        ("horizon: {start: 2027-01, periods: 100000}", "horizon.periods"),
    ],
)
def test_a_bad_scenario_value_names_its_key(extra, key, sample, capsys):
    scenario = sample / "bad.yaml"
    scenario.write_text(f"extends: baseline.yaml\nname: bad\n{extra}\n")
    refused(["validate", scenario], capsys, "bad.yaml", key)


# ----------------------------------------------------------------------------- the rest
def test_convert_of_a_bad_table_is_an_input_error(sample, tmp_path, capsys):
    _replace(
        sample / "portfolio" / "projects.csv",
        "REG-01,Basel IV reporting,regulatory,274000.0",
        "REG-01,Basel IV reporting,regulatory,274000.0,extra",
    )
    refused(["convert", sample / "portfolio", tmp_path / "out.xlsx"], capsys, "projects.csv", "row 2")
    assert not (tmp_path / "out.xlsx").exists()


def test_json_never_holds_nan_or_infinity():
    assert finite_json({"a": float("inf"), "b": [float("nan"), 1.5]}, indent=None) == '{"a": null, "b": [null, 1.5]}'


# ----------------------------------------------------------------------------- found by trying to break it
def test_a_tiny_actual_cost_is_refused_not_overflowed(sample, capsys):
    with open(sample / "portfolio" / "actuals.csv", "a") as handle:
        handle.write("CUS-05,2027-02,1e-320,100\n")
    refused(["status", sample / "status-2027-06.yaml", "--json"], capsys, "actuals.csv", "column 'cost'", "too small")


@pytest.mark.parametrize(
    "extra, key",
    [
        ("horizon: {start: 2027-1, periods: 24}", "horizon"),
        ("horizon: {start: 2027-01, periods: 8, granularity: quarter}", "horizon"),
        ("risk: {plan_at: 1.0e-300}", "risk.plan_at"),
        ("status: {as_of: 2027-06, rag: {green_at: true}}", "status.rag.green_at"),
        ("budget: {periods: {2099-01: 1000}}", "budget.periods"),
    ],
)
def test_more_bad_scenario_values_name_their_key(extra, key, sample, capsys):
    scenario = sample / "bad.yaml"
    scenario.write_text(f"extends: baseline.yaml\nname: bad\n{extra}\n")
    refused(["validate", scenario], capsys, "bad.yaml", key)


def test_a_scenario_that_is_not_a_small_yaml_file_is_refused_before_it_is_read(sample, capsys):
    refused(["validate", sample / "portfolio"], capsys, "not a scenario file")
    refused(["validate", "/dev/zero"], capsys, "not a scenario file")
    extends_device = sample / "device.yaml"
    extends_device.write_text("extends: /dev/zero\nname: device\n")
    refused(["validate", extends_device], capsys, "not a scenario file")
    huge = sample / "huge.yaml"
    with open(huge, "w") as handle:
        handle.truncate(2 * 1024 * 1024)
    refused(["validate", huge], capsys, "at most")
    bomb = sample / "bomb.yaml"
    bomb.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    )
    refused(["validate", bomb], capsys, "bomb.yaml", "alias")


def test_unicode_digits_are_not_numbers_or_periods(sample, capsys):
    _replace(
        sample / "portfolio" / "actuals.csv", "REG-02,2027-01,76633.33,50.0", "REG-02,2027-01,76633.33,\uff15\uff10"
    )
    refused(["status", sample / "status-2027-06.yaml"], capsys, "actuals.csv", "column 'percent_complete'")
    refused(["status", SAMPLE / "status-2027-06.yaml", "--as-of", "\uff12\uff10\uff12\uff17-06"], capsys, "--as-of")


def test_duplicate_effort_rows_are_refused(sample, capsys):
    effort = sample / "portfolio" / "effort.csv"
    first = effort.read_text().splitlines()[1]
    with open(effort, "a") as handle:
        handle.write(first + "\n")
    refused(["status", sample / "status-2027-06.yaml"], capsys, "effort.csv", "a second row")


def test_a_grid_value_with_thousands_separators_is_explained(capsys):
    refused(["sweep", BASELINE, "--grid", "budget.total=1,000,000"], capsys, "--grid", "not 1,000,000")


def test_names_that_only_look_like_a_table_are_refused(sample, capsys):
    def zero_width(book):
        book["actuals"].title = "actuals\u200b"

    refused(["validate", _workbook(sample, zero_width)], capsys, "did you mean 'actuals'")

    def cyrillic(book):
        book["actuals"].title = "\u0430ctuals"

    refused(["validate", _workbook(sample, cyrillic)], capsys, "did you mean 'actuals'")
    portfolio = sample / "portfolio"
    os.remove(portfolio / "risks.csv")
    (portfolio / "risks.csv").mkdir()
    refused(["validate", sample / "baseline.yaml"], capsys, "risks.csv", "not a regular file")


def test_a_stray_cell_far_away_in_a_sheet_is_refused_not_read(sample, capsys):
    def stray(book):
        book["actuals"]["XFD1048576"] = "x"

    refused(["validate", _workbook(sample, stray)], capsys, "sheet 'actuals'", "stray cells")


def test_convert_keeps_text_as_text_and_says_where_it_cannot_write(sample, tmp_path, capsys):
    import openpyxl

    _replace(sample / "portfolio" / "projects.csv", ",CFO,", ",007,")
    target = tmp_path / "book.xlsx"
    assert main(["convert", str(sample / "portfolio"), str(target)]) == 0
    sheet = openpyxl.load_workbook(target)["projects"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("sponsor") + 1).value == "007"
    assert isinstance(sheet.cell(2, header.index("cost") + 1).value, (int, float))
    refused(["convert", sample / "portfolio", "/proc/no/book.xlsx"], capsys, "/proc/no/book.xlsx")


def test_baseline_never_writes_through_a_planted_link_or_into_a_broken_log(sample, capsys):
    portfolio = sample / "portfolio"
    before = {p.name: p.read_bytes() for p in portfolio.iterdir()}
    (portfolio / ".baseline.csv.tmp").symlink_to(portfolio / "projects.csv")
    code, _, err = run(["baseline", sample / "baseline.yaml", "--replace", "--solver", "highs"], capsys)
    assert code == 0, err
    assert (portfolio / "projects.csv").read_bytes() == before["projects.csv"]
    # a decisions log that is a folder: refused before anything is written
    after = {p.name: p.read_bytes() for p in portfolio.iterdir() if p.is_file() and not p.is_symlink()}
    (sample / "decisions.jsonl").unlink()
    (sample / "decisions.jsonl").mkdir()
    refused(["baseline", sample / "baseline.yaml", "--replace", "--solver", "highs"], capsys, "decisions.jsonl")
    assert {p.name: p.read_bytes() for p in portfolio.iterdir() if p.is_file() and not p.is_symlink()} == after
    refused(["baseline", sample / "baseline.yaml", "--out", portfolio / "Baseline.csv"], capsys, "Baseline.csv")


def test_risk_json_without_a_plan_is_json(capsys):
    import json

    code, out, err = run(
        ["risk", SAMPLE / "status-2027-06.yaml", "--solver", "highs", "--samples", "10", "--json"], capsys
    )
    assert code == 3, err
    assert json.loads(out)["status"] == "infeasible"


def test_a_server_that_is_not_a_dask_scheduler_is_an_input_error(tmp_path):
    import socket
    import subprocess
    import sys
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def answer():  # what an HTTP server says to anything it does not understand
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 100)
            connection.close()

    threading.Thread(target=answer, daemon=True).start()
    try:
        outcome = subprocess.run(
            [
                sys.executable,
                "-m",
                "workbench.faces.cli",
                "sweep",
                str(BASELINE),
                "--grid",
                "budget.scale=1,0.9",
                "--scheduler",
                f"tcp://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.close()
    assert outcome.returncode == 2, outcome.stderr
    assert "not as a Dask scheduler" in outcome.stderr and "Traceback" not in outcome.stderr
