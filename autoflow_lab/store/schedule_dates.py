"""Queries on a data-trigger schedule's reference dates. Synchronous, like the other stores.

Exactly once per (schedule, reference date, parameters hash): the row is unique, and
each attempt at a date is claimed by moving ``attempts`` on from the value the
claimer read, which only one of several servers can do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Executable, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound
from ..models import DateState, RunStatus
from .tables import RunRow, ScheduleDateRow, WorkflowRunRow

ACTIVE = {RunStatus.QUEUED, RunStatus.RUNNING}
LOST_CLAIM = "The server starting this date's run stopped before the run was recorded."
RUN_DELETED = "Its run was deleted."

# Date rows with their latest run's (or workflow run's) status and error.
WITH_RUNS = (
    select(
        ScheduleDateRow,
        RunRow.status.label("run_status"),
        RunRow.error_ename,
        RunRow.error_evalue,
        WorkflowRunRow.status.label("workflow_status"),
        WorkflowRunRow.error.label("workflow_error"),
    )
    .outerjoin(RunRow, RunRow.id == ScheduleDateRow.run_id)
    .outerjoin(WorkflowRunRow, WorkflowRunRow.id == ScheduleDateRow.workflow_run_id)
)


@dataclass(frozen=True)
class StoredDate:
    """A reference date, with the status and error of its latest run."""

    id: int
    reference_date: date
    available: bool
    attempts: int
    armed_from: int
    owner_id: int | None
    run_id: int | None
    workflow_run_id: int | None
    run_status: RunStatus | None
    run_error: str | None
    first_seen_at: datetime
    updated_at: datetime

    def state(self, live: set[int], max_attempts: int) -> DateState:
        """Where the date stands; ``live`` are the instances still there."""
        if self.attempts == self.armed_from:
            return DateState.PENDING
        if self.run_status is None:  # claimed; its run not recorded yet
            if self.owner_id in live:
                return DateState.RUNNING
        elif self.run_status in ACTIVE:
            return DateState.RUNNING
        elif self.run_status is RunStatus.SUCCEEDED:
            return DateState.SUCCEEDED
        tried = self.attempts - self.armed_from
        return DateState.FAILED if tried < max_attempts else DateState.GIVEN_UP

    @property
    def message(self) -> str | None:
        """Why the latest attempt failed, when ``state`` says it did."""
        if self.attempts == self.armed_from:
            return None
        if self.run_status is None:
            return LOST_CLAIM if self.owner_id is not None else RUN_DELETED
        return self.run_error


class ScheduleDateStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record_available(
        self,
        schedule_id: int,
        parameters_hash: str,
        complete: Iterable[date],
        wanted: Iterable[date],
        now: datetime,
    ) -> int:
        """Note what FlowAPI reports: ``complete`` dates (their stencil available) are
        marked available and the others not, and ``wanted`` dates get rows if new.

        Dates are never deleted: one that FlowAPI stops reporting stays, unavailable.
        Returns how many dates are new.
        """
        complete_days = sorted(day.isoformat() for day in complete)
        new_rows = [
            {
                "schedule_id": schedule_id,
                "reference_date": day.isoformat(),
                "parameters_hash": parameters_hash,
                "available": True,
                "attempts": 0,
                "armed_from": 0,
                "first_seen_at": now,
                "updated_at": now,
            }
            for day in sorted(wanted)
        ]
        with self._sessions.begin() as session:
            known = set(
                session.scalars(
                    select(ScheduleDateRow.reference_date).where(*_of(schedule_id, parameters_hash))
                )
            )
            new_rows = [row for row in new_rows if row["reference_date"] not in known]
            if new_rows:
                session.execute(_insert_ignoring_duplicates(session), new_rows)
            for available in (True, False):
                chosen = ScheduleDateRow.reference_date.in_(complete_days)
                session.execute(
                    update(ScheduleDateRow)
                    .where(
                        *_of(schedule_id, parameters_hash),
                        ScheduleDateRow.available.is_not(available),
                        chosen if available else ~chosen,
                    )
                    .values(available=available, updated_at=now)
                )
        return len(new_rows)

    def dates(self, schedule_id: int, parameters_hash: str) -> list[StoredDate]:
        """The schedule's dates for these parameters, newest first."""
        query = WITH_RUNS.where(*_of(schedule_id, parameters_hash))
        with self._sessions() as session:
            rows = session.execute(query.order_by(ScheduleDateRow.reference_date.desc()))
            return [_to_date(row) for row in rows]

    def all_dates(self, schedules: dict[int, str]) -> dict[int, list[StoredDate]]:
        """Dates of several schedules, each for its parameters hash, by schedule id."""
        found: dict[int, list[StoredDate]] = {schedule_id: [] for schedule_id in schedules}
        if not schedules:
            return found
        query = WITH_RUNS.where(ScheduleDateRow.schedule_id.in_(list(schedules)))
        with self._sessions() as session:
            for found_row in session.execute(query):
                row = found_row.ScheduleDateRow
                if schedules[row.schedule_id] == row.parameters_hash:
                    found[row.schedule_id].append(_to_date(found_row))
        return found

    def get(self, schedule_id: int, parameters_hash: str, day: date) -> StoredDate:
        query = WITH_RUNS.where(
            *_of(schedule_id, parameters_hash), ScheduleDateRow.reference_date == day.isoformat()
        )
        with self._sessions() as session:
            row = session.execute(query).first()
        if row is None:
            raise NotFound(f"Schedule {schedule_id} has no reference date {day.isoformat()}.")
        return _to_date(row)

    def claim(self, date_id: int, seen_attempts: int, owner_id: int, now: datetime) -> bool:
        """Take the next attempt at a date, if no one took it since ``seen_attempts``."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(ScheduleDateRow)
                .where(ScheduleDateRow.id == date_id, ScheduleDateRow.attempts == seen_attempts)
                .values(
                    attempts=seen_attempts + 1,
                    owner_id=owner_id,
                    run_id=None,
                    workflow_run_id=None,
                    updated_at=now,
                )
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def release(self, date_id: int, attempt: int) -> None:
        """Give back a claimed attempt whose run could not be made."""
        with self._sessions.begin() as session:
            session.execute(
                update(ScheduleDateRow)
                .where(
                    ScheduleDateRow.id == date_id,
                    ScheduleDateRow.attempts == attempt,
                    ScheduleDateRow.run_id.is_(None),
                    ScheduleDateRow.workflow_run_id.is_(None),
                )
                .values(attempts=attempt - 1, owner_id=None)
            )

    def record_run(
        self,
        date_id: int,
        attempt: int,
        now: datetime,
        run_id: int | None = None,
        workflow_run_id: int | None = None,
    ) -> None:
        """The run made for a claimed attempt: from now on its status is the date's."""
        with self._sessions.begin() as session:
            session.execute(
                update(ScheduleDateRow)
                .where(ScheduleDateRow.id == date_id, ScheduleDateRow.attempts == attempt)
                .values(
                    run_id=run_id, workflow_run_id=workflow_run_id, owner_id=None, updated_at=now
                )
            )

    def rearm(self, date_id: int, seen_attempts: int, now: datetime) -> bool:
        """Count the date's failures from zero again, so checks run it again."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(ScheduleDateRow)
                .where(ScheduleDateRow.id == date_id, ScheduleDateRow.attempts == seen_attempts)
                .values(armed_from=seen_attempts, updated_at=now)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]


def _of(schedule_id: int, parameters_hash: str) -> tuple[ColumnElement[bool], ...]:
    return (
        ScheduleDateRow.schedule_id == schedule_id,
        ScheduleDateRow.parameters_hash == parameters_hash,
    )


def _insert_ignoring_duplicates(session: Session) -> Executable:
    """An INSERT that leaves a row another server inserted meanwhile as it is."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(ScheduleDateRow).on_conflict_do_nothing()


def _to_date(found: Any) -> StoredDate:
    """A row of ``WITH_RUNS`` as a date."""
    row: ScheduleDateRow = found.ScheduleDateRow
    status: RunStatus | None = None
    error: str | None = None
    if found.run_status is not None:
        status = RunStatus(found.run_status)
        if found.error_evalue is not None:
            error = f"{found.error_ename}: {found.error_evalue}"
    elif found.workflow_status is not None:
        status = RunStatus(found.workflow_status)
        error = found.workflow_error
    return StoredDate(
        id=row.id,
        reference_date=date.fromisoformat(row.reference_date),
        available=row.available,
        attempts=row.attempts,
        armed_from=row.armed_from,
        owner_id=row.owner_id,
        run_id=row.run_id,
        workflow_run_id=row.workflow_run_id,
        run_status=status,
        run_error=error,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
    )
