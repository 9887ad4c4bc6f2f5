"""The executor interface and the plain data that crosses it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from traitlets.config import LoggingConfigurable

from ..models import RunError, RunProgress, RunStatus


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to execute one run; absolute paths only."""

    run_id: int
    input_path: str
    output_path: str
    log_path: str
    cwd: str
    parameters: dict[str, Any] = field(default_factory=dict)
    kernel_name: str | None = None
    timeout: float | None = None
    cell_timeout: float | None = None
    # Variables passed to the kernel. Secret: never logged, stored or shown.
    environment: dict[str, str] = field(default_factory=dict, repr=False)


class StopReason(str, Enum):
    """Why a run is stopped before it has finished."""

    CANCELLED = "cancelled"
    TIMED_OUT = "timed out"


@dataclass(frozen=True)
class RunOutcome:
    error: RunError | None = None
    cancelled: bool = False

    @classmethod
    def of_exception(cls, error: Exception) -> RunOutcome:
        """A failure outside any cell: the engine itself raised ``error``."""
        return cls(error=RunError(cell_index=None, ename=type(error).__name__, evalue=str(error)))

    @property
    def status(self) -> RunStatus:
        if self.cancelled:
            return RunStatus.CANCELLED
        return RunStatus.SUCCEEDED if self.error is None else RunStatus.FAILED


def stopped(reason: StopReason, cell_index: int | None, timeout: float | None = None) -> RunOutcome:
    """The outcome of a run stopped in ``cell_index`` (None: before any cell ran).

    ``timeout`` is the run's wall-clock limit, named when that is the reason.
    """
    where = "before its first cell" if cell_index is None else f"in cell {cell_index + 1}"
    if reason is StopReason.CANCELLED:
        error = RunError(cell_index=cell_index, ename="Cancelled", evalue=f"cancelled {where}")
        return RunOutcome(error=error, cancelled=True)
    evalue = f"timed out after {timeout or 0:g} s {where}"
    return RunOutcome(error=RunError(cell_index=cell_index, ename="RunTimeout", evalue=evalue))


ProgressReport = Callable[[RunProgress], None]


class Executor(LoggingConfigurable):
    """Executes runs away from the server process.

    The run service never hands an executor more than ``max_workers`` runs at
    once, so an executor may start each run as soon as it receives it.
    """

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_workers = max_workers

    async def execute(self, spec: RunSpec, report: ProgressReport) -> RunOutcome:
        """Execute one run to completion. Notebook failures are outcomes, not exceptions.

        ``report`` is called on the event loop each time the run's progress changes.
        """
        raise NotImplementedError

    async def stop(self, run_id: int, reason: StopReason) -> None:
        """Stop a run ``execute`` is executing: kill its kernel, keep the partial notebook.

        Returns at once; ``execute`` then returns the run's outcome within seconds.
        Stopping a run that has just finished does nothing.
        """
        raise NotImplementedError

    async def shutdown(self) -> None:
        """Release workers. Called once, when the server stops."""
        raise NotImplementedError
