"""Workflow runs across real server processes: a server killed mid-workflow leaves its
workflow runs to the next server on the same workspace, which carries them to the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .notebooks import read_notebook, stream_text, write_notebook
from .servers import JupyterProcess, start_server
from .waiting import eventually

# Servers notice a gone owner and advance workflow runs within a second or two.
QUICK = ("--AutoflowApp.heartbeat_interval=0.5", "--AutoflowApp.owner_timeout=3")
FINAL = {"succeeded", "failed", "cancelled"}

# Sleeps until the test creates "second-start", so only the first server's run is slow.
SLOW_UNTIL_RESTART = (
    "import os, time\n"
    "while not os.path.exists('second-start'):\n"
    "    time.sleep(0.2)\n"
    "print('loaded')"
)

WORKFLOW = """\
name: Restartable
steps:
  - key: load
    notebook: slow.ipynb
{retries}
  - key: report
    notebook: report.ipynb
    parameters:
      upstream: {{from: steps.load}}
"""


def _workspace(tmp_path: Path, retries: str) -> Path:
    root = tmp_path / "root"
    write_notebook(root / "slow.ipynb", SLOW_UNTIL_RESTART)
    write_notebook(
        root / "report.ipynb", "print('report of', upstream)", parameters='upstream = ""'
    )
    (root / "flow.autoflow.yaml").write_text(WORKFLOW.format(retries=retries))
    return root


def _start_workflow_then_crash(servers: list[JupyterProcess], root: Path) -> dict[str, Any]:
    """Start the workflow, kill its server while the first step executes; the run then."""
    first = start_server(servers, root, *QUICK)
    started = first.api("POST", "workflow-runs", {"workflow": "flow.autoflow.yaml"})

    def executing() -> dict[str, Any] | None:
        run = first.api("GET", f"workflow-runs/{started['id']}")
        step_run = run["steps"][0]["run"]
        progress = (step_run or {}).get("progress") or {}
        return dict(run) if progress.get("current_cell") == 0 else None

    running = eventually(executing, 90, "the first step to execute")
    first.kill()
    (root / "second-start").touch()
    return running


def _finished(server: JupyterProcess, workflow_run_id: int) -> dict[str, Any]:
    def final() -> dict[str, Any] | None:
        run = server.api("GET", f"workflow-runs/{workflow_run_id}")
        return dict(run) if run["status"] in FINAL else None

    return eventually(final, 90, f"workflow run {workflow_run_id} to finish")


def test_workflow_run_of_a_killed_server_is_taken_over_and_its_step_retried(
    tmp_path: Path, servers: list[JupyterProcess]
) -> None:
    # Given a workflow whose first step may be retried once, killed while that step runs
    root = _workspace(tmp_path, "    retries: {count: 1}")
    running = _start_workflow_then_crash(servers, root)
    interrupted = running["steps"][0]["run"]

    # When a new server starts on the same workspace and database
    second = start_server(servers, root, *QUICK)
    run = _finished(second, running["id"])

    # Then the workflow run is carried to success: the interrupted step ran again
    assert run["status"] == "succeeded", run
    load, report = run["steps"]
    assert (load["key"], load["status"], load["attempts"]) == ("load", "succeeded", 2)
    assert load["run"]["id"] != interrupted["id"]
    assert stream_text(read_notebook(root / load["run"]["output"]).cells[-1]) == "loaded\n"
    # And the step after it read the re-run's executed notebook
    assert report["status"] == "succeeded"
    assert report["run"]["parameters"] == {"upstream": str(root / load["run"]["output"])}
    # And the interrupted run is failed as interrupted, not left running
    first_run = second.api("GET", f"runs/{interrupted['id']}")
    assert first_run["status"] == "failed"
    assert first_run["error"]["ename"] == "Interrupted"


def test_interrupted_step_without_retries_fails_the_taken_over_workflow_run(
    tmp_path: Path, servers: list[JupyterProcess]
) -> None:
    # Given a workflow without retries, killed while its first step runs
    root = _workspace(tmp_path, "")
    running = _start_workflow_then_crash(servers, root)

    # When a new server starts on the same workspace and database
    second = start_server(servers, root, *QUICK)
    run = _finished(second, running["id"])

    # Then the workflow run is settled: the step failed as interrupted, the next one skipped
    assert run["status"] == "failed", run
    load, report = run["steps"]
    assert (load["status"], load["attempts"]) == ("failed", 1)
    assert load["run"]["error"]["ename"] == "Interrupted"
    assert "Interrupted" in load["message"]
    assert (report["status"], report["message"]) == ("skipped", "Skipped: step 'load' failed.")
    assert run["error"] == (
        "Step 'load' failed in cell 1: Interrupted: interrupted in cell 1: the server executing "
        "it stopped; 1 step after it skipped."
    )
