"""An analyst follows a long run's progress in the sidebar and cancels it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..notebooks import write_notebook
from ..servers import JupyterProcess
from .lab_page import RUN_TIMEOUT_MS, LabPage

pytestmark = pytest.mark.browser

SLOW_NOTEBOOK = "slow_progress.ipynb"
# Four code cells and no parameters cell (so papermill injects none): while the
# third one sleeps, two of four are done and the third (index 2) is executing.
SLOW_CELLS = ("import time", "time.sleep(0.5)", "time.sleep(60)", "print('end')")
IN_LONG_CELL = "2/4 cells · cell 3"
# The server stops a running run within about 2 s; the sidebar polls every second.
CANCEL_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def slow_notebook(lab_server: JupyterProcess) -> str:
    """A notebook whose third code cell sleeps for a minute, in the lab server's root."""
    root = lab_server.log.parent / "workspace"  # where the lab_server fixture serves from
    assert root.is_dir(), root
    write_notebook(root / SLOW_NOTEBOOK, *SLOW_CELLS)
    return SLOW_NOTEBOOK


def test_cancel_button_stops_a_running_run_shown_with_its_progress(
    lab: LabPage, lab_server: JupyterProcess, slow_notebook: str
) -> None:
    # Given a run of the slow notebook, started from JupyterLab
    lab.open_notebook(slow_notebook)
    run_id = lab.run_with_autoflow()

    # Then, while its long cell executes, its row shows how far it has got
    progress = lab.run_progress(run_id)
    expect(progress).to_have_text(IN_LONG_CELL, timeout=RUN_TIMEOUT_MS)
    expect(progress).to_have_attribute("aria-valuenow", "2")
    expect(progress).to_have_attribute("aria-valuemax", "4")
    expect(lab.run_row(slow_notebook, "running", run_id)).to_be_visible()
    lab.screenshot(lab.sidebar, "run-progress.png")

    # When the analyst clicks the row's Cancel button
    cancel = lab.cancel_button(run_id)
    expect(cancel).to_have_attribute("title", "Cancel run")
    cancel.click()

    # Then the run turns cancelled within seconds, naming the cell it stopped in
    expect(lab.run_row(slow_notebook, "cancelled", run_id)).to_be_visible(timeout=CANCEL_TIMEOUT_MS)
    item = lab.run_item(run_id)
    expect(item).to_contain_text("cancelled in cell 3")
    expect(progress).to_have_count(0)
    expect(cancel).to_have_count(0)
    lab.screenshot(lab.sidebar, "run-cancelled.png")

    # And the server agrees
    run = lab_server.api("GET", f"runs/{run_id}")
    assert run["status"] == "cancelled"
    assert run["error"]["ename"] == "Cancelled"
    assert run["error"]["cell_index"] == 2
    assert run["progress"]["cells_done"] == 2
    assert run["progress"]["cells_total"] == 4

    # And the click did not also open the executed notebook (it has the same name)
    main_tabs = lab.page.locator("#jp-main-dock-panel").get_by_role("tab")
    expect(main_tabs.filter(has_text=re.compile(re.escape(slow_notebook)))).to_have_count(1)


def test_cancel_run_from_the_run_context_menu(
    lab: LabPage, lab_server: JupyterProcess, slow_notebook: str
) -> None:
    # Given a run of the slow notebook, submitted through the REST API and
    # executing its long cell
    lab.open_lab()
    lab.show_runs()
    run_id = lab_server.api("POST", "runs", {"notebook": slow_notebook})["id"]
    expect(lab.run_progress(run_id)).to_have_text(IN_LONG_CELL, timeout=RUN_TIMEOUT_MS)

    # When the analyst right-clicks it and chooses "Cancel Run"
    lab.run_row(slow_notebook, "running", run_id).click(button="right")
    lab.page.get_by_role("menuitem", name="Cancel Run", exact=True).click()

    # Then the run turns cancelled within seconds
    row = lab.run_row(slow_notebook, "cancelled", run_id)
    expect(row).to_be_visible(timeout=CANCEL_TIMEOUT_MS)
    assert lab_server.api("GET", f"runs/{run_id}")["status"] == "cancelled"

    # And the menu no longer offers to cancel the finished run
    row.click(button="right")
    expect(lab.page.get_by_role("menuitem", name="Cancel Run", exact=True)).to_be_disabled()
    lab.page.keyboard.press("Escape")
