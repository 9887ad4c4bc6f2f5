"""Schedules across real server processes: restarts, catch-up, and exactly one run per
fire when two servers share one SQLite database (also when one is killed mid-fire)."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from .notebooks import write_notebook
from .servers import JupyterProcess, start_server
from .waiting import eventually

# Servers notice each other's schedules and gone owners within a second or two.
QUICK_SYNC = {"heartbeat_interval": 0.5, "owner_timeout": 3}
DATABASE = Path("autoflow-runs") / ".autoflow.sqlite"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_notebook(tmp_path / "root" / "tick.ipynb", "1 + 1")
    config = tmp_path / "config" / "jupyter_server_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"AutoflowApp": QUICK_SYNC}))
    return tmp_path / "root"


def _fires(root: Path, schedule_id: int) -> list[tuple[datetime, int]]:
    """Each run of the schedule's fires, as (scheduled time, owner), read from the database."""
    with sqlite3.connect(root / DATABASE) as database:
        rows = database.execute(
            "SELECT scheduled_for, owner_id FROM runs"
            " WHERE schedule_id = ? AND scheduled_for IS NOT NULL ORDER BY scheduled_for",
            (schedule_id,),
        ).fetchall()
    return [
        (datetime.fromisoformat(when).replace(tzinfo=timezone.utc), owner) for when, owner in rows
    ]


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
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given two servers on one folder, so one SQLite database
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
    fires = _fires(root, schedule["id"])
    times = [when for when, _ in fires]
    assert len(times) >= 28, times
    assert len(set(times)) == len(times)
    assert times == [times[0] + timedelta(seconds=i) for i in range(len(times))]


def test_when_the_server_that_fires_is_killed_the_other_goes_on_firing(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given two servers on one database firing a schedule every second
    first = start_server(servers, root)
    second = start_server(servers, root)
    schedule = second.api("POST", "schedules", _every_second("tick"))
    eventually(lambda: first.api("GET", f"schedules/{schedule['id']}"), what="the first sees it")
    eventually(lambda: len(_fires(root, schedule["id"])) >= 5, what="five fires")

    # When the server whose instance made the latest run is killed mid-fire
    owner = _fires(root, schedule["id"])[-1][1]
    with sqlite3.connect(root / DATABASE) as database:
        (pid,) = database.execute("SELECT pid FROM instances WHERE id = ?", (owner,)).fetchone()
    killed, survivor = (first, second) if first.process.pid == pid else (second, first)
    killed.kill()
    killed_at = datetime.now(timezone.utc)

    # Then the other keeps firing: the fires after the kill are its own, with no second
    # skipped and none twice
    eventually(
        lambda: sum(when > killed_at for when, _ in _fires(root, schedule["id"])) >= 5,
        what="five fires after the kill",
    )
    survivor.api("POST", f"schedules/{schedule['id']}/pause")
    time.sleep(1.5)
    fires = _fires(root, schedule["id"])
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
