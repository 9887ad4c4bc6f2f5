"""How long the example workflow's report takes to render as HTML and as PDF.

The example workflow (examples/workflows/daily_report.autoflow.yaml) is executed
step by step with papermill on a real kernel, in a temporary copy: its two
summaries, then the report notebook reading both (a table and two matplotlib
charts). That executed notebook is then rendered: HTML alone, then PDF alone
(nbconvert's HTML printed by Debian's Chromium, a browser launched per report).
The first render of each is reported apart: it pays for imports and a cold disk.

Run: .venv/bin/python benchmarks/reports.py
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import papermill
from pypdf import PdfReader
from report import run_benchmark, show, spread

from autoflow_lab.reports import ReportFormat, ReportSettings, render_reports

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "workflows"
SAMPLES = 5


def execute(folder: Path, notebook: str, output: str, **parameters: str) -> Path:
    papermill.execute_notebook(
        str(folder / notebook),
        str(folder / output),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    return folder / output


def executed_report(work: Path) -> Path:
    """The example's report notebook, executed as its workflow would execute it."""
    folder = work / "workflows"
    shutil.copytree(EXAMPLE, folder)
    calls = execute(folder, "calls_by_region.ipynb", "calls-run.ipynb")
    sms = execute(folder, "sms_activity.ipynb", "sms-run.ipynb")
    return execute(
        folder,
        "daily_report.ipynb",
        "report-run.ipynb",
        calls_notebook=str(calls),
        sms_notebook=str(sms),
    )


def timed(render: Callable[[], list[Path]]) -> float:
    began = time.perf_counter()
    render()
    return time.perf_counter() - began


def run_benchmarks(work: Path) -> list[str]:
    began = time.perf_counter()
    executed = executed_report(work)
    executing = time.perf_counter() - began
    settings = ReportSettings()

    def html() -> list[Path]:
        return render_reports(executed, [ReportFormat.HTML], settings)

    def pdf() -> list[Path]:
        return render_reports(executed, [ReportFormat.PDF], settings)

    first_html = timed(html)
    htmls = [timed(html) for _ in range(SAMPLES)]
    first_pdf = timed(pdf)
    pdfs = [timed(pdf) for _ in range(SAMPLES)]

    html_file, pdf_file = executed.with_suffix(".html"), executed.with_suffix(".pdf")
    pages = len(PdfReader(pdf_file).pages)
    return [
        f"Example report: {EXAMPLE.relative_to(EXAMPLE.parent.parent)}/daily_report.ipynb,"
        f" its workflow's three notebooks executed with papermill in {show(executing)}",
        f"   HTML {html_file.stat().st_size / 1024:.0f} KiB;"
        f" PDF {pdf_file.stat().st_size / 1024:.0f} KiB, {pages} {settings.paper} pages",
        "",
        "1. HTML (nbconvert, code hidden, images embedded)",
        f"   first render   {show(first_html)}",
        f"   then           {spread(htmls)}",
        "2. PDF (the same HTML printed by Debian's Chromium, launched per report)",
        f"   first render   {show(first_pdf)}",
        f"   then           {spread(pdfs)}",
    ]


def main() -> int:
    return run_benchmark("AutoFlow Lab reports benchmark", run_benchmarks)


if __name__ == "__main__":
    sys.exit(main())
