"""Deleting runs, by request and by the retention settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from autoflow_lab.services.workspace import Workspace

from .notebooks import write_notebook

WAIT_FOR_GO = "import os, time\nwhile not os.path.exists('go'):\n    time.sleep(0.1)"


async def test_deleting_a_finished_run_removes_its_record_and_folder(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "quick.ipynb", "1 + 1")
    _, queued = await api("POST", "runs", {"notebook": "quick.ipynb"})
    run = await wait_for_run(queued["id"])
    folder = (jp_root_dir / run["output"]).parent
    assert folder.is_dir()

    status, _ = await api("DELETE", f"runs/{run['id']}")

    assert status == 204
    assert (await api("GET", f"runs/{run['id']}"))[0] == 404
    assert not folder.exists()
    assert (jp_root_dir / "quick.ipynb").exists()


async def test_a_run_that_has_not_finished_cannot_be_deleted(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "waits.ipynb", WAIT_FOR_GO)
    _, queued = await api("POST", "runs", {"notebook": "waits.ipynb"})

    status, reply = await api("DELETE", f"runs/{queued['id']}")

    assert status == 409
    assert "can be deleted once it has finished" in reply["message"]
    (jp_root_dir / "go").touch()
    assert (await wait_for_run(queued["id"]))["status"] == "succeeded"


async def test_deleting_an_unknown_run_is_404(jp_root_dir: Path, api) -> None:
    status, reply = await api("DELETE", "runs/999")

    assert status == 404
    assert "No run with id 999" in reply["message"]


@pytest.mark.autoflow_config(keep_runs_per_notebook=2)
async def test_only_the_newest_runs_per_notebook_are_kept(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "daily.ipynb", "1")
    write_notebook(jp_root_dir / "other.ipynb", "2")
    _, other = await api("POST", "runs", {"notebook": "other.ipynb"})
    runs = []
    for _ in range(3):
        _, queued = await api("POST", "runs", {"notebook": "daily.ipynb"})
        runs.append(await wait_for_run(queued["id"]))
    await wait_for_run(other["id"])
    # retention runs right after the third run is recorded as finished
    for _ in range(100):
        if (await api("GET", f"runs/{runs[0]['id']}"))[0] == 404:
            break
        await asyncio.sleep(0.1)

    _, page = await api("GET", "runs")

    assert sorted(r["id"] for r in page["runs"]) == sorted(
        [other["id"], runs[1]["id"], runs[2]["id"]]
    )
    assert not (jp_root_dir / runs[0]["output"]).parent.exists()
    assert (jp_root_dir / runs[2]["output"]).exists()


def test_only_a_folder_named_for_the_run_inside_the_outputs_can_be_removed(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path, "autoflow-runs")

    good = "autoflow-runs/daily/2026-01-01_00-00-00_run-7/daily.ipynb"
    assert (
        workspace.run_folder(good, 7) == tmp_path / "autoflow-runs/daily/2026-01-01_00-00-00_run-7"
    )
    assert workspace.run_folder(good, 8) is None
    assert workspace.run_folder("daily.ipynb", 7) is None
    assert workspace.run_folder("autoflow-runs/../x_run-7/a.ipynb", 7) is None
    assert workspace.run_folder(None, 7) is None
