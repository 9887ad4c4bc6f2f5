"""An analyst browses the whole run history in the sidebar: scrolls back past the
first page, filters, searches, reads a run's details, deletes a run and re-runs one."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from autoflow_lab.models import RunError, RunStatus
from autoflow_lab.store import RunStore, default_database_url, open_database

from ..servers import TOKEN, JupyterProcess
from .conftest import lab_page, start_lab_over_examples
from .lab_page import LabPage

pytestmark = pytest.mark.browser

SEEDED_RUNS = 130  # well over the 50 the first page holds
OLDEST = 1  # a failed run of failing_example.ipynb, the only KeyError
EVERY_NTH_FAILS = 10  # runs 10, 20, … 130 of hello.ipynb failed with a ValueError
KEY_ERROR = RunError(
    cell_index=4,
    cell_number=4,
    execution_count=3,
    cell_source="calls[column].sum()",
    ename="KeyError",
    evalue="'minutes'",
)
VALUE_ERROR = RunError(
    cell_index=3,
    cell_number=3,
    execution_count=2,
    cell_source="for _ in range(repeat):",
    ename="ValueError",
    evalue="greeting refused",
)


def seed_history(root: Path, count: int) -> None:
    """Record ``count`` finished runs, oldest first, straight into the server's database."""
    store = RunStore(open_database(default_database_url(root / "autoflow-runs")))
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for number in range(1, count + 1):
        notebook = "failing_example.ipynb" if number == OLDEST else "hello.ipynb"
        created = start + timedelta(minutes=10 * number)
        stem = notebook.removesuffix(".ipynb")

        def output_for(run_id: int, stem: str = stem, created: datetime = created) -> str:
            stamp = created.strftime("%Y-%m-%d_%H-%M-%S")
            return f"autoflow-runs/{stem}/{stamp}_run-{run_id}/{stem}.ipynb"

        parameters = {"column": "minutes"} if number == OLDEST else {"name": f"run {number}"}
        run = store.create(
            notebook, parameters, "python3", created, output_for, timeout=600, cell_timeout=60
        )
        store.start(run.id, created + timedelta(seconds=1))
        if number == OLDEST:
            status, error = RunStatus.FAILED, KEY_ERROR
        elif number % EVERY_NTH_FAILS == 0:
            status, error = RunStatus.FAILED, VALUE_ERROR
        else:
            status, error = RunStatus.SUCCEEDED, None
        store.mark_finished(run.id, status, created + timedelta(seconds=4), error)


@pytest.fixture(scope="module")
def history_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    """``jupyter lab`` over a copy of examples/ whose history already holds 130 runs."""
    home = tmp_path_factory.mktemp("history")
    server = start_lab_over_examples(home, lambda root: seed_history(root, SEEDED_RUNS))
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, history_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, history_server) as lab:
        lab.open_lab()
        lab.show_runs()
        yield lab


def test_scrolling_reaches_runs_older_than_the_first_page(lab: LabPage) -> None:
    # Given a history of 130 runs, the newest first
    expect(lab.run_item(SEEDED_RUNS)).to_be_visible(timeout=30_000)

    # When the analyst scrolls down to the oldest run
    oldest = lab.scroll_runs_until(OLDEST)

    # Then it is there, failed, with the cell of their own notebook it failed in
    expect(oldest).to_be_visible()
    expect(lab.run_row("failing_example.ipynb", "failed", OLDEST)).to_be_visible()
    expect(oldest).to_contain_text("Cell 4: KeyError: 'minutes'")
    expect(lab.sidebar.get_by_text("End of history: 130 runs")).to_be_visible()
    # And the list renders only the rows near the viewport, not all 130
    assert lab.listed_runs.count() < 50


def test_a_new_run_does_not_move_the_rows_the_analyst_is_reading(
    lab: LabPage, history_server: JupyterProcess
) -> None:
    # Given the analyst has scrolled down to run 60, on the second page
    row = lab.scroll_runs_until(60)
    position = int(row.get_attribute("aria-posinset") or 0)
    top = _top(row)

    # When a new run arrives at the top of the history
    history_server.api("POST", "runs", {"notebook": "hello.ipynb", "parameters": {}})

    # Then run 60 moves down the list by one, yet stays where it is on screen
    expect(row).to_have_attribute("aria-posinset", str(position + 1), timeout=30_000)
    assert abs(_top(row) - top) < 2
    # And the pages already scrolled through are still loaded
    expect(lab.listed_runs.first).not_to_have_attribute("data-run-id", str(SEEDED_RUNS + 1))


def test_details_open_and_close_from_the_keyboard(lab: LabPage) -> None:
    # Given the newest seeded run's details button, reached with the keyboard
    button = lab.run_item(SEEDED_RUNS - 2).get_by_role(
        "button", name=f"Details of run #{SEEDED_RUNS - 2}"
    )
    button.focus()

    # When the analyst presses Enter
    lab.page.keyboard.press("Enter")

    # Then the details open with the focus on them
    details = lab.run_details
    expect(details).to_contain_text(f"Run #{SEEDED_RUNS - 2} of hello.ipynb")
    expect(button).to_have_attribute("aria-expanded", "true")
    heading = details.get_by_role("heading")
    expect(heading).to_be_focused()

    # When they press Escape, the details close and the focus returns to the row
    lab.page.keyboard.press("Escape")
    expect(details).to_have_count(0)
    expect(button).to_be_focused()


def test_notebook_link_in_details_filters_the_history_by_that_notebook(lab: LabPage) -> None:
    # Given the details of the failed run of failing_example.ipynb, found by scrolling
    lab.scroll_runs_until(OLDEST)
    details = lab.open_details(OLDEST)

    # When the analyst clicks its notebook
    details.get_by_role("button", name="failing_example.ipynb").click()

    # Then only that notebook's runs are listed, and the filter says so
    expect(lab.sidebar.get_by_role("combobox", name="Filter by notebook")).to_have_value(
        "failing_example.ipynb"
    )
    expect(lab.listed_runs).to_have_count(1)
    expect(lab.sidebar.get_by_text("End of history: 1 run")).to_be_visible()

    # And clearing the filters brings the whole history back
    lab.sidebar.get_by_role("button", name="Clear filters").click()
    expect(lab.run_item(SEEDED_RUNS)).to_be_visible()


def _top(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return float(box["y"])


def test_status_filter_lists_only_runs_with_that_status(lab: LabPage) -> None:
    # Given the whole history in the sidebar
    expect(lab.run_item(SEEDED_RUNS)).to_be_visible(timeout=30_000)

    # When the analyst picks "failed" in the status filter
    lab.filter_status("failed")

    # Then only the 14 failed runs are listed, the oldest one among them
    expect(lab.sidebar.get_by_text("End of history: 14 runs")).to_be_visible()
    expect(lab.run_item(OLDEST)).to_be_visible()
    expect(lab.listed_runs).to_have_count(14)
    for status in lab.listed_runs.evaluate_all("rows => rows.map(r => r.dataset.status)"):
        assert status == "failed"


def test_search_finds_a_run_by_its_error(lab: LabPage) -> None:
    # Given the whole history in the sidebar
    expect(lab.run_item(SEEDED_RUNS)).to_be_visible(timeout=30_000)

    # When the analyst searches for "keyerror"
    lab.search_runs("keyerror")

    # Then the one run that failed with a KeyError is listed, alone
    expect(lab.listed_runs).to_have_count(1)
    expect(lab.run_row("failing_example.ipynb", "failed", OLDEST)).to_be_visible()

    # And a search nothing matches says so
    lab.search_runs("no such text anywhere")
    expect(lab.sidebar.get_by_text("No runs match these filters.")).to_be_visible()


def test_details_show_a_failed_run_and_delete_it(
    lab: LabPage, history_server: JupyterProcess
) -> None:
    # Given the oldest run, found by searching
    lab.search_runs("KeyError")
    expect(lab.listed_runs).to_have_count(1)

    # When the analyst opens its details
    details = lab.open_details(OLDEST)

    # Then they show what ran, how and where it failed, in their notebook's numbering
    expect(details).to_contain_text("Run #1 of failing_example.ipynb")
    expect(details).to_contain_text('column = "minutes"')
    expect(details).to_contain_text("python3")
    expect(details).to_contain_text("KeyError in cell 4: 'minutes'")
    expect(details).to_contain_text("calls[column].sum()")
    expect(details).to_contain_text("10m 00s per run, 1m 00s per cell")
    expect(details.get_by_role("button", name="Open executed notebook at cell 4")).to_be_enabled()
    expect(details.get_by_role("button", name="Open log")).to_be_enabled()

    # When they delete it and confirm
    details.get_by_role("button", name="Delete", exact=True).click()
    dialog = lab.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete run #1?")
    dialog.get_by_role("button", name="Delete").click()

    # Then the run leaves the sidebar and the history
    expect(lab.page.get_by_text("Run #1 deleted")).to_be_visible()
    expect(details).to_have_count(0)
    expect(lab.run_item(OLDEST)).to_have_count(0)
    expect(lab.sidebar.get_by_text("No runs match these filters.")).to_be_visible()
    with pytest.raises(urllib.error.HTTPError) as missing:
        history_server.api("GET", f"runs/{OLDEST}")
    missing.value.close()
    assert missing.value.code == 404


def test_rerun_from_details_queues_the_same_run_again(
    lab: LabPage, history_server: JupyterProcess
) -> None:
    # Given the details of a finished run of hello.ipynb
    run_id = SEEDED_RUNS - 1
    expect(lab.run_item(run_id)).to_be_visible(timeout=30_000)
    details = lab.open_details(run_id)
    expect(details).to_contain_text('name = "run 129"')

    # When the analyst clicks Re-run
    details.get_by_role("button", name="Re-run").click()

    # Then a new run of the same notebook is queued and reaches the top of the list
    confirmation = lab.page.get_by_text(re.compile(r"^Run #\d+ of hello.ipynb queued$"))
    expect(confirmation).to_be_visible(timeout=30_000)
    found = re.search(r"#(\d+)", confirmation.inner_text())
    assert found is not None
    new_id = int(found.group(1))
    assert new_id > SEEDED_RUNS
    row = lab.wait_for_run("hello.ipynb", "succeeded", new_id)
    expect(lab.listed_runs.first).to_have_attribute("data-run-id", str(new_id))
    expect(row).to_be_visible()

    # With the same notebook, parameters, kernel and time limits
    original = history_server.api("GET", f"runs/{run_id}")
    run = history_server.api("GET", f"runs/{new_id}")
    same = ("notebook", "parameters", "kernel_name", "timeout", "cell_timeout")
    assert {key: run[key] for key in same} == {key: original[key] for key in same}
    assert run["trigger"]["kind"] == "manual"


def test_executed_notebook_and_log_open_as_they_are_on_disk_now(
    lab: LabPage, history_server: JupyterProcess
) -> None:
    # Given a finished run of hello.ipynb, with its details open
    run = history_server.api(
        "POST", "runs", {"notebook": "hello.ipynb", "parameters": {"name": "disk"}}
    )
    lab.wait_for_run("hello.ipynb", "succeeded", run["id"])
    details = lab.open_details(run["id"])

    # When the analyst opens the executed notebook from the details
    details.get_by_role("button", name="Open executed notebook").click()

    # Then it opens with its outputs, trusted (the engine signed it), and no kernel started
    lab.wait_for_document("autoflow-runs/hello/")
    output = lab.notebook_panel.locator(".jp-OutputArea-output").first
    expect(output).to_contain_text("Hello, disk!", timeout=30_000)
    expect(lab.page.locator(".jp-StatusItem-trust")).to_have_attribute(
        "title", re.compile(r"^Notebook trusted"), timeout=30_000
    )
    expect(lab.notebook_panel.locator(".jp-Toolbar-kernelName")).to_have_text("No Kernel")
    assert _kernels(history_server) == []

    # When they open the log, the file then changes on disk, and they open it again
    details.get_by_role("button", name="Open log").click()
    expect(lab.notebook_panel).to_contain_text("Hello, disk!", timeout=30_000)
    log = history_server.log.parent / "workspace" / run["log"]
    with log.open("a") as file:
        file.write("a line written after the tab opened\n")
    details.get_by_role("button", name="Open log").click()

    # Then the tab shows the file as it is now
    expect(lab.notebook_panel).to_contain_text("a line written after the tab opened")


def _kernels(server: JupyterProcess) -> list[object]:
    request = urllib.request.Request(
        f"{server.url}/api/kernels", headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.load(response))


def test_screenshots_of_the_history_with_details_in_light_and_dark_themes(lab: LabPage) -> None:
    # Given a failed run's details open in the sidebar
    failed = SEEDED_RUNS  # 130 is a multiple of ten: a failed run of hello.ipynb
    expect(lab.run_item(failed)).to_be_visible(timeout=30_000)
    details = lab.open_details(failed)
    expect(details).to_contain_text("ValueError in cell 3: greeting refused")

    # Then the sidebar is captured in the light theme, then in the dark one
    # (into tests/artifacts; the README's copies in docs/ are refreshed by hand)
    lab.screenshot(lab.sidebar, "history.png")
    lab.change_theme("JupyterLab Dark")
    expect(details).to_be_visible()
    lab.screenshot(lab.sidebar, "history-dark.png")
    lab.change_theme("JupyterLab Light")
