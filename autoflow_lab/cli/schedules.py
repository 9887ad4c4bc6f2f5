"""``autoflow schedules`` and ``autoflow schedule add|pause|resume|delete|run``, and
(in ``data_trigger``) ``schedule dates|check|retry`` for data-trigger schedules.

Schedules are kept in the run history's database; a Jupyter server with the
extension, running over the same folder, fires them (it notices changes made
here within its heartbeat interval). ``schedule run`` executes here, as
``autoflow run`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..config import (
    CommandSettings,
    build_schedule_service,
    build_workflow_service,
)
from ..models import CatchUp, Overlap, Schedule, ScheduleCreate, TriggerSpec, WorkflowRun
from ..services import ScheduleService
from . import data_trigger
from .common import (
    EXIT_SUCCEEDED,
    Refused,
    add_parameter_options,
    collect_parameters,
    declared_parameters_of,
    inside_root,
    local_time,
    open_runs,
    print_table,
    refusal,
    workspace_of,
)
from .runs import follow_and_report, secrets
from .workflows import follow_and_report_workflow, is_workflow, workflow_parameters

TRIGGER = TypeAdapter[TriggerSpec](TriggerSpec)
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
NOT_FIRING = (
    "Schedules fire while a Jupyter server with AutoFlow Lab runs over this folder "
    "(a headless 'jupyter server' is enough)."
)


def add_commands(commands: Any, workspace: argparse.ArgumentParser) -> None:
    listing = commands.add_parser(
        "schedules",
        parents=[workspace],
        help="list schedules",
        description=f"List the schedules of this folder's run history. {NOT_FIRING}",
    )
    listing.set_defaults(command=_list)

    schedule = commands.add_parser(
        "schedule",
        help="add, pause, resume, delete, run or check a schedule",
        description=f"Change the schedules of this folder's run history. {NOT_FIRING}",
    )
    actions = schedule.add_subparsers(title="actions", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        parents=[workspace],
        help="schedule a notebook or a workflow",
        description=(
            "Schedule NOTEBOOK on a cron expression, an interval, once, or whenever FlowAPI has "
            "new data. Its parameters are checked against the notebook now, as a run's are. "
            f"{NOT_FIRING}"
        ),
    )
    add.add_argument(
        "notebook",
        type=Path,
        help="the notebook, or workflow (.autoflow.yaml), inside the root directory",
    )
    when = add.add_mutually_exclusive_group()
    when.add_argument(
        "--cron",
        metavar="EXPR",
        help="five cron fields, minute hour day-of-month month day-of-week ('0 6 * * 1-5'); "
        "day-of-week 0 and 7 are Sunday. With --on-new-data: when to check FlowAPI",
    )
    when.add_argument("--every", metavar="DURATION", help="an interval: 90, 90s, 15m, 2h or 1d")
    when.add_argument(
        "--at",
        metavar="DATETIME",
        help="once, at an ISO date-time with an offset: 2026-12-01T06:00:00+00:00",
    )
    add.add_argument("--tz", metavar="TZ", help="IANA timezone of --cron (default: this machine's)")
    add.add_argument("--name", help="the schedule's name (default: the notebook's)")
    add_parameter_options(add)
    add.add_argument("-k", "--kernel", help="kernel name (default: the notebook's own)")
    add.add_argument("--timeout", type=float, metavar="SECONDS", help="limit of each run")
    add.add_argument("--cell-timeout", type=float, metavar="SECONDS", help="limit of each cell")
    add.add_argument(
        "--catch-up",
        choices=["skip", "latest"],
        help="fires missed while no server ran: skip them (default), or run the latest",
    )
    add.add_argument(
        "--overlap",
        choices=["skip", "queue"],
        help="a fire while the previous run has not ended: skip it (default) or queue it",
    )
    add.add_argument("--paused", action="store_true", help="create it paused")
    data_trigger.add_trigger_options(add)
    data_trigger.add_flowapi_url(add)
    add.set_defaults(command=_add)

    for name, verb, what in (
        ("pause", _pause, "stop a schedule firing"),
        ("resume", _resume, "let a paused schedule fire again"),
        ("delete", _delete, "delete a schedule (its runs stay in the history)"),
        ("run", _run_now, "run a schedule's notebook now, here, and wait for it"),
    ):
        action = actions.add_parser(name, parents=[workspace], help=what, description=what)
        action.add_argument("id", type=int, help="the schedule's id ('autoflow schedules')")
        action.set_defaults(command=verb)
    data_trigger.add_commands(actions, workspace)


@asynccontextmanager
async def _schedules(
    options: argparse.Namespace, settings: CommandSettings, creates: bool = False
) -> AsyncIterator[ScheduleService]:
    """The schedule service over this folder's history; only ``add`` may start a history."""
    workspace = workspace_of(options, settings)
    if not creates:
        data_trigger.require_history(settings, workspace)
    runs = open_runs(settings, workspace)
    try:
        await runs.start()
        yield build_schedule_service(
            settings, runs, build_workflow_service(settings, runs, workspace)
        )
    finally:
        await runs.close()


async def _list(options: argparse.Namespace, settings: CommandSettings) -> int:
    try:
        async with _schedules(options, settings) as service:
            schedules = (await service.list()).schedules
    except Refused as refused:
        print(f"autoflow: {refused.message}", file=sys.stderr)
        schedules = []
    rows = [
        (
            str(schedule.id),
            schedule.name,
            schedule.notebook,
            "paused" if schedule.paused else _next_fire(schedule),
            "" if schedule.last_run is None else schedule.last_run.status.value,
            schedule.description,
        )
        for schedule in schedules
    ]
    table = io.StringIO()
    print_table(("ID", "NAME", "NOTEBOOK", "NEXT FIRE", "LAST RUN", "WHEN"), rows, table)
    header, *lines = table.getvalue().splitlines()
    print(header)
    for schedule, line in zip(schedules, lines, strict=True):
        print(line)
        if data_trigger.is_data_trigger(schedule):  # its check and dates, under it
            print(f"    {data_trigger.list_details(schedule)}")
    return EXIT_SUCCEEDED


async def _add(options: argparse.Namespace, settings: CommandSettings) -> int:
    if options.flowapi_url is not None:  # workflows reading {from: flowapi_url} need it
        settings.flowapi_url = options.flowapi_url
    workspace = workspace_of(options, settings)
    notebook = inside_root(options.notebook, options.root)
    if is_workflow(options.notebook):
        parameters = workflow_parameters(options)
    else:
        declared = await asyncio.to_thread(declared_parameters_of, workspace, notebook)
        parameters = collect_parameters(options, declared)
    try:
        request = ScheduleCreate(
            name=options.name,
            notebook=notebook,
            parameters=parameters,
            trigger=_trigger(options),
            kernel_name=options.kernel,
            timeout=options.timeout,
            cell_timeout=options.cell_timeout,
            paused=options.paused,
            catch_up=CatchUp(options.catch_up or CatchUp.SKIP),
            overlap=Overlap(options.overlap or Overlap.SKIP),
        )
    except ValidationError as error:
        raise refusal(error) from error
    async with _schedules(options, settings, creates=True) as service:
        schedule = await service.create(request)
    print(f"Schedule {schedule.id} ({schedule.name}): {schedule.description}")
    checks = data_trigger.is_data_trigger(schedule)
    if schedule.next_fire_times:
        print(f"Next {'check' if checks else 'fire'}: {local_time(schedule.next_fire_times[0])}")
    print(NOT_FIRING, file=sys.stderr)
    if checks:
        print(
            f"'autoflow schedule check {schedule.id}' checks FlowAPI now and runs the new "
            "dates here.",
            file=sys.stderr,
        )
    return EXIT_SUCCEEDED


async def _pause(options: argparse.Namespace, settings: CommandSettings) -> int:
    return await _change(options, settings, lambda service: service.pause(options.id), "paused")


async def _resume(options: argparse.Namespace, settings: CommandSettings) -> int:
    return await _change(options, settings, lambda service: service.resume(options.id), "resumed")


async def _delete(options: argparse.Namespace, settings: CommandSettings) -> int:
    async with _schedules(options, settings) as service:
        await service.delete(options.id)
    print(f"Schedule {options.id} deleted; its runs stay in the history.")
    return EXIT_SUCCEEDED


async def _run_now(options: argparse.Namespace, settings: CommandSettings) -> int:
    workspace = workspace_of(options, settings)
    runs = open_runs(settings, workspace, secrets(settings, []))
    try:
        await runs.start()
        workflows = build_workflow_service(settings, runs, workspace)
        service = build_schedule_service(settings, runs, workflows)
        try:
            schedule = await service.get(options.id)
            if data_trigger.is_data_trigger(schedule):
                raise data_trigger.refuse_run(schedule)
            run = await service.run_now(options.id)
            if isinstance(run, WorkflowRun):
                return await follow_and_report_workflow(workflows, run, options.root)
            print(f"Run {run.id} of {run.notebook} queued", file=sys.stderr)
            return await follow_and_report(runs, run, options.root, quiet=False)
        finally:
            await workflows.close()
    finally:
        await runs.close()


async def _change(
    options: argparse.Namespace,
    settings: CommandSettings,
    change: Callable[[ScheduleService], Awaitable[Schedule]],
    done: str,
) -> int:
    async with _schedules(options, settings) as service:
        schedule = await change(service)
    print(f"Schedule {schedule.id} ({schedule.name}) {done}.")
    return EXIT_SUCCEEDED


def _trigger(options: argparse.Namespace) -> TriggerSpec:
    data = data_trigger.new_data_trigger(options)
    if data is not None:
        return data
    if options.cron is None and options.every is None and options.at is None:
        raise Refused("say when: give --cron, --every, --at or --on-new-data")
    if options.tz is not None and options.cron is None:
        raise Refused("--tz goes with --cron")
    if options.cron is not None:
        spec = {"kind": "cron", "expression": options.cron, "timezone": options.tz}
    elif options.every is not None:
        spec = {"kind": "interval", "seconds": _seconds(options.every), "start": None}
    else:
        spec = {"kind": "once", "at": options.at}
    try:
        return TRIGGER.validate_python(spec)
    except ValidationError as error:
        raise Refused(f"--at: {error.errors()[0]['msg']}", field="trigger.at") from error


def _seconds(text: str) -> float:
    match = DURATION.match(text)
    if match is None:
        raise Refused(f"--every {text!r}: give a number with an optional unit s, m, h or d")
    return float(match.group(1)) * UNIT_SECONDS[match.group(2)]


def _next_fire(schedule: Schedule) -> str:
    if not schedule.next_fire_times:
        return "never"
    return local_time(schedule.next_fire_times[0])
