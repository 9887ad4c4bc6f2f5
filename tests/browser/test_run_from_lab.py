"""An analyst runs a notebook from JupyterLab and debugs it from the AutoFlow sidebar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .lab_page import LabPage

pytestmark = pytest.mark.browser


def test_run_notebook_from_toolbar_and_open_executed_notebook(lab: LabPage) -> None:
    # Given an example notebook open in JupyterLab
    lab.open_notebook("hello.ipynb")

    # When the analyst clicks "Run with AutoFlow"
    run_id = lab.run_with_autoflow()

    # Then the AutoFlow sidebar shows the run reaching "succeeded"
    row = lab.wait_for_run("hello.ipynb", "succeeded", run_id)
    lab.screenshot(lab.sidebar, "sidebar.png")

    # And clicking the run opens the executed notebook with its outputs
    # (the notebook on disk has none)
    row.click()
    lab.wait_for_document("autoflow-runs/hello/")
    output = lab.notebook_panel.locator(".jp-OutputArea-output").first
    expect(output).to_have_text(re.compile(r"Hello, analyst!\s+Hello, analyst!"), timeout=30_000)


def test_failed_run_opens_at_the_failing_cell(lab: LabPage) -> None:
    # Given a run of a notebook that fails in its third code cell
    lab.open_notebook("failing_example.ipynb")
    run_id = lab.run_with_autoflow()
    row = lab.wait_for_run("failing_example.ipynb", "failed", run_id)

    # When the analyst clicks the failed run
    row.click()

    # Then the executed notebook opens with the failing cell active and the error inline
    lab.wait_for_document("autoflow-runs/failing_example/")
    expect(lab.active_cell).to_contain_text("calls[column].sum()", timeout=30_000)
    expect(lab.active_cell).to_contain_text("KeyError")


def test_run_log_opens_from_the_run_context_menu(lab: LabPage) -> None:
    # Given a finished run in the sidebar
    lab.open_notebook("hello.ipynb")
    run_id = lab.run_with_autoflow()
    row = lab.wait_for_run("hello.ipynb", "succeeded", run_id)

    # When the analyst right-clicks it and chooses "Open Run Log"
    row.click(button="right")
    lab.page.get_by_role("menuitem", name="Open Run Log").click()

    # Then the log opens in JupyterLab with the kernel's output in it
    lab.wait_for_document("autoflow-runs/hello/")
    assert lab.page.url.split("?")[0].endswith("/run.log")
    expect(lab.notebook_panel).to_contain_text("Hello, analyst!", timeout=30_000)
    expect(lab.notebook_panel).to_contain_text("AutoFlow] succeeded")
