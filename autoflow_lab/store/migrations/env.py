"""Alembic environment: runs against the connection ``store.database.migrate`` passes in."""

from __future__ import annotations

from alembic import context

from autoflow_lab.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things in place
)
with context.begin_transaction():
    context.run_migrations()
