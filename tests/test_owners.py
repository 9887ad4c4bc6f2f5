"""Servers and commands share one history: each run has one owner, and only a gone
owner's runs are settled by others. Real server and command processes throughout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autoflow_lab.cli.common import EXIT_CANCELLED

from .notebooks import error_outputs, read_notebook, write_notebook
from .servers import JupyterProcess, start_jupyter
from .waiting import eventually

AUTOFLOW = str(Path(sys.executable).with_name("autoflow"))

# Each execution appends its run's start to 'executions', then waits for 'release'.
COUNTED_UNTIL_RELEASE = (
    "import os, time\n"
    "with open('executions', 'a') as log:\n"
    "    log.write('started\\n')\n"
    "while not os.path.exists('release'):\n"
    "    time.sleep(0.1)\n"
    "print('finished')"
)
# Short owner timeouts, so a server notices a gone owner within seconds. Servers and
# commands read them from the same configuration file, as in a real deployment.
QUICK_SWEEPS = {"heartbeat_interval": 0.5, "owner_timeout": 3}
REQUEUE = "--AutoflowApp.requeue_interrupted_runs=True"


def _run(server: JupyterProcess, run_id: int) -> dict[str, Any]:
    return dict(server.api("GET", f"runs/{run_id}"))


def _executions(root: Path) -> int:
    path = root / "executions"
    return len(path.read_text().splitlines()) if path.exists() else 0


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_notebook(tmp_path / "root" / "counted.ipynb", COUNTED_UNTIL_RELEASE)
    config = tmp_path / "config" / "jupyter_server_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"AutoflowApp": QUICK_SWEEPS}))
    return tmp_path / "root"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[JupyterProcess]]:
    started: list[JupyterProcess] = []
    yield started
    for server in started:
        server.stop()


def _start(servers: list[JupyterProcess], root: Path, *args: str) -> JupyterProcess:
    server = start_jupyter("server", root, root.parent, *args)
    servers.append(server)
    return server


def _cli_run(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [AUTOFLOW, "run", "counted.ipynb", "--quiet"],
        cwd=root,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(root.parent / "config")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_a_server_starting_beside_a_command_line_run_leaves_it_to_the_command(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given `autoflow run` executing a notebook
    command = _cli_run(root)
    eventually(lambda: _executions(root) == 1, what="the command's run to start")

    # When a server that re-queues interrupted runs starts on the same folder and sweeps
    server = _start(servers, root, REQUEUE)
    time.sleep(4)  # longer than the owner timeout: several sweeps happen meanwhile

    # Then the server leaves the run alone, and the command records its outcome
    assert _run(server, 1)["status"] == "running"
    (root / "release").touch()
    _, errors = command.communicate(timeout=120)
    assert command.returncode == 0, errors
    assert _run(server, 1)["status"] == "succeeded"
    assert _run(server, 1)["trigger"]["kind"] == "cli"
    assert _executions(root) == 1


def test_two_servers_on_one_database_never_take_each_others_runs(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given a server with one run executing and three queued behind it
    first = _start(servers, root, "--AutoflowApp.max_concurrent_runs=1")
    ids = [first.api("POST", "runs", {"notebook": "counted.ipynb"})["id"] for _ in range(4)]
    eventually(lambda: _executions(root) == 1, what="the first run to start")

    # When a second server that re-queues interrupted runs starts on the same folder
    second = _start(servers, root, REQUEUE)
    time.sleep(4)  # longer than the owner timeout: several sweeps happen meanwhile

    # Then every run executes exactly once, on the server that accepted it
    assert [_run(second, i)["status"] for i in ids] == ["running", "queued", "queued", "queued"]
    (root / "release").touch()
    for run_id in ids:
        eventually(lambda run_id=run_id: _run(second, run_id)["status"] == "succeeded")
    assert _executions(root) == 4
    assert second.api("GET", "runs")["runs"][0]["id"] == ids[-1]


def test_a_run_is_cancelled_from_another_server_than_the_one_executing_it(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given two servers on one database, the first executing a run
    first = _start(servers, root)
    second = _start(servers, root)
    run_id = first.api("POST", "runs", {"notebook": "counted.ipynb"})["id"]
    eventually(lambda: _executions(root) == 1, what="the run to start")

    # When a user cancels it on the second server
    asked = time.monotonic()
    answer = second.api("POST", f"runs/{run_id}/cancel")
    cancelled = eventually(
        lambda: (run := _run(second, run_id))["status"] == "cancelled" and run,
        30,
        "the run to be cancelled",
    )

    # Then the first server stops it within seconds, as it would its own cancel
    assert answer["status"] == "running"
    assert time.monotonic() - asked < 5
    assert cancelled["error"]["ename"] == "Cancelled"
    assert cancelled["error"]["evalue"] == "cancelled in cell 1"
    assert _executions(root) == 1


def test_a_command_line_run_is_cancelled_from_a_server(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given `autoflow run` executing a notebook beside a server
    server = _start(servers, root)
    command = _cli_run(root)
    eventually(lambda: _executions(root) == 1, what="the command's run to start")

    # When a user cancels its run in the server
    server.api("POST", "runs/1/cancel")

    # Then the command stops it and ends with a cancelled run
    _, errors = command.communicate(timeout=60)
    assert command.returncode == EXIT_CANCELLED, errors
    assert "Run 1 cancelled in cell 1" in errors
    assert _run(server, 1)["status"] == "cancelled"


def test_a_live_server_settles_the_runs_of_a_server_that_was_killed(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given two servers on one database, the first executing a run in its first cell
    first = _start(servers, root)
    second = _start(servers, root)
    run_id = first.api("POST", "runs", {"notebook": "counted.ipynb"})["id"]
    eventually(lambda: (_run(second, run_id)["progress"] or {}).get("current_cell") == 0)

    # When the first server is killed, as a crash would
    first.kill()

    # Then the second settles the run, with the interruption inline in its notebook
    run = eventually(lambda: (r := _run(second, run_id))["status"] == "failed" and r, timeout=30)
    assert run["error"]["ename"] == "Interrupted"
    assert run["error"]["evalue"] == "interrupted in cell 1: the server executing it stopped"
    assert run["error"]["cell_number"] == 1
    cell = read_notebook(root / run["output"]).cells[0]
    assert error_outputs(cell)[0]["evalue"] == run["error"]["evalue"]


def test_a_server_settles_the_run_of_a_command_that_was_killed(
    root: Path, servers: list[JupyterProcess]
) -> None:
    # Given a server, and `autoflow run` executing a notebook beside it
    server = _start(servers, root)
    command = _cli_run(root)
    eventually(lambda: _executions(root) == 1, what="the command's run to start")

    # When the command is killed with its kernel
    os.killpg(command.pid, signal.SIGKILL)
    command.communicate(timeout=10)

    # Then the server settles its run as interrupted, naming the command
    run = eventually(lambda: (r := _run(server, 1))["status"] == "failed" and r, timeout=30)
    assert run["error"]["evalue"].endswith(": the autoflow command executing it stopped")


def test_two_command_line_runs_on_one_database_each_run_once(root: Path) -> None:
    # Given two `autoflow run` commands executing at once in one folder
    commands = [_cli_run(root) for _ in range(2)]
    try:
        eventually(lambda: _executions(root) == 2, what="both runs to start")
    except AssertionError:
        for command in commands:
            command.kill()
        raise AssertionError([command.communicate() for command in commands]) from None

    # When both are let finish
    (root / "release").touch()
    outcomes = [command.communicate(timeout=120) for command in commands]

    # Then each recorded its own run, executed once
    assert [command.returncode for command in commands] == [0, 0], outcomes
    listed = subprocess.run(
        [AUTOFLOW, "runs"], cwd=root, capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[1:]
    assert sorted(line.split()[:2] for line in listed) == [["1", "succeeded"], ["2", "succeeded"]]
    assert _executions(root) == 2
