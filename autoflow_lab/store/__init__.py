"""Persistence: SQLAlchemy tables, queries and schema migrations."""

from __future__ import annotations

from .database import default_database_url, open_database
from .runs import RunStore

__all__ = ["RunStore", "default_database_url", "open_database"]
