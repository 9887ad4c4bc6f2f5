"""The default executor: long-lived local worker processes, one fresh kernel per run."""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from traitlets import Bool

from ..models import RunError, RunProgress
from .base import (
    Begin,
    Executor,
    ProgressReport,
    RunOutcome,
    RunSpec,
    StopReason,
    finish_lost_run,
    stopped,
)
from .process_groups import kill_process_group
from .protocol import Execute, Finished, KernelStarted, Progressed, SpareStarted, Stop

# How long a worker gets to stop a run before it is killed along with the run.
STOP_GRACE_SECONDS = 10.0


@dataclass
class _Job:
    spec: RunSpec
    report: ProgressReport
    outcome: asyncio.Future[RunOutcome]
    progress: RunProgress | None = None
    stop_reason: StopReason | None = None


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection
    job: _Job | None = None
    kernel_group: int | None = None
    spare_group: int | None = None  # a kernel started ahead for the next run
    alive: bool = True

    @property
    def name(self) -> str:
        return self.process.name

    def kill(self) -> None:
        """SIGKILL the worker and its kernels (a kernel leads its own process group)."""
        for group in (self.kernel_group, self.spare_group):
            if group is not None:
                kill_process_group(group)
        self.process.kill()


class LocalExecutor(Executor):
    """Runs papermill in worker processes on this machine, one run per worker at a time.

    Workers are spawned (not forked from the server, which holds sockets and
    threads) on first need and then kept, so papermill is imported once for
    many runs; each run still gets a fresh kernel. Each worker has a pipe of its
    own: a worker that dies fails only the run it was executing, and is replaced.
    """

    prestart_kernels = Bool(
        True,
        config=True,
        help=(
            "Start the next run's kernel while a worker executes a run, so that queued runs "
            "and workflow steps do not each wait for a kernel to start. Each kernel still "
            "serves one run; a worker holds at most one kernel ahead."
        ),
    )

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(max_workers, **kwargs)
        self._context = multiprocessing.get_context("spawn")
        # Kernels' sockets, removed at shutdown with whatever killed kernels left.
        self._sockets = tempfile.mkdtemp(prefix="autoflow-")
        self._workers: set[_Worker] = set()  # alive, busy or idle
        self._idle: list[_Worker] = []
        self._busy: dict[int, _Worker] = {}
        self._spawned = 0

    async def execute(self, spec: RunSpec, report: ProgressReport, begin: Begin) -> RunOutcome:
        if not await begin(f"local worker on {socket.gethostname()}"):  # a worker is free
            return stopped(StopReason.CANCELLED, cell_index=None)
        loop = asyncio.get_running_loop()
        worker = self._idle.pop() if self._idle else self._spawn(loop)
        job = _Job(spec, report, loop.create_future())
        worker.job = job
        self._busy[spec.run_id] = worker
        try:
            worker.connection.send(Execute(spec))
            outcome = await job.outcome
        finally:  # cancelled only when the server stops; shutdown() then kills the worker
            del self._busy[spec.run_id]
        worker.job = worker.kernel_group = None
        if worker.alive:
            self._idle.append(worker)
        if worker.alive:
            return outcome
        # The worker died mid-run: finish its files as it would have.
        return await asyncio.to_thread(finish_lost_run, spec, job.stop_reason, outcome)

    async def stop(self, run_id: int, reason: StopReason) -> None:
        worker = self._busy.get(run_id)
        if worker is None or worker.job is None or worker.job.stop_reason is not None:
            return
        worker.job.stop_reason = reason
        worker.connection.send(Stop(run_id, reason))
        loop = asyncio.get_running_loop()
        loop.call_later(STOP_GRACE_SECONDS, self._stop_unresponsive, worker, worker.job)

    async def shutdown(self) -> None:
        """Stop at once: the server must not wait for notebooks to finish.

        Runs cut short here are settled as interrupted when the server next starts.
        """
        workers = list(self._workers)
        for worker in workers:
            worker.alive = False
            worker.kill()
            worker.connection.close()
        await asyncio.to_thread(_join, [worker.process for worker in workers])
        await asyncio.to_thread(shutil.rmtree, self._sockets, ignore_errors=True)

    def _spawn(self, loop: asyncio.AbstractEventLoop) -> _Worker:
        ours, theirs = self._context.Pipe()
        self._spawned += 1
        # Daemonic: should the server exit without shutdown(), its workers go too.
        process = self._context.Process(
            target=_serve,
            args=(theirs, self.prestart_kernels, self._sockets),
            name=f"autoflow-worker-{self._spawned}",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, ours)
        self._workers.add(worker)
        threading.Thread(
            target=self._listen, args=(worker, loop), name=f"{worker.name}-listen", daemon=True
        ).start()
        return worker

    def _listen(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        """Hand each of the worker's messages to the event loop; runs on a thread."""
        while True:
            try:
                message = worker.connection.recv()
            except (EOFError, OSError):  # the worker has exited: reap it here, not on the loop
                message = None
                worker.process.join(1)
            except TypeError:  # shutdown() closed the pipe mid-read (its handle became None)
                if worker.alive:
                    raise
                return
            try:
                loop.call_soon_threadsafe(self._receive, worker, message)
            except RuntimeError:  # the loop has closed: the server has stopped
                return
            if message is None:
                return

    def _receive(self, worker: _Worker, message: object) -> None:
        if message is None:
            self._lost(worker)
            return
        if isinstance(message, SpareStarted):
            worker.spare_group = message.process_group
            return
        job = worker.job
        if job is None:
            return
        if isinstance(message, KernelStarted):
            worker.kernel_group = message.process_group
            if worker.spare_group == message.process_group:  # the run took the spare
                worker.spare_group = None
        elif isinstance(message, Progressed):
            job.progress = message.progress
            job.report(message.progress)
        elif isinstance(message, Finished) and not job.outcome.done():
            job.outcome.set_result(message.outcome)

    def _lost(self, worker: _Worker) -> None:
        """The worker died (or was killed): fail its run only, and forget the worker."""
        if not worker.alive:
            return
        worker.alive = False
        self._workers.discard(worker)
        if worker in self._idle:
            self._idle.remove(worker)
        worker.kill()  # its kernel, should the worker have died alone
        job = worker.job
        if job is None or job.outcome.done():
            self.log.warning("AutoFlow worker %s exited while idle", worker.name)
            return
        cell_index = job.progress.current_cell if job.progress else None
        if job.stop_reason is not None:
            outcome = stopped(job.stop_reason, cell_index, job.spec.timeout)
        else:
            self.log.error(
                "AutoFlow worker %s died (exit code %s) during run %s",
                worker.name,
                worker.process.exitcode,
                job.spec.run_id,
            )
            evalue = (
                "The worker process executing this run died unexpectedly "
                f"(exit code {worker.process.exitcode})."
            )
            outcome = RunOutcome(
                error=RunError(cell_index=cell_index, ename="WorkerDied", evalue=evalue)
            )
        job.outcome.set_result(outcome)

    def _stop_unresponsive(self, worker: _Worker, job: _Job) -> None:
        if worker.job is job and not job.outcome.done():
            self.log.warning(
                "AutoFlow worker %s did not stop run %s in %g s; killing it",
                worker.name,
                job.spec.run_id,
                STOP_GRACE_SECONDS,
            )
            worker.kill()


def _join(processes: list[BaseProcess]) -> None:
    for process in processes:
        process.join(5)


def _serve(connection: Connection, prestart_kernels: bool, sockets_folder: str) -> None:
    """A worker's entry point. Papermill is imported here, in the worker only: it pulls
    in numpy and pyarrow, which an idle server has no use for."""
    from .worker import serve

    serve(connection, prestart_kernels, sockets_folder)
