"""AutoFlow Lab's settings, and the one place that builds the run engine from them.

The server extension (``AutoflowApp``) and the ``autoflow`` command share both:
the command reads the ``AutoflowApp`` section of the same Jupyter configuration
files the server reads, so a run behaves the same whichever of them starts it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
from sqlalchemy.engine import make_url
from traitlets import (
    Bool,
    Enum,
    Float,
    HasTraits,
    Integer,
    List,
    Type,
    Unicode,
    default,
    validate,
)
from traitlets.config import Config, LoggingConfigurable
from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

from .errors import InvalidInput
from .execution import Executor, LocalExecutor
from .flowapi.client import FlowapiSettings
from .models import MAX_TIMEOUT_SECONDS
from .reports import ReportSettings
from .services import (
    DataTrigger,
    Retention,
    RunService,
    ScheduleService,
    ScheduleTargets,
    WorkflowService,
    Workspace,
)
from .store import (
    InstanceKind,
    RunStore,
    ScheduleDateStore,
    ScheduleStore,
    WorkflowRunStore,
    default_database_url,
    open_database,
)
from .store.database import DEFAULT_POOL_SIZE, POOL_TIMEOUT_SECONDS

# The files a Jupyter server reads its configuration from, lowest priority first:
# the extension's own file, then the shared and the server's files (the server
# hands its configuration to extensions after they read their own).
CONFIG_FILES = ("jupyter_autoflow_lab_config", "jupyter_config", "jupyter_server_config")


# Upper bounds of the time settings: beyond them, timers and dates overflow.
LONGEST = {
    "run_timeout": MAX_TIMEOUT_SECONDS,
    "cell_timeout": MAX_TIMEOUT_SECONDS,
    "owner_timeout": MAX_TIMEOUT_SECONDS,
    "heartbeat_interval": MAX_TIMEOUT_SECONDS,
    "catch_up_window": MAX_TIMEOUT_SECONDS,
    "keep_runs_days": 100 * 365,
}


class AutoflowSettings(HasTraits):
    """The settings, configured in the ``AutoflowApp`` section."""

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
        "",
        config=True,
        help=(
            "SQLAlchemy URL of the run database. Default (empty): an SQLite file "
            "'.autoflow.sqlite' inside the outputs folder, so run history and executed "
            "notebooks live together. A PostgreSQL URL suits teams."
        ),
    )

    database_pool_size = Integer(
        DEFAULT_POOL_SIZE,
        min=1,
        config=True,
        help=(
            "Connections this server or autoflow command keeps open to a PostgreSQL "
            "database; under load it opens as many again, then queries wait for one "
            f"(up to {POOL_TIMEOUT_SECONDS} s, then the request answers 503). Keep "
            "twice this, times the servers and commands sharing the database, under "
            "PostgreSQL's max_connections (100 by default). Unused with SQLite."
        ),
    )

    max_concurrent_runs = Integer(
        min=1,
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

    catch_up_window = Float(
        3600.0,
        config=True,
        help=(
            "Seconds back a schedule with catch_up 'latest' looks, at start-up, for a fire "
            "missed while no server ran: the latest such fire gets its run. A schedule "
            "may set its own window."
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

    report_template = Unicode(
        "lab",
        config=True,
        help=(
            "nbconvert HTML template of workflow steps' reports ('lab', 'classic', 'basic', "
            "or an installed one); a step may name its own."
        ),
    )

    report_paper = Enum(
        ["A4", "Letter"], default_value="A4", config=True, help="Page size of PDF reports."
    )

    chromium_path = Unicode(
        "chromium",
        config=True,
        help=(
            "The Chromium that prints PDF reports (Debian's 'chromium' package): a command "
            "name looked up on PATH, or an absolute path. No browser is ever downloaded."
        ),
    )

    mathjax_path = Unicode(
        "/usr/share/javascript/mathjax",
        config=True,
        help=(
            "Folder of a local MathJax 2.7 (Debian's 'libjs-mathjax') that reports typeset "
            "math with; the server serves it, and reports never load it from a CDN."
        ),
    )

    flowapi_url = Unicode(
        "",
        config=True,
        help=(
            "FlowAPI's URL: data-trigger schedules ask it for available dates, and workflow "
            "steps read it with {from: flowapi_url}."
        ),
    )

    flowapi_token_env = Unicode(
        "FLOWAPI_TOKEN",
        config=True,
        help=(
            "Name of the server's environment variable holding the FlowAPI token (a JWT from "
            "FlowAuth). Data triggers read it at each check; run kernels get it as "
            "FLOWAPI_TOKEN, a secret redacted from their outputs. It is never stored."
        ),
    )

    flowapi_timeout = Float(
        30.0,
        config=True,
        help="Seconds a data trigger waits for each FlowAPI call before recording a timeout.",
    )

    data_max_attempts = Integer(
        3,
        config=True,
        help=(
            "Runs of a reference date before a data trigger gives it up, for schedules that "
            "set no max_attempts of their own."
        ),
    )

    executor_class = Type(
        default_value=LocalExecutor,
        klass=Executor,
        config=True,
        help=(
            "The executor that runs notebooks; configure it through its own class name. "
            "autoflow_lab.execution.DaskExecutor runs them on a Dask cluster."
        ),
    )

    dask_scheduler_address = Unicode(
        "",
        config=True,
        help=(
            "The Dask scheduler the DaskExecutor sends runs to (tcp://host:8786). Its workers "
            "must see the server's folder at the same path. Empty: a LocalCluster on this "
            "machine (DaskExecutor.local_workers), for trying the executor out."
        ),
    )

    @default("max_concurrent_runs")
    def _default_max_concurrent_runs(self) -> int:
        return os.cpu_count() or 1

    @validate(
        "keep_runs_per_notebook",
        "keep_runs_days",
        "run_timeout",
        "cell_timeout",
        "owner_timeout",
        "heartbeat_interval",
        "catch_up_window",
    )
    def _check_positive(self, proposal: dict[str, Any]) -> Any:
        value = proposal["value"]
        name = proposal["trait"].name
        if value is not None and value <= 0:
            raise ValueError(f"{name} must be positive, or None for no limit")
        longest = LONGEST.get(name)
        if value is not None and longest is not None and value > longest:
            raise ValueError(f"{name} must be at most {longest:g}, got {value:g}")
        return value


class CommandSettings(AutoflowSettings, LoggingConfigurable):
    """The settings outside a server: read from the ``AutoflowApp`` section all the same."""

    @classmethod
    def section_names(cls) -> list[str]:
        return ["AutoflowApp"]


def config_paths() -> list[str]:
    """Jupyter's configuration folders, highest priority first (``jupyter --paths``)."""
    paths = jupyter_config_path()
    if jupyter_config_dir() not in paths:
        paths.insert(0, jupyter_config_dir())
    return paths


def load_server_config(paths: list[str] | None = None) -> Config:
    """The configuration a Jupyter server started here would read from its files.

    A file that cannot be read is refused with its name, where the server would
    log the error and go on without it: a command should not quietly run with
    other settings than the ones written down.
    """
    config = Config()
    for name in CONFIG_FILES:
        for folder in reversed(paths if paths is not None else config_paths()):
            for loader in (
                PyFileConfigLoader(f"{name}.py", path=folder),
                JSONFileConfigLoader(f"{name}.json", path=folder),
            ):
                try:
                    config.merge(loader.load_config())
                except ConfigFileNotFound:
                    continue
                except Exception as error:
                    where = loader.full_filename or os.path.join(folder, loader.filename)
                    raise InvalidInput(
                        f"Cannot read the configuration file {where}: {error}"
                    ) from error
    return config


# Jupyter's file contents managers, most specific first: the first section that sets
# allow_hidden wins, as the class that a server uses reads its own section first.
CONTENTS_MANAGERS = (
    "AsyncLargeFileManager",
    "LargeFileManager",
    "AsyncFileContentsManager",
    "FileContentsManager",
    "AsyncContentsManager",
    "ContentsManager",
)


def configured_allow_hidden(config: Config) -> bool:
    """``ContentsManager.allow_hidden`` as ``config`` (a server's files) sets it.

    For the command line, which has no server to ask: it then refuses what the
    server would.
    """
    for section in CONTENTS_MANAGERS:
        if section in config and "allow_hidden" in config[section]:
            return bool(config[section]["allow_hidden"])
    return False


def command_settings(config: Config, overrides: dict[str, Any]) -> CommandSettings:
    """The settings of ``config``, with the command line's ``overrides`` on top."""
    merged = Config(config)
    merged.merge(Config({"AutoflowApp": overrides}))
    try:
        return CommandSettings(config=merged)
    except Exception as error:  # traitlets' TraitError: a value of the wrong type or range
        raise InvalidInput(f"Invalid AutoflowApp setting: {error}") from error


def database_url(settings: AutoflowSettings, workspace: Workspace) -> str:
    return settings.database_url or default_database_url(workspace.outputs)


def new_database_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet: opening it starts a history."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path.resolve()


def passed_environment(names: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The environment variables ``names`` picks, and the names that are not set."""
    names = list(dict.fromkeys(names))
    missing = [name for name in names if name not in os.environ]
    return {name: os.environ[name] for name in names if name in os.environ}, missing


def kernel_flowapi_token(settings: AutoflowSettings) -> dict[str, str]:
    """``FLOWAPI_TOKEN`` for run kernels, from the variable ``flowapi_token_env`` names."""
    token = os.environ.get(settings.flowapi_token_env)
    return {"FLOWAPI_TOKEN": token} if token else {}


def build_schedule_service(
    settings: AutoflowSettings, runs: RunService, workflows: WorkflowService
) -> ScheduleService:
    """Schedules in the run service's database; they fire through it.

    Servers sharing the database re-read changed schedules at each heartbeat interval.
    """
    store = ScheduleStore(runs.engine)
    targets = ScheduleTargets(runs, workflows)
    flowapi = FlowapiSettings(
        url=settings.flowapi_url.rstrip("/"),
        token_variable=settings.flowapi_token_env,
        timeout=settings.flowapi_timeout,
    )
    data = DataTrigger(
        store,
        ScheduleDateStore(runs.engine),
        targets,
        runs,
        flowapi,
        max_attempts=settings.data_max_attempts,
    )
    return ScheduleService(
        store,
        runs,
        targets,
        data,
        catch_up_window=settings.catch_up_window,
        sync_interval=settings.heartbeat_interval,
    )


def report_settings(settings: AutoflowSettings, mathjax_url: str = "") -> ReportSettings:
    return ReportSettings(
        template=settings.report_template,
        paper="Letter" if settings.report_paper == "Letter" else "A4",
        chromium_path=settings.chromium_path,
        mathjax_path=settings.mathjax_path,
        mathjax_url=mathjax_url,
    )


def build_workflow_service(
    settings: AutoflowSettings, runs: RunService, workspace: Workspace, mathjax_url: str = ""
) -> WorkflowService:
    """Workflow runs in the run service's database; their steps are its runs."""
    return WorkflowService(
        WorkflowRunStore(runs.engine),
        runs,
        workspace,
        report_settings(settings, mathjax_url),
        flowapi_url=settings.flowapi_url,
        heartbeat_interval=settings.heartbeat_interval,
    )


def build_run_service(
    settings: AutoflowSettings,
    workspace: Workspace,
    kernel_names: Callable[[], Iterable[str]],
    kernel_environment: dict[str, str],
    instance_kind: InstanceKind = InstanceKind.SERVER,
) -> RunService:
    """The run store, executor and service the settings describe, over ``workspace``.

    Settings that cannot work together are refused before the database is touched.
    """
    if settings.owner_timeout <= settings.heartbeat_interval:
        raise InvalidInput(
            f"AutoflowApp.owner_timeout ({settings.owner_timeout:g} s) must be longer than "
            f"AutoflowApp.heartbeat_interval ({settings.heartbeat_interval:g} s), or every "
            "instance would be taken for gone between two heartbeats."
        )
    store = RunStore(
        open_database(database_url(settings, workspace), pool_size=settings.database_pool_size)
    )
    max_age = None if settings.keep_runs_days is None else timedelta(days=settings.keep_runs_days)
    executor = settings.executor_class(max_workers=settings.max_concurrent_runs, parent=settings)
    return RunService(
        store=store,
        executor=executor,
        workspace=workspace,
        kernel_names=kernel_names,
        max_concurrent_runs=settings.max_concurrent_runs,
        run_timeout=settings.run_timeout,
        cell_timeout=settings.cell_timeout,
        retention=Retention(keep_latest=settings.keep_runs_per_notebook, max_age=max_age),
        kernel_environment=kernel_environment,
        instance_kind=instance_kind,
        owner_timeout=settings.owner_timeout,
        heartbeat_interval=settings.heartbeat_interval,
    )
