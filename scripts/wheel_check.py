"""The package as users install it: build the wheel, install it into a fresh virtual environment
outside the checkout (not editable, the repository not on the path), and there run
`workbench --version`, `init`, `validate`, `solve --json` and `report` (the page exists, offline,
and the terminal shows no Jupyter warning), and start `workshop` and `lab` on 127.0.0.1 until
they answer HTTP 200. Under the oldest and the newest Python the README promises that this
machine has (3.11 and 3.13). `make test` runs it after the test suite.

    python scripts/wheel_check.py [--python PATH ...]
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WANTED = ("3.11", "3.13")


def interpreters() -> list[str]:
    """A python for each version wanted that this machine has and that runs (pyenv's versions
    first: a pyenv shim on PATH may name a version it will not run)."""
    found = []
    for version in WANTED:
        candidates = [
            *sorted(glob.glob(f"/root/.pyenv/versions/{version}*/bin/python3")),
            shutil.which(f"python{version}"),
        ]
        path = next((c for c in candidates if c and _runs(c, version)), None)
        if path:
            found.append(path)
        else:
            print(f"wheel check: no Python {version} on this machine; skipped", file=sys.stderr)
    return found


def _runs(python: str, version: str) -> bool:
    probe = subprocess.run(
        [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
    )
    return probe.returncode == 0 and probe.stdout.strip() == version


def run(command: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    outcome = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, **kwargs)
    if outcome.returncode != 0:
        raise SystemExit(f"wheel check: {' '.join(map(str, command))} failed:\n{outcome.stdout}\n{outcome.stderr}")
    return outcome


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers_200(command: list, port: int, path: str, cwd: Path, env: dict) -> None:
    process = subprocess.Popen(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"wheel check: {' '.join(map(str, command))} exited at start")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"wheel check: {command[1]} did not answer 200 on {path} within 120 s")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def check(python: str, wheel: Path, work: Path) -> None:
    version = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], work).stdout.strip()
    venv = work / f"venv-{version}"
    run([python, "-m", "venv", venv], work)
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], work)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    workbench = venv / "bin" / "workbench"
    where = run([venv / "bin" / "python", "-c", "import workbench; print(workbench.__file__)"], work, env=env)
    assert str(ROOT) not in where.stdout, f"workbench imported from the checkout: {where.stdout}"
    print(f"wheel check, Python {version}: {run([workbench, '--version'], work, env=env).stdout.strip()}")
    folder = work / f"pmo-{version}"
    run([workbench, "init", folder], work, env=env)
    run([workbench, "validate", folder / "baseline.yaml"], work, env=env)
    solved = json.loads(run([workbench, "solve", folder / "baseline.yaml", "--json"], work, env=env).stdout)
    assert solved["status"] == "optimal", solved["status"]
    report = run([workbench, "report", folder / "baseline.yaml", "--out", folder / "reports"], work, env=env)
    assert "WARNING" not in report.stderr and "Warning" not in report.stderr, report.stderr
    pages = list((folder / "reports").rglob("report.html"))
    assert len(pages) == 1, pages
    page = pages[0].read_text(encoding="utf-8")
    assert "<svg" in page and 'src="http' not in page and 'href="http' not in page.split("<body")[0]
    port = free_port()
    answers_200([workbench, "workshop", folder / "baseline.yaml", "--port", port], port, "/", work, env)
    port = free_port()
    answers_200([workbench, "lab", folder / "baseline.yaml", "--port", port, "--no-browser"], port, "/lab", work, env)
    print(f"wheel check, Python {version}: init, validate, solve, report, workshop and lab work from the wheel")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", help="an interpreter to check (default: 3.11 and 3.13)")
    args = parser.parse_args()
    pythons = args.python or interpreters()
    with tempfile.TemporaryDirectory(prefix="workbench-wheel-") as temporary:
        work = Path(temporary)
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work / "dist", ROOT], work)
        (wheel,) = (work / "dist").glob("portfolio_workbench-*.whl")
        for python in pythons:
            check(python, wheel, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
