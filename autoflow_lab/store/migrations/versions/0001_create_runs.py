"""Create the runs table.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("notebook", sa.String(1024), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("output", sa.String(1024), nullable=True),
        sa.Column("error_cell_index", sa.Integer(), nullable=True),
        sa.Column("error_ename", sa.String(256), nullable=True),
        sa.Column("error_evalue", sa.Text(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_runs_notebook", "runs", ["notebook"])
    op.create_index("ix_runs_status", "runs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_runs_status", table_name="runs")
    op.drop_index("ix_runs_notebook", table_name="runs")
    op.drop_table("runs")
