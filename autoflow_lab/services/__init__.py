"""Business logic: plain Python, no Tornado."""

from __future__ import annotations

from .data_trigger import DataTrigger
from .runs import Retention, RunService
from .schedule_targets import ScheduleTargets
from .schedules import ScheduleService
from .workflows import WorkflowService
from .workspace import Workspace

__all__ = [
    "DataTrigger",
    "Retention",
    "RunService",
    "ScheduleService",
    "ScheduleTargets",
    "WorkflowService",
    "Workspace",
]
