"""HTTP handlers under ``{base_url}autoflow/api/``: they only translate HTTP.

Each verb parses its input into a model from ``models``, calls a service, and
writes the result. Domain errors become status codes in ``base`` alone. This
module holds the route table, which the server and the OpenAPI document read.
"""

from __future__ import annotations

from typing import Any, ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import NotFound
from ..openapi import Operation, document
from ..services import RunService, ScheduleService, WorkflowService
from .base import AutoflowHandler, error_body, status_of_error
from .runs import (
    NotebookParametersHandler,
    RunCancelHandler,
    RunHandler,
    RunLogHandler,
    RunsHandler,
    VersionHandler,
)
from .schedules import (
    ScheduleCheckHandler,
    ScheduleDateRetryHandler,
    ScheduleDatesHandler,
    ScheduleHandler,
    SchedulePauseHandler,
    SchedulePreviewHandler,
    ScheduleResumeHandler,
    ScheduleRunHandler,
    SchedulesHandler,
)
from .workflows import (
    WorkflowRunCancelHandler,
    WorkflowRunHandler,
    WorkflowRunResumeHandler,
    WorkflowRunsHandler,
    WorkflowSchemaHandler,
    WorkflowsHandler,
    WorkflowValidateHandler,
)

__all__ = ["ROUTES", "AutoflowHandler", "error_body", "route_handlers", "status_of_error"]

# Reports load MathJax from here: the server's local copy, never a CDN. It is the
# same public library for everyone, so, like Jupyter's own static files, it needs
# no login (a report opened in a sandboxed frame could not send one).
MATHJAX_ROUTE = "autoflow/mathjax"


class OpenApiHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("getOpenApi", "This API's OpenAPI 3.1 document.", dict),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(document(ROUTES, server_url=f"{self.base_url}autoflow/api"))


class UnknownRouteHandler(AutoflowHandler):
    """Answers every other path under ``autoflow/api/`` with a JSON 404."""

    async def prepare(self, *args: Any, **kwargs: Any) -> None:
        await super().prepare(*args, **kwargs)
        raise NotFound(f"No AutoFlow API route {self.request.path!r}.")


# The route table: the server and the OpenAPI document both read it.
ROUTES: list[tuple[str, type[AutoflowHandler]]] = [
    (r"/autoflow/api/version", VersionHandler),
    (r"/autoflow/api/runs", RunsHandler),
    (r"/autoflow/api/runs/([^/]+)", RunHandler),
    (r"/autoflow/api/runs/([^/]+)/cancel", RunCancelHandler),
    (r"/autoflow/api/runs/([^/]+)/log", RunLogHandler),
    (r"/autoflow/api/schedules", SchedulesHandler),
    (r"/autoflow/api/schedules/preview", SchedulePreviewHandler),
    (r"/autoflow/api/schedules/([^/]+)", ScheduleHandler),
    (r"/autoflow/api/schedules/([^/]+)/pause", SchedulePauseHandler),
    (r"/autoflow/api/schedules/([^/]+)/resume", ScheduleResumeHandler),
    (r"/autoflow/api/schedules/([^/]+)/run", ScheduleRunHandler),
    (r"/autoflow/api/schedules/([^/]+)/check", ScheduleCheckHandler),
    (r"/autoflow/api/schedules/([^/]+)/dates", ScheduleDatesHandler),
    (r"/autoflow/api/schedules/([^/]+)/dates/([^/]+)/retry", ScheduleDateRetryHandler),
    (r"/autoflow/api/notebooks/parameters", NotebookParametersHandler),
    (r"/autoflow/api/workflows", WorkflowsHandler),
    (r"/autoflow/api/workflows/schema", WorkflowSchemaHandler),
    (r"/autoflow/api/workflows/validate", WorkflowValidateHandler),
    (r"/autoflow/api/workflow-runs", WorkflowRunsHandler),
    (r"/autoflow/api/workflow-runs/([^/]+)", WorkflowRunHandler),
    (r"/autoflow/api/workflow-runs/([^/]+)/resume", WorkflowRunResumeHandler),
    (r"/autoflow/api/workflow-runs/([^/]+)/cancel", WorkflowRunCancelHandler),
    (r"/autoflow/api/openapi\.json", OpenApiHandler),
    (r"/autoflow/api/.*", UnknownRouteHandler),  # last: it matches every path
]


def route_handlers(
    runs: RunService, schedules: ScheduleService, workflows: WorkflowService
) -> list[tuple[str, type[AutoflowHandler], dict[str, Any]]]:
    """Handlers for ``ExtensionApp.handlers``; the server prefixes its base URL."""
    dependencies = {"runs": runs, "schedules": schedules, "workflows": workflows}
    return [(pattern, handler, dependencies) for pattern, handler in ROUTES]


def mathjax_handler(folder: str) -> tuple[str, type[web.StaticFileHandler], dict[str, Any]]:
    """Serves the local MathJax that reports reference (``AutoflowApp.mathjax_path``)."""
    return (rf"/{MATHJAX_ROUTE}/(.*)", web.StaticFileHandler, {"path": folder})
