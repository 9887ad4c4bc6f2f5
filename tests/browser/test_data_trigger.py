"""An analyst schedules a notebook to run whenever FlowAPI has new data: the dialog
previews the date ranges the stencil gives, and the Schedules tab checks FlowAPI and
lists each reference date with its run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ..flowapi import FlowApi
from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples
from .lab_page import RUN_TIMEOUT_MS, LabPage, dialog_button

pytestmark = pytest.mark.browser

NOTEBOOK = "daily_calls_summary.ipynb"  # parameters: reference_date (date), min_calls (int)
# examples/data/calls.csv has calls for these days only
DATA_DAYS = ["2016-01-01", "2016-01-02", "2016-01-03"]
NAME = "daily calls from FlowAPI"


@pytest.fixture
def flowapi_server(
    flowapi: FlowApi, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterProcess]:
    """A Lab of its own that reaches the FlowAPI stand-in, with its token in its environment.

    It depends on ``flowapi``, so the stand-in stops only after it.
    """
    flowapi.set_dates(dict.fromkeys(("calls", "sms", "mds", "topups"), DATA_DAYS))
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.token)

    def configure(root: Path) -> None:
        config = root.parent / "config"  # JUPYTER_CONFIG_DIR of start_lab_over_examples
        config.mkdir(parents=True, exist_ok=True)
        (config / "jupyter_server_config.json").write_text(
            json.dumps({"AutoflowApp": {"flowapi_url": flowapi.url}})
        )

    server = start_lab_over_examples(tmp_path_factory.mktemp("data-trigger"), configure)
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, flowapi_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, flowapi_server) as lab:
        yield lab


def schedule_named(server: JupyterProcess, name: str) -> dict[str, Any] | None:
    found = [s for s in server.api("GET", "schedules")["schedules"] if s["name"] == name]
    return found[0] if found else None


def dates_of(server: JupyterProcess, schedule_id: int) -> dict[str, dict[str, Any]]:
    listed = server.api("GET", f"schedules/{schedule_id}/dates")["dates"]
    return {date["reference_date"]: date for date in listed}


def test_a_data_trigger_schedule_runs_once_per_new_date_of_flowapi(
    lab: LabPage, flowapi_server: JupyterProcess
) -> None:
    # Given a notebook declaring reference_date, and FlowAPI with data for 2016-01-01 to 03
    lab.open_notebook(NOTEBOOK)

    # When the analyst schedules it to run when FlowAPI has new calls or SMS data
    dialog = lab.open_schedule_dialog()
    dialog.get_by_label("Name", exact=True).fill(NAME)
    dialog.get_by_role("radio", name="When FlowAPI has new data").check()
    expect(dialog.get_by_label("If still running")).to_have_count(0)
    events = dialog.get_by_role("group", name="Event types")
    expect(events.get_by_role("checkbox", name="Calls")).to_be_checked()
    events.get_by_role("checkbox", name="SMS").check()

    # And types a stencil whose range holds no day
    stencil = dialog.get_by_label("Date stencil")
    stencil.fill("[[0, -1]]")

    # Then the server's refusal shows next to the stencil
    expect(stencil).to_have_attribute("aria-invalid", "true")
    expect(dialog.locator(f"#{stencil.get_attribute('id')}-error")).to_be_visible()
    expect(dialog_button(dialog, "Create")).to_be_disabled()

    # When they type the day before and the reference date, [-1, 1), and a sample date
    stencil.fill("[[-1, 1]]")
    dialog.get_by_label("Sample reference date").fill("2016-01-07")

    # Then the preview shows the date ranges a run for the sample date gets
    ranges = dialog.get_by_role("status", name="Date ranges at the sample date")
    expect(ranges).to_contain_text("A run for data of 2016-01-07 needs these days")
    expect(ranges.get_by_role("listitem")).to_have_text(["2016-01-06 to 2016-01-07"])
    expect(ranges).to_contain_text('date_ranges parameter: [["2016-01-06","2016-01-08"]]')
    expect(lab.schedule_preview(dialog)).to_contain_text("Next checks of FlowAPI")
    expect(stencil).not_to_have_attribute("aria-invalid", "true")
    lab.screenshot(dialog.locator(".jp-Dialog-content"), "data-trigger-dialog.png")

    # When they create it
    dialog_button(dialog, "Create").click()
    expect(dialog).to_be_hidden(timeout=30_000)
    schedule = eventually(lambda: schedule_named(flowapi_server, NAME), what="the schedule")
    assert schedule is not None
    assert schedule["trigger"]["event_types"] == ["calls", "sms"]
    assert schedule["trigger"]["stencil"] == [[-1, 1]]

    # And click Check now in the Schedules tab, then open its dates
    lab.show_sidebar_tab("Schedules")
    row = lab.schedule_row(NAME)
    row.get_by_role("button", name=f"Check {NAME} now").click()
    row.get_by_role("button", name=f"Dates of {NAME}").click()

    # Then each date whose stencil FlowAPI has runs once, and succeeds
    dates = row.get_by_role("region", name=f"Dates of {NAME}")
    for day in ("2016-01-03", "2016-01-02"):
        expect(dates.get_by_role("listitem", name=f"{day}, succeeded")).to_be_visible(
            timeout=RUN_TIMEOUT_MS
        )
    expect(dates.get_by_role("listitem")).to_have_count(2)
    expect(row).to_contain_text("2 succeeded", timeout=30_000)
    expect(row).to_contain_text("Checked")
    lab.screenshot(lab.sidebar, "data-trigger-schedules.png")

    # And a date's run opens in the Runs tab, worded with the date of its data
    run_id = dates_of(flowapi_server, schedule["id"])["2016-01-03"]["run_id"]
    dates.get_by_role("button", name=f"Run #{run_id}, data of 2016-01-03").click()
    expect(lab.run_trigger(run_id)).to_have_text(f"{NAME}, data of 2016-01-03")

    # And in the dark theme, the dialog opens filled in for an edit, and the dates read well
    lab.change_theme_from_menu("JupyterLab Dark")
    lab.show_sidebar_tab("Schedules")
    expect(dates.get_by_role("listitem")).to_have_count(2)
    lab.screenshot(lab.sidebar, "data-trigger-schedules-dark.png")
    lab.schedule_menu(NAME, "Edit…")
    dialog = lab.schedule_dialog()
    expect(dialog.get_by_role("radio", name="When FlowAPI has new data")).to_be_checked()
    expect(dialog.get_by_label("Date stencil")).to_have_value("[[-1, 1]]")
    expect(dialog.get_by_role("checkbox", name="SMS")).to_be_checked()
    expect(dialog.get_by_role("status", name="Date ranges at the sample date")).to_contain_text(
        "date_ranges"
    )
    lab.screenshot(dialog.locator(".jp-Dialog-content"), "data-trigger-dialog-dark.png")
    lab.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Then the screenshots are saved; docs/data-trigger-*.png are copies of them
    for name in (
        "data-trigger-dialog.png",
        "data-trigger-dialog-dark.png",
        "data-trigger-schedules.png",
        "data-trigger-schedules-dark.png",
    ):
        assert (lab.artifacts / name).stat().st_size > 0


def test_a_refused_check_and_a_failing_date_read_in_plain_words_and_the_date_can_be_retried(
    lab: LabPage, flowapi_server: JupyterProcess, flowapi: FlowApi
) -> None:
    # Given a data-trigger schedule whose runs fail (no region has that many calls),
    # one run a date, and FlowAPI with data for 2016-01-03 only
    flowapi.set_dates({"calls": ["2016-01-03"]})
    schedule = flowapi_server.api(
        "POST",
        "schedules",
        {
            "name": "too many calls",
            "notebook": NOTEBOOK,
            "parameters": {"min_calls": 100000},
            "trigger": {
                "kind": "new_data",
                "expression": "0 6 * * *",
                "timezone": "UTC",
                "event_types": ["calls"],
                "stencil": [0],
                "max_attempts": 1,
            },
        },
    )
    lab.open_lab()
    lab.show_sidebar_tab("Schedules")
    row = lab.schedule_row("too many calls")

    # When FlowAPI refuses the token and the analyst clicks Check now
    flowapi.fail_with(403)
    row.get_by_role("button", name="Check too many calls now").click()

    # Then the row says so in plain words
    expect(row.locator(".jp-autoflow-ScheduleRow-check")).to_contain_text(
        "FlowAPI refused the token", timeout=30_000
    )
    lab.screenshot(row, "data-trigger-refused.png")

    # When FlowAPI recovers and they check again, and open the dates
    flowapi.recover()
    row.get_by_role("button", name="Check too many calls now").click()
    row.get_by_role("button", name="Dates of too many calls").click()

    # Then the date's one run fails, the date is given up, with the notebook's error
    dates = row.get_by_role("region", name="Dates of too many calls")
    given_up = dates.get_by_role("listitem", name="2016-01-03, given up")
    expect(given_up).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(given_up).to_contain_text("No data for 2016-01-03")
    expect(row).to_contain_text("1 given up")
    expect(row.locator(".jp-autoflow-ScheduleRow-check")).not_to_contain_text("refused")
    lab.screenshot(lab.sidebar, "data-trigger-given-up.png")

    # When they retry the date
    first_run = dates_of(flowapi_server, schedule["id"])["2016-01-03"]["run_id"]
    given_up.get_by_role("button", name="Retry 2016-01-03").click()

    # Then it runs again: a new run, given up again once it fails
    def rerun() -> int | None:
        run_id = dates_of(flowapi_server, schedule["id"])["2016-01-03"]["run_id"]
        return run_id if run_id != first_run else None

    second_run = eventually(rerun, timeout=60, what="the retried date's run")
    expect(
        dates.get_by_role("button", name=f"Run #{second_run}, data of 2016-01-03")
    ).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(given_up).to_be_visible(timeout=RUN_TIMEOUT_MS)
