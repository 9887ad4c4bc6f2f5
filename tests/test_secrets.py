"""Secrets passed to kernels through the environment are never persisted or shown."""

from __future__ import annotations

import html
import io
import json
import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from autoflow_lab.execution.redaction import RedactingWriter, redact_run_files

from .notebooks import announce, read_notebook, stream_text, write_notebook
from .processes import pids_from, wait_for_exists
from .servers import start_jupyter

SECRET = "s3cr3t-flowapi-token-0123456789"
UNLISTED = "unlisted-server-secret-9876"
# Quotes and a backslash: JSON, Python and HTML each spell this one differently.
AWKWARD = 'p@ss"w0rd\\with-slash'

pytestmark = pytest.mark.autoflow_config(
    kernel_env_vars=["AUTOFLOW_TEST_TOKEN", "AUTOFLOW_AWKWARD"]
)

USE = "import os\ntoken = os.environ['AUTOFLOW_AWKWARD']"


def spellings(secret: str) -> set[str]:
    """The secret as files and answers may spell it."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
    }


def leaks(places: dict[str, bytes], secret: str = AWKWARD) -> list[str]:
    return [
        name
        for name, content in places.items()
        if any(spelling.encode() in content for spelling in spellings(secret))
    ]


def run_files(root: Path) -> dict[str, bytes]:
    """Every file of the run history: executed notebooks, logs, the database and its WAL."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in (root / "autoflow-runs").rglob("*")
        if path.is_file()
    }


@pytest.fixture
def server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOFLOW_TEST_TOKEN", SECRET)
    monkeypatch.setenv("AUTOFLOW_AWKWARD", AWKWARD)
    monkeypatch.setenv("AUTOFLOW_UNLISTED", UNLISTED)


@pytest.fixture
def fetch_text(jp_fetch: Any) -> Any:
    async def fetch(*route: str) -> bytes:
        response = await jp_fetch(*route, method="GET", raise_error=False)
        return bytes(response.body)

    return fetch


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
    places = {"API": str(page).encode(), "log": caplog.text.encode(), **run_files(jp_root_dir)}
    assert any(name.endswith(".sqlite") for name in places)
    assert any(name.endswith(".ipynb") for name in places)
    assert leaks(places, SECRET) == []


async def test_secret_is_redacted_from_every_output_channel(
    server_environment: None,
    jp_root_dir: Path,
    api,
    wait_for_run,
    fetch_text,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Given a notebook that shows an awkward secret every way a notebook can
    write_notebook(
        jp_root_dir / "channels.ipynb",
        USE,
        "print(token)\nprint(repr(token))",
        "import sys\nsys.stderr.write(token + '\\n')",
        "display({'application/json': {'token': token, token: [token]}}, raw=True)",
        "display({'text/plain': 'shown'}, metadata={'note': token}, raw=True)",
        "from IPython.display import HTML\nHTML(f'<b>{__import__(\"html\").escape(token)}</b>')",
        "import time\nprint(token[:5], end='', flush=True)\ntime.sleep(0.5)\nprint(token[5:])",
        "import ipywidgets\nipywidgets.Text(value=token)",
        "os.write(1, token.encode() + b'\\n')\nos.write(2, token.encode() + b'\\n')",
        "raise type(token, (Exception,), {})(token)",
    )

    # When it runs
    _, queued = await api("POST", "runs", {"notebook": "channels.ipynb"})
    run = await wait_for_run(queued["id"])

    # Then it failed with the secret as the exception's name and message, both redacted
    assert run["status"] == "failed", run
    assert (run["error"]["ename"], run["error"]["evalue"]) == ("***", "***")
    executed = read_notebook(jp_root_dir / run["output"])
    assert "***" in stream_text(executed.cells[2])  # after papermill's note on the error
    assert "widgets" in executed.metadata  # the widget's state was stored, redacted
    # And no spelling of it is in any file, answer or the server's log
    _, page = await api("GET", "runs")
    _, one = await api("GET", f"runs/{run['id']}")
    places = {
        "API list": json.dumps(page).encode(),
        "API run": json.dumps(one).encode(),
        "API log": await fetch_text("autoflow", "api", "runs", str(run["id"]), "log"),
        "contents": await fetch_text("api", "contents", *run["output"].split("/")),
        "server log": caplog.text.encode(),
        **run_files(jp_root_dir),
    }
    assert leaks(places) == []


async def test_secret_is_never_served_while_the_run_executes(
    server_environment: None, jp_root_dir: Path, api, wait_for_run, fetch_text
) -> None:
    # Given a run that printed the secret in one cell and now waits in the next
    write_notebook(
        jp_root_dir / "waits.ipynb",
        USE,
        "print('token', token)",
        "import time\nopen('waiting', 'w').close()\n"
        "while not os.path.exists('go'): time.sleep(0.05)",
    )
    _, queued = await api("POST", "runs", {"notebook": "waits.ipynb"})
    await wait_for_exists(jp_root_dir / "waiting")
    _, running = await api("GET", f"runs/{queued['id']}")

    # When its log and executed notebook are read mid-run
    output = jp_root_dir / running["output"]
    places = {
        "API log": await fetch_text("autoflow", "api", "runs", str(queued["id"]), "log"),
        "contents": await fetch_text("api", "contents", *running["output"].split("/")),
        **run_files(jp_root_dir),
    }
    (jp_root_dir / "go").touch()
    assert (await wait_for_run(queued["id"]))["status"] == "succeeded"

    # Then the printed secret is there, redacted, and nowhere in clear
    assert running["status"] == "running"
    assert stream_text(read_notebook(output).cells[1]) == "token ***\n"
    assert b"token ***" in places["API log"]
    assert b"token ***" in places["contents"]
    assert leaks(places) == []


async def test_worker_killed_mid_run_leaves_no_secret_behind(
    server_environment: None, jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a run that printed the secret and is still executing
    write_notebook(
        jp_root_dir / "doomed.ipynb",
        USE,
        "print('token', token)",
        announce("doomed.pids"),
        "import time\ntime.sleep(120)",
    )
    _, queued = await api("POST", "runs", {"notebook": "doomed.ipynb"})
    _, worker = await pids_from(jp_root_dir / "doomed.pids")

    # When its worker is killed
    os.kill(worker, signal.SIGKILL)
    run = await wait_for_run(queued["id"], timeout=60)

    # Then the run failed, and its files keep the output without the secret
    assert run["error"]["ename"] == "WorkerDied"
    assert stream_text(read_notebook(jp_root_dir / run["output"]).cells[1]) == "token ***\n"
    assert leaks(run_files(jp_root_dir)) == []


async def test_server_tokens_do_not_reach_kernels(
    server_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    jp_root_dir: Path,
    api,
    wait_for_run,
) -> None:
    # Given a server with its own tokens in its environment
    for name in ("JUPYTER_TOKEN", "JPY_API_TOKEN", "JPY_SESSION_NAME", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.setenv(name, f"value-of-{name}")
    write_notebook(
        jp_root_dir / "env.ipynb",
        "import os\nprint(sorted(n for n in os.environ if 'JUP' in n or 'JPY' in n))",
    )

    # When a kernel lists the Jupyter variables it sees
    _, queued = await api("POST", "runs", {"notebook": "env.ipynb"})
    run = await wait_for_run(queued["id"])

    # Then only Jupyter's folders are among them
    names = stream_text(read_notebook(jp_root_dir / run["output"]).cells[0])
    seen = json.loads(names.replace("'", '"'))
    assert set(seen) <= {
        "JPY_PARENT_PID",  # set by jupyter_client for every kernel it starts
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_PATH",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTER_PLATFORM_DIRS",
        "JUPYTER_CONFIG_PATH",
    }, seen


@pytest.mark.parametrize("end", ["stop", "kill"])
def test_server_that_ends_mid_run_leaves_no_secret_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    # Given a real server whose run printed the secret and is still executing
    monkeypatch.setenv("AUTOFLOW_AWKWARD", AWKWARD)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    root, home = tmp_path / "root", tmp_path / "home"
    home.mkdir()
    write_notebook(
        root / "waits.ipynb",
        USE,
        "print('token', token)",
        "import time\nopen('waiting', 'w').close()\ntime.sleep(120)",
    )
    server = start_jupyter("server", root, home, "--AutoflowApp.kernel_env_vars=AUTOFLOW_AWKWARD")
    try:
        queued = server.api("POST", "runs", {"notebook": "waits.ipynb"})
        deadline = time.monotonic() + 60
        while not (root / "waiting").exists():
            assert time.monotonic() < deadline, "the run never reached its last cell"
            time.sleep(0.1)

        # When the server stops, or is killed, mid-run
        if end == "stop":
            server.stop()
        else:
            server.kill()
    finally:
        server.stop()

    # Then the run's files hold its output, redacted, and no file or log holds the secret
    executed = read_notebook(next((root / "autoflow-runs").rglob("waits.ipynb")))
    assert stream_text(executed.cells[1]) == "token ***\n"
    assert queued["status"] == "queued"
    places = {"server log": server.log.read_bytes(), **run_files(root)}
    assert leaks(places) == []


def test_log_writer_redacts_a_secret_written_in_pieces() -> None:
    output = io.StringIO()
    writer = RedactingWriter(output, [AWKWARD])

    writer.write("token p@s")
    shown_mid_way = output.getvalue()
    writer.write('s"w0rd\\with-slash done\n')
    writer.write("last p@")
    writer.close()

    assert shown_mid_way == "token "  # the start of the secret waits for what follows
    assert output.getvalue() == "token *** done\nlast p@"


def test_leftovers_of_a_run_cut_short_mid_write_are_redacted(tmp_path: Path) -> None:
    # Given a notebook cut short mid-write, with the secret JSON-escaped, and a log
    notebook = tmp_path / "cut.ipynb"
    notebook.write_text('{"cells": [{"outputs": [{"text": "' + json.dumps(AWKWARD)[1:-1])
    log = tmp_path / "run.log"
    log.write_text(f"token {AWKWARD}\n")

    redact_run_files(str(notebook), str(log), [AWKWARD])

    assert leaks({"notebook": notebook.read_bytes(), "log": log.read_bytes()}) == []
    assert log.read_text() == "token ***\n"
