"""A server that dies mid-run leaves no run "running" forever: the next one settles it,
on the default SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from .notebooks import read_notebook, stream_text, write_notebook
from .postgresql import ServerDatabase, on_both_databases
from .servers import JupyterProcess, start_jupyter

# Sleeps until the test creates "second-start", so only the first server's run is slow.
SLOW_UNTIL_RESTART = (
    "import os, time\n"
    "while not os.path.exists('second-start'):\n"
    "    time.sleep(0.2)\n"
    "print('finished')"
)


@pytest.fixture
def home(tmp_path: Path, server_database: ServerDatabase) -> Path:
    """The servers' Jupyter home, configured for the test's database."""
    config = tmp_path / "config" / "jupyter_server_config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"AutoflowApp": server_database.settings}))
    return tmp_path


def _wait_for_status(server: JupyterProcess, run_id: int, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        run = server.api("GET", f"runs/{run_id}")
        if run["status"] == status:
            return dict(run)
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
        time.sleep(0.25)


def _wait_for_current_cell(server: JupyterProcess, run_id: int, cell_index: int) -> None:
    deadline = time.monotonic() + 90
    while (server.api("GET", f"runs/{run_id}")["progress"] or {}).get("current_cell") != cell_index:
        assert time.monotonic() < deadline, f"run {run_id} never reached cell {cell_index}"
        time.sleep(0.25)


def _start_run_then_crash(root: Path, home: Path) -> int:
    write_notebook(root / "slow.ipynb", SLOW_UNTIL_RESTART)
    first = start_jupyter("server", root, home)
    try:
        run_id = int(first.api("POST", "runs", {"notebook": "slow.ipynb"})["id"])
        _wait_for_current_cell(first, run_id, 0)
    finally:
        first.kill()
    (root / "second-start").touch()
    return run_id


@on_both_databases
def test_run_in_flight_when_the_server_is_killed_fails_as_interrupted(home: Path) -> None:
    # Given a run that was running when its server was killed
    root = home / "root"
    run_id = _start_run_then_crash(root, home)

    # When a server starts again on the same workspace
    second = start_jupyter("server", root, home)
    try:
        run = _wait_for_status(second, run_id, "failed")
    finally:
        second.stop()

    # Then the run is failed with the reason, not left running
    assert run["error"] == {
        "cell_index": 0,
        "cell_number": 1,
        "execution_count": None,
        "cell_source": "import os, time",
        "ename": "Interrupted",
        "evalue": "interrupted in cell 1: the server executing it stopped",
    }
    # And the partial notebook says so in the cell it stopped in
    outputs = read_notebook(root / run["output"]).cells[0].outputs
    assert [(o.ename, o.evalue) for o in outputs] == [("Interrupted", run["error"]["evalue"])]
    assert run["finished_at"] is not None


def test_server_stops_promptly_with_a_run_in_flight(tmp_path: Path) -> None:
    # Given a server running a notebook that would take minutes
    root = tmp_path / "root"
    write_notebook(root / "slow.ipynb", SLOW_UNTIL_RESTART)
    server = start_jupyter("server", root, tmp_path)
    try:
        run_id = int(server.api("POST", "runs", {"notebook": "slow.ipynb"})["id"])
        _wait_for_status(server, run_id, "running")

        # When the server alone is asked to stop, as Ctrl+C or a service manager would
        started = time.monotonic()
        os.kill(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=30)
    finally:
        server.stop()

    # Then it exits without waiting for the notebook, and the run is settled next time
    assert time.monotonic() - started < 20
    second = start_jupyter("server", root, tmp_path)
    try:
        assert _wait_for_status(second, run_id, "failed")["error"]["ename"] == "Interrupted"
    finally:
        second.stop()


def test_run_in_flight_is_run_again_when_requeue_is_configured(home: Path) -> None:
    root = home / "root"
    run_id = _start_run_then_crash(root, home)

    second = start_jupyter("server", root, home, "--AutoflowApp.requeue_interrupted_runs=True")
    try:
        run = _wait_for_status(second, run_id, "succeeded")
    finally:
        second.stop()

    executed = read_notebook(root / run["output"])
    assert stream_text(executed.cells[-1]) == "finished\n"
