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
