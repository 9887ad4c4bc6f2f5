"""``autoflow run`` and ``autoflow runs``: run a notebook headless, list run history."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError
from tqdm import tqdm

from ..config import (
    CommandSettings,
    database_url,
    kernel_flowapi_token,
    new_database_file,
    passed_environment,
)
from ..models import (
    NotebookParameters,
    Run,
    RunCreate,
    RunListQuery,
    RunStatus,
    RunTrigger,
    TriggerKind,
)
from ..services import RunService
from .common import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_SUCCEEDED,
    Refused,
    add_parameter_options,
    collect_parameters,
    declared_parameters_of,
    inside_root,
    local_time,
    open_runs,
    print_table,
    refusal,
    workspace_of,
)
from .workflows import is_workflow, run_workflow

POLL_SECONDS = 0.2

# The option that sets each field of a run request: refusals that name a field
# point at it, and validation messages speak of options, not of fields.


def add_commands(commands: Any, workspace: argparse.ArgumentParser, epilog: str) -> None:
    run = commands.add_parser(
        "run",
        parents=[workspace],
        help="run a notebook or a workflow and wait for it",
        description=(
            "Run NOTEBOOK with papermill in a fresh kernel, showing progress. Prints the "
            "executed notebook's path; exits non-zero with the error summary if it fails. "
            "Ctrl-C cancels the run. Given a workflow (a .autoflow.yaml file), run its steps "
            "in dependency order, printing each step's progress and then every executed "
            "notebook and report; -p sets the workflow's parameters (and reference_date)."
        ),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "notebook",
        type=Path,
        help="the notebook, or workflow (.autoflow.yaml), inside the root directory",
    )
    add_parameter_options(run)
    run.add_argument("-k", "--kernel", help="kernel name (default: the notebook's own)")
    run.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="wall-clock limit of the run in seconds (default: AutoflowApp.run_timeout)",
    )
    run.add_argument(
        "--cell-timeout",
        type=float,
        metavar="SECONDS",
        help="limit of each cell in seconds (default: AutoflowApp.cell_timeout)",
    )
    run.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "environment variable to pass into the kernel as a secret, besides "
            "AutoflowApp.kernel_env_vars (repeat for several)"
        ),
    )
    run.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (none is drawn off a terminal)"
    )
    run.set_defaults(command=_run)

    runs = commands.add_parser(
        "runs",
        parents=[workspace],
        help="list run history, newest first",
        description="List runs, newest first, from the run history JupyterLab shows.",
    )
    runs.add_argument("--status", choices=[status.value for status in RunStatus])
    runs.add_argument("--notebook", type=Path, help="only runs of this notebook")
    runs.add_argument("-n", "--limit", type=int, default=20, help="at most this many runs")
    runs.set_defaults(command=_list)


async def _run(options: argparse.Namespace, settings: CommandSettings) -> int:
    if is_workflow(options.notebook):
        return await run_workflow(options, settings, secrets(settings, options.pass_env))
    workspace = workspace_of(options, settings)
    notebook = inside_root(options.notebook, options.root)
    # Read before the history is opened, so a refused request creates nothing.
    declared = await asyncio.to_thread(declared_parameters_of, workspace, notebook)
    request = _request(options, notebook, declared)
    kernel_secrets = secrets(settings, options.pass_env)
    new_history = new_database_file(database_url(settings, workspace))
    service = open_runs(settings, workspace, kernel_secrets)
    if new_history is not None:
        _warn_of_new_history(new_history, workspace.root)
    try:
        await service.start()
        run = await service.submit(request, trigger=RunTrigger(kind=TriggerKind.CLI))
        print(f"Run {run.id} of {run.notebook} queued", file=sys.stderr)
        return await follow_and_report(service, run, options.root, quiet=options.quiet)
    finally:
        await service.close()


async def follow_and_report(service: RunService, run: Run, root: Path, quiet: bool) -> int:
    """Wait for ``run``, drawing its progress, then report it; the exit status."""
    run = await _follow(service, run, quiet=quiet)
    if run.status is not RunStatus.CANCELLED:
        await service.idle()  # its retention, before this process stops
    return _report(await asyncio.to_thread(root.resolve), run)


def _request(options: argparse.Namespace, notebook: str, declared: NotebookParameters) -> RunCreate:
    # the service checks the parameters again; this refuses before anything is opened
    parameters = collect_parameters(options, declared)
    try:
        return RunCreate(
            notebook=notebook,
            parameters=parameters,
            kernel_name=options.kernel,
            timeout=options.timeout,
            cell_timeout=options.cell_timeout,
        )
    except ValidationError as error:
        raise refusal(error) from error


def secrets(settings: CommandSettings, pass_env: list[str]) -> dict[str, str]:
    """The variables kernels get: the configured ``kernel_env_vars`` and ``--pass-env``."""
    _, missing = passed_environment(pass_env)
    if missing:
        raise Refused(f"--pass-env names unset variables: {', '.join(missing)}")
    environment, unset = passed_environment([*settings.kernel_env_vars, *pass_env])
    if unset:  # names only: values are secrets
        print(
            f"autoflow: warning: AutoflowApp.kernel_env_vars not set here: {', '.join(unset)}",
            file=sys.stderr,
        )
    return {**kernel_flowapi_token(settings), **environment}


def _warn_of_new_history(created: Path, root: Path) -> None:
    print(
        f"autoflow: warning: no run history in {root}; starting a new one in {created}. "
        "To add runs to a Jupyter server's history, run autoflow in the server's root "
        "directory or pass --root SERVER_ROOT.",
        file=sys.stderr,
    )


async def _follow(service: RunService, run: Run, quiet: bool) -> Run:
    """Wait for the run to finish, drawing its progress; the first Ctrl-C cancels it."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    # Off a terminal (a log file, CI) a bar would print a line per refresh: none then.
    drawn = not quiet and sys.stderr.isatty()
    bar = tqdm(total=0, unit="cell", file=sys.stderr, disable=not drawn, desc=f"run {run.id}")
    try:
        cancelling = False
        while not run.status.is_final:
            if interrupted.is_set() and not cancelling:
                cancelling = True
                loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C quits at once
                bar.write(f"Cancelling run {run.id}…", file=sys.stderr)
                run = await service.cancel(run.id)
                continue
            await asyncio.sleep(POLL_SECONDS)
            run = await service.get(run.id)
            _draw(bar, run)
    finally:
        bar.close()
        if not cancelling:
            loop.remove_signal_handler(signal.SIGINT)
    return run


def _draw(bar: Any, run: Run) -> None:
    progress = run.progress
    if progress is None:
        bar.set_postfix_str(run.status.value)
        return
    bar.total = progress.cells_total
    bar.n = progress.cells_done
    where = "" if progress.current_cell is None else f"cell {progress.current_cell + 1}"
    bar.set_postfix_str(where, refresh=False)
    bar.refresh()


def _report(root: Path, run: Run) -> int:
    output = root / run.output if run.output else None
    log = root / run.log if run.log else None
    if run.status is RunStatus.SUCCEEDED:
        print(f"Run {run.id} succeeded", file=sys.stderr)
        print(output)
        return EXIT_SUCCEEDED
    error = run.error
    summary = f"{error.ename}: {error.evalue}" if error else "no error recorded"
    where = f" in {error.where}" if error and error.where else ""
    print(f"Run {run.id} {run.status.value}{where}: {summary}", file=sys.stderr)
    if output is not None and output.exists():
        print(f"Executed notebook: {output}", file=sys.stderr)
    if log is not None and log.exists():
        print(f"Log: {log}", file=sys.stderr)
    return EXIT_CANCELLED if run.status is RunStatus.CANCELLED else EXIT_FAILED


async def _list(options: argparse.Namespace, settings: CommandSettings) -> int:
    if options.limit < 1:
        raise Refused("--limit must be at least 1")
    notebook = None if options.notebook is None else inside_root(options.notebook, options.root)
    status = None if options.status is None else RunStatus(options.status)
    workspace = workspace_of(options, settings)
    missing = new_database_file(database_url(settings, workspace))
    if missing is not None:  # listing creates no history
        print(
            f"autoflow: no run history in {workspace.root} (no {missing}); pass --root "
            "SERVER_ROOT to list a Jupyter server's runs.",
            file=sys.stderr,
        )
        _print_table([], sys.stdout)
        return EXIT_SUCCEEDED
    service = open_runs(settings, workspace)
    try:
        found: list[Run] = []
        cursor = None
        while len(found) < options.limit:
            query = RunListQuery(
                limit=min(options.limit - len(found), 500),
                cursor=cursor,
                status=status,
                notebook=notebook,
            )
            page = await service.page(query)
            found += page.runs
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    finally:
        await service.close()
    _print_table(found, sys.stdout)
    return EXIT_SUCCEEDED


def _print_table(runs: list[Run], out: TextIO) -> None:
    rows = [
        (
            str(run.id),
            run.status.value,
            run.notebook,
            local_time(run.started_at),
            _duration(run),
            "" if run.error is None else f"{run.error.ename}: {run.error.evalue}",
        )
        for run in runs
    ]
    print_table(("ID", "STATUS", "NOTEBOOK", "STARTED", "DURATION", "ERROR"), rows, out)


def _duration(run: Run) -> str:
    if run.started_at is None or run.finished_at is None:
        return ""
    return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
