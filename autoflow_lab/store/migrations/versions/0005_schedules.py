"""Schedules, and the schedule fire each run was made for (one run per fire).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("notebook", sa.String(1024), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("trigger", sa.JSON, nullable=False),
        sa.Column("kernel_name", sa.String(256), nullable=True),
        sa.Column("timeout", sa.Float, nullable=True),
        sa.Column("cell_timeout", sa.Float, nullable=True),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("catch_up", sa.String(16), nullable=False),
        sa.Column("catch_up_window", sa.Float, nullable=True),
        sa.Column("overlap", sa.String(16), nullable=False),
        sa.Column("skipped_fires", sa.Integer, nullable=False),
        sa.Column("last_skipped_at", sa.DateTime, nullable=True),
        sa.Column("last_fire_at", sa.DateTime, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("schedule_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("scheduled_for", sa.DateTime, nullable=True))
        batch.create_index("ix_runs_schedule_id", ["schedule_id"])
        batch.create_unique_constraint("uq_runs_schedule_fire", ["schedule_id", "scheduled_for"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_schedule_fire", type_="unique")
        batch.drop_index("ix_runs_schedule_id")
        batch.drop_column("scheduled_for")
        batch.drop_column("schedule_id")
    op.drop_table("schedules")
