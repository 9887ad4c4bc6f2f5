"""``autoflow run WORKFLOW.autoflow.yaml``: run a workflow headless, step by step."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..config import CommandSettings, build_workflow_service, database_url, new_database_file
from ..models import RunStatus, RunTrigger, TriggerKind, WorkflowRun, WorkflowRunCreate
from ..services import WorkflowService
from .common import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_SUCCEEDED,
    Refused,
    inside_root,
    open_runs,
    papermill_value,
    print_table,
    read_param_file,
    refusal,
    workspace_of,
)

POLL_SECONDS = 0.2
# Options of a notebook run that a workflow sets per step, in its file.
PER_STEP_OPTIONS = {"kernel": "--kernel", "timeout": "--timeout", "cell_timeout": "--cell-timeout"}


def is_workflow(path: Path) -> bool:
    return path.name.endswith(".autoflow.yaml")


async def run_workflow(
    options: argparse.Namespace, settings: CommandSettings, kernel_secrets: dict[str, str]
) -> int:
    """Start the workflow, print each step as it changes, then the outcome; the exit status."""
    given = [flag for name, flag in PER_STEP_OPTIONS.items() if getattr(options, name) is not None]
    if given:
        raise Refused(
            f"{', '.join(given)} cannot be given for a workflow: each step sets its own "
            "kernel, timeout and cell_timeout in the workflow file."
        )
    workspace = workspace_of(options, settings)
    path = inside_root(options.notebook, options.root)
    request = _request(options, path)
    new_history = new_database_file(database_url(settings, workspace))
    runs = open_runs(settings, workspace, kernel_secrets)
    workflows = build_workflow_service(settings, runs, workspace)
    if new_history is not None:
        print(f"autoflow: warning: starting a new run history in {new_history}", file=sys.stderr)
    try:
        await runs.start()
        run = await workflows.start(request, trigger=RunTrigger(kind=TriggerKind.CLI))
        return await follow_and_report_workflow(workflows, run, options.root)
    finally:
        await workflows.close()
        await runs.close()


async def follow_and_report_workflow(
    workflows: WorkflowService, run: WorkflowRun, root: Path
) -> int:
    """Wait for ``run``, printing its steps' changes, then report it; the exit status."""
    steps = len(run.steps)
    print(f"Workflow run {run.id} of {run.workflow} started: {steps} steps", file=sys.stderr)
    run = await _follow(workflows, run)
    return _report(run, await asyncio.to_thread(root.resolve))


def workflow_parameters(options: argparse.Namespace) -> dict[str, Any]:
    """The values of -f, -p and -r, later ones winning; read as papermill reads them
    (workflow parameters declare no types), -r values as text."""
    parameters: dict[str, Any] = {}
    if options.param_file is not None:
        parameters.update(read_param_file(options.param_file))
    for name, value, raw in options.parameters:
        parameters[name] = value if raw else papermill_value(value)
    return parameters


def _request(options: argparse.Namespace, path: str) -> WorkflowRunCreate:
    try:
        return WorkflowRunCreate(workflow=path, parameters=workflow_parameters(options))
    except ValidationError as error:
        raise refusal(error) from error


async def _follow(workflows: WorkflowService, run: WorkflowRun) -> WorkflowRun:
    """Wait for the workflow run, printing each step's changes; Ctrl-C cancels it."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    shown: dict[str, str] = {}
    cancelling = False
    try:
        while True:
            for step in run.steps:
                line = _step_line(step.key, step.status.value, step.run.id if step.run else None)
                if shown.get(step.key) != line:
                    shown[step.key] = line
                    print(line, file=sys.stderr)
            if run.status.is_final:
                return run
            if interrupted.is_set() and not cancelling:
                cancelling = True
                loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C quits at once
                print(f"Cancelling workflow run {run.id}…", file=sys.stderr)
                run = await workflows.cancel(run.id)
                continue
            await asyncio.sleep(POLL_SECONDS)
            run = await workflows.get(run.id)
    finally:
        if not cancelling:
            loop.remove_signal_handler(signal.SIGINT)


def _step_line(key: str, status: str, run_id: int | None) -> str:
    return f"  step {key}: {status}" + (f" (run {run_id})" if run_id is not None else "")


def _report(run: WorkflowRun, root: Path) -> int:
    """The steps as a table on stdout, the outcome on stderr; the exit status."""
    rows = []
    for step in run.steps:
        output = step.run.output if step.run is not None else None
        reports = [str(root / report.path) for report in step.run.reports] if step.run else []
        where = str(root / output) if output and step.status.value != "skipped" else ""
        rows.append((step.key, step.status.value, " ".join([where, *reports]).strip()))
    print_table(("STEP", "STATUS", "EXECUTED NOTEBOOK AND REPORTS"), rows, sys.stdout)
    if run.status is RunStatus.SUCCEEDED:
        print(f"Workflow run {run.id} succeeded", file=sys.stderr)
        return EXIT_SUCCEEDED
    print(
        f"Workflow run {run.id} {run.status.value}: {run.error or ''}".rstrip(": "), file=sys.stderr
    )
    return EXIT_CANCELLED if run.status is RunStatus.CANCELLED else EXIT_FAILED
