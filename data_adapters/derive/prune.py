"""Pruning of snapshots: keep a window of history and always the newest of every key."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, func, select

from data_adapters.store.schema import snapshots
from data_adapters.store.writer import write_transaction

KEEP = timedelta(days=2)


def prune_snapshots(engine: Engine, now: datetime, keep: timedelta = KEEP) -> int:
    """Delete snapshots older than `keep`, except the newest of each (kind, key)."""
    newest = (
        select(snapshots.c.kind, snapshots.c.key, func.max(snapshots.c.computed_at).label("at"))
        .group_by(snapshots.c.kind, snapshots.c.key)
        .subquery()
    )
    keepers = select(snapshots.c.id).join(
        newest,
        and_(
            snapshots.c.kind == newest.c.kind,
            snapshots.c.key == newest.c.key,
            snapshots.c.computed_at == newest.c.at,
        ),
    )
    with write_transaction(engine) as connection:
        result = connection.execute(
            delete(snapshots).where(
                snapshots.c.computed_at < now - keep, snapshots.c.id.not_in(keepers)
            )
        )
    return result.rowcount or 0
