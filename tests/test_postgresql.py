"""What only a database server does: it can go away and come back, and its connections
are a pool that can run dry. Both answer 503 with a message, never a 500."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text

from autoflow_lab.errors import Unavailable
from autoflow_lab.store import RunStore, open_database
from autoflow_lab.store import database as store_database

from .conftest import Api
from .notebooks import write_notebook
from .postgresql import Cluster, started_cluster
from .servers import JupyterProcess, start_server
from .waiting import eventually, eventually_async

AUTOFLOW = str(Path(sys.executable).with_name("autoflow"))


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """A cluster of the test's own, which it may stop without disturbing other tests."""
    yield from started_cluster()


@pytest.fixture
def jp_server_config(own_cluster: Cluster) -> dict[str, Any]:
    url = own_cluster.url(own_cluster.create_database())
    settings = {"max_concurrent_runs": 1, "database_url": url, "database_pool_size": 3}
    return {
        "ServerApp": {"jpserver_extensions": {"autoflow_lab": True}},
        "AutoflowApp": settings,
    }


async def test_a_stopped_database_server_answers_503_until_it_is_back(
    own_cluster: Cluster, api: Api, wait_for_run: Any, jp_root_dir: Path
) -> None:
    # Given a server whose runs live in PostgreSQL, with a run done
    write_notebook(jp_root_dir / "a.ipynb", "1 + 1")
    status, run = await api("POST", "runs", {"notebook": "a.ipynb"})
    assert status == 202, run
    assert (await wait_for_run(run["id"]))["status"] == "succeeded"

    # When the database server stops
    own_cluster.stop()

    # Then every request says the database is unavailable, not a 500
    for method, route in [("GET", "runs"), ("GET", "schedules"), ("GET", "runs"), ("POST", "runs")]:
        body = {"notebook": "a.ipynb"} if method == "POST" else None
        status, answer = await api(method, route, body)
        assert (status, route) == (503, route), answer
        assert "run database is unavailable" in answer["message"]

    # And once it is back, requests succeed again without restarting the server
    own_cluster.start()

    async def answers() -> bool:
        return (await api("GET", "runs"))[0] == 200

    assert await eventually_async(answers, 30, what="the server to reach the database again")
    _, page = await api("GET", "runs")
    assert [r["id"] for r in page["runs"]] == [run["id"]]
    # And runs execute again
    status, again = await api("POST", "runs", {"notebook": "a.ipynb"})
    assert status == 202, again
    assert (await wait_for_run(again["id"]))["status"] == "succeeded"


async def test_a_run_that_ends_while_the_database_server_is_down_is_recorded_once_it_is_back(
    own_cluster: Cluster,
    api: Api,
    wait_for_run: Any,
    jp_root_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a run under way that ends once told to
    release = jp_root_dir / "release"
    write_notebook(
        jp_root_dir / "slow.ipynb",
        f"import os, time\nwhile not os.path.exists({str(release)!r}):\n    time.sleep(0.1)",
    )
    status, run = await api("POST", "runs", {"notebook": "slow.ipynb"})
    assert status == 202, run

    async def running() -> bool:
        return (await api("GET", f"runs/{run['id']}"))[1]["status"] == "running"

    await eventually_async(running, 60, what="the run to start")

    # When the database server stops, and the run ends while it is down
    own_cluster.stop()
    release.touch()
    refused = f"Could not record the outcome of run {run['id']}"

    async def outcome_refused() -> bool:
        return refused in caplog.text

    await eventually_async(outcome_refused, 60, what="the outcome to meet the outage")

    # Then once the database server is back, the run's outcome is recorded
    own_cluster.start()
    finished = await wait_for_run(run["id"], timeout=60)
    assert finished["status"] == "succeeded"


async def test_the_pool_has_the_configured_size(jp_serverapp: Any) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["autoflow_lab"]

    assert app.runs.engine.pool.size() == 3


def test_a_pool_whose_connections_all_stay_busy_answers_503(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a pool of one connection (and one more under load) that waits 0.2 s for one
    monkeypatch.setattr(store_database, "POOL_TIMEOUT_SECONDS", 0.2)
    engine = open_database(postgresql_url, pool_size=1)
    store = RunStore(engine)

    # When both connections are busy elsewhere, then a query is refused with a message
    # naming the setting
    with (
        engine.connect(),
        engine.connect(),
        pytest.raises(Unavailable, match="database_pool_size"),
    ):
        store.page(limit=1, cursor=None)

    # And it works once they are free again
    assert store.page(limit=1, cursor=None).runs == []
    engine.dispose()


def test_a_connection_in_use_when_the_database_is_closed_is_closed_when_given_back(
    postgresql_cluster: Cluster, postgresql_url: str
) -> None:
    # Given a query under way in a thread when the server stops and closes its database
    engine = open_database(postgresql_url)
    busy = engine.connect()
    busy.execute(text("SELECT 1"))
    engine.dispose()

    # When the thread is done with its connection
    busy.close()

    # Then the connection is closed, not left open in a pool no one uses
    database = make_url(postgresql_url).database
    assert database is not None
    eventually(lambda: postgresql_cluster.sessions(database) == 0, 10, what="no connections")


def test_a_command_and_a_server_share_one_postgresql_history(
    postgresql_url: str, tmp_path: Path, servers: list[JupyterProcess]
) -> None:
    # Given a folder with a notebook, and a server on a PostgreSQL database
    root = tmp_path / "root"
    write_notebook(root / "hello.ipynb", "print('hello')")
    server = start_server(servers, root, f"--AutoflowApp.database_url={postgresql_url}")

    # When `autoflow run` runs the notebook on the same database
    done = subprocess.run(
        [AUTOFLOW, "run", "hello.ipynb", "--database-url", postgresql_url, "-q"],
        cwd=root,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")},  # the server's
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    # Then it succeeds, and the server lists its run as the command's, succeeded
    assert done.returncode == 0, done.stderr
    (run,) = server.api("GET", "runs")["runs"]
    assert (run["status"], run["trigger"]["kind"]) == ("succeeded", "cli")
    assert not (root / "autoflow-runs" / ".autoflow.sqlite").exists()
