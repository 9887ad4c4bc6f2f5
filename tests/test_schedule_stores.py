"""The schedule, reference-date and workflow-run stores on SQLite and PostgreSQL: what
they keep reads back the same, and each exactly-once rule holds in the database, also
when several threads (as several servers would) try at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine

from autoflow_lab.errors import AlreadyFired
from autoflow_lab.models import (
    CheckStatus,
    FlowapiCheck,
    RunStatus,
    RunTrigger,
    ScheduleCreate,
    TriggerKind,
)
from autoflow_lab.store import (
    RunStore,
    ScheduleDateStore,
    ScheduleStore,
    WorkflowRunStore,
    open_database,
)
from autoflow_lab.store.workflows import StepState

T0 = datetime(2026, 1, 1, 6, 30, tzinfo=timezone.utc)
RACERS = 8
WORKFLOW = {
    "name": "daily",
    "steps": [
        {"key": "load", "notebook": "load.ipynb"},
        {
            "key": "report",
            "notebook": "report.ipynb",
            "parameters": {"data": {"from": "steps.load"}},
        },
    ],
}
T = TypeVar("T")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def _race(attempt: Callable[[], T]) -> list[T]:
    """``attempt`` made by ``RACERS`` threads at once, each with its own connection."""
    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(lambda _: attempt(), range(RACERS)))


def _schedule(store: ScheduleStore, **changes: Any) -> int:
    settings = ScheduleCreate.model_validate(
        {
            "name": "hourly",
            "notebook": "a.ipynb",
            "parameters": {"region": "north", "days": [1, 2]},
            "trigger": {"kind": "cron", "expression": "0 * * * *", "timezone": "Europe/Paris"},
            **changes,
        }
    )
    return store.create(settings, T0).id


def _fire(schedule_id: int, at: datetime) -> RunTrigger:
    return RunTrigger(kind=TriggerKind.SCHEDULE, schedule_id=schedule_id, scheduled_for=at)


def test_a_schedule_reads_back_as_stored(engine: Engine) -> None:
    store = ScheduleStore(engine)
    schedule_id = _schedule(store, paused=True, timeout=30.5)

    stored = store.get(schedule_id)

    assert stored.settings.parameters == {"region": "north", "days": [1, 2]}
    assert stored.settings.trigger.model_dump() == {
        "kind": "cron",
        "expression": "0 * * * *",
        "timezone": "Europe/Paris",
    }
    assert (stored.settings.paused, stored.settings.timeout) == (True, 30.5)
    assert (stored.created_at, stored.updated_at) == (T0, T0)
    assert store.revision() == (1, schedule_id, T0)


def test_a_check_is_recorded_without_changing_the_schedule(engine: Engine) -> None:
    store = ScheduleStore(engine)
    schedule_id = _schedule(store)
    check = FlowapiCheck(at=T0 + timedelta(hours=1), status=CheckStatus.DENIED, message="403")

    store.record_check(schedule_id, check)

    assert store.get(schedule_id).last_check == check
    assert store.get(schedule_id).updated_at == T0


def test_a_fire_makes_one_run_however_many_servers_fire_it(engine: Engine) -> None:
    # Given a schedule and its fire at 07:00
    schedule_id = _schedule(ScheduleStore(engine))
    runs = RunStore(engine)

    def fire() -> bool:
        try:
            runs.create("a.ipynb", {}, None, T0, str, trigger=_fire(schedule_id, T0))
        except AlreadyFired:
            return False
        return True

    # When eight servers make its run at once
    made = _race(fire)

    # Then one run was made and the others were told it exists
    assert made.count(True) == 1
    assert len(runs.page(limit=50, cursor=None, schedule=schedule_id).runs) == 1


def test_a_skipped_fire_is_counted_once_and_the_last_fire_never_moves_back(
    engine: Engine,
) -> None:
    store = ScheduleStore(engine)
    schedule_id = _schedule(store)

    counted = _race(lambda: store.record_skip(schedule_id, T0))
    store.record_fire(schedule_id, T0 + timedelta(hours=2))
    store.record_fire(schedule_id, T0 + timedelta(hours=1))

    assert counted.count(True) == 1
    stored = store.get(schedule_id)
    assert (stored.skipped_fires, stored.last_skipped_at) == (1, T0)
    assert stored.last_fire_at == T0 + timedelta(hours=2)


def test_a_schedule_with_a_queued_run_from_an_earlier_fire_is_busy(engine: Engine) -> None:
    store = ScheduleStore(engine)
    schedule_id = _schedule(store)
    RunStore(engine).create("a.ipynb", {}, None, T0, str, trigger=_fire(schedule_id, T0))

    assert store.has_unfinished_run(schedule_id, T0 + timedelta(hours=1))
    assert not store.has_unfinished_run(schedule_id, T0)  # that fire's own run
    last = store.last_runs([schedule_id])[schedule_id]
    assert (last.status, last.scheduled_for) == (RunStatus.QUEUED, T0)


def _dates_store(engine: Engine) -> tuple[ScheduleDateStore, int]:
    schedule_id = _schedule(
        ScheduleStore(engine), trigger={"kind": "new_data", "event_types": ["calls"]}
    )
    return ScheduleDateStore(engine), schedule_id


DAYS = [date(2016, 1, day) for day in (1, 2, 3)]


def test_dates_seen_by_several_servers_at_once_are_recorded_once(engine: Engine) -> None:
    dates, schedule_id = _dates_store(engine)

    new = _race(lambda: dates.record_available(schedule_id, "h", DAYS[:2], DAYS, T0))

    stored = dates.dates(schedule_id, "h")
    assert [d.reference_date for d in stored] == DAYS[::-1]
    assert [d.available for d in stored] == [False, True, True]
    assert sum(new) >= 3  # every date counted new by at least one of them
    assert dates.record_available(schedule_id, "h", DAYS, DAYS, T0) == 0
    assert all(d.available for d in dates.dates(schedule_id, "h"))


def test_of_servers_claiming_a_date_at_once_one_takes_it(engine: Engine) -> None:
    # Given a new date
    dates, schedule_id = _dates_store(engine)
    dates.record_available(schedule_id, "h", DAYS[:1], DAYS[:1], T0)
    seen = dates.get(schedule_id, "h", DAYS[0])

    # When eight servers claim its first attempt at once
    claimed = _race(lambda: dates.claim(seen.id, seen.attempts, owner_id=7, now=T0))

    # Then one did, and the date records the attempt as that server's
    assert claimed.count(True) == 1
    after = dates.get(schedule_id, "h", DAYS[0])
    assert (after.attempts, after.owner_id, after.run_id) == (1, 7, None)


def test_a_claimed_date_reads_as_its_run_once_the_run_is_recorded(engine: Engine) -> None:
    dates, schedule_id = _dates_store(engine)
    dates.record_available(schedule_id, "h", DAYS, DAYS, T0)
    seen = dates.get(schedule_id, "h", DAYS[0])
    assert dates.claim(seen.id, 0, owner_id=7, now=T0)
    run = RunStore(engine).create("a.ipynb", {}, None, T0, str)

    dates.record_run(seen.id, 1, T0, run_id=run.id)

    after = dates.get(schedule_id, "h", DAYS[0])
    assert (after.run_id, after.owner_id, after.run_status) == (run.id, None, RunStatus.QUEUED)
    assert len(dates.all_dates({schedule_id: "h"})[schedule_id]) == 3
    assert dates.all_dates({schedule_id: "other"}) == {schedule_id: []}


def test_a_released_claim_can_be_taken_again(engine: Engine) -> None:
    dates, schedule_id = _dates_store(engine)
    dates.record_available(schedule_id, "h", DAYS[:1], DAYS[:1], T0)
    seen = dates.get(schedule_id, "h", DAYS[0])
    assert dates.claim(seen.id, 0, owner_id=7, now=T0)

    dates.release(seen.id, 1)

    assert dates.claim(seen.id, 0, owner_id=8, now=T0)
    assert not dates.rearm(seen.id, 0, T0)  # the date moved on meanwhile
    assert dates.rearm(seen.id, 1, T0)


def _workflow_run(store: WorkflowRunStore, trigger: RunTrigger | None = None) -> int:
    stored = store.create(
        "daily.autoflow.yaml",
        WORKFLOW,
        {},
        {"reference_date": "2016-01-01"},
        T0,
        trigger or RunTrigger(kind=TriggerKind.MANUAL),
        owner_id=1,
    )
    return stored.id


def test_a_workflow_run_reads_back_with_its_steps_in_order(engine: Engine) -> None:
    store = WorkflowRunStore(engine)

    stored = store.get(_workflow_run(store))

    assert [step.key for step in stored.wire.steps] == ["load", "report"]
    assert stored.wire.steps[1].depends_on == ["load"]
    assert stored.context == {"reference_date": "2016-01-01"}
    assert (stored.wire.status, stored.owner_id, stored.cancel_requested) == (
        RunStatus.RUNNING,
        1,
        False,
    )


def test_a_fire_makes_one_workflow_run_however_many_servers_fire_it(engine: Engine) -> None:
    schedule_id = _schedule(ScheduleStore(engine), notebook="daily.autoflow.yaml")
    store = WorkflowRunStore(engine)

    def fire() -> bool:
        try:
            _workflow_run(store, _fire(schedule_id, T0))
        except AlreadyFired:
            return False
        return True

    assert _race(fire).count(True) == 1


def test_of_servers_advancing_a_step_at_once_one_makes_the_change(engine: Engine) -> None:
    store = WorkflowRunStore(engine)
    workflow_run_id = _workflow_run(store)

    changed = _race(
        lambda: store.update_step(
            workflow_run_id, "load", StepState.PENDING, 0, status=StepState.ACTIVE, attempts=1
        )
    )

    assert changed.count(True) == 1
    step = store.get(workflow_run_id).steps["load"]
    assert (step.state, step.attempts) == (StepState.ACTIVE, 1)


def test_of_servers_resuming_a_finished_workflow_run_at_once_one_does(engine: Engine) -> None:
    # Given a failed workflow run
    store = WorkflowRunStore(engine)
    workflow_run_id = _workflow_run(store)
    assert store.finish(workflow_run_id, RunStatus.FAILED, T0, "load failed", owner_id=1)

    # When eight servers resume it at once
    resumed = _race(lambda: store.resume(workflow_run_id, WORKFLOW, ["load"], owner_id=2))

    # Then one resumed it and the others were told it runs already
    assert resumed.count(True) == 1
    assert store.get(workflow_run_id).wire.status is RunStatus.RUNNING
