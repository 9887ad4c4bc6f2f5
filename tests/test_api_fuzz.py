"""Fuzz the REST API from its own OpenAPI document against a real server.

Schemathesis generates requests for every operation from the served document and
checks each answer: no 5xx, a documented status, content type, and body. The
server runs over a scratch root holding one tiny notebook, so the few requests
that do queue a run start a real kernel; they are cancelled and waited for.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from .notebooks import write_notebook
from .servers import TOKEN, JupyterProcess, start_jupyter

AUTH = {"Authorization": f"token {TOKEN}"}
FINAL = {"succeeded", "failed", "cancelled"}
# Enough to reach every branch of the handlers several times, short enough for a
# test suite: the whole module takes well under a minute on two cores.
EXAMPLES_PER_OPERATION = 25
NOT_APPLICABLE = [
    # It wants 2xx for every schema-valid request, but validity also depends on
    # the workspace (a notebook that exists, a kernel installed, a cursor the
    # server issued), which no schema can say; those answer a documented 4xx.
    schemathesis.checks.positive_data_acceptance,
    # It wants 401 without the token; jupyter_server answers 403, as for every
    # API of the server (test_auth checks that each route refuses).
    schemathesis.checks.missing_required_header,
]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterProcess]:
    root = tmp_path_factory.mktemp("fuzz-root")
    write_notebook(root / "tiny.ipynb", "y = x + 1", parameters="x = 1")
    server = start_jupyter(
        "server", root, tmp_path_factory.mktemp("fuzz-home"), "--AutoflowApp.max_concurrent_runs=1"
    )
    try:
        yield server
        _cancel_every_run(server)
    finally:
        server.stop()


# The committed document: test_openapi checks that the server serves the same one.
schema = schemathesis.openapi.from_path(Path(__file__).parent.parent / "docs" / "openapi.json")
schema.config.generation.update(
    # Unknown query arguments are ignored by design (JupyterLab adds cache-busters).
    allow_extra_parameters=False,
    # Every request carries the real token (AUTH); made-up ones test nothing here.
    with_security_parameters=False,
)


@schema.hook
def flatmap_body(ctx: Any, body: Any) -> Any:
    # A random notebook name is almost always missing: name the real one half the
    # time, so runs are really queued, started and cancelled. Only a valid name is
    # replaced, so a request made invalid on purpose stays invalid.
    if isinstance(body, dict) and isinstance(body.get("notebook"), str) and body["notebook"]:
        return st.sampled_from([body, {**body, "notebook": "tiny.ipynb"}])
    return st.just(body)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_every_generated_request_as_documented(
    case: Any, fuzz_server: JupyterProcess
) -> None:
    case.call_and_validate(
        base_url=f"{fuzz_server.url}/autoflow/api", headers=AUTH, excluded_checks=NOT_APPLICABLE
    )


def _cancel_every_run(server: JupyterProcess) -> None:
    """Cancel the runs the fuzzing queued and wait until each has stopped."""
    deadline = time.monotonic() + 60
    while True:
        runs = server.api("GET", "runs?limit=500")["runs"]
        pending = [run for run in runs if run["status"] not in FINAL]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"runs still pending after 60 s: {pending}")
        for run in pending:
            try:
                server.api("POST", f"runs/{run['id']}/cancel", {})
            except urllib.error.HTTPError as error:
                if error.code != 409:  # it finished meanwhile
                    raise
        time.sleep(0.2)
