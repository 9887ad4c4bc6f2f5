"""What a Dask worker does with a run (``DaskExecutor``'s task): executes it in a fresh
kernel on that worker, telling the server what happens through the scheduler.

The task and the server speak through ``distributed`` primitives named after the
task's key:

- the task says it has begun (and on which worker) and reports progress as events on
  the server's topic (``Worker.log_event``);
- the server answers ``<key>-go`` once it has recorded the run's start, or sets
  ``<key>-stop`` (the reason in the variable ``<key>-reason``) to withdraw or stop it;
- the kernel is killed when ``<key>-stop`` is set, or when the scheduler releases the
  task (the server cancelled it, or went away).

Only the package is needed on a worker, not an AutoFlow server. Papermill is imported
when a run executes, not when the server imports this module to submit the task.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import RunError, RunProgress
from .base import RunOutcome, RunSpec, StopReason, redact_outcome

if TYPE_CHECKING:
    from .notebook_job import RunControl

# How long a task that has begun waits for the server's go-ahead before giving up:
# the server records the start in milliseconds unless it has gone away.
GO_AHEAD_SECONDS = 120.0
# How often a running task looks for a stop when none has been signalled.
WATCH_SECONDS = 0.5
# What tasks report to the server (``DaskExecutor`` reads them).
BEGAN = "began"
PROGRESS = "progress"


def names(key: str) -> tuple[str, str, str]:
    """The go-ahead event, stop event and stop-reason variable of the task ``key``."""
    return f"{key}-go", f"{key}-stop", f"{key}-reason"


def run_notebook(spec: RunSpec, key: str, topic: str) -> RunOutcome | None:
    """Execute ``spec`` on this worker once the server says go; None when it did not
    (withdrawn, or a second attempt after the worker first given it died)."""
    from distributed import Event, get_worker

    worker = get_worker()
    go_name, stop_name, _ = names(key)
    go, stop = Event(go_name), Event(stop_name)
    if stop.is_set():  # stopped already: this is the scheduler retrying a lost worker's task
        return None
    where = f"Dask worker {worker.address} on {socket.gethostname()}"
    worker.log_event(topic, {"kind": BEGAN, "key": key, "worker": worker.address, "where": where})
    deadline = time.monotonic() + GO_AHEAD_SECONDS
    while not go.wait(0.2):
        if stop.is_set() or time.monotonic() > deadline:
            return None
    missing = _missing_folder(spec)
    if missing is not None:
        return _refusal(where, missing)
    return _execute(spec, key, topic, worker, stop, where)


def read_probe(path: str) -> str:
    """The text of the server's probe file, as this worker sees it (``DaskExecutor.start``)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        return f"error: {error.strerror or error}"


def _execute(spec: RunSpec, key: str, topic: str, worker: Any, stop: Any, where: str) -> RunOutcome:
    from distributed import Variable

    from .notebook_job import RunControl, execute_run

    def report(progress: RunProgress) -> None:
        worker.log_event(topic, {"kind": PROGRESS, "key": key, "progress": progress.model_dump()})

    control = RunControl(on_progress=report)
    finished = threading.Event()
    reason = Variable(names(key)[2])
    watcher = threading.Thread(
        target=_watch,
        args=(control, finished, stop, reason, worker, key),
        name=f"autoflow-watch-{spec.run_id}",
        daemon=True,
    )
    watcher.start()
    try:
        return execute_run(spec, control, where=where)
    except Exception as error:  # the server gets an outcome, never a task error
        return redact_outcome(RunOutcome.of_exception(error), list(spec.environment.values()))
    finally:
        finished.set()


def _watch(
    control: RunControl,
    finished: threading.Event,
    stop: Any,
    reason: Any,
    worker: Any,
    key: str,
) -> None:
    """Kill the run's kernel when the server says stop, or releases the task."""
    while not finished.is_set():
        try:
            if stop.wait(WATCH_SECONDS):
                control.stop(StopReason(reason.get(timeout=5)))
                return
        except Exception:  # the scheduler is unreachable: the kernel runs on, as it would
            time.sleep(WATCH_SECONDS)
        task = worker.state.tasks.get(key)
        if task is None or task.state in ("cancelled", "released", "forgotten"):
            control.stop(StopReason.CANCELLED)
            return


def _missing_folder(spec: RunSpec) -> str | None:
    """The run's folder this worker cannot see, if any: the notebook's, or its outputs'."""
    if not os.path.isfile(spec.input_path):
        return spec.input_path
    outputs = Path(spec.output_path).parent
    while not outputs.exists():
        outputs = outputs.parent
    return None if os.access(outputs, os.W_OK) else str(outputs)


def _refusal(where: str, missing: str) -> RunOutcome:
    evalue = (
        f"{where} cannot see {missing}. Mount the "
        "server's folder at the same path on every worker, writable by the worker."
    )
    return RunOutcome(error=RunError(cell_index=None, ename="SharedFolderMissing", evalue=evalue))
