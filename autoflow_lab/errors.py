"""Domain errors. Their messages are written for the person who made the request.

The routes layer maps each class to an HTTP status in one place; services and the
store raise them without knowing about HTTP.
"""

from __future__ import annotations

from pydantic import ValidationError


class AutoflowError(Exception):
    """Base class: a request that cannot be carried out as asked."""

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(AutoflowError):
    """The request is malformed or names something that cannot be run."""


class NotFound(AutoflowError):
    """The request names a notebook or run that does not exist."""


class OutsideWorkspace(AutoflowError):
    """The request names a path outside the server's root directory."""


class Conflict(AutoflowError):
    """The request conflicts with the current state of a run."""


def describe(error: ValidationError) -> str:
    """A validation error as one line: ``field: problem; other.field: problem``."""
    parts = []
    for problem in error.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return "; ".join(parts)
