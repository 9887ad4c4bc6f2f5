from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .servers import JupyterProcess
from .waiting import eventually_async

pytest_plugins = ["pytest_jupyter.jupyter_server", "tests.flowapi", "tests.postgresql"]

FINAL_STATUSES = {"succeeded", "failed", "cancelled"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "autoflow_config(**settings): AutoflowApp settings for the test's server"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API keeps an event loop running in the main thread while
    # a browser is open; pytest-jupyter needs that thread's loop for itself. So
    # browser tests run last, after every pytest-jupyter test has finished.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def jp_server_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("autoflow_config")
    settings = {"max_concurrent_runs": 2, **(marker.kwargs if marker else {})}
    return {
        "ServerApp": {"jpserver_extensions": {"autoflow_lab": True}},
        "AutoflowApp": settings,
    }


@pytest.fixture
def command_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A server root to run ``autoflow`` in, with Jupyter configuration of its own (none yet)."""
    folder = tmp_path / "root"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    return folder


@pytest.fixture
def servers() -> Iterator[list[JupyterProcess]]:
    """Server processes a test starts (``servers.start_server``), stopped after it."""
    started: list[JupyterProcess] = []
    yield started
    for server in started:
        server.stop()


Api = Callable[..., Awaitable[Any]]


@pytest.fixture
def api(jp_fetch: Any) -> Api:
    """Call the AutoFlow REST API; returns (status, decoded JSON body)."""

    async def call(method: str, route: str, body: Any = None, /, **params: Any) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "raise_error": False}
        if params:
            kwargs["params"] = params
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method == "POST":
            kwargs["body"] = b""
        response = await jp_fetch("autoflow", "api", *route.split("/"), **kwargs)
        return response.code, json.loads(response.body or b"null")

    return call


@pytest.fixture
def wait_for_run(api: Api) -> Callable[[int], Awaitable[dict[str, Any]]]:
    async def wait(run_id: int, timeout: float = 120) -> dict[str, Any]:
        async def finished() -> dict[str, Any] | None:
            status, run = await api("GET", f"runs/{run_id}")
            assert status == 200, run
            return dict(run) if run["status"] in FINAL_STATUSES else None

        return await eventually_async(finished, timeout, what=f"run {run_id} to finish")

    return wait
