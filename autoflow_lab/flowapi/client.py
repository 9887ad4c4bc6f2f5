"""Asking FlowAPI which dates of data it has, through the unmodified ``flowclient``.

Every failure becomes a ``FlowapiFailure`` whose message says in plain words what
went wrong and what to do. The token is read from the environment for each call,
never stored, and never part of a message.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import httpx

from ..dates import written_date
from ..models import CheckStatus


@dataclass(frozen=True)
class FlowapiSettings:
    url: str
    token_variable: str  # the name of the environment variable holding the token
    timeout: float  # seconds, for each call


class FlowapiFailure(Exception):
    def __init__(self, status: CheckStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def available_dates(
    settings: FlowapiSettings, event_types: Iterable[str]
) -> dict[str, set[date]]:
    """The dates FlowAPI has for each of ``event_types`` (those it knows)."""
    import flowclient  # its pandas import is slow: only servers with a data trigger pay it
    from flowclient.errors import FlowclientConnectionError

    token = _token(settings)
    try:
        connection = await flowclient.connect_async(url=settings.url, token=token)
    except FlowclientConnectionError:  # its message quotes the token
        raise FlowapiFailure(
            CheckStatus.DENIED,
            f"The token in {settings.token_variable} is not a FlowAPI token: it is not a JWT "
            "naming a user. Put the token FlowAuth gave you in that variable.",
        ) from None
    statuses: list[int] = []

    async def note(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    connection.session.event_hooks["response"].append(note)
    try:
        found = await asyncio.wait_for(
            flowclient.async_client.get_available_dates(
                connection=connection, event_types=list(event_types)
            ),
            settings.timeout,
        )
    except TimeoutError:
        raise _failure(
            CheckStatus.TIMEOUT,
            f"FlowAPI at {settings.url} did not answer within {settings.timeout:g} s.",
            token,
        ) from None
    except FlowclientConnectionError as error:
        raise _refused(settings, statuses, error, token) from None
    except FileNotFoundError:
        raise _failure(
            CheckStatus.ERROR,
            f"{settings.url} has no /api/0/available_dates (404): is AutoflowApp.flowapi_url "
            "FlowAPI's address?",
            token,
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise _failure(
            CheckStatus.ERROR,
            f"FlowAPI's answer to available_dates was not what FlowAPI sends ({error}).",
            token,
        ) from None
    finally:
        await connection.session.aclose()
    return _parsed(found, token)


def _token(settings: FlowapiSettings) -> str:
    if not settings.url:
        raise FlowapiFailure(CheckStatus.ERROR, "No FlowAPI address: set AutoflowApp.flowapi_url.")
    token = os.environ.get(settings.token_variable, "")
    if not token:
        raise FlowapiFailure(
            CheckStatus.ERROR,
            f"No FlowAPI token: the environment has no {settings.token_variable} (the "
            "variable AutoflowApp.flowapi_token_env names). Start the server (or command) with "
            "the token FlowAuth gave you in it.",
        )
    return token


def _refused(
    settings: FlowapiSettings, statuses: list[int], error: Exception, token: str
) -> FlowapiFailure:
    """What a ``FlowclientConnectionError`` means, from the status FlowAPI answered with."""
    status = statuses[-1] if statuses else None
    said = str(error)
    if status is None:
        reason = str(error.__context__ or said)
        return _failure(
            CheckStatus.UNREACHABLE,
            f"FlowAPI at {settings.url} could not be reached: {reason}.",
            token,
        )
    if status == 401:
        return _failure(
            CheckStatus.DENIED,
            f"FlowAPI did not accept the token in {settings.token_variable} (401: {said}). It "
            f"may have expired: put a new one in {settings.token_variable}.",
            token,
        )
    if status == 403:
        return _failure(
            CheckStatus.DENIED,
            f"The token in {settings.token_variable} may not read FlowAPI's available dates "
            f"(403: {said}). Ask for a token with that permission.",
            token,
        )
    return _failure(CheckStatus.ERROR, f"FlowAPI failed (HTTP {status}): {said}", token)


def _parsed(found: object, token: str) -> dict[str, set[date]]:
    if not isinstance(found, dict):
        raise _failure(CheckStatus.ERROR, "FlowAPI's available dates were not a mapping.", token)
    dates: dict[str, set[date]] = {}
    for event_type, values in found.items():
        if not isinstance(values, list):
            raise _failure(
                CheckStatus.ERROR,
                f"FlowAPI's available dates of {event_type!r} were not a list.",
                token,
            )
        dates[str(event_type)] = {_date(value, event_type, token) for value in values}
    return dates


def _date(value: object, event_type: str, token: str) -> date:
    written = written_date(value)
    if written is not None:
        return written
    raise _failure(
        CheckStatus.ERROR,
        f"FlowAPI reported {value!r} among the available dates of {event_type!r}, which is "
        "not a date (YYYY-MM-DD).",
        token,
    )


def _failure(status: CheckStatus, message: str, token: str) -> FlowapiFailure:
    """A failure whose message cannot carry the token, whatever a server echoed."""
    return FlowapiFailure(status, message.replace(token, "[the token]") if token else message)
