"""The data contract: request and response shapes shared by the REST API and services.

This module is the single source of truth for field names on the wire; the
TypeScript client in ``src/api.ts`` mirrors it.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, computed_field

LOG_NAME = "run.log"
# The longest time limit a run may set: one year, far beyond any real run.
MAX_TIMEOUT_SECONDS = 365 * 24 * 3600


class RunStatus(str, Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class RunError(BaseModel):
    """Where and how a run failed.

    ``cell_index`` counts cells of the executed notebook (the one in ``output``),
    so a client can open that notebook at the failing cell. The other cell fields
    name the cell as the user sees it in their own notebook. All are null when the
    run failed before any cell ran.
    """

    model_config = ConfigDict(frozen=True)

    cell_index: int | None = Field(
        description="Index (from 0) of the failing cell in the executed notebook."
    )
    cell_number: int | None = Field(
        default=None,
        description=(
            "Position (from 1) of the failing cell in the source notebook, counting every "
            "cell as JupyterLab does; null for papermill's injected parameters cell, and "
            "in runs recorded before cell numbers were kept (cell_source is null too)."
        ),
    )
    execution_count: int | None = Field(
        default=None, description="The failing cell's execution count in the executed notebook."
    )
    cell_source: str | None = Field(
        default=None, description="The first line of the failing cell's source."
    )
    ename: str
    evalue: str

    @property
    def where(self) -> str:
        """The failing cell in the user's words: "cell 6", or "" outside any cell.

        Without a cell number, a cell with a source is papermill's injected
        parameters cell; one without was recorded before cell numbers were kept,
        and only its place in the executed notebook is known.
        """
        if self.cell_number is not None:
            return f"cell {self.cell_number}"
        if self.cell_index is None:
            return ""
        if self.cell_source is not None:
            return "the injected parameters cell"
        return f"cell {self.cell_index + 1} of the executed notebook"


class RunProgress(BaseModel):
    """How far a run has got; it keeps its last value once the run has finished."""

    model_config = ConfigDict(frozen=True)

    cells_done: int = Field(description="Code cells that have finished executing.")
    cells_total: int = Field(description="Code cells the run executes.")
    current_cell: int | None = Field(
        description="Index in the executed notebook of the cell executing now; null between cells."
    )


class TriggerKind(str, Enum):
    MANUAL = "manual"
    CLI = "cli"
    SCHEDULE = "schedule"


class RunTrigger(BaseModel):
    """What started a run: someone in Lab or the REST API, the command line, or a schedule."""

    model_config = ConfigDict(frozen=True)

    kind: TriggerKind
    schedule_id: int | None = Field(
        default=None, description="The schedule that started the run (kind 'schedule')."
    )
    schedule_name: str | None = Field(
        default=None, description="That schedule's name now; null once it is deleted."
    )
    scheduled_for: datetime | None = Field(
        default=None,
        description="The fire time the run is for; null for a schedule's 'run now'.",
    )


class Run(BaseModel):
    id: int
    notebook: str = Field(description="Notebook path relative to the server root.")
    parameters: dict[str, Any]
    kernel_name: str | None = Field(
        description="The kernel the run executes with; null in runs recorded before 0.1."
    )
    status: RunStatus
    timeout: float | None = Field(description="Wall-clock limit of the run in seconds; null: none.")
    cell_timeout: float | None = Field(description="Limit of each cell in seconds; null: none.")
    progress: RunProgress | None = Field(description="Null until the run starts executing.")
    trigger: RunTrigger
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    output: str | None = Field(description="Executed notebook path relative to the server root.")
    error: RunError | None

    @computed_field(description="The run's log (kernel output and engine messages).")  # type: ignore[prop-decorator]
    @property
    def log(self) -> str | None:
        return None if self.output is None else str(PurePosixPath(self.output).parent / LOG_NAME)


def _identifier_names(parameters: dict[str, Any]) -> dict[str, Any]:
    bad = [name for name in parameters if not name.isidentifier()]
    if bad:
        raise ValueError(
            f"parameter names must be Python identifiers, got {', '.join(map(repr, bad))}"
        )
    return parameters


Parameters = Annotated[dict[str, Any], AfterValidator(_identifier_names)]
Seconds = Annotated[float, Field(gt=0, le=MAX_TIMEOUT_SECONDS, allow_inf_nan=False)]


class RunCreate(BaseModel):
    """Body of ``POST runs``."""

    model_config = ConfigDict(extra="forbid")

    notebook: str = Field(min_length=1)
    parameters: Parameters = Field(default_factory=dict)
    kernel_name: str | None = Field(
        default=None, description="Overrides the kernel named in the notebook's metadata."
    )
    timeout: Seconds | None = Field(
        default=None, description="Wall-clock limit in seconds; overrides the server's."
    )
    cell_timeout: Seconds | None = Field(
        default=None,
        description="Per-cell limit in seconds (fractions allowed); overrides the server's.",
    )


class RunListQuery(BaseModel):
    """Query arguments of ``GET runs``.

    Unknown arguments are ignored: JupyterLab adds a cache-busting one to GETs.
    """

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(
        default=None, description="Opaque cursor from a previous page's next_cursor."
    )
    status: RunStatus | None = Field(default=None, description="Only runs with this status.")
    notebook: str | None = Field(
        default=None, description="Only runs of this notebook (path relative to the root)."
    )
    schedule: int | None = Field(
        default=None, ge=0, description="Only runs started by this schedule (its id)."
    )
    q: str | None = Field(
        default=None,
        max_length=256,
        description=(
            "Only runs whose notebook path, error name or error message contains this "
            "text (case-insensitive)."
        ),
    )


class RunPage(BaseModel):
    runs: list[Run]
    next_cursor: str | None = Field(
        description="Pass as ``cursor`` to fetch the next (older) page; null on the last page."
    )


class ParameterType(str, Enum):
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    STR = "str"
    LIST = "list"
    DICT = "dict"
    ANY = "any"


class ParameterInfo(BaseModel):
    name: str
    type: ParameterType
    default: str = Field(description="The default's source text in the parameters cell.")
    help: str = Field(description="The comment trailing the assignment, if any.")


class NotebookParameters(BaseModel):
    """Answer of ``GET notebooks/parameters``."""

    notebook: str
    has_parameters_cell: bool
    language: str | None = Field(
        description="The notebook's language from its metadata (language_info, else kernelspec).",
    )
    inference_available: bool = Field(
        description=(
            "Whether papermill can read the parameters cell of a notebook in this language "
            "(Python only). When false, ``parameters`` is empty and a run accepts any "
            "parameter, typed as given."
        ),
    )
    injection_available: bool = Field(
        description=(
            "Whether papermill can pass parameters to a notebook with this kernel or "
            "language; when false, the notebook takes no parameters."
        ),
    )
    parameters: list[ParameterInfo]


class NotebookQuery(BaseModel):
    """Query arguments naming a notebook; unknown ones are ignored (cache-busters)."""

    model_config = ConfigDict(extra="ignore")

    path: str = Field(min_length=1)


class VersionInfo(BaseModel):
    version: str


class RunPath(BaseModel):
    """Path arguments of ``runs/{run_id}`` and the routes below it."""

    run_id: int = Field(ge=0, description="The run's id.")


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
    CronTriggerSpec | IntervalTriggerSpec | OnceTriggerSpec, Field(discriminator="kind")
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
    notebook: str = Field(min_length=1, description="Notebook path relative to the server root.")
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
    id: int
    status: RunStatus
    scheduled_for: datetime | None


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
    created_at: datetime
    updated_at: datetime


class ScheduleList(BaseModel):
    schedules: list[Schedule]


class TriggerPreviewRequest(BaseModel):
    """Body of ``POST schedules/preview``."""

    model_config = ConfigDict(extra="forbid")

    trigger: TriggerSpec


class TriggerPreview(BaseModel):
    description: str
    next_fire_times: list[datetime]


class SchedulePath(BaseModel):
    """Path arguments of ``schedules/{schedule_id}`` and the routes below it."""

    schedule_id: int = Field(ge=0, description="The schedule's id.")


class ErrorName(str, Enum):
    """What went wrong with a request, one name per kind; several may share a status."""

    INVALID_INPUT = "InvalidInput"
    OUTSIDE_WORKSPACE = "OutsideWorkspace"
    FORBIDDEN = "Forbidden"
    NOT_FOUND = "NotFound"
    METHOD_NOT_ALLOWED = "MethodNotAllowed"
    CONFLICT = "Conflict"
    UNAVAILABLE = "Unavailable"
    INTERNAL_ERROR = "InternalError"


class ErrorBody(BaseModel):
    """Body of every 4xx and 5xx answer."""

    error: ErrorName
    message: str = Field(description="What went wrong, written for the person who asked.")
    field: str | None = Field(
        default=None, description="The request field at fault, when one is (e.g. 'notebook')."
    )
