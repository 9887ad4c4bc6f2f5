"""Schedules through the REST API: real server, real APScheduler clock, real kernels."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
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


async def _create(api, body: dict[str, Any]) -> dict[str, Any]:
    status, schedule = await api("POST", "schedules", body)
    assert status == 201, schedule
    return dict(schedule)


async def test_paused_schedule_fires_no_runs_until_resumed(api, daily: str) -> None:
    # Given a paused schedule firing every second
    schedule = await _create(
        api, {"notebook": daily, "trigger": _every(1), "paused": True, "overlap": "queue"}
    )
    assert schedule["next_fire_times"] == []

    # When seconds pass, nothing fires
    await asyncio.sleep(2.5)
    assert await _schedule_runs(api, schedule["id"]) == []

    # And once resumed, it fires
    status, resumed = await api("POST", f"schedules/{schedule['id']}/resume")
    assert status == 200
    assert resumed["paused"] is False
    assert len(resumed["next_fire_times"]) == 5
    await eventually_async(lambda: _has_runs(api, schedule["id"], 1), timeout=30, what="a fire")

    # And pausing again stops it: no run is made after the pause answers
    status, paused = await api("POST", f"schedules/{schedule['id']}/pause")
    assert paused["paused"] is True
    before = len(await _schedule_runs(api, schedule["id"]))
    await asyncio.sleep(2.5)
    assert len(await _schedule_runs(api, schedule["id"])) == before


async def test_overlap_skip_records_skipped_fires_and_never_runs_two_at_once(
    api, jp_root_dir: Path
) -> None:
    # Given a notebook taking 4 s and a schedule firing every second that skips overlaps
    write_notebook(jp_root_dir / "slow.ipynb", "import time\ntime.sleep(4)")
    schedule = await _create(api, {"notebook": "slow.ipynb", "trigger": _every(1)})

    # When it has been firing for a while
    await eventually_async(
        lambda: _fetched_if(api, schedule["id"], lambda s: s["skipped_fires"] >= 3),
        timeout=60,
        what="three skipped fires",
    )
    await api("POST", f"schedules/{schedule['id']}/pause")

    # Then the skips are counted with their last time, and runs never overlapped
    _, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["last_skipped_at"] is not None
    runs = await _schedule_runs(api, schedule["id"])
    unfinished = [run for run in runs if run["status"] in ("queued", "running")]
    assert len(unfinished) <= 1, runs
    fires = len(runs) + fetched["skipped_fires"]
    assert fires > len(runs)


async def test_overlap_queue_queues_fires_behind_a_running_run(api, jp_root_dir: Path) -> None:
    # Given a 4 s notebook fired every second, queueing overlaps
    write_notebook(jp_root_dir / "slow.ipynb", "import time\ntime.sleep(4)")
    schedule = await _create(
        api, {"notebook": "slow.ipynb", "trigger": _every(1), "overlap": "queue"}
    )

    # When it fires while its first run still runs
    runs = await eventually_async(
        lambda: _has_runs(api, schedule["id"], 4), timeout=60, what="four fires"
    )
    await api("POST", f"schedules/{schedule['id']}/pause")

    # Then every fire made a run and none was skipped
    _, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["skipped_fires"] == 0
    assert sum(run["status"] in ("queued", "running") for run in runs) >= 2


async def test_fire_for_a_changed_notebook_records_a_failed_run_and_keeps_the_schedule(
    api, jp_root_dir: Path, daily: str
) -> None:
    # Given a schedule passing `minutes`, paused
    schedule = await _create(
        api,
        {"notebook": daily, "trigger": _every(1), "parameters": {"minutes": 3}, "paused": True},
    )
    # And the notebook no longer declares `minutes`
    write_notebook(jp_root_dir / daily, "print(hours)", parameters="hours = 1")

    # When the schedule fires
    await api("POST", f"schedules/{schedule['id']}/resume")
    (run, *_) = await eventually_async(
        lambda: _has_runs(api, schedule["id"], 1), timeout=30, what="a fire"
    )
    await api("POST", f"schedules/{schedule['id']}/pause")

    # Then the fire is a failed run saying why, and the schedule is still there
    assert run["status"] == "failed"
    assert run["error"]["ename"] == "InvalidInput"
    assert "minutes" in run["error"]["evalue"]
    assert run["output"] is None
    assert run["trigger"]["scheduled_for"] is not None
    assert (await api("GET", f"schedules/{schedule['id']}"))[0] == 200


async def test_run_now_queues_a_run_with_the_schedules_parameters(
    api, daily: str, wait_for_run
) -> None:
    schedule = await _create(
        api,
        {"notebook": daily, "trigger": _every(3600), "parameters": {"minutes": 21}},
    )

    status, run = await api("POST", f"schedules/{schedule['id']}/run")

    assert status == 202, run
    assert run["parameters"] == {"minutes": 21}
    assert run["trigger"] == {
        "kind": "schedule",
        "schedule_id": schedule["id"],
        "schedule_name": "daily",
        "scheduled_for": None,
        "reference_date": None,
        "workflow_run_id": None,
        "workflow_name": None,
        "step_key": None,
        "attempt": None,
    }
    assert (await wait_for_run(run["id"]))["status"] == "succeeded"
    _, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["last_run"] == {
        "id": run["id"],
        "status": "succeeded",
        "scheduled_for": None,
        "workflow_run": False,
    }


async def test_edit_changes_trigger_parameters_and_target(
    api, jp_root_dir: Path, daily: str
) -> None:
    # Given a schedule and a second notebook
    write_notebook(jp_root_dir / "other.ipynb", "print(days)", parameters="days = 1")
    schedule = await _create(api, {"notebook": daily, "trigger": _every(60)})

    # When its target, parameters, trigger and name change
    status, edited = await api(
        "PATCH",
        f"schedules/{schedule['id']}",
        {
            "notebook": "other.ipynb",
            "parameters": {"days": 4},
            "trigger": {"kind": "cron", "expression": "15 4 * * sun", "timezone": "UTC"},
            "name": "weekly",
        },
    )

    # Then the schedule reads as changed, and the other fields kept
    assert status == 200, edited
    assert edited["notebook"] == "other.ipynb"
    assert edited["parameters"] == {"days": 4}
    assert edited["name"] == "weekly"
    assert edited["description"] == "At 04:15, only on Sunday (UTC)"
    assert all(_time(t).weekday() == 6 for t in edited["next_fire_times"])
    assert edited["overlap"] == schedule["overlap"]
    assert edited["updated_at"] >= schedule["updated_at"]


async def test_invalid_edit_is_refused_and_changes_nothing(api, daily: str) -> None:
    schedule = await _create(api, {"notebook": daily, "trigger": _every(60)})

    status, refused = await api(
        "PATCH",
        f"schedules/{schedule['id']}",
        {"parameters": {"minutes": "many"}, "trigger": _every(120)},
    )

    assert status == 400, refused
    assert refused["field"] == "parameters.minutes"
    _, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["trigger"]["seconds"] == 60
    assert fetched["parameters"] == {}


async def test_delete_keeps_the_schedules_runs_in_the_history(
    api, daily: str, wait_for_run
) -> None:
    schedule = await _create(api, {"notebook": daily, "trigger": _every(3600)})
    _, run = await api("POST", f"schedules/{schedule['id']}/run")
    await wait_for_run(run["id"])

    status, _ = await api("DELETE", f"schedules/{schedule['id']}")

    assert status == 204
    assert (await api("GET", f"schedules/{schedule['id']}"))[0] == 404
    status, kept = await api("GET", f"runs/{run['id']}")
    assert status == 200
    assert kept["trigger"]["schedule_id"] == schedule["id"]
    assert kept["trigger"]["schedule_name"] is None


async def test_preview_describes_a_trigger_without_storing_it(api) -> None:
    status, preview = await api(
        "POST",
        "schedules/preview",
        {"trigger": {"kind": "cron", "expression": "0 9 * * 0", "timezone": "America/New_York"}},
    )

    assert status == 200, preview
    assert preview["description"] == "At 09:00, only on Sunday (America/New_York)"
    times = [_time(t) for t in preview["next_fire_times"]]
    assert [t.astimezone(ZoneInfo("America/New_York")).weekday() for t in times] == [6] * 5
    assert (await api("GET", "schedules"))[1] == {"schedules": []}


IN_THE_PAST = "2020-01-01T00:00:00+00:00"
BAD_SCHEDULES = [
    (
        {"trigger": {"kind": "cron", "expression": "61 * * * *"}},
        400,
        "trigger.expression",
        "minute field",
    ),
    (
        {"trigger": {"kind": "cron", "expression": "0 6 * *"}},
        400,
        "trigger.expression",
        "expected 5 fields",
    ),
    (
        {"trigger": {"kind": "cron", "expression": "0 6 * * 8"}},
        400,
        "trigger.expression",
        "day of week",
    ),
    (
        {"trigger": {"kind": "cron", "expression": "0 6 * * *", "timezone": "Mars/Olympus"}},
        400,
        "trigger.timezone",
        "Unknown timezone",
    ),
    ({"trigger": {"kind": "once", "at": IN_THE_PAST}}, 400, "trigger.at", "in the past"),
    (
        {"trigger": {"kind": "once", "at": "2099-01-01T00:00:00"}},
        400,
        "trigger.at",
        "no offset",
    ),
    ({"trigger": _every(0.5)}, 400, "trigger.seconds", "at least 1 s"),
    ({"trigger": {"kind": "weekly"}}, 400, "trigger", "trigger"),
    ({"parameters": {"hours": 1}}, 400, "parameters", "unknown parameter"),
    ({"parameters": {"minutes": "many"}}, 400, "parameters.minutes", "minutes"),
    ({"notebook": "missing.ipynb"}, 404, "notebook", "missing.ipynb"),
    ({"notebook": "../outside.ipynb"}, 403, "notebook", "outside"),
    ({"kernel_name": "no-such-kernel"}, 400, "kernel_name", "no-such-kernel"),
    ({"timeout": -1}, 400, "timeout", "greater than 0"),
    ({"catch_up": "all"}, 400, "catch_up", "catch_up"),
    ({"overlap": "parallel"}, 400, "overlap", "overlap"),
    ({"name": ""}, 400, "name", "name"),
    ({"colour": "blue"}, 400, "colour", "colour"),
]


@pytest.mark.parametrize(("change", "status", "field", "words"), BAD_SCHEDULES)
async def test_bad_schedule_is_refused_naming_the_field_and_creates_nothing(
    api, daily: str, change: dict[str, Any], status: int, field: str, words: str
) -> None:
    body = {"notebook": daily, "trigger": _every(60), **change}

    code, refused = await api("POST", "schedules", body)

    assert code == status, refused
    assert refused["field"] == field
    assert words.lower() in refused["message"].lower()
    assert (await api("GET", "schedules"))[1] == {"schedules": []}


async def _fetched_if(api, schedule_id: int, condition: Any) -> dict[str, Any] | None:
    _, schedule = await api("GET", f"schedules/{schedule_id}")
    return schedule if condition(schedule) else None


async def test_once_fires_at_its_time_and_then_never_again(api, daily: str) -> None:
    # Given a schedule for once, two seconds ahead
    at = (datetime.now(timezone.utc) + timedelta(seconds=2)).replace(microsecond=0)
    schedule = await _create(
        api, {"notebook": daily, "trigger": {"kind": "once", "at": at.isoformat()}}
    )
    assert [_time(t) for t in schedule["next_fire_times"]] == [at]

    # When its time has come and gone
    (run,) = await eventually_async(
        lambda: _has_runs(api, schedule["id"], 1), timeout=30, what="the fire"
    )
    await asyncio.sleep(2)

    # Then it made one run for that time, and has no fire left
    assert _time(run["trigger"]["scheduled_for"]) == at
    assert len(await _schedule_runs(api, schedule["id"])) == 1
    _, fetched = await api("GET", f"schedules/{schedule['id']}")
    assert fetched["next_fire_times"] == []
    assert _time(fetched["last_fire_at"]) == at
