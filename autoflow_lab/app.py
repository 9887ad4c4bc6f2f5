"""The server extension: wiring the layers, with the settings of ``config.py``."""

from __future__ import annotations

from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from sqlalchemy.engine import make_url

from .config import (
    AutoflowSettings,
    build_run_service,
    build_schedule_service,
    build_workflow_service,
    database_url,
    kernel_flowapi_token,
    passed_environment,
)
from .routes import MATHJAX_ROUTE, mathjax_handler, route_handlers
from .services import Workspace


class AutoflowApp(AutoflowSettings, ExtensionApp):
    """AutoFlow Lab: run, schedule and chain parametrised notebooks."""

    name = "autoflow_lab"

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        kernel_specs = self.serverapp.kernel_spec_manager
        assert kernel_specs is not None
        workspace = Workspace(
            Path(self.serverapp.root_dir),
            self.outputs_dir,
            allow_hidden=getattr(self.serverapp.contents_manager, "allow_hidden", False),
        )
        self.runs = build_run_service(
            self,
            workspace,
            kernel_names=kernel_specs.find_kernel_specs,
            kernel_environment=self._passed_environment(),
        )
        mathjax_url = url_path_join(self.serverapp.base_url, MATHJAX_ROUTE, "MathJax.js")
        self.workflows = build_workflow_service(self, self.runs, workspace, mathjax_url)
        self.schedules = build_schedule_service(self, self.runs, self.workflows)
        # Runs once the server's event loop is running.
        self.serverapp.io_loop.add_callback(self._start)
        self.log.info(
            "AutoFlow Lab: outputs in %s, database %s, %d concurrent runs on %s",
            workspace.outputs,
            make_url(database_url(self, workspace)).render_as_string(hide_password=True),
            self.max_concurrent_runs,
            self.runs.executes_on,
        )

    async def _start(self) -> None:
        await self.runs.start(self.requeue_interrupted_runs)
        await self.schedules.start()
        await self.workflows.start_engine()

    def _passed_environment(self) -> dict[str, str]:
        environment, missing = passed_environment(self.kernel_env_vars)
        if missing:  # names only: values are secrets
            self.log.warning(
                "AutoFlow Lab: kernel_env_vars not set in the server's environment: %s",
                ", ".join(missing),
            )
        return {**kernel_flowapi_token(self), **environment}

    def initialize_handlers(self) -> None:
        self.handlers.extend(route_handlers(self.runs, self.schedules, self.workflows))
        self.handlers.append(mathjax_handler(self.mathjax_path))

    async def stop_extension(self) -> None:
        await self.schedules.close()
        await self.workflows.close()
        await self.runs.close()
