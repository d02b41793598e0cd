"""Post processing: the masked text, the topic and when a post was processed; indexes for the
posts waiting to be processed (partial: only rows with `processed_at IS NULL`) and for counts
by topic over a time window.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 14:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from data_adapters.store.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNPROCESSED = sa.text("processed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_masked", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("topic", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("processed_at", UTCDateTime(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_posts_posted_at_topic"), ["posted_at", "topic"], unique=False
        )
        batch_op.create_index(
            "ix_posts_unprocessed",
            ["posted_at"],
            unique=False,
            sqlite_where=UNPROCESSED,
            postgresql_where=UNPROCESSED,
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_unprocessed")
        batch_op.drop_index(batch_op.f("ix_posts_posted_at_topic"))
        batch_op.drop_column("processed_at")
        batch_op.drop_column("topic")
        batch_op.drop_column("text_masked")
