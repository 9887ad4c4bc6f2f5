"""Routes of workflow definitions and workflow runs."""

from __future__ import annotations

from typing import ClassVar

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import (
    WorkflowList,
    WorkflowRun,
    WorkflowRunCreate,
    WorkflowRunListQuery,
    WorkflowRunPage,
    WorkflowRunPath,
    WorkflowValidateRequest,
    WorkflowValidation,
)
from ..openapi import Operation
from ..workflows import schema
from .base import AutoflowHandler, parse_workflow_run_id


class WorkflowsHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "listWorkflows",
            "The workflow files (.autoflow.yaml) in the workspace, each validated.",
            WorkflowList,
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_model(await self.workflows.workflows())


class WorkflowSchemaHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation("getWorkflowSchema", "The JSON Schema of a workflow definition.", dict),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.finish(schema())


class WorkflowValidateHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "validateWorkflow",
            "Check a definition, saved or not, against the schema and the workspace: every "
            "problem with its line. A definition with problems is still a 200.",
            WorkflowValidation,
            body=WorkflowValidateRequest,
            errors=(400, 404),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(WorkflowValidateRequest)
        self.write_model(await self.workflows.validate(request.workflow, request.text))


class WorkflowRunsHandler(AutoflowHandler):
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "listWorkflowRuns",
            "Workflow runs with their steps, newest first, one page at a time.",
            WorkflowRunPage,
            query=WorkflowRunListQuery,
            errors=(400, 503),
        ),
        "post": Operation(
            "createWorkflowRun",
            "Start a run of a valid workflow.",
            WorkflowRun,
            status=202,
            body=WorkflowRunCreate,
            errors=(400, 404, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(WorkflowRunListQuery)
        self.write_model(await self.workflows.page(query))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        request = self.parse_body(WorkflowRunCreate)
        self.write_model(await self.workflows.start(request), status=202)


class WorkflowRunHandler(AutoflowHandler):
    path_model = WorkflowRunPath
    operations: ClassVar[dict[str, Operation]] = {
        "get": Operation(
            "getWorkflowRun", "One workflow run with its steps.", WorkflowRun, errors=(404, 503)
        ),
        "delete": Operation(
            "deleteWorkflowRun",
            "Delete a finished workflow run with its steps' runs and their files.",
            None,
            status=204,
            errors=(404, 409, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def get(self, workflow_run_id: str) -> None:
        self.write_model(await self.workflows.get(parse_workflow_run_id(workflow_run_id)))

    @web.authenticated
    @authorized
    async def delete(self, workflow_run_id: str) -> None:
        await self.workflows.delete(parse_workflow_run_id(workflow_run_id))
        self.set_status(204)
        self.finish()


class WorkflowRunResumeHandler(AutoflowHandler):
    path_model = WorkflowRunPath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "resumeWorkflowRun",
            "Re-run the failed, skipped, cancelled and stale steps of a finished workflow run "
            "under its definition as saved now, reusing the other steps' outputs.",
            WorkflowRun,
            status=202,
            errors=(400, 404, 409, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, workflow_run_id: str) -> None:
        self.write_model(
            await self.workflows.resume(parse_workflow_run_id(workflow_run_id)), status=202
        )


class WorkflowRunCancelHandler(AutoflowHandler):
    path_model = WorkflowRunPath
    operations: ClassVar[dict[str, Operation]] = {
        "post": Operation(
            "cancelWorkflowRun",
            "Cancel a workflow run: running steps stop, pending ones never start.",
            WorkflowRun,
            status=202,
            errors=(404, 409, 503),
        ),
    }

    @web.authenticated
    @authorized
    async def post(self, workflow_run_id: str) -> None:
        self.write_model(
            await self.workflows.cancel(parse_workflow_run_id(workflow_run_id)), status=202
        )
