"""Failing cells are named as the user sees them: "cell N" of their own notebook.

The executed notebook holds cells papermill added (injected parameters, notes
on the error), so its indexes are not the user's cell numbers.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import nbformat
import pytest

from autoflow_lab.execution import executed_notebook
from autoflow_lab.models import RunError

from .notebooks import announce, error_outputs, read_notebook, write_cells
from .processes import pids_from, wait_for_current_cell

EXAMPLES = Path(__file__).parent.parent / "examples"

# Source cells: 1 a heading, 2 parameters, 3 code, 4 a note, 5 the cell under test.
# Run with parameters, the executed notebook has papermill's injected cell after 2.
HEADING = ("markdown", "# Report")
PARAMETERS = ("parameters", "n = 1")
SETUP = ("code", "import os, time\nx = n")
NOTE = ("markdown", "The next cell is the one that matters.")


def write_report(root: Path, last: str, *more: tuple[str, str]) -> None:
    write_cells(root / "report.ipynb", HEADING, PARAMETERS, SETUP, NOTE, ("code", last), *more)


def assert_names_cell_5(error: dict, source: str) -> None:
    assert error["cell_number"] == 5
    assert error["cell_source"] == source
    assert error["execution_count"] is None or error["execution_count"] == 4


async def test_cell_error_names_the_source_cell_after_markdown_and_injected_cells(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_report(jp_root_dir, "raise ValueError('bad')\n# more")

    _, queued = await api("POST", "runs", {"notebook": "report.ipynb", "parameters": {"n": 2}})
    run = await wait_for_run(queued["id"])

    error = run["error"]
    assert (error["ename"], error["evalue"]) == ("ValueError", "bad")
    assert (error["cell_number"], error["execution_count"]) == (5, 4)
    assert error["cell_source"] == "raise ValueError('bad')"
    executed = read_notebook(jp_root_dir / run["output"])
    assert executed.cells[error["cell_index"]].source.startswith("raise ValueError")
    assert "failed in cell 5: ValueError: bad" in (jp_root_dir / run["log"]).read_text()


@pytest.mark.autoflow_config(cell_timeout=2)
async def test_cell_timeout_names_the_source_cell(jp_root_dir: Path, api, wait_for_run) -> None:
    write_report(jp_root_dir, "time.sleep(60)")

    _, queued = await api("POST", "runs", {"notebook": "report.ipynb", "parameters": {"n": 2}})
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["ename"] == "CellTimeout"
    assert run["error"]["evalue"] == "timed out after 2 s in cell 5"
    assert_names_cell_5(run["error"], "time.sleep(60)")


async def test_run_timeout_names_the_source_cell(jp_root_dir: Path, api, wait_for_run) -> None:
    write_report(jp_root_dir, "time.sleep(120)")

    body = {"notebook": "report.ipynb", "parameters": {"n": 2}, "timeout": 10}
    _, queued = await api("POST", "runs", body)
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["ename"] == "RunTimeout"
    assert run["error"]["evalue"] == "timed out after 10 s in cell 5"
    assert_names_cell_5(run["error"], "time.sleep(120)")


async def test_cancel_names_the_source_cell_in_the_error_and_the_log(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_report(jp_root_dir, "time.sleep(120)")
    _, queued = await api("POST", "runs", {"notebook": "report.ipynb", "parameters": {"n": 2}})
    await wait_for_current_cell(api, queued["id"], 5)  # executed index: injected cell before

    await api("POST", f"runs/{queued['id']}/cancel")
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["evalue"] == "cancelled in cell 5"
    assert_names_cell_5(run["error"], "time.sleep(120)")
    log = (jp_root_dir / run["log"]).read_text()
    assert "cancelled in cell 5: Cancelled: cancelled in cell 5" in log


async def test_dead_kernel_names_the_source_cell(jp_root_dir: Path, api, wait_for_run) -> None:
    write_report(jp_root_dir, "os.kill(os.getpid(), 9)")

    _, queued = await api("POST", "runs", {"notebook": "report.ipynb", "parameters": {"n": 2}})
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["ename"] == "DeadKernelError"
    assert_names_cell_5(run["error"], "os.kill(os.getpid(), 9)")


async def test_worker_death_names_the_source_cell(jp_root_dir: Path, api, wait_for_run) -> None:
    write_report(jp_root_dir, announce("report.pids") + "\ntime.sleep(120)")
    _, queued = await api("POST", "runs", {"notebook": "report.ipynb", "parameters": {"n": 2}})
    _, worker = await pids_from(jp_root_dir / "report.pids")
    await wait_for_current_cell(api, queued["id"], 5)

    os.kill(worker, signal.SIGKILL)
    run = await wait_for_run(queued["id"], timeout=60)

    assert run["error"]["ename"] == "WorkerDied"
    assert_names_cell_5(run["error"], "import os")
    executed = read_notebook(jp_root_dir / run["output"])
    assert [o.ename for o in error_outputs(executed.cells[run["error"]["cell_index"]])] == [
        "WorkerDied"
    ]
    assert "failed in cell 5: WorkerDied" in (jp_root_dir / run["log"]).read_text()


@pytest.mark.parametrize(
    ("source", "ename", "message"),
    [
        (
            "%magic_that_does_not_exist",
            "UsageError",
            "Line magic function `%magic_that_does_not_exist` not found.",
        ),
        ("%run missing.py", "Exception", "File `'missing.py'` not found."),
    ],
)
async def test_failing_magic_is_recorded_with_its_message(
    jp_root_dir: Path, api, wait_for_run, source: str, ename: str, message: str
) -> None:
    write_report(jp_root_dir, source)

    _, queued = await api("POST", "runs", {"notebook": "report.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "failed"
    assert (run["error"]["ename"], run["error"]["evalue"]) == (ename, message)
    assert run["error"]["cell_number"] == 5


async def test_failing_example_names_its_last_cell(jp_root_dir: Path, api, wait_for_run) -> None:
    shutil.copytree(EXAMPLES, jp_root_dir / "examples")

    body = {"notebook": "examples/failing_example.ipynb", "parameters": {"column": "missing"}}
    _, queued = await api("POST", "runs", body)
    run = await wait_for_run(queued["id"], timeout=90)

    assert run["error"]["ename"] == "KeyError"
    assert (run["error"]["cell_number"], run["error"]["cell_source"]) == (
        4,
        "calls[column].sum()",
    )


def injected_notebook() -> nbformat.NotebookNode:
    """As papermill leaves it after an error in the last cell of a three-cell notebook."""
    notebook = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell("An Exception was encountered"),
        nbformat.v4.new_code_cell("n = 1"),
        nbformat.v4.new_code_cell("n = 2"),
        nbformat.v4.new_markdown_cell("Execution stopped here"),
        nbformat.v4.new_code_cell("\n\nfail()\nmore()", execution_count=3),
    ]
    cells[0].metadata["tags"] = cells[3].metadata["tags"] = ["papermill-error-cell-tag"]
    cells[1].metadata["tags"] = ["parameters"]
    cells[2].metadata["tags"] = ["injected-parameters"]
    notebook.cells = cells
    return notebook


def test_describe_cell_skips_the_cells_papermill_added() -> None:
    fields = executed_notebook.describe_cell(injected_notebook(), 4)

    assert fields == {
        "cell_index": 4,
        "cell_number": 2,
        "execution_count": 3,
        "cell_source": "fail()",
    }
    assert RunError(ename="E", evalue="", **fields).where == "cell 2"


def test_injected_parameters_cell_has_no_source_number() -> None:
    fields = executed_notebook.describe_cell(injected_notebook(), 2)

    assert fields["cell_number"] is None
    assert RunError(ename="E", evalue="", **fields).where == "the injected parameters cell"


def test_a_failure_recorded_before_cell_numbers_is_named_by_its_executed_place() -> None:
    # Given an error stored before migration 0004: a cell index, no number, no source
    legacy = RunError(cell_index=3, ename="KeyError", evalue="'x'")
    injected = RunError(cell_index=1, cell_source="# Parameters", ename="NameError", evalue="x")

    # Then it is not mistaken for papermill's injected parameters cell
    assert legacy.where == "cell 4 of the executed notebook"
    assert injected.where == "the injected parameters cell"
