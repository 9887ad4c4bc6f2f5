"""Reading and annotating the executed notebook papermill leaves behind.

Only nbformat is needed here, so the server can annotate a notebook whose
worker died without importing papermill.
"""

from __future__ import annotations

import os
from typing import Any

import nbformat

from ..models import RunError


def load(path: str) -> Any | None:
    """The executed notebook, or None when execution never got to write it."""
    if not os.path.exists(path):
        return None
    return nbformat.read(path, as_version=4)


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
    nbformat.write(notebook, path)
