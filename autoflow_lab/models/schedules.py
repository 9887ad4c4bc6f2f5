"""The schedules' data contract: triggers, policies, and schedules as the API shows them."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from .new_data import DateCounts, FlowapiCheck, IsoDate, NewDataTriggerSpec
from .runs import MAX_TIMEOUT_SECONDS, Parameters, Run, RunStatus, Seconds
from .workflows import WorkflowRun


class CronTriggerSpec(BaseModel):
    """Fires on a five-field cron expression with standard semantics, in a timezone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["cron"]
    expression: str = Field(
        max_length=256,
        description="minute hour day-of-month month day-of-week; day-of-week 0 and 7 are Sunday.",
    )
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA timezone; null on a create means the server's, which is then stored.",
    )


class IntervalTriggerSpec(BaseModel):
    """Fires every ``seconds``, counted from ``start`` (or from the schedule's creation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["interval"]
    seconds: float = Field(allow_inf_nan=False, le=MAX_TIMEOUT_SECONDS, description="At least 1.")
    start: datetime | None = Field(
        default=None, description="When the first fire is, with an offset; null: at creation."
    )


class OnceTriggerSpec(BaseModel):
    """Fires once, at ``at``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["once"]
    at: datetime = Field(description="ISO date-time with an offset, in the future.")


TriggerSpec = Annotated[
    CronTriggerSpec | IntervalTriggerSpec | OnceTriggerSpec | NewDataTriggerSpec,
    Field(discriminator="kind"),
]


class CatchUp(str, Enum):
    """What a schedule does with fires missed while no server was running."""

    SKIP = "skip"
    LATEST = "latest"


class Overlap(str, Enum):
    """What a fire does while the schedule's previous run is still queued or running."""

    SKIP = "skip"
    QUEUE = "queue"


class ScheduleCreate(BaseModel):
    """Body of ``POST schedules``; also what a ``PATCH`` must add up to."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Defaults to the notebook's name without its suffix.",
    )
    notebook: str = Field(
        min_length=1,
        description=(
            "What the schedule runs, relative to the server root: a notebook, or a workflow "
            "(a .autoflow.yaml file; its parameters are then the workflow's)."
        ),
    )
    parameters: Parameters = Field(default_factory=dict)
    trigger: TriggerSpec
    kernel_name: str | None = Field(
        default=None, description="Overrides the kernel named in the notebook's metadata."
    )
    timeout: Seconds | None = Field(default=None, description="Wall-clock limit of each run.")
    cell_timeout: Seconds | None = Field(default=None, description="Limit of each cell.")
    paused: bool = False
    catch_up: CatchUp = Field(
        default=CatchUp.SKIP,
        description=(
            "Fires missed while no server ran: skip them, or run once for the latest if it "
            "is within catch_up_window."
        ),
    )
    catch_up_window: Seconds | None = Field(
        default=None,
        description="How old a missed fire may be to be caught up; null: the server's.",
    )
    overlap: Overlap = Field(
        default=Overlap.SKIP,
        description=(
            "A fire while the previous run is queued or running: skip it (counted) or queue it."
        ),
    )


class ScheduleUpdate(BaseModel):
    """Body of ``PATCH schedules/<id>``: the fields to change; null clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    notebook: str | None = None
    parameters: dict[str, Any] | None = None
    trigger: TriggerSpec | None = None
    kernel_name: str | None = None
    timeout: float | None = None
    cell_timeout: float | None = None
    paused: bool | None = None
    catch_up: CatchUp | None = None
    catch_up_window: float | None = None
    overlap: Overlap | None = None


class ScheduleLastRun(BaseModel):
    id: int = Field(description="The run's id, or the workflow run's for a workflow schedule.")
    status: RunStatus
    scheduled_for: datetime | None
    workflow_run: bool = Field(default=False, description="True when id names a workflow run.")


class Schedule(BaseModel):
    id: int
    name: str
    notebook: str
    parameters: dict[str, Any]
    trigger: TriggerSpec
    kernel_name: str | None
    timeout: float | None
    cell_timeout: float | None
    paused: bool
    catch_up: CatchUp
    catch_up_window: float | None
    overlap: Overlap
    description: str = Field(description="The trigger in words.")
    next_fire_times: list[datetime] = Field(
        description="The next 5 fire times, in the trigger's timezone; empty while paused."
    )
    last_run: ScheduleLastRun | None
    skipped_fires: int = Field(description="Fires skipped because the previous run had not ended.")
    last_skipped_at: datetime | None
    last_fire_at: datetime | None = Field(
        description="The latest fire time handled: a run made for it, or the fire skipped."
    )
    last_check: FlowapiCheck | None = Field(
        default=None, description="A data trigger's latest look at FlowAPI."
    )
    dates: DateCounts | None = Field(
        default=None, description="A data trigger's reference dates, counted by state."
    )
    created_at: datetime
    updated_at: datetime


class ScheduleList(BaseModel):
    schedules: list[Schedule]


class TriggerPreviewRequest(BaseModel):
    """Body of ``POST schedules/preview``."""

    model_config = ConfigDict(extra="forbid")

    trigger: TriggerSpec
    sample_date: IsoDate | None = Field(
        default=None,
        description="A data trigger's reference date to show date_ranges for; null: today.",
    )


class TriggerPreview(BaseModel):
    description: str
    next_fire_times: list[datetime]
    sample_date: date | None = Field(
        default=None, description="A data trigger's sample reference date."
    )
    date_ranges: list[list[date]] | None = Field(
        default=None, description="The date_ranges a run for sample_date gets."
    )


class SchedulePath(BaseModel):
    """Path arguments of ``schedules/{schedule_id}`` and the routes below it."""

    schedule_id: int = Field(ge=0, description="The schedule's id.")


class StartedRun(RootModel[Run | WorkflowRun]):
    """What a schedule's 'run now' started: a run of its notebook, or of its workflow."""
