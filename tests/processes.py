"""Waiting on runs, and on the files and processes they create."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any


async def wait_for_file(path: Path, timeout: float = 60) -> str:
    """The file's contents, once it exists and is not empty."""
    deadline = time.monotonic() + timeout
    while not (contents := _contents(path)):
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear in {timeout} s")
        await asyncio.sleep(0.1)
    return contents


async def wait_for_exists(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():  # noqa: ASYNC240 - a stat, polled
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear in {timeout} s")
        await asyncio.sleep(0.05)


def _contents(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


async def pids_from(path: Path) -> tuple[int, int]:
    """The (kernel, worker) pids an ``announce`` cell wrote to ``path``."""
    kernel, worker = (await wait_for_file(path)).split()
    return int(kernel), int(worker)


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def wait_until_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while is_running(pid):
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} still running after {timeout} s")
        await asyncio.sleep(0.1)


async def wait_for_current_cell(
    api: Any, run_id: int, cell_index: int, timeout: float = 60
) -> None:
    """Wait until the server knows the run is executing ``cell_index``."""
    deadline = time.monotonic() + timeout
    while True:
        _, run = await api("GET", f"runs/{run_id}")
        if (run["progress"] or {}).get("current_cell") == cell_index:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} never reported cell {cell_index}")
        await asyncio.sleep(0.05)
