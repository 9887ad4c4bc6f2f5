"""Schedules across real server processes: restarts, catch-up, and exactly one run per
fire when two servers share one database, SQLite or PostgreSQL (also when one is killed
mid-fire)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from autoflow_lab.store.tables import InstanceRow, RunRow

from .notebooks import write_notebook
from .postgresql import ServerDatabase, on_both_databases
from .servers import JupyterProcess, start_server
from .waiting import eventually

# Servers notice each other's schedules and gone owners within a second or two.
QUICK_SYNC = {"heartbeat_interval": 0.5, "owner_timeout": 3}


@pytest.fixture
def root(tmp_path: Path, server_database: ServerDatabase) -> Path:
    write_notebook(tmp_path / "root" / "tick.ipynb", "1 + 1")
    config = tmp_path / "config" / "jupyter_server_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"AutoflowApp": QUICK_SYNC | server_database.settings}))
    return tmp_path / "root"


def _fires(database: ServerDatabase, schedule_id: int) -> list[tuple[datetime, int]]:
    """Each run of the schedule's fires, as (scheduled time, owner), read from the database."""
    rows = database.rows(
        select(RunRow.scheduled_for, RunRow.owner_id)
        .where(RunRow.schedule_id == schedule_id, RunRow.scheduled_for.is_not(None))
        .order_by(RunRow.scheduled_for)
    )
    return [(when, owner) for when, owner in rows]


def _every_second(name: str, start: datetime | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "notebook": "tick.ipynb",
        "trigger": {"kind": "interval", "seconds": 1, "start": start and start.isoformat()},
        "overlap": "queue",
    }


def _scheduled_times(server: JupyterProcess, schedule_id: int) -> list[datetime]:
    runs = server.api("GET", f"runs?schedule={schedule_id}&limit=500")["runs"]
    return sorted(
        datetime.fromisoformat(run["trigger"]["scheduled_for"])
        for run in runs
        if run["trigger"]["scheduled_for"]
    )


def test_two_servers_on_one_database_make_exactly_one_run_per_fire(
    root: Path, servers: list[JupyterProcess], server_database: ServerDatabase
) -> None:
    # Given two servers on one folder, so one database
    first = start_server(servers, root)
    second = start_server(servers, root)
    # And a schedule firing every second, created on the first
    schedule = first.api("POST", "schedules", _every_second("tick"))
    # And known to the second
    eventually(lambda: second.api("GET", f"schedules/{schedule['id']}"), what="the second sees it")

    # When both fire it for 30 seconds
    time.sleep(30)
    first.api("POST", f"schedules/{schedule['id']}/pause")
    time.sleep(1.5)  # a fire already under way when the pause landed is recorded

    # Then every scheduled second from the first to the last has exactly one run
    fires = _fires(server_database, schedule["id"])
    times = [when for when, _ in fires]
    assert len(times) >= 28, times
    assert len(set(times)) == len(times)
    assert times == [times[0] + timedelta(seconds=i) for i in range(len(times))]


# On PostgreSQL too (and not the test above: this one has both servers fire at once for
# five seconds, which proves one run per fire as well, in half the time).
@on_both_databases
def test_when_the_server_that_fires_is_killed_the_other_goes_on_firing(
    root: Path, servers: list[JupyterProcess], server_database: ServerDatabase
) -> None:
    # Given two servers on one database firing a schedule every second
    first = start_server(servers, root)
    second = start_server(servers, root)
    schedule = second.api("POST", "schedules", _every_second("tick"))
    eventually(lambda: first.api("GET", f"schedules/{schedule['id']}"), what="the first sees it")
    eventually(lambda: len(_fires(server_database, schedule["id"])) >= 5, what="five fires")

    # When the server whose instance made the latest run is killed mid-fire
    owner = _fires(server_database, schedule["id"])[-1][1]
    ((pid,),) = server_database.rows(select(InstanceRow.pid).where(InstanceRow.id == owner))
    killed, survivor = (first, second) if first.process.pid == pid else (second, first)
    killed.kill()
    killed_at = datetime.now(timezone.utc)

    # Then the other keeps firing: the fires after the kill are its own, with no second
    # skipped and none twice
    eventually(
        lambda: sum(when > killed_at for when, _ in _fires(server_database, schedule["id"])) >= 5,
        what="five fires after the kill",
    )
    survivor.api("POST", f"schedules/{schedule['id']}/pause")
    time.sleep(1.5)
    fires = _fires(server_database, schedule["id"])
    times = [when for when, _ in fires]
    assert times == [times[0] + timedelta(seconds=i) for i in range(len(times))]
    assert {who for when, who in fires if when > killed_at + timedelta(seconds=1)} != {owner}


def test_schedules_persist_across_a_restart_and_catch_up_as_each_asks(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given two hourly schedules whose first fire is 6 s away, one catching up the latest
    # missed fire and one skipping missed fires, and one firing every second
    server = start_server(servers, root)
    first_fire = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=6)
    hourly = {"kind": "interval", "seconds": 3600, "start": first_fire.isoformat()}
    skip = server.api(
        "POST", "schedules", {**_every_second("skip"), "trigger": hourly, "catch_up": "skip"}
    )
    latest = server.api(
        "POST", "schedules", {**_every_second("latest"), "trigger": hourly, "catch_up": "latest"}
    )
    ticking = server.api("POST", "schedules", _every_second("ticking"))

    # When the server is stopped before that fire and started again after it
    server.stop()
    eventually(lambda: datetime.now(timezone.utc) > first_fire + timedelta(seconds=2))
    restarted_at = datetime.now(timezone.utc)
    server = start_server(servers, root)

    # Then the schedules are all still there
    names = [s["name"] for s in server.api("GET", "schedules")["schedules"]]
    assert names == ["skip", "latest", "ticking"]
    # And "latest" made one run for the fire missed while no server ran
    eventually(lambda: _scheduled_times(server, latest["id"]), what="the catch-up run")
    assert _scheduled_times(server, latest["id"]) == [first_fire]
    # And the every-second schedule fires again
    eventually(
        lambda: [t for t in _scheduled_times(server, ticking["id"]) if t > restarted_at],
        what="a fire after the restart",
    )
    # And "skip" made no run for its missed fire
    assert _scheduled_times(server, skip["id"]) == []
    next_fire = server.api("GET", f"schedules/{skip['id']}")["next_fire_times"][0]
    assert datetime.fromisoformat(next_fire) == first_fire + timedelta(hours=1)
