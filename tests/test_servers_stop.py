"""`workbench workshop` and `workbench lab` stop their server and its kernels on SIGTERM or
Ctrl+C (SIGINT): no process is left behind."""

from __future__ import annotations

import http.client
import json
import signal
import time

import psutil
import pytest
from browser_kit import workbench_server

from workbench.faces.serving import free_port

pytestmark = pytest.mark.slow


def start_kernel(port: int) -> None:
    """As the browser does: the page's XSRF cookie, then POST /api/kernels with it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/lab")
    response = connection.getresponse()
    response.read()
    cookie = next(
        value.split(";")[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie" and value.startswith("_xsrf=")
    )
    connection.request(
        "POST",
        "/api/kernels",
        body=json.dumps({"name": "python3"}),
        headers={"Content-Type": "application/json", "Cookie": cookie, "X-XSRFToken": cookie.split("=", 1)[1]},
    )
    assert connection.getresponse().status == 201


def kernels_of(process) -> list[psutil.Process]:
    """The server's kernels; a child that ends while it is looked at (a short-lived helper, now a
    zombie or gone) is not one."""
    kernels = []
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(child)
        except psutil.Error:
            continue
    return kernels


@pytest.mark.parametrize(
    "command, stop", [("workshop", signal.SIGTERM), ("lab", signal.SIGTERM), ("lab", signal.SIGINT)]
)
def test_a_signal_stops_the_server_and_its_kernels(tmp_path, sample_dir, command, stop):
    port = free_port()
    ready = "/lab" if command == "lab" else "/"
    environment = {"JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    scenario = str(sample_dir / "baseline.yaml") if command == "workshop" else None
    arguments = [command] + ([scenario] if scenario else [])
    if command == "lab":  # the lab's working copy of the notebook goes beside the scenario
        import shutil

        shutil.copytree(sample_dir, tmp_path / "sample")
        arguments = [command, str(tmp_path / "sample" / "baseline.yaml")]
    with workbench_server(arguments, port, ready, environment) as process:
        if command == "lab":
            start_kernel(port)
        deadline = time.monotonic() + 60  # the workshop's kernel is pre-started with the dashboard
        while not kernels_of(process) and time.monotonic() < deadline:
            time.sleep(0.5)
        family = psutil.Process(process.pid).children(recursive=True)
        assert kernels_of(process), "no kernel was started"
        process.send_signal(stop)  # to the workbench command only, as a service manager or Ctrl+C would
        assert process.wait(40) == 0
        gone, alive = psutil.wait_procs(family, timeout=20)
        assert alive == [], [p.cmdline() for p in alive]
