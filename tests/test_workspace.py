"""Path confinement and the outputs layout, without a server."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from autoflow_lab.errors import InvalidInput, NotFound, OutsideWorkspace
from autoflow_lab.services.workspace import Workspace

from .notebooks import write_notebook


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "root"
    write_notebook(root / "team" / "daily.ipynb", "1")
    return Workspace(root, "autoflow-runs")


@pytest.mark.parametrize(
    "path", ["../x.ipynb", "team/../../x.ipynb", "/abs/x.ipynb", "C:\\x.ipynb", "..\\x.ipynb"]
)
def test_escaping_paths_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(OutsideWorkspace):
        workspace.resolve(path)


def test_notebook_is_opened_with_its_kernel(workspace: Workspace) -> None:
    notebook = workspace.open_notebook("team/daily.ipynb")

    assert notebook.path == "team/daily.ipynb"
    assert notebook.kernel_name == "python3"


def test_missing_and_non_notebook_files_are_refused(workspace: Workspace) -> None:
    (workspace.root / "team" / "readme.md").write_text("hi")
    with pytest.raises(NotFound):
        workspace.open_notebook("team/other.ipynb")
    with pytest.raises(InvalidInput):
        workspace.open_notebook("team/readme.md")


def test_output_folder_is_named_by_notebook_then_time_and_run(workspace: Workspace) -> None:
    notebook = workspace.open_notebook("team/daily.ipynb")
    created = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)

    path = workspace.output_path(notebook, 42, created)

    assert workspace.relative(path) == "autoflow-runs/daily/2026-03-04_05-06-07_run-42/daily.ipynb"


def test_outputs_folder_outside_the_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must be inside the server root"):
        Workspace(tmp_path / "root", "../elsewhere")
