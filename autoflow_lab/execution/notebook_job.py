"""Executes one run with papermill. Runs inside a worker process, never in the server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import papermill
from jupyter_client.manager import AsyncKernelManager
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

from ..models import RunError, RunProgress
from . import executed_notebook
from .base import RunOutcome, RunSpec, StopReason, stopped
from .environment import (
    environment,
    kernel_environment,
    redact,
    redact_file,
    redact_notebook,
)
from .process_groups import kill_process_group

ENGINE_NAME = "autoflow"


class RunControl:
    """A run's line to its executor while it executes: progress out, stop requests in.

    ``stop`` may be called from any thread; everything else runs on the thread
    executing the run.
    """

    def __init__(
        self,
        on_progress: Callable[[RunProgress], None] = lambda progress: None,
        on_kernel: Callable[[int], None] = lambda process_group: None,
    ) -> None:
        self._on_progress = on_progress
        self._on_kernel = on_kernel
        self._lock = threading.Lock()
        self._kernel_group: int | None = None
        self._stop_reason: StopReason | None = None
        self._progress = RunProgress(cells_done=0, cells_total=0, current_cell=None)

    @property
    def stop_reason(self) -> StopReason | None:
        return self._stop_reason

    def stop(self, reason: StopReason) -> None:
        """Kill the run's kernel (now, or as soon as it has started)."""
        with self._lock:
            self._stop_reason = self._stop_reason or reason
            group = self._kernel_group
        if group is not None:
            kill_process_group(group)

    def kernel_manager_class(self, output: TextIO | None) -> type[AsyncKernelManager]:
        """A kernel manager that tells this control the kernel's process group.

        The kernel process's own stdout and stderr (start-up warnings, crash
        messages) go to ``output``, the run's log, rather than the worker's terminal.
        """
        control = self

        class RunKernelManager(AsyncKernelManager):
            async def start_kernel(self, **kwargs: Any) -> None:  # type: ignore[override]
                if output is not None:
                    kwargs.setdefault("stdout", output)
                    kwargs.setdefault("stderr", output)
                await super().start_kernel(**kwargs)
                provisioner = self.provisioner
                group = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
                if group is not None:
                    control._kernel_started(group)

        return RunKernelManager

    def _kernel_started(self, group: int) -> None:
        with self._lock:
            self._kernel_group = group
            stopping = self._stop_reason is not None
        self._on_kernel(group)
        if stopping:
            kill_process_group(group)

    # nbclient hooks, called as papermill executes the parametrised notebook.

    def begin(self, notebook: Any) -> None:
        total = sum(1 for cell in notebook.cells if _executes(cell))
        self._report(cells_total=total)

    def cell_started(self, cell: Any, cell_index: int, **_: Any) -> None:
        if _executes(cell):
            self._report(current_cell=cell_index)

    def cell_executed(self, cell: Any, cell_index: int, **_: Any) -> None:
        self._report(cells_done=self._progress.cells_done + 1, current_cell=None)

    def _report(self, **changes: Any) -> None:
        self._progress = self._progress.model_copy(update=changes)
        self._on_progress(self._progress)


def _executes(cell: Any) -> bool:
    return bool(cell.cell_type == "code" and cell.source.strip())


class ControlledEngine(NBClientEngine):
    """Papermill's nbclient engine, reporting to a ``RunControl`` passed as ``control``."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man: Any, kernel_name: str, control: RunControl, **kwargs: Any
    ) -> Any:
        control.begin(nb_man.nb)
        return super().execute_managed_notebook(
            nb_man,
            kernel_name,
            on_cell_start=control.cell_started,
            on_cell_executed=control.cell_executed,
            kernel_manager_class=control.kernel_manager_class(kwargs.get("stderr_file")),
            **kwargs,
        )


papermill_engines.register(ENGINE_NAME, ControlledEngine)


def execute_run(spec: RunSpec, control: RunControl) -> RunOutcome:
    """Execute ``spec`` in a kernel that sees only the base and passed variables.

    The run's log gets the engine's messages and the kernel's stdout and stderr.
    Passed values are then redacted from the executed notebook, log and error.
    """
    Path(spec.output_path).parent.mkdir(parents=True, exist_ok=True)
    with open(spec.log_path, "a", encoding="utf-8") as log:
        _note(log, f"run {spec.run_id}: executing {spec.input_path}")
        _note(log, f"kernel {spec.kernel_name}, working directory {spec.cwd}")
        with environment(kernel_environment(spec.environment)):
            outcome = _execute(spec, control, log)
        if outcome.error is None:
            _note(log, "succeeded")
        else:
            where = outcome.error.cell_index
            cell = "" if where is None else f" in cell {where} of the executed notebook"
            _note(
                log, f"{outcome.status.value}{cell}: {outcome.error.ename}: {outcome.error.evalue}"
            )
    secrets = list(spec.environment.values())
    redact_notebook(spec.output_path, secrets)
    redact_file(spec.log_path, secrets)
    if outcome.error is not None:
        evalue = redact(outcome.error.evalue, secrets)
        error = outcome.error.model_copy(update={"evalue": evalue})
        outcome = RunOutcome(error=error, cancelled=outcome.cancelled)
    return outcome


def _note(log: TextIO, message: str) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    log.write(f"[{stamp} UTC AutoFlow] {message}\n")
    log.flush()


def _execute(spec: RunSpec, control: RunControl, log: TextIO) -> RunOutcome:
    """Execute ``spec`` and describe how it ended.

    The executed notebook is always left at ``spec.output_path`` once execution
    started, with the error inline. Papermill marks ordinary cell errors itself;
    timeouts, stops and dying kernels are written into the cell here.
    """
    if control.stop_reason is not None:
        return stopped(control.stop_reason, None, spec.timeout)
    try:
        papermill.execute_notebook(
            spec.input_path,
            spec.output_path,
            parameters=spec.parameters,
            engine_name=ENGINE_NAME,
            control=control,
            kernel_name=spec.kernel_name,
            cwd=spec.cwd,
            execution_timeout=spec.cell_timeout,
            progress_bar=False,
            log_output=False,
            stdout_file=log,
            stderr_file=log,
            request_save_on_cell_execute=True,
        )
    except PapermillExecutionError as error:
        if control.stop_reason is None:
            notebook = executed_notebook.load(spec.output_path)
            cell_index = executed_notebook.failed_cell_index(notebook)
            return RunOutcome(
                error=RunError(cell_index=cell_index, ename=error.ename, evalue=error.evalue)
            )
        return _interrupted(spec, control, error)
    except Exception as error:  # stopped, cell timeout, dead kernel, kernel that never started
        return _interrupted(spec, control, error)
    return RunOutcome()


def _interrupted(spec: RunSpec, control: RunControl, error: Exception) -> RunOutcome:
    notebook = executed_notebook.load(spec.output_path)
    cell_index = executed_notebook.last_started_cell(notebook)
    if control.stop_reason is not None:
        outcome = stopped(control.stop_reason, cell_index, spec.timeout)
    else:
        outcome = RunOutcome(error=_describe(spec, error, cell_index))
    assert outcome.error is not None
    executed_notebook.mark_failed_cell(spec.output_path, notebook, outcome.error)
    return outcome


def _describe(spec: RunSpec, error: Exception, cell_index: int | None) -> RunError:
    ename = type(error).__name__
    if ename == "CellTimeoutError" and spec.cell_timeout is not None:
        where = "" if cell_index is None else f" in cell {cell_index + 1}"
        evalue = f"timed out after {spec.cell_timeout:g} s{where}"
        return RunError(cell_index=cell_index, ename="CellTimeout", evalue=evalue)
    text = str(error).strip()
    evalue = text.splitlines()[0] if text else ename
    return RunError(cell_index=cell_index, ename=ename, evalue=evalue)
