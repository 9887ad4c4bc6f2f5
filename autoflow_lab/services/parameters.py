"""A notebook's declared parameters, and checking submitted values against them.

The ``parameters`` cell is read by papermill's own inspection (nothing runs).
A parameter's type is its annotation (``n: int = 1``) or ``# type:`` comment, or
else the type of its default value. Values are coerced to that type, strings
included (as they arrive from a command line), or refused with a message.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
from datetime import date
from typing import Any

from ..errors import InvalidInput
from ..models import NotebookParameters, ParameterInfo, ParameterType
from .workspace import Notebook

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}


def declared_parameters(notebook: Notebook) -> NotebookParameters:
    if not notebook.has_parameters_cell:
        return NotebookParameters(notebook=notebook.path, has_parameters_cell=False, parameters=[])
    # Imported on first use: papermill pulls in numpy and pyarrow, which an idle
    # server has no use for.
    from papermill import inspect_notebook

    try:
        found = inspect_notebook(notebook.absolute)
    except ValueError as error:  # no kernel or language recorded in the notebook
        raise InvalidInput(f"Cannot read the parameters of {notebook.path!r}: {error}") from error
    return NotebookParameters(
        notebook=notebook.path,
        has_parameters_cell=notebook.has_parameters_cell,
        parameters=[
            ParameterInfo(
                name=info["name"],
                type=_declared_type(info["inferred_type_name"], info["default"]),
                default=info["default"],
                help=info["help"] or "",
            )
            for info in found.values()
        ],
    )


def validate_parameters(values: dict[str, Any], declared: NotebookParameters) -> dict[str, Any]:
    """Values coerced to their declared types; every problem reported at once."""
    if values and not declared.has_parameters_cell:
        raise InvalidInput(
            f"{declared.notebook!r} has no cell tagged 'parameters', so it takes no parameters. "
            "Tag the cell that assigns them with 'parameters' to declare them."
        )
    by_name = {parameter.name: parameter for parameter in declared.parameters}
    problems = []
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        problems.append(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"({declared.notebook!r} declares {', '.join(by_name) or 'none'})"
        )
    coerced = {}
    for name, value in values.items():
        if name not in by_name:
            continue
        try:
            coerced[name] = _coerce(value, by_name[name])
        except ValueError as error:
            problems.append(f"parameter {name!r} {error}")
    if problems:
        raise InvalidInput("Invalid parameters: " + "; ".join(problems) + ".")
    return coerced


def _declared_type(annotation: str, default: str) -> ParameterType:
    named = annotation.split("[")[0].strip().lower()
    if named in ParameterType.__members__.values():
        return ParameterType(named)
    if annotation != "None":
        return ParameterType.ANY
    value = _literal(default)
    for kind in (bool, int, float, str, list, dict):  # bool before int: True is an int
        if isinstance(value, kind):
            return ParameterType(kind.__name__)
    return ParameterType.ANY


def _coerce(value: Any, parameter: ParameterInfo) -> Any:
    kind = parameter.type
    if kind is ParameterType.ANY:
        return value
    if kind is ParameterType.STR:
        if not isinstance(value, str):
            raise ValueError(f"expects a string, got {value!r}")
        if _is_iso_date(_literal(parameter.default)) and not _is_iso_date(value):
            raise ValueError(f"expects an ISO date (YYYY-MM-DD), got {value!r}")
        return value
    if kind is ParameterType.BOOL:
        word = str(value).strip().lower()
        if isinstance(value, bool) or word in TRUE_WORDS | FALSE_WORDS:
            return value if isinstance(value, bool) else word in TRUE_WORDS
        raise ValueError(f"expects true or false, got {value!r}")
    if kind is ParameterType.INT:
        return _number(value, int, "an integer")
    if kind is ParameterType.FLOAT:
        return _number(value, float, "a number")
    target = list if kind is ParameterType.LIST else dict
    if isinstance(value, str):
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    if not isinstance(value, target):
        raise ValueError(f"expects {'a list' if target is list else 'a dict'}, got {value!r}")
    return value


def _number(value: Any, target: type[int] | type[float], description: str) -> int | float:
    """``value`` as ``target`` where nothing is lost: 3.0 is an integer, 3.5 and True are not."""
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return target(value)
    elif isinstance(value, float):
        if target is float or value.is_integer():
            return target(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            return target(value.strip())
    raise ValueError(f"expects {description}, got {value!r}")


def _literal(source: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return None


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
