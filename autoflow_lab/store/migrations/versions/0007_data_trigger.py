"""The FlowAPI data trigger: a schedule's reference dates, its latest check, and the
reference date a run is for.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedule_dates",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "schedule_id",
            sa.Integer,
            sa.ForeignKey("schedules.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reference_date", sa.String(10), nullable=False),
        sa.Column("parameters_hash", sa.String(64), nullable=False),
        sa.Column("available", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("armed_from", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.Integer, nullable=True),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.Column("workflow_run_id", sa.Integer, nullable=True),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint(
            "schedule_id", "reference_date", "parameters_hash", name="uq_schedule_dates"
        ),
    )
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("last_check_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("last_check_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("last_check_message", sa.Text, nullable=True))
    for table in ("runs", "workflow_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reference_date", sa.String(10), nullable=True))


def downgrade() -> None:
    for table in ("runs", "workflow_runs"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reference_date")
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("last_check_message")
        batch.drop_column("last_check_status")
        batch.drop_column("last_check_at")
    op.drop_table("schedule_dates")
