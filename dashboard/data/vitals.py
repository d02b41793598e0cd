"""What the vital signs page reads: the newest indicator snapshots, the detail's series from
the observations, and the alerts and incidents marked on it; and the view a URL asks for.

Every query is a small SQLAlchemy Core select on an index: snapshots by (kind, key,
computed_at), observations by (indicator, observed_at), alerts by sent time, incidents by
update time. The detail's series is rolled up by the clock's own `snapshot_payload`, so a
period's value on the page is the value the tile shows.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, true

from dashboard.data.freshness import Freshness
from dashboard.paths import districts_geojson
from data_adapters.derive.indicators import KIND, snapshot_payload
from data_adapters.derive.periods import period_start
from data_adapters.indicators import Indicator
from data_adapters.store.schema import alerts, incidents, observations, snapshots

#: The detail's time ranges, in the order the range control lists them.
RANGES: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "12m": timedelta(days=365),
}
DEFAULT_RANGE = "7d"
#: Indicators computed by the clock from the store itself have no source of their own: they
#: are fresh while the clock keeps snapshotting them.
DERIVED_SOURCE = "derived"
DERIVED_LIMIT = timedelta(minutes=5)
MARKS_LIMIT = 200  # alerts or incidents marked on one series at most (the newest)


@dataclass(frozen=True)
class View:
    """What the page shows: the open indicator (if any), the detail's range and district."""

    indicator: str | None = None
    range: str = DEFAULT_RANGE
    district: str | None = None

    def query(self) -> dict[str, str]:
        """The URL query that restores this view (defaults left out)."""
        items = {"indicator": self.indicator, "district": self.district}
        items["range"] = None if self.range == DEFAULT_RANGE else self.range
        return {key: value for key, value in items.items() if value}


@dataclass(frozen=True)
class Snapshot:
    """The newest snapshot of one indicator."""

    key: str
    computed_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Mark:
    """An alert or incident marked on a series at its time."""

    at: datetime
    severity: str
    title: str


def _first(value: object) -> str | None:
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def parse_view(query: Mapping[str, object], indicator_ids: Iterable[str]) -> View:
    """The view of a URL query; anything unknown falls back to the default."""
    indicator = _first(query.get("indicator"))
    chosen_range = _first(query.get("range"))
    district = _first(query.get("district"))
    return View(
        indicator=indicator if indicator in set(indicator_ids) else None,
        range=chosen_range if chosen_range in RANGES else DEFAULT_RANGE,
        district=district if district in district_names() else None,
    )


@cache
def district_names() -> dict[str, tuple[str, str]]:
    """The six districts and counties: adcode -> (Chinese name, English name)."""
    collection = json.loads(districts_geojson().read_text(encoding="utf-8"))
    return {
        f["properties"]["adcode"]: (f["properties"]["name_zh"], f["properties"]["name_en"])
        for f in collection["features"]
    }


def district_name(adcode: str, language: str) -> str:
    """A district's name in `language`; the code itself when unknown."""
    names = district_names().get(adcode)
    if names is None:
        return adcode
    return names[0] if language == "zh" else names[1]


def window(chosen_range: str, period: str, now: datetime) -> tuple[datetime, datetime]:
    """The detail's time window: whole periods of the indicator covering the range to now."""
    span = RANGES.get(chosen_range, RANGES[DEFAULT_RANGE])
    return period_start(now - span, period), now


def newest_snapshots(
    engine: Engine, kind: str = KIND, keys: Collection[str] | None = None
) -> dict[str, Snapshot]:
    """The newest snapshot of every key of `kind` (or of `keys`), in one query on the
    (kind, key, computed_at) index."""
    newest = select(snapshots.c.key, func.max(snapshots.c.computed_at).label("at")).where(
        snapshots.c.kind == kind
    )
    if keys is not None:
        newest = newest.where(snapshots.c.key.in_(list(keys)))
    newest = newest.group_by(snapshots.c.key).subquery()
    query = select(snapshots.c.key, snapshots.c.computed_at, snapshots.c.payload).join(
        newest,
        and_(
            snapshots.c.kind == kind,
            snapshots.c.key == newest.c.key,
            snapshots.c.computed_at == newest.c.at,
        ),
    )
    with engine.connect() as connection:
        return {
            row.key: Snapshot(row.key, row.computed_at, row.payload)
            for row in connection.execute(query)
        }


def newest_computed_at(engine: Engine, kind: str = KIND) -> datetime | None:
    """When the newest snapshot of `kind` was computed: what a refresh compares."""
    query = (
        select(snapshots.c.computed_at)
        .where(snapshots.c.kind == kind)
        .order_by(snapshots.c.computed_at.desc())
        .limit(1)
    )
    with engine.connect() as connection:
        return connection.scalar(query)


def observation_rows(
    engine: Engine, observation: str, start: datetime, end: datetime, district: str | None
) -> list[tuple[str | None, datetime, float]]:
    """`(district, observed_at, value)` of one observed quantity in [start, end], of one
    district or of all (city rows included), on the (indicator, observed_at) index."""
    query = select(observations.c.district, observations.c.observed_at, observations.c.value).where(
        observations.c.indicator == observation,
        observations.c.observed_at >= start,
        observations.c.observed_at <= end,
    )
    if district is not None:
        query = query.where(observations.c.district == district)
    with engine.connect() as connection:
        return [(row.district, row.observed_at, row.value) for row in connection.execute(query)]


def detail_series(
    engine: Engine, indicator: Indicator, view: View, now: datetime
) -> list[tuple[datetime, float]]:
    """The indicator's value per period over the view's range, for the city or one district,
    rolled up exactly as the clock's snapshots are."""
    start, end = window(view.range, indicator.period, now)
    rows = observation_rows(engine, indicator.observation, start, end, view.district)
    if view.district is not None:  # one district's readings make its own figure
        indicator = indicator.model_copy(update={"city": "max"})
    payload = snapshot_payload(indicator, rows, now)
    return [(datetime.fromisoformat(at), value) for at, value in payload["series"]]


def _near(column: Any, district: str | None) -> Any:
    """A district filter that keeps what has no district (city-wide)."""
    return true() if district is None else or_(column == district, column.is_(None))


def alert_marks(engine: Engine, start: datetime, end: datetime, district: str | None) -> list[Mark]:
    """Alerts sent in [start, end] (of the district or city-wide), newest first."""
    query = (
        select(alerts.c.sent, alerts.c.severity, alerts.c.headline, alerts.c.event)
        .where(alerts.c.sent >= start, alerts.c.sent <= end, _near(alerts.c.district, district))
        .order_by(alerts.c.sent.desc())
        .limit(MARKS_LIMIT)
    )
    with engine.connect() as connection:
        return [
            Mark(row.sent, (row.severity or "unknown").lower(), row.headline or row.event or "")
            for row in connection.execute(query)
        ]


def incident_marks(
    engine: Engine, start: datetime, end: datetime, district: str | None
) -> list[Mark]:
    """Incidents created in [start, end] (of the district or city-wide), newest first.

    An incident is updated no earlier than it is created, so `updated_at >= start` (indexed)
    narrows the scan before `created_at` is tested.
    """
    query = (
        select(incidents.c.created_at, incidents.c.severity, incidents.c.title)
        .where(
            incidents.c.updated_at >= start,
            incidents.c.created_at >= start,
            incidents.c.created_at <= end,
            _near(incidents.c.district, district),
        )
        .order_by(incidents.c.created_at.desc())
        .limit(MARKS_LIMIT)
    )
    with engine.connect() as connection:
        return [
            Mark(row.created_at, row.severity.lower(), row.title)
            for row in connection.execute(query)
        ]


def indicator_freshness(
    indicator: Indicator,
    sources: Mapping[str, Freshness],
    computed_at: datetime | None,
    now: datetime,
) -> Freshness:
    """The freshness a tile shows: its source's; a derived indicator's is the age of its
    newest snapshot (`computed_at`), and a source the configuration does not know is stale
    (nobody vouches for it)."""
    if indicator.source == DERIVED_SOURCE:
        stale = computed_at is None or now - computed_at > DERIVED_LIMIT
        return Freshness(DERIVED_SOURCE, computed_at, DERIVED_LIMIT, stale, None)
    known = sources.get(indicator.source)
    return known or Freshness(indicator.source, None, timedelta(0), True, None)
