"""Queries on workflow runs and their steps. Synchronous: callers run them off the event loop.

A step's row says where the workflow stands with it (pending, active while its latest
run is queued or running, or final); the runs themselves live in the runs table,
linked by (workflow run, step, attempt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import AlreadyFired, NotFound
from ..models import (
    RunStatus,
    RunTrigger,
    StepStatus,
    WorkflowRun,
    WorkflowRunPage,
    WorkflowStep,
)
from ..workflows import WorkflowDefinition, from_data
from .runs import UNFINISHED, iso_date, parse_cursor, to_run, trigger_of
from .tables import RunRow, WorkflowRunRow, WorkflowStepRow


class StepState(str, Enum):
    """A step as the workflow engine tracks it; ``ACTIVE``: its latest run is unfinished."""

    PENDING = "pending"
    ACTIVE = "active"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self not in (StepState.PENDING, StepState.ACTIVE)


@dataclass(frozen=True)
class StoredStep:
    key: str
    notebook: str
    state: StepState
    attempts: int
    run_id: int | None
    run_status: RunStatus | None
    source_hash: str | None
    run_parameters: dict[str, Any] | None
    retry_at: datetime | None


@dataclass(frozen=True)
class StoredWorkflowRun:
    """A workflow run with what the engine needs besides what the API shows."""

    wire: WorkflowRun
    definition: WorkflowDefinition
    definition_data: dict[str, Any]
    context: dict[str, Any]
    owner_id: int | None
    cancel_requested: bool
    steps: dict[str, StoredStep]

    @property
    def id(self) -> int:
        return self.wire.id


class WorkflowRunStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def create(
        self,
        workflow: str,
        definition_data: dict[str, Any],
        parameters: dict[str, Any],
        context: dict[str, Any],
        created_at: datetime,
        trigger: RunTrigger,
        owner_id: int | None,
        refusal: str | None = None,
    ) -> StoredWorkflowRun:
        """Insert a running workflow run with every step pending; with a ``refusal``, a
        failed one that never started (a schedule fire whose workflow is invalid).

        ``AlreadyFired`` when the trigger's schedule fire has a workflow run already.
        """
        definition = from_data(definition_data)
        try:
            with self._sessions.begin() as session:
                row = WorkflowRunRow(
                    workflow=workflow,
                    name=definition.name[:200],
                    parameters=parameters,
                    context=context,
                    definition=definition_data,
                    status=(RunStatus.RUNNING if refusal is None else RunStatus.FAILED).value,
                    cancel_requested=False,
                    error=refusal,
                    trigger_kind=trigger.kind.value,
                    schedule_id=trigger.schedule_id,
                    scheduled_for=trigger.scheduled_for,
                    reference_date=iso_date(trigger.reference_date),
                    owner_id=owner_id,
                    created_at=created_at,
                    started_at=created_at if refusal is None else None,
                    finished_at=created_at if refusal is not None else None,
                    steps=[
                        _new_step(position, step.key, step.notebook)
                        for position, step in enumerate(definition.steps)
                    ],
                )
                session.add(row)
                session.flush()
                return _to_stored(session, row)
        except IntegrityError as error:
            if trigger.scheduled_for is None:
                raise
            raise AlreadyFired(
                f"Schedule {trigger.schedule_id} has a workflow run for "
                f"{trigger.scheduled_for} already."
            ) from error

    def get(self, workflow_run_id: int) -> StoredWorkflowRun:
        with self._sessions() as session:
            return _to_stored(session, _get_row(session, workflow_run_id))

    def page(
        self,
        limit: int,
        cursor: str | None,
        status: RunStatus | None = None,
        workflow: str | None = None,
        schedule: int | None = None,
    ) -> WorkflowRunPage:
        """Newest first, keyset-paginated on the id."""
        query = select(WorkflowRunRow).order_by(WorkflowRunRow.id.desc()).limit(limit + 1)
        if cursor is not None:
            query = query.where(WorkflowRunRow.id < parse_cursor(cursor))
        if status is not None:
            query = query.where(WorkflowRunRow.status == status.value)
        if workflow is not None:
            query = query.where(WorkflowRunRow.workflow == workflow)
        if schedule is not None:
            query = query.where(WorkflowRunRow.schedule_id == schedule)
        with self._sessions() as session:
            rows = session.scalars(query).all()
            runs = [_to_stored(session, row).wire for row in rows[:limit]]
        next_cursor = str(runs[-1].id) if len(rows) > limit else None
        return WorkflowRunPage(workflow_runs=runs, next_cursor=next_cursor)

    def unfinished(self) -> list[tuple[int, int | None]]:
        """(id, owner) of every workflow run still running, oldest first."""
        query = (
            select(WorkflowRunRow.id, WorkflowRunRow.owner_id)
            .where(WorkflowRunRow.status.in_(UNFINISHED))
            .order_by(WorkflowRunRow.id)
        )
        with self._sessions() as session:
            return [(row.id, row.owner_id) for row in session.execute(query)]

    def adopt(self, workflow_run_id: int, previous_owner: int | None, owner_id: int) -> bool:
        """Take over a running workflow run from a gone owner; False if another did first."""
        return self._change(
            workflow_run_id,
            (
                WorkflowRunRow.status.in_(UNFINISHED),
                WorkflowRunRow.owner_id.is_not_distinct_from(previous_owner),
            ),
            owner_id=owner_id,
        )

    def update_step(
        self,
        workflow_run_id: int,
        key: str,
        expected: StepState,
        expected_attempts: int,
        **values: Any,
    ) -> bool:
        """Change a step only if it is still as the caller saw it: of two servers
        advancing one workflow run, exactly one makes each change."""
        if isinstance(values.get("status"), StepState):
            values["status"] = values["status"].value
        with self._sessions.begin() as session:
            changed = session.execute(
                update(WorkflowStepRow)
                .where(
                    WorkflowStepRow.workflow_run_id == workflow_run_id,
                    WorkflowStepRow.key == key,
                    WorkflowStepRow.status == expected.value,
                    WorkflowStepRow.attempts == expected_attempts,
                )
                .values(**values)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def finish(
        self,
        workflow_run_id: int,
        status: RunStatus,
        finished_at: datetime,
        error: str | None,
        owner_id: int | None,
    ) -> bool:
        return self._change(
            workflow_run_id,
            (
                WorkflowRunRow.status.in_(UNFINISHED),
                WorkflowRunRow.owner_id.is_not_distinct_from(owner_id),
            ),
            status=status.value,
            finished_at=finished_at,
            error=error,
        )

    def request_cancel(self, workflow_run_id: int) -> bool:
        return self._change(
            workflow_run_id,
            (WorkflowRunRow.status.in_(UNFINISHED),),
            cancel_requested=True,
        )

    def resume(
        self,
        workflow_run_id: int,
        definition_data: dict[str, Any],
        rerun: Iterable[str],
        owner_id: int,
    ) -> bool:
        """Start a finished workflow run again under ``definition_data``: steps in
        ``rerun`` and new steps become pending; steps no longer defined go.

        False when the run is not finished (another resume got there first).
        """
        definition = from_data(definition_data)
        rerun = set(rerun)
        with self._sessions.begin() as session:
            # The check and the change are one statement: of servers resuming at once,
            # one resumes and the others wait for it, then find the run unfinished.
            changed = session.execute(
                update(WorkflowRunRow)
                .where(
                    WorkflowRunRow.id == workflow_run_id,
                    WorkflowRunRow.status.not_in(UNFINISHED),
                )
                .values(
                    status=RunStatus.RUNNING.value,
                    definition=definition_data,
                    name=definition.name[:200],
                    error=None,
                    finished_at=None,
                    cancel_requested=False,
                    owner_id=owner_id,
                )
            )
            row = _get_row(session, workflow_run_id)
            if not changed.rowcount:  # type: ignore[attr-defined]
                return False
            existing = {step.key: step for step in row.steps}
            steps = []
            for position, step in enumerate(definition.steps):
                kept = existing.get(step.key)
                if kept is None:
                    kept = _new_step(position, step.key, step.notebook)
                elif step.key in rerun:
                    kept.status = StepState.PENDING.value
                    kept.retry_at = None
                    kept.message = None
                kept.position = position
                kept.notebook = step.notebook
                steps.append(kept)
            row.steps = steps
            return True

    def step_run_ids(self, workflow_run_id: int) -> list[int]:
        """Every run made for the workflow run's steps, retries and resumes included."""
        query = select(RunRow.id).where(RunRow.workflow_run_id == workflow_run_id)
        with self._sessions() as session:
            return list(session.scalars(query))

    def delete(self, workflow_run_id: int) -> None:
        with self._sessions.begin() as session:
            session.delete(_get_row(session, workflow_run_id))

    def _change(
        self, workflow_run_id: int, conditions: tuple[ColumnElement[bool], ...], **values: Any
    ) -> bool:
        with self._sessions.begin() as session:
            changed = session.execute(
                update(WorkflowRunRow)
                .where(WorkflowRunRow.id == workflow_run_id, *conditions)
                .values(**values)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                _get_row(session, workflow_run_id)  # NotFound for an unknown id
                return False
            return True


def _new_step(position: int, key: str, notebook: str) -> WorkflowStepRow:
    return WorkflowStepRow(
        key=key,
        position=position,
        notebook=notebook,
        status=StepState.PENDING.value,
        attempts=0,
    )


def _get_row(session: Session, workflow_run_id: int) -> WorkflowRunRow:
    row = session.get(WorkflowRunRow, workflow_run_id)
    if row is None:
        raise NotFound(f"No workflow run with id {workflow_run_id}.")
    return row


def _step_status(step: WorkflowStepRow) -> StepStatus:
    """What the API shows: an active step is as queued or running as its run."""
    if step.status != StepState.ACTIVE.value:
        return StepStatus(step.status)
    if step.run is None or step.run.status == RunStatus.QUEUED.value:
        return StepStatus.QUEUED
    return StepStatus.RUNNING  # executing, or its reports being rendered


def _to_stored(session: Session, row: WorkflowRunRow) -> StoredWorkflowRun:
    definition = from_data(row.definition)
    depends_on = {step.key: list(step.depends_on) for step in definition.steps}
    wire = WorkflowRun(
        id=row.id,
        workflow=row.workflow,
        name=row.name,
        status=RunStatus(row.status),
        parameters=row.parameters,
        reference_date=row.context.get("reference_date"),
        date_ranges=row.context.get("date_ranges"),
        trigger=trigger_of(row),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        steps=[
            WorkflowStep(
                key=step.key,
                notebook=step.notebook,
                status=_step_status(step),
                depends_on=depends_on.get(step.key, []),
                attempts=step.attempts,
                message=step.message,
                run=to_run(step.run) if step.run is not None else None,
            )
            for step in row.steps
        ],
    )
    steps = {
        step.key: StoredStep(
            key=step.key,
            notebook=step.notebook,
            state=StepState(step.status),
            attempts=step.attempts,
            run_id=step.run_id,
            run_status=RunStatus(step.run.status) if step.run is not None else None,
            source_hash=step.source_hash,
            run_parameters=step.run_parameters,
            retry_at=step.retry_at,
        )
        for step in row.steps
    }
    return StoredWorkflowRun(
        wire=wire,
        definition=definition,
        definition_data=row.definition,
        context=row.context,
        owner_id=row.owner_id,
        cancel_requested=row.cancel_requested,
        steps=steps,
    )
