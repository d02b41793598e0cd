"""Helpers of the feed server tests: the data centre's settings, direct reads of its database
(what the feeds must match), and walking an adapter's polls to the end.

The start is fixed (a past hour with a gale warning in its history, so the CAP feed has
messages) and everything before it is history, so the adapters' signposts never cut it off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from data_adapters.contract import Adapter, Record, Rejected, Watermark
from simulator import DataCentre
from simulator.server import FeedServer

ROOT = Path(__file__).resolve().parents[2]
DISTRICTS = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
START = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
TOKEN = "test-exchange-token"
TOKEN_ENV = "CITYOPS_SIM_EXCHANGE_TOKEN"


@dataclass
class Site:
    """The running data centre and its feed server."""

    centre: DataCentre
    server: FeedServer

    @property
    def url(self) -> str:
        return self.server.url

    def scalar(self, stmt: Any) -> Any:
        with self.centre.engine.connect() as conn:
            return conn.execute(stmt).scalar_one()

    def rows(self, stmt: Any) -> list[Any]:
        with self.centre.engine.connect() as conn:
            return conn.execute(stmt).all()

    def count(self, table: Any, *where: ColumnElement[bool]) -> int:
        return self.scalar(select(func.count()).select_from(table).where(*where))


def poll_all(adapter: Adapter, since: Watermark | None = None, limit: int = 60) -> Polled:
    """Poll until the adapter has nothing more waiting (`Batch.more` False)."""
    polled = Polled(since)
    for _ in range(limit):
        batch = adapter.poll(polled.watermark)
        polled.polls += 1
        polled.keys += [record.key for record in batch.records]
        polled.records.update({record.key: record for record in batch.records})
        polled.rejected += batch.rejected
        polled.watermark = batch.watermark
        if not batch.more:
            return polled
    raise AssertionError(f"still more to read after {limit} polls")


@dataclass
class Polled:
    """What a walk of polls gathered."""

    watermark: Watermark | None
    polls: int = 0
    keys: list[str] = field(default_factory=list)
    records: dict[str, Record] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)


def days_back_to(moment: datetime) -> float:
    """The `backfill_days` that reach from now back to `moment` (START is fixed, now moves)."""
    return (datetime.now(UTC) - moment).total_seconds() / 86_400


def beijing(moment: datetime) -> str:
    """`moment` as a query parameter in Beijing time (`+08:00`)."""
    return moment.astimezone(timezone(timedelta(hours=8))).isoformat()


def zulu(moment: datetime) -> str:
    """`moment` as SensorThings writes it (UTC with `Z`)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
