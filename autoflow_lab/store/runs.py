"""Queries on the runs table. Synchronous: callers run them off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..errors import InvalidInput, NotFound
from ..models import Run, RunError, RunPage, RunStatus
from .tables import RunRow


class RunStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(
        self,
        notebook: str,
        parameters: dict[str, Any],
        kernel_name: str | None,
        created_at: datetime,
        output_for: Callable[[int], str],
    ) -> Run:
        """Insert a queued run; ``output_for(id)`` names its executed notebook."""
        with self._sessions.begin() as session:
            row = RunRow(
                notebook=notebook,
                parameters=parameters,
                kernel_name=kernel_name,
                status=RunStatus.QUEUED.value,
                created_at=created_at,
            )
            session.add(row)
            session.flush()  # assigns the id the output path is named after
            row.output = output_for(row.id)
            return _to_run(row)

    def get(self, run_id: int) -> Run:
        with self._sessions() as session:
            return _to_run(_get_row(session, run_id))

    def page(self, limit: int, cursor: str | None) -> RunPage:
        """Newest first, keyset-paginated on the id so deep pages stay cheap."""
        query = select(RunRow).order_by(RunRow.id.desc()).limit(limit + 1)
        if cursor is not None:
            query = query.where(RunRow.id < _parse_cursor(cursor))
        with self._sessions() as session:
            rows = session.scalars(query).all()
        runs = [_to_run(row) for row in rows[:limit]]
        next_cursor = str(runs[-1].id) if len(rows) > limit else None
        return RunPage(runs=runs, next_cursor=next_cursor)

    def unfinished(self) -> list[Run]:
        """Runs still queued or running, oldest first."""
        unfinished = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)
        query = select(RunRow).where(RunRow.status.in_(unfinished)).order_by(RunRow.id)
        with self._sessions() as session:
            return [_to_run(row) for row in session.scalars(query)]

    def delete(self, run_id: int) -> None:
        with self._sessions.begin() as session:
            session.delete(_get_row(session, run_id))

    def expired(
        self, notebook: str, keep_latest: int | None, finished_before: datetime | None
    ) -> list[Run]:
        """Finished runs of ``notebook`` beyond the newest ``keep_latest`` or too old."""
        final = [status.value for status in RunStatus if status.is_final]
        of_notebook = (RunRow.notebook == notebook, RunRow.status.in_(final))
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
            return [_to_run(row) for row in session.scalars(query)]

    def requeue(self, run_id: int) -> Run:
        with self._sessions.begin() as session:
            row = _get_row(session, run_id)
            row.status = RunStatus.QUEUED.value
            row.started_at = None
            return _to_run(row)

    def mark_running(self, run_id: int, started_at: datetime) -> Run:
        with self._sessions.begin() as session:
            row = _get_row(session, run_id)
            row.status = RunStatus.RUNNING.value
            row.started_at = started_at
            return _to_run(row)

    def mark_finished(
        self, run_id: int, status: RunStatus, finished_at: datetime, error: RunError | None
    ) -> Run:
        with self._sessions.begin() as session:
            row = _get_row(session, run_id)
            row.status = status.value
            row.finished_at = finished_at
            row.error_cell_index = error.cell_index if error else None
            row.error_ename = error.ename if error else None
            row.error_evalue = error.evalue if error else None
            return _to_run(row)


def _get_row(session: Session, run_id: int) -> RunRow:
    row = session.get(RunRow, run_id)
    if row is None:
        raise NotFound(f"No run with id {run_id}.")
    return row


def _parse_cursor(cursor: str) -> int:
    if not cursor.isdigit():
        raise InvalidInput(
            f"Invalid cursor {cursor!r}: pass the next_cursor value of a previous page."
        )
    return int(cursor)


def _to_run(row: RunRow) -> Run:
    error = None
    if row.error_ename is not None:
        error = RunError(
            cell_index=row.error_cell_index,
            ename=row.error_ename,
            evalue=row.error_evalue or "",
        )
    return Run(
        id=row.id,
        notebook=row.notebook,
        parameters=row.parameters,
        kernel_name=row.kernel_name,
        status=RunStatus(row.status),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        output=row.output,
        error=error,
    )
