"""The clock's leader lease: one row per lease name, held until it expires.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:41:36.309794
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data_adapters.store.types


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clock_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column(
            "acquired_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_clock_lease")),
    )


def downgrade() -> None:
    op.drop_table("clock_lease")
