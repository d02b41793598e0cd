"""Hotline tickets keep their responsible department and the time they are due.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:11:36.474318
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data_adapters.store.types


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("due_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("due_at")
        batch_op.drop_column("department")
