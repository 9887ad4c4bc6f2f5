"""What a schedule runs: a notebook (a run) or a workflow (a workflow run)."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Any

from ..errors import AutoflowError, InvalidInput
from ..models import Run, RunCreate, RunTrigger, ScheduleCreate, WorkflowRun, WorkflowRunCreate
from ..workflows import SUFFIX as WORKFLOW_SUFFIX
from .runs import RunService
from .workflows import WorkflowService

DATE_PARAMETERS = ("reference_date", "date_ranges")


class ScheduleTargets:
    """Starts, checks and records refusals of what schedules run."""

    def __init__(self, runs: RunService, workflows: WorkflowService) -> None:
        self._runs = runs
        self._workflows = workflows

    async def start(
        self, settings: ScheduleCreate, trigger: RunTrigger, dated: dict[str, Any] | None = None
    ) -> Run | WorkflowRun:
        """Start the target; ``dated`` are a data trigger's reference_date and date_ranges."""
        if targets_workflow(settings):
            return await self._workflows.start(_workflow_request(settings, dated), trigger)
        return await self._runs.submit(await self._dated_run_request(settings, dated), trigger)

    async def record_refusal(
        self,
        settings: ScheduleCreate,
        trigger: RunTrigger,
        refusal: AutoflowError,
        dated: dict[str, Any] | None = None,
    ) -> Run | WorkflowRun:
        """The failed run (or workflow run) saying why the target could not start."""
        if targets_workflow(settings):
            request = _workflow_request(settings, dated)
            return await self._workflows.record_refusal(request, trigger, refusal)
        run_request = _run_request(settings, dated)
        return await self._runs.record_refusal(run_request, trigger, refusal)

    async def check(self, request: ScheduleCreate, dated: bool) -> tuple[str, dict[str, Any], str]:
        """The target's normalised path, checked parameters and default name, or the
        refusal a start would get. A ``dated`` target must take a reference date."""
        if targets_workflow(request):
            _refuse_run_settings(request)
            # A sample date; the workflow gives its steps that day alone as date_ranges.
            sample = {"reference_date": date.today().isoformat()} if dated else None
            workflow = await self._workflows.check(_workflow_request(request, sample))
            name = PurePosixPath(workflow.workflow).name.removesuffix(WORKFLOW_SUFFIX)
            return workflow.workflow, request.parameters, name
        checked = await self._runs.check(_run_request(request, None))
        if dated:
            declared = await self._date_parameters(checked.notebook)
            if not declared:
                raise InvalidInput(
                    f"{checked.notebook} declares neither reference_date nor date_ranges in its "
                    "parameters cell, so its runs could not tell which date of data they are "
                    "for: add one.",
                    field="notebook",
                )
        return checked.notebook, checked.parameters, PurePosixPath(checked.notebook).stem

    async def _dated_run_request(
        self, settings: ScheduleCreate, dated: dict[str, Any] | None
    ) -> RunCreate:
        if dated is not None:  # only what the notebook declares, as papermill would refuse no name
            declared = await self._date_parameters(settings.notebook)
            dated = {name: value for name, value in dated.items() if name in declared}
        return _run_request(settings, dated)

    async def _date_parameters(self, notebook: str) -> set[str]:
        """Which of reference_date and date_ranges the notebook takes (both when unknown)."""
        found = await self._runs.notebook_parameters(notebook)
        if not found.inference_available:
            return set(DATE_PARAMETERS)
        return {p.name for p in found.parameters if p.name in DATE_PARAMETERS}


def targets_workflow(settings: ScheduleCreate) -> bool:
    return settings.notebook.endswith(WORKFLOW_SUFFIX)


def _workflow_request(settings: ScheduleCreate, dated: dict[str, Any] | None) -> WorkflowRunCreate:
    return WorkflowRunCreate(
        workflow=settings.notebook, parameters={**settings.parameters, **(dated or {})}
    )


def _run_request(settings: ScheduleCreate, dated: dict[str, Any] | None) -> RunCreate:
    return RunCreate(
        notebook=settings.notebook,
        parameters={**settings.parameters, **(dated or {})},
        kernel_name=settings.kernel_name,
        timeout=settings.timeout,
        cell_timeout=settings.cell_timeout,
    )


def _refuse_run_settings(settings: ScheduleCreate) -> None:
    """A workflow's steps set their own kernel and limits, in its file."""
    for field in ("kernel_name", "timeout", "cell_timeout"):
        if getattr(settings, field) is not None:
            raise InvalidInput(
                f"A schedule of a workflow takes no {field}: each step sets its own in the "
                "workflow file.",
                field=field,
            )
