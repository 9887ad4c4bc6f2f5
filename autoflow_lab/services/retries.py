"""Waiting out an unavailable database: writes that must land are retried with backoff."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..errors import Unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long to wait between attempts while the database is unavailable: doubling from
# the first, up to the second.
RETRY_SECONDS = (0.5, 30.0)


async def until_available(what: str, attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()``'s result, retried with backoff for as long as it raises
    ``Unavailable`` (a locked or unreachable database). For work that must happen: a
    run's start and outcome, a server registering itself at start-up."""
    delay, longest = RETRY_SECONDS
    while True:
        try:
            return await attempt()
        except Unavailable as error:
            log.warning("Could not %s, retrying in %g s: %s", what, delay, error)
        await asyncio.sleep(delay)
        delay = min(delay * 2, longest)
