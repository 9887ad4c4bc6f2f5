"""Domain errors. Their messages are written for the person who made the request.

The routes layer maps each class to an HTTP status in one place; services and the
store raise them without knowing about HTTP.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError

from .models import ErrorName


class AutoflowError(Exception):
    """Base class: a request that cannot be carried out as asked.

    ``field`` names the request field at fault, when one is, so a client (the
    sidebar's form, the command line's options) can point at it. ``name`` is the
    error's name on the wire; a subclass inherits its parent's, so the names stay
    one closed enum shared with clients.
    """

    name: ClassVar[ErrorName] = ErrorName.INVALID_INPUT

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(AutoflowError):
    """The request is malformed or names something that cannot be run."""

    name = ErrorName.INVALID_INPUT


class NotFound(AutoflowError):
    """The request names a notebook or run that does not exist."""

    name = ErrorName.NOT_FOUND


class OutsideWorkspace(AutoflowError):
    """The request names a path outside the server's root directory."""

    name = ErrorName.OUTSIDE_WORKSPACE


class Conflict(AutoflowError):
    """The request conflicts with the current state of a run."""

    name = ErrorName.CONFLICT


class AlreadyFired(Conflict):
    """A run for this schedule fire exists already: another server (or try) made it."""


class Unavailable(AutoflowError):
    """The run database cannot be reached or written right now; try again later."""

    name = ErrorName.UNAVAILABLE


def describe(error: ValidationError) -> str:
    """A validation error as one line: ``field: problem; other.field: problem``."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "; ".join(parts)


def field_of(error: ValidationError) -> str | None:
    """The top-level request field every problem of ``error`` lies in, if they share one."""
    fields = {str(problem["loc"][0]) if problem["loc"] else None for problem in error.errors()}
    return fields.pop() if len(fields) == 1 else None
