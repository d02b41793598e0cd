"""The data centre's resource directory, polled into the store for the sources page.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:47:19.657901
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import data_adapters.store.types


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_entries",
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
        sa.Column("resource_id", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("provider_en", sa.String(length=128), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("share_type", sa.String(length=16), nullable=False),
        sa.Column("update_cycle", sa.String(length=16), nullable=False),
        sa.Column("base_database", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "updated_at", data_adapters.store.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_entries")),
        sa.UniqueConstraint(
            "source_id", "source_key", name=op.f("uq_catalogue_entries_source_id_source_key")
        ),
    )
    with op.batch_alter_table("catalogue_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_catalogue_entries_provider"), ["provider"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("catalogue_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalogue_entries_provider"))

    op.drop_table("catalogue_entries")
