"""Keeping secrets passed to kernels out of everything a run writes.

A secret can reach a file in other spellings than its own: JSON and Python
escape quotes and backslashes, HTML escapes ``&``, ``<`` and quotes. Every
spelling is replaced. Notebooks are redacted as parsed documents (every string
and every key, anywhere), so escaping by the file format cannot hide a secret.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from typing import Any, TextIO

import nbformat

REDACTED = "***"
SHORTEST_SECRET = 4  # shorter values would redact ordinary text


def spellings(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear in output, longest first."""
    found: set[str] = set()
    for secret in secrets:
        if len(secret) < SHORTEST_SECRET:
            continue
        found.update(
            {
                secret,
                json.dumps(secret)[1:-1],
                json.dumps(secret, ensure_ascii=False)[1:-1],
                repr(secret)[1:-1],
                html.escape(secret),
                html.escape(secret, quote=False),
            }
        )
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for spelling in spellings(secrets):
        text = text.replace(spelling, REDACTED)
    return text


def _redact_with(text: str, spelled: list[str]) -> str:
    for spelling in spelled:
        if spelling in text:
            text = text.replace(spelling, REDACTED)
    return text


def redact_tree(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` (JSON-like data) with every secret gone from every string and key."""
    spelled = spellings(secrets)
    return _tree(value, spelled) if spelled else value


def _tree(value: Any, spelled: list[str]) -> Any:
    if isinstance(value, str):
        return _redact_with(value, spelled)
    if isinstance(value, dict):
        return {_redact_with(key, spelled): _tree(item, spelled) for key, item in value.items()}
    if isinstance(value, list):
        return [_tree(item, spelled) for item in value]
    return value


def merge_streams(notebook: Any) -> None:
    """Join consecutive stream outputs of one name, as Jupyter shows them.

    A secret printed in two pieces is then one string, and is redacted.
    """
    for cell in notebook.get("cells", []):
        merged: list[Any] = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                previous["text"] = _text(previous.get("text", "")) + _text(output.get("text", ""))
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


def _text(text: str | list[str]) -> str:
    return text if isinstance(text, str) else "".join(text)


def redact_notebook_node(notebook: Any, secrets: Iterable[str]) -> Any:
    """A copy of ``notebook`` without secrets: outputs, sources and all metadata."""
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    merge_streams(copy)
    return nbformat.from_dict(redact_tree(copy, secrets))


def write_atomically(path: str, text: str) -> None:
    """Replace the file at ``path`` whole, so a reader or a crash never sees half of it."""
    folder = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".autoflow-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as output:
            output.write(text)
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def redact_file(path: str, secrets: list[str]) -> None:
    """Replace every secret in the text file at ``path``."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    redacted = redact(text, secrets)
    if redacted != text:
        write_atomically(path, redacted)


def redact_notebook(path: str, secrets: list[str]) -> None:
    """Redact the notebook at ``path``; a notebook cut short mid-write is redacted as text."""
    if not os.path.exists(path) or not spellings(secrets):
        return
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception:  # not a whole notebook: still no secret may stay in it
        redact_file(path, secrets)
        return
    redacted = nbformat.writes(redact_notebook_node(notebook, secrets))
    if redacted != text:
        write_atomically(path, redacted)


def redact_run_files(output_path: str, log_path: str, secrets: list[str]) -> None:
    """Redact a run's executed notebook and log, e.g. those of a run that died mid-write."""
    redact_notebook(output_path, secrets)
    redact_file(log_path, secrets)


class RedactingWriter:
    """A text file wrapper that writes only redacted text.

    Output arrives in pieces (a kernel's print, a pipe's chunk), so a secret may
    straddle two writes: the end of what was written that could begin a secret
    is held back until the next write shows whether it does, or until ``close``.
    Thread-safe: the kernel's own output and its cells' output share one log.
    """

    def __init__(self, output: TextIO, secrets: Iterable[str]) -> None:
        self._output = output
        self._spelled = spellings(secrets)
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            buffer = _redact_with(self._pending + text, self._spelled)
            held = self._held_back(buffer)
            self._pending = buffer[len(buffer) - held :] if held else ""
            self._output.write(buffer[: len(buffer) - held])
            self._output.flush()
        return len(text)

    def flush(self) -> None:
        with self._lock:
            self._output.flush()

    def close(self) -> None:
        """Write what was held back; the wrapped file stays open."""
        with self._lock:
            self._output.write(self._pending)
            self._pending = ""
            self._output.flush()

    def _held_back(self, buffer: str) -> int:
        """Length of the longest end of ``buffer`` that is the start of a secret."""
        longest = 0
        for spelling in self._spelled:
            tail = buffer[-(len(spelling) - 1) :] if len(spelling) > 1 else ""
            start = tail.find(spelling[0])
            while start != -1 and len(tail) - start > longest:
                if spelling.startswith(tail[start:]):
                    longest = len(tail) - start
                    break
                start = tail.find(spelling[0], start + 1)
        return longest

    def fileno(self) -> int:  # not a real file: callers must not write around the redaction
        raise OSError("a redacting writer has no file descriptor")
