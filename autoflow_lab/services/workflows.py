"""Workflows: validating definitions against the workspace, and running them as a
graph of runs.

The engine is a reconciler: ``_advance`` reads a workflow run's steps from the
database and makes the next changes (start a step whose dependencies succeeded,
skip one whose dependency failed, record a finished step, finish the workflow
run). It runs whenever a step's run finishes and at every heartbeat, so whatever
happened while no one watched (a restart, another server's work) is caught up.
Each change is conditional on the step being as it was read, and each step run is
unique per (workflow run, step, attempt), so servers sharing a database never
start a step twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import posixpath
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Any

import nbformat

from ..errors import AlreadyFired, AutoflowError, Conflict, InvalidInput, NotFound, Unavailable
from ..models import (
    NotebookParameters,
    Run,
    RunCreate,
    RunReport,
    RunStatus,
    RunTrigger,
    TriggerKind,
    WorkflowIssue,
    WorkflowList,
    WorkflowParameterInfo,
    WorkflowRun,
    WorkflowRunCreate,
    WorkflowRunListQuery,
    WorkflowRunPage,
    WorkflowStepInfo,
    WorkflowValidation,
)
from ..reports import ReportError, ReportFormat, ReportSettings, render_reports
from ..store.runs import MANUAL
from ..store.workflows import StepState, StoredStep, StoredWorkflowRun, WorkflowRunStore
from ..workflows import (
    BUILTIN_SOURCES,
    ParsedWorkflow,
    Reference,
    StepDefinition,
    WorkflowDefinition,
    parse,
)
from .ownership import utcnow
from .parameters import declared_parameters, validate_parameters
from .retries import until_available
from .runs import RunService
from .workspace import Workspace

log = logging.getLogger(__name__)

# The most workflow files ``GET workflows`` reads from the workspace.
MAX_LISTED_WORKFLOWS = 500
# Step states a dependency may end in that stop the steps after it.
STOPPING = {StepState.FAILED: "failed", StepState.SKIPPED: "was skipped"}


class WorkflowService:
    def __init__(
        self,
        store: WorkflowRunStore,
        runs: RunService,
        workspace: Workspace,
        reports: ReportSettings,
        flowapi_url: str = "",
        heartbeat_interval: float = 10.0,
    ) -> None:
        self._store = store
        self._runs = runs
        self._workspace = workspace
        self._reports = reports
        self._flowapi_url = flowapi_url
        self._heartbeat_interval = heartbeat_interval
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticking: asyncio.Task[None] | None = None
        self._closing = False
        runs.on_finished(self._on_run_finished)

    # Definitions

    async def validate(self, path: str, text: str | None = None) -> WorkflowValidation:
        """A definition checked against the workspace: saved, or ``text`` not saved yet."""
        return await asyncio.to_thread(self._validate, path, text)

    async def workflows(self) -> WorkflowList:
        def read_all() -> WorkflowList:
            paths = self._workspace.workflows(MAX_LISTED_WORKFLOWS)
            return WorkflowList(workflows=[self._validate(path, None) for path in paths])

        return await asyncio.to_thread(read_all)

    def _validate(self, path: str, text: str | None) -> WorkflowValidation:
        return self._read(path, text)[0]

    def _read(
        self, path: str, text: str | None
    ) -> tuple[WorkflowValidation, WorkflowDefinition | None, dict[str, Any]]:
        """The validation, the definition with root-relative notebooks when valid, and
        the stored form of that definition."""
        relative, saved = self._workspace.open_workflow(path)
        parsed = parse(saved if text is None else text)
        definition = parsed.definition
        issues = list(parsed.issues)
        data: dict[str, Any] = {}
        if definition is not None:
            definition, data, found = self._check_steps(relative, parsed, definition)
            issues.extend(found)
        valid = definition is not None and not issues
        validation = WorkflowValidation(
            workflow=relative,
            name=_name_of(parsed),
            valid=valid,
            issues=issues,
            parameters=[
                WorkflowParameterInfo(
                    name=parameter.name,
                    required=parameter.required,
                    default=parameter.default,
                    description=parameter.description,
                )
                for parameter in (definition.parameters if definition else ())
            ],
            steps=[
                WorkflowStepInfo(
                    key=step.key, notebook=step.notebook, depends_on=list(step.depends_on)
                )
                for step in (definition.steps if definition else ())
            ],
        )
        return validation, definition if valid else None, data

    def _check_steps(
        self, workflow: str, parsed: ParsedWorkflow, definition: WorkflowDefinition
    ) -> tuple[WorkflowDefinition, dict[str, Any], list[WorkflowIssue]]:
        """Each step's notebook, kernel and literal parameters checked as a run would
        check them; notebooks made relative to the root."""
        data = json.loads(json.dumps(parsed.data))
        index = {step["key"]: position for position, step in enumerate(data["steps"])}
        folder = posixpath.dirname(workflow)
        issues = []
        steps = []
        for step in definition.steps:
            at = ("steps", index[step.key])
            try:
                # Normalised, so '../x.ipynb' from a workflow in a folder stays inside the
                # root; a path still leaving it keeps its '..' and is refused.
                path = posixpath.normpath(posixpath.join(folder, step.notebook))
                notebook = self._workspace.open_notebook(path)
            except AutoflowError as refusal:
                issues.append(parsed.issue(refusal.message, (*at, "notebook"), step.key))
                steps.append(step)
                continue
            data["steps"][index[step.key]]["notebook"] = notebook.path
            steps.append(_with_notebook(step, notebook.path))
            declared = declared_parameters(notebook)
            literals = {
                name: value
                for name, value in step.parameters.items()
                if not isinstance(value, Reference)
            }
            try:
                validate_parameters(literals, declared)
                # A reference's value comes at run time: only its name is checked now.
                _check_names([name for name in step.parameters if name not in literals], declared)
            except AutoflowError as refusal:
                name = (refusal.field or "").removeprefix("parameters.").split(".")[0]
                where = (*at, "parameters", name) if name in step.parameters else (*at,)
                issues.append(parsed.issue(refusal.message, where, step.key))
        checked = WorkflowDefinition(definition.name, definition.parameters, tuple(steps))
        return checked, data, issues

    # Workflow runs

    async def start(self, request: WorkflowRunCreate, trigger: RunTrigger = MANUAL) -> WorkflowRun:
        """Start a run of a valid workflow; its steps start as their dependencies succeed.

        ``AlreadyFired`` when the trigger is a schedule fire that has its run already.
        """
        owner_id = await self._runs.owner_id()
        validation, definition, data = await asyncio.to_thread(self._read, request.workflow, None)
        if definition is None:
            raise InvalidInput(_refusal(validation), field="workflow")
        parameters, context = self._arguments(definition, request.parameters)
        create = partial(
            self._store.create,
            validation.workflow,
            data,
            parameters,
            context,
            utcnow(),
            trigger,
            owner_id,
        )
        stored = await asyncio.to_thread(create)
        self._spawn(self._advance(stored.id))
        return stored.wire

    async def check(self, request: WorkflowRunCreate) -> WorkflowRunCreate:
        """``request`` with the workflow's normalised path, or the refusal a start would get;
        for requests kept to run later (schedules)."""
        validation, definition, _ = await asyncio.to_thread(self._read, request.workflow, None)
        if definition is None:
            raise InvalidInput(_refusal(validation), field="notebook")
        self._arguments(definition, request.parameters)
        return request.model_copy(update={"workflow": validation.workflow})

    async def record_refusal(
        self, request: WorkflowRunCreate, trigger: RunTrigger, refusal: AutoflowError
    ) -> WorkflowRun:
        """Record a schedule fire whose workflow cannot start as a failed workflow run."""
        owner_id = await self._runs.owner_id()
        name = posixpath.basename(request.workflow).removesuffix(".autoflow.yaml") or "workflow"
        data = {"name": name, "steps": []}
        create = partial(
            self._store.create,
            request.workflow,
            data,
            request.parameters,
            {},
            utcnow(),
            trigger,
            owner_id,
            refusal=refusal.message,
        )
        return (await asyncio.to_thread(create)).wire

    async def get(self, workflow_run_id: int) -> WorkflowRun:
        return (await asyncio.to_thread(self._store.get, workflow_run_id)).wire

    async def page(self, query: WorkflowRunListQuery) -> WorkflowRunPage:
        page = partial(
            self._store.page,
            query.limit,
            query.cursor,
            query.status,
            query.workflow,
            query.schedule,
        )
        return await asyncio.to_thread(page)

    async def cancel(self, workflow_run_id: int) -> WorkflowRun:
        """Cancel the steps still to run and stop those running."""
        if not await asyncio.to_thread(self._store.request_cancel, workflow_run_id):
            run = await self.get(workflow_run_id)
            raise Conflict(
                f"Workflow run {workflow_run_id} has already finished: it {run.status.value}."
            )
        await self._advance(workflow_run_id)
        return await self.get(workflow_run_id)

    async def resume(self, workflow_run_id: int) -> WorkflowRun:
        """Run again the steps that failed, were skipped or cancelled, or are stale (their
        notebook or values changed since they succeeded), and the steps after them, under
        the definition as it is now. Succeeded steps' executed notebooks are reused."""
        stored = await asyncio.to_thread(self._store.get, workflow_run_id)
        if not stored.wire.status.is_final:
            raise Conflict(
                f"Workflow run {workflow_run_id} is {stored.wire.status.value}; "
                "it can be resumed once it has finished."
            )
        validation, definition, data = await asyncio.to_thread(
            self._read, stored.wire.workflow, None
        )
        if definition is None:
            raise InvalidInput(_refusal(validation), field="workflow")
        rerun = await asyncio.to_thread(self._steps_to_rerun, stored, definition)
        if not rerun:
            raise Conflict(
                f"Workflow run {workflow_run_id} has nothing to re-run: every step succeeded "
                "and none changed since."
            )
        me = await self._runs.owner_id()
        resume = partial(self._store.resume, workflow_run_id, data, rerun, me)
        if not await asyncio.to_thread(resume):
            raise Conflict(f"Workflow run {workflow_run_id} is being resumed already.")
        self._spawn(self._advance(workflow_run_id))
        return await self.get(workflow_run_id)

    async def delete(self, workflow_run_id: int) -> None:
        """Remove a finished workflow run with its steps' runs and their files."""
        run = await self.get(workflow_run_id)
        if not run.status.is_final:
            raise Conflict(
                f"Workflow run {workflow_run_id} is {run.status.value}; it can be deleted once "
                "it has finished."
            )
        for run_id in await asyncio.to_thread(self._store.step_run_ids, workflow_run_id):
            with contextlib.suppress(NotFound):
                await self._runs.delete(run_id)
        await asyncio.to_thread(self._store.delete, workflow_run_id)

    def _steps_to_rerun(
        self, stored: StoredWorkflowRun, definition: WorkflowDefinition
    ) -> set[str]:
        """Steps not succeeded, new, or stale; and every step after one of them."""
        rerun = set()
        for step in definition.steps:
            known = stored.steps.get(step.key)
            if (
                known is None
                or known.state is not StepState.SUCCEEDED
                or known.notebook != step.notebook
                or known.source_hash != self._source_hash(step.notebook)
                or _literal_values(step, stored) != _literal_values(step, stored, known)
            ):
                rerun.add(step.key)
        return definition.downstream(rerun)

    def _source_hash(self, notebook: str) -> str | None:
        """A hash of the notebook's cells (type and source): what it computes, not its
        outputs or metadata, so saving it again does not make it stale."""
        try:
            content = nbformat.read(self._workspace.resolve(notebook), as_version=4)
        except Exception:
            return None
        cells = [(cell.cell_type, cell.source) for cell in content.cells]
        return hashlib.sha256(json.dumps(cells).encode()).hexdigest()

    def _arguments(
        self, definition: WorkflowDefinition, given: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The workflow's parameter values (given, else defaults) and the run's context
        (reference date, date ranges, FlowAPI URL), each checked."""
        declared = {parameter.name: parameter for parameter in definition.parameters}
        unknown = sorted(set(given) - set(declared) - {"reference_date", "date_ranges"})
        if unknown:
            raise InvalidInput(
                f"The workflow {definition.name!r} has no parameter {unknown[0]!r} "
                f"(it declares {', '.join(map(repr, declared)) or 'none'}).",
                field=f"parameters.{unknown[0]}",
            )
        missing = [name for name, p in declared.items() if p.required and name not in given]
        if missing:
            raise InvalidInput(
                f"The workflow {definition.name!r} needs a value for {missing[0]!r}.",
                field=f"parameters.{missing[0]}",
            )
        parameters = {name: given.get(name, p.default) for name, p in declared.items()}
        context: dict[str, Any] = {}
        if "reference_date" in given:
            context["reference_date"] = _iso_date(given["reference_date"], "reference_date")
            context["date_ranges"] = [
                [context["reference_date"], _next_day(context["reference_date"])]
            ]
        if "date_ranges" in given:
            context["date_ranges"] = _date_ranges(given["date_ranges"])
        if self._flowapi_url:
            context["flowapi_url"] = self._flowapi_url
        for step in definition.steps:
            for value in step.parameters.values():
                if (
                    isinstance(value, Reference)
                    and value.source in BUILTIN_SOURCES
                    and value.source not in context
                ):
                    raise InvalidInput(_builtin_missing(step.key, value.source), field="parameters")
        return parameters, context

    # The engine

    async def start_engine(self) -> None:
        """Call once the event loop runs: carry on with unfinished workflow runs now and at
        every heartbeat, taking over those of gone servers."""
        await until_available("carry on with workflow runs", self._tick)
        if not self._closing:
            self._ticking = asyncio.create_task(self._tick_forever(), name="autoflow-workflows")

    async def close(self) -> None:
        self._closing = True
        tasks = [*self._tasks, *([self._ticking] if self._ticking else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            try:
                await self._tick()
            except Exception:
                log.exception("Workflow runs not advanced; retrying at the next heartbeat")

    async def _tick(self) -> None:
        me = await self._runs.owner_id()
        live = await self._runs.live_instances()
        for workflow_run_id, owner in await asyncio.to_thread(self._store.unfinished):
            if owner != me and owner in live:
                continue
            if owner != me:
                adopt = partial(self._store.adopt, workflow_run_id, owner, me)
                if not await asyncio.to_thread(adopt):
                    continue
                log.warning("Workflow run %s taken over: its server is gone", workflow_run_id)
            await self._advance(workflow_run_id)

    def _on_run_finished(self, run: Run) -> None:
        if run.trigger.workflow_run_id is not None and not self._closing:
            self._spawn(self._advance(run.trigger.workflow_run_id))

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)

    async def _advance(self, workflow_run_id: int) -> None:
        """Make every change the workflow run's state calls for, until none is left."""
        async with self._locks[workflow_run_id]:
            me = await self._runs.owner_id()
            while True:
                stored = await asyncio.to_thread(self._store.get, workflow_run_id)
                if stored.wire.status.is_final or stored.owner_id != me:
                    return
                if not await self._next_change(stored):
                    break
            if all(step.state.is_final for step in stored.steps.values()):
                await self._finish(stored, me)

    async def _next_change(self, stored: StoredWorkflowRun) -> bool:
        """Make the first change due, in dependency order; False when none is."""
        for step in stored.definition.steps:
            state = stored.steps[step.key]
            if state.state is StepState.ACTIVE and await self._follow(stored, step, state):
                return True
            if state.state is StepState.PENDING and await self._start_or_stop(stored, step, state):
                return True
        return False

    async def _follow(
        self, stored: StoredWorkflowRun, step: StepDefinition, state: StoredStep
    ) -> bool:
        """An active step: its run made if a crash came between, stopped if the workflow
        is being cancelled, recorded once it finished."""
        if state.run_id is None:
            return await self._launch(stored, step, state, state.attempts)
        if state.run_status is None or not state.run_status.is_final:
            if stored.cancel_requested:
                # Conflict: finished meanwhile. Executing elsewhere, it is stopped there.
                with contextlib.suppress(Conflict):
                    await self._runs.cancel(state.run_id)
            return False
        run = next(shown.run for shown in stored.wire.steps if shown.key == step.key)
        assert run is not None  # the step's run_id names it
        values: dict[str, Any] = {"retry_at": None}
        report_failure = await self._render_reports(step, run)
        if run.status is RunStatus.SUCCEEDED and report_failure is None:
            values["status"] = StepState.SUCCEEDED
            values["message"] = None
        elif run.status is RunStatus.CANCELLED or stored.cancel_requested:
            values["status"] = StepState.CANCELLED
            values["message"] = None
        elif state.attempts <= step.retries.count and report_failure is None:
            delay = step.retries.delay(state.attempts)
            values["status"] = StepState.PENDING
            values["retry_at"] = (run.finished_at or utcnow()) + timedelta(seconds=delay)
            values["message"] = (
                f"Run {state.attempts} failed; retry {state.attempts} of {step.retries.count} "
                f"after {delay:g} s."
            )
        else:
            values["status"] = StepState.FAILED
            values["message"] = report_failure or _failure(step.key, run)
        change = partial(
            self._store.update_step, stored.id, step.key, state.state, state.attempts, **values
        )
        return await asyncio.to_thread(change)

    async def _start_or_stop(
        self, stored: StoredWorkflowRun, step: StepDefinition, state: StoredStep
    ) -> bool:
        """A pending step: cancelled, skipped after a failed dependency, started once all
        its dependencies succeeded (and its retry's wait is over), or left waiting."""
        upstream = {key: stored.steps[key].state for key in step.depends_on}
        stopper = next((key for key, s in upstream.items() if s in STOPPING), None)
        values: dict[str, Any] | None = None
        if stored.cancel_requested or any(s is StepState.CANCELLED for s in upstream.values()):
            values = {"status": StepState.CANCELLED, "message": None, "retry_at": None}
        elif stopper is not None:
            why = f"Skipped: step {stopper!r} {STOPPING[upstream[stopper]]}."
            values = {"status": StepState.SKIPPED, "message": why, "retry_at": None}
        if values is not None:
            change = partial(
                self._store.update_step, stored.id, step.key, state.state, state.attempts, **values
            )
            return await asyncio.to_thread(change)
        if any(s is not StepState.SUCCEEDED for s in upstream.values()):
            return False
        wait = (state.retry_at - utcnow()).total_seconds() if state.retry_at else 0
        if wait > 0:
            asyncio.get_running_loop().call_later(wait, self._advance_later, stored.id)
            return False
        return await self._launch(stored, step, state, state.attempts + 1)

    def _advance_later(self, workflow_run_id: int) -> None:
        if not self._closing:
            self._spawn(self._advance(workflow_run_id))

    async def _launch(
        self, stored: StoredWorkflowRun, step: StepDefinition, state: StoredStep, attempt: int
    ) -> bool:
        """Claim the step for run ``attempt``, then make that run (once, whoever tries)."""
        parameters = self._step_values(stored, step)
        source_hash = await asyncio.to_thread(self._source_hash, step.notebook)
        claim = partial(
            self._store.update_step,
            stored.id,
            step.key,
            state.state,
            state.attempts,
            status=StepState.ACTIVE,
            attempts=attempt,
            retry_at=None,
            message=None,
            source_hash=source_hash,
            run_parameters=parameters,
        )
        if not await asyncio.to_thread(claim):
            return False
        request = RunCreate(
            notebook=step.notebook,
            parameters=parameters,
            kernel_name=step.kernel,
            timeout=step.timeout,
            cell_timeout=step.cell_timeout,
        )
        trigger = RunTrigger(
            kind=TriggerKind.WORKFLOW,
            workflow_run_id=stored.id,
            step_key=step.key,
            attempt=attempt,
        )
        try:
            try:
                run = await self._runs.submit(request, trigger)
            except (AlreadyFired, Unavailable):
                raise  # the database's word, not the step's: the next advance tries again
            except AutoflowError as refusal:
                run = await self._runs.record_refusal(request, trigger, refusal)
        except AlreadyFired:
            return True  # another server made it; it records the run's id
        link = partial(
            self._store.update_step,
            stored.id,
            step.key,
            StepState.ACTIVE,
            attempt,
            run_id=run.id,
        )
        await asyncio.to_thread(link)
        return True

    def _step_values(self, stored: StoredWorkflowRun, step: StepDefinition) -> dict[str, Any]:
        """The step's parameters with every reference replaced by its value now."""
        values = {}
        for name, value in step.parameters.items():
            if not isinstance(value, Reference):
                values[name] = value
            elif value.parameter is not None:
                values[name] = stored.wire.parameters.get(value.parameter)
            elif value.step is not None:
                values[name] = self._executed_path(stored, value.step)
            else:
                values[name] = stored.context.get(value.source)
        return values

    def _executed_path(self, stored: StoredWorkflowRun, key: str) -> str:
        """The absolute path of an upstream step's executed notebook, which scrapbook reads."""
        upstream = next(step for step in stored.wire.steps if step.key == key)
        output = upstream.run.output if upstream.run is not None else None
        return str(self._workspace.root / output) if output else ""

    async def _render_reports(self, step: StepDefinition, run: Run) -> str | None:
        """Render the step's reports from its executed notebook, once; why not, if they
        could not be."""
        if step.report is None or run.reports or not run.output:
            return None
        executed = self._workspace.root / run.output
        if not executed.exists():
            return None
        formats = [ReportFormat(kind) for kind in step.report.formats]
        render = partial(
            render_reports,
            executed,
            formats,
            self._reports,
            template=step.report.template,
            source_folder=(self._workspace.root / step.notebook).parent,
        )
        try:
            written = await asyncio.to_thread(render)
        except ReportError as error:
            log.warning("Reports of run %s not rendered: %s", run.id, error)
            return f"The report of step {step.key!r} could not be rendered: {error}"
        except Exception as error:  # a crash of nbconvert or the browser fails the step alone
            log.exception("Reports of run %s not rendered", run.id)
            return f"The report of step {step.key!r} could not be rendered: {error!r}"
        reports = [
            RunReport(format=kind, path=self._workspace.relative(path))
            for kind, path in zip(formats, written, strict=True)
        ]
        await self._runs.set_reports(run.id, reports)
        return None

    async def _finish(self, stored: StoredWorkflowRun, me: int) -> None:
        states = [stored.steps[step.key].state for step in stored.definition.steps]
        error = None
        if stored.cancel_requested or StepState.CANCELLED in states:
            status = RunStatus.CANCELLED
        elif all(state is StepState.SUCCEEDED for state in states):
            status = RunStatus.SUCCEEDED
        else:
            status = RunStatus.FAILED
            failed = [step for step in stored.wire.steps if step.status.value == "failed"]
            skipped = sum(state is StepState.SKIPPED for state in states)
            error = "; ".join(step.message or f"Step {step.key!r} failed." for step in failed)
            if skipped:
                # "; ": a step's message ends with its error's text, which this must not
                # read as part of.
                error += f"; {skipped} step{'s' if skipped > 1 else ''} after it skipped."
        finish = partial(self._store.finish, stored.id, status, utcnow(), error, me)
        await asyncio.to_thread(finish)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("A workflow run could not be advanced", exc_info=task.exception())


def _with_notebook(step: StepDefinition, notebook: str) -> StepDefinition:
    return replace(step, notebook=notebook)


def _check_names(names: list[str], declared: NotebookParameters) -> None:
    """Refuse parameter names the notebook does not declare, as a run would."""
    if names and (not declared.has_parameters_cell or not declared.injection_available):
        validate_parameters(dict.fromkeys(names), declared)  # refused as a run would be
    known = {parameter.name for parameter in declared.parameters}
    unknown = [name for name in names if name not in known] if declared.inference_available else []
    if unknown:
        raise InvalidInput(
            f"{declared.notebook!r} declares no parameter {unknown[0]!r} "
            f"(it declares {', '.join(map(repr, sorted(known))) or 'none'}).",
            field=f"parameters.{unknown[0]}",
        )


def _name_of(parsed: ParsedWorkflow) -> str | None:
    if parsed.definition is not None:
        return parsed.definition.name
    name = parsed.data.get("name") if isinstance(parsed.data, dict) else None
    return name if isinstance(name, str) else None


def _refusal(validation: WorkflowValidation) -> str:
    """A definition's problems as one message for a refused start."""
    shown = [
        f"line {issue.line}: {issue.message}" if issue.line else issue.message
        for issue in validation.issues[:3]
    ]
    more = len(validation.issues) - len(shown)
    tail = f" (and {more} more)" if more > 0 else ""
    return f"{validation.workflow} is not a valid workflow: {'; '.join(shown)}{tail}"


def _failure(key: str, run: Run) -> str:
    """ "Step 'calls' failed in cell 4: KeyError: 'day'."""
    error = run.error
    if error is None:
        return f"Step {key!r} failed."
    where = f" in {error.where}" if error.where else ""
    return f"Step {key!r} failed{where}: {error.ename}: {error.evalue}".rstrip(": ")


def _literal_values(
    step: StepDefinition, stored: StoredWorkflowRun, known: StoredStep | None = None
) -> dict[str, Any]:
    """The values a step is given that do not come from another step: now (from the
    definition and the run's parameters), or as its last run had them (``known``)."""
    names = [
        name
        for name, value in step.parameters.items()
        if not (isinstance(value, Reference) and value.step is not None)
    ]
    if known is not None:
        given = known.run_parameters or {}
        return {name: given.get(name) for name in names}
    values = {}
    for name in names:
        value = step.parameters[name]
        if not isinstance(value, Reference):
            values[name] = value
        elif value.parameter is not None:
            values[name] = stored.wire.parameters.get(value.parameter)
        else:
            values[name] = stored.context.get(value.source)
    return values


def _iso_date(value: Any, name: str) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date like 2016-01-07, got {value!r}.", field=f"parameters.{name}"
        ) from None


def _next_day(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def _date_ranges(value: Any) -> list[list[str]]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in value
    ):
        raise InvalidInput(
            "date_ranges must be a list of [start, end] date pairs.", field="parameters.date_ranges"
        )
    return [
        [_iso_date(start, "date_ranges"), _iso_date(end, "date_ranges")] for start, end in value
    ]


def _builtin_missing(step: str, source: str) -> str:
    if source == "flowapi_url":
        return (
            f"Step {step!r} reads flowapi_url, which this server does not have: set "
            "AutoflowApp.flowapi_url."
        )
    return (
        f"Step {step!r} reads {source}: give reference_date as a parameter (for example "
        "2016-01-07), or start the workflow from a trigger that gives it."
    )
