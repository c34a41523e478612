"""The kernels the reports run in: on local sockets (IPC), not TCP.

A kernel on TCP without CurveZMQ keys prints "Kernel is running over TCP without encryption" on
the terminal of every report; over IPC the sockets are files only this user can reach, and the
kernel has nothing to warn about. nbclient (under papermill) names this class as a string.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager


class LocalKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernels use IPC transport."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        super().__init__(**kwargs)
