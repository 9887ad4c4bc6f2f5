"""The workflows' data contract: definitions as validated, workflow runs and their steps."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .runs import Parameters, Run, RunStatus, RunTrigger

# The longest workflow definition the API validates: far beyond any hand-written one.
MAX_DEFINITION_CHARACTERS = 1_000_000


class WorkflowIssue(BaseModel):
    """One problem with a definition, placed where a person editing it would look."""

    model_config = ConfigDict(frozen=True)

    message: str
    line: int | None = Field(default=None, description="Line in the file, from 1.")
    column: int | None = Field(default=None, description="Column in the line, from 1.")
    field: str | None = Field(
        default=None,
        description="Where in the document, as dotted keys and indexes: 'steps.1.parameters.day'.",
    )
    step: str | None = Field(default=None, description="The key of the step at fault, if any.")


class WorkflowParameterInfo(BaseModel):
    name: str
    required: bool = Field(description="True when a run must give it (it has no default).")
    default: Any = None
    description: str = ""


class WorkflowStepInfo(BaseModel):
    key: str
    notebook: str = Field(description="Notebook path relative to the server root.")
    depends_on: list[str] = Field(description="Steps that must succeed before this one starts.")


class WorkflowValidation(BaseModel):
    """A definition as the server reads it: valid, or every problem found."""

    workflow: str = Field(description="Path of the .autoflow.yaml file relative to the root.")
    name: str | None = Field(description="The workflow's name; null when it cannot be read.")
    valid: bool
    issues: list[WorkflowIssue]
    parameters: list[WorkflowParameterInfo]
    steps: list[WorkflowStepInfo] = Field(description="In an order that respects dependencies.")


class WorkflowList(BaseModel):
    workflows: list[WorkflowValidation]


class WorkflowValidateRequest(BaseModel):
    """Body of ``POST workflows/validate``: a saved file, or text not saved yet."""

    model_config = ConfigDict(extra="forbid")

    workflow: str = Field(
        min_length=1, description="Path of the .autoflow.yaml file; notebooks are relative to it."
    )
    text: str | None = Field(
        default=None,
        max_length=MAX_DEFINITION_CHARACTERS,
        description="The definition to check instead of the file's content (an unsaved edit).",
    )


class WorkflowRunCreate(BaseModel):
    """Body of ``POST workflow-runs``."""

    model_config = ConfigDict(extra="forbid")

    workflow: str = Field(min_length=1, description="Path of the .autoflow.yaml file.")
    parameters: Parameters = Field(
        default_factory=dict,
        description=(
            "Values of the workflow's parameters. 'reference_date' and 'date_ranges' also "
            "give the values steps read with {from: reference_date} and {from: date_ranges}."
        ),
    )


class StepStatus(str, Enum):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STEP_STATUSES


FINAL_STEP_STATUSES = frozenset(
    {StepStatus.SUCCEEDED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED}
)


class WorkflowStep(BaseModel):
    key: str
    notebook: str = Field(description="Notebook path relative to the server root.")
    status: StepStatus
    depends_on: list[str]
    attempts: int = Field(description="Runs made of this step so far (retries and resumes).")
    message: str | None = Field(
        default=None, description="Why the step is skipped, or when it is retried."
    )
    run: Run | None = Field(description="The step's latest run; null until it has one.")


class WorkflowRun(BaseModel):
    id: int
    workflow: str = Field(description="Path of the .autoflow.yaml file relative to the root.")
    name: str
    status: RunStatus
    parameters: dict[str, Any]
    reference_date: date | None = Field(
        description="The reference date its steps read with {from: reference_date}."
    )
    date_ranges: list[list[date]] | None = Field(
        description="The date ranges its steps read with {from: date_ranges}."
    )
    trigger: RunTrigger
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why the workflow run failed, in one line.")
    steps: list[WorkflowStep] = Field(description="In an order that respects dependencies.")


class WorkflowRunPage(BaseModel):
    """One page of workflow runs, newest first."""

    workflow_runs: list[WorkflowRun]
    next_cursor: str | None


class WorkflowRunListQuery(BaseModel):
    """Query arguments of ``GET workflow-runs``; unknown ones are ignored."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=200)
    cursor: str | None = None
    status: RunStatus | None = None
    workflow: str | None = Field(default=None, description="Only runs of this workflow file.")
    schedule: int | None = Field(default=None, ge=0)


class WorkflowRunPath(BaseModel):
    """Path arguments of ``workflow-runs/{workflow_run_id}`` and the routes below it."""

    workflow_run_id: int = Field(ge=0, description="The workflow run's id.")
