"""The runs' data contract: runs, their errors and progress, notebook parameters,
and the error body every route shares."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from pathlib import PurePosixPath
from typing import Annotated, Any

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
    WORKFLOW = "workflow"


class RunTrigger(BaseModel):
    """What started a run: someone in Lab or the REST API, the command line, a schedule,
    or a workflow run (the run is one of its steps)."""

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
    reference_date: date | None = Field(
        default=None,
        description="The date of FlowAPI data a data-trigger schedule started the run for.",
    )
    workflow_run_id: int | None = Field(
        default=None, description="The workflow run this run is a step of (kind 'workflow')."
    )
    workflow_name: str | None = Field(
        default=None, description="That workflow run's name; null once it is deleted."
    )
    step_key: str | None = Field(default=None, description="That step's key.")
    attempt: int | None = Field(
        default=None, description="Which run of the step this is, from 1 (retries, resumes)."
    )


class ReportFormat(str, Enum):
    HTML = "html"
    PDF = "pdf"


class RunReport(BaseModel):
    """A report rendered from a run's executed notebook, beside it."""

    model_config = ConfigDict(frozen=True)

    format: ReportFormat
    path: str = Field(description="Path relative to the server root.")


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
    executed_on: str | None = Field(
        default=None,
        description=(
            "Where the run's kernel ran, in words: a local worker and its machine, or a "
            "Dask worker's address and machine; null until it starts."
        ),
    )
    error: RunError | None
    reports: list[RunReport] = Field(
        default_factory=list, description="Reports rendered from the executed notebook."
    )

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
