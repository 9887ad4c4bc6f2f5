"""Reports: an executed notebook as self-contained HTML, and that HTML printed to PDF.

Rendering blocks (nbconvert, a browser): callers run it in a thread.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import BadReportInput, NotebookMissing, ReportError, ReportToolMissing
from .html import html_templates, read_executed, render_html
from .pdf import print_pdf, resolve_chromium
from .settings import ReportFormat, ReportSettings

__all__ = [
    "BadReportInput",
    "NotebookMissing",
    "ReportError",
    "ReportFormat",
    "ReportSettings",
    "ReportToolMissing",
    "html_templates",
    "render_reports",
    "resolve_chromium",
]


def render_reports(
    executed: Path,
    formats: Sequence[ReportFormat],
    settings: ReportSettings,
    *,
    template: str | None = None,
    title: str | None = None,
    source_folder: Path | None = None,
) -> list[Path]:
    """Write ``<stem>.html`` and/or ``<stem>.pdf`` beside the executed notebook ``executed``.

    Returns the paths written, in the order of ``formats``. ``template`` (a step's
    own) overrides ``settings.template``; ``title`` defaults to the notebook's
    ``title`` metadata, else its file name. Markdown images are read from
    ``source_folder`` (the source notebook's folder, which their paths are relative
    to), by default the executed notebook's. Each file is replaced whole, so a reader
    never sees half a report. The PDF is printed from the same HTML.
    """
    wanted = [ReportFormat(kind) for kind in dict.fromkeys(formats)]
    if not wanted:
        return []
    if ReportFormat.PDF in wanted:
        resolve_chromium(settings.chromium_path)  # before the work, not after it
    executed = Path(executed)
    notebook = read_executed(executed)
    title = title or str(notebook.metadata.get("title") or "") or executed.stem
    folder = Path(source_folder) if source_folder is not None else executed.parent
    page = render_html(notebook, folder, settings, template or settings.template, title)
    written = []
    for kind in wanted:
        target = executed.with_suffix(f".{kind.value}")
        if kind is ReportFormat.HTML:
            _replace(target, lambda path: path.write_text(page.html, encoding="utf-8"))
        else:
            _replace(
                target,
                lambda path: print_pdf(
                    page.html,
                    settings.mathjax_script_url(),
                    path,
                    settings,
                    has_math=page.has_math,
                ),
            )
        written.append(target)
    return written


def _replace(target: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` fill a temporary file beside ``target``, then rename it over ``target``."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".autoflow-", suffix=target.suffix)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
