"""An analyst builds a workflow in Lab's workflow editor: adds notebooks as steps, binds the
second step's parameter to the first, saves a file that keeps what they wrote by hand, and
runs it from the toolbar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from ..notebooks import write_notebook
from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples
from .lab_page import RUN_TIMEOUT_MS, LabPage

pytestmark = pytest.mark.browser

WORKFLOW = "chain/chain.autoflow.yaml"
HAND_WRITTEN = """\
# Written by hand before the editor opened it: this comment must survive.
name: Chain
x-team: analytics  # an unknown key the editor must keep
steps: []
"""
EXAMPLE = "workflows/daily_report.autoflow.yaml"


def write_chain(root: Path) -> None:
    """Two notebooks: the second checks it was given the first's executed notebook."""
    chain = root / "chain"
    chain.mkdir()
    write_notebook(chain / "produce.ipynb", "print('produced')", parameters="greeting = 'hi'")
    write_notebook(
        chain / "consume.ipynb",
        "import os\nassert upstream.endswith('.ipynb'), upstream\nassert os.path.exists(upstream)",
        parameters="upstream = ''",
    )
    (root / WORKFLOW).write_text(HAND_WRITTEN)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workflow-editor")


@pytest.fixture(scope="module")
def editor_server(workspace: Path) -> Iterator[JupyterProcess]:
    server = start_lab_over_examples(workspace, write_chain)
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, editor_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, editor_server) as lab:
        yield lab


def open_workflow(lab: LabPage, path: str) -> Locator:
    """Open a workflow in its default editor; returns the editor's body."""
    lab.page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
    editor = lab.page.locator(".jp-autoflow-WorkflowEditor")
    expect(editor).to_be_visible(timeout=60_000)
    return editor


def add_step(lab: LabPage, notebook: str) -> None:
    """Click Add steps, pick the notebook in the dialog and confirm."""
    lab.notebook_panel.get_by_role("button", name="Add steps").click()
    dialog = lab.page.get_by_role("dialog")
    dialog.locator(".jp-DirListing-item", has_text=notebook).click()
    dialog.get_by_role("button", name="Select").click()
    expect(dialog).to_be_hidden()


def graph_node(editor: Locator, key: str) -> Locator:
    return editor.locator(f'.jp-autoflow-WorkflowGraph-node[data-key="{key}"]')


def test_a_chain_built_in_the_editor_saves_keeps_hand_written_comments_and_runs(
    lab: LabPage, editor_server: JupyterProcess, workspace: Path
) -> None:
    # Given a hand-written workflow with a comment and an x- key, open in the editor
    editor = open_workflow(lab, WORKFLOW)

    # When the analyst adds two notebooks and binds the second's parameter to the first
    add_step(lab, "produce.ipynb")
    expect(graph_node(editor, "produce")).to_be_visible()
    add_step(lab, "consume.ipynb")
    expect(graph_node(editor, "consume")).to_be_visible()
    step = editor.get_by_role("region", name="Step consume")
    step.get_by_label(re.compile(r"^upstream")).select_option(
        label="Executed notebook of step produce"
    )
    expect(editor.locator(".react-flow__edge")).to_have_count(1)
    expect(editor.get_by_role("status")).to_have_text("Valid", timeout=30_000)
    lab.save_notebook()

    # Then the file keeps the hand-written lines and holds the chain
    text = (workspace / "workspace" / WORKFLOW).read_text()
    assert "# Written by hand before the editor opened it: this comment must survive." in text
    assert "x-team: analytics # an unknown key the editor must keep" in text
    assert "upstream: {from: steps.consume}" not in text
    assert "upstream: {from: steps.produce}" in text

    # When it is reopened, the editor shows the same chain
    editor = open_workflow(lab, WORKFLOW)
    expect(graph_node(editor, "produce")).to_be_visible()
    expect(editor.locator(".react-flow__edge")).to_have_count(1)
    graph_node(editor, "consume").click()
    expect(
        editor.get_by_role("region", name="Step consume").get_by_label(re.compile(r"^upstream"))
    ).to_have_value("from:steps.produce")

    # When it is run from the toolbar
    lab.notebook_panel.get_by_role("button", name="Run").click()
    started = lab.page.get_by_text(re.compile(r"^Workflow “Chain” started \(run \d+\)$"))
    expect(started).to_be_visible(timeout=30_000)
    found = re.search(r"run (\d+)", started.inner_text())
    assert found is not None

    # Then it succeeds: the second step read the first's executed notebook
    run_id = found.group(1)

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = editor_server.api("GET", f"workflow-runs/{run_id}")
        return None if run["status"] in ("queued", "running") else run

    run = eventually(finished, timeout=RUN_TIMEOUT_MS / 1000, what="the workflow run to end")
    assert run is not None
    assert run["status"] == "succeeded", run
    assert [step["status"] for step in run["steps"]] == ["succeeded", "succeeded"]


def test_a_parameter_bound_to_an_unknown_workflow_parameter_is_marked_on_its_step(
    lab: LabPage,
) -> None:
    # Given the example workflow open in the editor
    editor = open_workflow(lab, EXAMPLE)
    graph_node(editor, "report").click()
    step = editor.get_by_role("region", name="Step report")

    # When the analyst types a literal over a binding and then binds a parameter to a
    # workflow parameter that is then removed
    step.get_by_label(re.compile(r"^reference_date")).select_option(label="Value")
    step.get_by_label("Value of reference_date").fill("2016-01-05")
    step.get_by_label("Value of reference_date").press("Enter")
    expect(editor.get_by_role("status")).to_have_text("Valid", timeout=30_000)
    editor.locator(".react-flow__pane").click()
    editor.get_by_role("button", name="Remove the parameter days").click()

    # Then the server's problem shows on the steps that still read it, in the graph and form
    expect(editor.get_by_role("status")).to_have_text(re.compile(r"problems?$"), timeout=30_000)
    expect(graph_node(editor, "calls")).to_have_attribute("data-invalid", "true")
    graph_node(editor, "calls").click()
    expect(editor.get_by_role("region", name="Step calls").get_by_role("alert")).to_contain_text(
        "days"
    )


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_the_editor_reads_well_in_each_theme(lab: LabPage, theme: str) -> None:
    # Given the example workflow open in the editor, in the theme
    editor = open_workflow(lab, EXAMPLE)
    if theme != "JupyterLab Light":  # Lab starts light
        lab.change_theme_from_menu(theme)
    try:
        # When a step is selected
        graph_node(editor, "report").click()
        expect(editor.get_by_role("region", name="Step report")).to_be_visible()
        expect(editor.get_by_role("status")).to_have_text("Valid", timeout=30_000)

        # Then the editor is captured for review
        # (into tests/artifacts; docs/workflow-editor*.png are copies of them)
        dark = "-dark" if "Dark" in theme else ""
        lab.screenshot(lab.notebook_panel, f"workflow-editor{dark}.png")
    finally:
        if theme != "JupyterLab Light":
            lab.change_theme_from_menu("JupyterLab Light")


def test_schedule_in_the_toolbar_opens_the_schedule_dialog_on_the_workflow(lab: LabPage) -> None:
    # Given the example workflow open in the editor
    open_workflow(lab, EXAMPLE)

    # When the analyst clicks Schedule… in its toolbar
    lab.notebook_panel.get_by_role("button", name="Schedule…").click()

    # Then the Schedule dialog opens on the workflow, asking for its parameters
    dialog = lab.schedule_dialog()
    expect(dialog.locator(".jp-Dialog-header")).to_contain_text("daily_report.autoflow.yaml")
    expect(dialog.get_by_label("days", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
