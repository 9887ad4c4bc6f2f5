"""Persistence: SQLAlchemy tables, queries and schema migrations."""

from __future__ import annotations

from .database import open_database
from .runs import RunStore

__all__ = ["RunStore", "open_database"]
