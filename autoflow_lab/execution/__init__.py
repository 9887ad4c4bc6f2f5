"""Where notebooks execute: an executor interface and its implementations.

Runs cross this boundary as plain data (``RunSpec`` in, ``RunOutcome`` out), so an
executor may run them in local worker processes or on a remote cluster.
"""

from __future__ import annotations

from .base import Begin, Executor, ProgressReport, RunOutcome, RunSpec, StopReason, stopped
from .dask_executor import DaskExecutor
from .local import LocalExecutor

__all__ = [
    "Begin",
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "ProgressReport",
    "RunOutcome",
    "RunSpec",
    "StopReason",
    "stopped",
]
