"""Run ownership in the store: every transition is conditional on the run's owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, update

from autoflow_lab.models import Run, RunError, RunStatus
from autoflow_lab.services.ownership import Ownership
from autoflow_lab.store import Instance, InstanceKind, InstanceStore, RunStore, open_database
from autoflow_lab.store.tables import InstanceRow

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
GONE = RunError(cell_index=None, ename="Interrupted", evalue="interrupted")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def _queued(store: RunStore, owner: int | None) -> Run:
    return store.create("a.ipynb", {}, "python3", T0, lambda i: f"out/{i}/a.ipynb", owner_id=owner)


def test_only_the_owner_starts_and_finishes_its_run(engine: Engine) -> None:
    store = RunStore(engine)
    run = _queued(store, owner=1)

    assert store.start(run.id, T0, owner_id=2) is None
    assert store.start(run.id, T0, owner_id=1) is not None
    assert store.mark_finished(run.id, RunStatus.SUCCEEDED, T0, None, owner_id=2) is None
    finished = store.mark_finished(run.id, RunStatus.SUCCEEDED, T0, None, owner_id=1)
    assert finished is not None
    assert finished.status is RunStatus.SUCCEEDED


def test_of_two_sweepers_only_one_settles_an_orphan(engine: Engine) -> None:
    store = RunStore(engine)
    run = _queued(store, owner=1)

    first = store.settle(run.id, 1, T0, GONE)
    second = store.adopt(run.id, 1, owner_id=3)

    assert first is not None
    assert first.status is RunStatus.FAILED
    assert second is None


def test_the_owner_cannot_record_an_outcome_once_its_run_was_settled(engine: Engine) -> None:
    store = RunStore(engine)
    run = _queued(store, owner=1)
    store.start(run.id, T0, owner_id=1)

    store.settle(run.id, 1, T0, GONE)

    assert store.mark_finished(run.id, RunStatus.SUCCEEDED, T0, None, owner_id=1) is None
    assert store.get(run.id).status is RunStatus.FAILED


def _instance(**changes: object) -> Instance:
    fields: dict[str, object] = {
        "id": 1,
        "kind": InstanceKind.SERVER,
        "hostname": "elsewhere",
        "pid": 1,
        "heartbeat_at": T0,
    }
    return Instance(**{**fields, **changes})  # type: ignore[arg-type]


def test_an_instance_is_gone_when_its_heartbeat_is_older_than_the_timeout() -> None:
    assert _instance(heartbeat_at=T0).is_gone(T0 + timedelta(seconds=1), "here")
    assert not _instance(heartbeat_at=T0).is_gone(T0 - timedelta(seconds=1), "here")


def test_an_instance_on_this_machine_is_gone_once_its_process_has_exited() -> None:
    exited = 2**22 + 7  # above Linux's largest pid
    assert _instance(hostname="here", pid=exited).is_gone(T0 - timedelta(1), "here")
    assert not _instance(hostname="here", pid=1).is_gone(T0 - timedelta(1), "here")


async def test_a_sweep_settles_runs_of_silent_owners_and_leaves_live_ones(engine: Engine) -> None:
    # Given runs of a live owner, of a silent one on another machine, and one from before owners
    store, instances = RunStore(engine), InstanceStore(engine)
    now = datetime.now(timezone.utc)
    live = instances.register(InstanceKind.SERVER, now)
    silent = instances.register(InstanceKind.SERVER, now - timedelta(minutes=5))
    with engine.begin() as connection:
        connection.execute(
            update(InstanceRow).where(InstanceRow.id == silent.id).values(hostname="elsewhere")
        )
    runs = [_queued(store, owner) for owner in (live.id, silent.id, None)]
    ownership = Ownership(instances, store, InstanceKind.SERVER, 60, 10)
    await ownership.register()
    settled: list[tuple[int, int | None]] = []

    async def settle(run: Run, owner: int | None, record: Instance | None) -> None:
        settled.append((run.id, owner))

    # When this server sweeps
    await ownership.sweep(settle)

    # Then only the silent owner's run and the ownerless one are settled, and the
    # silent owner is forgotten
    assert settled == [(runs[1].id, silent.id), (runs[2].id, None)]
    assert silent.id not in {instance.id for instance in instances.all()}
