"""Scenario files: schema, safe YAML, extends with deep merge, change log, relative paths."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from portfolio_kit import make_case, small_portfolio, write_portfolio

from workbench.ground.errors import InputError
from workbench.data.planning_data import load_inputs
from workbench.data.scenario import load_scenario


def _messages(path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_only_portfolio_and_horizon_are_required(tmp_path):
    path = make_case(tmp_path)
    scenario = load_scenario(path)
    spec = scenario.spec
    assert scenario.name == "scenario"
    assert spec.objective.value == "value" and spec.discount_rate == 0
    assert spec.solver.name == "auto" and spec.solver.time_limit is None and spec.solver.gap == 0
    assert scenario.portfolio_path == (tmp_path / "portfolio").resolve()


def test_unknown_key_names_line_and_allowed_keys(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("portfolio: p\nhorizon:\n  start: 2027-01\n  periods: 3\n  lenght: 4\n")
    message = _messages(path)[0]
    assert "row 5" in message and "horizon.lenght" in message and "unknown key 'lenght'" in message
    assert "granularity" in message


def test_key_set_twice_is_an_error_with_both_lines(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("portfolio: p\nhorizon:\n  start: 2027-01\n  periods: 3\n  periods: 4\n")
    message = _messages(path)[0]
    assert "'periods' is set twice" in message and "row 5" in message and "line 4" in message


def test_python_tags_are_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "portfolio: !!python/object/apply:os.system ['echo hacked']\nhorizon: {start: 2027-01, periods: 1}\n"
    )
    message = _messages(path)[0]
    assert "refused" in message and "row 1" in message and "python" in message


def test_yaml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("portfolio: p\nhorizon: [start: 2027-01\nname: x\n")
    message = _messages(path)[0]
    assert "invalid YAML" in message and "row " in message


def test_wrong_type_names_key(tmp_path):
    path = make_case(tmp_path, discount_rate="high")
    message = _messages(path)[0]
    assert "discount_rate" in message and "'high'" in message


def test_extends_deep_merges_and_logs_changes(tmp_path):
    write_portfolio(tmp_path / "data" / "portfolio", small_portfolio())
    (tmp_path / "data" / "base.yaml").write_text(
        "portfolio: portfolio\nhorizon: {start: 2027-01, periods: 3}\n"
        "budget: {scale: 0.9, total: 100}\nsolver: {name: highs, time_limit: 5}\n"
    )
    (tmp_path / "child").mkdir()
    child = tmp_path / "child" / "child.yaml"
    child.write_text("extends: ../data/base.yaml\nbudget: {scale: 0.8}\nforce_in: [B]\n")
    scenario = load_scenario(child)
    spec = scenario.spec
    # merged key by key: total survives, scale is overridden
    assert spec.budget.scale == 0.8 and spec.budget.total == 100
    assert spec.solver.name == "highs" and spec.solver.time_limit == 5
    assert spec.force_in == ["B"]
    # the portfolio path is relative to the file that states it (the base)
    assert scenario.portfolio_path == (tmp_path / "data" / "portfolio").resolve()
    assert any("budget.scale: 0.9 -> 0.8" in change for change in scenario.changes)
    assert any("force_in" in change for change in scenario.changes)
    assert scenario.name == "child"
    assert [p.name for p in scenario.files] == ["base.yaml", "child.yaml"]
    load_inputs(child)  # and it loads end to end


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    assert "cycle" in _messages(tmp_path / "a.yaml")[0]


def test_error_in_base_points_at_base_file(tmp_path):
    write_portfolio(tmp_path / "portfolio", small_portfolio())
    (tmp_path / "base.yaml").write_text("portfolio: portfolio\nhorizon: {start: 2027-01, periods: 0}\n")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nname: c\n")
    message = _messages(tmp_path / "child.yaml")[0]
    assert "base.yaml" in message and "horizon.periods" in message


def test_quarters_and_dates(tmp_path):
    tables = small_portfolio()
    tables["projects"][1]["earliest_start"] = "2027Q2"
    path = make_case(tmp_path, tables, periods=4, granularity="quarter")
    inputs = load_inputs(path)
    assert [inputs.data.horizon.label(t) for t in range(4)] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4"]
    assert set(inputs.data.start_options.query("project == 'B'")["start"]) == {1, 2, 3}
    # a date on a period's first day reads as that period
    path.write_text(path.read_text().replace("2027Q1", "2027-01-01"))
    assert load_inputs(path).data.horizon.start == "2027Q1"


def test_schema_command_prints_json_schema():
    run = subprocess.run(
        [sys.executable, "-m", "workbench.faces.cli", "schema"], capture_output=True, text=True, check=True
    )
    schema = json.loads(run.stdout)
    assert schema["additionalProperties"] is False
    assert {"portfolio", "horizon"} <= set(schema["required"])
    assert "force_in" in schema["properties"] and "extends" in schema["properties"]
