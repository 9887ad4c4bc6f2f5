"""The data trigger's contract: run when FlowAPI has new data, once per reference date."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

# A stencil element: a date, a day offset, or a [start, end) pair of them (FlowKit's).
StencilBound = StrictInt | StrictStr
StencilElement = StencilBound | list[StencilBound]
MAX_DATE_ATTEMPTS = 100


def _written_date(value: object) -> object:
    """Dates come as YYYY-MM-DD: a number is not taken for days since 1970."""
    if isinstance(value, date | str):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


# A calendar date, written YYYY-MM-DD.
IsoDate = Annotated[date, BeforeValidator(_written_date)]


class EventType(str, Enum):
    """FlowAPI's event types, whose available dates the trigger watches."""

    CALLS = "calls"
    SMS = "sms"
    MDS = "mds"
    TOPUPS = "topups"


class NewDataTriggerSpec(BaseModel):
    """Checks FlowAPI's available dates on a cron, and runs once for each new reference date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["new_data"]
    expression: str = Field(
        default="0 * * * *",
        max_length=256,
        description="When to check FlowAPI: a five-field cron expression.",
    )
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA timezone of the cron, and of 'today' for lookback_days.",
    )
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=4)] = Field(
        description="A date is available when any of these event types has it (their union)."
    )
    earliest_date: IsoDate | None = Field(default=None, description="No runs for earlier dates.")
    stencil: Annotated[list[StencilElement], Field(min_length=1, max_length=100)] = Field(
        default_factory=lambda: list[StencilElement]([0]),
        description=(
            "The days a run needs, all of which must be available: dates, day offsets from "
            "the reference date, and [start, end) pairs of them; it gives the date_ranges "
            "parameter. [0] is the reference date alone."
        ),
    )
    lookback_days: int | None = Field(
        default=None,
        ge=1,
        le=36_600,
        description="Only reference dates within this many days before today; null: all.",
    )
    max_runs_per_check: int = Field(
        default=10, ge=1, le=1000, description="Runs a check starts at most, oldest dates first."
    )
    max_attempts: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DATE_ATTEMPTS,
        description="Runs of a date before it is given up; null: the server's default.",
    )


class CheckStatus(str, Enum):
    """How the latest look at FlowAPI went."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    DENIED = "denied"
    ERROR = "error"


class FlowapiCheck(BaseModel):
    at: datetime
    status: CheckStatus
    message: str = Field(description="What happened, in words; the next check tries again.")


class DateState(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    GIVEN_UP = "given_up"


class ScheduleDate(BaseModel):
    """One reference date of a data-trigger schedule, for its current parameters."""

    reference_date: date
    state: DateState
    available: bool = Field(
        description="Whether FlowAPI reported the date, its stencil complete, at the last check."
    )
    attempts: int = Field(description="Runs made for the date since it was last (re-)armed.")
    max_attempts: int
    run_id: int | None = Field(description="The latest run, when the schedule runs a notebook.")
    workflow_run_id: int | None = Field(description="The latest workflow run, for a workflow.")
    message: str | None = Field(description="Why the latest run failed.")
    first_seen_at: datetime
    updated_at: datetime


class ScheduleDateList(BaseModel):
    dates: list[ScheduleDate] = Field(description="Newest reference date first.")


class DateCounts(BaseModel):
    pending: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    given_up: int = 0


class DataCheckResult(BaseModel):
    """What ``POST schedules/<id>/check`` did."""

    check: FlowapiCheck
    started: list[date] = Field(description="Reference dates whose runs this check started.")


class ScheduleDatePath(BaseModel):
    """Path arguments of ``schedules/{schedule_id}/dates/{reference_date}/retry``."""

    schedule_id: int = Field(ge=0)
    reference_date: date
