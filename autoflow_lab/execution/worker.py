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
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import NoReturn

from . import notebook_job
from .base import RunOutcome, RunSpec, StopReason, redact_outcome
from .notebook_job import RunControl, execute_run
from .process_groups import kill_process_group
from .protocol import Execute, Finished, KernelStarted, Progressed, SpareStarted, Stop
from .spare_kernels import SpareKernel, start_spare

Send = Callable[[object], None]


def serve(
    connection: Connection, prestart_kernels: bool = True, sockets_folder: str | None = None
) -> None:
    """The worker's main loop; returns when the parent closes the pipe."""
    # Ctrl-C in the server's terminal is for the server; it stops workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    notebook_job.SOCKETS_FOLDER = sockets_folder
    sending = threading.Lock()  # the spare kernel's thread sends too

    def send(message: object) -> None:
        with sending:
            connection.send(message)

    spares = _Spares(send) if prestart_kernels else None
    runs: queue.Queue[tuple[RunSpec, RunControl]] = queue.Queue()
    listener = _Listener(connection, send, runs, spares)
    threading.Thread(target=listener.listen, name="autoflow-listen", daemon=True).start()
    while True:
        spec, control = runs.get()
        try:
            spare = spares.take(spec) if spares is not None else None
            outcome = execute_run(spec, control, spare)
        except Exception as error:  # never leave the parent waiting for an answer
            outcome = redact_outcome(
                RunOutcome.of_exception(error), list(spec.environment.values())
            )
        listener.forget(spec.run_id)
        send(Finished(spec.run_id, outcome))


class _Spares:
    """The worker's one spare kernel: started on a thread of its own once a run's
    kernel has started, and taken by the next run if it fits (``spare_kernels``)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._lock = threading.Lock()
        self._spare: SpareKernel | None = None
        self._starting: threading.Thread | None = None

    def prepare(self, spec: RunSpec) -> None:
        with self._lock:
            if self._spare is not None or self._starting is not None:
                return
            self._starting = threading.Thread(
                target=self._start, args=(spec,), name="autoflow-spare-kernel", daemon=True
            )
            self._starting.start()

    def take(self, spec: RunSpec) -> SpareKernel | None:
        """The spare if it fits ``spec``; a spare that does not is killed."""
        with self._lock:
            starting = self._starting
        if starting is not None:  # at most one kernel launch away
            starting.join()
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is None or spare.fits(spec):
            return spare
        spare.discard()
        self._send(SpareStarted(None))
        return None

    def kill(self) -> None:
        with self._lock:
            spare = self._spare
        group = spare.process_group if spare is not None else None
        if group is not None:
            kill_process_group(group)

    def _start(self, spec: RunSpec) -> None:
        spare = start_spare(spec, on_started=lambda group: self._send(SpareStarted(group)))
        with self._lock:
            self._spare = spare
            self._starting = None


class _Listener:
    """Receives the parent's messages on a thread of its own, so a stop arrives mid-run."""

    def __init__(
        self,
        connection: Connection,
        send: Send,
        runs: queue.Queue[tuple[RunSpec, RunControl]],
        spares: _Spares | None,
    ):
        self._connection = connection
        self._send = send
        self._runs = runs
        self._spares = spares
        self._controls: dict[int, RunControl] = {}
        self._lock = threading.Lock()

    def listen(self) -> None:
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                self._parent_gone()
            if isinstance(message, Execute):
                self._runs.put((message.spec, self._control(message.spec)))
            elif isinstance(message, Stop):
                with self._lock:
                    control = self._controls.get(message.run_id)
                if control is not None:
                    control.stop(message.reason)

    def forget(self, run_id: int) -> None:
        with self._lock:
            self._controls.pop(run_id, None)

    def _control(self, spec: RunSpec) -> RunControl:
        send, spares, run_id = self._send, self._spares, spec.run_id

        def kernel_started(group: int) -> None:
            send(KernelStarted(run_id, group))
            if spares is not None:  # the next run's kernel starts while this one runs
                spares.prepare(spec)

        control = RunControl(
            on_progress=lambda progress: send(Progressed(run_id, progress)),
            on_kernel=kernel_started,
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
        if self._spares is not None:
            self._spares.kill()
        os._exit(0)
