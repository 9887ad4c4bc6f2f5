"""Killing a kernel together with everything it started."""

from __future__ import annotations

import contextlib
import os
import signal


def kill_process_group(group: int) -> None:
    """SIGKILL a process group; kernels lead their own, so this takes their children too."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(group, signal.SIGKILL)
