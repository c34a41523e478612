"""``workbench lab``: JupyterLab on 127.0.0.1 with the exploration notebook open, no token.

JupyterLab serves the scenario's folder, where a working copy of ``notebooks/explore.ipynb`` is
made the first time (never overwritten): what you run and save there stays yours, and the
template in the repository stays without outputs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from workbench.data.planning_data import load_inputs
from workbench.ground.errors import InputError, Problem
from workbench.faces.packaged import notebook as packaged_notebook
from workbench.faces.packaged import sample_scenario
from workbench.faces.serving import JUPYTER_CONFIG, run_server, server_environment

EXPLORE = "explore.ipynb"
SAMPLE = sample_scenario("baseline")


def lab_command(port: int, root: Path, open_browser: bool = True) -> list[str]:
    """JupyterLab serving ``root``, its root URL and the browser it opens (unless not
    ``open_browser``) on the exploration notebook; no token (loopback only), no update check,
    news feed, news prompt or extension index (nothing asked of the network). As root (a
    container, CI), JupyterLab needs to be told that is intended."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.default_url=/lab/tree/{EXPLORE}",
        f"--LabApp.default_url=/lab/tree/{EXPLORE}",  # JupyterLab's own default (/lab) would win
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        "--KernelManager.transport=ipc",  # local sockets: no "running over TCP without encryption" warning
    ] + (["--ServerApp.allow_root=True"] if os.geteuid() == 0 else [])


def serve_lab(scenario: Path | None = None, port: int | None = None, open_browser: bool = True) -> int:
    """Run JupyterLab until it ends or we are stopped (SIGTERM, Ctrl+C), which stops its kernels
    too. The exploration notebook reads the scenario from the environment."""
    scenario = Path(scenario or SAMPLE).resolve()
    load_inputs(scenario)  # bad input fails here, with its messages, not inside the notebook
    workspace = scenario.parent
    if not os.access(workspace, os.W_OK):  # e.g. the sample inside an installed package
        raise InputError(
            [
                Problem(
                    str(workspace),
                    "JupyterLab keeps its working copy of the notebook beside the scenario, and this folder "
                    "cannot be written; run 'workbench init DIR --sample' and 'workbench lab DIR/baseline.yaml'",
                )
            ]
        )
    notebook = workspace / EXPLORE
    if not notebook.exists():
        shutil.copyfile(packaged_notebook(EXPLORE), notebook)
    port = port or 8888
    print(
        f"JupyterLab at http://127.0.0.1:{port}/lab/tree/{EXPLORE}, serving {workspace} (Ctrl+C to stop)",
        file=sys.stderr,
    )
    environment = server_environment(WORKBENCH_SCENARIO=str(scenario))
    # the package's Jupyter config: the news prompt's plugin disabled (labconfig/page_config.json)
    environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(JUPYTER_CONFIG), os.environ.get("JUPYTER_CONFIG_PATH")])
    )
    return run_server(lab_command(port, workspace, open_browser), environment)
