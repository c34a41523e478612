"""Loaded by Python at start-up in the test suite's child processes (CLI runs, notebook kernels):
every plan they solve goes through the independent checker, as in the suite's own process."""

from __future__ import annotations


def _register() -> None:
    try:
        from workbench.analyses.check import assert_checked
        from workbench.planning.runs import observe_plans
    except ImportError:  # a child that does not use the workbench
        return
    observe_plans(assert_checked)


_register()
