"""A local worker process: executes the runs its parent sends, one at a time.

The parent (``LocalExecutor``) and the worker talk over one pipe, in the
messages below. Papermill is imported once, when the worker starts; every run
still gets a fresh kernel.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
from multiprocessing.connection import Connection
from typing import NoReturn

from .base import RunOutcome, RunSpec, StopReason, redact_outcome
from .notebook_job import RunControl, execute_run
from .protocol import Execute, Finished, KernelStarted, Progressed, Stop


def serve(connection: Connection) -> None:
    """The worker's main loop; returns when the parent closes the pipe."""
    # Ctrl-C in the server's terminal is for the server; it stops workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    runs: queue.Queue[tuple[RunSpec, RunControl]] = queue.Queue()
    listener = _Listener(connection, runs)
    threading.Thread(target=listener.listen, name="autoflow-listen", daemon=True).start()
    while True:
        spec, control = runs.get()
        try:
            outcome = execute_run(spec, control)
        except Exception as error:  # never leave the parent waiting for an answer
            outcome = redact_outcome(
                RunOutcome.of_exception(error), list(spec.environment.values())
            )
        listener.forget(spec.run_id)
        connection.send(Finished(spec.run_id, outcome))


class _Listener:
    """Receives the parent's messages on a thread of its own, so a stop arrives mid-run."""

    def __init__(self, connection: Connection, runs: queue.Queue[tuple[RunSpec, RunControl]]):
        self._connection = connection
        self._runs = runs
        self._controls: dict[int, RunControl] = {}
        self._lock = threading.Lock()

    def listen(self) -> None:
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                self._parent_gone()
            if isinstance(message, Execute):
                self._runs.put((message.spec, self._control(message.spec.run_id)))
            elif isinstance(message, Stop):
                with self._lock:
                    control = self._controls.get(message.run_id)
                if control is not None:
                    control.stop(message.reason)

    def forget(self, run_id: int) -> None:
        with self._lock:
            self._controls.pop(run_id, None)

    def _control(self, run_id: int) -> RunControl:
        send = self._connection.send
        control = RunControl(
            on_progress=lambda progress: send(Progressed(run_id, progress)),
            on_kernel=lambda group: send(KernelStarted(run_id, group)),
        )
        with self._lock:
            self._controls[run_id] = control
        return control

    def _parent_gone(self) -> NoReturn:
        """The server stopped or died: take the kernels along and exit at once."""
        with self._lock:
            controls = list(self._controls.values())
        for control in controls:
            control.stop(StopReason.CANCELLED)
        os._exit(0)
