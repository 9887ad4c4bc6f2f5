"""Business logic: plain Python, no Tornado."""

from __future__ import annotations

from .runs import Retention, RunService
from .workspace import Workspace

__all__ = ["Retention", "RunService", "Workspace"]
