"""The server extension: settings as traitlets, and the wiring of the layers."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from sqlalchemy.engine import make_url
from traitlets import Bool, Float, Integer, List, Type, Unicode, default, validate

from .execution import Executor, LocalExecutor
from .routes import route_handlers
from .services import Retention, RunService, Workspace
from .store import RunStore, default_database_url, open_database


class AutoflowApp(ExtensionApp):
    """AutoFlow Lab: run, schedule and chain parametrised notebooks."""

    name = "autoflow_lab"

    outputs_dir = Unicode(
        "autoflow-runs",
        config=True,
        help=(
            "Folder, relative to the server's root directory, that receives executed "
            "notebooks (one subfolder per notebook, then per run). It must be inside "
            "the root directory so outputs open in JupyterLab."
        ),
    )

    database_url = Unicode(
        config=True,
        help=(
            "SQLAlchemy URL of the run database. Default: an SQLite file "
            "'.autoflow.sqlite' inside the outputs folder, so run history and executed "
            "notebooks live together. A PostgreSQL URL suits teams."
        ),
    )

    max_concurrent_runs = Integer(
        config=True,
        help="Runs executing at once; further runs wait in a FIFO queue. Default: CPU count.",
    )

    run_timeout = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "Seconds a run may execute (wall clock, not counting its time in the queue) "
            "before its kernel is killed and it fails. A run may set its own limit. "
            "None (default): no limit."
        ),
    )

    cell_timeout = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "Seconds one cell may execute before its run fails. A run may set its own "
            "limit. None (default): no limit."
        ),
    )

    requeue_interrupted_runs = Bool(
        False,
        config=True,
        help=(
            "What to do at start-up with runs a previous server left queued or running "
            "(it stopped or crashed mid-run): False fails them with the reason "
            "'interrupted'; True runs them again from the start."
        ),
    )

    owner_timeout = Float(
        60.0,
        config=True,
        help=(
            "Seconds a server's or autoflow command's heartbeat may be silent before "
            "another server takes it for gone and settles its unfinished runs (fails "
            "them as interrupted, or re-queues them with requeue_interrupted_runs). A "
            "process on the same machine that has exited is taken for gone at once."
        ),
    )

    heartbeat_interval = Float(
        10.0,
        config=True,
        help=(
            "Seconds between heartbeats of this server in the run database; each "
            "heartbeat also settles the runs of gone owners. Must be shorter than "
            "owner_timeout."
        ),
    )

    keep_runs_per_notebook = Integer(
        None,
        allow_none=True,
        config=True,
        help=(
            "Finished runs to keep per notebook; older ones are deleted with their files "
            "when a run of that notebook finishes. None (default): keep all."
        ),
    )

    keep_runs_days = Float(
        None,
        allow_none=True,
        config=True,
        help=(
            "Days to keep a finished run; older ones are deleted with their files when "
            "a run of the same notebook finishes. None (default): keep all."
        ),
    )

    kernel_env_vars = List(
        Unicode(),
        config=True,
        help=(
            "Names of the server's environment variables to pass into run kernels, such "
            "as FLOWAPI_TOKEN. Kernels otherwise get only basic system variables (PATH, "
            "HOME, locale, Python and Jupyter paths). Passed values are treated as "
            "secrets: they are redacted from executed notebooks and errors, and never "
            "stored or logged."
        ),
    )

    executor_class = Type(
        default_value=LocalExecutor,
        klass=Executor,
        config=True,
        help="The executor that runs notebooks; configure it through its own class name.",
    )

    @default("database_url")
    def _default_database_url(self) -> str:
        root = Path(self.serverapp.root_dir) if self.serverapp else Path.cwd()
        return default_database_url(root / self.outputs_dir)

    @default("max_concurrent_runs")
    def _default_max_concurrent_runs(self) -> int:
        return os.cpu_count() or 1

    @validate("max_concurrent_runs")
    def _check_max_concurrent_runs(self, proposal: dict[str, int]) -> int:
        if proposal["value"] < 1:
            raise ValueError("max_concurrent_runs must be at least 1")
        return proposal["value"]

    @validate(
        "keep_runs_per_notebook",
        "keep_runs_days",
        "run_timeout",
        "cell_timeout",
        "owner_timeout",
        "heartbeat_interval",
    )
    def _check_positive(self, proposal: dict[str, Any]) -> Any:
        value = proposal["value"]
        if value is not None and value <= 0:
            raise ValueError(f"{proposal['trait'].name} must be positive, or None for no limit")
        return value

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        kernel_specs = self.serverapp.kernel_spec_manager
        assert kernel_specs is not None
        workspace = Workspace(
            Path(self.serverapp.root_dir),
            self.outputs_dir,
            allow_hidden=getattr(self.serverapp.contents_manager, "allow_hidden", False),
        )
        store = RunStore(open_database(self.database_url))
        max_age = None if self.keep_runs_days is None else timedelta(days=self.keep_runs_days)
        executor = self.executor_class(max_workers=self.max_concurrent_runs, parent=self)
        self.runs = RunService(
            store=store,
            executor=executor,
            workspace=workspace,
            kernel_names=kernel_specs.find_kernel_specs,
            max_concurrent_runs=self.max_concurrent_runs,
            run_timeout=self.run_timeout,
            cell_timeout=self.cell_timeout,
            retention=Retention(keep_latest=self.keep_runs_per_notebook, max_age=max_age),
            kernel_environment=self._passed_environment(),
            owner_timeout=self.owner_timeout,
            heartbeat_interval=self.heartbeat_interval,
        )
        # Runs once the server's event loop is running.
        self.serverapp.io_loop.add_callback(self.runs.start, self.requeue_interrupted_runs)
        self.log.info(
            "AutoFlow Lab: outputs in %s, database %s, %d concurrent runs",
            workspace.outputs,
            make_url(self.database_url).render_as_string(hide_password=True),
            self.max_concurrent_runs,
        )

    def _passed_environment(self) -> dict[str, str]:
        missing = [name for name in self.kernel_env_vars if name not in os.environ]
        if missing:  # names only: values are secrets
            self.log.warning(
                "AutoFlow Lab: kernel_env_vars not set in the server's environment: %s",
                ", ".join(missing),
            )
        return {name: os.environ[name] for name in self.kernel_env_vars if name in os.environ}

    def initialize_handlers(self) -> None:
        self.handlers.extend(route_handlers(self.runs))

    async def stop_extension(self) -> None:
        await self.runs.close()
