"""An analyst schedules a notebook from its toolbar, sees the server's reading of
the trigger as they type, and edits a schedule in the same dialog."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples
from .lab_page import LabPage, dialog_button

pytestmark = pytest.mark.browser

NOTEBOOK = "hello.ipynb"  # parameters: name (str), repeat (int)
SUMMARY = "daily_calls_summary.ipynb"  # parameters: reference_date (date), min_calls (int)


def expose_app(root: Path) -> None:
    """Let tests start Lab's commands as another extension would (the edit command)."""
    config = root.parent / "config"  # JUPYTER_CONFIG_DIR of start_lab_over_examples
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_lab_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )


@pytest.fixture(scope="module")
def schedules_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    """A Lab of its own: schedules firing every 2 s must not flood other tests' history."""
    server = start_lab_over_examples(tmp_path_factory.mktemp("schedule-dialog"), expose_app)
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, schedules_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, schedules_server) as lab:
        yield lab
    # Leave the next test a quiet server: no schedules, no runs still going
    schedules_server.delete_schedules()
    eventually(lambda: not busy_runs(schedules_server), timeout=120, what="runs to end")


def busy_runs(server: JupyterProcess) -> list[dict[str, Any]]:
    return [
        run
        for status in ("queued", "running")
        for run in server.api("GET", f"runs?status={status}")["runs"]
    ]


def schedule_named(server: JupyterProcess, name: str) -> dict[str, Any] | None:
    found = [s for s in server.api("GET", "schedules")["schedules"] if s["name"] == name]
    return found[0] if found else None


def switch_theme(lab: LabPage, theme: str) -> None:
    """Run Lab's theme command directly: clicking it in the palette timed out, item detaching."""
    lab.execute_command("apputils:change-theme", {"theme": theme})
    light = "false" if "Dark" in theme else "true"
    expect(lab.page.locator("body")).to_have_attribute("data-jp-theme-light", light, timeout=30_000)
    expect(lab.page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)


def test_a_notebook_scheduled_every_two_seconds_gets_runs_under_the_schedule_name(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given a notebook open in Lab
    lab.open_notebook(NOTEBOOK)

    # When the analyst opens Schedule…, chooses every 2 seconds and names the schedule
    dialog = lab.open_schedule_dialog()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("hello")
    dialog.get_by_role("radio", name="Interval").check()
    dialog.get_by_label("Every", exact=True).fill("2")
    dialog.get_by_label("Every (unit)").select_option("seconds")
    dialog.get_by_label("Name", exact=True).fill("Greeting every 2 s")

    # Then the preview reads the interval back before anything is created
    preview = lab.schedule_preview(dialog)
    expect(preview).to_contain_text("Every 2 seconds")
    expect(preview.get_by_role("listitem")).to_have_count(5)
    lab.screenshot(dialog.locator(".jp-Dialog-content"), "schedule-dialog-interval.png")

    # When they create it
    dialog_button(dialog, "Create").click()
    expect(dialog).to_be_hidden(timeout=30_000)

    # Then the server holds the schedule, and its fires queue runs named after it
    schedule = eventually(lambda: schedule_named(schedules_server, "Greeting every 2 s"))
    assert schedule is not None
    assert schedule["notebook"] == NOTEBOOK
    assert schedule["trigger"] == {"kind": "interval", "seconds": 2, "start": None}

    def runs_of_schedule() -> list[dict[str, Any]]:
        page = schedules_server.api("GET", f"runs?schedule={schedule['id']}")
        return [r for r in page["runs"] if r["trigger"]["schedule_name"] == "Greeting every 2 s"]

    runs = eventually(runs_of_schedule, timeout=60, what="a run of the schedule")
    assert runs[0]["trigger"]["kind"] == "schedule"


def test_an_invalid_cron_expression_shows_the_servers_error_and_cannot_be_created(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given the Schedule dialog of a notebook
    lab.open_notebook(NOTEBOOK)
    dialog = lab.open_schedule_dialog()
    preview = lab.schedule_preview(dialog)
    expect(preview).to_contain_text("At 06:00")

    # When the analyst types a minute that does not exist
    expression = dialog.get_by_label("Cron expression")
    expression.fill("61 * * * *")

    # Then the server's message names the minute field, next to the expression
    expect(preview).to_contain_text("in its minute field ('61')")
    expect(expression).to_have_attribute("aria-invalid", "true")
    expect(dialog.get_by_label("Repeat", exact=True)).to_have_value("custom")
    lab.screenshot(dialog.locator(".jp-Dialog-content"), "schedule-dialog-invalid-cron.png")

    # And neither the Create button nor Enter creates it
    expect(dialog_button(dialog, "Create")).to_be_disabled()
    expression.press("Enter")
    expect(dialog).to_be_visible()
    assert schedules_server.api("GET", "schedules")["schedules"] == []

    # And a valid expression is accepted again
    expression.fill("0 7 * * 1-5")
    expect(preview).to_contain_text("Monday through Friday")
    expect(dialog_button(dialog, "Create")).to_be_enabled()
    expect(dialog.get_by_label("Repeat", exact=True)).to_have_value("weekdays")

    # And Escape cancels, creating nothing
    lab.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert schedules_server.api("GET", "schedules")["schedules"] == []


def test_editing_a_schedule_fills_the_dialog_in_and_saves_the_change(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given a paused schedule created through the API, with a parameter set
    created = schedules_server.api(
        "POST",
        "schedules",
        {
            "name": "Hourly greeting",
            "notebook": NOTEBOOK,
            "parameters": {"repeat": 3},
            "trigger": {"kind": "interval", "seconds": 3600},
            "paused": True,
        },
    )
    lab.open_lab()

    # When the edit command is run for it
    lab.execute_command("autoflow:edit-schedule", {"id": created["id"]})

    # Then the dialog shows the schedule's settings and parameters
    dialog = lab.schedule_dialog()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Hourly greeting")
    expect(dialog.get_by_role("radio", name="Interval")).to_be_checked()
    expect(dialog.get_by_label("Every", exact=True)).to_have_value("1")
    expect(dialog.get_by_label("Every (unit)")).to_have_value("hours")
    expect(dialog.get_by_label("repeat", exact=True)).to_have_value("3")
    expect(lab.schedule_preview(dialog)).to_contain_text("Every hour")

    # When the analyst changes the interval to 30 minutes and saves
    dialog.get_by_label("Every", exact=True).fill("30")
    dialog.get_by_label("Every (unit)").select_option("minutes")
    expect(lab.schedule_preview(dialog)).to_contain_text("Every 30 minutes")
    dialog_button(dialog, "Save").click()
    expect(dialog).to_be_hidden(timeout=30_000)

    # Then the API shows the new interval, the rest unchanged
    schedule = schedules_server.api("GET", f"schedules/{created['id']}")
    assert schedule["trigger"]["seconds"] == 1800
    assert schedule["name"] == "Hourly greeting"
    assert schedule["parameters"] == {"repeat": 3}
    assert schedule["paused"] is True


def test_a_setting_the_server_refuses_is_shown_next_to_it_with_the_values_kept(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given the Schedule dialog of a notebook with parameters
    lab.open_notebook(SUMMARY)
    dialog = lab.open_schedule_dialog()

    # When the analyst sets a parameter and a run time limit longer than the server allows
    dialog.get_by_label("min_calls", exact=True).fill("75")
    dialog.get_by_label("Each run", exact=True).fill("400")
    dialog.get_by_label("Each run (unit)").select_option("days")
    dialog_button(dialog, "Create").click()

    # Then the dialog stays open with the server's message by the field and the values kept
    limit = dialog.get_by_label("Each run", exact=True)
    expect(limit).to_have_attribute("aria-invalid", "true")
    expect(limit).to_have_accessible_description(re.compile("less than or equal to 31536000"))
    expect(limit).to_be_focused()
    expect(dialog.get_by_label("min_calls", exact=True)).to_have_value("75")
    assert schedules_server.api("GET", "schedules")["schedules"] == []


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_the_dialog_reads_well_in_each_theme(lab: LabPage, theme: str) -> None:
    # Given a notebook with parameters, in the theme, on a screen tall enough for the dialog
    lab.page.set_viewport_size({"width": 1400, "height": 1150})
    lab.open_notebook(SUMMARY)
    if theme != "JupyterLab Light":  # Lab starts light
        switch_theme(lab, theme)
    try:
        # When the analyst schedules it every weekday at 06:30
        dialog = lab.open_schedule_dialog()
        dialog.get_by_label("Repeat", exact=True).select_option("weekdays")
        dialog.get_by_label("At", exact=True).fill("06:30")
        dialog.get_by_label("Missed while stopped").select_option("latest")
        dialog.get_by_label("If missed within", exact=True).fill("2")

        # Then the preview reads it back, and the dialog is captured for review
        expect(lab.schedule_preview(dialog)).to_contain_text("At 06:30, Monday through Friday")
        dark = "dark" if "Dark" in theme else "light"
        lab.screenshot(dialog.locator(".jp-Dialog-content"), f"schedule-dialog-{dark}.png")
        lab.page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    finally:
        if theme != "JupyterLab Light":
            switch_theme(lab, "JupyterLab Light")


def test_schedule_from_the_file_browser_menu_opens_on_that_notebook_and_enter_creates(
    lab: LabPage, schedules_server: JupyterProcess
) -> None:
    # Given the file browser, listing a notebook
    lab.open_lab()
    item = lab.page.locator(".jp-DirListing-item", has_text=SUMMARY)

    # When the analyst right-clicks it and chooses Schedule…
    item.click(button="right")
    lab.page.get_by_role("menuitem", name="Schedule…").click()

    # Then the dialog opens on that notebook, its name field focused
    dialog = lab.schedule_dialog()
    expect(dialog).to_contain_text(f"Schedule {SUMMARY}")
    name = dialog.get_by_label("Name", exact=True)
    expect(name).to_be_focused()
    expect(name).to_have_value("daily_calls_summary")

    # When they choose a time once and press Enter
    dialog.get_by_role("radio", name="Once").check()
    dialog.get_by_label("Run at", exact=True).fill("2030-01-02T03:04")
    dialog.get_by_label("Timezone", exact=True).fill("Europe/Paris")
    expect(lab.schedule_preview(dialog)).to_contain_text("Once, at 2030-01-02T03:04:00+01:00")
    name.press("Enter")

    # Then the schedule is created for that time, in that timezone's offset
    expect(dialog).to_be_hidden(timeout=30_000)
    schedule = schedule_named(schedules_server, "daily_calls_summary")
    assert schedule is not None
    assert schedule["notebook"] == SUMMARY
    assert schedule["trigger"]["kind"] == "once"
    at = datetime.fromisoformat(schedule["trigger"]["at"])
    assert at == datetime(2030, 1, 2, 2, 4, tzinfo=timezone.utc)
