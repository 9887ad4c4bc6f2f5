"""Data-trigger schedules on the command line: ``schedule add --on-new-data``, and
``schedule dates|check|retry``.

A data-trigger schedule checks FlowAPI's available dates on a cron and runs its
notebook or workflow once per reference date. ``check`` and ``retry`` ask FlowAPI
from this process (its environment holds the token) and run what they start here,
as ``schedule run`` does for a schedule on time.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from ..config import (
    CommandSettings,
    build_schedule_service,
    build_workflow_service,
    database_url,
    new_database_file,
)
from ..dates import written_date
from ..errors import AutoflowError, Conflict
from ..models import (
    CheckStatus,
    DateCounts,
    EventType,
    FlowapiCheck,
    NewDataTriggerSpec,
    Run,
    Schedule,
    ScheduleDate,
    WorkflowRun,
)
from ..scheduling.stencils import parse_stencil
from ..services import RunService, ScheduleService, WorkflowService, Workspace
from ..services.data_trigger import DataTrigger
from .common import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_SUCCEEDED,
    Refused,
    local_time,
    open_runs,
    print_table,
    workspace_of,
)
from .runs import follow_and_report, secrets
from .workflows import follow_and_report_workflow

# flowclient warns of plain HTTP with a line of its own source; said here in words instead.
PLAIN_HTTP = "Communications with this server are NOT SECURE"
EXIT_NOT_CHECKED = 3  # FlowAPI could not be asked: unreachable, timeout, denied or error
DEFAULT_CHECK_CRON = "0 * * * *"
EVENT_TYPES = [event_type.value for event_type in EventType]
MESSAGE_WIDTH = 60
NEW_DATA = TypeAdapter(NewDataTriggerSpec)
Started = TypeVar("Started", Run, WorkflowRun)
# The option that sets each field of the trigger, for refusals.
TRIGGER_OPTIONS = {
    "expression": "--cron",
    "timezone": "--tz",
    "event_types": "--event-types",
    "earliest_date": "--earliest",
    "stencil": "--stencil",
    "lookback_days": "--lookback-days",
    "max_runs_per_check": "--max-runs-per-check",
    "max_attempts": "--max-attempts",
}
DATA_ONLY = {  # options that only a data trigger takes: attribute -> flag
    "event_types": "--event-types",
    "earliest": "--earliest",
    "stencil": "--stencil",
    "lookback_days": "--lookback-days",
    "max_runs_per_check": "--max-runs-per-check",
    "max_attempts": "--max-attempts",
}
CHECK_EPILOG = """\
exit status:
  0    FlowAPI was checked, and every run the check started succeeded
  1    a run the check started failed (its error summary is printed)
  2    the request was refused (no such schedule, not a data trigger, bad option)
  3    FlowAPI could not be checked (unreachable, timeout, token refused, error):
       the reason is printed, and the next check tries again
  130  a run was cancelled with Ctrl-C

FlowAPI's address is AutoflowApp.flowapi_url from the Jupyter server's
configuration files unless --flowapi-url is given; its token is read from this
process's environment, from the variable AutoflowApp.flowapi_token_env names
(FLOWAPI_TOKEN unless configured). Runs get it as FLOWAPI_TOKEN.
"""


def add_trigger_options(add: argparse.ArgumentParser) -> None:
    """``schedule add``'s options for a data trigger; ``--cron`` and ``--tz`` are shared."""
    data = add.add_argument_group(
        "when FlowAPI has new data (--on-new-data)",
        "Run once per reference date whose stencil FlowAPI has complete. --cron then says "
        f"when to check FlowAPI (default: every hour, '{DEFAULT_CHECK_CRON}') and --tz its "
        "timezone; --every and --at do not apply. The notebook must declare reference_date "
        "or date_ranges (a workflow gets both).",
    )
    data.add_argument(
        "--on-new-data",
        action="store_true",
        help="run when FlowAPI has new data, once per reference date",
    )
    data.add_argument(
        "--event-types",
        metavar="TYPES",
        help=f"comma-separated event types whose dates count (any of them): "
        f"{', '.join(EVENT_TYPES)} (default: calls)",
    )
    data.add_argument(
        "--earliest", metavar="YYYY-MM-DD", help="no runs for reference dates before this one"
    )
    data.add_argument(
        "--stencil",
        metavar="JSON",
        help="the days a run needs, as FlowKit's date stencil: dates, day offsets from the "
        "reference date and [start, end) pairs of them, e.g. '[[-7, 0]]' for the 7 days before "
        "it (default: [0], the reference date alone)",
    )
    data.add_argument(
        "--lookback-days",
        type=int,
        metavar="N",
        help="only reference dates within N days before today (default: all)",
    )
    data.add_argument(
        "--max-runs-per-check",
        type=int,
        metavar="N",
        help="runs a check starts at most, oldest dates first (default: 10)",
    )
    data.add_argument(
        "--max-attempts",
        type=int,
        metavar="N",
        help="runs of a failing date before it is given up (default: "
        "AutoflowApp.data_max_attempts, 3 unless configured)",
    )


def add_commands(actions: Any, workspace: argparse.ArgumentParser) -> None:
    """``schedule dates``, ``schedule check`` and ``schedule retry``."""
    dates = actions.add_parser(
        "dates",
        parents=[workspace],
        help="list a data-trigger schedule's reference dates",
        description="List a data-trigger schedule's reference dates, newest first: each one's "
        "state, attempts, latest run and why it failed.",
    )
    dates.add_argument("id", type=int, help="the schedule's id ('autoflow schedules')")
    dates.set_defaults(command=_dates)

    check = actions.add_parser(
        "check",
        parents=[workspace],
        help="check FlowAPI for new data now, run the new dates here and wait for them",
        description="Ask FlowAPI for its available dates now, as the schedule's cron would, "
        "and start the runs of the dates due; they run here, and the command waits for them.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("id", type=int, help="the schedule's id ('autoflow schedules')")
    add_flowapi_url(check)
    check.set_defaults(command=_check)

    retry = actions.add_parser(
        "retry",
        parents=[workspace],
        help="run a failed or given-up date again",
        description="Re-arm a failed or given-up reference date, then check FlowAPI now, which "
        "runs the date here if FlowAPI still has it; the command waits for the runs it starts.",
        epilog=CHECK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    retry.add_argument("id", type=int, help="the schedule's id ('autoflow schedules')")
    retry.add_argument("date", type=_day, metavar="DATE", help="the reference date, YYYY-MM-DD")
    add_flowapi_url(retry)
    retry.set_defaults(command=_retry)


def new_data_trigger(options: argparse.Namespace) -> NewDataTriggerSpec | None:
    """The data trigger the options of ``schedule add`` describe; None without --on-new-data."""
    if not options.on_new_data:
        given = [flag for name, flag in DATA_ONLY.items() if getattr(options, name) is not None]
        if given:
            raise Refused(
                f"{', '.join(given)} go{'es' if len(given) == 1 else ''} with --on-new-data"
            )
        return None
    for flag, value in (("--every", options.every), ("--at", options.at)):
        if value is not None:
            raise Refused(
                f"{flag} cannot go with --on-new-data: a data trigger runs once per new "
                "reference date, and checks FlowAPI on a cron (--cron, default every hour)."
            )
    for flag, value in (("--catch-up", options.catch_up), ("--overlap", options.overlap)):
        if value is not None:
            raise Refused(
                f"{flag} does not apply to --on-new-data: each check runs every date that has "
                "not run yet, however long ago its data came."
            )
    spec: dict[str, Any] = {
        "kind": "new_data",
        "expression": options.cron or DEFAULT_CHECK_CRON,
        "timezone": options.tz,
        "event_types": _event_types(options.event_types),
        "earliest_date": options.earliest,
        "lookback_days": options.lookback_days,
        "max_attempts": options.max_attempts,
    }
    if options.stencil is not None:
        spec["stencil"] = _stencil(options.stencil)
    if options.max_runs_per_check is not None:
        spec["max_runs_per_check"] = options.max_runs_per_check
    try:
        return NEW_DATA.validate_python(spec)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            field = str(problem["loc"][0]) if problem["loc"] else ""
            problems.append(f"{TRIGGER_OPTIONS.get(field, field)}: {problem['msg']}")
        raise Refused("; ".join(problems), field="trigger") from error


def is_data_trigger(schedule: Schedule) -> bool:
    return isinstance(schedule.trigger, NewDataTriggerSpec)


def refuse_run(schedule: Schedule) -> Refused:
    """``schedule run`` on a data trigger: which command does what the user wants."""
    return Refused(
        f"Schedule {schedule.id} ({schedule.name}) runs once per reference date when FlowAPI "
        f"has new data, not on demand: 'autoflow schedule check {schedule.id}' checks FlowAPI "
        f"now and runs the new dates; 'autoflow schedule retry {schedule.id} DATE' runs a "
        "failed date again."
    )


def list_details(schedule: Schedule) -> str:
    """The line under a data-trigger schedule in ``autoflow schedules``."""
    check = schedule.last_check
    if check is None:
        return f"never checked; dates: {_counts(schedule.dates)}"
    return f"checked {local_time(check.at)}: {check.status.value}; dates: {_counts(schedule.dates)}"


async def _dates(options: argparse.Namespace, settings: CommandSettings) -> int:
    async with _data_schedules(options, settings) as opened:
        found = (await opened.schedules.dates(options.id)).dates
    rows = [
        (
            day.reference_date.isoformat(),
            day.state.value,
            f"{day.attempts}/{day.max_attempts}",
            _run_of(day),
            _note(day),
        )
        for day in found
    ]
    print_table(("DATE", "STATE", "ATTEMPTS", "RUN", "MESSAGE"), rows, sys.stdout)
    return EXIT_SUCCEEDED


async def _check(options: argparse.Namespace, settings: CommandSettings) -> int:
    async with _data_schedules(options, settings, asks_flowapi=True) as opened:
        result = await opened.schedules.check(options.id)
        if not _reported(result.check):
            return EXIT_NOT_CHECKED
        return await _follow_started(opened, options, result.started)


async def _retry(options: argparse.Namespace, settings: CommandSettings) -> int:
    async with _data_schedules(options, settings, asks_flowapi=True) as opened:
        before = await _runs_by_date(opened.schedules, options.id)
        rearmed = await opened.schedules.retry_date(options.id, options.date)
        print(f"{rearmed.reference_date} re-armed", file=sys.stderr)
        check = (await opened.schedules.get(options.id)).last_check
        if check is None or not _reported(check):
            return EXIT_NOT_CHECKED
        # The service's retry says which date it re-armed, not which dates its check
        # started: those are the dates whose latest run changed.
        after = await _runs_by_date(opened.schedules, options.id)
        started = [day for day, latest in after.items() if before.get(day) != latest]
        return await _follow_started(opened, options, started)


@dataclass
class _Opened:
    runs: RunService
    workflows: WorkflowService
    schedules: ScheduleService


@asynccontextmanager
async def _data_schedules(
    options: argparse.Namespace, settings: CommandSettings, asks_flowapi: bool = False
) -> AsyncIterator[_Opened]:
    """The services over this folder's history, able to run what a check starts here."""
    workspace = workspace_of(options, settings)
    require_history(settings, workspace)
    flowapi_url = getattr(options, "flowapi_url", None)
    if flowapi_url is not None:
        settings.flowapi_url = flowapi_url
    if asks_flowapi and settings.flowapi_url.lower().startswith("http://"):
        print(
            f"autoflow: warning: FlowAPI at {settings.flowapi_url} is plain HTTP: the token "
            "travels unencrypted.",
            file=sys.stderr,
        )
    # The check's failure is printed once, by this command, not logged as well.
    logging.getLogger(DataTrigger.__module__).addHandler(logging.NullHandler())
    # Only runs get secrets, and only check and retry start runs.
    runs = open_runs(settings, workspace, secrets(settings, []) if asks_flowapi else {})
    try:
        await runs.start()
        workflows = build_workflow_service(settings, runs, workspace)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", PLAIN_HTTP, UserWarning)
                yield _Opened(runs, workflows, build_schedule_service(settings, runs, workflows))
        finally:
            await workflows.close()
    finally:
        await runs.close()


def require_history(settings: CommandSettings, workspace: Workspace) -> None:
    """Refuse a command that needs schedules where there is no history to hold them."""
    missing = new_database_file(database_url(settings, workspace))
    if missing is not None:
        raise Refused(
            f"no run history in {workspace.root} (no {missing}); pass --root SERVER_ROOT "
            "to use a Jupyter server's schedules."
        )


def _reported(check: FlowapiCheck) -> bool:
    """Print how the check went; whether FlowAPI answered."""
    if check.status is CheckStatus.OK:
        print(f"Checked FlowAPI at {local_time(check.at)}: {check.message}", file=sys.stderr)
        return True
    print(
        f"autoflow: FlowAPI could not be checked ({check.status.value}): {check.message}",
        file=sys.stderr,
    )
    return False


async def _runs_by_date(
    schedules: ScheduleService, schedule_id: int
) -> dict[date, tuple[int | None, int | None]]:
    found = (await schedules.dates(schedule_id)).dates
    return {day.reference_date: (day.run_id, day.workflow_run_id) for day in found}


async def _follow_started(opened: _Opened, options: argparse.Namespace, days: list[date]) -> int:
    """Wait for the runs of ``days``, which this process started, reporting each; the exit
    status. Once Ctrl-C has cancelled one, the rest are cancelled too."""
    if not days:
        print("No run started.", file=sys.stderr)
        return EXIT_SUCCEEDED
    latest = {day.reference_date: day for day in (await opened.schedules.dates(options.id)).dates}
    statuses: list[int] = []
    for day in sorted(days):
        started = latest[day]
        cancelling = EXIT_CANCELLED in statuses
        if started.workflow_run_id is not None:
            print(f"Reference date {day}:", file=sys.stderr)
            workflow_run = await opened.workflows.get(started.workflow_run_id)
            if cancelling:
                workflow_run = await _cancelled(opened.workflows.cancel, workflow_run)
            statuses.append(
                await follow_and_report_workflow(opened.workflows, workflow_run, options.root)
            )
        elif started.run_id is not None:
            run = await opened.runs.get(started.run_id)
            print(f"Run {run.id} of {run.notebook} for {day}", file=sys.stderr)
            if cancelling:
                run = await _cancelled(opened.runs.cancel, run)
            statuses.append(await follow_and_report(opened.runs, run, options.root, quiet=False))
    if EXIT_CANCELLED in statuses:
        return EXIT_CANCELLED
    return EXIT_FAILED if EXIT_FAILED in statuses else EXIT_SUCCEEDED


async def _cancelled(cancel: Callable[[int], Awaitable[Started]], started: Started) -> Started:
    try:
        return await cancel(started.id)
    except Conflict:  # it finished meanwhile
        return started


def add_flowapi_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--flowapi-url",
        metavar="URL",
        help="FlowAPI's address (default: AutoflowApp.flowapi_url)",
    )


def _event_types(text: str | None) -> list[str]:
    names = [name.strip() for name in (text or EventType.CALLS.value).split(",") if name.strip()]
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown or not names:
        raise Refused(
            f"--event-types: {', '.join(map(repr, unknown)) or 'none given'}: give one or "
            f"more of {', '.join(EVENT_TYPES)}, separated by commas",
            field="trigger.event_types",
        )
    return list(dict.fromkeys(names))


def _stencil(text: str) -> Any:
    """The stencil's JSON, checked as the server checks it so a refusal names the element."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise Refused(
            f"--stencil {text!r} is not JSON ({error.msg}, column {error.colno}): give a list "
            "such as '[0]' or '[[-7, 0]]'",
            field="trigger.stencil",
        ) from None
    try:
        parse_stencil(value)
    except AutoflowError as error:
        raise Refused(f"--stencil: {error.message}", field=error.field) from None
    return value


def _day(text: str) -> date:
    written = written_date(text)
    if written is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD")
    return written


def _counts(counts: DateCounts | None) -> str:
    tally = [] if counts is None else [(s, n) for s, n in counts.model_dump().items() if n]
    if not tally:
        return "none yet"
    return ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in tally)


def _run_of(day: ScheduleDate) -> str:
    if day.workflow_run_id is not None:
        return f"workflow run {day.workflow_run_id}"
    return "" if day.run_id is None else f"run {day.run_id}"


def _note(day: ScheduleDate) -> str:
    parts = [] if day.available else ["not in FlowAPI"]
    if day.message:
        line = day.message.strip().splitlines()[0] if day.message.strip() else ""
        parts.append(line if len(line) <= MESSAGE_WIDTH else f"{line[: MESSAGE_WIDTH - 1]}…")
    return "; ".join(part for part in parts if part)


__all__ = [
    "EXIT_NOT_CHECKED",
    "add_commands",
    "add_trigger_options",
    "is_data_trigger",
    "list_details",
    "new_data_trigger",
    "refuse_run",
    "require_history",
]
