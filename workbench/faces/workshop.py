"""``workbench workshop``: the Voila dashboard on 127.0.0.1, no token."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from workbench.data.planning_data import load_inputs

WORKSHOP = Path(__file__).resolve().parents[2] / "notebooks" / "workshop.ipynb"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def voila_command(port: int) -> list[str]:
    return [sys.executable, "-m", "voila", str(WORKSHOP), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--Voila.token=", "--Voila.port_retries=0",
            "--show_tracebacks=False", "--theme=light"]


def serve(scenario: Path, port: int | None = None, solver: str | None = None) -> int:
    """Run Voila in the foreground until interrupted; the notebook reads the scenario from the environment."""
    load_inputs(scenario)  # bad input fails here, with its messages, not inside the dashboard
    port = port or 8866
    environment = dict(os.environ, WORKBENCH_SCENARIO=str(Path(scenario).resolve()))
    if solver:
        environment["WORKBENCH_SOLVER"] = solver
    print(f"Workshop dashboard for {scenario} at http://127.0.0.1:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        return subprocess.call(voila_command(port), env=environment)
    except KeyboardInterrupt:
        return 0
