"""What every handler shares: parsing into models, writing them, and the one place
where domain errors become status codes (``write_error``)."""

from __future__ import annotations

from datetime import date
from http.client import responses
from typing import Any, ClassVar, TypeVar

from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, ValidationError
from tornado import web

from ..dates import written_date
from ..errors import (
    AutoflowError,
    Conflict,
    InvalidInput,
    NotFound,
    OutsideWorkspace,
    Unavailable,
    describe,
    field_of,
)
from ..models import ErrorBody, ErrorName
from ..openapi import Operation
from ..services import RunService, ScheduleService, WorkflowService

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

    def initialize(
        self, runs: RunService, schedules: ScheduleService, workflows: WorkflowService
    ) -> None:
        self.runs = runs
        self.schedules = schedules
        self.workflows = workflows

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


def parse_run_id(text: str) -> int:
    return parse_id(text, "run")


def parse_schedule_id(text: str) -> int:
    return parse_id(text, "schedule")


def parse_reference_date(text: str) -> date:
    written = written_date(text)
    if written is not None:
        return written
    raise NotFound(f"No reference date {text!r}: dates are written YYYY-MM-DD.")


def parse_id(text: str, what: str) -> int:
    # ASCII digits only (str.isdigit also takes "²" and "٣"), and within the
    # database's 64-bit integers.
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        raise NotFound(f"No {what} with id {text!r}.")
    return int(text)


def parse_workflow_run_id(text: str) -> int:
    return parse_id(text, "workflow run")
