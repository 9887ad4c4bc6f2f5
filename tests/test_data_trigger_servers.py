"""The data trigger across real server processes sharing one database (SQLite, and
PostgreSQL too): each date starts once however many servers check at once, a date whose
server was killed mid-run is retried, and FlowAPI's token appears nowhere it could be
read back."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from autoflow_lab.store.tables import RunRow

from .flowapi import FlowApi
from .notebooks import write_notebook
from .postgresql import ServerDatabase, on_both_databases
from .servers import TOKEN, JupyterProcess, start_server
from .waiting import eventually

QUICK = {"heartbeat_interval": 0.5, "owner_timeout": 3}
DAYS = [f"2016-01-{n:02d}" for n in range(1, 15)]


@pytest.fixture
def root(
    tmp_path: Path,
    flowapi: FlowApi,
    monkeypatch: pytest.MonkeyPatch,
    server_database: ServerDatabase,
) -> Path:
    """A folder whose servers check the stand-in, with its token in their environment."""
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.token)
    config = tmp_path / "config" / "jupyter_server_config.json"
    config.parent.mkdir()
    settings = {**QUICK, "flowapi_url": flowapi.url, **server_database.settings}
    config.write_text(json.dumps({"AutoflowApp": settings}))
    (tmp_path / "root").mkdir()
    return tmp_path / "root"


def _schedule(server: JupyterProcess, notebook: str, **trigger: Any) -> int:
    body = {
        "notebook": notebook,
        "trigger": {"kind": "new_data", "event_types": ["calls"], "expression": "0 0 1 1 *"}
        | trigger,
    }
    return int(server.api("POST", "schedules", body)["id"])


def _runs_per_date(database: ServerDatabase, schedule_id: int) -> Counter[str]:
    rows = database.rows(select(RunRow.reference_date).where(RunRow.schedule_id == schedule_id))
    return Counter(day for (day,) in rows)


def _text(server: JupyterProcess, path: str) -> str:
    request = urllib.request.Request(
        f"{server.url}/autoflow/api/{path}", headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def _dates(server: JupyterProcess, schedule_id: int) -> dict[str, dict[str, Any]]:
    listing = server.api("GET", f"schedules/{schedule_id}/dates")
    return {d["reference_date"]: d for d in listing["dates"]}


@on_both_databases
def test_two_servers_checking_at_once_start_each_date_once(
    root: Path, servers: list[JupyterProcess], flowapi: FlowApi, server_database: ServerDatabase
) -> None:
    # Given two servers on one database, FlowAPI with 14 days, a quick notebook
    flowapi.set_dates({"calls": DAYS})
    write_notebook(root / "day.ipynb", "print(reference_date)", parameters='reference_date = ""')
    first, second = start_server(servers, root), start_server(servers, root)
    schedule_id = _schedule(first, "day.ipynb", max_runs_per_check=100)

    # When both check it, four times each, all at once
    with ThreadPoolExecutor(8) as pool:
        checks = list(
            pool.map(
                lambda server: server.api("POST", f"schedules/{schedule_id}/check"),
                [first, second] * 4,
            )
        )

    # Then every check went well, and each date has exactly one run, started by one of them
    assert {check["check"]["status"] for check in checks} == {"ok"}
    started = Counter(day for check in checks for day in check["started"])
    assert started == Counter(DAYS)
    assert _runs_per_date(server_database, schedule_id) == Counter(DAYS)
    eventually(
        lambda: {d["state"] for d in _dates(second, schedule_id).values()} == {"succeeded"},
        120,
        what="every date's run to succeed",
    )


@on_both_databases
def test_date_whose_server_was_killed_mid_run_is_retried(
    root: Path, servers: list[JupyterProcess], flowapi: FlowApi, server_database: ServerDatabase
) -> None:
    # Given a notebook that hangs on its first run for a date, and two servers
    flowapi.set_dates({"calls": ["2016-01-07"]})
    marker = root / "first-attempt"
    write_notebook(
        root / "slow.ipynb",
        "import os, time\n"
        f"first = not os.path.exists({str(marker)!r})\n"
        f"open({str(marker)!r}, 'w').close()\n"
        "time.sleep(600 if first else 0)",
        parameters='reference_date = ""',
    )
    first, second = start_server(servers, root), start_server(servers, root)
    schedule_id = _schedule(first, "slow.ipynb")

    # When the first starts the date's run and is killed while it runs
    assert first.api("POST", f"schedules/{schedule_id}/check")["started"] == ["2016-01-07"]
    eventually(marker.exists, 60, what="the first attempt to run")
    first.kill()

    # Then the date is failed once the run is known interrupted, never left running
    failed = eventually(
        lambda: _dates(second, schedule_id)["2016-01-07"]["state"] == "failed",
        60,
        what="the interrupted date to be failed",
    )
    assert failed
    # And the next check on the other server runs it again, and it succeeds
    assert second.api("POST", f"schedules/{schedule_id}/check")["started"] == ["2016-01-07"]
    eventually(
        lambda: _dates(second, schedule_id)["2016-01-07"]["state"] == "succeeded",
        60,
        what="the retried date to succeed",
    )
    assert _runs_per_date(server_database, schedule_id) == Counter({"2016-01-07": 2})


def test_token_appears_in_no_notebook_report_log_row_or_answer(
    root: Path, servers: list[JupyterProcess], flowapi: FlowApi
) -> None:
    # Given a workflow whose step shows the token every way a notebook can, then fails
    # with it, and a report step after a step that shows it and succeeds
    shows = (
        "import os\n"
        "from IPython.display import Markdown, display\n"
        "token = os.environ['FLOWAPI_TOKEN']\n"
        "print(token)\n"
        "display(Markdown(f'**{token}**'))\n"
        "token"
    )
    write_notebook(root / "shows.ipynb", shows, parameters='reference_date = ""')
    write_notebook(
        root / "fails.ipynb",
        "import os\nraise RuntimeError(os.environ['FLOWAPI_TOKEN'])",
        parameters='reference_date = ""',
    )
    (root / "leak.autoflow.yaml").write_text(
        "name: leak\n"
        "steps:\n"
        "  - key: shows\n"
        "    notebook: shows.ipynb\n"
        "    parameters: {reference_date: {from: reference_date}}\n"
        "    report: html\n"
        "  - key: fails\n"
        "    notebook: fails.ipynb\n"
        "    parameters: {reference_date: {from: reference_date}}\n"
    )
    server = start_server(servers, root)
    schedule_id = _schedule(server, "leak.autoflow.yaml", earliest_date="2016-01-07")
    flowapi.fail_with(403)
    server.api("POST", f"schedules/{schedule_id}/check")
    flowapi.recover()

    # When a check runs the workflow for 7 January and it ends
    assert server.api("POST", f"schedules/{schedule_id}/check")["started"] == ["2016-01-07"]
    eventually(
        lambda: _dates(server, schedule_id)["2016-01-07"]["state"] == "failed",
        120,
        what="the workflow run to fail",
    )

    # Then the token is in no answer of the API, no file in the folder (executed
    # notebooks, logs, the report, the database), and not in the server's log
    answers = [
        server.api("GET", "schedules"),
        server.api("GET", f"schedules/{schedule_id}/dates"),
        server.api("GET", "runs?limit=500"),
        server.api("GET", "workflow-runs"),
    ]
    runs = answers[2]["runs"]
    logs = [_text(server, f"runs/{run['id']}/log") for run in runs]
    token = flowapi.token
    assert not [answer for answer in answers if token in json.dumps(answer)]
    assert "RuntimeError: ***" in "".join(logs)
    assert not [log for log in logs if token in log]
    files = [path for path in root.rglob("*") if path.is_file()]
    assert any(path.suffix == ".html" for path in files), "the report was rendered"
    assert any(path.name.endswith(".sqlite") for path in files)
    assert not [path for path in files if token.encode() in path.read_bytes()]
    assert token not in server.log.read_text()
    # And the notebooks did see it: the redaction was what kept it out
    assert len(runs) == 2
    assert {run["error"]["evalue"] for run in runs if run["error"]} == {"***"}
