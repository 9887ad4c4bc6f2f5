"""Kernel names resolved as Jupyter resolves them: aliases and case."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from autoflow_lab.errors import InvalidInput
from autoflow_lab.services.kernels import resolve_kernel

from .notebooks import write_notebook

INSTALLED = ["ir", "python3"]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("python3", "python3"), ("Python3", "python3"), ("python", "python3"), ("IR", "ir")],
)
def test_names_resolve_like_jupyter_client(requested: str, expected: str) -> None:
    assert resolve_kernel(requested, INSTALLED) == expected


def test_only_lowercase_python_is_an_alias() -> None:
    # KernelManager maps exactly "python"; "Python" then finds no spec folder.
    with pytest.raises(InvalidInput, match="Unknown kernel 'Python'"):
        resolve_kernel("Python", INSTALLED)


def test_unknown_kernel_lists_the_installed_ones() -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_kernel("julia-1.9", INSTALLED)

    assert refused.value.message == (
        "Unknown kernel 'julia-1.9'; choose a kernel: one of ir, python3."
    )
    assert refused.value.field == "kernel_name"


@pytest.mark.parametrize("requested", ["python", "Python3"])
async def test_run_accepts_a_kernel_name_jupyter_accepts_and_records_the_resolved_one(
    jp_root_dir: Path, api, requested: str
) -> None:
    write_notebook(jp_root_dir / "good.ipynb", "1")

    code, run = await api("POST", "runs", {"notebook": "good.ipynb", "kernel_name": requested})

    assert code == 202, run
    assert run["kernel_name"] == "python3"


async def test_notebook_naming_its_kernel_in_another_case_runs(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a notebook whose metadata names the kernel "Python3"
    path = write_notebook(jp_root_dir / "shouty.ipynb", "print('ran')")
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.kernelspec.name = "Python3"
    nbformat.write(notebook, path)

    # When it is run with its own kernel
    _, queued = await api("POST", "runs", {"notebook": "shouty.ipynb"})

    # Then the python3 kernel runs it
    run = await wait_for_run(queued["id"])
    assert (run["status"], run["kernel_name"]) == ("succeeded", "python3")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"notebook": "good.ipynb", "kernel_name": "nope"},
            "Unknown kernel 'nope'; choose a kernel: one of ",
        ),
        (
            {"notebook": "nokernel.ipynb"},
            "'nokernel.ipynb' names no kernel in its metadata; choose a kernel: one of ",
        ),
        (
            {"notebook": "ir.ipynb"},
            "'ir.ipynb' asks for kernel 'ir', which is not installed; choose a kernel: one of ",
        ),
    ],
)
async def test_unusable_kernel_is_400_on_kernel_name_and_creates_no_run(
    jp_root_dir: Path, api, body: dict, words: str
) -> None:
    write_notebook(jp_root_dir / "good.ipynb", "1")
    nbformat.write(nbformat.v4.new_notebook(), jp_root_dir / "nokernel.ipynb")
    r_notebook = nbformat.v4.new_notebook()
    r_notebook.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    nbformat.write(r_notebook, jp_root_dir / "ir.ipynb")

    code, reply = await api("POST", "runs", body)

    assert code == 400, reply
    assert words in reply["message"]
    assert "python3" in reply["message"].rsplit("one of", 1)[1]
    assert "pass kernel_name" not in reply["message"]
    assert reply["field"] == "kernel_name"
    assert (await api("GET", "runs"))[1]["runs"] == []
