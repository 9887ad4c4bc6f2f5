"""An analyst marks a notebook's parameters cell, reads its parameters in the
sidebar and runs the notebook with values chosen in a dialog."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from ..notebooks import read_notebook, write_cells
from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import ARTIFACTS, lab_page, start_lab_over_examples
from .lab_page import LabPage

pytestmark = pytest.mark.browser

UNTAGGED = "untagged.ipynb"  # a notebook whose parameters cell is not tagged yet
UNTAGGED_CELL = "x = 1  # how many"
TO_TAG = "to_tag.ipynb"  # another, tagged from the sidebar's hint
R_NOTEBOOK = "in_r.ipynb"  # papermill injects R parameters but cannot read them
REGIONS = "regions.ipynb"  # parameters of several types
REGIONS_PARAMETERS = (
    'day = "2016-01-03"  # reference date\n'
    "min_calls = 50  # ignore cells below this count\n"
    'regions = ["north", "south"]  # which regions to summarise\n'
    "verbose = False"
)


def prepare(root: Path) -> None:
    r_notebook = write_cells(root / R_NOTEBOOK, ("parameters", "n <- 3L  # how many"))
    notebook = read_notebook(r_notebook)
    notebook.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nbformat.write(notebook, r_notebook)
    write_cells(root / UNTAGGED, ("code", UNTAGGED_CELL), ("code", "print(x)"))
    write_cells(root / TO_TAG, ("code", "threshold = 0.5  # share of calls"))
    write_cells(
        root / REGIONS,
        ("markdown", "# Calls per region"),
        ("parameters", REGIONS_PARAMETERS),
        ("code", "print(day, min_calls, regions, verbose)"),
    )


@pytest.fixture(scope="module")
def parameters_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    """``jupyter lab`` over a copy of examples/ with the notebooks above added."""
    server = start_lab_over_examples(tmp_path_factory.mktemp("parameters"), prepare)
    yield server
    server.stop()


@pytest.fixture
def lab(browser: object, parameters_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, parameters_server) as lab:
        yield lab


def workspace(server: JupyterProcess) -> Path:
    return server.log.parent / "workspace"  # where start_lab_over_examples serves from


def test_tagging_a_cell_shows_its_badge_and_its_parameters_once_saved(lab: LabPage) -> None:
    # Given a notebook whose first cell assigns a parameter but is not tagged
    lab.open_notebook(UNTAGGED)
    lab.show_runs()
    section = lab.parameters_section
    expect(section).to_contain_text("Tag a cell as parameters so papermill can inject values")
    cell = lab.cell(UNTAGGED_CELL)
    assert lab.parameters_badge(cell) == "none"

    # When the analyst tags the cell from the toolbar and saves
    lab.toggle_parameters_cell(cell)

    # Then the cell shows its badge at once
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))
    assert lab.parameters_badge(cell) == '"parameters"'
    lab.screenshot(cell, "parameters-cell.png")

    # And once saved, the sidebar lists the parameter: name, type, default and help
    lab.save_notebook()
    item = lab.parameter_item("x")
    expect(item).to_be_visible(timeout=30_000)
    expect(item.locator(".jp-autoflow-ParametersSection-name")).to_have_text("x")
    expect(item.locator(".jp-autoflow-ParametersSection-type")).to_have_text("int")
    expect(item.locator(".jp-autoflow-ParametersSection-default")).to_have_text("1")
    expect(item.locator(".jp-autoflow-ParametersSection-help")).to_have_text("how many")


def test_the_sidebar_hint_tags_the_active_cell_however_often_clicked(lab: LabPage) -> None:
    # Given a notebook without a parameters cell, its only cell active
    lab.open_notebook(TO_TAG)
    lab.show_runs()
    cell = lab.cell("threshold = 0.5")
    cell.locator(".jp-InputPrompt").click()
    button = lab.parameters_section.get_by_role("button", name="Tag Active Cell as Parameters")

    # When the analyst clicks the hint's button twice (the hint stays until saved)
    button.click()
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))
    button.click()

    # Then the cell stays tagged, and saving lists its parameter
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))
    lab.save_notebook()
    expect(lab.parameter_item("threshold")).to_contain_text("float", timeout=30_000)


def test_toggling_the_parameters_cell_again_untags_it(lab: LabPage) -> None:
    # Given a notebook whose parameters cell is tagged
    lab.open_notebook(REGIONS)
    cell = lab.cell("min_calls = 50")
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))

    # When the analyst toggles it from the cell's context menu
    cell.locator(".jp-InputPrompt").click(button="right")
    lab.page.get_by_role("menuitemcheckbox", name="Toggle Parameters Cell").click()

    # Then the badge goes
    expect(cell).not_to_have_class(word("jp-autoflow-mod-parameters"))
    assert lab.parameters_badge(cell) == "none"


def test_the_badge_follows_tags_changed_in_the_property_inspector(lab: LabPage) -> None:
    # Given the parameters cell of hello.ipynb active, and the property inspector's tags
    lab.open_notebook("hello.ipynb")
    cell = lab.cell('name = "analyst"')
    cell.locator(".jp-InputPrompt").click()
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))
    right = lab.page.locator(".jp-SideBar.jp-mod-right")
    right.get_by_role("tab", name="Property Inspector").click()
    inspector = lab.page.locator("#jp-property-inspector")
    tags = inspector.locator(".jp-CellTags")
    if not tags.is_visible():
        inspector.get_by_text("Common Tools", exact=True).click()

    # When the analyst removes the "parameters" tag there
    tags.locator(".jp-CellTags-Applied", has_text="parameters").click()

    # Then the badge goes; and when the tag is added again, it comes back
    expect(cell).not_to_have_class(word("jp-autoflow-mod-parameters"))
    add_tag = tags.get_by_placeholder("Add Tag")
    # Lab's tag box reads keystrokes, not fill(), and re-renders just after a tag is
    # removed, which can drop what is typed into it then: type until the word is there.
    for _ in range(5):
        add_tag.click()
        add_tag.press_sequentially("parameters", delay=20)
        if add_tag.input_value() == "parameters":
            break
    expect(add_tag).to_have_value("parameters")
    add_tag.press("Enter")
    expect(tags.locator(".jp-CellTags-Applied", has_text="parameters")).to_be_visible()
    expect(cell).to_have_class(word("jp-autoflow-mod-parameters"))


def test_run_with_parameters_sends_the_changed_value_into_the_executed_notebook(
    lab: LabPage, parameters_server: JupyterProcess
) -> None:
    # Given the Run with Parameters dialog of a notebook with four parameters
    lab.open_notebook(REGIONS)
    lab.show_runs()
    expect(lab.parameter_item("regions")).to_be_visible(timeout=30_000)
    dialog = lab.open_run_with_parameters()
    expect(dialog.get_by_label("day", exact=True)).to_have_value("2016-01-03")
    expect(dialog.get_by_label("day", exact=True)).to_have_attribute("type", "date")
    expect(dialog.get_by_label("min_calls", exact=True)).to_have_value("50")
    expect(dialog.get_by_label("regions", exact=True)).to_have_value('["north", "south"]')
    expect(dialog.get_by_label("verbose", exact=True)).not_to_be_checked()

    # When the analyst changes one value and presses Enter
    min_calls = dialog.get_by_label("min_calls", exact=True)
    min_calls.fill("75")
    min_calls.press("Enter")

    # Then a run is queued and succeeds
    run_id = lab.queued_run_id()
    expect(dialog).to_be_hidden()
    lab.wait_for_run(REGIONS, "succeeded", run_id)

    # And only the changed value was sent, and injected into the executed notebook
    run = parameters_server.api("GET", f"runs/{run_id}")
    assert run["parameters"] == {"min_calls": 75}
    executed = read_notebook(workspace(parameters_server) / run["output"])
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "min_calls = 75" in injected[0].source
    assert "2016-01-03 75 ['north', 'south'] False" in executed.cells[-1].outputs[0]["text"]


def test_run_with_parameters_from_the_file_browser_menu(lab: LabPage) -> None:
    # Given the file browser, listing a notebook with parameters
    lab.open_lab()
    item = lab.page.locator(".jp-DirListing-item", has_text=REGIONS)

    # When the analyst right-clicks the notebook and chooses Run with Parameters…
    item.click(button="right")
    lab.page.get_by_role("menuitem", name="Run with Parameters…").click()

    # Then the dialog opens on that notebook's parameters, Tab moving through them
    dialog = lab.page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Run {REGIONS} with Parameters", timeout=30_000)
    expect(dialog.get_by_label("day", exact=True)).to_be_focused()
    # (Tab first steps through the date's own month, day and year)
    dialog.get_by_label("min_calls", exact=True).focus()
    for name in ("regions", "verbose"):
        lab.page.keyboard.press("Tab")
        expect(dialog.get_by_label(name, exact=True)).to_be_focused()
    dialog.press("Escape")
    expect(dialog).to_be_hidden()


def test_parameters_of_a_notebook_they_cannot_be_read_from_are_one_json_object(
    lab: LabPage,
) -> None:
    # Given an R notebook in the file browser (papermill reads only Python's cells)
    lab.open_lab()
    lab.page.locator(".jp-DirListing-item", has_text=R_NOTEBOOK).click(button="right")

    # When the analyst chooses Run with Parameters…
    lab.page.get_by_role("menuitem", name="Run with Parameters…").click()

    # Then the dialog says so plainly and offers one JSON object for them all
    dialog = lab.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Parameters of R notebooks cannot be read", timeout=30_000)
    expect(dialog.get_by_label("parameters", exact=True)).to_have_value("{}")
    dialog.press("Escape")


def test_bad_json_is_shown_next_to_its_field_and_runs_nothing(
    lab: LabPage, parameters_server: JupyterProcess
) -> None:
    # Given the Run with Parameters dialog of a notebook with a list parameter
    lab.open_notebook(REGIONS)
    runs_before = parameters_server.api("GET", "runs")["runs"]
    dialog = lab.open_run_with_parameters()

    # When the analyst types JSON that does not parse
    regions = dialog.get_by_label("regions", exact=True)
    regions.fill('["north", south]')

    # Then the field says so, next to the input, and marks the input invalid
    field = LabPage.parameter_field(dialog, "regions")
    error = field.locator(".jp-autoflow-ParametersForm-error")
    expect(error).to_contain_text("Not valid JSON")
    expect(regions).to_have_attribute("aria-invalid", "true")
    expect(regions).to_have_attribute("aria-describedby", word(error.get_attribute("id")))

    # And clicking Run keeps the dialog, the typed value and the message: nothing runs
    dialog.get_by_role("button", name="Run", exact=True).click()
    dialog = lab.page.get_by_role("dialog")
    expect(dialog.get_by_label("regions", exact=True)).to_have_value('["north", south]')
    expect(LabPage.parameter_field(dialog, "regions")).to_contain_text("Not valid JSON")
    dialog.press("Escape")
    expect(dialog).to_be_hidden()
    assert parameters_server.api("GET", "runs")["runs"] == runs_before


def test_the_servers_refusal_is_shown_next_to_the_parameter_it_names(
    lab: LabPage, parameters_server: JupyterProcess
) -> None:
    # Given the dialog of a notebook whose parameters cell then changes on disk:
    # min_calls is now a string, which the open dialog still offers as a number
    name = "changing.ipynb"
    root = workspace(parameters_server)
    shutil.copy(root / REGIONS, root / name)
    lab.open_notebook(name)
    dialog = lab.open_run_with_parameters()
    changed = ("parameters", REGIONS_PARAMETERS.replace("min_calls = 50", 'min_calls = "50"'))
    write_cells(root / name, changed)

    def server_reads_a_string() -> bool:
        """True once the server reads the change; rewritten should Lab's own save of the
        notebook (it saves before opening the dialog) have landed after it."""
        declared = parameters_server.api("GET", f"notebooks/parameters?path={name}")
        found = {item["name"]: item["default"] for item in declared["parameters"]}
        if found.get("min_calls") == '"50"':
            return True
        write_cells(root / name, changed)
        return False

    eventually(server_reads_a_string, 30, "the server to read the changed parameters cell")

    # When the analyst submits a new min_calls
    dialog.get_by_label("min_calls", exact=True).fill("75")
    dialog.get_by_role("button", name="Run", exact=True).click()

    # Then the dialog comes back with the value kept and the server's message at min_calls
    dialog = lab.page.get_by_role("dialog")
    field = LabPage.parameter_field(dialog, "min_calls")
    expect(field.locator(".jp-autoflow-ParametersForm-error")).to_have_text(
        "Expects a string, got 75."
    )
    expect(dialog.get_by_label("min_calls", exact=True)).to_have_value("75")
    expect(dialog.get_by_label("min_calls", exact=True)).to_be_focused()
    dialog.press("Escape")


def test_screenshots_in_light_and_dark_themes(lab: LabPage) -> None:
    # Given the parameters of a notebook in the sidebar, its parameters cell
    # active, and the Run with Parameters dialog with a value changed and a
    # list mistyped; captured in the light theme, then in the dark one
    # (into tests/artifacts; the README's copies in docs/ are refreshed by hand)
    capture_parameters(lab, "")
    # the theme is chosen before a kernel starts: its start-up re-renders the
    # palette under the pointer
    lab.open_lab()
    lab.change_theme("JupyterLab Dark")
    try:
        capture_parameters(lab, "-dark")
    finally:
        # the theme is a user setting, kept by the server for the next tests
        lab.open_lab()
        lab.change_theme("JupyterLab Light")


def capture_parameters(lab: LabPage, suffix: str) -> None:
    lab.open_notebook(REGIONS)
    lab.show_runs()
    expect(lab.parameter_item("regions")).to_be_visible(timeout=30_000)
    lab.cell("min_calls = 50").locator(".jp-InputPrompt").click()
    expect(lab.notebook_button("Toggle Parameters Cell")).to_have_attribute("aria-pressed", "true")
    lab.screenshot(lab.sidebar, f"parameters-section{suffix}.png")

    dialog = lab.open_run_with_parameters()
    dialog.get_by_label("min_calls", exact=True).fill("75")
    dialog.get_by_label("regions", exact=True).fill('["north", south]')
    expect(LabPage.parameter_field(dialog, "regions")).to_contain_text("Not valid JSON")
    lab.screenshot(dialog.locator(".jp-Dialog-content"), f"parameters-dialog{suffix}.png")
    lab.page.screenshot(path=str(ARTIFACTS / f"parameters-lab{suffix}.png"))
    dialog.press("Escape")
    expect(dialog).to_be_hidden()


def word(token: str | None) -> re.Pattern[str]:
    """A pattern matching a space-separated attribute (class, ids) holding ``token``."""
    assert token
    return re.compile(rf"(^|\s){re.escape(token)}(\s|$)")
