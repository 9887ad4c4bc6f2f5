"""Declared parameters and validation of submitted values, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autoflow_lab.errors import InvalidInput
from autoflow_lab.models import NotebookParameters
from autoflow_lab.services.parameters import declared_parameters, validate_parameters
from autoflow_lab.services.workspace import Workspace

from .notebooks import write_notebook

PARAMETERS_CELL = """\
region = "north"  # region to summarise
reference_date = "2016-01-03"  # ISO date
min_calls = 50
ratio = 0.5
verbose = False
cells = ["C001"]  # cell ids
limits = {"max": 10}
label: str = None  # annotated, no usable default
anything = None
"""


@pytest.fixture
def declared(tmp_path: Path) -> NotebookParameters:
    write_notebook(tmp_path / "summary.ipynb", "print(region)", parameters=PARAMETERS_CELL)
    return declared_parameters(Workspace(tmp_path, "out").open_notebook("summary.ipynb"))


def test_types_come_from_annotations_or_defaults_and_help_from_comments(
    declared: NotebookParameters,
) -> None:
    found = {p.name: (p.type.value, p.default, p.help) for p in declared.parameters}

    assert found == {
        "region": ("str", '"north"', "region to summarise"),
        "reference_date": ("str", '"2016-01-03"', "ISO date"),
        "min_calls": ("int", "50", ""),
        "ratio": ("float", "0.5", ""),
        "verbose": ("bool", "False", ""),
        "cells": ("list", '["C001"]', "cell ids"),
        "limits": ("dict", '{"max": 10}', ""),
        "label": ("str", "None", "annotated, no usable default"),
        "anything": ("any", "None", ""),
    }
    assert declared.has_parameters_cell


def test_notebook_without_parameters_cell_says_so(tmp_path: Path) -> None:
    write_notebook(tmp_path / "plain.ipynb", "1 + 1")

    declared = declared_parameters(Workspace(tmp_path, "out").open_notebook("plain.ipynb"))

    assert declared.has_parameters_cell is False
    assert declared.parameters == []
    with pytest.raises(InvalidInput, match="no cell tagged 'parameters'"):
        validate_parameters({"x": 1}, declared)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"min_calls": "75", "ratio": "2", "verbose": "true"},
            {"min_calls": 75, "ratio": 2.0, "verbose": True},
        ),
        (
            {"min_calls": 7.0, "ratio": 3, "verbose": False},
            {"min_calls": 7, "ratio": 3.0, "verbose": False},
        ),
        ({"min_calls": 2**62}, {"min_calls": 2**62}),
        (
            {"cells": '["C002", "C003"]', "limits": '{"max": 3}'},
            {"cells": ["C002", "C003"], "limits": {"max": 3}},
        ),
        (
            {"reference_date": "2016-02-29", "anything": [1, "x"]},
            {"reference_date": "2016-02-29", "anything": [1, "x"]},
        ),
    ],
)
def test_values_are_coerced_to_declared_types(
    declared: NotebookParameters, values: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert validate_parameters(values, declared) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"regoin": "south"}, "unknown parameter 'regoin' ('summary.ipynb' declares region, "),
        ({"min_calls": "many"}, "parameter 'min_calls' expects an integer, got 'many'"),
        ({"min_calls": 7.5}, "parameter 'min_calls' expects an integer, got 7.5"),
        ({"min_calls": True}, "parameter 'min_calls' expects an integer, got True"),
        ({"ratio": "half"}, "parameter 'ratio' expects a number, got 'half'"),
        ({"verbose": "maybe"}, "parameter 'verbose' expects true or false, got 'maybe'"),
        ({"region": 3}, "parameter 'region' expects a string, got 3"),
        ({"reference_date": "03/01/2016"}, "expects an ISO date (YYYY-MM-DD), got '03/01/2016'"),
        ({"reference_date": "2016-02-30"}, "expects an ISO date (YYYY-MM-DD), got '2016-02-30'"),
        ({"cells": "C001"}, "parameter 'cells' expects a list, got 'C001'"),
        ({"limits": [1]}, "parameter 'limits' expects a dict, got [1]"),
    ],
)
def test_bad_values_are_refused_with_a_message(
    declared: NotebookParameters, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_parameters(values, declared)

    assert message in refused.value.message


def test_all_problems_are_reported_together(declared: NotebookParameters) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_parameters({"nope": 1, "min_calls": "x", "ratio": "y"}, declared)

    assert refused.value.message.count("parameter") >= 3
