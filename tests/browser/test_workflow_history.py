"""An analyst follows workflow runs in the AutoFlow sidebar's Workflows tab: the steps'
statuses, the DAG of a failed run, the failing step's executed notebook, a resume after a
fix, and a step's HTML report opened in Lab."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from ..notebooks import write_cells
from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples
from .lab_page import RUN_TIMEOUT_MS, LabPage

pytestmark = pytest.mark.browser

WORKFLOW = "pipeline/two_steps.autoflow.yaml"
FAILING_CELL = 'raise ValueError("the counts are not ready")'

DEFINITION = """\
name: Two steps
steps:
  - key: load
    notebook: load.ipynb
  - key: summary
    notebook: summary.ipynb
    parameters:
      loaded: {from: steps.load}
    report: html
"""


def write_summary(root: Path, *, failing: bool) -> None:
    """The second step's notebook: it fails until the analyst fixes it."""
    write_cells(
        root / "pipeline" / "summary.ipynb",
        ("parameters", "loaded = None"),
        ("markdown", "# Summary of the counts"),
        ("code", FAILING_CELL if failing else 'print("counts ready")'),
        ("code", 'print("loaded from", loaded)'),
    )


def prepare(root: Path) -> None:
    (root / "pipeline").mkdir()
    (root / WORKFLOW).write_text(DEFINITION)
    write_cells(root / "pipeline" / "load.ipynb", ("code", "counts = {'north': 3}"))
    write_summary(root, failing=True)


@pytest.fixture(scope="module")
def workflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    """``jupyter lab`` over a copy of examples/ and a two-step workflow."""
    server = start_lab_over_examples(tmp_path_factory.mktemp("workflows"), prepare)
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, workflow_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, workflow_server) as lab:
        yield lab
    # The next test starts from the failing notebook again.
    write_summary(workspace(workflow_server), failing=True)


def workspace(server: JupyterProcess) -> Path:
    return server.log.parent / "workspace"


def failed_workflow_run(server: JupyterProcess) -> dict[str, Any]:
    """Start the workflow through the REST API and wait until its second step fails."""
    started = server.api("POST", "workflow-runs", {"workflow": WORKFLOW})

    def finished() -> dict[str, Any] | None:
        current: dict[str, Any] = server.api("GET", f"workflow-runs/{started['id']}")
        return current if current["status"] not in ("queued", "running") else None

    run = eventually(finished, what="the workflow run to finish")
    assert run is not None
    assert run["status"] == "failed", run
    return run


def workflow_row(lab: LabPage, run_id: int) -> Locator:
    return lab.sidebar.locator(f'.jp-autoflow-WorkflowRunRow[data-workflow-run-id="{run_id}"]')


def expand(lab: LabPage, run_id: int, status: str) -> Locator:
    """Click a workflow run's row open; returns its details."""
    row = workflow_row(lab, run_id)
    toggle = row.get_by_role("button", name=f"Two steps, {status}, workflow run #{run_id}")
    expect(toggle).to_be_visible(timeout=RUN_TIMEOUT_MS)
    toggle.click()
    details = row.get_by_role("region", name=f"Details of workflow run #{run_id}")
    expect(details).to_be_visible()
    return details


def current_tab(lab: LabPage) -> Locator:
    """The selected tab of the main area; its title names the document's path."""
    return lab.page.locator("#jp-main-dock-panel").get_by_role("tab", selected=True)


def widen_sidebar(lab: LabPage, width: int) -> None:
    """Drag the left sidebar's edge until the sidebar is ``width`` pixels wide."""
    box = lab.sidebar.bounding_box()
    assert box is not None
    handle = lab.page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    handle_box = handle.bounding_box()
    assert handle_box is not None
    y = handle_box["y"] + handle_box["height"] / 2
    x = handle_box["x"] + handle_box["width"] / 2
    lab.page.mouse.move(x, y)
    lab.page.mouse.down()
    lab.page.mouse.move(x + width - box["width"], y, steps=5)
    lab.page.mouse.up()
    # the split panel lays out on the next frame, to the nearest pixel or so
    lab.page.wait_for_function(
        "(width) => Math.abs(document.getElementById('autoflow-runs').offsetWidth - width) <= 2",
        arg=width,
        timeout=5_000,
    )


def graph_node(details: Locator, key: str) -> Locator:
    return details.locator(f'.jp-autoflow-WorkflowGraph-node[data-key="{key}"]')


def test_failed_workflow_run_lists_step_statuses_and_opens_the_failing_notebook(
    lab: LabPage, workflow_server: JupyterProcess
) -> None:
    # Given a two-step workflow run whose second step failed
    run = failed_workflow_run(workflow_server)

    # When the analyst opens the Workflows tab
    lab.open_lab()
    lab.show_sidebar_tab("Workflows")

    # Then the run is listed failed, with its file and each step's status
    row = workflow_row(lab, run["id"])
    expect(row).to_have_attribute("data-status", "failed", timeout=30_000)
    expect(row).to_contain_text(WORKFLOW)
    steps = row.locator(".jp-autoflow-StepPill")
    expect(steps).to_have_text(["load: succeeded", "summary: failed"])

    # When they open its details
    details = expand(lab, run["id"], "failed")

    # Then the DAG shows the failed step after the succeeded one, and the step says why
    expect(graph_node(details, "load")).to_have_attribute("data-status", "succeeded")
    expect(graph_node(details, "summary")).to_have_attribute("data-status", "failed")
    expect(details.locator(".react-flow__edge")).to_have_count(1)
    summary = details.locator('.jp-autoflow-WorkflowStep[data-step="summary"]')
    expect(summary).to_contain_text("failed in cell 3: ValueError: the counts are not ready")

    # When they click the failed step in the DAG
    graph_node(details, "summary").click()

    # Then its executed notebook opens at the failing cell
    expect(current_tab(lab)).to_have_attribute(
        "title", re.compile(re.escape(run["steps"][1]["run"]["output"]))
    )
    expect(lab.active_cell).to_contain_text(FAILING_CELL, timeout=30_000)


def test_resuming_after_a_fix_succeeds_and_the_html_report_opens_in_lab(
    lab: LabPage, workflow_server: JupyterProcess
) -> None:
    # Given a failed workflow run, whose failing notebook the analyst then fixes
    run = failed_workflow_run(workflow_server)
    write_summary(workspace(workflow_server), failing=False)

    # When they click Resume in its details
    lab.open_lab()
    lab.show_sidebar_tab("Workflows")
    details = expand(lab, run["id"], "failed")
    details.get_by_role("button", name="Resume", exact=True).click()

    # Then the run succeeds, re-running only the failed step
    row = workflow_row(lab, run["id"])
    expect(row).to_have_attribute("data-status", "succeeded", timeout=RUN_TIMEOUT_MS)
    steps = row.locator(".jp-autoflow-StepPill")
    expect(steps).to_have_text(["load: succeeded", "summary: succeeded"])
    summary = details.locator('.jp-autoflow-WorkflowStep[data-step="summary"]')
    expect(summary).to_contain_text("2 attempts")
    expect(details.locator('.jp-autoflow-WorkflowStep[data-step="load"]')).to_contain_text(
        "1 attempt"
    )

    # When they click the step's HTML report
    summary.get_by_role("button", name="HTML report").click()

    # Then the report opens in a Lab tab, rendered
    resumed = workflow_server.api("GET", f"workflow-runs/{run['id']}")
    report = resumed["steps"][1]["run"]["reports"][0]
    assert report["format"] == "html"
    expect(current_tab(lab)).to_have_attribute("title", re.compile(re.escape(report["path"])))
    frame = lab.notebook_panel.frame_locator("iframe")
    expect(frame.get_by_text("Summary of the counts")).to_be_visible(timeout=30_000)
    expect(frame.get_by_text("counts ready")).to_be_visible()
    lab.page.screenshot(path=str(lab.artifacts / "workflow-report.png"))


def test_a_step_run_in_the_runs_tab_names_its_workflow_run(
    lab: LabPage, workflow_server: JupyterProcess
) -> None:
    # Given a failed workflow run
    run = failed_workflow_run(workflow_server)
    step_run = run["steps"][1]["run"]

    # When the analyst looks at the Runs tab
    lab.open_lab()
    lab.show_sidebar_tab("Runs")

    # Then the failed step's run says which step of which workflow run it was
    expect(lab.run_trigger(step_run["id"])).to_have_text(
        f"step summary of Two steps (workflow run {run['id']})", timeout=30_000
    )


def test_screenshots_of_a_failed_workflow_run_in_light_and_dark_themes(
    lab: LabPage, workflow_server: JupyterProcess
) -> None:
    # Given a failed workflow run's details open in the Workflows tab
    run = failed_workflow_run(workflow_server)
    lab.open_lab()
    lab.show_sidebar_tab("Workflows")
    details = expand(lab, run["id"], "failed")
    expect(graph_node(details, "summary")).to_have_attribute("data-status", "failed")
    widen_sidebar(lab, 420)

    # Then the sidebar is captured in the light theme, then in the dark one
    # (into tests/artifacts; docs/workflow-run*.png are copies of them)
    light = lab.screenshot(lab.sidebar, "workflow-run.png")
    lab.change_theme_from_menu("JupyterLab Dark")
    try:
        expect(graph_node(details, "summary")).to_be_visible()
        dark = lab.screenshot(lab.sidebar, "workflow-run-dark.png")
    finally:
        lab.change_theme_from_menu("JupyterLab Light")
    for shot in (light, dark):
        assert shot.stat().st_size > 0
    assert re.search(r"failed", details.inner_text())
