"""Indexes for the asset map's reads: one asset by its key, counts and fault rates by district.

`(source_key)` finds an asset without scanning (the unique index leads with `source_id`);
`(district, kind, status)` answers counts and fault rates by district from the index alone
and replaces `(district, kind)`, its prefix.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 13:21:04.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_source_key"), ["source_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assets_district_kind_status"),
            ["district", "kind", "status"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_assets_district_kind"))


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assets_district_kind"), ["district", "kind"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_assets_district_kind_status"))
        batch_op.drop_index(batch_op.f("ix_assets_source_key"))
