"""One way to wait in tests: poll a condition until it holds, never a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
POLL_SECONDS = 0.2


def eventually(condition: Callable[[], T], timeout: float = 90, what: str = "") -> T:
    """The first truthy value of ``condition()``, polled until ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(POLL_SECONDS)
    return value


async def eventually_async(
    condition: Callable[[], Awaitable[T]], timeout: float = 90, what: str = ""
) -> T:
    """``eventually`` for a coroutine condition, polled without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while not (value := await condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        await asyncio.sleep(POLL_SECONDS)
    return value


__all__ = ["eventually", "eventually_async"]
