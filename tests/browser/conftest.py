"""A real JupyterLab with the installed extension, driven in Debian's Chromium."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ..servers import TOKEN, JupyterProcess, start_jupyter
from .lab_page import LabPage

EXAMPLES = Path(__file__).parents[2] / "examples"
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium spends its start-up reaching for Google services that
# this machine cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def start_lab_over_examples(
    home: Path, prepare: Callable[[Path], None] = lambda root: None, *args: str
) -> JupyterProcess:
    """``jupyter lab`` over a copy of examples/ in ``home``, configured as installed by pip
    and by ``args``.

    ``prepare`` gets the copy's folder before the server starts.
    """
    root = home / "workspace"
    # not the outputs or history of anyone's own sessions over examples/
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("autoflow-runs", ".ipynb_*"))
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    prepare(root)
    return start_jupyter("lab", root, home, *args)


@contextmanager
def lab_page(browser: Any, server: JupyterProcess) -> Iterator[LabPage]:
    """A fresh browser context on ``server``'s JupyterLab, closed afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    ARTIFACTS.mkdir(exist_ok=True)
    yield LabPage(context.new_page(), server.url, TOKEN, ARTIFACTS)
    context.close()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    server = start_lab_over_examples(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def lab(browser: object, lab_server: JupyterProcess) -> Iterator[LabPage]:
    with lab_page(browser, lab_server) as lab:
        yield lab


# pytest-jupyter's autouse fixtures manage an in-process server on an asyncio
# loop of their own. Browser tests start JupyterLab as a separate process, and
# Playwright's sync API runs its own loop in this thread, so both stand down here.
@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> None:
    return None


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    return None
