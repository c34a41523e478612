"""``workbench workshop``: the Voila dashboard on 127.0.0.1, no token, nothing asked of the network.

Voila keeps one kernel pre-started with the dashboard already run (``preheat_kernel``), so a
page opened shows its KPIs without waiting for a kernel and a first solve.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.data.planning_data import load_inputs
from workbench.faces.packaged import notebook
from workbench.faces.serving import run_server, server_environment

WORKSHOP = notebook("workshop.ipynb")


def voila_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(WORKSHOP),
        f"--port={port}",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--Voila.token=",
        "--Voila.port_retries=0",
        "--show_tracebacks=False",
        "--theme=light",
        "--template=workbench",
        "--VoilaConfiguration.preheat_kernel=True",
        "--VoilaConfiguration.default_pool_size=1",
        "--KernelManager.transport=ipc",  # local sockets: no "running over TCP without encryption" warning
    ]


def serve(scenario: Path, port: int | None = None, solver: str | None = None) -> int:
    """Run Voila until it ends or we are stopped (SIGTERM, Ctrl+C), which stops its kernels too.
    The notebook reads the scenario from the environment."""
    load_inputs(scenario)  # bad input fails here, with its messages, not inside the dashboard
    port = port or 8866
    environment = server_environment(
        WORKBENCH_SCENARIO=str(Path(scenario).resolve()), **({"WORKBENCH_SOLVER": solver} if solver else {})
    )
    print(f"Workshop dashboard for {scenario} at http://127.0.0.1:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    return run_server(voila_command(port), environment)
