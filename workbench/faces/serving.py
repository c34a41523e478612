"""Local servers for the faces (the Voila workshop, JupyterLab): on 127.0.0.1 only, run as a child
that gets our SIGTERM and Ctrl+C, so that it stops its kernels before we exit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

#: Jupyter data shipped with the package (the workshop's Voila template), put on JUPYTER_PATH
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
#: Jupyter config shipped with the package (JupyterLab's news prompt disabled), put on JUPYTER_CONFIG_PATH
JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter_config"
STOP_SECONDS = 20.0  # for the server to stop its kernels after SIGTERM, before it is killed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(**variables: str) -> dict[str, str]:
    """Our environment, plus ``variables`` and the package's Jupyter data on JUPYTER_PATH."""
    paths = [str(JUPYTER_DATA), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    return dict(os.environ, JUPYTER_PATH=os.pathsep.join(paths), **variables)


def run_server(command: list[str], environment: dict[str, str]) -> int:
    """Run ``command`` until it ends, or until we get SIGTERM or SIGINT: then the server gets
    SIGTERM (a Jupyter server then shuts its kernels down), and is killed with its process group
    if it has not stopped within STOP_SECONDS. The server runs in a session of its own, so a
    terminal's Ctrl+C reaches it only through us, once."""
    process = subprocess.Popen(command, env=environment, start_new_session=True)
    asked_to_stop: list[float] = []  # when we got SIGTERM or SIGINT

    def stop(signum, frame):  # noqa: ARG001 - a signal handler's signature
        asked_to_stop.append(time.monotonic())
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = process.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if asked_to_stop and time.monotonic() - asked_to_stop[0] > STOP_SECONDS:
                    os.killpg(process.pid, signal.SIGKILL)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return 0 if asked_to_stop else code
