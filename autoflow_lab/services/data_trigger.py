"""The data trigger: when FlowAPI has new data, run once for each new reference date.

A check asks FlowAPI for its available dates, notes which reference dates have
their whole stencil available, and starts the schedule's target for each date
that has not run yet, or failed fewer than ``max_attempts`` times, oldest first.
Dates live in their own table (``ScheduleDateStore``); a date's state is its
latest run's, so a run interrupted by a crash (failed by recovery) is retried.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import date, datetime, timedelta
from functools import partial

from ..errors import AutoflowError, Conflict, Unavailable
from ..flowapi.client import FlowapiFailure, FlowapiSettings, available_dates
from ..models import (
    CheckStatus,
    DataCheckResult,
    DateCounts,
    DateState,
    FlowapiCheck,
    NewDataTriggerSpec,
    RunTrigger,
    ScheduleCreate,
    ScheduleDate,
    ScheduleDateList,
    TriggerKind,
    WorkflowRun,
)
from ..scheduling import parse_timezone
from ..scheduling.stencils import (
    Stencil,
    date_ranges_json,
    on_or_after,
    parse_stencil,
    qualifying_dates,
)
from ..store import ScheduleStore, StoredSchedule
from ..store.schedule_dates import ScheduleDateStore, StoredDate
from .ownership import utcnow
from .runs import RunService
from .schedule_targets import ScheduleTargets

log = logging.getLogger(__name__)

RETRIED = (DateState.PENDING, DateState.FAILED)
FAILURES = (DateState.FAILED, DateState.GIVEN_UP)


class DataTrigger:
    def __init__(
        self,
        schedules: ScheduleStore,
        dates: ScheduleDateStore,
        targets: ScheduleTargets,
        runs: RunService,
        flowapi: FlowapiSettings,
        max_attempts: int,
    ) -> None:
        self._schedules = schedules
        self._dates = dates
        self._targets = targets
        self._runs = runs
        self._flowapi = flowapi
        self._max_attempts = max_attempts

    async def check(self, stored: StoredSchedule) -> DataCheckResult:
        """Ask FlowAPI for its dates and start the runs due; the outcome is recorded on
        the schedule, a failure included (the next check tries again, losing nothing)."""
        spec = _spec(stored)
        event_types = [event_type.value for event_type in spec.event_types]
        try:
            reported = await available_dates(self._flowapi, event_types)
        except FlowapiFailure as failure:
            log.warning("Schedule %s could not check FlowAPI: %s", stored.id, failure.message)
            return await self._record(stored.id, failure.status, failure.message, [])
        available = set().union(*reported.values())
        stencil = parse_stencil(spec.stencil)
        complete, wanted = await asyncio.to_thread(_qualifying, available, stencil, spec)
        record = partial(
            self._dates.record_available,
            stored.id,
            parameters_hash(stored.settings),
            complete,
            wanted,
            utcnow(),
        )
        new = await asyncio.to_thread(record)
        started = [] if stored.settings.paused else await self._start_due(stored, stencil, wanted)
        words = " or ".join(event_types)
        message = (
            f"FlowAPI has {_count(len(available), 'date')} of {words} data; "
            f"{len(wanted)} qualify ({new} new). Started {_count(len(started), 'run')}"
            f"{' (the schedule is paused)' if stored.settings.paused else ''}."
        )
        return await self._record(stored.id, CheckStatus.OK, message, started)

    async def dates(self, stored: StoredSchedule) -> ScheduleDateList:
        live = await self._runs.live_instances()
        found = partial(self._dates.dates, stored.id, parameters_hash(stored.settings))
        rows = await asyncio.to_thread(found)
        limit = self.max_attempts(stored)
        return ScheduleDateList(dates=[_to_wire(row, live, limit) for row in rows])

    async def retry(self, stored: StoredSchedule, day: date) -> ScheduleDate:
        """Re-arm a failed or given-up date, then check, which runs it if FlowAPI has it."""
        live = await self._runs.live_instances()
        key = parameters_hash(stored.settings)
        row = await asyncio.to_thread(self._dates.get, stored.id, key, day)
        limit = self.max_attempts(stored)
        state = row.state(live, limit)
        if state not in FAILURES:
            raise Conflict(
                f"{day.isoformat()} is {state.value.replace('_', ' ')}: only a failed or given-up "
                "date can be retried."
            )
        rearm = partial(self._dates.rearm, row.id, row.attempts, utcnow())
        if not await asyncio.to_thread(rearm):
            raise Conflict(f"{day.isoformat()} changed meanwhile: look again.")
        await self.check(stored)
        row = await asyncio.to_thread(self._dates.get, stored.id, key, day)
        return _to_wire(row, await self._runs.live_instances(), limit)

    def counts(self, stored: list[StoredSchedule], live: set[int]) -> dict[int, DateCounts]:
        """Data-trigger schedules' dates counted by state (synchronous: call in a thread)."""
        data = {s.id: s for s in stored if isinstance(s.settings.trigger, NewDataTriggerSpec)}
        keys = {schedule_id: parameters_hash(s.settings) for schedule_id, s in data.items()}
        counts: dict[int, DateCounts] = {}
        for schedule_id, rows in self._dates.all_dates(keys).items():
            limit = self.max_attempts(data[schedule_id])
            tally = {state: 0 for state in DateState}
            for row in rows:
                tally[row.state(live, limit)] += 1
            counts[schedule_id] = DateCounts(**{s.value: n for s, n in tally.items()})
        return counts

    def max_attempts(self, stored: StoredSchedule) -> int:
        return _spec(stored).max_attempts or self._max_attempts

    async def _start_due(
        self, stored: StoredSchedule, stencil: Stencil, wanted: list[date]
    ) -> list[date]:
        """Start the runs of due dates, oldest first, up to the schedule's cap per check.

        Each is claimed first, so of several servers checking at once one starts it.
        """
        spec = _spec(stored)
        live = await self._runs.live_instances()
        owner = await self._runs.owner_id()
        rows = await asyncio.to_thread(
            self._dates.dates, stored.id, parameters_hash(stored.settings)
        )
        limit = self.max_attempts(stored)
        chosen = set(wanted)
        due = sorted(
            (
                row
                for row in rows
                if row.available
                and row.reference_date in chosen
                and row.state(live, limit) in RETRIED
            ),
            key=lambda row: row.reference_date,
        )
        started: list[date] = []
        for row in due:
            if len(started) >= spec.max_runs_per_check:
                break
            claim = partial(self._dates.claim, row.id, row.attempts, owner, utcnow())
            if not await asyncio.to_thread(claim):
                continue  # another server took it
            await self._start(stored, stencil, row, row.attempts + 1)
            started.append(row.reference_date)
        return started

    async def _start(
        self, stored: StoredSchedule, stencil: Stencil, row: StoredDate, attempt: int
    ) -> None:
        day = row.reference_date
        dated = {"reference_date": day.isoformat(), "date_ranges": date_ranges_json(stencil, day)}
        trigger = RunTrigger(kind=TriggerKind.SCHEDULE, schedule_id=stored.id, reference_date=day)
        try:
            made = await self._targets.start(stored.settings, trigger, dated)
        except Unavailable:  # the database: give the attempt back for the next check
            await asyncio.to_thread(self._dates.release, row.id, attempt)
            raise
        except AutoflowError as refusal:  # the target changed or vanished since it was saved
            log.warning("Schedule %s: the run for %s was refused: %s", stored.id, day, refusal)
            made = await self._targets.record_refusal(stored.settings, trigger, refusal, dated)
        is_workflow = isinstance(made, WorkflowRun)
        record = partial(
            self._dates.record_run,
            row.id,
            attempt,
            utcnow(),
            run_id=None if is_workflow else made.id,
            workflow_run_id=made.id if is_workflow else None,
        )
        await asyncio.to_thread(record)
        log.info("Schedule %s started attempt %d at %s", stored.id, attempt, day)

    async def _record(
        self, schedule_id: int, status: CheckStatus, message: str, started: list[date]
    ) -> DataCheckResult:
        check = FlowapiCheck(at=utcnow(), status=status, message=message)
        await asyncio.to_thread(self._schedules.record_check, schedule_id, check)
        return DataCheckResult(check=check, started=started)


def parameters_hash(settings: ScheduleCreate) -> str:
    """What runs, with which parameters: a date runs again when either changes."""
    text = json.dumps(
        {"target": settings.notebook, "parameters": settings.parameters}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _spec(stored: StoredSchedule) -> NewDataTriggerSpec:
    spec = stored.settings.trigger
    assert isinstance(spec, NewDataTriggerSpec), "not a data-trigger schedule"
    return spec


def _qualifying(
    available: set[date], stencil: Stencil, spec: NewDataTriggerSpec
) -> tuple[list[date], list[date]]:
    """The dates whose stencil is available, and those of them the schedule wants (on or
    after its earliest date, within its look back). In a thread: years of dates take a while."""
    complete = qualifying_dates(available, stencil)
    return complete, on_or_after(complete, spec.earliest_date, _since(spec))


def _since(spec: NewDataTriggerSpec) -> date | None:
    """The oldest reference date ``lookback_days`` allows: counted back from today."""
    if spec.lookback_days is None:
        return None
    today = datetime.now(parse_timezone(spec.timezone)).date()
    return today - timedelta(days=spec.lookback_days)


def _to_wire(row: StoredDate, live: set[int], max_attempts: int) -> ScheduleDate:
    state = row.state(live, max_attempts)
    return ScheduleDate(
        reference_date=row.reference_date,
        state=state,
        available=row.available,
        attempts=row.attempts - row.armed_from,
        max_attempts=max_attempts,
        run_id=row.run_id,
        workflow_run_id=row.workflow_run_id,
        # A claim still being started has no run yet either: only a failure has a message.
        message=row.message if state in FAILURES else None,
        first_seen_at=row.first_seen_at,
        updated_at=row.updated_at,
    )
