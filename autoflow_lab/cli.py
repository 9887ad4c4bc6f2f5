"""The ``autoflow`` command: run notebooks headless and list run history.

It drives the same run service, executor and store as the server extension,
built by the same factory from the same configuration files (the
``AutoflowApp`` section of ``jupyter_server_config.py`` and its siblings), so a
run started here behaves as one started in JupyterLab and appears in its
AutoFlow sidebar when the server's root directory is the same folder.
"""

from __future__ import annotations

import argparse
import asyncio
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
from .config import (
    CommandSettings,
    build_run_service,
    command_settings,
    configured_allow_hidden,
    database_url,
    load_server_config,
    new_database_file,
    passed_environment,
)
from .errors import AutoflowError
from .models import (
    NotebookParameters,
    ParameterType,
    Run,
    RunCreate,
    RunListQuery,
    RunStatus,
    RunTrigger,
    TriggerKind,
)
from .services import RunService, Workspace
from .services.parameters import declared_parameters, validate_parameters
from .store import InstanceKind

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130
POLL_SECONDS = 0.2

# The option that sets each field of a run request: refusals that name a field
# point at it, and validation messages speak of options, not of fields.
OPTIONS = {
    "notebook": ("NOTEBOOK", ""),
    "kernel_name": ("-k/--kernel", "KERNEL"),
    "timeout": ("--timeout", "SECONDS"),
    "cell_timeout": ("--cell-timeout", "SECONDS"),
    "parameters": ("-p/--parameter", "NAME VALUE"),
}

EPILOG = """\
exit status of 'autoflow run':
  0    the run succeeded
  1    the run failed (the error summary is printed)
  2    the request was refused (bad path, parameter, option or configuration)
  130  the run was cancelled with Ctrl-C

Settings (outputs_dir, database_url, timeouts, retention, kernel_env_vars, ...)
come from the AutoflowApp section of the Jupyter server's configuration files
(jupyter_server_config.py or .json in the folders 'jupyter --paths' lists);
options given here override them.

Run 'autoflow run --help' or 'autoflow runs --help' for each command's options.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        config = load_server_config()
        settings = command_settings(config, _overrides(options))
        options.allow_hidden = configured_allow_hidden(config)
        return int(asyncio.run(options.command(options, settings)))
    except AutoflowError as error:
        print(f"autoflow: {error.message}", file=sys.stderr)
        option = OPTIONS.get((error.field or "").split(".")[0])
        if option and option[1]:
            print(f"autoflow: use {' '.join(option)}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoflow",
        description=(
            "Run parametrised notebooks headless with AutoFlow Lab, through the same "
            "engine, settings and run history as JupyterLab."
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
        metavar="DIR",
        default=Path.cwd(),
        help="the Jupyter server's root directory (default: the current directory)",
    )
    where.add_argument(
        "--outputs-dir",
        metavar="DIR",
        help="folder inside the root for executed notebooks (default: AutoflowApp.outputs_dir, "
        "autoflow-runs unless configured)",
    )
    where.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the run history (default: AutoflowApp.database_url, "
        ".autoflow.sqlite in the outputs folder unless configured)",
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
        action=_Parameter,
        dest="parameters",
        default=[],
        metavar=("NAME", "VALUE"),
        help=(
            "a parameter declared by the notebook's parameters cell (repeat for several). "
            "VALUE is converted to the declared type; for a parameter of no declared type "
            "(its default is None) it is read as papermill reads -p: 3 an integer, 2.5 a "
            "number, True, False, None, anything else a string"
        ),
    )
    run.add_argument(
        "-r",
        "--raw",
        nargs=2,
        action=_Parameter,
        const=True,
        dest="parameters",
        metavar=("NAME", "VALUE"),
        help="like -p, but VALUE stays a string for a parameter of no declared type",
    )
    run.add_argument(
        "-f",
        "--param-file",
        type=Path,
        metavar="FILE",
        help="YAML file of parameters; -p and -r values override it",
    )
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
    return parser


class _Parameter(argparse.Action):
    """Collects ``-p``/``-r`` as (name, value, raw) in command-line order: later ones win."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name, value = values
        given = list(getattr(namespace, self.dest, None) or [])  # never the shared default
        given.append((name, value, bool(self.const)))
        setattr(namespace, self.dest, given)


def _overrides(options: argparse.Namespace) -> dict[str, Any]:
    """The settings this command line gives, which win over the configuration files."""
    overrides = {"outputs_dir": options.outputs_dir, "database_url": options.database_url}
    return {name: value for name, value in overrides.items() if value is not None}


def _workspace(options: argparse.Namespace, settings: CommandSettings) -> Workspace:
    try:
        workspace = Workspace(
            options.root.resolve(),
            settings.outputs_dir,
            allow_hidden=options.allow_hidden,
        )
    except ValueError as error:  # an outputs folder outside the root
        raise _Refused(str(error), field="outputs_dir") from error
    return workspace


def _open(
    settings: CommandSettings, workspace: Workspace, secrets: dict[str, str] | None = None
) -> RunService:
    return build_run_service(
        settings,
        workspace,
        kernel_names=KernelSpecManager().find_kernel_specs,
        kernel_environment=secrets or {},
        instance_kind=InstanceKind.CLI,
    )


async def _run(options: argparse.Namespace, settings: CommandSettings) -> int:
    workspace = _workspace(options, settings)
    notebook = _inside_root(options.notebook, options.root)
    # Read before the history is opened, so a refused request creates nothing.
    declared = await asyncio.to_thread(_declared_parameters, workspace, notebook)
    request = _request(options, notebook, declared)
    secrets = _secrets(settings, options.pass_env)
    new_history = new_database_file(database_url(settings, workspace))
    service = _open(settings, workspace, secrets)
    if new_history is not None:
        _warn_of_new_history(new_history, workspace.root)
    try:
        await service.start()
        run = await service.submit(request, trigger=RunTrigger(kind=TriggerKind.CLI))
        print(f"Run {run.id} of {run.notebook} queued", file=sys.stderr)
        run = await _follow(service, run, quiet=options.quiet)
    finally:
        await service.close()
    return _report(options.root.resolve(), run)


def _declared_parameters(workspace: Workspace, notebook: str) -> NotebookParameters:
    return declared_parameters(workspace.open_notebook(notebook))


def _request(options: argparse.Namespace, notebook: str, declared: NotebookParameters) -> RunCreate:
    parameters: dict[str, Any] = {}
    if options.param_file is not None:
        parameters.update(_read_param_file(options.param_file))
    untyped = {info.name for info in declared.parameters if info.type is ParameterType.ANY}
    for name, value, raw in options.parameters:
        parameters[name] = _papermill_value(value) if name in untyped and not raw else value
    validate_parameters(parameters, declared)  # the service checks again; this refuses early
    try:
        return RunCreate(
            notebook=notebook,
            parameters=parameters,
            kernel_name=options.kernel,
            timeout=options.timeout,
            cell_timeout=options.cell_timeout,
        )
    except ValidationError as error:
        raise _refusal(error) from error


def _papermill_value(text: str) -> Any:
    """``text`` as papermill's ``-p`` reads it, for a parameter whose type is not declared."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _refusal(error: ValidationError) -> AutoflowError:
    """A validation error of the request, in the options' names rather than the fields'."""
    parts, fields = [], []
    for problem in error.errors(include_url=False):
        field = str(problem["loc"][0]) if problem["loc"] else ""
        fields.append(field)
        where = ".".join([OPTIONS.get(field, (field,))[0], *map(str, problem["loc"][1:])])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return _Refused("; ".join(parts), field=fields[0] if fields else None)


def _secrets(settings: CommandSettings, pass_env: list[str]) -> dict[str, str]:
    """The variables kernels get: the configured ``kernel_env_vars`` and ``--pass-env``."""
    _, missing = passed_environment(pass_env)
    if missing:
        raise _Refused(f"--pass-env names unset variables: {', '.join(missing)}")
    environment, unset = passed_environment([*settings.kernel_env_vars, *pass_env])
    if unset:  # names only: values are secrets
        print(
            f"autoflow: warning: AutoflowApp.kernel_env_vars not set here: {', '.join(unset)}",
            file=sys.stderr,
        )
    return environment


def _warn_of_new_history(created: Path, root: Path) -> None:
    print(
        f"autoflow: warning: no run history in {root}; starting a new one in {created}. "
        "To add runs to a Jupyter server's history, run autoflow in the server's root "
        "directory or pass --root SERVER_ROOT.",
        file=sys.stderr,
    )


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
        resolved = path.resolve()
    except (RuntimeError, OSError) as error:  # a symbolic link loop, say
        raise _Refused(f"{notebook} cannot be resolved: {error}") from None
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise _Refused(f"{notebook} is outside the root directory {root.resolve()}") from None


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
        raise _Refused("--limit must be at least 1")
    notebook = None if options.notebook is None else _inside_root(options.notebook, options.root)
    status = None if options.status is None else RunStatus(options.status)
    workspace = _workspace(options, settings)
    missing = new_database_file(database_url(settings, workspace))
    if missing is not None:  # listing creates no history
        print(
            f"autoflow: no run history in {workspace.root} (no {missing}); pass --root "
            "SERVER_ROOT to list a Jupyter server's runs.",
            file=sys.stderr,
        )
        _print_table([], sys.stdout)
        return EXIT_SUCCEEDED
    service = _open(settings, workspace)
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
