"""``autoflow schedule add --on-new-data`` and ``autoflow schedule dates|check|retry``:
in-process for parsing and refusals, real kernels for the runs a check starts here, the
installed script where FlowAPI's failure and its token are what is tested."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from autoflow_lab.models import EventType, NewDataTriggerSpec
from autoflow_lab.store import ScheduleStore, open_database

from .flowapi import FlowApi
from .notebooks import read_notebook, stream_text, write_notebook
from .test_cli import AUTOFLOW, run_in_process

DATABASE = Path("autoflow-runs") / ".autoflow.sqlite"
# flowclient warns of plain HTTP, which the stand-in on loopback speaks.
pytestmark = pytest.mark.filterwarnings("ignore:Communications with this server are NOT SECURE")


@pytest.fixture
def daily(command_root: Path) -> Path:
    return write_notebook(
        command_root / "daily.ipynb", "print(reference_date)", parameters='reference_date = ""'
    )


@pytest.fixture
def checked(command_root: Path, flowapi: FlowApi, monkeypatch: pytest.MonkeyPatch) -> FlowApi:
    """The stand-in as this folder's FlowAPI: its address configured, its token in FLOWAPI_TOKEN."""
    config = command_root.parent / "config" / "jupyter_autoflow_lab_config.json"
    config.parent.mkdir(exist_ok=True)
    config.write_text(json.dumps({"AutoflowApp": {"flowapi_url": flowapi.url}}))
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.token)
    return flowapi


def _stored_trigger(root: Path, schedule_id: int) -> NewDataTriggerSpec:
    engine = open_database(f"sqlite:///{root / DATABASE}")
    try:
        trigger = ScheduleStore(engine).get(schedule_id).settings.trigger
    finally:
        engine.dispose()
    assert isinstance(trigger, NewDataTriggerSpec)
    return trigger


def _dates_table(capsys: pytest.CaptureFixture[str], schedule_id: int) -> list[list[str]]:
    status, out, err = run_in_process(capsys, "schedule", "dates", str(schedule_id))
    assert status == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["DATE", "STATE", "ATTEMPTS", "RUN", "MESSAGE"]
    return [row.split() for row in rows]


def test_add_on_new_data_stores_the_trigger_as_given(
    capsys: pytest.CaptureFixture[str], command_root: Path, daily: Path
) -> None:
    # When a data-trigger schedule is added with every option of its trigger
    status, out, err = run_in_process(
        capsys,
        "schedule", "add", "daily.ipynb", "--on-new-data", "--event-types", "calls,sms",
        "--earliest", "2016-01-01", "--stencil", "[[-7, 0]]", "--cron", "30 * * * *",
        "--tz", "UTC", "--lookback-days", "400", "--max-runs-per-check", "5",
        "--max-attempts", "2",
    )  # fmt: skip

    # Then it is described in words, with the command that checks now
    assert status == 0, err
    assert "Schedule 1 (daily): When FlowAPI has new calls or sms data; checked at 30" in out
    assert "Next check: " in out
    assert "'autoflow schedule check 1' checks FlowAPI now" in err
    # And its trigger is stored as given
    assert _stored_trigger(command_root, 1) == NewDataTriggerSpec(
        kind="new_data",
        expression="30 * * * *",
        timezone="UTC",
        event_types=[EventType.CALLS, EventType.SMS],
        earliest_date=date(2016, 1, 1),
        stencil=[[-7, 0]],
        lookback_days=400,
        max_runs_per_check=5,
        max_attempts=2,
    )
    # And the list shows it, with a line for its checks and dates under it
    status, out, err = run_in_process(capsys, "schedules")
    assert status == 0, err
    _, row, details = out.splitlines()
    assert row.split()[:3] == ["1", "daily", "daily.ipynb"]
    assert row.endswith(
        "When FlowAPI has new calls or sms data; checked at 30 minutes past the hour (UTC)"
    )
    assert details == "    never checked; dates: none yet"


@pytest.mark.parametrize(
    ("stencil", "words"),
    [
        ("[[0, -7]]", "--stencil: Element 0 of the date stencil, [0, -7], holds no day"),
        ('[0, "2016-13-01"]', "--stencil: Element 1 of the date stencil has '2016-13-01'"),
        ("[[-7, 0]", "--stencil '[[-7, 0]' is not JSON"),
        ("[]", "--stencil: A date stencil needs at least one element"),
    ],
)
def test_an_invalid_stencil_is_refused_naming_the_element(
    capsys: pytest.CaptureFixture[str], daily: Path, stencil: str, words: str
) -> None:
    status, _, err = run_in_process(
        capsys, "schedule", "add", "daily.ipynb", "--on-new-data", "--stencil", stencil
    )

    assert status == 2
    assert words in err
    assert run_in_process(capsys, "schedules")[1].splitlines()[1:] == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--on-new-data", "--every", "1h"], "--every cannot go with --on-new-data"),
        (["--on-new-data", "--at", "2030-01-01T00:00:00+00:00"], "--at cannot go with"),
        (["--on-new-data", "--event-types", "calls,voice"], "--event-types: 'voice': give one"),
        (["--on-new-data", "--earliest", "2016-02-30"], "--earliest: "),
        (["--on-new-data", "--lookback-days", "0"], "--lookback-days: "),
        (["--on-new-data", "--overlap", "queue"], "--overlap does not apply to --on-new-data"),
        (["--every", "1h", "--stencil", "[0]"], "--stencil goes with --on-new-data"),
        ([], "say when: give --cron, --every, --at or --on-new-data"),
    ],
)
def test_options_that_do_not_fit_a_data_trigger_are_refused(
    capsys: pytest.CaptureFixture[str], daily: Path, args: list[str], words: str
) -> None:
    status, _, err = run_in_process(capsys, "schedule", "add", "daily.ipynb", *args)

    assert status == 2
    assert words in err


def test_check_runs_each_new_date_here_once(
    capsys: pytest.CaptureFixture[str], command_root: Path, daily: Path, checked: FlowApi
) -> None:
    # Given a data-trigger schedule for FlowAPI's last two dates
    status, _, err = run_in_process(
        capsys, "schedule", "add", "daily.ipynb", "--on-new-data", "--earliest", "2016-01-06"
    )
    assert status == 0, err

    # When FlowAPI is checked from the command line
    status, out, err = run_in_process(capsys, "schedule", "check", "1")

    # Then each date ran here, with its reference date, and the command waited for both
    assert status == 0, err
    assert "2 qualify (2 new). Started 2 runs." in err
    printed = sorted(stream_text(read_notebook(Path(line)).cells[-1]) for line in out.split())
    assert printed == ["2016-01-06\n", "2016-01-07\n"]
    # And a second check starts nothing
    status, _, err = run_in_process(capsys, "schedule", "check", "1")
    assert status == 0, err
    assert "Started 0 runs." in err
    assert "No run started." in err
    # And the dates are listed succeeded, newest first, with their runs
    assert _dates_table(capsys, 1) == [
        ["2016-01-07", "succeeded", "1/3", "run", "2"],
        ["2016-01-06", "succeeded", "1/3", "run", "1"],
    ]
    listing = run_in_process(capsys, "schedules")[1].splitlines()
    assert listing[2].startswith("    checked ")
    assert listing[2].endswith(": ok; dates: 2 succeeded")


def test_retry_runs_a_given_up_date_again_here(
    capsys: pytest.CaptureFixture[str], command_root: Path, checked: FlowApi
) -> None:
    # Given a date that failed its only attempt, while a file was missing
    needed = command_root / "input.csv"
    write_notebook(
        command_root / "reads.ipynb",
        f"print(open({str(needed)!r}).read(), reference_date)",
        parameters='reference_date = ""',
    )
    run_in_process(
        capsys, "schedule", "add", "reads.ipynb", "--on-new-data", "--earliest", "2016-01-07",
        "--max-attempts", "1",
    )  # fmt: skip
    status, _, err = run_in_process(capsys, "schedule", "check", "1")
    assert status == 1
    assert "FileNotFoundError" in err
    [[day, state, attempts, *_]] = _dates_table(capsys, 1)
    assert (day, state, attempts) == ("2016-01-07", "given_up", "1/1")

    # When the file is there and the date is retried
    needed.write_text("figures")
    status, out, err = run_in_process(capsys, "schedule", "retry", "1", "2016-01-07")

    # Then it ran again here and succeeded
    assert status == 0, err
    assert "2016-01-07 re-armed" in err
    assert stream_text(read_notebook(Path(out.strip())).cells[-1]) == "figures 2016-01-07\n"
    assert _dates_table(capsys, 1)[0][:3] == ["2016-01-07", "succeeded", "1/1"]


def test_run_of_a_data_trigger_schedule_points_to_check(
    capsys: pytest.CaptureFixture[str], daily: Path
) -> None:
    run_in_process(capsys, "schedule", "add", "daily.ipynb", "--on-new-data")

    status, _, err = run_in_process(capsys, "schedule", "run", "1")

    assert status == 2
    assert "'autoflow schedule check 1' checks FlowAPI now" in err


def test_check_exits_3_when_flowapi_refuses_and_keeps_the_token_out(
    capsys: pytest.CaptureFixture[str], command_root: Path, daily: Path, flowapi: FlowApi
) -> None:
    # Given a data-trigger schedule, and FlowAPI refusing the token
    run_in_process(capsys, "schedule", "add", "daily.ipynb", "--on-new-data")
    flowapi.fail_with(403)

    # When the installed command checks, its FlowAPI address given on the command line
    done = subprocess_autoflow(
        command_root, flowapi.token, "schedule", "check", "1", "--flowapi-url", flowapi.url
    )

    # Then it exits 3, saying why in plain words, and the token appears nowhere
    assert done.returncode == 3, done.stderr
    assert "autoflow: FlowAPI could not be checked (denied): " in done.stderr
    assert flowapi.token not in done.stdout + done.stderr
    # And the check is recorded on the schedule
    assert ": denied; dates: none yet" in run_in_process(capsys, "schedules")[1]


def subprocess_autoflow(root: Path, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "FLOWAPI_TOKEN": token}
    return subprocess.run(
        [AUTOFLOW, *args],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_of_a_schedule_on_time_is_refused(
    capsys: pytest.CaptureFixture[str], daily: Path
) -> None:
    run_in_process(capsys, "schedule", "add", "daily.ipynb", "--every", "1h")

    status, _, err = run_in_process(capsys, "schedule", "check", "1")

    assert status == 2
    assert "Schedule 1 runs on time, not when FlowAPI has new data" in err
