"""Workflows through the REST API: definitions checked against the workspace, and
workflow runs executed step by step by real kernels."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any

import pandas as pd
import pytest
import scrapbook as sb
from pypdf import PdfReader

from autoflow_lab.workflows import schema

from .conftest import FINAL_STATUSES, Api
from .notebooks import write_notebook
from .waiting import eventually_async

EXAMPLES = Path(__file__).parent.parent / "examples" / "workflows"

# A cell that waits for the file ``name`` (in the notebook's folder) for up to a minute.
WAIT_FOR = (
    "import os, time\n"
    "deadline = time.monotonic() + 60\n"
    "while not os.path.exists({name!r}):\n"
    "    assert time.monotonic() < deadline, 'gave up waiting for {name}'\n"
    "    time.sleep(0.05)"
)
# Fails the first time it runs in a folder, succeeds every time after.
FAILS_ONCE = (
    "import os\n"
    "if not os.path.exists('tried'):\n"
    "    open('tried', 'w').close()\n"
    "    raise ConnectionError('FlowAPI not ready')\n"
    "print('ok')"
)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _write_workflow(root: Path, text: str, name: str = "flow.autoflow.yaml") -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text).lstrip("\n"))
    return name


async def _start(api: Api, workflow: str, **parameters: Any) -> dict[str, Any]:
    status, run = await api(
        "POST", "workflow-runs", {"workflow": workflow, "parameters": parameters}
    )
    assert status == 202, run
    return dict(run)


async def _wait_until(
    api: Api, workflow_run_id: int, done: Any, what: str, timeout: float = 90
) -> dict[str, Any]:
    """The workflow run once ``done(run)`` holds."""

    async def reached() -> dict[str, Any] | None:
        status, run = await api("GET", f"workflow-runs/{workflow_run_id}")
        assert status == 200, run
        return dict(run) if done(run) else None

    return await eventually_async(reached, timeout, what=f"workflow run {workflow_run_id} {what}")


async def _finished(api: Api, workflow_run_id: int, timeout: float = 90) -> dict[str, Any]:
    return await _wait_until(
        api, workflow_run_id, lambda run: run["status"] in FINAL_STATUSES, "to finish", timeout
    )


def _steps(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["key"]: step for step in run["steps"]}


def _statuses(run: dict[str, Any]) -> dict[str, str]:
    return {step["key"]: step["status"] for step in run["steps"]}


async def _validate(api: Api, workflow: str, text: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"workflow": workflow}
    if text is not None:
        body["text"] = dedent(text).lstrip("\n")
    status, validation = await api("POST", "workflows/validate", body)
    assert status == 200, validation
    return dict(validation)


def _issues(validation: dict[str, Any]) -> list[tuple[str, int | None, str | None, str | None]]:
    return [
        (issue["message"], issue["line"], issue["field"], issue["step"])
        for issue in validation["issues"]
    ]


# Validation against the workspace

DAY_STEP = """
    name: Daily
    parameters:
      day:
        default: "2016-01-07"
    steps:
      - key: count
        notebook: notebooks/count.ipynb
        parameters:
          {name}: {{from: parameters.day}}
    """


@pytest.fixture
def count_notebook(jp_root_dir: Path) -> Path:
    return write_notebook(
        jp_root_dir / "notebooks" / "count.ipynb", "print(day)", parameters='day = "2016-01-01"'
    )


async def test_parameter_the_notebook_declares_is_valid(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a step giving its notebook the parameter it declares
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="day"))

    # When it is validated
    validation = await _validate(api, workflow)

    # Then it is valid, with its parameters and its step's root-relative notebook
    assert validation["valid"], validation["issues"]
    assert validation["name"] == "Daily"
    assert validation["parameters"] == [
        {"name": "day", "required": False, "default": "2016-01-07", "description": ""}
    ]
    assert validation["steps"] == [
        {"key": "count", "notebook": "notebooks/count.ipynb", "depends_on": []}
    ]


async def test_parameter_the_notebook_does_not_declare_is_an_issue_at_its_line(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a step giving its notebook 'month', which the notebook does not declare
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="month"))

    # When it is validated
    validation = await _validate(api, workflow)

    # Then the issue names the parameter, at its line and field, for its step
    assert not validation["valid"]
    assert _issues(validation) == [
        (
            "'notebooks/count.ipynb' declares no parameter 'month' (it declares 'day').",
            9,
            "steps.0.parameters.month",
            "count",
        )
    ]


async def test_missing_notebook_is_an_issue_at_its_line(jp_root_dir: Path, api: Api) -> None:
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="day"))

    validation = await _validate(api, workflow)

    assert not validation["valid"]
    assert _issues(validation) == [
        (
            "Notebook 'notebooks/count.ipynb' does not exist.",
            7,
            "steps.0.notebook",
            "count",
        )
    ]


async def test_notebook_outside_the_workspace_is_an_issue(jp_root_dir: Path, api: Api) -> None:
    # Given a notebook beside the server root, and a step reaching it through '..'
    write_notebook(jp_root_dir.parent / "outside.ipynb", "1 + 1")
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Escape
        steps:
          - key: out
            notebook: ../outside.ipynb
        """,
    )

    # When it is validated
    validation = await _validate(api, workflow)

    # Then the notebook is refused at its line
    assert not validation["valid"]
    assert _issues(validation) == [
        (
            "'../outside.ipynb' points outside the server root ('..' is not allowed).",
            4,
            "steps.0.notebook",
            "out",
        )
    ]


async def test_notebook_in_a_sibling_folder_of_the_workflow_is_found_through_dotdot(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a workflow in flows/ naming its notebook relative to itself, in notebooks/
    text = DAY_STEP.format(name="day").replace("notebooks/count", "../notebooks/count")
    workflow = _write_workflow(jp_root_dir, text, "flows/daily.autoflow.yaml")

    # When it is validated
    validation = await _validate(api, workflow)

    # Then it is valid: the notebook is inside the workspace, shown relative to the root
    assert validation["valid"], validation["issues"]
    assert validation["steps"][0]["notebook"] == "notebooks/count.ipynb"


async def test_unsaved_text_is_validated_instead_of_the_file(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a valid saved workflow
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="day"))

    # When an unsaved edit naming an unknown step is validated
    edited = """
        name: Daily, edited
        steps:
          - key: count
            notebook: notebooks/count.ipynb
            after: [load]
        """
    validation = await _validate(api, workflow, edited)

    # Then the edit's problems come back, not the saved file's validity
    assert not validation["valid"]
    assert validation["name"] == "Daily, edited"
    assert _issues(validation) == [
        (
            "'after' names step 'load', which cannot be waited for (there are 'count').",
            5,
            "steps.0.after.0",
            "count",
        )
    ]
    # And the saved file is unchanged and still valid
    assert (await _validate(api, workflow))["valid"]


async def test_workflow_list_holds_every_file_with_whether_it_is_valid(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a valid workflow, an invalid one in a folder, and one in a hidden folder
    _write_workflow(jp_root_dir, DAY_STEP.format(name="day"), "daily.autoflow.yaml")
    _write_workflow(jp_root_dir, "name: Broken\nsteps: []\n", "drafts/broken.autoflow.yaml")
    _write_workflow(jp_root_dir, "name: Hidden\n", ".hidden/secret.autoflow.yaml")

    # When the workflows are listed
    status, listed = await api("GET", "workflows")

    # Then both visible files are listed with their validity and names
    assert status == 200, listed
    found = {w["workflow"]: (w["name"], w["valid"]) for w in listed["workflows"]}
    assert found == {
        "daily.autoflow.yaml": ("Daily", True),
        "drafts/broken.autoflow.yaml": ("Broken", False),
    }


async def test_schema_route_serves_the_shipped_json_schema(api: Api) -> None:
    status, served = await api("GET", "workflows/schema")

    assert status == 200
    assert served == schema()
    assert served["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert served["required"] == ["name", "steps"]


async def test_starting_an_invalid_workflow_is_refused_naming_the_line(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="month"))

    status, refusal = await api("POST", "workflow-runs", {"workflow": workflow})

    assert status == 400, refusal
    assert refusal == {
        "error": "InvalidInput",
        "message": "flow.autoflow.yaml is not a valid workflow: line 9: "
        "'notebooks/count.ipynb' declares no parameter 'month' (it declares 'day').",
        "field": "workflow",
    }


async def test_starting_without_a_required_parameter_is_refused_naming_it(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    # Given a workflow whose parameter 'day' has no default
    text = DAY_STEP.format(name="day").replace('\n        default: "2016-01-07"', "")
    workflow = _write_workflow(jp_root_dir, text)

    # When it is started without it
    status, refusal = await api("POST", "workflow-runs", {"workflow": workflow})

    # Then the start is refused naming the parameter
    assert status == 400, refusal
    assert refusal["field"] == "parameters.day"
    assert refusal["message"] == "The workflow 'Daily' needs a value for 'day'."
    _, page = await api("GET", "workflow-runs")
    assert page["workflow_runs"] == []


async def test_starting_with_an_unknown_parameter_is_refused_naming_it(
    jp_root_dir: Path, api: Api, count_notebook: Path
) -> None:
    workflow = _write_workflow(jp_root_dir, DAY_STEP.format(name="day"))

    status, refusal = await api(
        "POST", "workflow-runs", {"workflow": workflow, "parameters": {"dya": "2016-01-02"}}
    )

    assert status == 400, refusal
    assert refusal["field"] == "parameters.dya"
    assert refusal["message"] == "The workflow 'Daily' has no parameter 'dya' (it declares 'day')."


# Execution


async def test_downstream_step_reads_upstream_scraps_through_scrapbook(
    jp_root_dir: Path, api: Api
) -> None:
    # Given an upstream notebook gluing a dict, a text and a DataFrame
    write_notebook(
        jp_root_dir / "upstream.ipynb",
        "import pandas as pd\nimport scrapbook as sb\n"
        "sb.glue('summary', {'region': region, 'days': 7})\n"
        "sb.glue('region', region)\n"
        "sb.glue('table', pd.DataFrame({'cell': ['C1', 'C2'], 'calls': [3, 4]}), "
        "encoder='pandas')",
        parameters='region = "north"',
    )
    # And a downstream notebook reading them and gluing what it found
    write_notebook(
        jp_root_dir / "downstream.ipynb",
        "import scrapbook as sb\n"
        "scraps = sb.read_notebook(upstream).scraps\n"
        "table = scraps['table'].data\n"
        "sb.glue('found', {'summary': scraps['summary'].data, 'region': scraps['region'].data,"
        " 'total': int(table.calls.sum()), 'columns': list(table.columns)})",
        parameters='upstream = ""',
    )
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Scraps
        parameters:
          region:
        steps:
          - key: down
            notebook: downstream.ipynb
            parameters:
              upstream: {from: steps.up}
          - key: up
            notebook: upstream.ipynb
            parameters:
              region: {from: parameters.region}
        """,
    )

    # When the workflow runs
    started = await _start(api, workflow, region="south")
    run = await _finished(api, started["id"])

    # Then both steps succeeded, upstream first
    assert run["status"] == "succeeded", run
    assert [(s["key"], s["status"]) for s in run["steps"]] == [
        ("up", "succeeded"),
        ("down", "succeeded"),
    ]
    up, down = _steps(run)["up"]["run"], _steps(run)["down"]["run"]
    # And the downstream run was given the upstream executed notebook's absolute path
    assert down["parameters"] == {"upstream": str(jp_root_dir / up["output"])}
    assert _time(down["started_at"]) >= _time(up["finished_at"])
    # And it read every value the upstream glued
    found = sb.read_notebook(str(jp_root_dir / down["output"])).scraps["found"].data
    assert found == {
        "summary": {"region": "south", "days": 7},
        "region": "south",
        "total": 7,
        "columns": ["cell", "calls"],
    }


@pytest.mark.autoflow_config(max_concurrent_runs=2)
async def test_independent_steps_run_at_the_same_time(jp_root_dir: Path, api: Api) -> None:
    # Given two steps that each finish only once the other has started
    for me, other in (("left", "right"), ("right", "left")):
        write_notebook(
            jp_root_dir / f"{me}.ipynb",
            f"open('{me}-started', 'w').close()\n" + WAIT_FOR.format(name=f"{other}-started"),
        )
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Branches
        steps:
          - key: left
            notebook: left.ipynb
          - key: right
            notebook: right.ipynb
        """,
    )

    # When the workflow runs with two run slots
    run = await _finished(api, (await _start(api, workflow))["id"])

    # Then both succeeded, and their runs' execution intervals overlap
    assert run["status"] == "succeeded", json.dumps(run, indent=1)
    left, right = _steps(run)["left"]["run"], _steps(run)["right"]["run"]
    assert _time(left["started_at"]) < _time(right["finished_at"])
    assert _time(right["started_at"]) < _time(left["finished_at"])


async def test_failed_step_skips_those_after_it_while_the_other_branch_completes(
    jp_root_dir: Path, api: Api
) -> None:
    # Given a failing step with a step after it, and an independent branch
    write_notebook(jp_root_dir / "fails.ipynb", "x = 1", "raise ValueError('no data for today')")
    write_notebook(jp_root_dir / "reads.ipynb", "print(upstream)", parameters='upstream = ""')
    write_notebook(jp_root_dir / "fine.ipynb", "print('fine')")
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Partial
        steps:
          - key: load
            notebook: fails.ipynb
          - key: summarise
            notebook: reads.ipynb
            parameters:
              upstream: {from: steps.load}
          - key: other
            notebook: fine.ipynb
        """,
    )

    # When it runs
    run = await _finished(api, (await _start(api, workflow))["id"])

    # Then the failing step failed, the one after it was skipped, the other branch succeeded
    assert _statuses(run) == {"load": "failed", "other": "succeeded", "summarise": "skipped"}
    steps = _steps(run)
    assert steps["summarise"]["message"] == "Skipped: step 'load' failed."
    assert steps["summarise"]["run"] is None
    assert steps["load"]["message"] == (
        "Step 'load' failed in cell 2: ValueError: no data for today"
    )
    # And the workflow run failed naming the step and the cell
    assert run["status"] == "failed"
    assert run["error"] == (
        "Step 'load' failed in cell 2: ValueError: no data for today; 1 step after it skipped."
    )
    assert run["finished_at"] is not None


async def test_failed_step_is_retried_after_its_backoff(jp_root_dir: Path, api: Api) -> None:
    # Given a notebook that fails the first time it runs and succeeds the next
    write_notebook(jp_root_dir / "flaky.ipynb", FAILS_ONCE)
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Flaky
        steps:
          - key: fetch
            notebook: flaky.ipynb
            retries: {count: 2, backoff: 1.5}
        """,
    )

    # When it runs
    run = await _finished(api, (await _start(api, workflow))["id"])

    # Then it succeeded on its second run
    assert run["status"] == "succeeded", run
    step = _steps(run)["fetch"]
    assert (step["status"], step["attempts"], step["run"]["trigger"]["attempt"]) == (
        "succeeded",
        2,
        2,
    )
    # And the second run was made no sooner than the backoff after the first failed
    _, page = await api("GET", "runs", notebook="flaky.ipynb")
    first, second = sorted(page["runs"], key=lambda r: r["trigger"]["attempt"])
    assert first["status"] == "failed"
    assert first["error"]["ename"] == "ConnectionError"
    assert second["id"] == step["run"]["id"]
    assert _time(second["created_at"]) >= _time(first["finished_at"]) + timedelta(seconds=1.5)


FIXABLE = """
    name: Fixable
    steps:
      - key: load
        notebook: load.ipynb
      - key: check
        notebook: check.ipynb
        parameters:
          upstream: {from: steps.load}
      - key: publish
        notebook: publish.ipynb
        after: [check]
    """


@pytest.fixture
def failed_run_root(jp_root_dir: Path) -> Path:
    """A chain load -> check -> publish whose check fails until 'fixed' exists."""
    write_notebook(jp_root_dir / "load.ipynb", "print('loaded')")
    write_notebook(
        jp_root_dir / "check.ipynb",
        "import os\nassert os.path.exists('fixed'), 'not fixed yet'",
        parameters='upstream = ""',
    )
    write_notebook(jp_root_dir / "publish.ipynb", "print('published')")
    _write_workflow(jp_root_dir, FIXABLE)
    return jp_root_dir


async def test_resume_reruns_failed_and_skipped_steps_and_reuses_succeeded_ones(
    failed_run_root: Path, api: Api
) -> None:
    # Given a workflow run whose middle step failed and whose last one was skipped
    first = await _finished(api, (await _start(api, "flow.autoflow.yaml"))["id"])
    assert _statuses(first) == {"load": "succeeded", "check": "failed", "publish": "skipped"}

    # When the cause is fixed and the run is resumed
    (failed_run_root / "fixed").touch()
    status, resumed = await api("POST", f"workflow-runs/{first['id']}/resume")
    assert status == 202, resumed
    assert resumed["id"] == first["id"]
    run = await _finished(api, first["id"])

    # Then it succeeded, the failed and skipped steps ran again and the succeeded one did not
    assert run["status"] == "succeeded", run
    assert run["error"] is None
    before, after = _steps(first), _steps(run)
    assert after["load"]["run"]["id"] == before["load"]["run"]["id"]
    assert after["load"]["attempts"] == 1
    assert after["check"]["attempts"] == 2
    assert after["check"]["run"]["id"] != before["check"]["run"]["id"]
    assert after["publish"]["attempts"] == 1
    # And the re-run check read the reused load's executed notebook
    assert after["check"]["run"]["parameters"] == {
        "upstream": str(failed_run_root / before["load"]["run"]["output"])
    }


async def test_resume_reruns_a_succeeded_step_whose_notebook_changed_and_those_after_it(
    jp_root_dir: Path, api: Api
) -> None:
    # Given a workflow run where every step succeeded
    write_notebook(jp_root_dir / "load.ipynb", "print('v1')")
    write_notebook(jp_root_dir / "check.ipynb", "print(upstream)", parameters='upstream = ""')
    write_notebook(jp_root_dir / "other.ipynb", "print('unchanged')")
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Stale
        steps:
          - key: load
            notebook: load.ipynb
          - key: check
            notebook: check.ipynb
            parameters:
              upstream: {from: steps.load}
          - key: other
            notebook: other.ipynb
        """,
    )
    first = await _finished(api, (await _start(api, workflow))["id"])
    assert first["status"] == "succeeded", first

    # When the first step's source is edited and the run is resumed
    write_notebook(jp_root_dir / "load.ipynb", "print('v2')")
    status, resumed = await api("POST", f"workflow-runs/{first['id']}/resume")
    assert status == 202, resumed
    run = await _finished(api, first["id"])

    # Then the edited step and the one reading it ran again; the unrelated one did not
    assert run["status"] == "succeeded", run
    before, after = _steps(first), _steps(run)
    assert {key: step["attempts"] for key, step in after.items()} == {
        "load": 2,
        "check": 2,
        "other": 1,
    }
    assert after["other"]["run"]["id"] == before["other"]["run"]["id"]
    assert after["load"]["run"]["id"] != before["load"]["run"]["id"]
    # And the re-run check read the new load's executed notebook
    assert after["check"]["run"]["parameters"] == {
        "upstream": str(jp_root_dir / after["load"]["run"]["output"])
    }


async def test_resuming_a_run_with_nothing_failed_or_changed_is_a_conflict(
    jp_root_dir: Path, api: Api
) -> None:
    # Given a succeeded workflow run whose notebook was saved again unchanged
    write_notebook(jp_root_dir / "one.ipynb", "print(1)")
    workflow = _write_workflow(
        jp_root_dir, "name: One\nsteps:\n  - key: one\n    notebook: one.ipynb\n"
    )
    run = await _finished(api, (await _start(api, workflow))["id"])
    write_notebook(jp_root_dir / "one.ipynb", "print(1)")

    # When it is resumed
    status, refusal = await api("POST", f"workflow-runs/{run['id']}/resume")

    # Then there is nothing to re-run, and the run is left as it was
    assert status == 409, refusal
    assert refusal["message"] == (
        f"Workflow run {run['id']} has nothing to re-run: every step succeeded and none "
        "changed since."
    )
    assert (await api("GET", f"workflow-runs/{run['id']}"))[1] == run


async def test_resuming_a_run_still_running_is_a_conflict(jp_root_dir: Path, api: Api) -> None:
    # Given a workflow run whose step waits for a file
    write_notebook(jp_root_dir / "waits.ipynb", WAIT_FOR.format(name="go"))
    workflow = _write_workflow(
        jp_root_dir, "name: Waits\nsteps:\n  - key: wait\n    notebook: waits.ipynb\n"
    )
    started = await _start(api, workflow)
    await _wait_until(
        api,
        started["id"],
        lambda run: run["steps"][0]["status"] == "running",
        "to run its step",
    )

    # When it is resumed
    status, refusal = await api("POST", f"workflow-runs/{started['id']}/resume")

    # Then that is a conflict saying why, and the run carries on to success
    assert status == 409, refusal
    assert refusal["message"] == (
        f"Workflow run {started['id']} is running; it can be resumed once it has finished."
    )
    (jp_root_dir / "go").touch()
    run = await _finished(api, started["id"])
    assert run["status"] == "succeeded", json.dumps(run, indent=1)


async def test_cancel_stops_the_running_step_and_cancels_those_pending(
    jp_root_dir: Path, api: Api
) -> None:
    # Given a workflow run whose first step sleeps, with a step after it
    write_notebook(jp_root_dir / "sleeps.ipynb", "import time\ntime.sleep(120)")
    write_notebook(jp_root_dir / "later.ipynb", "print('never')")
    workflow = _write_workflow(
        jp_root_dir,
        """
        name: Long
        steps:
          - key: sleep
            notebook: sleeps.ipynb
          - key: later
            notebook: later.ipynb
            after: [sleep]
        """,
    )
    started = await _start(api, workflow)
    await _wait_until(
        api,
        started["id"],
        lambda run: _steps(run)["sleep"]["status"] == "running",
        "to run its first step",
    )

    # When it is cancelled
    status, cancelling = await api("POST", f"workflow-runs/{started['id']}/cancel")
    assert status == 202, cancelling
    run = await _finished(api, started["id"], timeout=30)

    # Then the workflow run, the sleeping step's run and the pending step are all cancelled
    assert run["status"] == "cancelled", run
    assert _statuses(run) == {"sleep": "cancelled", "later": "cancelled"}
    assert _steps(run)["sleep"]["run"]["status"] == "cancelled"
    assert _steps(run)["later"]["run"] is None


async def test_delete_removes_the_workflow_run_with_every_run_of_its_steps(
    jp_root_dir: Path, api: Api
) -> None:
    # Given a finished workflow run whose step ran twice (it failed once, then was retried)
    write_notebook(jp_root_dir / "flaky.ipynb", FAILS_ONCE)
    workflow = _write_workflow(
        jp_root_dir,
        "name: Twice\nsteps:\n  - key: one\n    notebook: flaky.ipynb\n    retries: {count: 1}\n",
    )
    run = await _finished(api, (await _start(api, workflow))["id"])
    assert _steps(run)["one"]["attempts"] == 2
    _, page = await api("GET", "runs", notebook="flaky.ipynb")
    step_runs = page["runs"]
    assert len(step_runs) == 2
    assert all((jp_root_dir / r["output"]).exists() for r in step_runs)

    # When it is deleted
    status, _ = await api("DELETE", f"workflow-runs/{run['id']}")

    # Then it, both of its step's runs and their executed notebooks are gone
    assert status == 204
    assert (await api("GET", f"workflow-runs/{run['id']}"))[0] == 404
    for step_run in step_runs:
        assert (await api("GET", f"runs/{step_run['id']}"))[0] == 404
        assert not (jp_root_dir / step_run["output"]).exists()
    _, page = await api("GET", "workflow-runs")
    assert page["workflow_runs"] == []


async def test_step_with_an_html_report_gets_it_beside_its_executed_notebook(
    jp_root_dir: Path, api: Api
) -> None:
    write_notebook(jp_root_dir / "chart.ipynb", "print('forty-two regions')")
    workflow = _write_workflow(
        jp_root_dir,
        "name: Report\nsteps:\n  - key: chart\n    notebook: chart.ipynb\n    report: html\n",
    )

    run = await _finished(api, (await _start(api, workflow))["id"])

    assert run["status"] == "succeeded", run
    step_run = _steps(run)["chart"]["run"]
    [report] = step_run["reports"]
    assert report["format"] == "html"
    assert report["path"] == str(Path(step_run["output"]).with_suffix(".html"))
    assert "forty-two regions" in (jp_root_dir / report["path"]).read_text()
    # And GET runs/<id> shows the same reports
    _, fetched = await api("GET", f"runs/{step_run['id']}")
    assert fetched["reports"] == step_run["reports"]


async def test_failed_step_with_a_report_still_gets_it(jp_root_dir: Path, api: Api) -> None:
    write_notebook(jp_root_dir / "breaks.ipynb", "print('partial figures')", "1 / 0")
    workflow = _write_workflow(
        jp_root_dir,
        "name: Breaks\nsteps:\n  - key: breaks\n    notebook: breaks.ipynb\n    report: html\n",
    )

    run = await _finished(api, (await _start(api, workflow))["id"])

    assert run["status"] == "failed", run
    step_run = _steps(run)["breaks"]["run"]
    assert step_run["status"] == "failed"
    [report] = step_run["reports"]
    assert report["format"] == "html"
    page = (jp_root_dir / report["path"]).read_text()
    assert "partial figures" in page
    assert "ZeroDivisionError" in page


async def test_example_workflow_runs_end_to_end_with_html_and_pdf_reports(
    jp_root_dir: Path, api: Api
) -> None:
    # Given the shipped example copied into the workspace
    shutil.copytree(EXAMPLES, jp_root_dir / "example")
    calls = pd.read_csv(EXAMPLES / "data" / "calls.csv", parse_dates=["date"])
    window = calls[calls.date.between("2016-01-01", "2016-01-07")]
    total_calls = int(window.calls.sum())

    # When it runs with its default parameters
    started = await _start(api, "example/daily_report.autoflow.yaml")
    run = await _finished(api, started["id"], timeout=180)

    # Then every step succeeded
    assert run["status"] == "succeeded", json.dumps(run, indent=1)
    assert run["name"] == "Daily network activity"
    assert _statuses(run) == {"calls": "succeeded", "sms": "succeeded", "report": "succeeded"}
    # And the report step has an HTML and a PDF report
    reports = {r["format"]: r["path"] for r in _steps(run)["report"]["run"]["reports"]}
    assert set(reports) == {"html", "pdf"}
    assert f"{total_calls:,}" in (jp_root_dir / reports["html"]).read_text()
    # And the PDF's text holds the title and the week's total calls computed from the data
    pdf = PdfReader(jp_root_dir / reports["pdf"])
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Daily network activity" in text
    assert f"{total_calls:,}" in text
