"""Every bad request gets a clear status and message, and leaves no run behind."""

from __future__ import annotations

import os
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


@pytest.mark.parametrize("run_id", NOT_RUN_IDS)
@pytest.mark.parametrize(("method", "route"), RUN_ROUTES)
async def test_run_id_that_is_not_ascii_digits_in_range_is_404(
    jp_root_dir: Path, api, method: str, route: str, run_id: str
) -> None:
    code, reply = await api(method, route.format(run_id))

    assert code == 404, reply
    assert f"No run with id {run_id!r}" in reply["message"]


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
