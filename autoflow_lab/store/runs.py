"""Queries on the runs table. Synchronous: callers run them off the event loop."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import AlreadyFired, InvalidInput, NotFound
from ..models import (
    Run,
    RunError,
    RunPage,
    RunProgress,
    RunReport,
    RunStatus,
    RunTrigger,
    TriggerKind,
)
from .tables import RunRow, ScheduleDateRow, WorkflowRunRow

MANUAL = RunTrigger(kind=TriggerKind.MANUAL)


class RunStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(
        self,
        notebook: str,
        parameters: dict[str, Any],
        kernel_name: str | None,
        created_at: datetime,
        output_for: Callable[[int], str],
        timeout: float | None = None,
        cell_timeout: float | None = None,
        trigger: RunTrigger = MANUAL,
        owner_id: int | None = None,
        refusal: RunError | None = None,
    ) -> Run:
        """Insert a queued run owned by ``owner_id``; ``output_for(id)`` names its notebook.

        With a ``refusal``, the run is recorded as failed before it started, with no
        output: a schedule fire that could not run. ``AlreadyFired`` when a run for
        the trigger's schedule fire exists already.
        """
        try:
            with self._sessions.begin() as session:
                row = RunRow(
                    notebook=notebook,
                    parameters=parameters,
                    kernel_name=kernel_name,
                    status=RunStatus.QUEUED.value if refusal is None else RunStatus.FAILED.value,
                    timeout=timeout,
                    cell_timeout=cell_timeout,
                    trigger_kind=trigger.kind.value,
                    schedule_id=trigger.schedule_id,
                    scheduled_for=trigger.scheduled_for,
                    reference_date=iso_date(trigger.reference_date),
                    workflow_run_id=trigger.workflow_run_id,
                    step_key=trigger.step_key,
                    attempt=trigger.attempt,
                    owner_id=owner_id,
                    created_at=created_at,
                    finished_at=None if refusal is None else created_at,
                    **_error_columns(refusal),
                )
                session.add(row)
                session.flush()  # assigns the id the output path is named after
                if refusal is None:
                    row.output = output_for(row.id)
                return to_run(row)  # loads the schedule it names, for its name
        except IntegrityError as error:
            if trigger.attempt is not None:
                raise AlreadyFired(
                    f"Workflow run {trigger.workflow_run_id} has run {trigger.attempt} of step "
                    f"{trigger.step_key!r} already."
                ) from error
            if trigger.scheduled_for is None:
                raise
            raise AlreadyFired(
                f"Schedule {trigger.schedule_id} has a run for {trigger.scheduled_for} already."
            ) from error

    def get(self, run_id: int) -> Run:
        with self._sessions() as session:
            return to_run(_get_row(session, run_id))

    def page(
        self,
        limit: int,
        cursor: str | None,
        status: RunStatus | None = None,
        notebook: str | None = None,
        text: str | None = None,
        schedule: int | None = None,
    ) -> RunPage:
        """Newest first, keyset-paginated on the id so deep pages stay cheap.

        ``text`` matches the notebook path, error name or error message, ignoring case.
        """
        query = select(RunRow).order_by(RunRow.id.desc()).limit(limit + 1)
        if cursor is not None:
            query = query.where(RunRow.id < parse_cursor(cursor))
        if status is not None:
            query = query.where(RunRow.status == status.value)
        if notebook is not None:
            query = query.where(RunRow.notebook == notebook)
        if schedule is not None:
            query = query.where(RunRow.schedule_id == schedule)
        if text:
            columns = (RunRow.notebook, RunRow.error_ename, RunRow.error_evalue)
            query = query.where(or_(*(c.icontains(text, autoescape=True) for c in columns)))
        with self._sessions() as session:
            rows = session.scalars(query).all()
        runs = [to_run(row) for row in rows[:limit]]
        next_cursor = str(runs[-1].id) if len(rows) > limit else None
        return RunPage(runs=runs, next_cursor=next_cursor)

    def unfinished(self) -> list[tuple[Run, int | None]]:
        """Runs still queued or running, oldest first, each with its owner's id."""
        query = select(RunRow).where(RunRow.status.in_(UNFINISHED)).order_by(RunRow.id)
        with self._sessions() as session:
            return [(to_run(row), row.owner_id) for row in session.scalars(query)]

    def delete(self, run_id: int) -> None:
        with self._sessions.begin() as session:
            session.delete(_get_row(session, run_id))

    def expired(
        self, notebook: str, keep_latest: int | None, finished_before: datetime | None
    ) -> list[Run]:
        """Finished runs of ``notebook`` beyond the newest ``keep_latest`` or too old."""
        final = [status.value for status in RunStatus if status.is_final]
        # Steps of workflow runs go with their workflow run: a resume reuses them. A
        # data trigger's date is as its latest run: without it, the date would run again.
        dates_runs = select(ScheduleDateRow.run_id).where(ScheduleDateRow.run_id.is_not(None))
        of_notebook = (
            RunRow.notebook == notebook,
            RunRow.status.in_(final),
            RunRow.workflow_run_id.is_(None),
            RunRow.id.not_in(dates_runs),
        )
        rules: list[ColumnElement[bool]] = []
        if keep_latest is not None:
            newest_first = select(RunRow.id).where(*of_notebook).order_by(RunRow.id.desc())
            rules.append(RunRow.id.in_(newest_first.offset(keep_latest)))
        if finished_before is not None:
            rules.append(RunRow.finished_at < finished_before)
        if not rules:
            return []
        query = select(RunRow).where(*of_notebook, or_(*rules)).order_by(RunRow.id)
        with self._sessions() as session:
            return [to_run(row) for row in session.scalars(query)]

    def adopt(self, run_id: int, previous_owner: int | None, owner_id: int) -> Run | None:
        """Queue an unfinished run of a gone owner again, as ``owner_id``'s.

        None if someone else settled or adopted it first.
        """
        return self._transition(
            run_id,
            _owned_unfinished(previous_owner),
            status=RunStatus.QUEUED.value,
            owner_id=owner_id,
            started_at=None,
            executed_on=None,
            cells_done=None,
            cells_total=None,
            current_cell=None,
        )

    def settle(
        self,
        run_id: int,
        previous_owner: int | None,
        finished_at: datetime,
        error: RunError,
    ) -> Run | None:
        """Fail an unfinished run of a gone owner; None if someone else settled it first."""
        return self._transition(
            run_id,
            _owned_unfinished(previous_owner),
            status=RunStatus.FAILED.value,
            finished_at=finished_at,
            **_error_columns(error),
        )

    def start(
        self,
        run_id: int,
        started_at: datetime,
        owner_id: int | None = None,
        executed_on: str | None = None,
    ) -> Run | None:
        """Mark a queued run of ``owner_id`` running on ``executed_on`` (a worker, in
        words); None if it is no longer queued or ours."""
        return self._transition(
            run_id,
            (
                RunRow.status == RunStatus.QUEUED.value,
                RunRow.owner_id.is_not_distinct_from(owner_id),
            ),
            status=RunStatus.RUNNING.value,
            started_at=started_at,
            executed_on=executed_on,
        )

    def request_cancel(self, run_id: int) -> Run | None:
        """Ask the instance executing a running run to cancel it (``cancel_requests``);
        None if the run is not running."""
        return self._transition(
            run_id, (RunRow.status == RunStatus.RUNNING.value,), cancel_requested=True
        )

    def cancel_requests(self, run_ids: Collection[int]) -> list[int]:
        """Those of ``run_ids`` (running here) that another instance asked to cancel."""
        query = select(RunRow.id).where(
            RunRow.id.in_(run_ids),
            RunRow.cancel_requested.is_(True),
            RunRow.status == RunStatus.RUNNING.value,
        )
        with self._sessions() as session:
            return list(session.scalars(query))

    def cancel_queued(self, run_id: int, finished_at: datetime, error: RunError) -> Run | None:
        """Cancel a run that is still queued; None if it has left the queue already."""
        return self._transition(
            run_id,
            (RunRow.status == RunStatus.QUEUED.value,),
            status=RunStatus.CANCELLED.value,
            finished_at=finished_at,
            **_error_columns(error),
        )

    def set_progress(self, run_id: int, progress: RunProgress, owner_id: int | None = None) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(RunRow)
                .where(*_owned_unfinished(owner_id), RunRow.id == run_id)
                .values(
                    cells_done=progress.cells_done,
                    cells_total=progress.cells_total,
                    current_cell=progress.current_cell,
                )
            )

    def mark_finished(
        self,
        run_id: int,
        status: RunStatus,
        finished_at: datetime,
        error: RunError | None,
        owner_id: int | None = None,
    ) -> Run | None:
        """Record the outcome of a run ``owner_id`` executed.

        None if the run is no longer its owner's to finish: another instance took
        it for gone and settled it.
        """
        return self._transition(
            run_id,
            _owned_unfinished(owner_id),
            status=status.value,
            finished_at=finished_at,
            **_error_columns(error),
        )

    def set_reports(self, run_id: int, reports: list[RunReport]) -> Run:
        with self._sessions.begin() as session:
            row = _get_row(session, run_id)
            row.reports = [report.model_dump(mode="json") for report in reports]
            return to_run(row)

    def _transition(
        self, run_id: int, conditions: tuple[ColumnElement[bool], ...], **values: Any
    ) -> Run | None:
        """Update a run only if ``conditions`` hold: the check and the change are one statement."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(RunRow).where(RunRow.id == run_id, *conditions).values(**values)
            )
            if changed.rowcount == 0:  # type: ignore[attr-defined]
                _get_row(session, run_id)  # NotFound for an unknown id
                return None
            return to_run(_get_row(session, run_id))


UNFINISHED = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)


def _owned_unfinished(owner_id: int | None) -> tuple[ColumnElement[bool], ...]:
    return (RunRow.status.in_(UNFINISHED), RunRow.owner_id.is_not_distinct_from(owner_id))


def _get_row(session: Session, run_id: int) -> RunRow:
    row = session.get(RunRow, run_id)
    if row is None:
        raise NotFound(f"No run with id {run_id}.")
    return row


def parse_cursor(cursor: str) -> int:
    # ASCII digits within SQLite's 64-bit integers: str.isdigit also takes "²".
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) >= 2**63:
        raise InvalidInput(
            f"Invalid cursor {cursor!r}: pass the next_cursor value of a previous page."
        )
    return int(cursor)


def _error_columns(error: RunError | None) -> dict[str, Any]:
    return {
        "error_cell_index": error.cell_index if error else None,
        "error_cell_number": error.cell_number if error else None,
        "error_execution_count": error.execution_count if error else None,
        "error_cell_source": error.cell_source if error else None,
        "error_ename": error.ename if error else None,
        "error_evalue": error.evalue if error else None,
    }


def to_run(row: RunRow) -> Run:
    error = None
    if row.error_ename is not None:
        error = RunError(
            cell_index=row.error_cell_index,
            cell_number=row.error_cell_number,
            execution_count=row.error_execution_count,
            cell_source=row.error_cell_source,
            ename=row.error_ename,
            evalue=row.error_evalue or "",
        )
    return Run(
        id=row.id,
        notebook=row.notebook,
        parameters=row.parameters,
        kernel_name=row.kernel_name,
        status=RunStatus(row.status),
        timeout=row.timeout,
        cell_timeout=row.cell_timeout,
        progress=_progress(row),
        trigger=trigger_of(row),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        output=row.output,
        executed_on=row.executed_on,
        error=error,
        reports=[RunReport.model_validate(report) for report in row.reports or ()],
    )


def trigger_of(row: RunRow | WorkflowRunRow) -> RunTrigger:
    """What started a run, or a workflow run, as its row records it."""
    step = row if isinstance(row, RunRow) else None  # a workflow run is no step
    workflow_run = step.workflow_run if step is not None else None
    return RunTrigger(
        kind=TriggerKind(row.trigger_kind),
        schedule_id=row.schedule_id,
        schedule_name=row.schedule.name if row.schedule is not None else None,
        scheduled_for=row.scheduled_for,
        reference_date=None
        if row.reference_date is None
        else date.fromisoformat(row.reference_date),
        workflow_run_id=step.workflow_run_id if step is not None else None,
        workflow_name=workflow_run.name if workflow_run is not None else None,
        step_key=step.step_key if step is not None else None,
        attempt=step.attempt if step is not None else None,
    )


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _progress(row: RunRow) -> RunProgress | None:
    if row.cells_total is None:
        return None
    return RunProgress(
        cells_done=row.cells_done or 0,
        cells_total=row.cells_total,
        current_cell=row.current_cell,
    )
