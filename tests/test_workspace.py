"""Path confinement and the outputs layout; the last tests go through a server."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from autoflow_lab.config import configured_allow_hidden, load_server_config
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


def test_output_folder_mirrors_the_notebook_folder_then_time_and_run(
    workspace: Workspace,
) -> None:
    notebook = workspace.open_notebook("team/daily.ipynb")
    created = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)

    path = workspace.output_path(notebook, 42, created)

    assert (
        workspace.relative(path)
        == "autoflow-runs/team/daily/2026-03-04_05-06-07_run-42/daily.ipynb"
    )


def test_same_named_notebooks_in_different_folders_get_their_own_output_folders(
    workspace: Workspace,
) -> None:
    # Given two notebooks named report.ipynb, in a/ and b/
    write_notebook(workspace.root / "a" / "report.ipynb", "1")
    write_notebook(workspace.root / "b" / "report.ipynb", "1")
    created = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)

    # When each gets an output path
    a, b = (
        workspace.output_path(workspace.open_notebook(f"{name}/report.ipynb"), run, created)
        for name, run in (("a", 1), ("b", 2))
    )

    # Then neither output folder holds the other's runs
    assert workspace.relative(a.parent.parent) == "autoflow-runs/a/report"
    assert workspace.relative(b.parent.parent) == "autoflow-runs/b/report"


def test_run_folder_is_the_run_s_own_folder_inside_the_outputs(workspace: Workspace) -> None:
    notebook = workspace.open_notebook("team/daily.ipynb")
    created = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    output = workspace.relative(workspace.output_path(notebook, 7, created))

    assert workspace.run_folder(output, 7) == workspace.root / output.rsplit("/", 1)[0]


@pytest.mark.parametrize(
    "output",
    [
        "autoflow-runs/daily/2026-03-04_05-06-07_run-71/daily.ipynb",  # another run's
        "autoflow-runs/daily/2026-03-04_05-06-07/daily.ipynb",  # not named for a run
        "team/2026-03-04_05-06-07_run-7/daily.ipynb",  # outside the outputs folder
        "autoflow-runs/../x_run-7/daily.ipynb",
        "autoflow-runs/daily.ipynb",  # the outputs folder itself
    ],
)
def test_run_folder_refuses_anything_else(workspace: Workspace, output: str) -> None:
    assert workspace.run_folder(output, 7) is None


def test_old_layout_run_folder_is_still_found(workspace: Workspace) -> None:
    output = "autoflow-runs/daily/2026-03-04_05-06-07_run-7/daily.ipynb"

    assert workspace.run_folder(output, 7) == workspace.root / output.rsplit("/", 1)[0]


@pytest.mark.parametrize("outputs", ["../elsewhere", ".", ""])
def test_outputs_folder_must_be_a_folder_inside_the_root(tmp_path: Path, outputs: str) -> None:
    with pytest.raises(ValueError, match="must be a folder inside the server root"):
        Workspace(tmp_path / "root", outputs)


def test_hidden_paths_are_refused_unless_allowed(tmp_path: Path) -> None:
    write_notebook(tmp_path / ".private" / "x.ipynb", "1")

    with pytest.raises(NotFound, match="is hidden"):
        Workspace(tmp_path, "out").open_notebook(".private/x.ipynb")
    opened = Workspace(tmp_path, "out", allow_hidden=True).open_notebook(".private/x.ipynb")
    assert opened.path == ".private/x.ipynb"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, False),
        ({"jupyter_server_config.json": '{"ContentsManager": {"allow_hidden": true}}'}, True),
        ({"jupyter_server_config.py": "c.FileContentsManager.allow_hidden = True"}, True),
        (
            {
                "jupyter_server_config.py": "c.ContentsManager.allow_hidden = True\n"
                "c.AsyncLargeFileManager.allow_hidden = False"
            },
            False,
        ),
    ],
)
def test_allow_hidden_is_read_from_the_server_s_config_files(
    tmp_path: Path, files: dict[str, str], expected: bool
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)

    assert configured_allow_hidden(load_server_config([str(tmp_path)])) is expected


async def test_runs_of_same_named_notebooks_keep_apart(jp_root_dir: Path, api, wait_for_run):
    # Given a finished run of a/report.ipynb and one of b/report.ipynb
    runs = []
    for folder in ("a", "b"):
        write_notebook(jp_root_dir / folder / "report.ipynb", f"print({folder!r})")
        _, queued = await api("POST", "runs", {"notebook": f"{folder}/report.ipynb"})
        runs.append(await wait_for_run(queued["id"]))
    a, b = runs

    # When the run of a/report.ipynb is deleted
    assert (await api("DELETE", f"runs/{a['id']}"))[0] == 204

    # Then each had its own folder, and b's executed notebook is untouched
    assert a["output"].startswith("autoflow-runs/a/report/")
    assert b["output"].startswith("autoflow-runs/b/report/")
    assert not (jp_root_dir / a["output"]).exists()
    assert (jp_root_dir / b["output"]).exists()


def test_folder_inside_the_outputs_is_not_a_notebook(workspace: Workspace) -> None:
    (workspace.outputs / "daily.ipynb").mkdir(parents=True)

    with pytest.raises(InvalidInput, match="is not a notebook"):
        workspace.open_notebook("autoflow-runs/daily.ipynb")
