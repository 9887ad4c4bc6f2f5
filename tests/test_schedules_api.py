"""Schedules through the REST API: real server, real APScheduler clock, real kernels."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .notebooks import write_notebook
from .waiting import eventually_async


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _every(seconds: float) -> dict[str, Any]:
    return {"kind": "interval", "seconds": seconds, "start": None}


@pytest.fixture
def daily(jp_root_dir: Path) -> str:
    write_notebook(jp_root_dir / "daily.ipynb", "print(minutes * 2)", parameters="minutes = 5")
    return "daily.ipynb"


async def _schedule_runs(api, schedule_id: int) -> list[dict[str, Any]]:
    status, page = await api("GET", "runs", schedule=str(schedule_id), limit="500")
    assert status == 200, page
    return list(page["runs"])


async def test_cron_schedule_is_described_with_next_fire_times_in_its_timezone(
    api, daily: str
) -> None:
    # When a weekday cron schedule is created in London
    trigger = {"kind": "cron", "expression": "0 6 * * 1-5", "timezone": "Europe/London"}
    status, schedule = await api(
        "POST", "schedules", {"notebook": daily, "trigger": trigger, "parameters": {"minutes": 7}}
    )

    # Then it is stored with a name, a description and 5 weekday 06:00 London fire times
    assert status == 201, schedule
    assert schedule["name"] == "daily"
    assert schedule["parameters"] == {"minutes": 7}
    assert schedule["description"] == "At 06:00, Monday through Friday (Europe/London)"
    fires = [_time(t) for t in schedule["next_fire_times"]]
    assert len(fires) == 5
    assert all(t.utcoffset() is not None for t in fires)
    london = [t.astimezone(ZoneInfo("Europe/London")) for t in fires]
    assert all((t.hour, t.minute, t.weekday() < 5) == (6, 0, True) for t in london)
    assert schedule["last_run"] is None
    assert schedule["skipped_fires"] == 0
    # And the list and the schedule's own route show it
    status, listed = await api("GET", "schedules")
    assert [s["id"] for s in listed["schedules"]] == [schedule["id"]]
    status, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert status == 200
    assert fetched["trigger"] == trigger


async def test_cron_without_timezone_takes_the_servers_by_name(api, daily: str) -> None:
    trigger = {"kind": "cron", "expression": "30 1 * * *"}

    status, schedule = await api("POST", "schedules", {"notebook": daily, "trigger": trigger})

    assert status == 201, schedule
    assert schedule["trigger"]["timezone"]  # an IANA name, stored so every server agrees


async def test_interval_schedule_fires_runs_that_record_their_trigger(
    api, daily: str, wait_for_run
) -> None:
    # Given a schedule firing every second
    status, schedule = await api(
        "POST",
        "schedules",
        {"name": "often", "notebook": daily, "trigger": _every(1), "overlap": "queue"},
    )
    assert status == 201, schedule

    # When it has fired a few times
    runs = await eventually_async(
        lambda: _has_runs(api, schedule["id"], 3), timeout=60, what="three fires"
    )

    # Then each run names the schedule and a distinct fire time, a second apart
    for run in runs:
        assert run["trigger"]["kind"] == "schedule"
        assert run["trigger"]["schedule_id"] == schedule["id"]
        assert run["trigger"]["schedule_name"] == "often"
    times = sorted(_time(run["trigger"]["scheduled_for"]) for run in runs)
    assert len(set(times)) == len(times)
    assert all((b - a) % timedelta(seconds=1) == timedelta(0) for a, b in pairwise(times))
    # And they execute with the schedule's parameters
    finished = await wait_for_run(runs[-1]["id"])
    assert finished["status"] == "succeeded", finished
    # And the schedule reports its last run and last fire
    await api("POST", f"schedules/{schedule['id']}/pause")
    status, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["last_run"]["id"] == max(
        run["id"] for run in await _schedule_runs(api, schedule["id"])
    )
    assert fetched["last_fire_at"] is not None


async def _has_runs(api, schedule_id: int, count: int) -> list[dict[str, Any]] | None:
    runs = await _schedule_runs(api, schedule_id)
    return runs if len(runs) >= count else None
