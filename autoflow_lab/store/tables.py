"""SQLAlchemy table definitions. Every change here needs a migration in ``migrations/``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, foreign, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no time zone of its own."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class RunRow(Base):
    __tablename__ = "runs"
    # AUTOINCREMENT on SQLite: ids are never reused, so pagination cursors stay valid.
    # One run per schedule fire, whichever server fires it, and one per attempt at a
    # workflow step, whichever server advances the workflow: the database decides.
    __table_args__ = (
        UniqueConstraint("schedule_id", "scheduled_for", name="uq_runs_schedule_fire"),
        UniqueConstraint(
            "workflow_run_id", "step_key", "attempt", name="uq_runs_workflow_step_attempt"
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notebook: Mapped[str] = mapped_column(String(1024), index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    kernel_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    timeout: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_timeout: Mapped[float | None] = mapped_column(Float, nullable=True)
    cells_done: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cells_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_cell: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    output: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    executed_on: Mapped[str | None] = mapped_column(String(512), nullable=True)
    # Asked of the instance executing it by another one; the owner stops the run.
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    error_cell_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_ename: Mapped[str | None] = mapped_column(String(256), nullable=True)
    error_evalue: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_cell_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_execution_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_cell_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    trigger_kind: Mapped[str] = mapped_column(String(16), server_default="manual")
    # The instance (server or command) executing the run; it alone records the outcome.
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # No foreign key: a deleted schedule's runs stay in the history, naming its id.
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The date of FlowAPI data a data-trigger schedule started the run for (ISO).
    reference_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    schedule: Mapped[ScheduleRow | None] = relationship(
        primaryjoin=lambda: foreign(RunRow.schedule_id) == ScheduleRow.id,
        lazy="joined",
        viewonly=True,
    )
    # A step of a workflow run: the workflow run, the step and which attempt at it.
    workflow_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    step_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    attempt: Mapped[int | None] = mapped_column(Integer, nullable=True)
    workflow_run: Mapped[WorkflowRunRow | None] = relationship(
        primaryjoin=lambda: foreign(RunRow.workflow_run_id) == WorkflowRunRow.id,
        lazy="joined",
        viewonly=True,
    )
    # [{"format": "html", "path": ...}]: reports rendered from the executed notebook.
    reports: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)


class ScheduleRow(Base):
    __tablename__ = "schedules"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    notebook: Mapped[str] = mapped_column(String(1024))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON)
    kernel_name: Mapped[str | None] = mapped_column(String(256), nullable=True)
    timeout: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_timeout: Mapped[float | None] = mapped_column(Float, nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    catch_up: Mapped[str] = mapped_column(String(16))
    catch_up_window: Mapped[float | None] = mapped_column(Float, nullable=True)
    overlap: Mapped[str] = mapped_column(String(16))
    skipped_fires: Mapped[int] = mapped_column(Integer, default=0)
    last_skipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_fire_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Every change moves it on: servers sharing the database reload what changed.
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A data trigger's latest look at FlowAPI (not a change: updated_at stays).
    last_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_check_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_check_message: Mapped[str | None] = mapped_column(Text, nullable=True)


class ScheduleDateRow(Base):
    """A reference date of a data-trigger schedule, for one set of its parameters.

    The unique key makes a date's runs the schedule's alone, whichever server checks.
    Each attempt is claimed by bumping ``attempts`` from the value read (so one server
    wins), then the run made is recorded; ``owner_id`` is the claimer until then, so a
    claim whose instance died is known for a lost attempt and retried.
    """

    __tablename__ = "schedule_dates"
    __table_args__ = (
        UniqueConstraint(
            "schedule_id", "reference_date", "parameters_hash", name="uq_schedule_dates"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("schedules.id", ondelete="CASCADE")
    )
    reference_date: Mapped[str] = mapped_column(String(10))  # ISO: sorts as dates do
    # What runs, with which parameters: a change of either makes dates new again.
    parameters_hash: Mapped[str] = mapped_column(String(64))
    available: Mapped[bool] = mapped_column(Boolean)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Attempts made before the latest re-arm: only later ones count towards giving up.
    armed_from: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    workflow_run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WorkflowRunRow(Base):
    __tablename__ = "workflow_runs"
    # One workflow run per schedule fire, as for runs.
    __table_args__ = (
        UniqueConstraint("schedule_id", "scheduled_for", name="uq_workflow_runs_schedule_fire"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow: Mapped[str] = mapped_column(String(1024), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    # reference_date, date_ranges and flowapi_url as the run was started with.
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The definition the run follows (notebook paths relative to the root): a later
    # edit of the file changes only runs started, or resumed, after it.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    trigger_kind: Mapped[str] = mapped_column(String(16))
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reference_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # The instance advancing the run; another takes it over once it is gone.
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    schedule: Mapped[ScheduleRow | None] = relationship(
        primaryjoin=lambda: foreign(WorkflowRunRow.schedule_id) == ScheduleRow.id,
        lazy="joined",
        viewonly=True,
    )
    steps: Mapped[list[WorkflowStepRow]] = relationship(
        order_by=lambda: WorkflowStepRow.position,
        lazy="selectin",
        cascade="all, delete-orphan",
    )


class WorkflowStepRow(Base):
    __tablename__ = "workflow_steps"
    __table_args__ = (UniqueConstraint("workflow_run_id", "key", name="uq_workflow_steps_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)  # in dependency order
    notebook: Mapped[str] = mapped_column(String(1024))
    # pending, active (its latest run is queued or running), or final.
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The notebook's cells and the values the latest run was given: a resume re-runs
    # a succeeded step when either changed since.
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    run_parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    run: Mapped[RunRow | None] = relationship(
        primaryjoin=lambda: foreign(WorkflowStepRow.run_id) == RunRow.id,
        lazy="joined",
        viewonly=True,
    )


class InstanceRow(Base):
    """A live server or ``autoflow`` command; its heartbeat says it is still there."""

    __tablename__ = "instances"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    hostname: Mapped[str] = mapped_column(String(256))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UtcDateTime)
