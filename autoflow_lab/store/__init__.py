"""Persistence: SQLAlchemy tables, queries and schema migrations."""

from __future__ import annotations

from .database import default_database_url, open_database
from .instances import Instance, InstanceKind, InstanceStore
from .runs import RunStore
from .schedule_dates import ScheduleDateStore, StoredDate
from .schedules import ScheduleStore, StoredSchedule
from .workflows import WorkflowRunStore

__all__ = [
    "Instance",
    "InstanceKind",
    "InstanceStore",
    "RunStore",
    "ScheduleDateStore",
    "ScheduleStore",
    "StoredDate",
    "StoredSchedule",
    "WorkflowRunStore",
    "default_database_url",
    "open_database",
]
