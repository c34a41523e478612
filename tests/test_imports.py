"""Importing does no work: every module of the package imported in a fresh interpreter starts no
process and no thread and leaves standard output's file descriptor as it was."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import importlib, json, os, pkgutil, threading
import psutil
import workbench

before = os.fstat(1)
threads = {t.ident for t in threading.enumerate()}
names = sorted(m.name for m in pkgutil.walk_packages(workbench.__path__, "workbench."))
for name in names:
    importlib.import_module(name)
after = os.fstat(1)
print(json.dumps({
    "modules": len(names),
    "children": [p.cmdline()[:3] for p in psutil.Process().children(recursive=True)],
    "threads": sorted(t.name for t in threading.enumerate() if t.ident not in threads),
    "fd1_same": (before.st_dev, before.st_ino) == (after.st_dev, after.st_ino),
    "highs_made": importlib.import_module("workbench.model.highs")._banner_silenced,
}), file=open(os.environ["IMPORT_REPORT"], "w"))
"""


def test_importing_every_module_does_no_work(tmp_path):
    report = tmp_path / "report.json"
    outcome = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "IMPORT_REPORT": str(report)},
    )
    assert outcome.returncode == 0, outcome.stderr
    found = json.loads(report.read_text())
    assert found["modules"] > 40
    assert found["children"] == [], found
    assert found["threads"] == [], found
    assert found["fd1_same"] and not found["highs_made"], found  # fd 1 was not swapped to make a HiGHS object
    assert "HiGHS" not in outcome.stdout  # the banner is printed at no import
