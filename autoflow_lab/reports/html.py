"""An executed notebook as one self-contained HTML page, as a reader should see it.

Code is hidden, the cells papermill added (injected parameters, its red error notes)
are removed, images are embedded, and a failed run says so at the top. The page
fetches nothing but MathJax, from a local copy, and only when it has math.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from ..execution.executed_notebook import (
    ERROR_MARKER_TAG,
    INJECTED_PARAMETERS_TAG,
    describe_cell,
    error_message,
    failed_cell_index,
)
from .errors import BadReportInput, NotebookMissing
from .settings import ReportSettings

TEMPLATES = Path(__file__).parent / "templates"
WRAPPER = "autoflow_report.html.j2"

# nbconvert's conventional tags, which users may put on their cells too.
REMOVE_CELL_TAGS = {INJECTED_PARAMETERS_TAG, ERROR_MARKER_TAG, "remove-cell"}
REMOVE_INPUT_TAGS = {"remove-input"}
REMOVE_OUTPUT_TAGS = {"remove-output"}

# HTML templates that are not reports: slides load reveal.js from a CDN.
NOT_REPORTS = {"reveal"}

# Markdown that MathJax would typeset, and outputs that carry LaTeX.
MATH = re.compile(r"\$|\\\(|\\\[|\\begin\{")
MATH_MIMETYPES = ("text/latex",)


@dataclass(frozen=True)
class ReportPage:
    html: str
    title: str
    has_math: bool
    failure: str | None  # the banner's sentence, when the run failed


def read_executed(path: Path) -> Any:
    """The executed notebook at ``path``, or a ReportError naming the file."""
    if not path.is_file():
        raise NotebookMissing(f"The executed notebook '{path}' does not exist.")
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, json.JSONDecodeError) as error:
        raise BadReportInput(
            f"The executed notebook '{path}' could not be read as a notebook: {error}"
        ) from error


def html_templates() -> list[str]:
    """The names of the nbconvert templates installed that produce HTML, sorted."""
    names = set()
    for root in HTMLExporter().get_prefix_root_dirs():
        for conf in Path(root, "nbconvert", "templates").glob("*/conf.json"):
            try:
                mimetypes = json.loads(conf.read_text(encoding="utf-8")).get("mimetypes", {})
            except (OSError, ValueError):
                continue
            if mimetypes.get("text/html"):
                names.add(conf.parent.name)
    return sorted(names - NOT_REPORTS)


def check_template(template: str) -> None:
    available = html_templates()
    if template not in available:
        raise BadReportInput(
            f"There is no HTML report template named '{template}'; the templates installed"
            f" are: {', '.join(available)}. Set the step's report template or"
            " AutoflowApp.report_template to one of them.",
            field="template",
        )


def render_html(
    notebook: Any, folder: Path, settings: ReportSettings, template: str, title: str
) -> ReportPage:
    """Render ``notebook`` (executed, read from ``folder``) with the HTML template ``template``.

    ``notebook`` is changed: the report's cells replace its own.
    """
    check_template(template)
    failure = failure_sentence(notebook)
    _keep_reported_cells(notebook, failed=failure is not None)
    notebook.metadata["title"] = title
    has_math = _has_math(notebook)
    exporter = HTMLExporter(
        config=_config(),
        template_name=template,
        extra_template_paths=[str(TEMPLATES)],
        template_file=WRAPPER,
        mathjax_url=settings.mathjax_script_url(),
    )
    resources = {
        "metadata": {"name": title, "path": str(folder)},
        "report_has_math": has_math,
        "report_failure": failure,
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return ReportPage(html=body, title=title, has_math=has_math, failure=failure)


def failure_sentence(notebook: Any) -> str | None:
    """The banner's sentence for a run papermill saw fail: ``This run failed in cell N:
    Ename: message``, the cell numbered as the user's notebook numbers it."""
    if not notebook.metadata.get("papermill", {}).get("exception"):
        return None
    index = failed_cell_index(notebook)
    if index is None:
        return "This run failed before it finished."
    cell = describe_cell(notebook, index)
    where = f" in cell {cell['cell_number']}" if cell["cell_number"] else ""
    errors = [
        output
        for output in notebook.cells[index].get("outputs", [])
        if output.get("output_type") == "error"
    ]
    ename = errors[-1].get("ename", "") if errors else ""
    message = error_message(notebook, index)
    what = ": ".join(part for part in (ename, message) if part)
    return f"This run failed{where}" + (f": {what}" if what else ".")


def _keep_reported_cells(notebook: Any, *, failed: bool) -> None:
    """Drop code cells that show nothing once their code is hidden and, after a
    failure, the cells papermill never reached."""

    def shown(cell: Any) -> bool:
        if failed and cell.metadata.get("papermill", {}).get("status") == "pending":
            return False
        return not (cell.cell_type == "code" and not cell.get("outputs"))

    notebook.cells = [cell for cell in notebook.cells if shown(cell)]


def _has_math(notebook: Any) -> bool:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and MATH.search(cell.source):
            return True
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if any(mimetype in data for mimetype in MATH_MIMETYPES):
                return True
            if MATH.search(str(data.get("text/markdown", ""))):
                return True
    return False


def _config() -> Config:
    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.embed_images = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVE_CELL_TAGS
    config.TagRemovePreprocessor.remove_input_tags = REMOVE_INPUT_TAGS
    config.TagRemovePreprocessor.remove_all_outputs_tags = REMOVE_OUTPUT_TAGS
    return config
