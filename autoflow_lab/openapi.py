"""The OpenAPI 3.1 document of the REST API, derived from the route table.

Each handler class in ``routes`` declares its operations (verb -> ``Operation``)
next to the methods that implement them, and its path arguments as a model; the
schemas come from the pydantic models in ``models``. Nothing here is written by
hand twice, so the document cannot drift from the handlers. The TypeScript wire
types (``src/wire.ts``) are generated from this document.

``python -m autoflow_lab.openapi [PATH]`` writes the document (to stdout by default).
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from . import __version__
from .models import ErrorBody

if TYPE_CHECKING:
    from pydantic_core import core_schema

API_PREFIX = "/autoflow/api"
JSON = "application/json"
TEXT = "text/plain"
REF_TEMPLATE = "#/components/schemas/{model}"
# (model, mode) -> the ``$ref`` to its schema
Refs = dict[tuple[type[Any], JsonSchemaMode], dict[str, Any]]

ERROR_DESCRIPTIONS = {
    400: "The request is malformed or names something that cannot be used.",
    403: "Not authorized, or the path lies outside the server root.",
    404: "No such run or notebook.",
    409: "The run's current state does not allow this.",
    503: "The run database cannot be reached right now; try again later.",
}
# Every operation may answer these: 403 when the user lacks the `autoflow` permission.
COMMON_ERRORS = (403,)


@dataclass(frozen=True)
class Operation:
    """One verb of one route, as the document describes it.

    ``response`` is a model, ``str`` (a text body), ``dict`` (any JSON object) or
    None (no body). ``errors`` lists the 4xx/5xx statuses the verb can answer
    besides ``COMMON_ERRORS``; each carries an ``ErrorBody``.
    """

    operation_id: str
    summary: str
    response: type[BaseModel] | type[str] | type[dict[str, Any]] | None
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()


def document(
    routes: Iterable[tuple[str, type[Any]]], server_url: str = API_PREFIX
) -> dict[str, Any]:
    """The OpenAPI document of ``routes`` (pattern, handler class), served at ``server_url``.

    Patterns without operations (such as the catch-all for unknown routes) are left out.
    """
    routes = [(pattern, handler) for pattern, handler in routes if handler.operations]
    schemas, refs = _schemas(routes)
    paths: dict[str, Any] = {}
    for pattern, handler in routes:
        path, parameters = _path(pattern, handler, schemas)
        paths[path] = {
            verb: _operation(operation, parameters, schemas, refs)
            for verb, operation in handler.operations.items()
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AutoFlow Lab",
            "version": __version__,
            "description": (
                "REST API of the AutoFlow Lab server extension. Every request needs a "
                "Jupyter token (header `Authorization: token ...`) and the `autoflow` "
                "permission. Errors answer an `ErrorBody`."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`token <the Jupyter server's token>`",
                }
            },
        },
    }


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON Schema, with every field required in responses.

    The server writes every field of a response model, defaults included, so
    clients may rely on each being present. Field titles are left out: they only
    repeat the field names.
    """

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization":
            return not field.get("serialization_exclude")
        return super().field_is_required(field, total)

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _schemas(
    routes: Sequence[tuple[str, Any]],
) -> tuple[dict[str, Any], Refs]:
    inputs: set[type[BaseModel]] = set()
    outputs: set[type[BaseModel]] = {ErrorBody}
    for _, handler in routes:
        if handler.path_model is not None:
            inputs.add(handler.path_model)
        for operation in handler.operations.values():
            inputs.update(model for model in (operation.query, operation.body) if model)
            if isinstance(operation.response, type) and issubclass(operation.response, BaseModel):
                outputs.add(operation.response)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in sorted(inputs, key=lambda m: m.__name__)),
        *((model, "serialization") for model in sorted(outputs, key=lambda m: m.__name__)),
    ]
    refs, definitions = models_json_schema(
        models, ref_template=REF_TEMPLATE, schema_generator=_Generator
    )
    schemas = dict(sorted(definitions.get("$defs", {}).items()))
    return schemas, dict(refs)


def _path(pattern: str, handler: Any, schemas: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of a Tornado pattern, and its path parameters.

    Groups of the pattern are named by the handler method's arguments, which must
    be the fields of ``handler.path_model`` in order.
    """
    groups = re.findall(r"\([^)]*\)", pattern)
    names = _method_arguments(handler)
    model = handler.path_model
    fields = list(model.model_fields) if model else []
    if not len(groups) == len(names) == len(fields) or names != fields:
        raise ValueError(
            f"{handler.__name__}: pattern {pattern!r} has {len(groups)} groups, its methods "
            f"take {names}, its path_model has {fields}"
        )
    path = pattern
    for group, name in zip(groups, names, strict=True):
        path = path.replace(group, "{" + name + "}", 1)
    path = path.replace("\\", "")
    if not path.startswith(API_PREFIX):
        raise ValueError(f"{pattern!r} is not under {API_PREFIX}")
    properties = _properties(model, schemas) if model else {}
    parameters = [
        {"name": name, "in": "path", "required": True, **_parameter(properties[name])}
        for name in names
    ]
    return path[len(API_PREFIX) :], parameters


def _method_arguments(handler: Any) -> list[str]:
    """The positional arguments (after self) that the handler's verbs take; all must agree."""
    signatures = {
        tuple(list(inspect.signature(getattr(handler, verb)).parameters)[1:])
        for verb in handler.operations
    }
    if len(signatures) != 1:
        raise ValueError(f"{handler.__name__}: its verbs take different path arguments")
    return list(signatures.pop())


def _operation(
    operation: Operation,
    path_parameters: list[dict[str, Any]],
    schemas: dict[str, Any],
    refs: Refs,
) -> dict[str, Any]:
    parameters = list(path_parameters)
    if operation.query is not None:
        required = _required(operation.query, schemas)
        parameters += [
            {"name": name, "in": "query", "required": name in required, **_parameter(schema)}
            for name, schema in _properties(operation.query, schemas).items()
        ]
    result: dict[str, Any] = {"operationId": operation.operation_id, "summary": operation.summary}
    if parameters:
        result["parameters"] = parameters
    if operation.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": refs[(operation.body, "validation")]}},
        }
    responses: dict[str, Any] = {str(operation.status): _response(operation, refs)}
    error = {"content": {JSON: {"schema": refs[(ErrorBody, "serialization")]}}}
    for status in sorted({*operation.errors, *COMMON_ERRORS}):
        responses[str(status)] = {"description": ERROR_DESCRIPTIONS[status], **error}
    result["responses"] = responses
    return result


def _response(operation: Operation, refs: Refs) -> dict[str, Any]:
    response = operation.response
    description = operation.summary
    if response is None:
        return {"description": description}
    if response is str:
        return {"description": description, "content": {TEXT: {"schema": {"type": "string"}}}}
    if response is dict:
        return {
            "description": description,
            "content": {JSON: {"schema": {"type": "object", "additionalProperties": True}}},
        }
    assert issubclass(response, BaseModel)
    return {
        "description": description,
        "content": {JSON: {"schema": refs[(response, "serialization")]}},
    }


def _properties(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    return dict(schemas[model.__name__]["properties"])


def _required(model: type[BaseModel], schemas: dict[str, Any]) -> set[str]:
    return set(schemas[model.__name__].get("required", []))


def _parameter(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter from a field's schema: absent stands for null, so null is dropped."""
    schema = dict(schema)
    description = schema.pop("description", None)
    options = schema.get("anyOf")
    if options is not None:
        non_null = [option for option in options if option != {"type": "null"}]
        if len(non_null) == 1:
            del schema["anyOf"]
            schema = {**non_null[0], **schema}
    if schema.get("default", ...) is None:
        del schema["default"]
    parameter: dict[str, Any] = {"schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def dumps(value: dict[str, Any]) -> str:
    """The document as committed: indented, keys in declaration order, final newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", nargs="?", type=Path, help="where to write it (default: stdout)")
    arguments = parser.parse_args(argv)
    from .routes import ROUTES  # routes imports this module for Operation

    text = dumps(document(ROUTES))
    if arguments.path is None:
        sys.stdout.write(text)
    else:
        arguments.path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
