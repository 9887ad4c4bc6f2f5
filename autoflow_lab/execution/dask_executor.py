"""An executor for teams: each run is a task on a Dask cluster's workers.

A run executes in a fresh kernel on whichever worker has a free slot (the worker
resource ``DaskExecutor.resource``), so a worker never runs more kernels than it has
slots. Workers need the package, not an AutoFlow server; they read notebooks and write
executed notebooks and logs in the server's folder, which every worker must see at the
same path (a shared file system), checked when the server starts.

The run lifecycle is the local executor's: a run stays queued until a worker takes it,
reports progress, is stopped within a second or two (a Dask cancel does not stop a
running kernel: the task watches for the stop and kills it), and a worker that dies
fails only its own run. The task's side of this is ``dask_worker``.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Float, Integer, Unicode

from ..models import RunError, RunProgress
from . import dask_worker
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

# How long a worker gets to stop a run before the server gives up on it.
STOP_GRACE_SECONDS = 10.0
PROBE_PREFIX = ".autoflow-probe-"
# How long a stopping server waits for its stop signals to reach the scheduler.
SHUTDOWN_SECONDS = 2.0


class ExecutorUnavailable(RuntimeError):
    """The cluster cannot take runs; the message says why and what to do."""


@dataclass(eq=False)
class _Job:
    spec: RunSpec
    report: ProgressReport
    begin: Begin
    key: str
    outcome: asyncio.Future[RunOutcome]
    future: Any = None  # the task's distributed.Future
    worker: str | None = None  # the worker that took it
    going: bool = False  # told to go: executing on its worker
    progress: RunProgress | None = None
    stop_reason: StopReason | None = None
    lost: bool = False
    abandoned: bool = False  # cut short by the server's stop: its signals stay set


class DaskExecutor(Executor):
    """Runs notebooks as tasks on a Dask cluster: ``AutoflowApp.dask_scheduler_address``,
    or a ``LocalCluster`` of ``local_workers`` processes on this machine when none is given
    (for trying it out)."""

    resource = Unicode(
        "notebooks",
        config=True,
        help=(
            "The worker resource each run takes one of. Start workers with "
            "--resources notebooks=N (and at least N threads): a worker never executes "
            "more than N notebooks at once, and a worker without it gets no runs."
        ),
    )
    local_workers = Integer(
        2, config=True, help="Worker processes of the LocalCluster started when no address is set."
    )
    local_slots = Integer(1, config=True, help="Runs each LocalCluster worker executes at once.")
    connect_timeout = Float(
        30.0, config=True, help="Seconds to wait for the Dask scheduler before giving up."
    )

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(max_workers, **kwargs)
        self.scheduler_address: str = getattr(self.parent, "dask_scheduler_address", "") or ""
        self._client: Any = None
        self._cluster: Any = None
        self._connecting: asyncio.Lock | None = None
        self._topic = f"autoflow-{uuid.uuid4().hex}"
        self._jobs: dict[str, _Job] = {}
        self._by_run: dict[int, _Job] = {}
        self._background: set[asyncio.Task[None]] = set()

    @property
    def where(self) -> str:
        """The scheduler, in words."""
        return (
            f"the Dask scheduler at {self.scheduler_address}"
            if self.scheduler_address
            else "a local Dask cluster"
        )

    async def start(self, shared_folders: Sequence[str]) -> None:
        try:
            client = await self._connect()
            await self._check_workers(client, shared_folders)
        except ExecutorUnavailable as error:
            self.log.error("AutoFlow cannot execute runs yet: %s", error)
        except Exception:  # the server must start all the same, to show what fails
            self.log.exception("AutoFlow could not check %s", self.where)

    async def execute(self, spec: RunSpec, report: ProgressReport, begin: Begin) -> RunOutcome:
        client = await self._connect()
        key = f"autoflow-run-{spec.run_id}-{uuid.uuid4().hex[:8]}"
        job = _Job(spec, report, begin, key, asyncio.get_running_loop().create_future())
        self._jobs[key] = job
        self._by_run[spec.run_id] = job
        try:
            job.future = client.submit(
                dask_worker.run_notebook,
                spec,
                key,
                self._topic,
                key=key,
                resources={self.resource: 1},
                priority=-spec.run_id,  # first come, first served, as in the local queue
                pure=False,
            )
            waiting = asyncio.ensure_future(self._await_task(job))
            try:
                outcome = await job.outcome
            except asyncio.CancelledError:  # the server is stopping: so does the run
                job.abandoned = True
                self._spawn(self._signal_stop(job, StopReason.CANCELLED))
                raise
            finally:
                waiting.cancel()
        finally:
            del self._jobs[key], self._by_run[spec.run_id]
            self._clean_up_later(job)
        if job.lost:  # finish its files as its worker would have
            return await asyncio.to_thread(finish_lost_run, spec, job.stop_reason, outcome)
        return outcome

    async def stop(self, run_id: int, reason: StopReason) -> None:
        job = self._by_run.get(run_id)
        if job is None or job.outcome.done() or job.stop_reason is not None:
            return
        job.stop_reason = reason
        await self._signal_stop(job, reason)
        if not job.going:  # withdrawn before any worker executed it
            job.outcome.set_result(stopped(reason, cell_index=None))
            return
        loop = asyncio.get_running_loop()
        loop.call_later(STOP_GRACE_SECONDS, self._stop_unresponsive, job)

    async def shutdown(self) -> None:
        """Disconnect once the runs cut short by the server's stop have been told to stop
        (their kernels are killed on the workers); a local cluster is closed."""
        if self._background:  # stops signalled; clean-ups may be cut short
            await asyncio.wait(self._background, timeout=SHUTDOWN_SECONDS)
            for task in self._background:
                task.cancel()
            await asyncio.gather(*self._background, return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.unsubscribe_topic(self._topic)
                self._client.unsubscribe_topic("all")
                await self._client.close(timeout=10)
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                await self._cluster.close(timeout=10)

    # Connecting and checking the cluster

    async def _connect(self) -> Any:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._client is None:
                self._client = await self._new_client()
                self._client.subscribe_topic(self._topic, self._on_task_event)
                self._client.subscribe_topic("all", self._on_cluster_event)
        return self._client

    async def _new_client(self) -> Any:
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise ExecutorUnavailable(
                'The Dask executor needs the distributed package: pip install "autoflow-lab[dask]".'
            ) from error
        address: Any = self.scheduler_address
        if not address:
            self._cluster = await LocalCluster(
                n_workers=self.local_workers,
                threads_per_worker=self.local_slots,
                resources={self.resource: self.local_slots},
                processes=True,
                dashboard_address=":0",
                asynchronous=True,
            )
            address = self._cluster
            self.log.info(
                "AutoFlow runs notebooks on a local Dask cluster of %d workers (dashboard: %s)",
                self.local_workers,
                self._cluster.dashboard_link,
            )
        try:
            return await Client(address, asynchronous=True, timeout=self.connect_timeout)
        except (OSError, asyncio.TimeoutError) as error:
            raise ExecutorUnavailable(
                f"Cannot reach {self.where} ({error}). Check AutoflowApp.dask_scheduler_address "
                "and that the scheduler is running."
            ) from error

    async def _check_workers(self, client: Any, shared_folders: Sequence[str]) -> None:
        """Every worker must have a slot and see the server's folders; say which do not."""
        info = await client.scheduler.identity(n_workers=-1)
        workers = info.get("workers", {})
        if not workers:
            self.log.warning("%s has no workers yet: runs wait for one", self.where)
            return
        without = [
            address
            for address, worker in workers.items()
            if worker.get("resources", {}).get(self.resource, 0) < 1
        ]
        if without:
            self.log.warning(
                "Dask workers %s have no %r resource, so they get no runs: start them with "
                "--resources %s=N",
                ", ".join(sorted(without)),
                self.resource,
                self.resource,
            )
        if shared_folders:
            await self._check_shared_folder(client, Path(shared_folders[-1]))

    async def _check_shared_folder(self, client: Any, folder: Path) -> None:
        """Write a file in ``folder`` and ask every worker to read it back."""
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        probe = folder / f"{PROBE_PREFIX}{token}"
        await asyncio.to_thread(probe.write_text, token, encoding="utf-8")
        try:
            seen = await client.run(dask_worker.read_probe, str(probe))
        except Exception as error:
            raise ExecutorUnavailable(
                f"The Dask workers could not check the shared folder {folder} ({error}). "
                'Install "autoflow-lab[dask]" on every worker.'
            ) from error
        finally:
            await asyncio.to_thread(probe.unlink, missing_ok=True)
        blind = {address: text for address, text in seen.items() if text != token}
        if blind:
            workers = "; ".join(
                f"{address}: {text or 'a different file'}" for address, text in blind.items()
            )
            raise ExecutorUnavailable(
                f"Dask workers cannot see the folder {folder} ({workers}). Mount the "
                "server's folder at the same path on every worker; runs they take fail."
            )

    # What tasks and the cluster report (on the event loop)

    def _on_task_event(self, event: tuple[float, dict[str, Any]]) -> None:
        _, message = event
        job = self._jobs.get(message.get("key", ""))
        if message.get("kind") == dask_worker.BEGAN:
            if job is None or job.outcome.done() or job.worker is not None:
                self._withdraw_later(message["key"])
                return
            job.worker = message.get("worker")
            self._spawn(self._let_go(job, str(message.get("where"))))
        elif message.get("kind") == dask_worker.PROGRESS and job is not None:
            job.progress = RunProgress.model_validate(message["progress"])
            job.report(job.progress)

    def _on_cluster_event(self, event: tuple[float, dict[str, Any]]) -> None:
        _, message = event
        if not isinstance(message, dict) or message.get("action") != "remove-worker":
            return
        address = message.get("worker")
        for job in list(self._jobs.values()):
            if job.worker == address and not job.outcome.done():
                self._lose(job, address)

    async def _let_go(self, job: _Job, where: str) -> None:
        """The task has begun on a worker (``where``, in words): record the start, then
        tell it to go."""
        from distributed import Event

        if not await job.begin(where) or job.stop_reason is not None:
            await self._signal_stop(job, job.stop_reason or StopReason.CANCELLED)
            if not job.outcome.done():
                job.outcome.set_result(stopped(StopReason.CANCELLED, cell_index=None))
            return
        job.going = True
        await Event(dask_worker.names(job.key)[0], client=self._client).set()

    async def _await_task(self, job: _Job) -> None:
        try:
            result = await job.future
        except asyncio.CancelledError:  # withdrawn by us, or dropped by the cluster
            if not job.outcome.done():
                job.outcome.set_exception(
                    ExecutorUnavailable(f"{self.where} dropped the run's task {job.key}.")
                )
            return
        except Exception as error:  # the task could not run (e.g. no autoflow_lab there)
            if not job.outcome.done():
                job.outcome.set_exception(error)
            return
        if job.outcome.done():
            return
        if result is None:  # a retry after its worker died: the run was lost with it
            self._lose(job, job.worker)
        else:
            job.outcome.set_result(result)

    def _lose(self, job: _Job, address: str | None) -> None:
        """The worker executing ``job`` died or left: fail that run only."""
        job.lost = True
        cell_index = job.progress.current_cell if job.progress else None
        if job.stop_reason is not None:
            outcome = stopped(job.stop_reason, cell_index, job.spec.timeout)
        else:
            self.log.error("Dask worker %s left during run %s", address, job.spec.run_id)
            evalue = f"The Dask worker executing this run ({address}) died or left the cluster."
            outcome = RunOutcome(
                error=RunError(cell_index=cell_index, ename="WorkerDied", evalue=evalue)
            )
        job.outcome.set_result(outcome)
        self._spawn(self._signal_stop(job, StopReason.CANCELLED))

    def _stop_unresponsive(self, job: _Job) -> None:
        if not job.outcome.done():
            self.log.warning(
                "Dask worker %s did not stop run %s in %g s; giving up on it",
                job.worker,
                job.spec.run_id,
                STOP_GRACE_SECONDS,
            )
            self._lose(job, job.worker)

    # Signals to tasks

    async def _signal_stop(self, job: _Job, reason: StopReason) -> None:
        """Tell the task to stop (kill its kernel), and withdraw it if still waiting."""
        from distributed import Event, Variable

        _, stop, reason_name = dask_worker.names(job.key)
        await Variable(reason_name, client=self._client).set(reason.value)
        await Event(stop, client=self._client).set()
        if not job.going and job.future is not None:
            await self._client.cancel([job.future])

    def _withdraw_later(self, key: str) -> None:
        """A task that begun for no run of ours (a retry, or a run already over)."""
        from distributed import Event

        self._spawn(Event(dask_worker.names(key)[1], client=self._client).set())

    def _clean_up_later(self, job: _Job) -> None:
        """Forget the task and its signals once the run is over."""
        if not job.abandoned:
            self._spawn(self._clean_up(job))

    async def _clean_up(self, job: _Job) -> None:
        from distributed import Event, Variable

        go, stop, reason = dask_worker.names(job.key)
        with contextlib.suppress(Exception):
            await asyncio.sleep(STOP_GRACE_SECONDS if job.lost else 0)
            if job.future is not None:
                job.future.release()
            await Event(go, client=self._client).clear()
            await Event(stop, client=self._client).clear()
            await Variable(reason, client=self._client).delete()

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
