"""The data trigger through the REST API: a real server asks the FlowAPI stand-in (through
the unmodified flowclient) for its dates and runs real notebooks once per reference date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from .conftest import Api
from .flowapi import FlowApi
from .notebooks import read_notebook, write_notebook
from .waiting import eventually_async

pytestmark = pytest.mark.filterwarnings("ignore:Communications with this server are NOT SECURE")

DAYS = [f"2016-01-0{n}" for n in range(1, 8)]  # what the stand-in has at first


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any], flowapi: FlowApi, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The server checks the stand-in, with its token in the server's environment."""
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.token)
    settings = {"flowapi_url": flowapi.url, "flowapi_timeout": 2, **jp_server_config["AutoflowApp"]}
    return {**jp_server_config, "AutoflowApp": settings}


@pytest.fixture
def dated(jp_root_dir: Path) -> str:
    """A notebook that records the date it ran for, and fails for 2016-01-02 if told to."""
    write_notebook(
        jp_root_dir / "dated.ipynb",
        "if reference_date in fail_on: raise RuntimeError(f'no good data on {reference_date}')",
        "print(reference_date, date_ranges)",
        parameters=(
            'reference_date = "2016-01-01"\n'
            'date_ranges = [["2016-01-01", "2016-01-02"]]\n'
            "fail_on = []"
        ),
    )
    return "dated.ipynb"


def _trigger(**settings: Any) -> dict[str, Any]:
    return {"kind": "new_data", "event_types": ["calls"], "expression": "0 0 1 1 *", **settings}


async def _create(api: Api, notebook: str, parameters: Any = None, **trigger: Any) -> int:
    body = {"notebook": notebook, "trigger": _trigger(**trigger), "parameters": parameters or {}}
    status, schedule = await api("POST", "schedules", body)
    assert status == 201, schedule
    return int(schedule["id"])


async def _check(api: Api, schedule_id: int) -> dict[str, Any]:
    status, result = await api("POST", f"schedules/{schedule_id}/check")
    assert status == 200, result
    return dict(result)


async def _dates(api: Api, schedule_id: int) -> dict[str, dict[str, Any]]:
    status, listing = await api("GET", f"schedules/{schedule_id}/dates")
    assert status == 200, listing
    return {d["reference_date"]: d for d in listing["dates"]}


async def _settled(api: Api, schedule_id: int) -> dict[str, dict[str, Any]]:
    """The dates once none is running."""

    async def settled() -> dict[str, dict[str, Any]] | None:
        dates = await _dates(api, schedule_id)
        return None if any(d["state"] == "running" for d in dates.values()) else dates

    return await eventually_async(settled, 120, what="the dates' runs to end")


async def _runs(api: Api, schedule_id: int) -> list[dict[str, Any]]:
    status, page = await api("GET", "runs", schedule=str(schedule_id), limit="500")
    assert status == 200, page
    return list(page["runs"])


def _states(dates: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {day: d["state"] for day, d in dates.items()}


async def test_each_new_date_starts_one_run_with_its_date_injected(
    api: Api, dated: str, jp_root_dir: Path
) -> None:
    # Given a data-trigger schedule with the stencil of the day and the two before
    schedule_id = await _create(api, dated, stencil=[[-2, 1]])

    # When it checks FlowAPI, which has 1 to 7 January
    result = await _check(api, schedule_id)

    # Then it started a run for each date whose three days are there, oldest first
    assert result["check"]["status"] == "ok", result
    assert result["started"] == DAYS[2:]
    dates = await _settled(api, schedule_id)
    assert _states(dates) == dict.fromkeys(DAYS[2:], "succeeded")
    runs = await _runs(api, schedule_id)
    assert sorted(r["trigger"]["reference_date"] for r in runs) == DAYS[2:]
    run = next(r for r in runs if r["trigger"]["reference_date"] == "2016-01-07")
    assert run["parameters"]["date_ranges"] == [["2016-01-05", "2016-01-08"]]
    executed = read_notebook(jp_root_dir / run["output"])
    assert "2016-01-07 [['2016-01-05', '2016-01-08']]" in executed.cells[-1].outputs[0]["text"]
    # And a second check starts nothing: each date ran once
    again = await _check(api, schedule_id)
    assert again["started"] == []
    assert len(await _runs(api, schedule_id)) == 5


async def test_date_added_later_is_run_at_the_next_check(
    api: Api, dated: str, flowapi: FlowApi
) -> None:
    schedule_id = await _create(api, dated, earliest_date="2016-01-06")
    assert (await _check(api, schedule_id))["started"] == ["2016-01-06", "2016-01-07"]

    # When FlowAPI gets 8 January's data for calls only, and the schedule checks again
    flowapi.add_dates("2016-01-08", event_types=["calls"])
    result = await _check(api, schedule_id)

    # Then only the new date runs
    assert result["started"] == ["2016-01-08"]
    assert _states(await _settled(api, schedule_id)) == dict.fromkeys(
        ["2016-01-06", "2016-01-07", "2016-01-08"], "succeeded"
    )


async def test_union_of_event_types_makes_a_date_available(
    api: Api, dated: str, flowapi: FlowApi
) -> None:
    # Given calls up to 7 January and SMS on 9 January only
    flowapi.add_dates("2016-01-09", event_types=["sms"])
    calls_only = await _create(api, dated, earliest_date="2016-01-07")
    both = await _create(api, dated, earliest_date="2016-01-07", event_types=["calls", "sms"])

    # Then a schedule watching calls and SMS has 9 January; one watching calls has not
    assert (await _check(api, calls_only))["started"] == ["2016-01-07"]
    assert (await _check(api, both))["started"] == ["2016-01-07", "2016-01-09"]


async def test_failed_date_is_retried_until_given_up_then_retry_rearms_it(
    api: Api, dated: str
) -> None:
    # Given a schedule whose notebook fails for 2 January, allowed 2 attempts per date
    schedule_id = await _create(
        api,
        dated,
        parameters={"fail_on": ["2016-01-02"]},
        earliest_date="2016-01-01",
        max_attempts=2,
    )
    await _check(api, schedule_id)
    dates = await _settled(api, schedule_id)
    assert dates["2016-01-02"]["state"] == "failed"
    assert dates["2016-01-02"]["attempts"] == 1
    assert "no good data on 2016-01-02" in dates["2016-01-02"]["message"]

    # When it checks again: only the failed date runs, and fails a second time
    assert (await _check(api, schedule_id))["started"] == ["2016-01-02"]
    dates = await _settled(api, schedule_id)
    assert dates["2016-01-02"]["state"] == "given_up"
    assert dates["2016-01-02"]["attempts"] == 2
    # And a given-up date is not run again
    assert (await _check(api, schedule_id))["started"] == []

    # When the user retries it
    status, retried = await api("POST", f"schedules/{schedule_id}/dates/2016-01-02/retry")

    # Then it runs again at once, counting attempts afresh
    assert status == 200, retried
    assert retried["state"] == "running"
    dates = await _settled(api, schedule_id)
    assert dates["2016-01-02"]["state"] == "failed"
    assert dates["2016-01-02"]["attempts"] == 1
    assert len(await _runs(api, schedule_id)) == 7 + 2
    # And a succeeded date cannot be retried
    status, refused = await api("POST", f"schedules/{schedule_id}/dates/2016-01-03/retry")
    assert status == 409, refused
    assert "succeeded" in refused["message"]


@pytest.mark.parametrize(
    ("failure", "status", "words"),
    [
        (403, "denied", "may not read FlowAPI's available dates (403"),
        (500, "error", "FlowAPI failed (HTTP 500)"),
        ("hang", "timeout", "did not answer within 2 s"),
    ],
)
async def test_flowapi_failure_is_recorded_and_the_next_check_loses_no_date(
    api: Api, dated: str, flowapi: FlowApi, failure: Any, status: str, words: str
) -> None:
    schedule_id = await _create(api, dated, earliest_date="2016-01-06")
    # Given FlowAPI failing
    if failure == "hang":
        flowapi.hang()
    else:
        flowapi.fail_with(failure)

    # When the schedule checks
    result = await _check(api, schedule_id)

    # Then the failure is recorded on the schedule in plain words, and nothing ran
    assert result["check"]["status"] == status
    assert words in result["check"]["message"]
    assert result["started"] == []
    _, schedule = await api("GET", f"schedules/{schedule_id}")
    assert schedule["last_check"] == result["check"]
    assert await _dates(api, schedule_id) == {}

    # When FlowAPI recovers, the next check runs every date
    flowapi.recover()
    assert (await _check(api, schedule_id))["started"] == ["2016-01-06", "2016-01-07"]


@pytest.mark.autoflow_config(flowapi_url="http://127.0.0.1:9")
async def test_unreachable_flowapi_is_recorded(api: Api, dated: str) -> None:
    schedule_id = await _create(api, dated)

    result = await _check(api, schedule_id)

    assert result["check"]["status"] == "unreachable"
    assert "FlowAPI at http://127.0.0.1:9 could not be reached" in result["check"]["message"]


async def test_missing_token_is_recorded_naming_the_variable(
    api: Api, dated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule_id = await _create(api, dated)
    monkeypatch.delenv("FLOWAPI_TOKEN")

    result = await _check(api, schedule_id)

    assert result["check"]["status"] == "error"
    assert "has no FLOWAPI_TOKEN" in result["check"]["message"]


async def test_lookback_and_cap_run_recent_dates_oldest_first(
    api: Api, dated: str, flowapi: FlowApi
) -> None:
    # Given FlowAPI with the last 10 days, and a schedule looking back 4 days, 2 runs a check
    today = date.today()
    recent = [(today - timedelta(days=n)).isoformat() for n in range(9, -1, -1)]
    flowapi.set_dates({"calls": recent})
    schedule_id = await _create(api, dated, lookback_days=4, max_runs_per_check=2)

    # Then the checks run the 5 days from 4 days ago to today, 2 at a time, oldest first
    assert (await _check(api, schedule_id))["started"] == recent[5:7]
    assert (await _check(api, schedule_id))["started"] == recent[7:9]
    assert (await _check(api, schedule_id))["started"] == recent[9:]
    assert (await _check(api, schedule_id))["started"] == []


async def test_date_that_disappears_is_kept_and_not_run_until_it_returns(
    api: Api, dated: str, flowapi: FlowApi
) -> None:
    schedule_id = await _create(api, dated, earliest_date="2016-01-05", max_runs_per_check=1)
    assert (await _check(api, schedule_id))["started"] == ["2016-01-05"]

    # When FlowAPI withdraws 6 January (its ETL recomputes it) before it ran
    flowapi.remove_dates("2016-01-06")
    result = await _check(api, schedule_id)

    # Then the next date runs instead, and 6 January stays, pending and unavailable
    assert result["started"] == ["2016-01-07"]
    withdrawn = (await _dates(api, schedule_id))["2016-01-06"]
    assert (withdrawn["state"], withdrawn["available"]) == ("pending", False)

    # When it is back, it runs
    flowapi.add_dates("2016-01-06")
    assert (await _check(api, schedule_id))["started"] == ["2016-01-06"]


async def test_schedule_shows_its_last_check_and_counts(api: Api, dated: str) -> None:
    schedule_id = await _create(api, dated, parameters={"fail_on": ["2016-01-07"]})
    await _check(api, schedule_id)
    await _settled(api, schedule_id)

    _, listing = await api("GET", "schedules")
    (schedule,) = [s for s in listing["schedules"] if s["id"] == schedule_id]

    assert schedule["description"].startswith("When FlowAPI has new calls data; checked at")
    assert schedule["last_check"]["status"] == "ok"
    assert "Started 7 runs" in schedule["last_check"]["message"]
    assert schedule["dates"] == {
        "pending": 0,
        "running": 0,
        "succeeded": 6,
        "failed": 1,
        "given_up": 0,
    }


async def test_changed_parameters_make_dates_new_again(api: Api, dated: str) -> None:
    schedule_id = await _create(api, dated, earliest_date="2016-01-07")
    assert (await _check(api, schedule_id))["started"] == ["2016-01-07"]
    await _settled(api, schedule_id)

    status, changed = await api(
        "PATCH", f"schedules/{schedule_id}", {"parameters": {"fail_on": ["1999-01-01"]}}
    )

    assert status == 200, changed
    assert (await _check(api, schedule_id))["started"] == ["2016-01-07"]


async def test_workflow_steps_get_the_reference_date_and_ranges(
    api: Api, jp_root_dir: Path
) -> None:
    # Given a workflow whose step reads the date ranges
    write_notebook(
        jp_root_dir / "ranges.ipynb",
        "print('ranges', date_ranges)",
        parameters='date_ranges = []\nday = ""',
    )
    (jp_root_dir / "daily.autoflow.yaml").write_text(
        "name: daily\n"
        "steps:\n"
        "  - key: ranges\n"
        "    notebook: ranges.ipynb\n"
        "    parameters:\n"
        "      date_ranges: {from: date_ranges}\n"
        "      day: {from: reference_date}\n"
    )
    schedule_id = await _create(
        api, "daily.autoflow.yaml", earliest_date="2016-01-07", stencil=[-1, 0]
    )

    # When it checks
    assert (await _check(api, schedule_id))["started"] == ["2016-01-07"]

    # Then the workflow run for 7 January gave its step both
    dates = await _settled(api, schedule_id)
    assert dates["2016-01-07"]["state"] == "succeeded"
    status, workflow_run = await api(
        "GET", f"workflow-runs/{dates['2016-01-07']['workflow_run_id']}"
    )
    assert status == 200, workflow_run
    assert workflow_run["trigger"]["reference_date"] == "2016-01-07"
    assert workflow_run["reference_date"] == "2016-01-07"
    assert workflow_run["date_ranges"] == [
        ["2016-01-06", "2016-01-07"],
        ["2016-01-07", "2016-01-08"],
    ]
    (step,) = workflow_run["steps"]
    assert step["run"]["parameters"] == {
        "date_ranges": [["2016-01-06", "2016-01-07"], ["2016-01-07", "2016-01-08"]],
        "day": "2016-01-07",
    }


@pytest.mark.parametrize(
    ("trigger", "field", "words"),
    [
        ({"stencil": [0, [3, 1]]}, "trigger.stencil.1", "end must come after its start"),
        ({"stencil": [0, "2016-13-01"]}, "trigger.stencil.1", "neither a date"),
        ({"event_types": []}, "trigger", "at least 1"),
        ({"event_types": ["voice"]}, "trigger", "calls"),
        ({"expression": "61 * * * *"}, "trigger.expression", "minute"),
    ],
)
async def test_invalid_data_trigger_is_refused_naming_the_field(
    api: Api, dated: str, trigger: dict[str, Any], field: str, words: str
) -> None:
    body = {"notebook": dated, "trigger": _trigger(**trigger)}

    status, refused = await api("POST", "schedules", body)

    assert status == 400, refused
    assert refused["field"] == field
    assert words in refused["message"]


async def test_notebook_without_a_date_parameter_is_refused(api: Api, jp_root_dir: Path) -> None:
    write_notebook(jp_root_dir / "plain.ipynb", "print(1)", parameters="x = 1")

    status, refused = await api(
        "POST", "schedules", {"notebook": "plain.ipynb", "trigger": _trigger()}
    )

    assert status == 400, refused
    assert refused["field"] == "notebook"
    assert "declares neither reference_date nor date_ranges" in refused["message"]


async def test_preview_shows_the_date_ranges_of_a_sample_date(api: Api) -> None:
    body = {
        "trigger": _trigger(stencil=[["2016-01-01", "2016-01-03"], -3, [-2, 0]]),
        "sample_date": "2016-01-07",
    }

    status, preview = await api("POST", "schedules/preview", body)

    assert status == 200, preview
    assert preview["date_ranges"] == [
        ["2016-01-01", "2016-01-03"],
        ["2016-01-04", "2016-01-05"],
        ["2016-01-05", "2016-01-07"],
    ]


async def test_run_now_of_a_data_trigger_points_to_check(api: Api, dated: str) -> None:
    schedule_id = await _create(api, dated)

    status, refused = await api("POST", f"schedules/{schedule_id}/run")

    assert status == 400, refused
    assert f"schedules/{schedule_id}/check" in refused["message"]


async def test_fire_of_the_check_cron_checks_flowapi(
    api: Api, dated: str, flowapi: FlowApi, jp_serverapp: Any
) -> None:
    # Given a data-trigger schedule, as the clock holds it
    schedule_id = await _create(api, dated, earliest_date="2016-01-07")
    (app,) = jp_serverapp.extension_manager.extension_apps["autoflow_lab"]

    async def on_the_clock() -> bool:
        clock = app.schedules._clock
        return clock is not None and schedule_id in clock.scheduled()

    await eventually_async(on_the_clock, 30, what="the schedule on the clock")
    before = flowapi.requests("available_dates")

    # When its check cron fires
    await app.schedules.fire(schedule_id, datetime.now(timezone.utc))

    # Then it asked FlowAPI for its dates, and ran the new one
    assert flowapi.requests("available_dates") == before + 1
    assert _states(await _settled(api, schedule_id)) == {"2016-01-07": "succeeded"}


async def test_expired_token_is_recorded_as_refused(
    api: Api, dated: str, flowapi: FlowApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    schedule_id = await _create(api, dated)
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.expired_token())

    result = await _check(api, schedule_id)

    assert result["check"]["status"] == "denied"
    assert "did not accept the token in FLOWAPI_TOKEN (401" in result["check"]["message"]
    assert "may have expired" in result["check"]["message"]


@pytest.mark.autoflow_config(keep_runs_per_notebook=1)
async def test_retention_keeps_the_runs_that_dates_stand_on(api: Api, dated: str) -> None:
    # Given a server keeping one run per notebook, and a schedule running three dates
    schedule_id = await _create(api, dated, earliest_date="2016-01-05")
    await _check(api, schedule_id)
    assert _states(await _settled(api, schedule_id)) == dict.fromkeys(DAYS[4:], "succeeded")

    # Then the dates' runs are kept, so the next check runs none of them again
    assert len(await _runs(api, schedule_id)) == 3
    assert (await _check(api, schedule_id))["started"] == []
