"""Inputs the server accepts execute as given, and executed notebooks open trusted."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from nbformat.sign import NotebookNotary

from .notebooks import read_notebook, write_notebook
from .servers import JupyterProcess, start_jupyter


async def test_fractional_cell_limit_is_rounded_up_for_the_kernel(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "quick.ipynb", "x = 1", "import time; time.sleep(60)")

    _, queued = await api("POST", "runs", {"notebook": "quick.ipynb", "cell_timeout": 2.5})
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["ename"] == "CellTimeout", run
    assert run["error"]["evalue"] == "timed out after 2.5 s in cell 2"


async def test_notebook_with_braces_in_its_name_and_folder_executes(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "a{b}" / "we{ir}d.ipynb", "print('ran')")

    _, queued = await api("POST", "runs", {"notebook": "a{b}/we{ir}d.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "succeeded", run
    assert read_notebook(jp_root_dir / run["output"]).cells[0].outputs[0].text == "ran\n"


def test_server_root_with_braces_executes_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))  # notebook signatures
    root = tmp_path / "root{1}"
    write_notebook(root / "n.ipynb", "print('ran')")
    (tmp_path / "home").mkdir()
    server = start_jupyter("server", root, tmp_path / "home")
    try:
        queued = server.api("POST", "runs", {"notebook": "n.ipynb"})
        run = _wait(server, queued["id"])
    finally:
        server.stop()

    assert run["status"] == "succeeded", run
    assert (root / run["output"]).exists()


def _wait(server: JupyterProcess, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run = server.api("GET", f"runs/{run_id}")
        if run["status"] in {"succeeded", "failed", "cancelled"}:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


@pytest.mark.parametrize("source", ["print('fine')", "raise ValueError('bad')"])
async def test_executed_notebook_is_signed_as_trusted(
    jp_root_dir: Path, api, wait_for_run, source: str
) -> None:
    write_notebook(
        jp_root_dir / "shows.ipynb",
        "from IPython.display import HTML, Javascript\nHTML('<b>bold</b>')",
        source,
    )

    _, queued = await api("POST", "runs", {"notebook": "shows.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] in {"succeeded", "failed"}
    assert NotebookNotary().check_signature(read_notebook(jp_root_dir / run["output"]))
