"""Runs through the REST API, executed by real kernels."""

from __future__ import annotations

import socket
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import nbformat
import pytest

from .notebooks import error_outputs, read_notebook, stream_text, write_notebook


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_run_with_parameters_succeeds_and_keeps_executed_notebook(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a notebook with a parameters cell
    write_notebook(
        jp_root_dir / "reports" / "greet.ipynb",
        'print(f"hello {name} x{n}")',
        parameters='name = "world"\nn = 1',
    )

    # When a run is started with parameters
    status, queued = await api(
        "POST",
        "runs",
        {"notebook": "reports/greet.ipynb", "parameters": {"name": "AutoFlow", "n": 3}},
    )

    # Then it is accepted, queued, and reaches succeeded
    assert status == 202, queued
    assert queued["status"] == "queued"
    assert queued["executed_on"] is None
    assert queued["notebook"] == "reports/greet.ipynb"
    assert queued["parameters"] == {"name": "AutoFlow", "n": 3}
    assert queued["kernel_name"] == "python3"
    run = await wait_for_run(queued["id"])
    assert run["status"] == "succeeded", run
    assert run["error"] is None
    assert run["executed_on"] == f"local worker on {socket.gethostname()}"
    assert _time(run["created_at"]) <= _time(run["started_at"]) <= _time(run["finished_at"])
    assert run["created_at"].endswith("Z")

    # And the executed notebook holds the injected parameters and the output
    assert run["output"].startswith("autoflow-runs/reports/greet/")
    executed = read_notebook(jp_root_dir / run["output"])
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'name = "AutoFlow"' in injected[0].source
    assert "n = 3" in injected[0].source
    assert stream_text(executed.cells[-1]) == "hello AutoFlow x3\n"


async def test_kernel_named_in_the_request_overrides_the_notebooks(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('ran')")])
    nbformat.write(notebook, jp_root_dir / "bare.ipynb")  # no kernelspec in its metadata

    _, queued = await api("POST", "runs", {"notebook": "bare.ipynb", "kernel_name": "python3"})
    run = await wait_for_run(queued["id"])

    assert (run["status"], run["kernel_name"]) == ("succeeded", "python3")


async def test_run_executes_in_the_notebooks_own_folder(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    (jp_root_dir / "project").mkdir()
    (jp_root_dir / "project" / "data.csv").write_text("a,b\n1,2\n")
    write_notebook(jp_root_dir / "project" / "read.ipynb", "print(open('data.csv').read())")

    _, queued = await api("POST", "runs", {"notebook": "project/read.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "succeeded", run
    assert stream_text(read_notebook(jp_root_dir / run["output"]).cells[-1]) == "a,b\n1,2\n\n"


async def test_failing_cell_fails_run_with_error_inline(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a notebook whose third cell raises
    write_notebook(
        jp_root_dir / "broken.ipynb",
        "x = 1",
        'raise ValueError("bad input data")',
        'print("never reached")',
        parameters="threshold = 3",
    )

    # When it runs
    _, queued = await api("POST", "runs", {"notebook": "broken.ipynb"})
    run = await wait_for_run(queued["id"])

    # Then the run failed with the exception and the executed notebook's cell index
    assert run["status"] == "failed"
    assert run["error"]["ename"] == "ValueError"
    assert run["error"]["evalue"] == "bad input data"
    executed = read_notebook(jp_root_dir / run["output"])
    failing = executed.cells[run["error"]["cell_index"]]
    assert "raise ValueError" in failing.source
    assert error_outputs(failing)[0].ename == "ValueError"
    assert stream_text(executed.cells[-1]) == ""


async def test_kernel_death_fails_run_at_the_dying_cell(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(
        jp_root_dir / "crash.ipynb",
        "import os, signal",
        "os.kill(os.getpid(), signal.SIGKILL)",
        'print("never reached")',
    )

    _, queued = await api("POST", "runs", {"notebook": "crash.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "failed"
    assert run["error"]["ename"] == "DeadKernelError"
    executed = read_notebook(jp_root_dir / run["output"])
    failing = executed.cells[run["error"]["cell_index"]]
    assert "SIGKILL" in failing.source
    assert error_outputs(failing)[0].ename == "DeadKernelError"


@pytest.mark.autoflow_config(cell_timeout=2)
async def test_cell_timeout_fails_run_at_the_slow_cell(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "slow.ipynb", "x = 1", "import time; time.sleep(60)", "y = 2")

    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb"})
    run = await wait_for_run(queued["id"], timeout=45)

    assert run["status"] == "failed"
    assert run["error"] == {
        "cell_index": 1,
        "cell_number": 2,
        "execution_count": 2,
        "cell_source": "import time; time.sleep(60)",
        "ename": "CellTimeout",
        "evalue": "timed out after 2 s in cell 2",
    }
    executed = read_notebook(jp_root_dir / run["output"])
    failing = executed.cells[run["error"]["cell_index"]]
    assert "time.sleep(60)" in failing.source
    # nbclient interrupts the kernel first, so a KeyboardInterrupt may precede it
    assert "CellTimeout" in [output.ename for output in error_outputs(failing)]


async def test_runs_list_is_newest_first_and_paginated(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "quick.ipynb", "1 + 1")
    ids = []
    for _ in range(3):
        _, run = await api("POST", "runs", {"notebook": "quick.ipynb"})
        ids.append(run["id"])

    status, first = await api("GET", "runs", limit=2)
    assert status == 200
    assert [r["id"] for r in first["runs"]] == [ids[2], ids[1]]
    assert first["next_cursor"]

    _, second = await api("GET", "runs", limit=2, cursor=first["next_cursor"])
    assert [r["id"] for r in second["runs"]] == [ids[0]]
    assert second["next_cursor"] is None

    for run_id in ids:
        assert (await wait_for_run(run_id))["status"] == "succeeded"


async def test_concurrent_runs_never_exceed_the_limit(jp_root_dir: Path, api, wait_for_run) -> None:
    # max_concurrent_runs is 2 in these tests
    write_notebook(jp_root_dir / "nap.ipynb", "import time; time.sleep(1.5)")
    ids = [(await api("POST", "runs", {"notebook": "nap.ipynb"}))[1]["id"] for _ in range(3)]

    runs = [await wait_for_run(run_id) for run_id in ids]

    assert all(r["status"] == "succeeded" for r in runs)
    spans = [(_time(r["started_at"]), _time(r["finished_at"])) for r in runs]
    for start, _ in spans:
        overlapping = sum(1 for s, f in spans if s <= start < f)
        assert overlapping <= 2


async def test_run_log_holds_engine_messages_and_kernel_output(
    jp_root_dir: Path, api, jp_fetch, wait_for_run
) -> None:
    write_notebook(
        jp_root_dir / "chatty.ipynb",
        "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)",
        "1 / 0",
    )
    _, queued = await api("POST", "runs", {"notebook": "chatty.ipynb"})
    run = await wait_for_run(queued["id"])

    response = await jp_fetch("autoflow", "api", "runs", str(run["id"]), "log")

    assert response.headers["Content-Type"].startswith("text/plain")
    log = response.body.decode()
    assert f"AutoFlow] run {run['id']}: executing" in log
    assert "kernel python3" in log
    assert "to stdout\n" in log
    assert "to stderr\n" in log
    assert "failed in cell" in log
    assert "ZeroDivisionError: division by zero" in log
    assert (jp_root_dir / run["log"]).read_text() == log
    assert run["log"] == str(Path(run["output"]).parent / "run.log")


async def test_log_of_unknown_run_is_404(jp_root_dir: Path, api) -> None:
    status, reply = await api("GET", "runs/77/log")

    assert status == 404
    assert "No run with id 77" in reply["message"]


@pytest.mark.autoflow_config(max_concurrent_runs=1)
async def test_queued_runs_start_in_submission_order(jp_root_dir: Path, api, wait_for_run) -> None:
    write_notebook(jp_root_dir / "step.ipynb", "import time; time.sleep(0.5)")
    ids = [(await api("POST", "runs", {"notebook": "step.ipynb"}))[1]["id"] for _ in range(3)]

    runs = [await wait_for_run(run_id) for run_id in ids]

    starts = [_time(run["started_at"]) for run in runs]
    assert starts == sorted(starts)
    for earlier, later in pairwise(runs):
        assert _time(earlier["finished_at"]) <= _time(later["started_at"])
