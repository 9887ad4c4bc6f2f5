"""Runs: submission, the FIFO queue, bounded dispatch to the executor, history."""

from __future__ import annotations

import asyncio
import logging
import shutil
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Engine

from ..errors import AutoflowError, Conflict, NotFound, Unavailable
from ..execution import Executor, RunOutcome, RunSpec, StopReason, executed_notebook, stopped
from ..models import (
    NotebookParameters,
    Run,
    RunCreate,
    RunError,
    RunListQuery,
    RunPage,
    RunProgress,
    RunReport,
    RunStatus,
    RunTrigger,
)
from ..store import Instance, InstanceKind, InstanceStore, RunStore
from ..store.runs import MANUAL
from .kernels import run_kernel
from .ownership import Ownership, utcnow
from .parameters import declared_parameters, validate_parameters
from .retries import until_available
from .workspace import Notebook, Workspace

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often an instance executing runs looks for cancels asked of them by another.
CANCEL_REQUEST_SECONDS = 0.5
# How long a submission waits for start() to register this instance.
REGISTRATION_SECONDS = 60
OWNER_NAMES = {InstanceKind.SERVER: "the server", InstanceKind.CLI: "the autoflow command"}


@dataclass(frozen=True)
class Retention:
    """How many finished runs to keep per notebook, and for how long; None: no limit."""

    keep_latest: int | None = None
    max_age: timedelta | None = None


class RunService:
    """Accepts runs, queues them, and hands at most ``max_concurrent_runs`` to the executor.

    All database and file-system work happens in threads, so the event loop only
    ever waits on futures.
    """

    def __init__(
        self,
        store: RunStore,
        executor: Executor,
        workspace: Workspace,
        kernel_names: Callable[[], Iterable[str]],
        max_concurrent_runs: int,
        run_timeout: float | None = None,
        cell_timeout: float | None = None,
        retention: Retention = Retention(),
        kernel_environment: dict[str, str] | None = None,
        instance_kind: InstanceKind | str = InstanceKind.SERVER,
        owner_timeout: float = 60.0,
        heartbeat_interval: float = 10.0,
    ) -> None:
        if max_concurrent_runs < 1:
            raise ValueError("max_concurrent_runs must be at least 1")
        self._store = store
        self._executor = executor
        self._workspace = workspace
        self._kernel_names = kernel_names
        self._max_concurrent_runs = max_concurrent_runs
        self._run_timeout = run_timeout
        self._cell_timeout = cell_timeout
        self._retention = retention
        self._kernel_environment = kernel_environment or {}
        self._ownership = Ownership(
            InstanceStore(store.engine),
            store,
            InstanceKind(instance_kind),
            owner_timeout=owner_timeout,
            heartbeat_interval=heartbeat_interval,
        )
        self._requeue_interrupted = False
        self._registered = asyncio.Event()  # set once start() has registered this instance
        self._closing = False
        self._queue: asyncio.Queue[tuple[RunSpec, int]] | None = None
        self._dispatchers: list[asyncio.Task[None]] = []
        # Per run this server executes: resolved when someone asks to stop it.
        self._stop_requests: dict[int, asyncio.Future[StopReason]] = {}
        # Per run: its latest progress, until written, and the task writing it.
        self._progress: dict[int, RunProgress] = {}
        self._progress_writers: dict[int, asyncio.Task[None]] = {}
        self._finish_listeners: list[Callable[[Run], None]] = []

    @property
    def engine(self) -> Engine:
        """The database the runs live in; schedules share it."""
        return self._store.engine

    @property
    def executes_on(self) -> str:
        """Where runs execute, in words (the executor's)."""
        return self._executor.where

    def on_finished(self, listener: Callable[[Run], None]) -> None:
        """Call ``listener`` (on the event loop) with each run this instance sees finish:
        executed here, cancelled while queued, or settled after its owner went."""
        self._finish_listeners.append(listener)

    def _announce(self, run: Run) -> None:
        for listener in self._finish_listeners:
            try:
                listener(run)
            except Exception:
                log.exception("A listener failed on the outcome of run %s", run.id)

    async def start(self, requeue_interrupted: bool = False) -> None:
        """Call once the event loop runs: register this instance and keep it alive.

        A server also settles the runs of gone owners (a server or command that
        stopped or crashed mid-run) now and at every heartbeat: each is failed as
        interrupted, or run again from the start when ``requeue_interrupted`` is set.
        """
        self._requeue_interrupted = requeue_interrupted
        await self._executor.start([str(self._workspace.root), str(self._workspace.outputs)])
        await until_available("register in the run database", self._ownership.register)
        self._registered.set()
        sweeps = self._ownership.kind is InstanceKind.SERVER
        if sweeps and not self._closing:
            try:
                await self._ownership.sweep(self._settle_orphan)
            except Unavailable as error:  # the next heartbeat sweeps again
                log.warning("Runs of gone owners not settled yet: %s", error)
        if not self._closing:  # a server stopped during start-up stays stopped
            self._ownership.keep_alive(self._settle_orphan if sweeps else None)

    async def submit(self, request: RunCreate, trigger: RunTrigger = MANUAL) -> Run:
        """Queue a run after checking its notebook, kernel and parameters.

        ``AlreadyFired`` when the trigger is a schedule fire that has its run already.
        """
        owner_id = await self._owner_id()
        notebook, kernel_name, parameters = await self._accept(request)
        created_at = utcnow()

        def output_for(run_id: int) -> str:
            path = self._workspace.output_path(notebook, run_id, created_at)
            return self._workspace.relative(path)

        create = partial(
            self._store.create,
            notebook.path,
            parameters,
            kernel_name,
            created_at,
            output_for,
            timeout=request.timeout or self._run_timeout,
            cell_timeout=request.cell_timeout or self._cell_timeout,
            trigger=trigger,
            owner_id=owner_id,
        )
        run = await asyncio.to_thread(create)
        self._enqueue(run, notebook)
        return run

    async def check(self, request: RunCreate) -> RunCreate:
        """``request`` as a run would take it (normalised path, coerced parameters), or
        the refusal a submission would get; for requests kept to run later."""
        notebook, _, parameters = await self._accept(request)
        return request.model_copy(update={"notebook": notebook.path, "parameters": parameters})

    async def _accept(self, request: RunCreate) -> tuple[Notebook, str, dict[str, Any]]:
        """The notebook, kernel and parameters of a run request, each checked."""
        try:
            notebook = await asyncio.to_thread(self._workspace.open_notebook, request.notebook)
        except AutoflowError as refusal:
            refusal.field = refusal.field or "notebook"
            raise
        kernel_name = await self._check_kernel(request.kernel_name, notebook)
        declared = await asyncio.to_thread(declared_parameters, notebook)
        return notebook, kernel_name, validate_parameters(request.parameters, declared)

    async def record_refusal(
        self, request: RunCreate, trigger: RunTrigger, refusal: AutoflowError
    ) -> Run:
        """Record a run that could not start (a schedule fire whose notebook changed or
        vanished) as failed, saying why, so the history shows the fire.

        ``AlreadyFired`` when the fire has its run already.
        """
        owner_id = await self._owner_id()
        error = RunError(cell_index=None, ename=refusal.name.value, evalue=refusal.message)
        create = partial(
            self._store.create,
            request.notebook,
            request.parameters,
            request.kernel_name,
            utcnow(),
            lambda run_id: "",
            timeout=request.timeout or self._run_timeout,
            cell_timeout=request.cell_timeout or self._cell_timeout,
            trigger=trigger,
            owner_id=owner_id,
            refusal=error,
        )
        return await asyncio.to_thread(create)

    async def owner_id(self) -> int:
        """This instance's id, which owns what it executes (runs, workflow runs)."""
        return await self._owner_id()

    async def live_instances(self) -> set[int]:
        """Ids of the instances whose heartbeat says they are still there."""
        return await self._ownership.live_instances()

    async def _owner_id(self) -> int:
        # A request may arrive while the server's start-up callback is registering.
        await asyncio.wait_for(self._registered.wait(), REGISTRATION_SECONDS)
        owner_id = self._ownership.instance_id
        assert owner_id is not None
        return owner_id

    async def _settle_orphan(
        self, run: Run, owner: int | None, owner_record: Instance | None
    ) -> None:
        """Fail, or queue again, a run whose owner is gone; its work died with the owner.

        The change is conditional on the run still being the gone owner's, so of
        several servers sweeping at once exactly one settles it.
        """
        me = self._ownership.instance_id
        assert me is not None
        if self._requeue_interrupted:
            try:
                notebook = await asyncio.to_thread(self._workspace.open_notebook, run.notebook)
            except AutoflowError as refusal:
                log.warning("Run %s cannot be re-queued: %s", run.id, refusal)
            else:
                adopted = await asyncio.to_thread(self._store.adopt, run.id, owner, me)
                if adopted is not None:
                    log.info("Run %s re-queued: its owner is gone", run.id)
                    self._enqueue(adopted, notebook)
                return
        output = self._workspace.root / run.output if run.output else None
        partial_notebook = await asyncio.to_thread(
            executed_notebook.load, str(output) if output else ""
        )
        kind = owner_record.kind if owner_record is not None else InstanceKind.SERVER
        error = _interruption(partial_notebook, f"{OWNER_NAMES[kind]} executing it stopped")
        # Files first, so the run reads as failed only once its notebook says why. Two
        # servers settling at once write the same error, once: finishing is idempotent.
        await asyncio.to_thread(self._finish_leftovers, run, error)
        settle = partial(self._store.settle, run.id, owner, utcnow(), error)
        settled = await asyncio.to_thread(settle)
        if settled is not None:
            log.warning("Run %s settled as interrupted: its owner is gone", run.id)
            self._announce(settled)

    def _finish_leftovers(self, run: Run, error: RunError) -> None:
        """The partial notebook gets the interruption inline; secrets written before the
        owner died (mid-write, say) go from it and from the log."""
        if run.output and run.log:
            executed_notebook.finish_cut_short(
                str(self._workspace.root / run.output),
                str(self._workspace.root / run.log),
                error,
                list(self._kernel_environment.values()),
            )

    def _enqueue(self, run: Run, notebook: Notebook) -> None:
        assert run.output is not None
        assert run.log is not None
        spec = RunSpec(
            run_id=run.id,
            input_path=str(notebook.absolute),
            output_path=str(self._workspace.root / run.output),
            log_path=str(self._workspace.root / run.log),
            cwd=str(notebook.absolute.parent),
            parameters=run.parameters,
            kernel_name=run.kernel_name or notebook.kernel_name,
            timeout=run.timeout,
            cell_timeout=run.cell_timeout,
            environment=self._kernel_environment,
        )
        owner_id = self._ownership.instance_id
        assert owner_id is not None
        self._ensure_dispatching().put_nowait((spec, owner_id))

    async def notebook_parameters(self, path: str) -> NotebookParameters:
        notebook = await asyncio.to_thread(self._workspace.open_notebook, path)
        return await asyncio.to_thread(declared_parameters, notebook)

    async def get(self, run_id: int) -> Run:
        return await asyncio.to_thread(self._store.get, run_id)

    async def delete(self, run_id: int) -> None:
        """Remove a finished run: its record and its folder of files."""
        run = await asyncio.to_thread(self._store.get, run_id)
        if not run.status.is_final:
            raise Conflict(
                f"Run {run_id} is {run.status.value}; it can be deleted once it has finished."
            )
        await asyncio.to_thread(self._remove, run)

    async def cancel(self, run_id: int) -> Run:
        """Cancel a queued run at once, or stop a running one: its kernel is killed.

        Returns the run as it is now; a running run turns ``cancelled`` within seconds.
        """
        run = await asyncio.to_thread(self._store.get, run_id)
        if run.status.is_final:
            raise Conflict(f"Run {run_id} has already finished: it {run.status.value}.")
        if run.status is RunStatus.QUEUED:
            error = stopped(StopReason.CANCELLED, cell_index=None).error
            assert error is not None
            cancel = partial(self._store.cancel_queued, run_id, utcnow(), error)
            cancelled = await asyncio.to_thread(cancel)
            if cancelled is not None:
                self._announce(cancelled)
                waiting = self._stop_requests.get(run_id)  # in an executor, for a worker
                if waiting is not None and not waiting.done():
                    waiting.set_result(StopReason.CANCELLED)
                return cancelled
        request = self._stop_requests.get(run_id)
        if request is None:  # another server or command executes it: ask it to
            asked = await asyncio.to_thread(self._store.request_cancel, run_id)
            if asked is None:
                return await self.cancel(run_id)  # it has just started, or finished
            return asked
        if not request.done():
            request.set_result(StopReason.CANCELLED)
        return await asyncio.to_thread(self._store.get, run_id)

    async def set_reports(self, run_id: int, reports: list[RunReport]) -> Run:
        return await asyncio.to_thread(self._store.set_reports, run_id, reports)

    async def read_log(self, run_id: int) -> str:
        run = await asyncio.to_thread(self._store.get, run_id)
        path = self._workspace.root / run.log if run.log else None
        if path is None or not path.exists():
            raise NotFound(f"Run {run_id} has no log yet: it is {run.status.value}.")
        return await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")

    async def page(self, query: RunListQuery) -> RunPage:
        page = partial(
            self._store.page,
            query.limit,
            query.cursor,
            query.status,
            query.notebook,
            query.q,
            query.schedule,
        )
        return await asyncio.to_thread(page)

    async def idle(self) -> None:
        """Wait until every run queued here has executed and been recorded, retention
        included: a command stopping as soon as its run ended would cut that short."""
        if self._queue is not None:
            await self._queue.join()

    async def close(self) -> None:
        self._closing = True
        tasks = [*self._dispatchers, *self._progress_writers.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._executor.shutdown()
        await self._ownership.close()
        self._store.engine.dispose()

    async def _check_kernel(self, requested: str | None, notebook: Notebook) -> str:
        """The run's kernel: ``requested``, else the notebook's own, as Jupyter resolves it.

        Refused at submission when it is not installed, rather than failing later.
        """
        available = await asyncio.to_thread(lambda: list(self._kernel_names()))
        return run_kernel(requested, notebook, available)

    def _ensure_dispatching(self) -> asyncio.Queue[tuple[RunSpec, int]]:
        # Started lazily: the queue and tasks must belong to the running loop.
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._dispatchers = [
                asyncio.create_task(self._dispatch(self._queue), name=f"autoflow-dispatch-{i}")
                for i in range(self._max_concurrent_runs)
            ]
            self._dispatchers.append(
                asyncio.create_task(self._watch_cancel_requests(), name="autoflow-cancels")
            )
        return self._queue

    async def _watch_cancel_requests(self) -> None:
        """Stop the runs executing here that another server asked to cancel: a user's
        cancel reaches whichever server (or command) executes the run."""
        while True:
            await asyncio.sleep(CANCEL_REQUEST_SECONDS)
            executing = list(self._stop_requests)
            if not executing:
                continue
            try:
                asked = await asyncio.to_thread(self._store.cancel_requests, executing)
            except Exception as error:  # the next look may succeed; runs go on meanwhile
                log.warning("Cancel requests not read: %s", error)
                continue
            for run_id in asked:
                request = self._stop_requests.get(run_id)
                if request is not None and not request.done():
                    log.info("Run %s cancelled from another server", run_id)
                    request.set_result(StopReason.CANCELLED)

    async def _dispatch(self, queue: asyncio.Queue[tuple[RunSpec, int]]) -> None:
        while True:
            spec, owner_id = await queue.get()
            try:
                await self._execute(spec, owner_id)
            except Exception:
                log.exception("Run %s could not be recorded", spec.run_id)
            finally:
                queue.task_done()

    async def _execute(self, spec: RunSpec, owner_id: int) -> None:
        # Registered before the run leaves the queue, so no cancel falls in between.
        self._stop_requests[spec.run_id] = asyncio.get_running_loop().create_future()
        start = _Start(self._store, spec.run_id, owner_id, self._until_recorded)
        try:
            try:
                outcome = await self._execute_within_limits(spec, owner_id, start)
            except Exception as error:
                log.exception("The executor failed on run %s", spec.run_id)
                outcome = RunOutcome.of_exception(error) if await start() else None
        finally:
            del self._stop_requests[spec.run_id]
        if outcome is None:
            return  # never started: cancelled while queued, or settled by another server
        writer = self._progress_writers.get(spec.run_id)
        if writer is not None:  # the last progress lands before the outcome; it never raises
            await writer
        finish = partial(
            self._store.mark_finished,
            spec.run_id,
            outcome.status,
            utcnow(),
            outcome.error,
            owner_id,
        )
        run = await self._until_recorded(f"record the outcome of run {spec.run_id}", finish)
        if run is None:
            log.warning(
                "Run %s %s, but another server had settled it already: its outcome is not recorded",
                spec.run_id,
                outcome.status.value,
            )
            return
        self._announce(run)
        await self._apply_retention(run.notebook)

    async def _until_recorded(self, what: str, write: Callable[[], T]) -> T:
        """``write`` in a thread, retried with backoff while the database is unavailable.

        A run's start and outcome must land: giving up would leave it running for ever.
        """
        return await until_available(what, partial(asyncio.to_thread, write))

    async def _execute_within_limits(
        self, spec: RunSpec, owner_id: int, start: _Start
    ) -> RunOutcome | None:
        """Execute ``spec``, stopping it when cancelled or when its time is up; None when
        it never started. Until a worker takes it, the run stays queued and only a cancel
        withdraws it; its time limit counts from its start."""
        report = partial(self._report_progress, spec.run_id, owner_id)
        execution = asyncio.ensure_future(self._executor.execute(spec, report, start))
        stop_request = self._stop_requests[spec.run_id]
        until_taken: set[asyncio.Future[Any]] = {execution, start.answer}
        try:
            await asyncio.wait({*until_taken, stop_request}, return_when=FIRST_COMPLETED)
            if not start.answer.done() and not execution.done():  # cancelled while waiting
                await self._executor.stop(spec.run_id, StopReason.CANCELLED)
                await asyncio.wait(until_taken, return_when=FIRST_COMPLETED)
            if not start.answer.done():  # the executor ended it before any worker took it
                if stop_request.done() or not await start():
                    return None
                return await execution  # the executor's failure, recorded as the run's
            if not start.answer.result():
                await asyncio.gather(execution, return_exceptions=True)
                return None
            waiting: set[asyncio.Future[Any]] = {execution, stop_request}
            done, _ = await asyncio.wait(waiting, timeout=spec.timeout, return_when=FIRST_COMPLETED)
            if execution not in done:
                reason = stop_request.result() if stop_request.done() else StopReason.TIMED_OUT
                await self._executor.stop(spec.run_id, reason)
            return await execution
        except asyncio.CancelledError:
            execution.cancel()
            raise

    def _report_progress(self, run_id: int, owner_id: int, progress: RunProgress) -> None:
        """Keep the latest progress; one writer per run stores it, skipping stale ones."""
        self._progress[run_id] = progress
        if run_id not in self._progress_writers:
            writer = self._write_progress(run_id, owner_id)
            self._progress_writers[run_id] = asyncio.create_task(writer)

    async def _write_progress(self, run_id: int, owner_id: int) -> None:
        """Store progress as it comes; a failed write is skipped, never fatal to the run."""
        try:
            while run_id in self._progress:
                progress = self._progress[run_id]
                try:
                    await asyncio.to_thread(self._store.set_progress, run_id, progress, owner_id)
                except Exception as error:
                    log.warning("Progress of run %s not stored: %s", run_id, error)
                if self._progress.get(run_id) is progress:
                    del self._progress[run_id]
        finally:
            del self._progress_writers[run_id]

    async def _apply_retention(self, notebook: str) -> None:
        keep_latest, max_age = self._retention.keep_latest, self._retention.max_age
        if keep_latest is None and max_age is None:
            return
        cutoff = utcnow() - max_age if max_age is not None else None
        for run in await asyncio.to_thread(self._store.expired, notebook, keep_latest, cutoff):
            await asyncio.to_thread(self._remove, run)

    def _remove(self, run: Run) -> None:
        """Record first, then files: a failure leaves stray files, never a dangling run."""
        self._store.delete(run.id)
        folder = self._workspace.run_folder(run.output, run.id)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class _Start:
    """Records a run's start once, when its executor's worker takes it (a ``Begin``);
    ``answer`` then holds whether it started."""

    def __init__(
        self,
        store: RunStore,
        run_id: int,
        owner_id: int,
        until_recorded: Callable[[str, Callable[[], Run | None]], Awaitable[Run | None]],
    ) -> None:
        self._store = store
        self._run_id = run_id
        self._owner_id = owner_id
        self._until_recorded = until_recorded
        self.answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._lock = asyncio.Lock()

    async def __call__(self, executed_on: str | None = None) -> bool:
        async with self._lock:
            if not self.answer.done():
                start = partial(
                    self._store.start, self._run_id, utcnow(), self._owner_id, executed_on
                )
                what = f"record the start of run {self._run_id}"
                self.answer.set_result(await self._until_recorded(what, start) is not None)
        return self.answer.result()


def _interruption(notebook: Any | None, why: str) -> RunError:
    """The error of a run cut short in the cell its partial notebook last started."""
    cell_index = executed_notebook.last_started_cell(notebook)
    cell = executed_notebook.describe_cell(notebook, cell_index)
    error = RunError(**cell, ename="Interrupted", evalue="")
    where = f" in {error.where}" if error.where else ""
    return error.model_copy(update={"evalue": f"interrupted{where}: {why}"})
