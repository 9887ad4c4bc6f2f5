"""Schedules that run workflows: checked like a start, fired once per fire time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from .notebooks import write_notebook
from .waiting import eventually_async

WORKFLOW = """\
name: Doubling
parameters:
  n:
steps:
  - key: double
    notebook: double.ipynb
    parameters:
      n: {from: parameters.n}
"""


@pytest.fixture
def workflow(jp_root_dir: Path) -> str:
    write_notebook(jp_root_dir / "double.ipynb", "print(n * 2)", parameters="n = 1")
    (jp_root_dir / "doubling.autoflow.yaml").write_text(WORKFLOW, encoding="utf-8")
    return "doubling.autoflow.yaml"


async def _workflow_runs(api, schedule_id: int) -> list[dict[str, Any]]:
    status, page = await api("GET", "workflow-runs", schedule=str(schedule_id))
    assert status == 200, page
    return list(page["workflow_runs"])


async def test_once_schedule_of_a_workflow_fires_one_workflow_run(api, workflow: str) -> None:
    # Given a schedule of the workflow, for once, two seconds ahead
    at = datetime.now(timezone.utc) + timedelta(seconds=2)
    status, schedule = await api(
        "POST",
        "schedules",
        {
            "notebook": workflow,
            "parameters": {"n": 21},
            "trigger": {"kind": "once", "at": at.isoformat()},
        },
    )
    assert status == 201, schedule
    assert schedule["name"] == "doubling"

    # When its time comes
    async def finished() -> list[dict[str, Any]] | None:
        runs = await _workflow_runs(api, schedule["id"])
        return runs if runs and runs[0]["status"] == "succeeded" else None

    runs = await eventually_async(finished, 90, what="the schedule's workflow run")

    # Then one workflow run ran its step with the schedule's parameters, for that fire time
    (run,) = runs
    assert run["trigger"]["kind"] == "schedule"
    assert run["trigger"]["schedule_id"] == schedule["id"]
    assert run["trigger"]["scheduled_for"] is not None
    assert run["steps"][0]["run"]["parameters"] == {"n": 21}
    # And the schedule's last run is that workflow run
    status, shown = await api("GET", f"schedules/{schedule['id']}")
    assert shown["last_run"]["id"] == run["id"]
    assert shown["last_run"]["workflow_run"] is True


async def test_run_now_of_a_workflow_schedule_starts_a_workflow_run(api, workflow: str) -> None:
    # Given a daily schedule of the workflow
    trigger = {"kind": "cron", "expression": "0 6 * * *", "timezone": "UTC"}
    status, schedule = await api(
        "POST", "schedules", {"notebook": workflow, "parameters": {"n": 2}, "trigger": trigger}
    )
    assert status == 201, schedule

    # When it is run now
    status, started = await api("POST", f"schedules/{schedule['id']}/run")

    # Then a workflow run of it started
    assert status == 202, started
    assert started["workflow"] == workflow
    assert [step["key"] for step in started["steps"]] == ["double"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"parameters": {}}, "parameters.n", "needs a value for 'n'"),
        ({"parameters": {"n": 1, "m": 2}}, "parameters.m", "no parameter 'm'"),
        ({"kernel_name": "python3"}, "kernel_name", "each step sets its own"),
        ({"notebook": "missing.autoflow.yaml"}, "workflow", "does not exist"),
    ],
)
async def test_bad_workflow_schedule_is_refused_naming_the_field(
    api, workflow: str, change: dict[str, Any], field: str, words: str
) -> None:
    # When a schedule of the workflow is created with a fault
    trigger = {"kind": "cron", "expression": "0 6 * * *", "timezone": "UTC"}
    request = {"notebook": workflow, "parameters": {"n": 2}, "trigger": trigger, **change}
    status, error = await api("POST", "schedules", request)

    # Then it is refused, saying what is wrong where, and nothing is stored
    assert status in (400, 404), error
    assert error["field"] == field
    assert words in error["message"]
    status, listed = await api("GET", "schedules")
    assert listed["schedules"] == []
