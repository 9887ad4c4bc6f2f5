"""Reading and annotating the executed notebook papermill leaves behind.

Only nbformat is needed here, so the server can annotate a notebook whose
worker died without importing papermill.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Any

import nbformat
from nbformat.sign import NotebookNotary

from ..models import RunError
from .redaction import redact_notebook_node, redact_run_files, write_atomically

# Cells papermill adds to the executed notebook: the parameters it injects, and the
# two notes it puts at the top and before the failing cell when a cell raises.
INJECTED_PARAMETERS_TAG = "injected-parameters"
ERROR_MARKER_TAG = "papermill-error-cell-tag"


def load(path: str) -> Any | None:
    """The executed notebook, or None when execution never got to write it (whole)."""
    if not os.path.exists(path):
        return None
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError):  # cut short mid-write by a process that died
        return None


def failed_cell_index(notebook: Any | None) -> int | None:
    """The cell papermill marked as raising an exception."""
    if notebook is None:
        return None
    for index, cell in enumerate(notebook.cells):
        if cell.metadata.get("papermill", {}).get("exception"):
            return index
    return None


def last_started_cell(notebook: Any | None) -> int | None:
    """The cell executing when execution stopped.

    Papermill stamps a ``start_time`` on each cell it starts and saves the
    notebook as it goes, so this is the last cell carrying one.
    """
    if notebook is None:
        return None
    started = [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def describe_cell(notebook: Any | None, cell_index: int | None) -> dict[str, Any]:
    """The ``RunError`` fields that name executed cell ``cell_index`` as the user sees it.

    ``cell_number`` counts every cell of the source notebook from 1 (JupyterLab's
    "Cell N"): the cells papermill added before it are not counted, and a cell
    papermill added has none.
    """
    fields: dict[str, Any] = {
        "cell_index": cell_index,
        "cell_number": None,
        "execution_count": None,
        "cell_source": None,
    }
    if notebook is None or cell_index is None or not 0 <= cell_index < len(notebook.cells):
        return fields
    cell = notebook.cells[cell_index]
    added = (INJECTED_PARAMETERS_TAG, ERROR_MARKER_TAG)
    if not any(tag in added for tag in _tags(cell)):
        before = notebook.cells[:cell_index]
        fields["cell_number"] = 1 + sum(
            1 for other in before if not any(tag in added for tag in _tags(other))
        )
    fields["execution_count"] = cell.get("execution_count")
    source = cell.get("source", "")
    source = source if isinstance(source, str) else "".join(source)
    fields["cell_source"] = next((line for line in source.splitlines() if line.strip()), "")
    return fields


def error_message(notebook: Any | None, cell_index: int | None) -> str:
    """What the failing cell said about its failure, for errors that came without a message.

    Magics that fail (``%magic_that_does_not_exist``, ``%run missing.py``) leave
    the error's value empty and print the reason instead.
    """
    if notebook is None or cell_index is None or not 0 <= cell_index < len(notebook.cells):
        return ""
    outputs = notebook.cells[cell_index].get("outputs", [])
    for output in reversed(outputs):
        if output.get("output_type") == "error" and str(output.get("evalue", "")).strip():
            return str(output.evalue).strip()
    for output in reversed(outputs):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines = [line.strip() for line in _plain(output.get("text", "")).splitlines()]
            lines = [line for line in lines if line]
            if lines:
                return lines[-1]
    return ""


def _plain(text: str | list[str]) -> str:
    text = text if isinstance(text, str) else "".join(text)
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def mark_failed_cell(path: str, notebook: Any | None, error: RunError) -> None:
    """Put ``error`` into its cell, as a kernel would have, for papermill left it unmarked.

    Cell timeouts, dead kernels and stopped runs end without the kernel
    reporting an error, so the executed notebook would otherwise not say why.
    """
    if notebook is None or error.cell_index is None:
        return
    cell = notebook.cells[error.cell_index]
    cell.metadata.setdefault("papermill", {})["exception"] = True
    cell.metadata.papermill["status"] = "failed"
    notebook.metadata.setdefault("papermill", {})["exception"] = True
    if cell.cell_type == "code":
        cell.outputs.append(
            nbformat.v4.new_output(
                "error",
                ename=error.ename,
                evalue=error.evalue,
                traceback=[f"{error.ename}: {error.evalue}"],
            )
        )
    write_atomically(path, nbformat.writes(notebook))


def finish(path: str, error: RunError | None, secrets: list[str]) -> None:
    """The last write of an executed notebook: its error inline, redacted, then signed.

    Signed as the user's own output, JupyterLab renders its HTML and JavaScript.
    """
    notebook = load(path)
    if notebook is None:
        return
    if error is not None and not _has_error_output(notebook, error):
        mark_failed_cell(path, notebook, error)
    notebook = redact_notebook_node(notebook, secrets)
    with contextlib.suppress(Exception):  # no writable signature store: left untrusted
        NotebookNotary().sign(notebook)
    write_atomically(path, nbformat.writes(notebook))


def finish_cut_short(
    output_path: str, log_path: str, error: RunError | None, secrets: list[str]
) -> None:
    """Finish the files of a run cut short outside its worker's own control.

    Whatever it left may have been cut mid-write, so it is redacted as text
    first; then the notebook gets its error inline, is redacted again and signed.
    """
    redact_run_files(output_path, log_path, secrets)
    finish(output_path, error, secrets)


def _has_error_output(notebook: Any, error: RunError) -> bool:
    if error.cell_index is None or not 0 <= error.cell_index < len(notebook.cells):
        return True
    outputs = notebook.cells[error.cell_index].get("outputs", [])
    return any(
        output.get("output_type") == "error" and output.get("ename") == error.ename
        for output in outputs
    )
