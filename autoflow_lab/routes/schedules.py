"""Routes of schedules."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import (
    DataCheckResult,
    Schedule,
    ScheduleCreate,
    ScheduleDate,
    ScheduleDateList,
    ScheduleDatePath,
    ScheduleList,
    SchedulePath,
    ScheduleUpdate,
    StartedRun,
    TriggerPreview,
    TriggerPreviewRequest,
)
from ..openapi import Operation
from .base import AutoflowHandler, parse_reference_date, parse_schedule_id


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
        self.write_model(await self.schedules.preview(request.trigger, request.sample_date))


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
        self.write_model(await self.schedules.get(parse_schedule_id(schedule_id)))

    @web.authenticated
    @authorized
    async def patch(self, schedule_id: str) -> None:
        change = self.parse_body(ScheduleUpdate)
        self.write_model(await self.schedules.update(parse_schedule_id(schedule_id), change))

    @web.authenticated
    @authorized
    async def delete(self, schedule_id: str) -> None:
        await self.schedules.delete(parse_schedule_id(schedule_id))
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
        self.write_model(await self.schedules.pause(parse_schedule_id(schedule_id)))


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
        self.write_model(await self.schedules.resume(parse_schedule_id(schedule_id)))


class ScheduleRunHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "runSchedule",
            "Start a run of the schedule's notebook or workflow with its parameters now.",
            StartedRun,
            status=202,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str) -> None:
        started = await self.schedules.run_now(parse_schedule_id(schedule_id))
        self.write_model(StartedRun(started), status=202)


class ScheduleCheckHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "checkSchedule",
            "A data trigger's check of FlowAPI now: starts the runs of due dates. A FlowAPI "
            "failure is answered (and recorded on the schedule) as the check's status.",
            DataCheckResult,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.check(parse_schedule_id(schedule_id)))


class ScheduleDatesHandler(AutoflowHandler):
    path_model = SchedulePath
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "listScheduleDates",
            "A data trigger's reference dates for its current parameters, with their states.",
            ScheduleDateList,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self, schedule_id: str) -> None:
        self.write_model(await self.schedules.dates(parse_schedule_id(schedule_id)))


class ScheduleDateRetryHandler(AutoflowHandler):
    path_model = ScheduleDatePath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "retryScheduleDate",
            "Re-arm a failed or given-up reference date, then check FlowAPI, which runs it "
            "if the date is still available.",
            ScheduleDate,
            errors=(400, 404, 409, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, schedule_id: str, reference_date: str) -> None:
        retried = await self.schedules.retry_date(
            parse_schedule_id(schedule_id), parse_reference_date(reference_date)
        )
        self.write_model(retried)
