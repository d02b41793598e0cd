"""Read-only queries of the ops store: the public read API the web tier uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from data_adapters.store import schema

#: Domain tables whose size the overview reports, in display order.
DOMAIN_TABLES: tuple[str, ...] = ("observations", "assets", "posts", "alerts", "incidents")


def table_counts(engine: Engine, names: tuple[str, ...] = DOMAIN_TABLES) -> dict[str, int]:
    """Row counts of the named store tables."""
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(schema.metadata.tables[name]))
            or 0
            for name in names
        }


def source_statuses(engine: Engine) -> list[dict[str, Any]]:
    """Every source's last poll, success, error and row counts, by source id."""
    table = schema.source_status
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.source_id)).mappings()
        return [dict(row) for row in rows]
