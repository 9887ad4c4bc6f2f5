"""Secrets passed to kernels through the environment are never persisted or shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from .notebooks import read_notebook, stream_text, write_notebook

SECRET = "s3cr3t-flowapi-token-0123456789"
UNLISTED = "unlisted-server-secret-9876"

pytestmark = pytest.mark.autoflow_config(kernel_env_vars=["AUTOFLOW_TEST_TOKEN"])


@pytest.fixture
def server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOFLOW_TEST_TOKEN", SECRET)
    monkeypatch.setenv("AUTOFLOW_UNLISTED", UNLISTED)


async def test_passed_secret_reaches_the_kernel_and_nothing_keeps_it(
    server_environment: None,
    jp_root_dir: Path,
    api,
    wait_for_run,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Given notebooks that use the token carelessly: one prints it, one fails with it
    write_notebook(
        jp_root_dir / "uses_token.ipynb",
        "import os\ntoken = os.environ['AUTOFLOW_TEST_TOKEN']",
        "print('token:', token)\nprint('length:', len(token))",
        "print('unlisted:', os.environ.get('AUTOFLOW_UNLISTED'))",
    )
    write_notebook(
        jp_root_dir / "fails_with_token.ipynb",
        "import os\nraise RuntimeError('rejected ' + os.environ['AUTOFLOW_TEST_TOKEN'])",
    )

    # When both run
    _, first = await api("POST", "runs", {"notebook": "uses_token.ipynb"})
    _, second = await api("POST", "runs", {"notebook": "fails_with_token.ipynb"})
    used = await wait_for_run(first["id"])
    failed = await wait_for_run(second["id"])

    # Then the kernel got the listed variable, and not the unlisted one
    assert used["status"] == "succeeded", used
    executed = read_notebook(jp_root_dir / used["output"])
    assert stream_text(executed.cells[1]) == f"token: ***\nlength: {len(SECRET)}\n"
    assert stream_text(executed.cells[2]) == "unlisted: None\n"
    assert failed["error"]["evalue"] == "rejected ***"

    # And the value appears in no executed notebook, API answer, database file or log
    _, page = await api("GET", "runs")
    places = {
        "API": str(page).encode(),
        "log": caplog.text.encode(),
        **{
            str(path.relative_to(jp_root_dir)): path.read_bytes()
            for path in (jp_root_dir / "autoflow-runs").rglob("*")
            if path.is_file()
        },
    }
    assert any(name.endswith(".sqlite") for name in places)
    assert any(name.endswith(".ipynb") for name in places)
    leaks = [name for name, content in places.items() if SECRET.encode() in content]
    assert leaks == []
