"""The messages a ``LocalExecutor`` and its worker processes exchange over their pipe."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import RunProgress
from .base import RunOutcome, RunSpec, StopReason

# Parent to worker


@dataclass(frozen=True)
class Execute:
    spec: RunSpec


@dataclass(frozen=True)
class Stop:
    run_id: int
    reason: StopReason


# Worker to parent


@dataclass(frozen=True)
class KernelStarted:
    run_id: int
    process_group: int


@dataclass(frozen=True)
class Progressed:
    run_id: int
    progress: RunProgress


@dataclass(frozen=True)
class Finished:
    run_id: int
    outcome: RunOutcome


@dataclass(frozen=True)
class SpareStarted:
    """The worker's spare kernel (``spare_kernels``) is now this process group, or none."""

    process_group: int | None
