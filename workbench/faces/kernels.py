"""The kernels the reports run in: on local sockets (IPC), not TCP.

A kernel on TCP without CurveZMQ keys prints "Kernel is running over TCP without encryption" on
the terminal of every report; over IPC the sockets are files only this user can reach, and the
kernel has nothing to warn about. nbclient (under papermill) names this class as a string.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager


class LocalKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel uses IPC sockets in a folder of its own: reports run
    side by side (``--workers``) never pick the same socket files, which a name relative to the
    working directory (jupyter_client's default without a connection file) would."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        folder = None
        if kwargs["transport"] == "ipc" and "ip" not in kwargs:
            folder = tempfile.mkdtemp(prefix="workbench-kernel-")
            kwargs["ip"] = os.path.join(folder, "kernel")
        super().__init__(**kwargs)
        self._socket_folder = folder

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._socket_folder is not None:  # the kernel is gone: so are its sockets
            shutil.rmtree(self._socket_folder, ignore_errors=True)
            self._socket_folder = None

    cleanup_resources = _async_cleanup_resources
