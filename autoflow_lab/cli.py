"""The ``autoflow`` command: run notebooks headless and list run history.

It drives the same run service, executor and store as the server extension, so
a run started here appears in JupyterLab's AutoFlow sidebar when the server's
root directory is the same folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import yaml
from jupyter_client.kernelspec import KernelSpecManager
from pydantic import ValidationError
from tqdm import tqdm

from . import __version__
from .errors import AutoflowError, describe
from .execution import LocalExecutor
from .models import Run, RunCreate, RunListQuery, RunStatus, TriggerKind
from .services import RunService, Workspace
from .store import RunStore, default_database_url, open_database

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
POLL_SECONDS = 0.2

EPILOG = """\
exit status of 'autoflow run':
  0    the run succeeded
  1    the run failed (the error summary is printed)
  2    the request was refused (bad path, parameter or option)
  130  the run was cancelled with Ctrl-C

Run 'autoflow run --help' or 'autoflow runs --help' for each command's options.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        return int(asyncio.run(options.command(options)))
    except AutoflowError as error:
        print(f"autoflow: {error.message}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoflow",
        description=(
            "Run parametrised notebooks headless with AutoFlow Lab, through the same "
            "engine and run history as JupyterLab."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    workspace = argparse.ArgumentParser(add_help=False)
    where = workspace.add_argument_group("where runs are kept (as in the server's settings)")
    where.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the Jupyter server's root directory (default: the current directory)",
    )
    where.add_argument(
        "--outputs-dir",
        default="autoflow-runs",
        help="folder inside the root for executed notebooks (default: %(default)s)",
    )
    where.add_argument(
        "--database-url",
        help="SQLAlchemy URL of the run history (default: .autoflow.sqlite in the outputs folder)",
    )

    run = commands.add_parser(
        "run",
        parents=[workspace],
        help="run a notebook and wait for it",
        description=(
            "Run NOTEBOOK with papermill in a fresh kernel, showing progress. Prints the "
            "executed notebook's path; exits non-zero with the error summary if it fails. "
            "Ctrl-C cancels the run."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("notebook", type=Path, help="the notebook, inside the root directory")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help=(
            "a parameter declared by the notebook's parameters cell; the value is "
            "converted to the declared type (repeat for several)"
        ),
    )
    run.add_argument(
        "-f",
        "--param-file",
        type=Path,
        help="YAML file of parameters; -p values override it",
    )
    run.add_argument("-k", "--kernel", help="kernel name (default: the notebook's own)")
    run.add_argument("--timeout", type=float, help="wall-clock limit of the run in seconds")
    run.add_argument("--cell-timeout", type=float, help="limit of each cell in seconds")
    run.add_argument(
        "--pass-env",
        action="append",
        default=[],
        metavar="NAME",
        help="environment variable to pass into the kernel as a secret (repeat for several)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
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
    return parser


def _open(options: argparse.Namespace, secrets: dict[str, str] | None = None) -> RunService:
    workspace = Workspace(
        options.root.resolve(),
        options.outputs_dir,
        allow_hidden=Workspace.configured_allow_hidden(),
    )
    url = options.database_url or default_database_url(workspace.outputs)
    return RunService(
        store=RunStore(open_database(url)),
        executor=LocalExecutor(max_workers=1),
        workspace=workspace,
        kernel_names=KernelSpecManager().find_kernel_specs,
        max_concurrent_runs=1,
        kernel_environment=secrets,
        instance_kind="cli",
    )


async def _run(options: argparse.Namespace) -> int:
    request = _request(options)
    missing = [name for name in options.pass_env if name not in os.environ]
    if missing:
        raise _Refused(f"--pass-env names unset variables: {', '.join(missing)}")
    service = _open(options, {name: os.environ[name] for name in options.pass_env})
    try:
        await service.start()
        run = await service.submit(request, trigger=TriggerKind.CLI)
        print(f"Run {run.id} of {run.notebook} queued", file=sys.stderr)
        run = await _follow(service, run, quiet=options.quiet)
    finally:
        await service.close()
    return _report(options.root.resolve(), run)


def _request(options: argparse.Namespace) -> RunCreate:
    parameters: dict[str, Any] = {}
    if options.param_file is not None:
        parameters.update(_read_param_file(options.param_file))
    parameters.update(dict(options.parameter))
    try:
        return RunCreate(
            notebook=_inside_root(options.notebook, options.root),
            parameters=parameters,
            kernel_name=options.kernel,
            timeout=options.timeout,
            cell_timeout=options.cell_timeout,
        )
    except ValidationError as error:
        raise _Refused(describe(error)) from error


def _read_param_file(path: Path) -> dict[str, Any]:
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise _Refused(f"cannot read parameter file {path}: {error}") from error
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise _Refused(f"parameter file {path} must hold a mapping of names to values")
    return values


def _inside_root(notebook: Path, root: Path) -> str:
    path = notebook if notebook.is_absolute() else Path.cwd() / notebook
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise _Refused(f"{notebook} is outside the root directory {root.resolve()}") from None


async def _follow(service: RunService, run: Run, quiet: bool) -> Run:
    """Wait for the run to finish, drawing its progress; the first Ctrl-C cancels it."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, interrupted.set)
    bar = tqdm(total=0, unit="cell", file=sys.stderr, disable=quiet, desc=f"run {run.id}")
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
    where = f" in cell {error.cell_index + 1}" if error and error.cell_index is not None else ""
    print(f"Run {run.id} {run.status.value}{where}: {summary}", file=sys.stderr)
    if output is not None and output.exists():
        print(f"Executed notebook: {output}", file=sys.stderr)
    if log is not None and log.exists():
        print(f"Log: {log}", file=sys.stderr)
    return EXIT_CANCELLED if run.status is RunStatus.CANCELLED else EXIT_FAILED


async def _list(options: argparse.Namespace) -> int:
    if options.limit < 1:
        raise _Refused("--limit must be at least 1")
    notebook = None if options.notebook is None else _inside_root(options.notebook, options.root)
    status = None if options.status is None else RunStatus(options.status)
    service = _open(options)
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
    rows = [("ID", "STATUS", "NOTEBOOK", "STARTED", "DURATION", "ERROR")]
    for run in runs:
        rows.append(
            (
                str(run.id),
                run.status.value,
                run.notebook,
                _local_time(run.started_at),
                _duration(run),
                "" if run.error is None else f"{run.error.ename}: {run.error.evalue}",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)


def _local_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(run: Run) -> str:
    if run.started_at is None or run.finished_at is None:
        return ""
    return f"{(run.finished_at - run.started_at).total_seconds():.1f} s"


class _Refused(AutoflowError):
    """A command-line request that cannot be carried out as given."""


if __name__ == "__main__":
    sys.exit(main())
