"""Schedules: validated definitions in the database, fired by the clock, exactly once.

A fire only asks the run service for a run. The run records the schedule and the
fire time it is for, under a unique key, so of several servers sharing a database
(or one restarting mid-fire) exactly one makes the run.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from pydantic import ValidationError

from ..errors import (
    AlreadyFired,
    AutoflowError,
    InvalidInput,
    NotFound,
    Unavailable,
    describe,
    field_of,
)
from ..models import (
    CatchUp,
    CronTriggerSpec,
    DataCheckResult,
    DateCounts,
    NewDataTriggerSpec,
    Overlap,
    Run,
    RunTrigger,
    Schedule,
    ScheduleCreate,
    ScheduleDate,
    ScheduleDateList,
    ScheduleList,
    ScheduleUpdate,
    TriggerKind,
    TriggerPreview,
    TriggerSpec,
    WorkflowRun,
)
from ..scheduling import (
    Clock,
    describe_trigger,
    latest_fire_between,
    next_fire_times,
    server_timezone_name,
    trigger_of,
    trigger_zone,
)
from ..scheduling.stencils import parse_stencil
from ..store import ScheduleStore, StoredSchedule
from ..store.schedules import Revision
from .data_trigger import DataTrigger
from .ownership import utcnow
from .retries import until_available
from .runs import RunService
from .schedule_targets import ScheduleTargets

log = logging.getLogger(__name__)

PREVIEW_FIRES = 5
# Schedules put on the clock between two turns of the event loop at start-up.
LOAD_BATCH = 100


class ScheduleService:
    """Keeps schedules, and (in a server) fires them.

    ``start`` loads every schedule into the clock, catching up missed fires, and
    re-reads the table every ``sync_interval`` seconds when another server or the
    command line changed it. The command line uses the service without starting it.
    """

    def __init__(
        self,
        store: ScheduleStore,
        runs: RunService,
        targets: ScheduleTargets,
        data: DataTrigger,
        catch_up_window: float,
        sync_interval: float,
    ) -> None:
        self._store = store
        self._runs = runs
        self._targets = targets
        self._data = data
        self._catch_up_window = catch_up_window
        self._sync_interval = sync_interval
        self._clock: Clock | None = None
        self._revision: Revision | None = None
        self._loaded: dict[int, datetime] = {}  # schedule id -> updated_at in the clock
        self._sync: asyncio.Task[None] | None = None
        self._closing = False

    # --- the API's verbs

    async def create(self, request: ScheduleCreate) -> Schedule:
        settings = await self._checked(request, trigger_changed=True)
        stored = await asyncio.to_thread(self._store.create, settings, utcnow())
        self._load(stored, just_saved=True)
        return await self._describe(stored)

    async def list(self) -> ScheduleList:
        return await asyncio.to_thread(self._list, await self._runs.live_instances())

    def _list(self, live: set[int]) -> ScheduleList:
        # In a thread: next fire times and descriptions take a while for many schedules.
        stored = self._store.all()
        last_runs = self._store.last_runs([s.id for s in stored])
        counts = self._data.counts(stored, live)
        return ScheduleList(
            schedules=[self._to_schedule(s, last_runs.get(s.id), counts.get(s.id)) for s in stored]
        )

    async def get(self, schedule_id: int) -> Schedule:
        return await self._describe(await asyncio.to_thread(self._store.get, schedule_id))

    async def update(self, schedule_id: int, change: ScheduleUpdate) -> Schedule:
        """Any field may change, and the result is validated like a create."""
        current = await asyncio.to_thread(self._store.get, schedule_id)
        fields = current.settings.model_dump()
        changes = change.model_dump(exclude_unset=True)
        if "name" in changes and changes["name"] is None:
            raise InvalidInput("A schedule needs a name.", field="name")
        fields.update(changes)
        try:
            request = ScheduleCreate.model_validate(fields)
        except ValidationError as error:
            raise InvalidInput(
                f"Invalid request body: {describe(error)}", field=field_of(error)
            ) from error
        trigger_changed = request.trigger != current.settings.trigger
        settings = await self._checked(request, trigger_changed=trigger_changed)
        stored = await asyncio.to_thread(self._store.update, schedule_id, settings, utcnow())
        self._load(stored, just_saved=True)
        return await self._describe(stored)

    async def delete(self, schedule_id: int) -> None:
        await asyncio.to_thread(self._store.delete, schedule_id)
        self._unload(schedule_id)

    async def pause(self, schedule_id: int) -> Schedule:
        return await self._set_paused(schedule_id, True)

    async def resume(self, schedule_id: int) -> Schedule:
        """Fire again from now on; fires missed while paused are not made up.

        Not a validation: a notebook changed meanwhile shows as a failed fire.
        """
        return await self._set_paused(schedule_id, False)

    async def _set_paused(self, schedule_id: int, paused: bool) -> Schedule:
        change = partial(self._store.set_paused, schedule_id, paused, utcnow())
        stored = await asyncio.to_thread(change)
        self._load(stored)
        return await self._describe(stored)

    async def run_now(self, schedule_id: int) -> Run | WorkflowRun:
        """A run with the schedule's settings, now: no fire time, so no overlap rule."""
        stored = await asyncio.to_thread(self._store.get, schedule_id)
        if _is_data_trigger(stored.settings):
            raise InvalidInput(
                "A data-trigger schedule runs once per reference date: check FlowAPI now "
                f"instead (Check now in Lab, 'autoflow schedule check {schedule_id}', or POST "
                f"schedules/{schedule_id}/check), or retry a failed date."
            )
        trigger = RunTrigger(kind=TriggerKind.SCHEDULE, schedule_id=stored.id)
        return await self._targets.start(stored.settings, trigger)

    async def check(self, schedule_id: int) -> DataCheckResult:
        """A data trigger's check of FlowAPI, now."""
        return await self._data.check(await self._data_schedule(schedule_id))

    async def dates(self, schedule_id: int) -> ScheduleDateList:
        return await self._data.dates(await self._data_schedule(schedule_id))

    async def retry_date(self, schedule_id: int, reference_date: date) -> ScheduleDate:
        return await self._data.retry(await self._data_schedule(schedule_id), reference_date)

    async def _data_schedule(self, schedule_id: int) -> StoredSchedule:
        stored = await asyncio.to_thread(self._store.get, schedule_id)
        if not _is_data_trigger(stored.settings):
            raise InvalidInput(
                f"Schedule {schedule_id} runs on time, not when FlowAPI has new data: it has "
                "no reference dates to check."
            )
        return stored

    async def preview(self, spec: TriggerSpec, sample_date: date | None = None) -> TriggerPreview:
        now = utcnow()
        spec = _with_timezone(spec)
        trigger = trigger_of(spec, anchor=now, now=now)
        zone = trigger_zone(spec)
        times = [time.astimezone(zone) for time in next_fire_times(trigger, now, PREVIEW_FIRES)]
        preview = TriggerPreview(description=describe_trigger(spec), next_fire_times=times)
        if isinstance(spec, NewDataTriggerSpec):
            day = sample_date or now.astimezone(zone).date()
            ranges = parse_stencil(spec.stencil).date_ranges(day)
            preview.sample_date = day
            preview.date_ranges = [[first, after] for first, after in ranges]
        return preview

    # --- the clock

    async def start(self) -> None:
        """Call once the event loop runs (a server's start hook)."""
        if self._closing:  # a server stopped during start-up stays stopped
            return
        self._clock = Clock(self._fire_once)
        self._clock.start()
        await until_available("load the schedules", partial(self._reload, catch_up=True))
        if self._closing:
            self._clock.shutdown()
            return
        self._sync = asyncio.create_task(self._keep_in_step(), name="autoflow-schedules")

    async def close(self) -> None:
        self._closing = True
        if self._sync is not None:
            self._sync.cancel()
            await asyncio.gather(self._sync, return_exceptions=True)
        if self._clock is not None:
            self._clock.shutdown()

    async def fire(self, schedule_id: int, scheduled_for: datetime) -> None:
        """Make the run for one fire, unless another server made it or it must be skipped.

        A notebook that changed or vanished since the schedule was saved gives a
        failed run saying why; the schedule stays.
        """
        try:
            stored = await asyncio.to_thread(self._store.get, schedule_id)
        except NotFound:  # deleted by another server since this one loaded it
            self._unload(schedule_id)
            return
        if stored.settings.paused:
            return
        if _is_data_trigger(stored.settings):  # each fire is a check of FlowAPI
            await self._data.check(stored)
            return
        if stored.settings.overlap is Overlap.SKIP:
            busy = partial(self._store.has_unfinished_run, schedule_id, scheduled_for)
            if await asyncio.to_thread(busy):
                skip = partial(self._store.record_skip, schedule_id, scheduled_for)
                if await asyncio.to_thread(skip):
                    log.info(
                        "Schedule %s skipped its fire at %s: its previous run has not ended",
                        schedule_id,
                        scheduled_for.isoformat(),
                    )
                return
        trigger = RunTrigger(
            kind=TriggerKind.SCHEDULE, schedule_id=schedule_id, scheduled_for=scheduled_for
        )
        try:
            await self._targets.start(stored.settings, trigger)
        except (AlreadyFired, Unavailable):
            raise
        except AutoflowError as refusal:
            log.warning("Schedule %s fired, but its run was refused: %s", schedule_id, refusal)
            await self._targets.record_refusal(stored.settings, trigger, refusal)
        log.info("Schedule %s fired for %s", schedule_id, scheduled_for)

    async def _fire_once(self, schedule_id: int, scheduled_for: datetime) -> None:
        """What the clock calls: one fire, its time recorded whoever made its run."""
        try:
            await self.fire(schedule_id, scheduled_for)
        except AlreadyFired:
            log.debug("Schedule %s: another server made the run for %s", schedule_id, scheduled_for)
        await asyncio.to_thread(self._store.record_fire, schedule_id, scheduled_for)

    async def _keep_in_step(self) -> None:
        while True:
            await asyncio.sleep(self._sync_interval)
            try:
                await self._reload(catch_up=False)
            except AutoflowError as error:  # the database is unavailable: next time
                log.warning("Schedules not re-read: %s", error)

    async def _reload(self, catch_up: bool) -> None:
        """Bring the clock in step with the table, if it changed since last read."""
        revision = await asyncio.to_thread(self._store.revision)
        if revision == self._revision:
            return
        self._revision = revision
        stored = await asyncio.to_thread(self._store.all)
        for gone in set(self._loaded) - {schedule.id for schedule in stored}:
            self._unload(gone)
        now = utcnow()
        for count, schedule in enumerate(stored, start=1):
            if self._loaded.get(schedule.id) == schedule.updated_at:
                continue
            self._load(schedule)
            if count % LOAD_BATCH == 0:  # let requests in between batches
                await asyncio.sleep(0)
            if catch_up:
                await self._catch_up(schedule, now)

    async def _catch_up(self, schedule: StoredSchedule, now: datetime) -> None:
        """Run the latest fire missed while no server ran, if the schedule asks for it."""
        settings = schedule.settings
        if settings.paused or settings.catch_up is CatchUp.SKIP or _is_data_trigger(settings):
            return  # a data trigger's next check finds every date it missed anyway
        window = settings.catch_up_window or self._catch_up_window
        since = max(schedule.last_fire_at or schedule.created_at, schedule.created_at)
        trigger = trigger_of(settings.trigger, anchor=schedule.created_at)
        missed = latest_fire_between(trigger, max(since, now - timedelta(seconds=window)), now)
        if missed is not None:
            log.info("Schedule %s catches up its fire missed at %s", schedule.id, missed)
            await self._fire_once(schedule.id, missed)

    def _load(self, schedule: StoredSchedule, just_saved: bool = False) -> None:
        if self._clock is None:  # the command line: nothing fires here
            return
        self._loaded[schedule.id] = schedule.updated_at
        trigger = trigger_of(schedule.settings.trigger, schedule.created_at)
        now = utcnow()
        upcoming = trigger.get_next_fire_time(None, now)
        # A past `once` is over (it fired, or catch-up decided about it at start-up),
        # unless its time passed while it was being saved: then it fires now.
        over = upcoming is None or (upcoming < now and not just_saved)
        if schedule.settings.paused or over:
            self._clock.remove(schedule.id)
            return
        self._clock.put(schedule.id, trigger)

    def _unload(self, schedule_id: int) -> None:
        self._loaded.pop(schedule_id, None)
        if self._clock is not None:
            self._clock.remove(schedule_id)

    # --- validation and answers

    async def _checked(self, request: ScheduleCreate, trigger_changed: bool) -> ScheduleCreate:
        """``request`` checked as a run of it would be, with its name and timezone filled in."""
        trigger = _with_timezone(request.trigger)
        now = utcnow()
        trigger_of(trigger, anchor=now, now=now if trigger_changed else None)
        if isinstance(trigger, NewDataTriggerSpec):
            parse_stencil(trigger.stencil)
        path, parameters, name = await self._targets.check(
            request, dated=isinstance(trigger, NewDataTriggerSpec)
        )
        return request.model_copy(
            update={
                "name": request.name or name,
                "notebook": path,
                "parameters": parameters,
                "trigger": trigger,
            }
        )

    async def _describe(self, stored: StoredSchedule) -> Schedule:
        live = await self._runs.live_instances()

        def describe() -> Schedule:
            last_run = self._store.last_runs([stored.id]).get(stored.id)
            return self._to_schedule(
                stored, last_run, self._data.counts([stored], live).get(stored.id)
            )

        return await asyncio.to_thread(describe)

    def _to_schedule(
        self, stored: StoredSchedule, last_run: Any, dates: DateCounts | None
    ) -> Schedule:
        settings = stored.settings
        times: list[datetime] = []
        if not settings.paused:
            trigger = trigger_of(settings.trigger, anchor=stored.created_at)
            zone = trigger_zone(settings.trigger)
            upcoming = next_fire_times(trigger, utcnow(), PREVIEW_FIRES)
            times = [time.astimezone(zone) for time in upcoming]
        return Schedule(
            id=stored.id,
            **settings.model_dump(exclude={"name"}),
            name=stored.name,
            description=describe_trigger(settings.trigger),
            next_fire_times=times,
            last_run=last_run,
            skipped_fires=stored.skipped_fires,
            last_skipped_at=stored.last_skipped_at,
            last_fire_at=stored.last_fire_at,
            last_check=stored.last_check,
            dates=dates,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
        )


def _is_data_trigger(settings: ScheduleCreate) -> bool:
    return isinstance(settings.trigger, NewDataTriggerSpec)


def _with_timezone(spec: TriggerSpec) -> TriggerSpec:
    """A cron without a timezone takes the server's, by name, so every server agrees."""
    if isinstance(spec, CronTriggerSpec | NewDataTriggerSpec) and spec.timezone is None:
        return spec.model_copy(update={"timezone": server_timezone_name()})
    return spec
