"""Every class of bad input gets a message naming file, row, id, column and what is expected."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest
from portfolio_kit import make_case, small_portfolio, write_table

from workbench.ground.errors import InputError
from workbench.data.planning_data import load_inputs


def _problems(scenario_path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_inputs(scenario_path)
    return [str(p) for p in info.value.problems]


def _one(problems: list[str], *fragments: str) -> str:
    matching = [p for p in problems if all(f in p for f in fragments)]
    assert matching, f"no problem contains {fragments}; got:\n" + "\n".join(problems)
    return matching[0]


def _tables(**changes):
    tables = copy.deepcopy(small_portfolio())
    for name, rows in changes.items():
        tables[name] = rows
    return tables


def _with_project(**fields):
    tables = small_portfolio()
    tables["projects"][0].update(fields)
    return tables


CASES = {
    "missing column": (
        lambda t: [p.pop("value") for p in t["projects"]],
        ("projects.csv", "row 1", "'value'", "missing"),
    ),
    "wrong type": (
        lambda t: t["projects"][1].update(value="lots"),
        ("projects.csv", "row 3", "id 'B'", "'value'", "not a number"),
    ),
    "negative": (lambda t: t["projects"][0].update(cost=-5), ("projects.csv", "row 2", "id 'A'", "'cost'", ">= 0")),
    "non-finite": (lambda t: t["projects"][0].update(value="inf"), ("projects.csv", "row 2", "'value'", "finite")),
    "risk outside 0..1": (
        lambda t: t["projects"][0].update(risk=1.5),
        ("projects.csv", "row 2", "'risk'", "from 0 to 1"),
    ),
    "mandatory not boolean": (
        lambda t: t["projects"][0].update(mandatory="maybe"),
        ("projects.csv", "row 2", "'mandatory'", "true or false"),
    ),
    "unknown status": (
        lambda t: t["projects"][0].update(status="paused"),
        ("projects.csv", "row 2", "'status'", "proposed, approved, in_progress"),
    ),
    "impossible period": (
        lambda t: t["projects"][0].update(earliest_start="2027-13"),
        ("projects.csv", "row 2", "'earliest_start'", "2027-13"),
    ),
    "duration not whole": (
        lambda t: t["projects"][0].update(duration=1.5),
        ("projects.csv", "row 2", "'duration'", "whole number"),
    ),
    "duplicate id": (
        lambda t: t["projects"][1].update(id="A"),
        ("projects.csv", "row 3", "id 'A'", "duplicate id", "row 2"),
    ),
    "demand unknown project": (
        lambda t: t["demand"].append({"project": "Z", "role": "dev", "fte": 1}),
        ("demand.csv", "row 5", "unknown project 'Z'"),
    ),
    "demand unknown role": (
        lambda t: t["demand"].append({"project": "A", "role": "pilot", "fte": 1}),
        ("demand.csv", "row 5", "'role'", "pilot", "capacity"),
    ),
    "offset outside duration": (
        lambda t: t["demand"].append({"project": "B", "role": "dev", "fte": 1, "offset": 1}),
        ("demand.csv", "row 5", "'offset'", "0..0"),
    ),
    "earliest after latest": (
        lambda t: t["projects"][0].update(earliest_start="2027-03", latest_start="2027-02"),
        ("projects.csv", "row 2", "id 'A'", "earliest_start 2027-03 is after latest_start 2027-02"),
    ),
    "in progress without start": (
        lambda t: t["projects"][0].update(status="in_progress"),
        ("projects.csv", "row 2", "'start'", "in_progress"),
    ),
    "committed cannot fit": (
        lambda t: t["projects"][2].update(duration=4),
        ("projects.csv", "row 4", "id 'C'", "mandatory", "cannot run within the horizon"),
    ),
    "capacity twice": (
        lambda t: t["capacity"].append({"role": "dev", "fte": 3}),
        ("capacity.csv", "row 4", "'period'", "a second row"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_class_is_located(tmp_path, case):
    mutate, fragments = CASES[case]
    tables = copy.deepcopy(small_portfolio())
    mutate(tables)
    problems = _problems(make_case(tmp_path, tables))
    _one(problems, *fragments)


def test_missing_required_table(tmp_path):
    tables = _tables()
    del tables["capacity"]
    _one(_problems(make_case(tmp_path, tables)), "portfolio", "no 'capacity' table", "capacity.csv")


def test_required_table_without_rows(tmp_path):
    path = make_case(tmp_path)
    write_table(tmp_path / "portfolio", "demand", [], header=["project", "role", "fte"])
    _one(_problems(path), "demand.csv", "no rows")


def test_row_with_wrong_field_count(tmp_path):
    path = make_case(tmp_path)
    with (tmp_path / "portfolio" / "capacity.csv").open("a", encoding="utf-8") as handle:
        handle.write("tester,1,extra,more\n")
    _one(_problems(path), "capacity.csv", "row 4", "4 fields", "header has")


def test_not_utf8(tmp_path):
    path = make_case(tmp_path)
    (tmp_path / "portfolio" / "projects.csv").write_bytes(
        "id,name,value,cost,duration\nA,Caf\u00e9,1,1,1\n".encode("latin-1")
    )
    _one(_problems(path), "projects.csv", "not UTF-8")


def test_bom_and_crlf_are_accepted(tmp_path):
    path = make_case(tmp_path)
    target = tmp_path / "portfolio" / "projects.csv"
    target.write_bytes(b"\xef\xbb\xbf" + target.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    inputs = load_inputs(path)
    assert list(inputs.portfolio.projects["id"]) == ["A", "B", "C"]


def test_dependency_problems(tmp_path):
    tables = _tables(
        dependencies=[
            {"project": "A", "requires": "A"},
            {"project": "A", "requires": "Q"},
            {"project": "B", "requires": "C"},
            {"project": "C", "requires": "B"},
        ]
    )
    problems = _problems(make_case(tmp_path, tables))
    _one(problems, "dependencies.csv", "row 2", "cannot require itself")
    _one(problems, "dependencies.csv", "row 3", "unknown project 'Q'")
    _one(problems, "dependencies.csv", "cycle", "B -> C -> B")


def test_exclusion_problems(tmp_path):
    tables = _with_project(mandatory="true")
    tables["exclusions"] = [
        {"group": "g", "project": "A"},
        {"group": "g", "project": "C"},
        {"group": "g", "project": "nope"},
    ]
    problems = _problems(make_case(tmp_path, tables))
    _one(problems, "exclusions.csv", "unknown project 'nope'")
    _one(problems, "exclusions.csv", "group 'g'", "A, C")


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    tables = small_portfolio()
    tables["projects"][0]["value"] = "x"
    tables["projects"][1]["cost"] = -1
    tables["capacity"][0]["fte"] = "many"
    assert len(_problems(make_case(tmp_path, tables))) >= 3


def test_scenario_naming_unknown_things(tmp_path):
    path = make_case(
        tmp_path,
        force_in=["A", "NOPE"],
        force_out=["C"],
        capacity=[{"role": "pilot", "delta": 1}],
        balance={"space": {"min": 0.1}},
        hiring=[{"role": "dev", "cost": 1, "max_fte": 1}, {"role": "dev", "cost": 2, "max_fte": 1}],
    )
    problems = _problems(path)
    _one(problems, "scenario.yaml", "force_in[1]", "unknown project 'NOPE'")
    _one(problems, "force_out[0]", "'C' is mandatory and cannot be forced out")
    _one(problems, "capacity[0]", "unknown role 'pilot'")
    _one(problems, "balance", "unknown category 'space'")
    _one(problems, "hiring[1]", "listed twice")
    assert all("line" not in p or "row" in p for p in problems)
    assert any("row " in p for p in problems), "scenario problems carry their YAML line"


def test_forced_in_project_that_cannot_fit(tmp_path):
    tables = _with_project(earliest_start="2027-03")  # A lasts 2 periods: cannot finish by 2027-03
    problems = _problems(make_case(tmp_path, tables, force_in=["A"]))
    _one(problems, "force_in[0]", "cannot run within the horizon")


def test_optional_project_that_cannot_fit_is_not_an_error(tmp_path):
    tables = _with_project(earliest_start="2027-03")
    inputs = load_inputs(make_case(tmp_path, tables))
    assert "A" not in set(inputs.data.start_options["project"])


def test_xlsx_sheet_is_named(tmp_path):
    from workbench.data.convert import csv_folder_to_xlsx

    tables = small_portfolio()
    tables["projects"][1]["value"] = "lots"
    path = make_case(tmp_path, tables)
    book = csv_folder_to_xlsx(tmp_path / "portfolio", tmp_path / "book.xlsx")
    text = path.read_text().replace("portfolio: portfolio", "portfolio: book.xlsx")
    path.write_text(text)
    _one(_problems(path), "book.xlsx, sheet 'projects'", "row 3", "'value'")
    assert book.exists()


def test_cli_bad_input_exit_2_no_traceback_and_empty_stdout(tmp_path):
    tables = small_portfolio()
    tables["projects"][0]["value"] = "x"
    path = make_case(tmp_path, tables)
    for command in (["validate"], ["solve", "--json"]):
        run = subprocess.run(
            [sys.executable, "-m", "workbench.faces.cli", *command, str(path)], capture_output=True, text=True
        )
        assert run.returncode == 2
        assert run.stdout == ""
        assert "projects.csv" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "workbench.faces.cli", "--debug", "validate", str(path)], capture_output=True, text=True
    )
    assert run.returncode == 2 and "Traceback" in run.stderr


def test_loading_writes_nothing(tmp_path):
    path = make_case(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    load_inputs(path)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before


def test_xlsx_formula_without_saved_result_is_named(tmp_path):
    import openpyxl

    path = make_case(tmp_path)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in small_portfolio().items():
        sheet = book.create_sheet(name)
        header = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(h) for h in header])
    book["projects"]["C2"] = "=40+60"  # value of A, never computed by a spreadsheet program
    book.save(tmp_path / "book.xlsx")
    path.write_text(path.read_text().replace("portfolio: portfolio", "portfolio: book.xlsx"))
    _one(_problems(path), "sheet 'projects'", "row 2", "'value'", "formula '=40+60'", "save it")
