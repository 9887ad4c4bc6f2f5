"""Routes of runs and notebooks' parameters."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import __version__
from ..models import (
    NotebookParameters,
    NotebookQuery,
    Run,
    RunCreate,
    RunListQuery,
    RunPage,
    RunPath,
    VersionInfo,
)
from ..openapi import Operation
from .base import AutoflowHandler, parse_run_id


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
        self.write_model(await self.runs.get(parse_run_id(run_id)))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        await self.runs.delete(parse_run_id(run_id))
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
        self.write_model(await self.runs.cancel(parse_run_id(run_id)), status=202)


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
        text = await self.runs.read_log(parse_run_id(run_id))
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
