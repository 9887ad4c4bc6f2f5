"""The environment a run's kernel starts with, and keeping passed secrets out of outputs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import nbformat

# What a kernel needs to start and behave normally; nothing here is secret.
BASE_VARIABLES = re.compile(
    r"^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TEMP|TMP"
    r"|PYTHONPATH|PYTHONHOME|VIRTUAL_ENV|CONDA_\w+|JUPYTER_\w+|JPY_\w+|IPYTHONDIR"
    r"|XDG_\w+|LD_LIBRARY_PATH|SYSTEMROOT|COMSPEC|PATHEXT)$"
)
REDACTED = "***"
SHORTEST_SECRET = 4  # shorter values would redact ordinary text


def kernel_environment(passed: Mapping[str, str]) -> dict[str, str]:
    """The worker's base variables plus ``passed``; every other variable is withheld."""
    base = {name: value for name, value in os.environ.items() if BASE_VARIABLES.match(name)}
    return {**base, **passed}


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Run the block (which starts a kernel) with exactly ``variables`` as environment.

    Safe in a worker process, which executes one run at a time.
    """
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if len(secret) >= SHORTEST_SECRET:
            text = text.replace(secret, REDACTED)
    return text


def redact_file(path: str, secrets: list[str]) -> None:
    """Replace every secret value in the text file at ``path``."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    redacted = redact(text, secrets)
    if redacted != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(redacted)


def redact_notebook(path: str, secrets: list[str]) -> None:
    """Replace every secret value in the executed notebook at ``path``."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if redact(text, secrets) == text:  # nothing to redact: leave the file untouched
        return
    notebook = nbformat.reads(text, as_version=4)
    for cell in notebook.cells:
        cell.source = redact(cell.source, secrets)
        for output in cell.get("outputs", []):
            _redact_output(output, secrets)
    nbformat.write(notebook, path)


def _redact_output(output: Any, secrets: list[str]) -> None:
    for key in ("text", "evalue"):
        if key in output:
            output[key] = redact(output[key], secrets)
    if "traceback" in output:
        output["traceback"] = [redact(line, secrets) for line in output["traceback"]]
    for mime, value in output.get("data", {}).items():
        if isinstance(value, str):
            output["data"][mime] = redact(value, secrets)
        elif isinstance(value, list):
            output["data"][mime] = [redact(v, secrets) if isinstance(v, str) else v for v in value]
