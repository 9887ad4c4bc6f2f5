"""``autoflow schedules`` and ``autoflow schedule ...``: in-process for parsing and
refusals, with a real server over the same folder for what fires."""

from __future__ import annotations

from pathlib import Path

import pytest

from .notebooks import write_notebook
from .servers import start_jupyter
from .test_cli import run_in_process
from .waiting import eventually


@pytest.fixture
def daily(command_root: Path) -> Path:
    return write_notebook(command_root / "daily.ipynb", "print(minutes)", parameters="minutes = 5")


def test_add_stores_a_cron_schedule_that_the_list_shows(capsys, daily: Path) -> None:
    # When a weekday schedule is added with a parameter
    status, out, err = run_in_process(
        capsys,
        "schedule", "add", "daily.ipynb", "--cron", "0 6 * * 1-5", "--tz", "Europe/London",
        "-p", "minutes", "7",
    )  # fmt: skip

    # Then it is described, and said to need a running server to fire
    assert status == 0, err
    assert "Schedule 1 (daily): At 06:00, Monday through Friday (Europe/London)" in out
    assert "a headless 'jupyter server' is enough" in err
    # And the list shows it
    status, out, err = run_in_process(capsys, "schedules")
    assert status == 0, err
    header, row = out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "NOTEBOOK"]
    assert row.split()[:3] == ["1", "daily", "daily.ipynb"]
    assert row.endswith("At 06:00, Monday through Friday (Europe/London)")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--cron", "61 * * * *"], "in its minute field ('61')"),
        (["--cron", "0 6 * * *", "--tz", "Mars/Olympus"], "Unknown timezone 'Mars/Olympus'"),
        (["--every", "2x"], "--every '2x': give a number"),
        (["--every", "0.5s"], "at least 1 s"),
        (["--at", "2020-01-01T00:00:00+00:00"], "is in the past"),
        (["--at", "tomorrow"], "--at:"),
        (["--every", "1h", "--tz", "UTC"], "--tz goes with --cron"),
        (["--every", "1h", "-p", "minutes", "many"], "expects an integer, got 'many'"),
        (["--every", "1h", "-p", "hours", "1"], "unknown parameter 'hours'"),
    ],
)
def test_bad_schedule_is_refused_with_status_2_and_creates_nothing(
    capsys, daily: Path, args: list[str], words: str
) -> None:
    status, _, err = run_in_process(capsys, "schedule", "add", "daily.ipynb", *args)

    assert status == 2
    assert words in err
    assert run_in_process(capsys, "schedules")[1].splitlines()[1:] == []


def test_pause_resume_and_delete_by_id(capsys, daily: Path) -> None:
    run_in_process(capsys, "schedule", "add", "daily.ipynb", "--every", "15m", "--name", "q")

    assert run_in_process(capsys, "schedule", "pause", "1")[1] == "Schedule 1 (q) paused.\n"
    assert "paused" in run_in_process(capsys, "schedules")[1].splitlines()[1]
    assert run_in_process(capsys, "schedule", "resume", "1")[1] == "Schedule 1 (q) resumed.\n"
    assert "paused" not in run_in_process(capsys, "schedules")[1].splitlines()[1]
    status, _, _ = run_in_process(capsys, "schedule", "delete", "1")
    assert status == 0
    assert run_in_process(capsys, "schedules")[1].splitlines()[1:] == []
    status, _, err = run_in_process(capsys, "schedule", "pause", "1")
    assert status == 2
    assert "No schedule with id 1." in err


def test_run_executes_the_schedules_notebook_here(capsys, command_root: Path, daily: Path) -> None:
    run_in_process(capsys, "schedule", "add", "daily.ipynb", "--every", "1d", "-p", "minutes", "9")

    status, out, err = run_in_process(capsys, "schedule", "run", "1")

    assert status == 0, err
    executed = Path(out.strip())
    assert executed.is_relative_to(command_root / "autoflow-runs")
    assert "minutes = 9" in executed.read_text()


def test_a_server_over_the_folder_fires_a_schedule_added_on_the_command_line(
    capsys,
    command_root: Path,
    daily: Path,
) -> None:
    # Given a server over the folder
    server = start_jupyter(
        "server", command_root, command_root.parent, "--AutoflowApp.heartbeat_interval=0.5"
    )
    try:
        # When a schedule firing every second is added on the command line
        status, _, err = run_in_process(
            capsys, "schedule", "add", "daily.ipynb", "--every", "1s", "--overlap", "queue"
        )
        assert status == 0, err

        # Then the server fires it, with the schedule's name on each run
        runs = eventually(
            lambda: server.api("GET", "runs?schedule=1")["runs"], what="a fire", timeout=30
        )
        assert runs[0]["trigger"]["schedule_name"] == "daily"
    finally:
        server.stop()
