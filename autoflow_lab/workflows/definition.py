"""Reading a ``.autoflow.yaml`` definition: YAML with line numbers, the shipped JSON
Schema, references and the dependency graph.

Only what the text alone can tell is checked here; whether the notebooks exist and
declare the parameters a step gives is for the workflow service, which knows the
workspace. Every problem comes back at once, each with the line a person editing the
file would look at.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ..models import WorkflowIssue

SUFFIX = ".autoflow.yaml"
# Values a step may read besides workflow parameters and other steps: the date a
# trigger runs the workflow for, the date ranges its stencil gives, and the server's
# FlowAPI URL.
BUILTIN_SOURCES = ("reference_date", "date_ranges", "flowapi_url")
SOURCES_HINT = "parameters.<name>, steps.<key>, " + ", ".join(BUILTIN_SOURCES)
Path = tuple[str | int, ...]


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of a definition, as shipped in the package and served by the API."""
    text = files(__package__).joinpath("workflow.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Reference:
    """A step parameter's value taken from elsewhere: ``{from: <source>}``."""

    source: str

    @property
    def step(self) -> str | None:
        """The upstream step whose executed-notebook path this binds, if it is one."""
        prefix, _, name = self.source.partition(".")
        return name if prefix == "steps" else None

    @property
    def parameter(self) -> str | None:
        """The workflow parameter this reads, if it is one."""
        prefix, _, name = self.source.partition(".")
        return name if prefix == "parameters" else None


@dataclass(frozen=True)
class Retries:
    count: int = 0
    backoff: float = 0.0

    def delay(self, failed_attempts: int) -> float:
        """Seconds to wait after the ``failed_attempts``-th failure: doubling each time."""
        return self.backoff * 2 ** max(failed_attempts - 1, 0)


@dataclass(frozen=True)
class ReportSpec:
    formats: tuple[str, ...]
    template: str | None = None


@dataclass(frozen=True)
class StepDefinition:
    key: str
    notebook: str = field(metadata={"doc": "As written: relative to the workflow file."})
    parameters: Mapping[str, Any] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    timeout: float | None = None
    cell_timeout: float | None = None
    retries: Retries = Retries()
    kernel: str | None = None
    report: ReportSpec | None = None

    @property
    def depends_on(self) -> tuple[str, ...]:
        """Steps that must succeed first: those it reads, then those it waits for."""
        read = (value.step for value in self.parameters.values() if isinstance(value, Reference))
        return tuple(dict.fromkeys([*(key for key in read if key), *self.after]))


@dataclass(frozen=True)
class WorkflowParameter:
    name: str
    required: bool
    default: Any = None
    description: str = ""


@dataclass(frozen=True)
class WorkflowDefinition:
    """A valid definition; its steps in an order that respects their dependencies."""

    name: str
    parameters: tuple[WorkflowParameter, ...]
    steps: tuple[StepDefinition, ...]

    def step(self, key: str) -> StepDefinition:
        return next(step for step in self.steps if step.key == key)

    def downstream(self, keys: Iterable[str]) -> set[str]:
        """``keys`` and every step that depends on one of them, directly or not."""
        found = set(keys)
        for step in self.steps:  # dependencies come first in this order
            if found.intersection(step.depends_on):
                found.add(step.key)
        return found


@dataclass
class ParsedWorkflow:
    """What reading a definition gave: the definition when valid, and every problem."""

    document: Any
    definition: WorkflowDefinition | None
    issues: list[WorkflowIssue]
    data: Any = None  # the document as JSON data

    def issue(self, message: str, path: Path, step: str | None = None) -> WorkflowIssue:
        """An issue placed at ``path`` in the document (its nearest existing part)."""
        line, column = _position(self.document, path)
        return WorkflowIssue(
            message=message,
            line=line,
            column=column,
            field=".".join(map(str, path)) or None,
            step=step,
        )


def parse(text: str) -> ParsedWorkflow:
    """Read a definition's text; never raises for anything the text holds."""
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(part for part in (error.context, error.problem) if part)
        issue = WorkflowIssue(
            message=f"This is not valid YAML: {problem or error}.",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        return ParsedWorkflow(None, None, [issue])
    except YAMLError as error:
        return ParsedWorkflow(
            None, None, [WorkflowIssue(message=f"This is not valid YAML: {error}.")]
        )
    data = plain(document)
    parsed = ParsedWorkflow(document, None, [], data)
    unsupported = [
        parsed.issue(message, path, _step_key(data, path))
        for path, message in _unsupported(document)
    ]
    if unsupported:
        parsed.issues = unsupported
        return parsed
    if not isinstance(data, dict):
        what = "empty" if data is None else "not a mapping"
        message = f"The file is {what}: a workflow is a mapping with a 'name' and 'steps'."
        parsed.issues = [parsed.issue(message, ())]
        return parsed
    parsed.issues = _schema_issues(parsed, data)
    if parsed.issues:
        return parsed
    parsed.issues = _reference_issues(parsed, data)
    if parsed.issues:
        return parsed
    _, cycle = _ordered_steps(data)
    if cycle:
        first = next(i for i, step in enumerate(data["steps"]) if step["key"] == cycle[0])
        loop = " → ".join(cycle)
        message = f"These steps depend on each other in a cycle: {loop}. Remove one dependency."
        parsed.issues = [parsed.issue(message, ("steps", first, "key"), cycle[0])]
        return parsed
    parsed.definition = from_data(data)
    return parsed


def from_data(data: dict[str, Any]) -> WorkflowDefinition:
    """The definition of valid data (a parse's ``plain`` document, as stored)."""
    steps, cycle = _ordered_steps(data)
    if cycle:
        raise ValueError(f"steps depend on each other in a cycle: {cycle}")
    return WorkflowDefinition(
        name=data["name"],
        parameters=_workflow_parameters(data),
        steps=tuple(steps),
    )


def plain(node: Any) -> Any:
    """The YAML document as JSON data. Unquoted dates become ISO strings, as a notebook
    given one through papermill would receive it anyway."""
    if isinstance(node, Mapping):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [plain(value) for value in node]
    if isinstance(node, dt.date):  # datetime is a date too
        return node.isoformat()
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _unsupported(node: Any, path: Path = ()) -> Iterable[tuple[Path, str]]:
    """Values YAML can write but JSON cannot hold (NaN, infinities, binary, sets)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _unsupported(value, (*path, str(key)))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from _unsupported(value, (*path, index))
    elif isinstance(node, float) and not math.isfinite(node):
        yield path, f"{node!r} is not a number a workflow can hold; write a finite number."
    elif isinstance(node, bytes | AbstractSet):
        kind = "YAML binary data" if isinstance(node, bytes) else "A YAML set"
        yield path, f"{kind} cannot be a value here; write a list or a string."


def _schema_issues(parsed: ParsedWorkflow, data: Any) -> list[WorkflowIssue]:
    validator = jsonschema.Draft202012Validator(schema())
    issues: dict[tuple[Path, str], WorkflowIssue] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        for path, message in _describe(error, data):
            step = _step_key(data, path)
            issues.setdefault((path, message), parsed.issue(message, path, step))
    return sorted(issues.values(), key=lambda issue: (issue.line or 0, issue.column or 0))


def _describe(error: ValidationError, data: Any) -> Iterable[tuple[Path, str]]:
    """Schema errors in words a person writing the file understands."""
    path: Path = tuple(error.absolute_path)
    where = _field_words(path, data)
    kind = error.validator
    if kind in ("oneOf", "then"):  # a wrong source reads better than "not valid under..."
        for cause in error.context or ():
            if cause.validator == "pattern" and tuple(cause.absolute_path)[-1:] == ("from",):
                yield from _describe(cause, data)
                return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = sorted(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in known and not key.startswith("x-"):
                yield (
                    (*path, key),
                    f"Unknown key {key!r} in {where}; it takes {', '.join(known)} "
                    "(keys starting with 'x-' are kept and ignored).",
                )
        return
    if kind == "propertyNames":
        name = error.instance
        yield (path, f"{name!r} in {where} is not a valid parameter name: use a Python identifier.")
        return
    if path and path[-1] == "from" and kind == "pattern":
        yield path, f"Unknown source {error.instance!r}: a value can come from {SOURCES_HINT}."
        return
    if len(path) >= 4 and path[2] == "parameters" and kind in ("oneOf", "then"):
        yield (
            path,
            f"{where}: a value with 'from' or 'literal' must be {{from: <source>}} or "
            "{literal: <any value>} and nothing else.",
        )
        return
    if path and path[-1] == "report" and kind == "oneOf":
        yield (path, f"{where}: write html, pdf, or {{formats: [html, pdf], template: <name>}}.")
        return
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield path, f"{where[0].upper()}{where[1:]} needs {missing!r}."
        return
    if kind == "minItems" and path == ("steps",):
        yield path, "The workflow has no steps: add at least one notebook step."
        return
    yield path, f"{where[0].upper()}{where[1:]}: {error.message}."


def _field_words(path: Path, data: Any) -> str:
    """A document path in words: "parameter 'day' of step 'report'"."""
    if not path:
        return "the workflow"
    if path[0] == "steps" and len(path) >= 2:
        key = _step_key(data, path)
        step = f"step {key!r}" if key else f"step {int(path[1]) + 1}"
        rest = path[2:]
        if not rest:
            return step
        if rest[0] == "parameters" and len(rest) >= 2:
            return f"parameter {rest[1]!r} of {step}"
        return f"{'.'.join(map(str, rest))} of {step}"
    if path[0] == "parameters" and len(path) >= 2:
        return f"workflow parameter {path[1]!r}"
    return ".".join(map(str, path))


def _step_key(data: Any, path: Path) -> str | None:
    if len(path) >= 2 and path[0] == "steps" and isinstance(path[1], int):
        step = data["steps"][path[1]]
        key = step.get("key") if isinstance(step, dict) else None
        return key if isinstance(key, str) else None
    return None


def _reference_issues(parsed: ParsedWorkflow, data: Any) -> list[WorkflowIssue]:
    """Duplicate keys, and references to steps or parameters the definition lacks."""
    issues = []
    steps = data["steps"]
    keys = [step["key"] for step in steps]
    declared = sorted(data.get("parameters") or {})
    for index, key in enumerate(keys):
        if key in keys[:index]:
            message = f"Two steps are called {key!r}; each step needs its own key."
            issues.append(parsed.issue(message, ("steps", index, "key"), key))
    for index, step in enumerate(steps):
        key = step["key"]
        for name, value in (step.get("parameters") or {}).items():
            reference = _reference(value)
            if reference is None:
                continue
            path: Path = ("steps", index, "parameters", name, "from")
            if reference.step is not None and reference.step not in keys:
                message = (
                    f"{reference.source!r}: there is no step {reference.step!r} ({_listed(keys)})."
                )
                issues.append(parsed.issue(message, path, key))
            elif reference.step == key:
                message = f"{reference.source!r}: a step cannot read its own executed notebook."
                issues.append(parsed.issue(message, path, key))
            elif reference.parameter is not None and reference.parameter not in declared:
                message = (
                    f"{reference.source!r}: the workflow has no parameter {reference.parameter!r} "
                    f"({_listed(declared)}); declare it under 'parameters'."
                )
                issues.append(parsed.issue(message, path, key))
        for position, upstream in enumerate(step.get("after") or []):
            if upstream not in keys or upstream == key:
                why = "a step cannot wait for itself" if upstream == key else _listed(keys)
                message = f"'after' names step {upstream!r}, which cannot be waited for ({why})."
                issues.append(parsed.issue(message, ("steps", index, "after", position), key))
    return issues


def _listed(names: Sequence[str]) -> str:
    return f"there are {', '.join(map(repr, names))}" if names else "there are none"


def _reference(value: Any) -> Reference | None:
    if isinstance(value, dict) and set(value) == {"from"}:
        return Reference(value["from"])
    return None


def _value(value: Any) -> Any:
    """A step parameter's value: a reference, or the literal (unwrapped from {literal: x})."""
    reference = _reference(value)
    if reference is not None:
        return reference
    if isinstance(value, dict) and set(value) == {"literal"}:
        return value["literal"]
    return value


def _ordered_steps(data: Any) -> tuple[list[StepDefinition], list[str]]:
    """The steps in dependency order (file order among equals), or a cycle."""
    steps = {step.key: step for step in map(_step, data["steps"])}
    position = {key: index for index, key in enumerate(steps)}
    sorter = TopologicalSorter({key: step.depends_on for key, step in steps.items()})
    try:
        sorter.prepare()
    except CycleError as error:
        cycle: list[str] = list(error.args[1])
        return [], cycle
    ordered: list[StepDefinition] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        ordered.extend(steps[key] for key in ready)
        sorter.done(*ready)
    return ordered, []


def _step(data: dict[str, Any]) -> StepDefinition:
    report = data.get("report")
    if isinstance(report, str):
        report = {"formats": [report]}
    retries = data.get("retries") or {}
    return StepDefinition(
        key=data["key"],
        notebook=data["notebook"],
        parameters={name: _value(value) for name, value in (data.get("parameters") or {}).items()},
        after=tuple(data.get("after") or ()),
        timeout=data.get("timeout"),
        cell_timeout=data.get("cell_timeout"),
        retries=Retries(retries.get("count", 0), retries.get("backoff", 0.0)),
        kernel=data.get("kernel"),
        report=ReportSpec(tuple(report["formats"]), report.get("template")) if report else None,
    )


def _workflow_parameters(data: Any) -> tuple[WorkflowParameter, ...]:
    declared = data.get("parameters") or {}
    return tuple(
        WorkflowParameter(
            name=name,
            required="default" not in (spec or {}),
            default=(spec or {}).get("default"),
            description=(spec or {}).get("description", ""),
        )
        for name, spec in declared.items()
    )


def _position(document: Any, path: Path) -> tuple[int | None, int | None]:
    """1-based line and column of ``path`` in the YAML document: the value there, or
    the nearest enclosing part that exists."""
    if not isinstance(document, CommentedMap | CommentedSeq):
        return None, None
    node: Any = document
    line, column = node.lc.line, node.lc.col
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line, column = node.lc.value(part) if _is_scalar(node[part]) else node.lc.key(part)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, column = node.lc.item(part)
            node = node[part]
        else:
            break
    return line + 1, column + 1


def _is_scalar(node: Any) -> bool:
    return not isinstance(node, CommentedMap | CommentedSeq)
