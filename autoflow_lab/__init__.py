"""AutoFlow Lab: schedule, chain and debug parametrised notebooks inside JupyterLab."""

from __future__ import annotations

try:
    from ._version import __version__
except ImportError:  # a source tree that was never built by hatch
    __version__ = "0.0.0.dev0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "autoflow-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, object]]:
    # Imported here so worker processes that only execute notebooks do not pay
    # for importing jupyter_server.
    from .app import AutoflowApp

    return [{"module": "autoflow_lab", "app": AutoflowApp}]
