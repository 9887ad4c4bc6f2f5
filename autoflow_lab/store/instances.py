"""Instances: every server and ``autoflow`` command that executes runs, with a heartbeat.

A run belongs to the instance that accepted it. Another instance settles it only
once that owner is gone: its heartbeat has been silent for longer than the owner
timeout, or (on the same machine) its process no longer exists.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import sessionmaker

from .tables import InstanceRow


class InstanceKind(str, Enum):
    SERVER = "server"
    CLI = "cli"


@dataclass(frozen=True)
class Instance:
    id: int
    kind: InstanceKind
    hostname: str
    pid: int
    heartbeat_at: datetime

    def is_gone(self, heartbeat_cutoff: datetime, hostname: str) -> bool:
        """Silent since before ``heartbeat_cutoff``, or a process of this machine that exited."""
        if self.heartbeat_at < heartbeat_cutoff:
            return True
        return self.hostname == hostname and not _process_exists(self.pid)


class InstanceStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def register(self, kind: InstanceKind, now: datetime) -> Instance:
        with self._sessions.begin() as session:
            row = InstanceRow(
                kind=kind.value,
                hostname=this_host(),
                pid=os.getpid(),
                started_at=now,
                heartbeat_at=now,
            )
            session.add(row)
            session.flush()
            return _to_instance(row)

    def heartbeat(self, instance_id: int, now: datetime) -> bool:
        """Record that the instance lives; False if its record was removed as gone."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(InstanceRow).where(InstanceRow.id == instance_id).values(heartbeat_at=now)
            )
            return bool(changed.rowcount)  # type: ignore[attr-defined]

    def all(self) -> list[Instance]:
        with self._sessions() as session:
            return [_to_instance(row) for row in session.scalars(select(InstanceRow))]

    def remove(self, instance_ids: list[int]) -> None:
        if not instance_ids:
            return
        with self._sessions.begin() as session:
            session.execute(delete(InstanceRow).where(InstanceRow.id.in_(instance_ids)))


def this_host() -> str:
    return socket.gethostname()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def _to_instance(row: InstanceRow) -> Instance:
    return Instance(
        id=row.id,
        kind=InstanceKind(row.kind),
        hostname=row.hostname,
        pid=row.pid,
        heartbeat_at=row.heartbeat_at,
    )
