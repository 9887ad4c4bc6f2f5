"""A report's HTML printed to PDF by headless Chromium: Debian's, never a downloaded one.

Playwright drives the browser named by the settings (``executable_path``), so
neither LaTeX nor a browser download is needed. The page is served to the browser
from memory under a made-up origin, MathJax from the local copy; every other
request is refused, so printing never touches the network.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import shutil
import threading
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .errors import ReportToolMissing
from .settings import MATHJAX_CONFIG, ReportSettings

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

log = logging.getLogger(__name__)

# The made-up origin the page is printed from; requests to it never leave the browser.
ORIGIN = "http://report.autoflow.invalid"
PAGE_URL = f"{ORIGIN}/report.html"
MATHJAX_PREFIX = f"{ORIGIN}/mathjax/"
MATHJAX_PRINT_URL = f"{MATHJAX_PREFIX}MathJax.js?config={MATHJAX_CONFIG}"

LOAD_TIMEOUT_MS = 60_000
MATHJAX_TIMEOUT_MS = 20_000  # a page whose math never typesets is printed without it
MARGIN: PdfMargins = {"top": "18mm", "bottom": "18mm", "left": "12mm", "right": "12mm"}
HEADER = (
    '<div style="font-size:8px; width:100%; margin:0 12mm; color:#555;'
    ' font-family:sans-serif;"><span class="title"></span></div>'
)
FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#555;'
    ' font-family:sans-serif;"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)
# Once MathJax has started up (and so typeset the page), raise a flag after whatever
# it still has queued.
MATHJAX_WATCH = "() => MathJax.Hub.Queue(() => { window.autoflowMathDone = true; })"


def resolve_chromium(chromium_path: str) -> str:
    """The absolute path of the Chromium executable the settings name."""
    if os.sep in chromium_path:
        found = chromium_path if os.access(chromium_path, os.X_OK) else None
    else:
        found = shutil.which(chromium_path)
    if found is None or not os.path.isfile(found):
        raise ReportToolMissing(
            f"Chromium was not found at '{chromium_path}': install Debian's chromium"
            " package or set AutoflowApp.chromium_path.",
            field="chromium_path",
        )
    return os.path.abspath(found)


def print_pdf(
    page_html: str,
    mathjax_url: str,
    destination: Path,
    settings: ReportSettings,
    *,
    has_math: bool,
) -> None:
    """Print ``page_html`` to the PDF file ``destination``.

    ``mathjax_url`` is the MathJax URL written into ``page_html``; the printed copy
    loads MathJax from ``settings.mathjax_path`` instead.

    Playwright's sync API runs its own event loop and refuses a thread whose loop
    is running, so it runs in a thread of its own: callers may be in any thread.
    """
    executable = resolve_chromium(settings.chromium_path)
    if has_math and not Path(settings.mathjax_path, "MathJax.js").is_file():
        raise ReportToolMissing(
            f"MathJax was not found at '{settings.mathjax_path}': install Debian's"
            " libjs-mathjax package or set AutoflowApp.mathjax_path.",
            field="mathjax_path",
        )
    printable = page_html.replace(f'src="{mathjax_url}"', f'src="{MATHJAX_PRINT_URL}"')
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            _print(executable, printable, destination, settings, has_math=has_math)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=work, name="autoflow-report-pdf", daemon=True)
    thread.start()
    thread.join()
    if outcome:
        raise outcome[0]


def _print(
    executable: str,
    page_html: str,
    destination: Path,
    settings: ReportSettings,
    *,
    has_math: bool,
) -> None:
    # The header shows the page's <title>, which the template sets to the report's title.
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable)
        except Error as error:
            raise ReportToolMissing(
                f"Chromium at '{executable}' would not start: {error.message.splitlines()[0]}."
                " Install Debian's chromium package or set AutoflowApp.chromium_path.",
                field="chromium_path",
            ) from error
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: _serve(route, page_html, settings))
            page.goto(PAGE_URL, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            if has_math:
                _wait_for_mathjax(page)
            page.pdf(
                path=str(destination),
                format=settings.paper,
                print_background=True,
                display_header_footer=True,
                header_template=HEADER,
                footer_template=FOOTER,
                margin=MARGIN,
            )
        finally:
            browser.close()


def _wait_for_mathjax(page: Any) -> None:
    from playwright.sync_api import Error

    try:
        page.wait_for_function(
            "() => window.MathJax && MathJax.isReady",
            timeout=MATHJAX_TIMEOUT_MS,
        )
        page.evaluate(MATHJAX_WATCH)
        page.wait_for_function("() => window.autoflowMathDone", timeout=MATHJAX_TIMEOUT_MS)
    except Error as error:
        log.warning("Printing a report before MathJax typeset its math: %s", error.message)


def _serve(route: Any, page_html: str, settings: ReportSettings) -> None:
    url = route.request.url
    if url == PAGE_URL:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page_html)
        return
    if url.startswith(MATHJAX_PREFIX):
        file = _mathjax_file(settings.mathjax_path, urlsplit(url).path)
        if file is not None:
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            route.fulfill(status=200, content_type=kind, body=file.read_bytes())
            return
        route.fulfill(status=404, body="")
        return
    route.abort("blockedbyclient")


def _mathjax_file(mathjax_path: str, url_path: str) -> Path | None:
    """The file of the local MathJax copy that ``url_path`` names, if it is one."""
    relative = PurePosixPath(unquote(url_path)).relative_to("/mathjax")
    if any(part in ("", "..") for part in relative.parts):
        return None
    file = Path(mathjax_path, *relative.parts)
    return file if file.is_file() else None
