"""Business logic: plain Python, no Tornado."""

from __future__ import annotations

from .runs import RunService
from .workspace import Workspace

__all__ = ["RunService", "Workspace"]
