"""A locked, deleted or replaced run database: clear 503s, and no run stuck in ``running``."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from autoflow_lab.store import default_database_url, open_database

from .notebooks import write_notebook
from .servers import JupyterProcess, start_server
from .waiting import eventually

pytestmark = pytest.mark.autoflow_config(max_concurrent_runs=1)


def _database(root: Path) -> Path:
    return root / "autoflow-runs" / ".autoflow.sqlite"


class ExclusiveLock:
    """Another process's write lock on the database, held until released."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._held = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def __enter__(self) -> ExclusiveLock:
        self._thread.start()
        assert self._held.wait(10), "could not lock the database"
        return self

    def __exit__(self, *_: object) -> None:
        self._release.set()
        self._thread.join(10)

    def _hold(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        self._held.set()
        self._release.wait()
        connection.execute("ROLLBACK")
        connection.close()


async def test_a_locked_database_answers_503_and_the_run_still_finishes(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a run about to finish
    write_notebook(jp_root_dir / "quick.ipynb", "import time; time.sleep(3)", "print('done')")
    status, run = await api("POST", "runs", {"notebook": "quick.ipynb"})
    assert status == 202, run

    # When another process locks the database for longer than the server waits for it
    with ExclusiveLock(_database(jp_root_dir)):
        status, body = await api("POST", "runs", {"notebook": "quick.ipynb"})
        # Then writes answer 503 with a message, not a 500
        assert status == 503
        assert "run database is unavailable" in body["message"]
        assert "locked" in body["message"]
        await asyncio.sleep(3)  # the run finishes while the database is locked

    # And once the lock is gone, the run's outcome is recorded rather than left running
    finished = await wait_for_run(run["id"], timeout=60)
    assert finished["status"] == "succeeded"
    _, page = await api("GET", "runs")
    assert [r["id"] for r in page["runs"]] == [run["id"]]  # the refused request created nothing


async def test_a_deleted_database_is_reported_and_not_recreated(jp_root_dir: Path, api) -> None:
    # Given a server with a run in its history
    write_notebook(jp_root_dir / "quick.ipynb", "print('done')")
    status, _ = await api("POST", "runs", {"notebook": "quick.ipynb"})
    assert status == 202
    database = _database(jp_root_dir)

    # When its database file is deleted under it
    for path in database.parent.glob(database.name + "*"):
        path.unlink()

    # Then requests say so clearly, and no new empty history appears in its place
    status, body = await api("GET", "runs")
    assert status == 503
    assert "was deleted or replaced while in use" in body["message"]
    status, body = await api("POST", "runs", {"notebook": "quick.ipynb"})
    assert status == 503
    assert not database.exists()


def test_a_server_starting_while_the_database_is_locked_starts_once_it_is_free(
    tmp_path: Path, servers: list[JupyterProcess]
) -> None:
    # Given a run database that another process holds locked
    root = tmp_path / "root"
    write_notebook(root / "quick.ipynb", "print('done')")
    open_database(default_database_url(root / "autoflow-runs")).dispose()
    with ExclusiveLock(_database(root)):
        # When a server starts on it, and the lock outlasts the server's wait for it
        server = start_server(servers, root)
        eventually(lambda: "retrying" in server.log.read_text(), 30, "the server to retry")

    # Then the server registers once the lock is gone, and runs notebooks
    run = server.api("POST", "runs", {"notebook": "quick.ipynb"})
    finished = eventually(
        lambda: (
            (found := server.api("GET", f"runs/{run['id']}"))["status"] == "succeeded" and found
        ),
        60,
        "the run to succeed",
    )
    assert finished["status"] == "succeeded"
