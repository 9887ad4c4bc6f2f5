"""Business logic: plain Python, no Tornado."""

from __future__ import annotations

from .runs import Retention, RunService
from .schedules import ScheduleService
from .workflows import WorkflowService
from .workspace import Workspace

__all__ = ["Retention", "RunService", "ScheduleService", "WorkflowService", "Workspace"]
