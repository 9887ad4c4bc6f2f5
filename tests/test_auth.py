"""Every verb is authenticated and authorized."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer

ROUTES = [
    ("GET", "version", None),
    ("GET", "runs", None),
    ("POST", "runs", json.dumps({"notebook": "any.ipynb"})),
    ("GET", "runs/1", None),
    ("DELETE", "runs/1", None),
    ("POST", "runs/1/cancel", ""),
    ("GET", "runs/1/log", None),
    ("GET", "schedules", None),
    ("POST", "schedules", json.dumps({"notebook": "any.ipynb"})),
    ("POST", "schedules/preview", json.dumps({"trigger": {"kind": "cron"}})),
    ("GET", "schedules/1", None),
    ("PATCH", "schedules/1", json.dumps({"paused": True})),
    ("DELETE", "schedules/1", None),
    ("POST", "schedules/1/pause", ""),
    ("POST", "schedules/1/resume", ""),
    ("POST", "schedules/1/run", ""),
    ("POST", "schedules/1/check", ""),
    ("GET", "schedules/1/dates", None),
    ("POST", "schedules/1/dates/2016-01-01/retry", ""),
    ("GET", "notebooks/parameters", None),
    ("GET", "openapi.json", None),
]


class DenyAutoflow(Authorizer):
    """Lets a user use Jupyter but not AutoFlow."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "autoflow"


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_request_without_credentials_is_refused(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str, method: str, path: str, body: Any
) -> None:
    url = f"{jp_base_url}autoflow/api/{path}"

    response = await http_server_client.fetch(url, method=method, body=body, raise_error=False)

    assert response.code == 403


@pytest.fixture
def deny_autoflow(jp_server_config: dict[str, Any]) -> None:
    jp_server_config["ServerApp"]["authorizer_class"] = DenyAutoflow


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
async def test_user_not_authorized_for_autoflow_is_refused(
    deny_autoflow: None, jp_fetch: Any, method: str, path: str, body: Any
) -> None:
    response = await jp_fetch(
        "autoflow", "api", *path.split("/"), method=method, body=body, raise_error=False
    )

    assert response.code == 403
