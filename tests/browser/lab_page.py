"""Page object for JupyterLab with AutoFlow Lab: what a person sees and clicks."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

RUN_TIMEOUT_MS = 120_000


class LabPage:
    def __init__(self, page: Page, url: str, token: str, artifacts: Path) -> None:
        self.page = page
        self.url = url
        self.token = token
        self.artifacts = artifacts

    def open_lab(self) -> None:
        # ?reset: start from an empty workspace, not the tabs a previous test left
        self.page.goto(f"{self.url}/lab?reset&token={self.token}")
        expect(self.page.locator("#jp-main-dock-panel")).to_be_visible(timeout=60_000)

    def show_runs(self) -> None:
        """Reveal the AutoFlow sidebar by its tab; clicking the open tab would close it."""
        tab = self.page.locator(".jp-SideBar.jp-mod-left").get_by_role("tab", name="AutoFlow")
        if tab.get_attribute("aria-selected", timeout=60_000) != "true":
            tab.click()
        expect(self.sidebar).to_be_visible()

    def open_notebook(self, path: str) -> None:
        # ?reset: start from an empty workspace, not the tabs a previous test left
        self.page.goto(f"{self.url}/lab/tree/{path}?reset&token={self.token}")
        expect(self.notebook_panel.locator(".jp-Notebook")).to_be_visible(timeout=60_000)

    @property
    def notebook_panel(self) -> Locator:
        """The document (notebook or file) in the current main-area tab.

        JupyterLab keeps background tabs rendered (only scaled away), so
        ``:visible`` would match them too; the selected tab names its panel.
        """
        tab = self.page.locator("#jp-main-dock-panel").get_by_role("tab", selected=True)
        tab_id = tab.get_attribute("id", timeout=30_000)
        return self.page.locator(f'[role="tabpanel"][aria-labelledby="{tab_id}"]')

    def run_with_autoflow(self) -> int:
        """Click the toolbar button; returns the id the confirmation names."""
        toolbar = self.notebook_panel.locator(".jp-NotebookPanel-toolbar")
        toolbar.get_by_role("button", name="Run with AutoFlow", exact=True).click()
        confirmation = self.page.get_by_text(re.compile(r"^Run #\d+ of .+ queued$"))
        expect(confirmation).to_be_visible(timeout=30_000)
        found = re.search(r"#(\d+)", confirmation.inner_text())
        assert found is not None
        return int(found.group(1))

    @property
    def sidebar(self) -> Locator:
        return self.page.locator("#autoflow-runs")

    def run_row(self, notebook: str, status: str, run_id: int) -> Locator:
        name = f"{notebook}, {status}, run #{run_id}"
        return self.sidebar.get_by_role("button", name=name, exact=True)

    def run_item(self, run_id: int) -> Locator:
        """A run's whole entry: its open button, cancel button and progress bar."""
        return self.sidebar.locator(f'.jp-autoflow-RunRow[data-run-id="{run_id}"]')

    def run_progress(self, run_id: int) -> Locator:
        return self.run_item(run_id).get_by_role("progressbar")

    def cancel_button(self, run_id: int) -> Locator:
        return self.run_item(run_id).get_by_role("button", name=f"Cancel run #{run_id}")

    def wait_for_run(self, notebook: str, status: str, run_id: int) -> Locator:
        row = self.run_row(notebook, status, run_id)
        expect(row).to_be_visible(timeout=RUN_TIMEOUT_MS)
        return row

    def screenshot(self, locator: Locator, name: str) -> Path:
        path = self.artifacts / name
        locator.screenshot(path=str(path))
        return path

    def wait_for_document(self, path_prefix: str) -> None:
        """JupyterLab puts the current document's path in the address bar."""
        self.page.wait_for_url(re.compile(rf"/lab/tree/{re.escape(path_prefix)}"), timeout=30_000)

    @property
    def active_cell(self) -> Locator:
        return self.notebook_panel.locator(".jp-Cell.jp-mod-active")

    # Run history: scrolling, filters, search and the detail view

    @property
    def run_list(self) -> Locator:
        """The scrolling viewport of the run list."""
        return self.sidebar.locator(".jp-autoflow-RunList-viewport")

    @property
    def listed_runs(self) -> Locator:
        """The rows the list renders now (only those near the viewport)."""
        return self.sidebar.get_by_role("list", name="AutoFlow runs").get_by_role("listitem")

    def scroll_runs_until(self, run_id: int, timeout_ms: int = 30_000) -> Locator:
        """Scroll the list down a screen at a time until the run's row is rendered."""
        self.page.wait_for_function(
            """(id) => {
                const sidebar = document.getElementById('autoflow-runs');
                const viewport = sidebar?.querySelector('.jp-autoflow-RunList-viewport');
                if (!viewport) return false;
                if (sidebar.querySelector(`.jp-autoflow-RunRow[data-run-id="${id}"]`)) {
                    return true;
                }
                viewport.scrollTop += viewport.clientHeight;
                return false;
            }""",
            arg=run_id,
            polling=100,
            timeout=timeout_ms,
        )
        item = self.run_item(run_id)
        item.scroll_into_view_if_needed()
        return item

    def search_runs(self, text: str) -> None:
        self.sidebar.get_by_role("searchbox", name="Search runs").fill(text)

    def filter_status(self, status: str) -> None:
        self.sidebar.get_by_role("combobox", name="Filter by status").select_option(status)

    def open_details(self, run_id: int) -> Locator:
        self.run_item(run_id).get_by_role("button", name=f"Details of run #{run_id}").click()
        details = self.run_details
        expect(details).to_be_visible()
        return details

    @property
    def run_details(self) -> Locator:
        return self.sidebar.get_by_role("region", name=re.compile(r"^Run #\d+ of "))

    def change_theme(self, name: str) -> None:
        """Pick a theme in the command palette, as a person would."""
        self.page.keyboard.press("Control+Shift+C")
        palette = self.page.locator(".jp-ModalCommandPalette")
        search = palette.get_by_role("textbox")
        search.fill(name)
        # Enter picks the first match, as a click would; a click can land while
        # the palette re-renders (a kernel starting) and miss
        expect(palette.locator(".lm-CommandPalette-item.lm-mod-active")).to_contain_text(name)
        search.press("Enter")
        light = "false" if "Dark" in name else "true"
        expect(self.page.locator("body")).to_have_attribute(
            "data-jp-theme-light", light, timeout=30_000
        )
        # JupyterLab covers the page with its splash while it swaps the theme
        expect(palette).to_be_hidden()
        expect(self.page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)

    # Notebook parameters: the parameters cell, the sidebar section, the run dialog

    def notebook_button(self, name: str) -> Locator:
        """A button of the current notebook's toolbar, by its accessible name."""
        toolbar = self.notebook_panel.locator(".jp-NotebookPanel-toolbar")
        return toolbar.get_by_role("button", name=name, exact=True)

    def cell(self, text: str) -> Locator:
        """The current notebook's cell whose source holds ``text``."""
        return self.notebook_panel.locator(".jp-Cell", has_text=text)

    def toggle_parameters_cell(self, cell: Locator) -> None:
        """Make ``cell`` active, then click the toolbar's tag button."""
        cell.locator(".jp-InputPrompt").click()
        expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
        self.notebook_button("Toggle Parameters Cell").click()

    def parameters_badge(self, cell: Locator) -> str:
        """The text the stylesheet draws under a cell's prompt as its badge ('none' if none)."""
        prompt = cell.locator(".jp-InputPrompt")
        return str(prompt.evaluate("node => getComputedStyle(node, '::after').content"))

    def save_notebook(self) -> None:
        """Press Ctrl+S and wait until the tab no longer shows unsaved changes.

        A key press made while Lab moves focus can go astray: once it has not saved
        in a few seconds, File > Save Notebook does it.
        """
        tab = self.page.locator("#jp-main-dock-panel").get_by_role("tab", selected=True)
        dirty = re.compile(r"\bjp-mod-dirty\b")
        expect(tab).to_have_class(dirty)
        self.page.keyboard.press("Control+s")
        try:
            expect(tab).not_to_have_class(dirty, timeout=5_000)
        except AssertionError:
            self.page.get_by_role("menuitem", name="File", exact=True).click()
            self.page.get_by_role("menuitem", name=re.compile(r"^Save Notebook\b(?! As)")).click()
            expect(tab).not_to_have_class(dirty, timeout=30_000)

    @property
    def parameters_section(self) -> Locator:
        return self.sidebar.get_by_role("region", name="Parameters", exact=True)

    def parameter_item(self, name: str) -> Locator:
        return self.parameters_section.locator(f'li[data-parameter="{name}"]')

    def open_run_with_parameters(self) -> Locator:
        """Click the toolbar's Run with Parameters… button; returns the dialog."""
        self.notebook_button("Run with Parameters…").click()
        dialog = self.page.get_by_role("dialog")
        expect(dialog.locator(".jp-autoflow-ParametersForm")).to_be_visible(timeout=30_000)
        return dialog

    @staticmethod
    def parameter_field(dialog: Locator, name: str) -> Locator:
        """A parameter's whole field in the dialog: label, input, help and error."""
        return dialog.locator(f'.jp-autoflow-ParametersForm-field[data-parameter="{name}"]')

    def queued_run_id(self) -> int:
        """The id named by the newest "Run #N of … queued" notification."""
        confirmation = self.page.get_by_text(re.compile(r"^Run #\d+ of .+ queued$")).last
        expect(confirmation).to_be_visible(timeout=30_000)
        found = re.search(r"#(\d+)", confirmation.inner_text())
        assert found is not None
        return int(found.group(1))

    # Schedules: the sidebar's Schedules tab, its rows and their actions

    def sidebar_tab(self, name: str) -> Locator:
        """The sidebar's Runs or Schedules tab."""
        tabs = self.sidebar.get_by_role("tablist", name="AutoFlow")
        return tabs.get_by_role("tab", name=name, exact=True)

    def show_sidebar_tab(self, name: str) -> None:
        self.show_runs()
        tab = self.sidebar_tab(name)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")

    def schedule_row(self, name: str) -> Locator:
        schedules = self.sidebar.get_by_role("list", name="AutoFlow schedules")
        return schedules.get_by_role("listitem", name=name, exact=True)

    def schedule_menu(self, name: str, item: str) -> None:
        """Open a schedule's "More actions" menu and choose ``item``."""
        self.schedule_row(name).get_by_role("button", name=f"More actions for {name}").click()
        self.page.get_by_role("menuitem", name=item, exact=True).click()

    def run_trigger(self, run_id: int) -> Locator:
        """The label of what started a run: a schedule's name, manual or command line."""
        return self.run_item(run_id).locator(".jp-autoflow-RunRow-trigger")

    def notification(self, text: str) -> Locator:
        """A JupyterLab notification toast holding ``text``."""
        return self.page.locator(".Toastify__toast", has_text=text)

    # Schedules: the Schedule dialog

    def open_schedule_dialog(self) -> Locator:
        """Click the current notebook's Schedule… button; returns the dialog."""
        self.notebook_button("Schedule…").click()
        return self.schedule_dialog()

    def schedule_dialog(self) -> Locator:
        """The open Schedule dialog, once its form is shown and Lab has put the focus in
        its first field (a later focus would take keystrokes meant for another field)."""
        dialog = self.page.get_by_role("dialog")
        expect(dialog.locator(".jp-autoflow-ScheduleForm")).to_be_visible(timeout=30_000)
        expect(dialog.locator("input").first).to_be_focused()
        return dialog

    @staticmethod
    def schedule_preview(dialog: Locator) -> Locator:
        """The dialog's live preview: the trigger in words and its next runs, or its error."""
        return dialog.get_by_role("status", name="Schedule preview")

    def execute_command(self, command: str, args: dict[str, object] | None = None) -> None:
        """Start a JupyterLab command, as another part of Lab would, without awaiting it.

        Needs a server started with ``LabApp.expose_app_in_browser``.
        """
        self.page.evaluate(
            "([command, args]) => { void window.jupyterapp.commands.execute(command, args); }",
            [command, args or {}],
        )

    def change_theme_from_menu(self, name: str) -> None:
        """Pick a theme in Settings > Theme, as a person would, and wait for it to apply."""
        self.page.get_by_role("menuitem", name="Settings", exact=True).click()
        # the submenu's item is a listitem, its themes the items of the next menu
        self.page.locator(".lm-Menu").first.get_by_text("Theme", exact=True).click()
        self.page.locator(".lm-Menu").nth(1).get_by_text(name, exact=True).click()
        light = "false" if "Dark" in name else "true"
        expect(self.page.locator("body")).to_have_attribute(
            "data-jp-theme-light", light, timeout=30_000
        )
        # JupyterLab covers the page with its splash while it swaps the theme
        expect(self.page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)


def dialog_button(dialog: Locator, name: str) -> Locator:
    """A button of a dialog's footer (Create, Save, Cancel), by its exact name."""
    return dialog.locator(".jp-Dialog-footer").get_by_role("button", name=name, exact=True)
