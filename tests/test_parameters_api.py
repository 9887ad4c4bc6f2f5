"""Parameters through the REST API: inspection, validation, and safe injection."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from .notebooks import read_notebook, stream_text, write_notebook

INJECTION = "'); import os; os.system(\"touch pwned\"); ('"


@pytest.fixture
def greet(jp_root_dir: Path) -> Path:
    return write_notebook(
        jp_root_dir / "greet.ipynb",
        "print(repr(name), n)",
        parameters='name = "world"  # who to greet\nn = 1',
    )


async def test_declared_parameters_are_listed(greet: Path, api) -> None:
    status, reply = await api("GET", "notebooks/parameters", path="greet.ipynb")

    assert status == 200
    assert reply == {
        "notebook": "greet.ipynb",
        "has_parameters_cell": True,
        "language": "python",
        "inference_available": True,
        "injection_available": True,
        "parameters": [
            {"name": "name", "type": "str", "default": '"world"', "help": "who to greet"},
            {"name": "n", "type": "int", "default": "1", "help": ""},
        ],
    }


async def test_notebook_without_parameters_cell_says_so(jp_root_dir: Path, api) -> None:
    write_notebook(jp_root_dir / "plain.ipynb", "1")

    _, reply = await api("GET", "notebooks/parameters", path="plain.ipynb")

    assert reply["has_parameters_cell"] is False
    assert reply["parameters"] == []


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({}, 400, "path: Field required"),
        ({"path": "missing.ipynb"}, 404, "does not exist"),
        ({"path": "../greet.ipynb"}, 403, "outside the server root"),
    ],
)
async def test_bad_parameters_query_is_refused(greet: Path, api, params, status, words) -> None:
    code, reply = await api("GET", "notebooks/parameters", **params)

    assert code == status
    assert words in reply["message"]


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"nmae": "x"}, "unknown parameter 'nmae' ('greet.ipynb' declares name, n)"),
        ({"n": "three"}, "parameter 'n' expects an integer, got 'three'"),
        ({"name": 42}, "parameter 'name' expects a string, got 42"),
    ],
)
async def test_invalid_parameters_are_400_and_create_no_run(greet: Path, api, parameters, words):
    code, reply = await api("POST", "runs", {"notebook": "greet.ipynb", "parameters": parameters})

    assert code == 400
    assert words in reply["message"]
    # one parameter's problem names it; unknown names point at the whole mapping
    named = f"parameters.{next(iter(parameters))}"
    assert reply["field"] == ("parameters" if words.startswith("unknown") else named)
    assert (await api("GET", "runs"))[1]["runs"] == []


async def test_values_are_stored_and_injected_as_coerced(greet: Path, api, wait_for_run) -> None:
    _, queued = await api("POST", "runs", {"notebook": "greet.ipynb", "parameters": {"n": "3"}})

    assert queued["parameters"] == {"n": 3}
    run = await wait_for_run(queued["id"])
    assert stream_text(read_notebook(greet.parent / run["output"]).cells[-1]) == "'world' 3\n"


async def test_string_parameter_is_injected_as_a_literal_and_runs_nothing(
    greet: Path, api, wait_for_run
) -> None:
    # Given a value crafted to break out of a naive string substitution
    _, queued = await api(
        "POST", "runs", {"notebook": "greet.ipynb", "parameters": {"name": INJECTION}}
    )

    # When the run executes
    run = await wait_for_run(queued["id"])

    # Then the notebook received exactly that string, and none of it ran
    assert run["status"] == "succeeded", run
    executed = read_notebook(greet.parent / run["output"])
    assert stream_text(executed.cells[-1]) == f"{INJECTION!r} 1\n"
    assert not (greet.parent / "pwned").exists()


@pytest.fixture
def measure(jp_root_dir: Path) -> Path:
    return write_notebook(
        jp_root_dir / "measure.ipynb",
        "print(ratio, anything)",
        parameters="ratio = 0.5\nanything = None\ncells = []",
    )


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ('{"ratio": NaN}', "parameter 'ratio' holds nan, "),
        ('{"ratio": Infinity}', "parameter 'ratio' holds inf, "),
        ('{"ratio": -Infinity}', "parameter 'ratio' holds -inf, "),
        ('{"ratio": 1e999}', "parameter 'ratio' holds inf, "),
        ('{"ratio": "NaN"}', "parameter 'ratio' holds nan, "),
        ('{"anything": NaN}', "parameter 'anything' holds nan, "),
        ('{"anything": [1, [NaN]]}', "parameter 'anything' holds nan, "),
        ('{"anything": {"a": {"b": Infinity}}}', "parameter 'anything' holds inf, "),
        ('{"cells": [1, NaN]}', "parameter 'cells' holds nan, "),
    ],
)
async def test_nan_and_infinity_are_400_naming_the_parameter_and_create_no_run(
    measure: Path, api, parameters: str, words: str
) -> None:
    body = f'{{"notebook": "measure.ipynb", "parameters": {parameters}}}'

    code, reply = await api("POST", "runs", body)

    assert code == 400, reply
    assert words in reply["message"]
    assert reply["field"] == f"parameters.{words.split(chr(39))[1]}"
    assert (await api("GET", "runs"))[1]["runs"] == []


async def test_executed_notebook_stays_valid_json_with_float_parameters(
    measure: Path, api, wait_for_run
) -> None:
    _, queued = await api(
        "POST", "runs", {"notebook": "measure.ipynb", "parameters": {"ratio": 1e300}}
    )

    run = await wait_for_run(queued["id"])

    assert run["status"] == "succeeded", run
    text = (measure.parent / run["output"]).read_text()
    assert json.loads(text, parse_constant=_refuse)["metadata"]["papermill"]["parameters"] == {
        "ratio": 1e300
    }


def _refuse(constant: str) -> None:
    raise AssertionError(f"the executed notebook holds {constant}, which is not JSON")


async def test_r_notebook_says_inference_is_not_available(jp_root_dir: Path, api) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    notebook.metadata["language_info"] = {"name": "R"}
    cell = nbformat.v4.new_code_cell('region <- "north"')
    cell.metadata["tags"] = ["parameters"]
    notebook.cells.append(cell)
    nbformat.write(notebook, jp_root_dir / "summary.ipynb")

    code, reply = await api("GET", "notebooks/parameters", path="summary.ipynb")

    assert code == 200, reply
    assert reply == {
        "notebook": "summary.ipynb",
        "has_parameters_cell": True,
        "language": "R",
        "inference_available": False,
        "injection_available": True,
        "parameters": [],
    }
