"""Reports: executed notebooks (real kernels, through papermill) as HTML and as PDF
printed by Debian's Chromium.

One succeeded and one failed notebook are executed per module and their reports
rendered once; the tests read those files.
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import papermill
import pypdfium2
import pytest
from pypdf import PdfReader

from autoflow_lab.errors import InvalidInput, NotFound, Unavailable
from autoflow_lab.reports import ReportError, ReportFormat, ReportSettings, render_reports

from .notebooks import write_cells

ARTIFACTS = Path(__file__).parent / "artifacts"
TITLE = "Calls by region"
# A 1x1 red PNG beside the notebook, which a markdown cell shows.
LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
LETTER_POINTS = (612, 792)  # 8.5 x 11 in
PAGE_SIZE_TOLERANCE = 2  # points: Chromium rounds page sizes to whole CSS pixels

CHART = (
    "import matplotlib\n"
    "matplotlib.use('agg')\n"
    "import matplotlib.pyplot as plt\n"
    "%matplotlib inline\n"
    "fig, ax = plt.subplots(figsize=(5, 3))\n"
    "ax.bar(table.region, table.calls)\n"
    "ax.set_title('Calls per region')\n"
    "plt.show()"
)


def write_report_notebook(path: Path) -> Path:
    notebook = write_cells(
        path,
        ("markdown", f"# {TITLE}\n\nThe week's calls, weighed by $E = mc^2$.\n\n![logo](logo.png)"),
        ("parameters", "scale = 1"),
        (
            "code",
            "import pandas as pd\n"
            "calls = [120 * scale, 80 * scale]\n"
            "table = pd.DataFrame({'region': ['north', 'south'], 'calls': calls})\n"
            "table",
        ),
        ("code", "print(f'Total calls: {table.calls.sum()}')"),
        ("code", CHART),
        ("code", "print('A cell the reader never sees')"),
        ("code", "print('An output the reader never sees')"),
        ("markdown", "## Appendix"),
        ("code", "for day in range(1, 121):\n    print(f'day {day}: {day * scale} calls')"),
    )
    node = nbformat.read(notebook, as_version=4)
    node.cells[5].metadata["tags"] = ["remove-cell"]
    node.cells[6].metadata["tags"] = ["remove-output"]
    nbformat.write(node, notebook)
    (path.parent / "logo.png").write_bytes(LOGO)
    return notebook


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: Path
    html_path: Path


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real kernel's run of the report notebook with ``scale = 7`` (total calls 1400)."""
    folder = tmp_path_factory.mktemp("report")
    source = write_report_notebook(folder / "calls.ipynb")
    output = folder / "calls-run-1.ipynb"
    papermill.execute_notebook(
        str(source),
        str(output),
        parameters={"scale": 7},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    return output


@pytest.fixture(scope="module")
def rendered(executed: Path) -> Rendered:
    html_path, pdf = render_reports(
        executed, [ReportFormat.HTML, ReportFormat.PDF], ReportSettings(), title=TITLE
    )
    return Rendered(html=html_path.read_text(encoding="utf-8"), pdf=pdf, html_path=html_path)


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real kernel's run that fails in the notebook's fourth cell."""
    folder = tmp_path_factory.mktemp("failed")
    source = write_cells(
        folder / "failing.ipynb",
        ("markdown", "# Failing report"),
        ("parameters", "limit = 1"),
        ("code", "print(f'checked {limit} rows')"),
        ("code", "raise ValueError(f'no data above {limit}')"),
        ("markdown", "Never reached"),
        ("code", "print('after the failure')"),
    )
    output = folder / "failing-run-1.ipynb"
    with pytest.raises(papermill.PapermillExecutionError):
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters={"limit": 3},
            kernel_name="python3",
            progress_bar=False,
        )
    return output


SOURCES = {"script": "src", "img": "src", "iframe": "src", "link": "href"}


class Resources(HTMLParser):
    """Every URL the page would fetch from the tags ``tags``."""

    def __init__(self, tags: frozenset[str]) -> None:
        super().__init__()
        self.tags = tags
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.tags:
            self.urls.extend(value or "" for name, value in attrs if name == SOURCES[tag])


def fetched(html: str, tags: frozenset[str] = frozenset(SOURCES)) -> list[str]:
    parser = Resources(tags)
    parser.feed(html)
    return parser.urls


def copy_of(executed: Path, folder: Path) -> Path:
    """The executed notebook copied into ``folder``, so its reports land there."""
    copy = folder / executed.name
    copy.write_bytes(executed.read_bytes())
    return copy


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


# HTML


def test_html_is_written_beside_the_executed_notebook(executed: Path, rendered: Rendered) -> None:
    assert rendered.html_path == executed.with_suffix(".html")
    assert rendered.pdf == executed.with_suffix(".pdf")


def test_html_hides_code(rendered: Rendered) -> None:
    assert "pd.DataFrame" not in rendered.html
    assert "print(f" not in rendered.html
    assert "Total calls: 1400" in rendered.html


def test_html_drops_the_injected_parameters_cell(rendered: Rendered) -> None:
    assert "# Parameters" not in rendered.html
    assert "scale = 7" not in rendered.html


def test_html_keeps_markdown(rendered: Rendered) -> None:
    assert f">{TITLE}<" in rendered.html
    assert "Appendix" in rendered.html


def test_html_embeds_the_chart_as_a_data_uri(rendered: Rendered) -> None:
    images = [url for url in fetched(rendered.html) if url.startswith("data:image/png;base64,")]
    # the matplotlib chart and the markdown cell's logo.png, both embedded
    assert len(images) == 2
    assert f"data:image/png;base64,{base64.b64encode(LOGO).decode()}" in images


def test_html_embeds_markdown_images_from_the_source_notebooks_folder(
    executed: Path, tmp_path: Path
) -> None:
    # Given an executed notebook kept apart from its source notebook and its logo.png
    apart = copy_of(executed, tmp_path)

    # When its report is rendered with the source notebook's folder
    [html] = render_reports(
        apart, [ReportFormat.HTML], ReportSettings(), source_folder=executed.parent
    )

    # Then the logo is embedded
    urls = fetched(html.read_text(encoding="utf-8"), frozenset({"img"}))
    assert f"data:image/png;base64,{base64.b64encode(LOGO).decode()}" in urls


def test_html_keeps_the_dataframe_table(rendered: Rendered) -> None:
    assert re.search(r"<table[^>]*class=\"dataframe\"", rendered.html)
    assert "<td>north</td>" in rendered.html
    assert "<td>840</td>" in rendered.html


def test_html_honours_remove_cell_and_remove_output_tags(rendered: Rendered) -> None:
    assert "A cell the reader never sees" not in rendered.html
    assert "An output the reader never sees" not in rendered.html


def test_html_fetches_nothing_from_the_network(rendered: Rendered) -> None:
    urls = fetched(rendered.html)
    assert not [url for url in urls if re.match(r"(https?:)?//", url)], urls
    scripts = [url for url in urls if not url.startswith("data:")]
    assert scripts == [
        "file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    ]


def test_html_references_mathjax_at_the_url_the_server_serves_it(
    executed: Path, tmp_path: Path
) -> None:
    # Given a server that serves the local MathJax copy at a URL of its own
    settings = ReportSettings(mathjax_url="/autoflow/mathjax/MathJax.js")

    # When the report is rendered
    [html] = render_reports(copy_of(executed, tmp_path), [ReportFormat.HTML], settings)

    # Then the page loads MathJax from there
    assert fetched(html.read_text(encoding="utf-8"), frozenset({"script"})) == [
        "/autoflow/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    ]


def test_html_without_math_loads_no_mathjax(tmp_path: Path) -> None:
    notebook = write_cells(tmp_path / "plain.ipynb", ("markdown", "# Plain"), ("code", "1 + 1"))
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "plain-run.ipynb"),
        kernel_name="python3",
        progress_bar=False,
    )

    [html] = render_reports(tmp_path / "plain-run.ipynb", [ReportFormat.HTML], ReportSettings())

    assert fetched(html.read_text(encoding="utf-8")) == []


def test_a_step_template_overrides_the_server_template(
    executed: Path, rendered: Rendered, tmp_path: Path
) -> None:
    [html] = render_reports(
        copy_of(executed, tmp_path), [ReportFormat.HTML], ReportSettings(), template="classic"
    )

    text = html.read_text(encoding="utf-8")
    assert 'id="notebook"' in text  # classic's page
    assert 'id="notebook"' not in rendered.html
    assert "Total calls: 1400" in text
    assert "pd.DataFrame" not in text


# A failed run


def test_a_failed_run_gets_a_report_marked_failed_with_its_error(failed: Path) -> None:
    [html_path] = render_reports(failed, [ReportFormat.HTML], ReportSettings())

    html = html_path.read_text(encoding="utf-8")
    banner = re.search(r'<div class="autoflow-report-failed"[^>]*>(.*?)</div>', html, re.S)
    assert banner, "no failure banner"
    assert "This run failed in cell 4: ValueError: no data above 3" in banner.group(1)
    assert "checked 3 rows" in html  # the cells that ran
    assert "Traceback" in html  # the error's own output


def test_a_failed_run_report_drops_papermill_notes_and_cells_never_reached(failed: Path) -> None:
    [html_path] = render_reports(failed, [ReportFormat.HTML], ReportSettings())

    html = html_path.read_text(encoding="utf-8")
    assert "An Exception was encountered" not in html
    assert "encountered an exception here" not in html
    assert "Never reached" not in html
    assert "after the failure" not in html


async def test_a_failed_run_prints_to_pdf_from_a_servers_worker_thread(failed: Path) -> None:
    # Given a server's event loop, which hands report rendering to a thread
    # When it asks for the PDF of a failed run
    [pdf] = await asyncio.to_thread(
        render_reports, failed, [ReportFormat.PDF], ReportSettings(), title="Failing report"
    )

    # Then the PDF says the run failed and shows the error
    text = pdf_text(pdf)
    assert "This run failed in cell 4: ValueError: no data above 3" in text
    assert "Traceback" in text


# PDF


def test_pdf_holds_the_title_and_a_computed_figure(rendered: Rendered) -> None:
    text = pdf_text(rendered.pdf)
    assert TITLE in text
    assert "Total calls: 1400" in text


def test_pdf_pages_are_numbered(rendered: Rendered) -> None:
    reader = PdfReader(rendered.pdf)
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert re.search(rf"\b{number}\s*/\s*{pages}\b", page.extract_text())


def test_pdf_typesets_math(rendered: Rendered) -> None:
    text = pdf_text(rendered.pdf)
    assert "$E" not in text
    assert "mc" in text


def test_pdf_is_a4_by_default(rendered: Rendered) -> None:
    box = PdfReader(rendered.pdf).pages[0].mediabox
    assert (box.width, box.height) == pytest.approx(A4_POINTS, abs=PAGE_SIZE_TOLERANCE)


def test_pdf_is_letter_when_set(executed: Path, tmp_path: Path) -> None:
    [pdf] = render_reports(
        copy_of(executed, tmp_path), [ReportFormat.PDF], ReportSettings(paper="Letter")
    )

    box = PdfReader(pdf).pages[0].mediabox
    assert (box.width, box.height) == pytest.approx(LETTER_POINTS, abs=PAGE_SIZE_TOLERANCE)


def test_pdf_first_page_renders_to_png(rendered: Rendered) -> None:
    # Saved for a person to look at; checked here for ink where the chart is.
    document = pypdfium2.PdfDocument(rendered.pdf)
    image = document[0].render(scale=1.5).to_pil()
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "report-page-1.png")
    document.close()
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    # matplotlib's default bar colour, #1f77b4
    assert any(colour == (31, 119, 180) for _, colour in colours)


# Bad settings and input


def test_a_wrong_chromium_path_names_the_setting(executed: Path, tmp_path: Path) -> None:
    copy = copy_of(executed, tmp_path)

    with pytest.raises(ReportError) as raised:
        render_reports(copy, [ReportFormat.PDF], ReportSettings(chromium_path="/opt/no-chromium"))

    assert str(raised.value) == (
        "Chromium was not found at '/opt/no-chromium': install Debian's chromium package"
        " or set AutoflowApp.chromium_path."
    )
    assert isinstance(raised.value, Unavailable)
    assert sorted(path.name for path in tmp_path.iterdir()) == [copy.name]  # nothing written


def test_a_missing_executed_notebook_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist") as raised:
        render_reports(tmp_path / "gone.ipynb", [ReportFormat.HTML], ReportSettings())

    assert isinstance(raised.value, NotFound)


def test_an_unreadable_executed_notebook_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "cut.ipynb").write_text('{"cells": [', encoding="utf-8")

    with pytest.raises(ReportError, match="could not be read as a notebook") as raised:
        render_reports(tmp_path / "cut.ipynb", [ReportFormat.HTML], ReportSettings())

    assert isinstance(raised.value, InvalidInput)
    assert not (tmp_path / "cut.html").exists()


def test_an_unknown_template_names_it_and_the_installed_ones(executed: Path) -> None:
    with pytest.raises(ReportError) as raised:
        render_reports(executed, [ReportFormat.HTML], ReportSettings(), template="fancy")

    assert isinstance(raised.value, InvalidInput)
    assert "no HTML report template named 'fancy'" in str(raised.value)
    assert "basic, classic, lab" in str(raised.value)


async def test_the_server_serves_its_local_mathjax_where_reports_reference_it(jp_fetch) -> None:
    # When MathJax is fetched where a server's reports reference it (no login needed: a
    # report shown in a sandboxed frame sends none)
    response = await jp_fetch("autoflow", "mathjax", "MathJax.js", raise_error=False)

    # Then it is the local copy, not a page or an error
    assert response.code == 200
    assert b"MathJax" in response.body[:2000]
