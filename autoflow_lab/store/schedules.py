"""Queries on the schedules table. Synchronous: callers run them off the event loop.

The table is the source of truth for every server sharing the database; each
server's scheduler only mirrors it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound
from ..models import (
    CatchUp,
    CheckStatus,
    FlowapiCheck,
    Overlap,
    RunStatus,
    ScheduleCreate,
    ScheduleLastRun,
    TriggerSpec,
)
from .runs import UNFINISHED
from .tables import RunRow, ScheduleRow, WorkflowRunRow

TRIGGER = TypeAdapter[TriggerSpec](TriggerSpec)


@dataclass(frozen=True)
class StoredSchedule:
    """A schedule as stored: its settings, and what its fires have done so far."""

    id: int
    settings: ScheduleCreate  # name and timezone filled in
    skipped_fires: int
    last_skipped_at: datetime | None
    last_fire_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_check: FlowapiCheck | None = None

    @property
    def name(self) -> str:
        assert self.settings.name is not None
        return self.settings.name


# What tells a server that another one changed the table: how many schedules
# there are, the newest id and the latest change.
Revision = tuple[int, int | None, datetime | None]


class ScheduleStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(self, settings: ScheduleCreate, now: datetime) -> StoredSchedule:
        with self._sessions.begin() as session:
            row = ScheduleRow(
                **_settings_columns(settings),
                skipped_fires=0,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return _to_schedule(row)

    def get(self, schedule_id: int) -> StoredSchedule:
        with self._sessions() as session:
            return _to_schedule(_get_row(session, schedule_id))

    def all(self) -> list[StoredSchedule]:
        with self._sessions() as session:
            rows = session.scalars(select(ScheduleRow).order_by(ScheduleRow.id))
            return [_to_schedule(row) for row in rows]

    def update(self, schedule_id: int, settings: ScheduleCreate, now: datetime) -> StoredSchedule:
        with self._sessions.begin() as session:
            row = _get_row(session, schedule_id)
            for name, value in _settings_columns(settings).items():
                setattr(row, name, value)
            row.updated_at = max(now, row.updated_at)
            return _to_schedule(row)

    def set_paused(self, schedule_id: int, paused: bool, now: datetime) -> StoredSchedule:
        with self._sessions.begin() as session:
            row = _get_row(session, schedule_id)
            row.paused = paused
            row.updated_at = max(now, row.updated_at)
            return _to_schedule(row)

    def delete(self, schedule_id: int) -> None:
        """Remove the schedule; its runs stay in the history."""
        with self._sessions.begin() as session:
            session.delete(_get_row(session, schedule_id))

    def revision(self) -> Revision:
        query = select(func.count(), func.max(ScheduleRow.id), func.max(ScheduleRow.updated_at))
        with self._sessions() as session:
            count, newest, changed = session.execute(query).one()
        return count, newest, changed

    def has_unfinished_run(self, schedule_id: int, before: datetime) -> bool:
        """Whether a run the schedule made before the fire at ``before`` is queued or running.

        Runs for ``before`` itself (another server's, for the same fire) don't count.
        """
        busy = []
        for table in (RunRow, WorkflowRunRow):
            query = select(table.id).where(
                table.schedule_id == schedule_id,
                table.status.in_(UNFINISHED),
                or_(table.scheduled_for.is_(None), table.scheduled_for < before),
            )
            busy.append(query.limit(1))
        with self._sessions() as session:
            return any(session.scalars(query).first() is not None for query in busy)

    def record_skip(self, schedule_id: int, scheduled_for: datetime) -> bool:
        """Count a skipped fire once, however many servers skip it; False if counted already."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(ScheduleRow)
                .where(
                    ScheduleRow.id == schedule_id,
                    or_(
                        ScheduleRow.last_skipped_at.is_(None),
                        ScheduleRow.last_skipped_at < scheduled_for,
                    ),
                )
                .values(skipped_fires=ScheduleRow.skipped_fires + 1, last_skipped_at=scheduled_for)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def record_fire(self, schedule_id: int, scheduled_for: datetime) -> None:
        """Move the last fire time on (never back): catch-up counts missed fires from it."""
        with self._sessions.begin() as session:
            session.execute(
                update(ScheduleRow)
                .where(
                    ScheduleRow.id == schedule_id,
                    or_(
                        ScheduleRow.last_fire_at.is_(None),
                        ScheduleRow.last_fire_at < scheduled_for,
                    ),
                )
                .values(last_fire_at=scheduled_for)
            )

    def record_check(self, schedule_id: int, check: FlowapiCheck) -> None:
        """A data trigger's latest look at FlowAPI; not a change of the schedule."""
        with self._sessions.begin() as session:
            session.execute(
                update(ScheduleRow)
                .where(ScheduleRow.id == schedule_id)
                .values(
                    last_check_at=check.at,
                    last_check_status=check.status.value,
                    last_check_message=check.message,
                )
            )

    def last_runs(self, schedule_ids: list[int]) -> dict[int, ScheduleLastRun]:
        """Each schedule's newest run (or workflow run), by schedule id."""
        found: dict[int, tuple[Any, ScheduleLastRun]] = {}
        for table in (RunRow, WorkflowRunRow):
            newest = (
                select(func.max(table.id))
                .where(table.schedule_id.in_(schedule_ids))
                .group_by(table.schedule_id)
            )
            query = select(
                table.schedule_id, table.id, table.status, table.scheduled_for, table.created_at
            ).where(table.id.in_(newest), table.schedule_id.is_not(None))
            with self._sessions() as session:
                rows = session.execute(query).all()
            for schedule_id, run_id, status, scheduled_for, created_at in rows:
                last = ScheduleLastRun(
                    id=run_id,
                    status=RunStatus(status),
                    scheduled_for=scheduled_for,
                    workflow_run=table is WorkflowRunRow,
                )
                if schedule_id is None:
                    continue
                if schedule_id not in found or found[schedule_id][0] < created_at:
                    found[schedule_id] = (created_at, last)
        return {schedule_id: last for schedule_id, (_, last) in found.items()}


def _get_row(session: Session, schedule_id: int) -> ScheduleRow:
    row = session.get(ScheduleRow, schedule_id)
    if row is None:
        raise NotFound(f"No schedule with id {schedule_id}.")
    return row


def _settings_columns(settings: ScheduleCreate) -> dict[str, Any]:
    assert settings.name is not None
    return {
        "name": settings.name,
        "notebook": settings.notebook,
        "parameters": settings.parameters,
        "trigger": TRIGGER.dump_python(settings.trigger, mode="json"),
        "kernel_name": settings.kernel_name,
        "timeout": settings.timeout,
        "cell_timeout": settings.cell_timeout,
        "paused": settings.paused,
        "catch_up": settings.catch_up.value,
        "catch_up_window": settings.catch_up_window,
        "overlap": settings.overlap.value,
    }


def _to_schedule(row: ScheduleRow) -> StoredSchedule:
    settings = ScheduleCreate(
        name=row.name,
        notebook=row.notebook,
        parameters=row.parameters,
        trigger=TRIGGER.validate_python(row.trigger),
        kernel_name=row.kernel_name,
        timeout=row.timeout,
        cell_timeout=row.cell_timeout,
        paused=row.paused,
        catch_up=CatchUp(row.catch_up),
        catch_up_window=row.catch_up_window,
        overlap=Overlap(row.overlap),
    )
    last_check = None
    if row.last_check_at is not None and row.last_check_status is not None:
        last_check = FlowapiCheck(
            at=row.last_check_at,
            status=CheckStatus(row.last_check_status),
            message=row.last_check_message or "",
        )
    return StoredSchedule(
        id=row.id,
        last_check=last_check,
        settings=settings,
        skipped_fires=row.skipped_fires,
        last_skipped_at=row.last_skipped_at,
        last_fire_at=row.last_fire_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
