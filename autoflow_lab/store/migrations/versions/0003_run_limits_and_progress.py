"""Record each run's time limits and its live progress.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "timeout": sa.Float,
    "cell_timeout": sa.Float,
    "cells_done": sa.Integer,
    "cells_total": sa.Integer,
    "current_cell": sa.Integer,
}


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name, kind in COLUMNS.items():
            batch.add_column(sa.Column(name, kind(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
