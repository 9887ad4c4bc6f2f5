"""The clock: APScheduler 3.x on the server's event loop, mirroring the schedules table.

APScheduler only decides *when*; what a fire does is the schedule service's
``fire(schedule_id, scheduled_for)``. Its own executors would call a function
without the fire time, and its job stores pickle jobs and cannot be shared by two
servers, so jobs live in memory and are rebuilt from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timezone
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger(__name__)

Fire = Callable[[int, datetime], Coroutine[Any, Any, None]]


class Clock:
    """Calls ``fire(schedule_id, scheduled_for)`` at each fire time of each job."""

    def __init__(self, fire: Fire) -> None:
        # Made on the running event loop, which it then fires on.
        self._scheduler = AsyncIOScheduler(
            event_loop=asyncio.get_running_loop(),
            timezone=timezone.utc,
            executors={"default": _FireExecutor(fire)},
            job_defaults={
                # A fire late because the loop was busy still happens, once: the
                # service's exactly-once key makes a repeat harmless anyway.
                "coalesce": True,
                "misfire_grace_time": None,
                "max_instances": 1_000_000,
            },
        )

    def start(self) -> None:
        self._scheduler.start()

    def put(self, schedule_id: int, trigger: BaseTrigger) -> None:
        """Fire ``schedule_id`` on ``trigger`` from now on, replacing what it had."""
        self._scheduler.add_job(
            _never_called, trigger=trigger, id=str(schedule_id), replace_existing=True
        )

    def remove(self, schedule_id: int) -> None:
        if self._scheduler.get_job(str(schedule_id)) is not None:
            self._scheduler.remove_job(str(schedule_id))

    def scheduled(self) -> set[int]:
        return {int(job.id) for job in self._scheduler.get_jobs()}

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


class _FireExecutor(BaseExecutor):
    """Starts a task per due fire on the event loop; it never blocks the loop."""

    def __init__(self, fire: Fire) -> None:
        super().__init__()
        self._fire = fire
        self._tasks: set[asyncio.Task[None]] = set()

    def submit_job(self, job: Job, run_times: list[datetime]) -> None:
        for run_time in run_times:
            task = asyncio.get_running_loop().create_task(self._fire(int(job.id), run_time))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("A schedule fire failed", exc_info=task.exception())

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:  # pragma: no cover
        raise NotImplementedError("submit_job does the work")

    def shutdown(self, wait: bool = True) -> None:
        for task in self._tasks:
            task.cancel()


def _never_called(*_: Any) -> None:  # pragma: no cover - the executor fires instead
    raise AssertionError("schedule jobs are fired by the fire executor")
