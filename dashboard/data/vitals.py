"""What the vital signs page reads: the newest indicator snapshots, the detail's series from
the observations, and the alerts and incidents marked on it; and the view a URL asks for.

Every query is a small SQLAlchemy Core select on an index: snapshots by (kind, key,
computed_at), observations by (indicator, observed_at), alerts by sent time, incidents by
update time. The detail's series is rolled up by the clock's own `snapshot_payload`, so a
period's value on the page is the value the tile shows; where it gives the same result, the
database first sums (or averages...) the readings per district and hour, so a month of
readings from a hundred stations arrives as a few thousand rows.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

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
#: The range a detail opens with: enough periods of the indicator to see a trend.
PERIOD_RANGES: dict[str, str] = {"hour": "7d", "day": "30d", "month": "12m", "quarter": "12m"}
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
        """The URL query that restores this view: nothing while no detail is open."""
        if self.indicator is None:
            return {}
        query = {"indicator": self.indicator, "range": self.range}
        if self.district is not None:
            query["district"] = self.district
        return query


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


def default_range(indicator: Indicator | None) -> str:
    """The range a detail of `indicator` opens with."""
    return PERIOD_RANGES[indicator.period] if indicator is not None else DEFAULT_RANGE


def parse_view(query: Mapping[str, object], indicators: Mapping[str, Indicator]) -> View:
    """The view of a URL query; anything unknown falls back to the default (no indicator,
    the indicator's default range, all districts)."""
    indicator = indicators.get(_first(query.get("indicator")) or "")
    chosen_range = _first(query.get("range"))
    district = _first(query.get("district"))
    return View(
        indicator=indicator.id if indicator is not None else None,
        range=chosen_range if chosen_range in RANGES else default_range(indicator),
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


def newest_snapshots_query(keys: Collection[str], kind: str = KIND) -> Select:
    """The newest snapshot of each of `keys` of `kind`: for each wanted key, its newest
    `computed_at` and then its row, both seeks on the (kind, key, computed_at) index.

    (A GROUP BY of the newest time per key reads every snapshot kept: two days of one a
    minute for 28 indicators took 30-80 ms; this takes 1-3 ms on SQLite and PostgreSQL.)
    """
    wanted = union_all(*[select(literal(key).label("key")) for key in keys]).subquery("wanted")
    older = snapshots.alias("older")
    newest_at = (
        select(func.max(older.c.computed_at))
        .where(older.c.kind == kind, older.c.key == wanted.c.key)
        .scalar_subquery()
    )
    return select(snapshots.c.key, snapshots.c.computed_at, snapshots.c.payload).join(
        wanted,
        and_(
            snapshots.c.kind == kind,
            snapshots.c.key == wanted.c.key,
            snapshots.c.computed_at == newest_at,
        ),
    )


def newest_snapshots(
    engine: Engine, keys: Collection[str], kind: str = KIND
) -> dict[str, Snapshot]:
    """The newest snapshot of each of `keys` that has one, by key, in one query."""
    if not keys:
        return {}
    with engine.connect() as connection:
        return {
            row.key: Snapshot(row.key, row.computed_at, row.payload)
            for row in connection.execute(newest_snapshots_query(keys, kind))
        }


def newest_computed_at(engine: Engine, keys: Collection[str], kind: str = KIND) -> datetime | None:
    """When the newest snapshot of any of `keys` was computed: what a refresh compares (one
    index seek per key)."""
    query = select(func.max(snapshots.c.computed_at)).where(
        snapshots.c.kind == kind, snapshots.c.key.in_(list(keys))
    )
    with engine.connect() as connection:
        return connection.scalar(query)


Row = tuple[str | None, datetime, float]
_AGGREGATES = {"mean": func.avg, "sum": func.sum, "max": func.max, "min": func.min}


def hourly_exact(indicator: Indicator) -> bool:
    """Whether the indicator's roll-up gives the same result from hourly aggregates as from
    the readings: sums, maxima and minima always; means only when the period is the hour.
    (Periods are local to Asia/Shanghai, whose offset is whole hours: a UTC hour is a local
    hour.)"""
    return indicator.rollup in ("sum", "max", "min") or (
        indicator.rollup == "mean" and indicator.period == "hour"
    )


def _window_filter(
    observation: str, start: datetime, end: datetime, district: str | None
) -> list[Any]:
    conditions = [
        observations.c.indicator == observation,
        observations.c.observed_at >= start,
        observations.c.observed_at <= end,
    ]
    if district is not None:
        conditions.append(observations.c.district == district)
    return conditions


def observation_rows_query(
    observation: str, start: datetime, end: datetime, district: str | None
) -> Select:
    """`(district, observed_at, value)` of one observed quantity in [start, end], of one
    district or of all (city rows included), on the (indicator, observed_at) index."""
    query = select(observations.c.district, observations.c.observed_at, observations.c.value)
    return query.where(*_window_filter(observation, start, end, district))


def observation_rows(
    engine: Engine, observation: str, start: datetime, end: datetime, district: str | None
) -> list[Row]:
    """The readings of `observation_rows_query`."""
    query = observation_rows_query(observation, start, end, district)
    with engine.connect() as connection:
        return [(row.district, row.observed_at, row.value) for row in connection.execute(query)]


def _hour_of(dialect: str) -> Any:
    """SQL truncating `observed_at` to its UTC hour.

    SQLite keeps the store's times as naive UTC text, "YYYY-MM-DD HH:MM:SS.ffffff": its first
    13 characters are the hour (a third faster than `strftime` over a month of readings).
    """
    column = observations.c.observed_at
    if dialect == "sqlite":
        return func.substr(column, 1, 13)
    return func.date_trunc(literal_column("'hour'"), column)


def _read_hour(dialect: str, value: Any) -> datetime:
    """An hour from `_hour_of` as an aware UTC time."""
    if dialect == "sqlite":
        return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return value.astimezone(UTC)


def hourly_rows_query(
    dialect: str,
    observation: str,
    rollup: str,
    start: datetime,
    end: datetime,
    district: str | None,
) -> Select:
    """Like `observation_rows_query`, aggregated in SQL to one row per district and hour by
    `rollup` (mean, sum, max or min)."""
    hour = _hour_of(dialect)
    return (
        select(
            observations.c.district, hour.label("hour"), _AGGREGATES[rollup](observations.c.value)
        )
        .where(*_window_filter(observation, start, end, district))
        .group_by(observations.c.district, hour)
    )


def hourly_rows(
    engine: Engine,
    observation: str,
    rollup: str,
    start: datetime,
    end: datetime,
    district: str | None,
) -> list[Row]:
    """The hourly aggregates of `hourly_rows_query`: a month of readings from a hundred
    stations comes back as a few thousand rows."""
    dialect = engine.dialect.name
    query = hourly_rows_query(dialect, observation, rollup, start, end, district)
    with engine.connect() as connection:
        return [
            (row[0], _read_hour(dialect, row[1]), float(row[2]))
            for row in connection.execute(query)
        ]


def detail_series(
    engine: Engine, indicator: Indicator, view: View, now: datetime
) -> list[tuple[datetime, float]]:
    """The indicator's value per period over the view's range, for the city or one district,
    rolled up by the clock's own `snapshot_payload`, from hourly aggregates where they give
    the same result (see `hourly_exact`)."""
    start, end = window(view.range, indicator.period, now)
    if hourly_exact(indicator):
        rows = hourly_rows(
            engine, indicator.observation, indicator.rollup, start, end, view.district
        )
    else:
        rows = observation_rows(engine, indicator.observation, start, end, view.district)
    if view.district is not None:  # one district's readings make its own figure
        indicator = indicator.model_copy(update={"city": "max"})
    payload = snapshot_payload(indicator, rows, now)
    return [(datetime.fromisoformat(at), value) for at, value in payload["series"]]


def _near(column: Any, district: str | None) -> Any:
    """A district filter that keeps what has no district (city-wide)."""
    return true() if district is None else or_(column == district, column.is_(None))


def alert_marks(engine: Engine, start: datetime, end: datetime, district: str | None) -> list[Mark]:
    """Early warnings and rule alerts sent in [start, end] (of the district or city-wide),
    newest first; public-sentiment spikes are the sentiment page's, not an indicator's."""
    query = (
        select(alerts.c.sent, alerts.c.severity, alerts.c.headline, alerts.c.event)
        .where(
            alerts.c.sent >= start,
            alerts.c.sent <= end,
            alerts.c.origin != "spike",
            _near(alerts.c.district, district),
        )
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
