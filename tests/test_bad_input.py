"""Every bad request gets a clear status and message, and leaves no run behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .notebooks import write_notebook


@pytest.fixture
def workspace(jp_root_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    write_notebook(jp_root_dir / "good.ipynb", "1")
    (jp_root_dir / "notes.txt").write_text("not a notebook")
    (jp_root_dir / "corrupt.ipynb").write_text("{ this is not json")
    (jp_root_dir / "folder.ipynb").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), jp_root_dir / "nokernel.ipynb")
    outside = tmp_path_factory.mktemp("outside")
    write_notebook(outside / "secret.ipynb", "1")
    os.symlink(outside / "secret.ipynb", jp_root_dir / "escape.ipynb")
    os.symlink(outside, jp_root_dir / "linked-dir")
    return jp_root_dir


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("{not json", 400, "Invalid JSON"),
        ("[1, 2]", 400, "Invalid request body"),
        ({"parameters": {}}, 400, "notebook: Field required"),
        ({"notebook": ""}, 400, "notebook"),
        ({"notebook": "missing.ipynb"}, 404, "does not exist"),
        ({"notebook": "../outside.ipynb"}, 403, "outside the server root"),
        ({"notebook": "/etc/passwd"}, 403, "absolute path"),
        ({"notebook": "escape.ipynb"}, 403, "outside the server root"),
        ({"notebook": "linked-dir/secret.ipynb"}, 403, "outside the server root"),
        ({"notebook": "notes.txt"}, 400, "is not a notebook"),
        ({"notebook": "folder.ipynb"}, 400, "is not a notebook"),
        ({"notebook": "corrupt.ipynb"}, 400, "is not a valid notebook"),
        ({"notebook": "good.ipynb", "parameters": [1, 2]}, 400, "should be an object"),
        ({"notebook": "good.ipynb", "parameters": "x=1"}, 400, "should be an object"),
        ({"notebook": "good.ipynb", "parameters": {"not valid": 1}}, 400, "Python identifiers"),
        ({"notebook": "good.ipynb", "colour": "red"}, 400, "colour: Extra inputs"),
        ({"notebook": "good.ipynb", "kernel_name": "nope"}, 400, "Unknown kernel 'nope'"),
        ({"notebook": "nokernel.ipynb"}, 400, "names no kernel in its metadata"),
        ({"notebook": "good.ipynb", "timeout": 0}, 400, "timeout: Input should be greater than 0"),
        ({"notebook": "good.ipynb", "timeout": -5}, 400, "timeout: Input should be greater than 0"),
        ({"notebook": "good.ipynb", "timeout": "soon"}, 400, "timeout: Input should be a valid"),
        (
            '{"notebook": "good.ipynb", "timeout": Infinity}',
            400,
            "timeout: Input should be a finite",
        ),
        (
            {"notebook": "good.ipynb", "cell_timeout": 0},
            400,
            "cell_timeout: Input should be greater",
        ),
    ],
)
async def test_bad_run_request_is_refused_without_creating_a_run(
    workspace: Path, api, body, status: int, words: str
) -> None:
    code, reply = await api("POST", "runs", body)

    assert code == status, reply
    assert words in reply["message"]
    _, page = await api("GET", "runs")
    assert page["runs"] == []
    assert not (workspace / "autoflow-runs" / "good").exists()


@pytest.mark.parametrize("run_id", ["12345", "abc"])
async def test_unknown_run_is_404(jp_root_dir: Path, api, run_id: str) -> None:
    code, reply = await api("GET", f"runs/{run_id}")

    assert code == 404
    assert "No run with id" in reply["message"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"limit": "0"}, "limit: Input should be greater than or equal to 1"),
        ({"limit": "many"}, "limit: Input should be a valid integer"),
        ({"limit": "1000"}, "limit: Input should be less than or equal to 500"),
        ({"cursor": "yesterday"}, "Invalid cursor"),
    ],
)
async def test_bad_list_query_is_400(jp_root_dir: Path, api, params, words: str) -> None:
    code, reply = await api("GET", "runs", **params)

    assert code == 400
    assert words in reply["message"]


async def test_list_ignores_cache_busting_query_argument(jp_root_dir: Path, jp_fetch) -> None:
    # JupyterLab's ServerConnection appends "?<timestamp>" to every GET.
    response = await jp_fetch("autoflow", "api", "runs", params={"1795553830840": ""})

    assert response.code == 200


NOT_RUN_IDS = ["²", "-1", "1.0", "0x3", str(2**63), "9" * 30]
RUN_ROUTES = [
    ("GET", "runs/{}"),
    ("DELETE", "runs/{}"),
    ("POST", "runs/{}/cancel"),
    ("GET", "runs/{}/log"),
]


SCHEDULE_ROUTES = [
    ("GET", "schedules/{}"),
    ("PATCH", "schedules/{}"),
    ("DELETE", "schedules/{}"),
    ("POST", "schedules/{}/pause"),
    ("POST", "schedules/{}/resume"),
    ("POST", "schedules/{}/run"),
]
ID_ROUTES = [("run", *route) for route in RUN_ROUTES] + [
    ("schedule", *route) for route in SCHEDULE_ROUTES
]


@pytest.mark.parametrize("run_id", NOT_RUN_IDS)
@pytest.mark.parametrize(("what", "method", "route"), ID_ROUTES)
async def test_id_that_is_not_ascii_digits_in_range_is_404(
    jp_root_dir: Path, api, what: str, method: str, route: str, run_id: str
) -> None:
    body = {} if method == "PATCH" else None
    code, reply = await api(method, route.format(run_id), body)

    assert code == 404, reply
    assert f"No {what} with id {run_id!r}" in reply["message"]


async def test_arabic_indic_digit_is_not_read_as_a_run_id(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given runs 1 to 3, all finished
    write_notebook(jp_root_dir / "good.ipynb", "1")
    for _ in range(3):
        _, run = await api("POST", "runs", {"notebook": "good.ipynb"})
        await wait_for_run(run["id"])

    # When every run route is asked about "٣" (Arabic-Indic three)
    replies = [await api(method, route.format("٣")) for method, route in RUN_ROUTES]

    # Then none of them reaches run 3, which is still there
    assert [code for code, _ in replies] == [404] * len(RUN_ROUTES)
    assert all("No run with id '٣'" in reply["message"] for _, reply in replies)
    assert (await api("GET", "runs/3"))[0] == 200


@pytest.mark.parametrize("cursor", [*NOT_RUN_IDS, "٣"])
async def test_cursor_that_is_not_ascii_digits_in_range_is_400(
    jp_root_dir: Path, api, cursor: str
) -> None:
    code, reply = await api("GET", "runs", cursor=cursor)

    assert code == 400, reply
    assert f"Invalid cursor {cursor!r}" in reply["message"]


def _notebook_with(path: Path, metadata: dict, tags: object = None) -> None:
    """A notebook whose metadata (or one cell's tags) has the wrong shape."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update(metadata)
    cell = nbformat.v4.new_code_cell("1")
    if tags is not None:
        cell.metadata["tags"] = tags
    notebook.cells.append(cell)
    path.write_text(json.dumps(notebook))


KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


@pytest.fixture
def odd_files(jp_root_dir: Path) -> Path:
    (jp_root_dir / "loop-a.ipynb").symlink_to(jp_root_dir / "loop-b.ipynb")
    (jp_root_dir / "loop-b.ipynb").symlink_to(jp_root_dir / "loop-a.ipynb")
    _notebook_with(jp_root_dir / "kernelspec-str.ipynb", {"kernelspec": "python3"})
    _notebook_with(
        jp_root_dir / "language-null.ipynb", {"kernelspec": KERNELSPEC, "language_info": None}
    )
    _notebook_with(jp_root_dir / "tags-int.ipynb", {"kernelspec": KERNELSPEC}, tags=5)
    return jp_root_dir


ODD_PATHS = [
    ("x" * 300 + ".ipynb", 400, "longer than 255 bytes"),
    ("é" * 130 + ".ipynb", 400, "longer than 255 bytes"),
    ("a/" * 2100 + "x.ipynb", 400, "longer than 4096 bytes"),
    ("nul\x00.ipynb", 400, "NUL"),
    ("loop-a.ipynb", 400, "symbolic link loop"),
    ("kernelspec-str.ipynb", 400, "metadata.kernelspec should be an object"),
    ("language-null.ipynb", 400, "metadata.language_info should be an object"),
    ("tags-int.ipynb", 400, "cell 1 has tags that are not a list of strings"),
]


@pytest.mark.parametrize(("path", "status", "words"), ODD_PATHS)
async def test_odd_notebook_path_or_content_is_refused_without_creating_a_run(
    odd_files: Path, api, path: str, status: int, words: str
) -> None:
    code, reply = await api("POST", "runs", {"notebook": path})

    assert code == status, reply
    assert words in reply["message"]
    assert (await api("GET", "runs"))[1]["runs"] == []
    assert [p for p in (odd_files / "autoflow-runs").iterdir() if p.is_dir()] == []


# Tornado turns a NUL in a query argument into a space, so it cannot reach a query.
@pytest.mark.parametrize(("path", "status", "words"), [p for p in ODD_PATHS if "\x00" not in p[0]])
async def test_odd_notebook_path_or_content_is_refused_when_inspected(
    odd_files: Path, api, path: str, status: int, words: str
) -> None:
    code, reply = await api("GET", "notebooks/parameters", path=path)

    assert code == status, reply
    assert words in reply["message"]


@pytest.fixture
def hidden_files(jp_root_dir: Path) -> Path:
    write_notebook(jp_root_dir / ".hidden.ipynb", "1")
    write_notebook(jp_root_dir / ".secret" / "x.ipynb", "1")
    (jp_root_dir / "visible.ipynb").symlink_to(jp_root_dir / ".secret" / "x.ipynb")
    return jp_root_dir


HIDDEN_PATHS = [".hidden.ipynb", ".secret/x.ipynb", "visible.ipynb", ".secret/missing.ipynb"]


@pytest.mark.parametrize("path", HIDDEN_PATHS)
async def test_hidden_notebook_is_not_run(hidden_files: Path, api, path: str) -> None:
    code, reply = await api("POST", "runs", {"notebook": path})

    assert code == 404, reply
    assert "is hidden" in reply["message"]
    assert "ContentsManager.allow_hidden" in reply["message"]
    assert (await api("GET", "runs"))[1]["runs"] == []


@pytest.mark.parametrize("path", HIDDEN_PATHS)
async def test_hidden_notebook_is_not_inspected(hidden_files: Path, api, path: str) -> None:
    code, reply = await api("GET", "notebooks/parameters", path=path)

    assert code == 404, reply
    assert "is hidden" in reply["message"]


class TestServerThatAllowsHiddenFiles:
    @pytest.fixture
    def jp_server_config(self, jp_server_config: dict) -> dict:
        return {**jp_server_config, "ContentsManager": {"allow_hidden": True}}

    async def test_hidden_notebook_is_inspected(self, hidden_files: Path, api) -> None:
        code, reply = await api("GET", "notebooks/parameters", path=".secret/x.ipynb")

        assert code == 200, reply
        assert reply["notebook"] == ".secret/x.ipynb"


async def test_executed_output_is_not_run_as_a_source(jp_root_dir: Path, api, wait_for_run):
    # Given a finished run of a/report.ipynb
    write_notebook(jp_root_dir / "a" / "report.ipynb", "1")
    _, run = await api("POST", "runs", {"notebook": "a/report.ipynb"})
    output = (await wait_for_run(run["id"]))["output"]

    # When its executed notebook is submitted as a run
    code, reply = await api("POST", "runs", {"notebook": output})

    # Then it is refused, naming the source to run instead, and no run is added
    assert code == 400, reply
    assert f"{output!r} is an executed notebook in the outputs folder" in reply["message"]
    assert "run its source notebook 'a/report.ipynb'" in reply["message"]
    assert len((await api("GET", "runs"))[1]["runs"]) == 1


async def test_notebook_in_the_outputs_folder_is_not_run(jp_root_dir: Path, api) -> None:
    write_notebook(jp_root_dir / "autoflow-runs" / "copied.ipynb", "1")

    code, reply = await api("POST", "runs", {"notebook": "autoflow-runs/copied.ipynb"})

    assert code == 400, reply
    assert "is an executed notebook in the outputs folder 'autoflow-runs'" in reply["message"]
    assert (await api("GET", "runs"))[1]["runs"] == []


@pytest.mark.parametrize(("config", "refused"), [(None, True), ({"allow_hidden": True}, False)])
def test_command_line_follows_the_server_s_allow_hidden(
    tmp_path: Path, config: dict | None, refused: bool
) -> None:
    # Given a hidden notebook, and Jupyter configuration with or without allow_hidden
    write_notebook(tmp_path / "root" / ".drafts" / "x.ipynb", "1")
    (tmp_path / "config").mkdir()
    if config is not None:
        settings = {"ContentsManager": config}
        (tmp_path / "config" / "jupyter_server_config.json").write_text(json.dumps(settings))

    # When the command line is asked to run it
    done = subprocess.run(
        [str(Path(sys.executable).with_name("autoflow")), "run", ".drafts/x.ipynb", "--quiet"],
        cwd=tmp_path / "root",
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    # Then it refuses it as the server would, or runs it when allowed
    if refused:
        assert done.returncode == 2, done.stderr
        assert "'.drafts/x.ipynb' is hidden" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
