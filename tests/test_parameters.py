"""Declared parameters and validation of submitted values, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

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

    message = refused.value.message
    assert message.startswith("Invalid parameters: ")
    assert "unknown parameter 'nope' ('summary.ipynb' declares region, " in message
    assert "parameter 'min_calls' expects an integer, got 'x'" in message
    assert "parameter 'ratio' expects a number, got 'y'" in message


NAN = float("nan")
INF = float("inf")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ratio": NAN}, "parameter 'ratio' holds nan, "),
        ({"ratio": INF}, "parameter 'ratio' holds inf, "),
        ({"ratio": -INF}, "parameter 'ratio' holds -inf, "),
        ({"ratio": "nan"}, "parameter 'ratio' holds nan, "),
        ({"ratio": "-Infinity"}, "parameter 'ratio' holds -inf, "),
        ({"ratio": "1e400"}, "parameter 'ratio' holds inf, "),
        ({"anything": NAN}, "parameter 'anything' holds nan, "),
        ({"anything": [1, {"x": INF}]}, "parameter 'anything' holds inf, "),
        ({"cells": [1.0, NAN]}, "parameter 'cells' holds nan, "),
        ({"cells": "[1, NaN]"}, "parameter 'cells' holds nan, "),
        ({"limits": {"max": -INF}}, "parameter 'limits' holds -inf, "),
        ({"min_calls": NAN}, "parameter 'min_calls' expects an integer, got nan"),
    ],
)
def test_nan_and_infinity_are_refused_naming_the_parameter(
    declared: NotebookParameters, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_parameters(values, declared)

    assert message in refused.value.message


def write_r_notebook(path: Path, language: str = "R", kernel: str = "ir") -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": "R", "language": language}
    notebook.metadata["language_info"] = {"name": language}
    cell = nbformat.v4.new_code_cell('region <- "north"\nmin_calls <- 50')
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell("print(region)")]
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def r_declared(tmp_path: Path) -> NotebookParameters:
    write_r_notebook(tmp_path / "summary.ipynb")
    return declared_parameters(Workspace(tmp_path, "out").open_notebook("summary.ipynb"))


def test_r_notebook_says_its_parameters_cannot_be_inferred(
    r_declared: NotebookParameters,
) -> None:
    assert (r_declared.language, r_declared.has_parameters_cell) == ("R", True)
    assert r_declared.inference_available is False
    assert r_declared.injection_available is True
    assert r_declared.parameters == []


def test_python_notebook_says_its_parameters_are_inferred(declared: NotebookParameters) -> None:
    assert declared.language == "python"
    assert declared.inference_available is True
    assert declared.injection_available is True


def test_r_notebook_accepts_parameters_as_typed_in_the_request(
    r_declared: NotebookParameters,
) -> None:
    values = {"region": "south", "min_calls": 75, "ratio": 0.5, "cells": ["C1"], "on": True}

    assert validate_parameters(values, r_declared) == values


def test_r_notebook_still_refuses_nan(r_declared: NotebookParameters) -> None:
    with pytest.raises(InvalidInput, match="parameter 'ratio' holds nan, "):
        validate_parameters({"ratio": NAN}, r_declared)


def test_r_parameters_are_injected_as_r_code(r_declared: NotebookParameters, tmp_path: Path):
    # Given values accepted for the R notebook
    values = validate_parameters({"region": "south", "min_calls": 75}, r_declared)

    # When papermill builds the injected cell, as it does before executing
    source = load_notebook_node(str(tmp_path / "summary.ipynb"))
    injected = parameterize_notebook(source, values, kernel_name="ir", language="R").cells[1]

    # Then the values are R assignments
    assert "injected-parameters" in injected.metadata.tags
    assert 'region = "south"' in injected.source
    assert "min_calls = 75" in injected.source


def test_notebook_whose_language_papermill_cannot_parameterise_refuses_parameters(
    tmp_path: Path,
) -> None:
    write_r_notebook(tmp_path / "old.ipynb", language="cobol", kernel="cobol")
    declared = declared_parameters(Workspace(tmp_path, "out").open_notebook("old.ipynb"))
    assert (declared.inference_available, declared.injection_available) == (False, False)

    with pytest.raises(InvalidInput) as refused:
        validate_parameters({"n": 1}, declared)

    assert refused.value.message == (
        "'old.ipynb' takes no parameters: papermill cannot pass parameters to a notebook in cobol."
    )
