"""Run owners with heartbeats, what triggered each run, and user-facing cell numbers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RUN_COLUMNS = {
    "owner_id": sa.Integer,
    "error_cell_number": sa.Integer,
    "error_execution_count": sa.Integer,
    "error_cell_source": sa.Text,
}


def upgrade() -> None:
    op.create_table(
        "instances",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("hostname", sa.String(256), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("runs") as batch:
        for name, kind in RUN_COLUMNS.items():
            batch.add_column(sa.Column(name, kind(), nullable=True))
        # Runs recorded before triggers were kept were all started by hand.
        batch.add_column(
            sa.Column("trigger_kind", sa.String(16), nullable=False, server_default="manual")
        )
        batch.create_index("ix_runs_owner_id", ["owner_id"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_owner_id")
        batch.drop_column("trigger_kind")
        for name in RUN_COLUMNS:
            batch.drop_column(name)
    op.drop_table("instances")
