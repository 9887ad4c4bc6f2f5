"""One API contract: the OpenAPI document, the wire types, and the error bodies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError
from tornado.web import RequestHandler

from autoflow_lab.errors import NotFound, Unavailable
from autoflow_lab.models import ErrorName
from autoflow_lab.openapi import document
from autoflow_lab.routes import ROUTES, AutoflowHandler, error_body, status_of_error

from .conftest import Api

ROOT = Path(__file__).resolve().parent.parent
VERBS = [verb.lower() for verb in RequestHandler.SUPPORTED_METHODS]


class RunGone(NotFound):
    """A domain error defined after the status table was written."""


class DatabaseLocked(Unavailable):
    pass


# --- the document ------------------------------------------------------------------


async def test_served_document_is_the_committed_one_at_the_servers_base_url(
    jp_fetch: Any, jp_base_url: str
) -> None:
    # Given the committed document
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())

    # When a client fetches the document from a running server
    response = await jp_fetch("autoflow", "api", "openapi.json")
    served = json.loads(response.body)

    # Then it is the same, with the server's own base URL
    assert served.pop("servers") == [{"url": f"{jp_base_url}autoflow/api"}]
    committed.pop("servers")
    assert served == committed


async def test_document_needs_a_token(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    # When a client without the token asks for the document
    response = await http_server_client.fetch(
        f"{jp_base_url}autoflow/api/openapi.json", raise_error=False
    )

    # Then it is refused with an error body
    assert response.code == 403
    assert json.loads(response.body)["error"] == "Forbidden"


def test_committed_document_and_wire_types_are_fresh() -> None:
    # When both are generated again from the models and the route table
    check = subprocess.run(
        [sys.executable, "scripts/wire.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then they equal the committed docs/openapi.json and src/wire.ts
    assert check.returncode == 0, f"run `npm run wire`:\n{check.stdout}{check.stderr}"


@pytest.mark.parametrize(("pattern", "handler"), [r for r in ROUTES if r[1].operations])
def test_each_handler_declares_exactly_the_verbs_it_implements(
    pattern: str, handler: type[RequestHandler]
) -> None:
    # When the verbs a handler overrides are compared with those it declares
    implemented = {
        verb for verb in VERBS if getattr(handler, verb) is not getattr(AutoflowHandler, verb)
    }

    # Then they are the same, so the document describes every verb and no other
    assert implemented == set(handler.operations), pattern  # type: ignore[attr-defined]


def test_document_describes_every_route_and_verb() -> None:
    # When the document is built
    paths = document(ROUTES)["paths"]

    # Then it has the whole API, run ids as integers, and the log as text
    assert {path: sorted(item) for path, item in paths.items()} == {
        "/version": ["get"],
        "/runs": ["get", "post"],
        "/runs/{run_id}": ["delete", "get"],
        "/runs/{run_id}/cancel": ["post"],
        "/runs/{run_id}/log": ["get"],
        "/schedules": ["get", "post"],
        "/schedules/preview": ["post"],
        "/schedules/{schedule_id}": ["delete", "get", "patch"],
        "/schedules/{schedule_id}/pause": ["post"],
        "/schedules/{schedule_id}/resume": ["post"],
        "/schedules/{schedule_id}/run": ["post"],
        "/schedules/{schedule_id}/check": ["post"],
        "/schedules/{schedule_id}/dates": ["get"],
        "/schedules/{schedule_id}/dates/{reference_date}/retry": ["post"],
        "/notebooks/parameters": ["get"],
        "/workflows": ["get"],
        "/workflows/schema": ["get"],
        "/workflows/validate": ["post"],
        "/workflow-runs": ["get", "post"],
        "/workflow-runs/{workflow_run_id}": ["delete", "get"],
        "/workflow-runs/{workflow_run_id}/resume": ["post"],
        "/workflow-runs/{workflow_run_id}/cancel": ["post"],
        "/openapi.json": ["get"],
    }
    (run_id,) = paths["/runs/{run_id}"]["get"]["parameters"]
    assert run_id["in"] == "path"
    assert run_id["schema"]["type"] == "integer"
    assert "text/plain" in paths["/runs/{run_id}/log"]["get"]["responses"]["200"]["content"]


def test_document_describes_query_arguments_without_null() -> None:
    # When the document describes GET runs
    parameters = {p["name"]: p for p in document(ROUTES)["paths"]["/runs"]["get"]["parameters"]}

    # Then each query argument is optional, typed, and absent rather than null
    assert set(parameters) == {"limit", "cursor", "status", "notebook", "schedule", "q"}
    assert not any(p["required"] for p in parameters.values())
    assert parameters["status"]["schema"] == {"$ref": "#/components/schemas/RunStatus"}
    assert parameters["q"]["schema"] == {"maxLength": 256, "type": "string"}


def test_every_error_response_is_an_error_body_naming_an_error_name() -> None:
    # When the document is built
    built = document(ROUTES)

    # Then every 4xx/5xx response is an ErrorBody, whose error is the ErrorName enum
    for item in built["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    schemas = built["components"]["schemas"]
    assert schemas["ErrorBody"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorName"}
    assert schemas["ErrorName"]["enum"] == [name.value for name in ErrorName]


def test_wire_types_name_the_error_enum() -> None:
    # Then the frontend's types carry the same names
    wire = (ROOT / "src" / "wire.ts").read_text()
    declaration = wire[wire.index("    ErrorName:") : wire.index(";", wire.index("    ErrorName:"))]
    assert re.findall(r"'(\w+)'", declaration) == [name.value for name in ErrorName]
    assert "export type ErrorName = components['schemas']['ErrorName'];" in wire


# --- error statuses and bodies --------------------------------------------------------


def test_subclass_of_a_mapped_error_gets_its_parents_status_and_name() -> None:
    # When a subclass nobody put in the status table is raised
    status, body = error_body(500, RunGone("Run 3 is gone.", field="run_id"))

    # Then it answers as its parent does
    assert status == 404
    assert body.model_dump() == {
        "error": "NotFound",
        "message": "Run 3 is gone.",
        "field": "run_id",
    }


def test_subclass_of_unavailable_is_a_503() -> None:
    assert status_of_error(DatabaseLocked("locked")) == 503


def test_crash_answers_an_internal_error_without_its_details() -> None:
    # When a handler fails with an exception that is no domain error
    status, body = error_body(500, KeyError("secret-token"))

    # Then the answer is a JSON 500 that does not leak the exception
    assert status == 500
    assert body.error is ErrorName.INTERNAL_ERROR
    assert "secret-token" not in body.message


async def test_missing_run_answers_a_not_found_error_body(api: Api) -> None:
    # When a client asks for a run that does not exist
    status, body = await api("GET", "runs/999")

    # Then the body names the error and keeps the message
    assert status == 404
    assert body["error"] == "NotFound"
    assert "999" in body["message"]
    assert body["field"] is None


async def test_invalid_body_names_the_field_at_fault(api: Api) -> None:
    # When a run request has a bad timeout
    status, body = await api("POST", "runs", {"notebook": "a.ipynb", "timeout": -1})

    # Then the error names the field
    assert status == 400
    assert body["error"] == "InvalidInput"
    assert body["field"] == "timeout"


async def test_invalid_query_names_the_argument_at_fault(api: Api) -> None:
    status, body = await api("GET", "runs", limit="lots")

    assert status == 400
    assert body["error"] == "InvalidInput"
    assert body["field"] == "limit"


async def test_unknown_route_under_the_api_answers_a_json_not_found(api: Api) -> None:
    # When a client calls a route the API does not have
    status, body = await api("GET", "workflows/7")

    # Then it gets a JSON 404, not Jupyter's HTML page
    assert status == 404
    assert body["error"] == "NotFound"
    assert "workflows/7" in body["message"]


async def test_unsupported_verb_answers_405_with_the_allowed_ones(jp_fetch: Any) -> None:
    # When a client deletes the run list
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("autoflow", "api", "runs", method="DELETE")

    # Then it learns which verbs the route has
    assert refused.value.code == 405
    assert refused.value.response.headers["Allow"] == "GET, POST"
    assert json.loads(refused.value.response.body)["error"] == "MethodNotAllowed"


async def test_query_values_are_validated_as_sent(api: Api) -> None:
    # Given a search text over the documented limit only through control characters,
    # which Tornado would otherwise blank out and strip
    text = "a" * 250 + "\x0f" * 10

    # When a client searches with it
    status, body = await api("GET", "runs", q=text)

    # Then it is refused, as the document says it is
    assert status == 400
    assert body["field"] == "q"


async def test_unexpected_failure_answers_a_json_internal_error(
    jp_serverapp: Any, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a service that fails with a bug rather than a domain error
    (app,) = jp_serverapp.extension_manager.extension_apps["autoflow_lab"]

    async def broken(query: Any) -> Any:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(app.runs, "page", broken)

    # When a client lists runs
    status, body = await api("GET", "runs")

    # Then it gets a JSON 500 naming the kind of error, without the detail
    assert status == 500
    assert body["error"] == "InternalError"
    assert "internal detail" not in body["message"]
