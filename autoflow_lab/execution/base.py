"""The executor interface and the plain data that crosses it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from traitlets.config import LoggingConfigurable

from ..models import RunError, RunProgress, RunStatus
from . import executed_notebook
from .executed_notebook import describe_cell
from .redaction import redact


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

    @property
    def summary(self) -> str:
        """How the run ended, as its log says it: "failed in cell 4: KeyError: 'x'"."""
        if self.error is None:
            return self.status.value
        where = f" in {self.error.where}" if self.error.where else ""
        return f"{self.status.value}{where}: {self.error.ename}: {self.error.evalue}"


def stopped(
    reason: StopReason,
    cell_index: int | None,
    timeout: float | None = None,
    *,
    notebook: Any | None = None,
) -> RunOutcome:
    """The outcome of a run stopped in ``cell_index`` (None: before any cell ran).

    ``notebook`` is the executed notebook, to name the cell as the user sees it;
    ``timeout`` is the run's wall-clock limit, named when that is the reason.
    """
    cell = describe_cell(notebook, cell_index)
    if cell["cell_number"] is None and cell_index is not None and notebook is None:
        cell["cell_number"] = cell_index + 1  # no notebook yet: nothing was added before it
    described = RunError(ename="", evalue="", **cell)
    where = "before its first cell" if cell_index is None else f"in {described.where}"
    if reason is StopReason.CANCELLED:
        error = described.model_copy(update={"ename": "Cancelled", "evalue": f"cancelled {where}"})
        return RunOutcome(error=error, cancelled=True)
    evalue = f"timed out after {timeout or 0:g} s {where}"
    return RunOutcome(error=described.model_copy(update={"ename": "RunTimeout", "evalue": evalue}))


def redact_outcome(outcome: RunOutcome, secrets: list[str]) -> RunOutcome:
    """``outcome`` with no secret in its error's name, message or cell source."""
    error = outcome.error
    if error is None:
        return outcome
    changes = {
        "ename": redact(error.ename, secrets),
        "evalue": redact(error.evalue, secrets),
        "cell_source": None if error.cell_source is None else redact(error.cell_source, secrets),
    }
    return RunOutcome(error=error.model_copy(update=changes), cancelled=outcome.cancelled)


def finish_lost_run(
    spec: RunSpec, stop_reason: StopReason | None, outcome: RunOutcome
) -> RunOutcome:
    """Settle the files of a run whose worker died (or was given up on), and name its
    cell as the user sees it.

    The worker may have died mid-write: whatever it left is redacted first.
    """
    secrets = list(spec.environment.values())
    notebook = executed_notebook.load(spec.output_path)
    error = outcome.error
    if error is not None and error.cell_index is not None:
        if stop_reason is not None:
            outcome = stopped(stop_reason, error.cell_index, spec.timeout, notebook=notebook)
        else:
            cell = executed_notebook.describe_cell(notebook, error.cell_index)
            outcome = RunOutcome(error=error.model_copy(update=cell))
        outcome = redact_outcome(outcome, secrets)
    executed_notebook.finish_cut_short(spec.output_path, spec.log_path, outcome.error, secrets)
    if outcome.error is not None:
        with open(spec.log_path, "a", encoding="utf-8") as log:
            log.write(f"[{timestamp()} UTC AutoFlow] {redact(outcome.summary, secrets)}\n")
    return outcome


def timestamp() -> str:
    """Now, as run logs stamp their lines (UTC)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


ProgressReport = Callable[[RunProgress], None]
# Called by an executor once a worker takes a run, before the run executes, with where
# it executes in words ("Dask worker tcp://10.0.0.5:40312 on host-b"): records its start.
# False: the run must not execute (it was cancelled, or settled by another server,
# while it waited for a worker).
Begin = Callable[[str], Awaitable[bool]]


class Executor(LoggingConfigurable):
    """Executes runs away from the server process.

    The run service never hands an executor more than ``max_workers`` runs at
    once, so an executor may start each run as soon as it receives it.
    """

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_workers = max_workers

    @property
    def where(self) -> str:
        """Where runs execute, in words, for the server's log."""
        return "worker processes of this machine"

    async def start(self, shared_folders: Sequence[str]) -> None:
        """Get ready to execute runs whose notebooks and outputs are in ``shared_folders``;
        called once, when the server starts. Problems are logged, and fail the runs they
        affect, rather than raised: the server must start to show them."""

    async def execute(self, spec: RunSpec, report: ProgressReport, begin: Begin) -> RunOutcome:
        """Execute one run to completion. Notebook failures are outcomes, not exceptions.

        ``begin`` is awaited once a worker takes the run, before it executes; when it
        answers False, the run is not executed and its outcome is ignored. ``report`` is
        called on the event loop each time the run's progress changes.
        """
        raise NotImplementedError

    async def stop(self, run_id: int, reason: StopReason) -> None:
        """Stop a run ``execute`` is executing: kill its kernel, keep the partial notebook.
        A run still waiting for a worker is withdrawn.

        Returns at once; ``execute`` then returns the run's outcome within seconds.
        Stopping a run that has just finished does nothing.
        """
        raise NotImplementedError

    async def shutdown(self) -> None:
        """Release workers. Called once, when the server stops."""
        raise NotImplementedError
