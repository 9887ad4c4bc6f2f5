"""An analyst watches schedules from the AutoFlow sidebar: what each does next, the runs
each started, pausing and deleting one, and the notification when a scheduled run fails."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples
from .lab_page import RUN_TIMEOUT_MS, LabPage

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def schedules_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    """``jupyter lab`` over a copy of examples/, for these tests' schedules alone."""
    server = start_lab_over_examples(tmp_path_factory.mktemp("schedules"))
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, schedules_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, schedules_server) as lab:
        yield lab
    # No schedule of one test fires during the next.
    schedules_server.delete_schedules()


def runs_of(server: JupyterProcess, schedule_id: int) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = server.api("GET", f"runs?schedule={schedule_id}&limit=200")["runs"]
    return runs


def finished_runs_of(server: JupyterProcess, schedule_id: int) -> list[dict[str, Any]]:
    return [r for r in runs_of(server, schedule_id) if r["status"] not in ("queued", "running")]


def in_seconds(seconds: float) -> str:
    """An ISO time ``seconds`` from now, with its offset."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def test_interval_schedule_listed_runs_labelled_filtered_paused_and_deleted(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given a schedule running hello.ipynb every 2 seconds, and one manual run
    schedule = schedules_server.api(
        "POST",
        "schedules",
        {
            "name": "greeter",
            "notebook": "hello.ipynb",
            "trigger": {"kind": "interval", "seconds": 2},
        },
    )
    manual = schedules_server.api("POST", "runs", {"notebook": "hello.ipynb"})

    # When the analyst opens the Schedules tab
    lab.open_lab()
    lab.show_sidebar_tab("Schedules")

    # Then the schedule is listed with its trigger in words and its next fire
    row = lab.schedule_row("greeter")
    expect(row).to_contain_text(schedule["description"], timeout=30_000)
    expect(row).to_contain_text("hello.ipynb")
    expect(row).to_contain_text(re.compile(r"Next (in \d+ s|due now)"))

    # And its runs appear in the Runs tab, labelled with the schedule's name
    first = eventually(lambda: finished_runs_of(schedules_server, schedule["id"]), what="a run")
    lab.show_sidebar_tab("Runs")
    lab.scroll_runs_until(first[-1]["id"])
    expect(lab.run_trigger(first[-1]["id"])).to_have_text("greeter")

    # When the analyst chooses "Show Runs" in the schedule's menu
    lab.show_sidebar_tab("Schedules")
    lab.schedule_menu("greeter", "Show Runs")

    # Then the Runs tab shows only the schedule's runs, under a removable chip
    expect(lab.sidebar_tab("Runs")).to_have_attribute("aria-selected", "true")
    expect(lab.sidebar.get_by_text("Schedule: greeter")).to_be_visible()
    expect(lab.run_item(first[-1]["id"])).to_be_visible(timeout=30_000)
    expect(lab.run_item(manual["id"])).to_have_count(0)
    triggers = lab.sidebar.locator(".jp-autoflow-RunRow-trigger")
    expect(triggers.first).to_have_text("greeter")
    assert set(triggers.all_inner_texts()) == {"greeter"}

    # And removing the chip brings back every run
    lab.sidebar.get_by_role("button", name="Remove the schedule filter").click()
    expect(lab.run_item(manual["id"])).to_be_visible(timeout=30_000)
    expect(lab.run_trigger(manual["id"])).to_have_text("manual")

    # When the analyst pauses it
    lab.show_sidebar_tab("Schedules")
    lab.schedule_row("greeter").get_by_role("button", name="Pause greeter").click()

    # Then the view shows it paused, and no run is made for a while
    expect(row).to_contain_text("paused")
    expect(row.get_by_role("button", name="Resume greeter")).to_be_visible()
    assert schedules_server.api("GET", f"schedules/{schedule['id']}")["paused"] is True
    made = {r["id"] for r in runs_of(schedules_server, schedule["id"])}
    quiet_until = time.monotonic() + 5  # two and a half intervals
    while time.monotonic() < quiet_until:
        assert {r["id"] for r in runs_of(schedules_server, schedule["id"])} == made
        time.sleep(0.5)

    # When the analyst deletes it and confirms
    lab.schedule_menu("greeter", "Delete…")
    dialog = lab.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete schedule greeter?")
    dialog.get_by_role("button", name="Delete", exact=True).click()

    # Then it leaves the view, and its runs stay in the history
    expect(row).to_have_count(0)
    expect(lab.sidebar.get_by_text("No schedules yet.")).to_be_visible()
    kept = runs_of(schedules_server, schedule["id"])
    assert {r["id"] for r in kept} == made
    assert all(r["trigger"]["schedule_name"] is None for r in kept)


def test_failed_scheduled_run_notifies_and_opens_at_the_failing_cell(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given JupyterLab open on the run history
    lab.open_lab()
    lab.show_runs()
    # (its first refresh done: what ends from now on is news)
    listed = lab.sidebar.get_by_role("list", name="AutoFlow runs")
    empty = lab.sidebar.get_by_text("No runs yet.")
    expect(listed.or_(empty)).to_be_visible(timeout=30_000)

    # When a schedule runs failing_example.ipynb once, 2 seconds from now, and
    # its cell 4 raises a KeyError
    schedules_server.api(
        "POST",
        "schedules",
        {
            "name": "calls report",
            "notebook": "failing_example.ipynb",
            "trigger": {"kind": "once", "at": in_seconds(2)},
        },
    )

    # Then a notification says where and why it failed
    toast = lab.notification("failing_example.ipynb failed in cell 4: KeyError: 'minutes'")
    expect(toast).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(toast).to_contain_text("(schedule calls report)")
    lab.screenshot(toast, "schedule-failure-notification.png")

    # And its "Open notebook" action opens the executed notebook at the failing cell
    toast.get_by_role("button", name="Open notebook").click()
    lab.wait_for_document("autoflow-runs/failing_example/")
    expect(lab.active_cell).to_contain_text("calls[column].sum()", timeout=30_000)
    expect(lab.active_cell).to_contain_text("KeyError")
    expect(lab.active_cell).to_be_in_viewport()


def test_schedules_view_reads_well_in_light_and_dark_themes(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given three schedules: a weekday cron, a paused hourly one, and one whose run failed
    api = schedules_server.api
    api(
        "POST",
        "schedules",
        {
            "name": "daily calls summary",
            "notebook": "daily_calls_summary.ipynb",
            "trigger": {"kind": "cron", "expression": "0 7 * * 1-5", "timezone": "Europe/Paris"},
        },
    )
    api(
        "POST",
        "schedules",
        {
            "name": "hourly greeting",
            "notebook": "hello.ipynb",
            "trigger": {"kind": "interval", "seconds": 3600},
            "paused": True,
        },
    )
    failing = api(
        "POST",
        "schedules",
        {
            "name": "calls by region",
            "notebook": "failing_example.ipynb",
            "trigger": {"kind": "cron", "expression": "30 6 * * *", "timezone": "UTC"},
        },
    )
    api("POST", f"schedules/{failing['id']}/run")
    eventually(lambda: finished_runs_of(schedules_server, failing["id"]), what="the failed run")

    # When the analyst looks at the Schedules tab, in the light theme then the dark one
    lab.open_lab()
    lab.show_sidebar_tab("Schedules")
    failed_row = lab.schedule_row("calls by region")
    expect(failed_row).to_contain_text("failed", timeout=30_000)
    expect(lab.schedule_row("hourly greeting")).to_contain_text("paused")
    expect(lab.schedule_row("daily calls summary")).to_contain_text("Next in")
    light = lab.screenshot(lab.sidebar, "schedules.png")
    lab.change_theme_from_menu("JupyterLab Dark")
    try:
        expect(failed_row).to_contain_text("failed")
        dark = lab.screenshot(lab.sidebar, "schedules-dark.png")
    finally:
        lab.change_theme_from_menu("JupyterLab Light")

    # Then both screenshots are saved (docs/schedules*.png are copies of them)
    for shot in (light, dark):
        assert shot.stat().st_size > 0


def test_edit_from_the_schedule_context_menu_opens_the_schedule_dialog(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given a schedule in the Schedules tab
    schedules_server.api(
        "POST",
        "schedules",
        {
            "name": "weekly calls",
            "notebook": "daily_calls_summary.ipynb",
            "trigger": {"kind": "cron", "expression": "0 6 * * 1", "timezone": "UTC"},
        },
    )
    lab.open_lab()
    lab.show_sidebar_tab("Schedules")
    row = lab.schedule_row("weekly calls")
    expect(row).to_be_visible(timeout=30_000)

    # When the analyst right-clicks it and chooses "Edit…"
    row.click(button="right")
    lab.page.get_by_role("menuitem", name="Edit…", exact=True).click()

    # Then the schedule dialog opens on that schedule
    dialog = lab.page.get_by_role("dialog")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("weekly calls", timeout=30_000)


def test_sidebar_tabs_follow_the_arrow_keys(lab: LabPage) -> None:
    # Given the AutoFlow sidebar with its Runs tab focused
    lab.open_lab()
    lab.show_runs()
    runs_tab = lab.sidebar_tab("Runs")
    runs_tab.focus()

    # When the analyst presses the right arrow key
    lab.page.keyboard.press("ArrowRight")

    # Then the Schedules tab is selected, focused and shows its panel
    schedules_tab = lab.sidebar_tab("Schedules")
    expect(schedules_tab).to_have_attribute("aria-selected", "true")
    expect(schedules_tab).to_be_focused()
    expect(lab.sidebar.get_by_role("tabpanel", name="Schedules")).to_be_visible()

    # And the left arrow key goes back to the runs
    lab.page.keyboard.press("ArrowLeft")
    expect(runs_tab).to_have_attribute("aria-selected", "true")
    expect(runs_tab).to_be_focused()


def test_failed_scheduled_run_notifies_while_the_runs_list_is_filtered(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given the run history searched for runs of hello.ipynb only
    lab.open_lab()
    lab.show_runs()
    lab.search_runs("hello")
    expect(lab.sidebar.get_by_role("searchbox", name="Search runs")).to_have_value("hello")

    # When a scheduled run of another notebook fails
    schedules_server.api(
        "POST",
        "schedules",
        {
            "name": "hidden by the search",
            "notebook": "failing_example.ipynb",
            "trigger": {"kind": "once", "at": in_seconds(2)},
        },
    )

    # Then its failure is still notified
    toast = lab.notification("(schedule hidden by the search)")
    expect(toast).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(toast).to_contain_text("failing_example.ipynb failed in cell 4")


def test_failed_run_started_from_this_browser_notifies(lab: LabPage) -> None:
    # Given a notebook whose cell 4 raises a KeyError
    lab.open_notebook("failing_example.ipynb")

    # When the analyst runs it with AutoFlow
    run_id = lab.run_with_autoflow()

    # Then a notification says where and why it failed, with no schedule named
    toast = lab.notification("failing_example.ipynb failed in cell 4: KeyError: 'minutes'")
    expect(toast).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(toast).not_to_contain_text("schedule")
    expect(lab.run_trigger(run_id)).to_have_text("manual")
