"""Executes one run with papermill. Runs inside a worker process, never in the server."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from ..models import RunError
from .base import RunOutcome, RunSpec
from .environment import (
    environment,
    kernel_environment,
    redact,
    redact_file,
    redact_notebook,
)


def execute_run(spec: RunSpec) -> RunOutcome:
    """Execute ``spec`` in a kernel that sees only the base and passed variables.

    The run's log gets the engine's messages and the kernel's stdout and stderr.
    Passed values are then redacted from the executed notebook, log and error.
    """
    Path(spec.output_path).parent.mkdir(parents=True, exist_ok=True)
    with open(spec.log_path, "a", encoding="utf-8") as log:
        _note(log, f"run {spec.run_id}: executing {spec.input_path}")
        _note(log, f"kernel {spec.kernel_name}, working directory {spec.cwd}")
        with environment(kernel_environment(spec.environment)):
            outcome = _execute(spec, log)
        if outcome.error is None:
            _note(log, "succeeded")
        else:
            where = outcome.error.cell_index
            cell = "" if where is None else f" in cell {where} of the executed notebook"
            _note(log, f"failed{cell}: {outcome.error.ename}: {outcome.error.evalue}")
    secrets = list(spec.environment.values())
    redact_notebook(spec.output_path, secrets)
    redact_file(spec.log_path, secrets)
    if outcome.error is not None:
        evalue = redact(outcome.error.evalue, secrets)
        outcome = RunOutcome(error=outcome.error.model_copy(update={"evalue": evalue}))
    return outcome


def _note(log: TextIO, message: str) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    log.write(f"[{stamp} UTC AutoFlow] {message}\n")
    log.flush()


def _execute(spec: RunSpec, log: TextIO) -> RunOutcome:
    """Execute ``spec`` and describe how it ended.

    The executed notebook is always left at ``spec.output_path`` once execution
    started, with the error inline. Papermill marks ordinary cell errors itself;
    a cell timeout or a dying kernel it leaves unmarked, so those are written
    into the failing cell here.
    """
    try:
        papermill.execute_notebook(
            spec.input_path,
            spec.output_path,
            parameters=spec.parameters,
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
        return RunOutcome(
            error=RunError(
                cell_index=_failed_cell_index(spec.output_path),
                ename=error.ename,
                evalue=error.evalue,
            )
        )
    except Exception as error:  # kernel death, cell timeout, kernel that never started
        ename, evalue = _describe(error)
        cell_index = _mark_interrupted_cell(spec.output_path, ename, evalue)
        return RunOutcome(error=RunError(cell_index=cell_index, ename=ename, evalue=evalue))
    return RunOutcome()


def _describe(error: Exception) -> tuple[str, str]:
    ename = type(error).__name__
    evalue = str(error).strip().splitlines()[0] if str(error).strip() else ename
    if ename == "CellTimeoutError":
        evalue = f"The cell did not finish within the time limit. {evalue}"
    return ename, evalue


def _load(output_path: str) -> Any | None:
    if not os.path.exists(output_path):
        return None
    return nbformat.read(output_path, as_version=4)


def _failed_cell_index(output_path: str) -> int | None:
    notebook = _load(output_path)
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("papermill", {}).get("exception"):
            return index
    return None


def _mark_interrupted_cell(output_path: str, ename: str, evalue: str) -> int | None:
    """Put the error into the cell that was executing, as a kernel would have.

    Papermill stamps a ``start_time`` on each cell it starts, so the interrupted
    cell is the last one carrying it.
    """
    notebook = _load(output_path)
    if notebook is None:
        return None
    started = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("papermill", {}).get("start_time")
    ]
    if not started:
        return None
    index = started[-1]
    cell = notebook.cells[index]
    cell.metadata.papermill["exception"] = True
    cell.metadata.papermill["status"] = "failed"
    notebook.metadata.setdefault("papermill", {})["exception"] = True
    if cell.cell_type == "code":
        cell.outputs.append(
            nbformat.v4.new_output(
                "error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
            )
        )
    nbformat.write(notebook, output_path)
    return index
