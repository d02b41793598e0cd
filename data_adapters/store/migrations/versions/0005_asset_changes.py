"""Asset status changes, polled from the data centre for each asset's status history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:56:14.573093
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data_adapters.store.types


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column(
            "ingested_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("asset_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "changed_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_changes")),
        sa.UniqueConstraint(
            "source_id", "source_key", name=op.f("uq_asset_changes_source_id_source_key")
        ),
    )
    with op.batch_alter_table("asset_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asset_changes_asset_key_changed_at"),
            ["asset_key", "changed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_asset_changes_changed_at"), ["changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("asset_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_changes_changed_at"))
        batch_op.drop_index(batch_op.f("ix_asset_changes_asset_key_changed_at"))

    op.drop_table("asset_changes")
