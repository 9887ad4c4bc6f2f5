"""Workflow runs and their steps; runs that are steps of one, and reports of runs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workflow", sa.String(1024), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("trigger_kind", sa.String(16), nullable=False),
        sa.Column("schedule_id", sa.Integer, nullable=True),
        sa.Column("scheduled_for", sa.DateTime, nullable=True),
        sa.Column("owner_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=True),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.UniqueConstraint("schedule_id", "scheduled_for", name="uq_workflow_runs_schedule_fire"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_workflow_runs_workflow", "workflow_runs", ["workflow"])
    op.create_index("ix_workflow_runs_status", "workflow_runs", ["status"])
    op.create_index("ix_workflow_runs_schedule_id", "workflow_runs", ["schedule_id"])
    op.create_index("ix_workflow_runs_owner_id", "workflow_runs", ["owner_id"])
    op.create_table(
        "workflow_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workflow_run_id",
            sa.Integer,
            sa.ForeignKey("workflow_runs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("notebook", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.Column("source_hash", sa.String(64), nullable=True),
        sa.Column("run_parameters", sa.JSON, nullable=True),
        sa.Column("retry_at", sa.DateTime, nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.UniqueConstraint("workflow_run_id", "key", name="uq_workflow_steps_key"),
    )
    op.create_index("ix_workflow_steps_workflow_run_id", "workflow_steps", ["workflow_run_id"])
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("workflow_run_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("step_key", sa.String(100), nullable=True))
        batch.add_column(sa.Column("attempt", sa.Integer, nullable=True))
        batch.add_column(sa.Column("reports", sa.JSON, nullable=True))
        batch.create_index("ix_runs_workflow_run_id", ["workflow_run_id"])
        batch.create_unique_constraint(
            "uq_runs_workflow_step_attempt", ["workflow_run_id", "step_key", "attempt"]
        )


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_workflow_step_attempt", type_="unique")
        batch.drop_index("ix_runs_workflow_run_id")
        batch.drop_column("reports")
        batch.drop_column("attempt")
        batch.drop_column("step_key")
        batch.drop_column("workflow_run_id")
    op.drop_index("ix_workflow_steps_workflow_run_id", "workflow_steps")
    op.drop_table("workflow_steps")
    op.drop_index("ix_workflow_runs_owner_id", "workflow_runs")
    op.drop_index("ix_workflow_runs_schedule_id", "workflow_runs")
    op.drop_index("ix_workflow_runs_status", "workflow_runs")
    op.drop_index("ix_workflow_runs_workflow", "workflow_runs")
    op.drop_table("workflow_runs")
