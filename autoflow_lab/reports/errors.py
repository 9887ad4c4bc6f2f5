"""Why a report could not be made, in words that name the setting or file to fix.

Each error is also one of the domain's own kinds, so the routes map it to a status
(a missing notebook to 404, a bad template to 400, a missing browser to 503)
without knowing about reports.
"""

from __future__ import annotations

from ..errors import AutoflowError, InvalidInput, NotFound, Unavailable


class ReportError(AutoflowError):
    """A report could not be made; catch this for every report failure."""


class NotebookMissing(ReportError, NotFound):
    """The executed notebook to report on does not exist."""


class BadReportInput(ReportError, InvalidInput):
    """The executed notebook cannot be read, or the template does not exist."""


class ReportToolMissing(ReportError, Unavailable):
    """Chromium or MathJax is missing or would not start on this server."""
