"""Workflow definitions (``.autoflow.yaml`` files): their schema, reading and graph."""

from .definition import (
    BUILTIN_SOURCES,
    SUFFIX,
    ParsedWorkflow,
    Reference,
    ReportSpec,
    Retries,
    StepDefinition,
    WorkflowDefinition,
    WorkflowParameter,
    from_data,
    parse,
    schema,
)

__all__ = [
    "BUILTIN_SOURCES",
    "SUFFIX",
    "ParsedWorkflow",
    "Reference",
    "ReportSpec",
    "Retries",
    "StepDefinition",
    "WorkflowDefinition",
    "WorkflowParameter",
    "from_data",
    "parse",
    "schema",
]
