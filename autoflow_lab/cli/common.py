"""What the ``autoflow`` commands share: where runs are kept, opening the history,
reading notebook paths and parameters, refusals and tables."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import yaml
from jupyter_client.kernelspec import KernelSpecManager
from pydantic import ValidationError

from ..config import CommandSettings, build_run_service
from ..errors import AutoflowError
from ..models import NotebookParameters, ParameterType
from ..services import RunService, Workspace
from ..services.parameters import declared_parameters, validate_parameters
from ..store import InstanceKind

EXIT_SUCCEEDED = 0

EXIT_FAILED = 1

EXIT_USAGE = 2

EXIT_CANCELLED = 130

OPTIONS = {
    "notebook": ("NOTEBOOK", ""),
    "kernel_name": ("-k/--kernel", "KERNEL"),
    "timeout": ("--timeout", "SECONDS"),
    "cell_timeout": ("--cell-timeout", "SECONDS"),
    "parameters": ("-p/--parameter", "NAME VALUE"),
}


class ParameterAction(argparse.Action):
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


def workspace_of(options: argparse.Namespace, settings: CommandSettings) -> Workspace:
    try:
        workspace = Workspace(
            options.root.resolve(),
            settings.outputs_dir,
            allow_hidden=options.allow_hidden,
        )
    except ValueError as error:  # an outputs folder outside the root
        raise Refused(str(error), field="outputs_dir") from error
    return workspace


def open_runs(
    settings: CommandSettings, workspace: Workspace, secrets: dict[str, str] | None = None
) -> RunService:
    return build_run_service(
        settings,
        workspace,
        kernel_names=KernelSpecManager().find_kernel_specs,
        kernel_environment=secrets or {},
        instance_kind=InstanceKind.CLI,
    )


def declared_parameters_of(workspace: Workspace, notebook: str) -> NotebookParameters:
    return declared_parameters(workspace.open_notebook(notebook))


def papermill_value(text: str) -> Any:
    """``text`` as papermill's ``-p`` reads it, for a parameter whose type is not declared."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def refusal(error: ValidationError) -> AutoflowError:
    """A validation error of the request, in the options' names rather than the fields'."""
    parts, fields = [], []
    for problem in error.errors(include_url=False):
        field = str(problem["loc"][0]) if problem["loc"] else ""
        fields.append(field)
        where = ".".join([OPTIONS.get(field, (field,))[0], *map(str, problem["loc"][1:])])
        parts.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    return Refused("; ".join(parts), field=fields[0] if fields else None)


def read_param_file(path: Path) -> dict[str, Any]:
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise Refused(f"cannot read parameter file {path}: {error}") from error
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise Refused(f"parameter file {path} must hold a mapping of names to values")
    return values


def inside_root(notebook: Path, root: Path) -> str:
    path = notebook if notebook.is_absolute() else Path.cwd() / notebook
    try:
        resolved = path.resolve()
    except (RuntimeError, OSError) as error:  # a symbolic link loop, say
        raise Refused(f"{notebook} cannot be resolved: {error}") from None
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise Refused(f"{notebook} is outside the root directory {root.resolve()}") from None


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class Refused(AutoflowError):
    """A command-line request that cannot be carried out as given."""


def add_parameter_options(parser: argparse.ArgumentParser) -> None:
    """-p, -r and -f: parameters as ``autoflow run`` and ``autoflow schedule add`` take them."""
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action=ParameterAction,
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
    parser.add_argument(
        "-r",
        "--raw",
        nargs=2,
        action=ParameterAction,
        const=True,
        dest="parameters",
        metavar=("NAME", "VALUE"),
        help="like -p, but VALUE stays a string for a parameter of no declared type",
    )
    parser.add_argument(
        "-f",
        "--param-file",
        type=Path,
        metavar="FILE",
        help="YAML file of parameters; -p and -r values override it",
    )


def collect_parameters(options: argparse.Namespace, declared: NotebookParameters) -> dict[str, Any]:
    """The parameters of -f, -p and -r, later ones winning, checked against ``declared``."""
    parameters: dict[str, Any] = {}
    if options.param_file is not None:
        parameters.update(read_param_file(options.param_file))
    untyped = {info.name for info in declared.parameters if info.type is ParameterType.ANY}
    for name, value, raw in options.parameters:
        parameters[name] = papermill_value(value) if name in untyped and not raw else value
    return validate_parameters(parameters, declared)


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO) -> None:
    """Columns padded to their widest cell; the last one is left ragged."""
    table = [list(header), *map(list, rows)]
    widths = [max(len(row[column]) for row in table) for column in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)
