"""What a report looks like and which local programs and files make it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..models import ReportFormat  # noqa: F401 (the reports' formats are the API's)

# MathJax 2.7's combined configuration nbconvert's templates are written for.
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"


@dataclass(frozen=True)
class ReportSettings:
    """The server's report settings; a step may override ``template``."""

    template: str = "lab"  # an nbconvert HTML template's name
    paper: Literal["A4", "Letter"] = "A4"
    chromium_path: str = "chromium"  # a name looked up on PATH, or an absolute path
    # A local MathJax 2.7 (Debian's libjs-mathjax): reports never load it from a CDN.
    mathjax_path: str = "/usr/share/javascript/mathjax"
    # Where the HTML references MathJax.js, e.g. where the server serves mathjax_path;
    # '' is a file:// URL of mathjax_path, for a report opened from the disk.
    mathjax_url: str = ""

    def mathjax_script_url(self) -> str:
        """The URL of MathJax.js with its configuration, for the report's script tag."""
        url = self.mathjax_url or (Path(self.mathjax_path) / "MathJax.js").absolute().as_uri()
        if "config=" in url:
            return url
        return f"{url}{'&' if '?' in url else '?'}config={MATHJAX_CONFIG}"
