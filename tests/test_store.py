"""The run store against a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from autoflow_lab.errors import InvalidInput, NotFound
from autoflow_lab.models import RunError, RunProgress, RunStatus
from autoflow_lab.store import RunStore, open_database
from autoflow_lab.store.database import migrate, migrations_config

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = open_database(database_url)
    yield engine
    engine.dispose()


def test_new_database_is_migrated_to_the_current_schema(database: Engine) -> None:
    assert "runs" in inspect(database).get_table_names()
    with database.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == ScriptDirectory.from_config(migrations_config()).get_current_head()


def test_new_sqlite_database_is_in_wal_mode(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'nested' / 'runs.sqlite'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_opening_twice_keeps_existing_runs(database_url: str) -> None:
    url = database_url
    first = open_database(url)
    RunStore(first).create("a.ipynb", {}, None, T0, lambda i: f"out/{i}.ipynb")
    first.dispose()

    second = open_database(url)
    assert RunStore(second).get(1).notebook == "a.ipynb"
    second.dispose()


def test_database_made_by_the_first_release_is_upgraded_keeping_its_runs(database_url: str) -> None:
    # Given a database at the first release's schema (revision 0001) holding a run
    url = database_url
    old = create_engine(url)
    migrate(old, "0001")
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO runs (notebook, parameters, status, created_at, output)"
                " VALUES ('daily.ipynb', '{\"n\": 2}', 'succeeded', '2026-01-01 00:00:00',"
                " 'autoflow-runs/daily/x/daily.ipynb')"
            )
        )
    old.dispose()

    # When the current release opens it
    engine = open_database(url)

    # Then the schema is current and the run reads back, with the new field empty
    run = RunStore(engine).get(1)
    assert (run.notebook, run.parameters, run.kernel_name) == ("daily.ipynb", {"n": 2}, None)
    assert run.created_at == T0
    engine.dispose()


def test_run_lifecycle_round_trips_times_and_error(database: Engine) -> None:
    store = RunStore(database)
    run = store.create("a.ipynb", {"n": 1}, "python3", T0, lambda i: f"out/{i}/a.ipynb")
    assert (run.status, run.output) == (RunStatus.QUEUED, f"out/{run.id}/a.ipynb")

    assert store.start(run.id, T0 + timedelta(seconds=1)) is not None
    progress = RunProgress(cells_done=2, cells_total=5, current_cell=3)
    store.set_progress(run.id, progress)
    assert store.get(run.id).progress == progress
    error = RunError(cell_index=3, ename="ValueError", evalue="bad")
    done = store.mark_finished(run.id, RunStatus.FAILED, T0 + timedelta(seconds=5), error)

    assert store.get(run.id) == done
    assert done.error == error
    assert done.started_at == T0 + timedelta(seconds=1)
    assert done.finished_at is not None
    assert done.finished_at.tzinfo is not None


def test_only_a_queued_run_starts_or_is_cancelled_from_the_queue(database: Engine) -> None:
    store = RunStore(database)
    started = store.create("a.ipynb", {}, None, T0, str, timeout=60, cell_timeout=5)
    cancelled = store.create("a.ipynb", {}, None, T0, str)
    stop = RunError(cell_index=None, ename="Cancelled", evalue="cancelled before it started")

    assert store.start(started.id, T0) is not None
    assert store.cancel_queued(cancelled.id, T0, stop) is not None

    # a run that left the queue neither starts again nor is cancelled as if queued
    assert store.cancel_queued(started.id, T0, stop) is None
    assert store.start(cancelled.id, T0) is None
    assert store.get(started.id).status == RunStatus.RUNNING
    assert (store.get(started.id).timeout, store.get(started.id).cell_timeout) == (60, 5)
    assert store.get(cancelled.id).status == RunStatus.CANCELLED
    assert store.get(cancelled.id).error == stop
    with pytest.raises(NotFound):
        store.start(9999, T0)


def test_pages_walk_all_runs_newest_first(database: Engine) -> None:
    store = RunStore(database)
    ids = [store.create("a.ipynb", {}, None, T0, lambda i: f"{i}").id for _ in range(7)]

    seen, cursor = [], None
    while True:
        page = store.page(limit=3, cursor=cursor)
        seen += [run.id for run in page.runs]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert seen == sorted(ids, reverse=True)


def test_unknown_run_and_bad_cursor_are_domain_errors(database: Engine) -> None:
    store = RunStore(database)
    with pytest.raises(NotFound):
        store.get(99)
    with pytest.raises(InvalidInput):
        store.page(limit=10, cursor="-1")


def test_migrations_build_exactly_the_tables_the_code_declares(database: Engine) -> None:
    # When the migrated schema is compared with the SQLAlchemy tables
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from autoflow_lab.store.tables import Base

    with database.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)

    # Then they agree: every table, column, index and unique constraint
    assert differences == []


def test_database_made_by_the_previous_release_is_upgraded_keeping_its_runs(
    database_url: str,
) -> None:
    # Given a database at a previous release's schema (0004) holding a run
    url = database_url
    old = create_engine(url)
    migrate(old, "0004")
    with old.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO runs (notebook, parameters, status, created_at, trigger_kind)"
                " VALUES ('daily.ipynb', '{}', 'succeeded', '2026-01-01 00:00:00', 'cli')"
            )
        )
    old.dispose()

    # When it is opened now
    engine = open_database(url)

    # Then the run is kept, started by no schedule and no workflow, with no reports
    run = RunStore(engine).get(1)
    assert run.trigger.kind.value == "cli"
    assert run.trigger.schedule_id is None
    assert run.trigger.workflow_run_id is None
    assert run.reports == []
    tables = inspect(engine).get_table_names()
    assert {"schedules", "workflow_runs", "workflow_steps"} <= set(tables)
    engine.dispose()


def test_servers_opening_a_new_database_at_once_all_open_it_migrated_once(
    database_url: str,
) -> None:
    # When four servers open a new database at the same moment
    with ThreadPoolExecutor(4) as pool:
        engines = list(pool.map(lambda _: open_database(database_url), range(4)))

    # Then each opened it, and it holds the current schema once
    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    with engines[0].connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions == [(head,)]
    for engine in engines:
        assert RunStore(engine).page(limit=1, cursor=None).runs == []
        engine.dispose()
