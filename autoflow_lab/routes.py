"""HTTP handlers under ``{base_url}autoflow/api/``: they only translate HTTP.

Each verb parses its input into a model from ``models``, calls a service, and
writes the result. Domain errors become status codes in ``write_error`` alone.
"""

from __future__ import annotations

from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web

from . import __version__
from .errors import (
    AutoflowError,
    Conflict,
    InvalidInput,
    NotFound,
    OutsideWorkspace,
    Unavailable,
    describe,
)
from .models import NotebookQuery, RunCreate, RunListQuery, VersionInfo
from .services import RunService

AUTH_RESOURCE = "autoflow"

STATUS_OF_ERROR: dict[type[AutoflowError], int] = {
    InvalidInput: 400,
    OutsideWorkspace: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}

ModelT = TypeVar("ModelT", bound=BaseModel)


class AutoflowHandler(APIHandler):
    auth_resource = AUTH_RESOURCE

    def initialize(self, runs: RunService) -> None:
        self.runs = runs

    def parse_body(self, model: type[ModelT]) -> ModelT:
        try:
            return model.model_validate_json(self.request.body or b"")
        except ValidationError as error:
            raise InvalidInput(f"Invalid request body: {describe(error)}") from error

    def parse_query(self, model: type[ModelT]) -> ModelT:
        arguments = {name: self.get_query_argument(name) for name in self.request.query_arguments}
        try:
            return model.model_validate(arguments)
        except ValidationError as error:
            raise InvalidInput(f"Invalid query: {describe(error)}") from error

    def write_model(self, model: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.finish(model.model_dump_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, AutoflowError):
            self.set_status(STATUS_OF_ERROR[type(error)])
            self.finish({"message": error.message})
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, AutoflowError):
            self.log.info("AutoFlow request refused: %s", value)
            return
        super().log_exception(typ, value, tb)


class VersionHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_model(VersionInfo(version=__version__))


class RunsHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(RunListQuery)
        self.write_model(await self.runs.page(query))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(RunCreate)
        self.write_model(await self.runs.submit(request), status=202)


class RunHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        self.write_model(await self.runs.get(_run_id(run_id)))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        await self.runs.delete(_run_id(run_id))
        self.set_status(204)
        self.finish()


class RunCancelHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.write_model(await self.runs.cancel(_run_id(run_id)), status=202)


class RunLogHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        text = await self.runs.read_log(_run_id(run_id))
        self.finish(text, set_content_type="text/plain; charset=utf-8")


class NotebookParametersHandler(AutoflowHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(NotebookQuery)
        self.write_model(await self.runs.notebook_parameters(query.path))


def _run_id(text: str) -> int:
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and within the
    # database's 64-bit integers.
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        raise NotFound(f"No run with id {text!r}.")
    return int(text)


def route_handlers(runs: RunService) -> list[tuple[str, type[AutoflowHandler], dict[str, Any]]]:
    """Handlers for ``ExtensionApp.handlers``; the server prefixes its base URL."""
    dependencies = {"runs": runs}
    return [
        (r"/autoflow/api/version", VersionHandler, dependencies),
        (r"/autoflow/api/runs", RunsHandler, dependencies),
        (r"/autoflow/api/runs/([^/]+)", RunHandler, dependencies),
        (r"/autoflow/api/runs/([^/]+)/cancel", RunCancelHandler, dependencies),
        (r"/autoflow/api/runs/([^/]+)/log", RunLogHandler, dependencies),
        (r"/autoflow/api/notebooks/parameters", NotebookParametersHandler, dependencies),
    ]
