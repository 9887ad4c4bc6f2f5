"""HTTP handlers under ``{base_url}autoflow/api/``: they only translate HTTP.

Each verb parses its input into a model from ``models``, calls a service, and
writes the result. Domain errors become status codes in ``write_error`` alone.
"""

from __future__ import annotations

from http.client import responses
from typing import Any, ClassVar, TypeVar

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
    field_of,
)
from .models import (
    ErrorBody,
    ErrorName,
    NotebookParameters,
    NotebookQuery,
    Run,
    RunCreate,
    RunListQuery,
    RunPage,
    RunPath,
    Schedule,
    ScheduleCreate,
    ScheduleList,
    SchedulePath,
    ScheduleUpdate,
    TriggerPreview,
    TriggerPreviewRequest,
    VersionInfo,
)
from .openapi import Operation, document
from .services import RunService, ScheduleService

AUTH_RESOURCE = "autoflow"

STATUS_OF_ERROR: dict[type[AutoflowError], int] = {
    InvalidInput: 400,
    OutsideWorkspace: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
    AutoflowError: 400,
}

# Names of errors Tornado or jupyter_server raise as HTTPError (authorization,
# unknown methods); any other 4xx is bad input, any 5xx an internal error.
NAME_OF_STATUS: dict[int, ErrorName] = {
    400: ErrorName.INVALID_INPUT,
    403: ErrorName.FORBIDDEN,
    404: ErrorName.NOT_FOUND,
    405: ErrorName.METHOD_NOT_ALLOWED,
    409: ErrorName.CONFLICT,
    503: ErrorName.UNAVAILABLE,
}
INTERNAL_ERROR_MESSAGE = "The AutoFlow server failed unexpectedly; its log has the details."


def status_of_error(error: AutoflowError) -> int:
    """The status of the nearest class in ``error``'s MRO that has one."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[cls]
    raise AssertionError("AutoflowError has a status")  # pragma: no cover


def error_body(status_code: int, error: BaseException | None) -> tuple[int, ErrorBody]:
    """The status and body answering ``error`` (None: Tornado's own ``status_code``)."""
    if isinstance(error, AutoflowError):
        return status_of_error(error), ErrorBody(
            error=error.name, message=error.message, field=error.field
        )
    if isinstance(error, web.HTTPError):
        status_code = error.status_code
        message = error.log_message % error.args if error.log_message else error.reason
    else:
        message = None
    if status_code >= 500:
        return status_code, ErrorBody(
            error=ErrorName.INTERNAL_ERROR, message=message or INTERNAL_ERROR_MESSAGE
        )
    name = NAME_OF_STATUS.get(status_code, ErrorName.INVALID_INPUT)
    return status_code, ErrorBody(error=name, message=message or _reason(status_code))


def _reason(status_code: int) -> str:
    return responses.get(status_code, "Bad request") + "."


ModelT = TypeVar("ModelT", bound=BaseModel)


class AutoflowHandler(APIHandler):
    """Base of every handler; ``operations`` declares each verb for the OpenAPI document."""

    auth_resource = AUTH_RESOURCE
    # verb -> what it takes and answers; the document is built from these alone.
    operations: ClassVar[dict[str, Operation]] = {}
    # The arguments captured by the route's pattern, in order.
    path_model: ClassVar[type[BaseModel] | None] = None

    def initialize(self, runs: RunService, schedules: ScheduleService) -> None:
        self.runs = runs
        self.schedules = schedules

    def parse_body(self, model: type[ModelT]) -> ModelT:
        try:
            return model.model_validate_json(self.request.body or b"")
        except ValidationError as error:
            raise InvalidInput(
                f"Invalid request body: {describe(error)}", field=field_of(error)
            ) from error

    def parse_query(self, model: type[ModelT]) -> ModelT:
        # As sent: get_query_argument would blank out control characters and strip
        # spaces, so a value could pass validation that the client never sent.
        arguments = {
            name: self.decode_argument(values[-1], name=name)
            for name, values in self.request.query_arguments.items()
        }
        try:
            return model.model_validate(arguments)
        except ValidationError as error:
            raise InvalidInput(
                f"Invalid query: {describe(error)}", field=field_of(error)
            ) from error

    def write_model(self, model: BaseModel, status: int = 200) -> None:
        self.set_status(status)
        self.finish(model.model_dump_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Every error answers an ``ErrorBody``: domain errors, HTTP errors and crashes."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        status, body = error_body(status_code, error)
        self.clear_header("Content-Type")
        self.set_status(status)
        if status == 405:
            self.set_header("Allow", ", ".join(verb.upper() for verb in self.operations))
        self.set_header("Content-Type", "application/json")
        self.finish(body.model_dump_json())

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, AutoflowError):
            self.log.info("AutoFlow request refused: %s", value)
            return
        super().log_exception(typ, value, tb)


class VersionHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("getVersion", "The server extension's version.", VersionInfo),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_model(VersionInfo(version=__version__))


class RunsHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "listRuns",
            "Runs, newest first, one page at a time.",
            RunPage,
            query=RunListQuery,
            errors=(400, 503),
        ),
        "post": Operation(
            "createRun",
            "Queue a run of a notebook.",
            Run,
            status=202,
            body=RunCreate,
            errors=(400, 404, 503),
        ),
    }

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
    path_model = RunPath
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("getRun", "One run.", Run, errors=(404, 503)),
        "delete": Operation(
            "deleteRun",
            "Delete a finished run: its record and its output folder.",
            None,
            status=204,
            errors=(404, 409, 503),
        ),
    }

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
    path_model = RunPath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "cancelRun", "Cancel a queued or running run.", Run, status=202, errors=(404, 409, 503)
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.write_model(await self.runs.cancel(_run_id(run_id)), status=202)


class RunLogHandler(AutoflowHandler):
    path_model = RunPath
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "getRunLog",
            "The run's log: engine messages and kernel output, as text.",
            str,
            errors=(404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        text = await self.runs.read_log(_run_id(run_id))
        self.finish(text, set_content_type="text/plain; charset=utf-8")


class NotebookParametersHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "getNotebookParameters",
            "The parameters a notebook declares in its parameters cell.",
            NotebookParameters,
            query=NotebookQuery,
            errors=(400, 404),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(NotebookQuery)
        self.write_model(await self.runs.notebook_parameters(query.path))


class SchedulesHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("listSchedules", "Every schedule.", ScheduleList, errors=(503,)),
        "post": Operation(
            "createSchedule",
            "Schedule a notebook; its parameters are checked against the notebook now.",
            Schedule,
            status=201,
            body=ScheduleCreate,
            errors=(400, 403, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_model(await self.schedules.list())

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(ScheduleCreate)
        self.write_model(await self.schedules.create(request), status=201)


class SchedulePreviewHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "previewTrigger",
            "A trigger in words and its next fire times; nothing is stored.",
            TriggerPreview,
            body=TriggerPreviewRequest,
            errors=(400,),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(TriggerPreviewRequest)
        self.write_model(await self.schedules.preview(request.trigger))


class ScheduleHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("getSchedule", "One schedule.", Schedule, errors=(404, 503)),
        "patch": Operation(
            "updateSchedule",
            "Change any of a schedule's fields; the result is checked like a new schedule.",
            Schedule,
            body=ScheduleUpdate,
            errors=(400, 403, 404, 503),
        ),
        "delete": Operation(
            "deleteSchedule",
            "Delete a schedule; its runs stay in the history.",
            None,
            status=204,
            errors=(404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.get(_schedule_id(schedule_id)))

    @web.authenticated
    @authorized
    async def patch(self, schedule_id: str) -> None:
        change = self.parse_body(ScheduleUpdate)
        self.write_model(await self.schedules.update(_schedule_id(schedule_id), change))

    @web.authenticated
    @authorized
    async def delete(self, schedule_id: str) -> None:
        await self.schedules.delete(_schedule_id(schedule_id))
        self.set_status(204)
        self.finish()


class SchedulePauseHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "pauseSchedule", "Stop a schedule firing.", Schedule, errors=(400, 404, 503)
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.pause(_schedule_id(schedule_id)))


class ScheduleResumeHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "resumeSchedule",
            "Let a paused schedule fire again (missed fires are not made up).",
            Schedule,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.resume(_schedule_id(schedule_id)))


class ScheduleRunHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "runSchedule",
            "Queue a run with the schedule's notebook and parameters now.",
            Run,
            status=202,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.run_now(_schedule_id(schedule_id)), status=202)


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


def _run_id(text: str) -> int:
    return _id(text, "run")


def _schedule_id(text: str) -> int:
    return _id(text, "schedule")


def _id(text: str, what: str) -> int:
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and within the
    # database's 64-bit integers.
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        raise NotFound(f"No {what} with id {text!r}.")
    return int(text)


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
    (r"/autoflow/api/notebooks/parameters", NotebookParametersHandler),
    (r"/autoflow/api/openapi\.json", OpenApiHandler),
    (r"/autoflow/api/.*", UnknownRouteHandler),  # last: it matches every path
]


def route_handlers(
    runs: RunService, schedules: ScheduleService
) -> list[tuple[str, type[AutoflowHandler], dict[str, Any]]]:
    """Handlers for ``ExtensionApp.handlers``; the server prefixes its base URL."""
    dependencies = {"runs": runs, "schedules": schedules}
    return [(pattern, handler, dependencies) for pattern, handler in ROUTES]
