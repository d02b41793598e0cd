"""Freshness of each source: when it last succeeded, and whether that is within the limit its
catalogue update cycle allows. A value from a stale source is shown as stale, neither green
nor red, whatever its own level."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from data_adapters.cycles import freshness_limit
from data_adapters.sources.config import SourceSpec
from data_adapters.store.schema import source_status


@dataclass(frozen=True)
class Freshness:
    """A source's freshness at one moment."""

    source_id: str
    last_success: datetime | None
    limit: timedelta
    stale: bool
    error: str | None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.last_success is None else now - self.last_success


def freshness_of(
    engine: Engine, specs: Mapping[str, SourceSpec], now: datetime
) -> dict[str, Freshness]:
    """Every configured source's freshness; a source never polled is stale."""
    with engine.connect() as connection:
        rows = {
            row.source_id: row
            for row in connection.execute(
                select(
                    source_status.c.source_id,
                    source_status.c.last_success_at,
                    source_status.c.last_error,
                )
            )
        }
    result = {}
    for source_id, spec in specs.items():
        limit = freshness_limit(spec.catalogue.update_cycle)
        row = rows.get(source_id)
        last = row.last_success_at if row else None
        result[source_id] = Freshness(
            source_id=source_id,
            last_success=last,
            limit=limit,
            stale=last is None or now - last > limit,
            error=row.last_error if row else None,
        )
    return result
