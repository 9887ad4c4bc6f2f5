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
import math
from typing import Any

import nbformat

from ..dates import written_date
from ..errors import InvalidInput
from ..models import NotebookParameters, ParameterInfo, ParameterType
from .workspace import Notebook

FIELD = "parameters"  # the request field that errors here are about
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}


def declared_parameters(notebook: Notebook) -> NotebookParameters:
    """What the notebook's parameters cell declares, as papermill's translator reads it.

    Only Python's translator can read a cell; for other languages papermill can
    still inject values, so the answer says that inference is not available.
    """
    translator = _translator(notebook)
    inference_available = translator is not None and _can_inspect(translator)
    answer = NotebookParameters(
        notebook=notebook.path,
        has_parameters_cell=notebook.has_parameters_cell,
        language=notebook.language,
        inference_available=inference_available,
        injection_available=translator is not None,
        parameters=[],
    )
    if notebook.parameters_source is None or not inference_available:
        return answer
    assert translator is not None
    found = translator.inspect(nbformat.v4.new_code_cell(notebook.parameters_source))
    answer.parameters = [
        ParameterInfo(
            name=info.name,
            type=_declared_type(info.inferred_type_name, info.default),
            default=info.default,
            help=info.help or "",
        )
        for info in found
    ]
    return answer


def validate_parameters(values: dict[str, Any], declared: NotebookParameters) -> dict[str, Any]:
    """Values coerced to their declared types; every problem reported at once.

    Where the declarations cannot be read (not Python), values are taken as given.
    NaN and infinities are refused everywhere: JSON, and so the run history and
    the executed notebook's metadata, cannot hold them.
    """
    if values and not declared.has_parameters_cell:
        raise InvalidInput(
            f"{declared.notebook!r} has no cell tagged 'parameters', so it takes no parameters. "
            "Tag the cell that assigns them with 'parameters' to declare them.",
            field=FIELD,
        )
    if values and not declared.injection_available:
        raise InvalidInput(
            f"{declared.notebook!r} takes no parameters: papermill cannot pass parameters to "
            f"a notebook in {declared.language or 'an unknown language'}.",
            field=FIELD,
        )
    by_name = {parameter.name: parameter for parameter in declared.parameters}
    problems = []
    unknown = sorted(set(values) - set(by_name)) if declared.inference_available else []
    if unknown:
        problems.append(
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"({declared.notebook!r} declares {', '.join(by_name) or 'none'})"
        )
    coerced = {}
    faulty = []
    for name, value in values.items():
        if name in unknown:
            continue
        try:
            coerced[name] = _coerce(value, by_name[name]) if name in by_name else value
            _check_finite(coerced[name])
        except ValueError as error:
            problems.append(f"parameter {name!r} {error}")
            faulty.append(name)
    if problems:
        # One parameter at fault is named, so a form can point at its input.
        field = f"{FIELD}.{faulty[0]}" if len(problems) == 1 and faulty else FIELD
        raise InvalidInput("Invalid parameters: " + "; ".join(problems) + ".", field=field)
    return coerced


def _translator(notebook: Notebook) -> Any:
    """papermill's translator for the notebook's kernel or language, if it has one."""
    # Imported on first use: papermill pulls in numpy and pyarrow, which an idle
    # server has no use for.
    from papermill.exceptions import PapermillException
    from papermill.translators import papermill_translators

    try:
        return papermill_translators.find_translator(notebook.kernel_name, notebook.language)
    except PapermillException:
        return None


def _can_inspect(translator: Any) -> bool:
    from papermill.translators import Translator

    return bool(translator.inspect.__func__ is not Translator.inspect.__func__)


def _check_finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            f"holds {value!r}, which is not a finite number; NaN and infinity cannot be stored"
        )
    if isinstance(value, dict):
        for item in value.values():
            _check_finite(item)
    elif isinstance(value, list):
        for item in value:
            _check_finite(item)


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
    return written_date(value) is not None
