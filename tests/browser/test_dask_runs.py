"""A team's runs execute on a Dask cluster: the sidebar says where each one ran."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..servers import JupyterProcess
from ..waiting import eventually
from .conftest import lab_page, start_lab_over_examples

pytestmark = pytest.mark.browser


@pytest.fixture
def dask_lab(tmp_path: Path) -> Iterator[JupyterProcess]:
    """JupyterLab whose runs execute on a local Dask cluster of two workers."""
    server = start_lab_over_examples(
        tmp_path,
        lambda root: None,
        "--AutoflowApp.executor_class=autoflow_lab.execution.DaskExecutor",
    )
    yield server
    server.stop()


def test_run_details_say_which_dask_worker_executed_the_run(
    browser: object, dask_lab: JupyterProcess
) -> None:
    # Given runs of two notebooks executed on the cluster
    started = [
        dask_lab.api("POST", "runs", {"notebook": notebook, "parameters": parameters})
        for notebook, parameters in (
            ("hello.ipynb", {"name": "Dask"}),
            ("failing_example.ipynb", {}),
        )
    ]
    for run in started:
        eventually(
            lambda run=run: (
                dask_lab.api("GET", f"runs/{run['id']}")["status"] in {"succeeded", "failed"}
            ),
            120,
            f"run {run['id']} to finish",
        )

    with lab_page(browser, dask_lab) as lab:
        # When the analyst opens the failed run's details in the sidebar
        lab.open_lab()
        lab.show_runs()
        failed = started[1]["id"]
        expect(lab.run_item(failed)).to_be_visible(timeout=30_000)
        details = lab.open_details(failed)

        # Then they say which worker, on which machine, executed it
        expect(details).to_contain_text(
            re.compile(r"Executed on\s*Dask worker tcp://127\.0\.0\.1:\d+ on ")
        )
        expect(details).to_contain_text("KeyError")
        lab.screenshot(lab.sidebar, "dask-run-details.png")
        lab.change_theme("JupyterLab Dark")
        expect(details).to_be_visible()
        lab.screenshot(lab.sidebar, "dask-run-details-dark.png")
