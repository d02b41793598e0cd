"""Observations the clock derives from the store itself, for indicators no source reports:
12345 tickets per day, the share closed in time, warnings in force, open incidents.

Written as ordinary observations (`source_id = "derived"`), keyed by indicator, district and
period, so each run overwrites its own figures; the indicator snapshots read them like any
other. Days are local days in Asia/Shanghai. Alerts whose `expires` has passed are marked
`expired` here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from data_adapters.derive.periods import period_start, shift
from data_adapters.ingest import upsert
from data_adapters.store.schema import alerts, incidents, observations, posts

SOURCE_ID = "derived"
HOTLINE_CHANNEL = "12345"
RECENT_DAYS = 2  # days recomputed on every run
BACKFILL_DAYS = 30  # days computed when the derived history is missing
FINAL_INCIDENT_STATES = ("resolved", "closed", "cancelled")


def derive_observations(connection: Connection, now: datetime) -> int:
    """Recompute the derived observations; return how many rows were written."""
    expire_alerts(connection, now)
    days = RECENT_DAYS if _has_history(connection, now) else BACKFILL_DAYS
    first_day = shift(period_start(now, "day"), "day", -(days - 1))
    rows = [
        *hotline_tickets(connection, first_day, now),
        *hotline_closed_in_time(connection, first_day, now),
        *warnings_in_force(connection, now),
        *open_incidents(connection, now),
    ]
    stamped = [{**row, "source_id": SOURCE_ID, "ingested_at": now} for row in rows]
    upsert(connection, observations, stamped, keys=("source_id", "source_key"))
    return len(stamped)


def expire_alerts(connection: Connection, now: datetime) -> None:
    """Alerts past their `expires` time are no longer in force."""
    connection.execute(
        update(alerts)
        .where(alerts.c.state == "active", alerts.c.expires.is_not(None), alerts.c.expires < now)
        .values(state="expired")
    )


def hotline_tickets(connection: Connection, first_day: datetime, now: datetime) -> list[dict]:
    """12345 tickets per district per local day, and the city's total (a city row, since
    tickets without a known district count for the city)."""
    times = connection.execute(
        select(posts.c.district, posts.c.posted_at).where(
            posts.c.channel == HOTLINE_CHANNEL,
            posts.c.posted_at >= first_day,
            posts.c.posted_at <= now,
        )
    ).all()
    counts: Counter[tuple[str | None, datetime]] = Counter()
    for day in _days(first_day, now):  # a day without tickets is a zero, not a gap
        counts[(None, day)] = 0
    for district, at in times:
        day = period_start(at, "day")
        counts[(None, day)] += 1
        if district:
            counts[(district, day)] += 1
    return [
        _observation("hotline_tickets", district, day, float(count))
        for (district, day), count in counts.items()
    ]


def hotline_closed_in_time(
    connection: Connection, first_day: datetime, now: datetime
) -> list[dict]:
    """Per local day: of the tickets due that day (and already due), the share closed in time."""
    rows = connection.execute(
        select(posts.c.due_at, posts.c.closed_at).where(
            posts.c.channel == HOTLINE_CHANNEL,
            posts.c.due_at >= first_day,
            posts.c.due_at <= now,
        )
    ).all()
    due: Counter[datetime] = Counter()
    in_time: Counter[datetime] = Counter()
    for due_at, closed_at in rows:
        day = period_start(due_at, "day")
        due[day] += 1
        in_time[day] += closed_at is not None and closed_at <= due_at
    return [
        _observation("hotline_closed_in_time", None, day, 100.0 * in_time[day] / due[day])
        for day in due
    ]


def warnings_in_force(connection: Connection, now: datetime) -> list[dict]:
    """Early warnings in force now (actual, active, begun and not expired; spikes in the
    posts are alerts, not warnings), this hour."""
    count = connection.scalar(
        select(func.count())
        .select_from(alerts)
        .where(
            alerts.c.state == "active",
            alerts.c.cap_status == "Actual",
            alerts.c.origin != "spike",  # a spike in the posts is no early warning
            or_(alerts.c.onset.is_(None), alerts.c.onset <= now),
            or_(alerts.c.expires.is_(None), alerts.c.expires > now),
        )
    )
    return [_observation("active_warnings", None, period_start(now, "hour"), float(count or 0))]


def open_incidents(connection: Connection, now: datetime) -> list[dict]:
    """Incidents not yet resolved, by district, this hour."""
    rows = connection.execute(
        select(incidents.c.district, func.count())
        .where(and_(incidents.c.state.not_in(FINAL_INCIDENT_STATES)))
        .group_by(incidents.c.district)
    ).all()
    hour = period_start(now, "hour")
    found = [_observation("open_incidents", d, hour, float(n)) for d, n in rows]
    return found or [_observation("open_incidents", None, hour, 0.0)]


def _has_history(connection: Connection, now: datetime) -> bool:
    oldest = connection.scalar(
        select(func.min(observations.c.observed_at)).where(
            observations.c.source_id == SOURCE_ID,
            observations.c.indicator == "hotline_tickets",
        )
    )
    return oldest is not None and oldest <= now - timedelta(days=BACKFILL_DAYS - 1)


def _days(first_day: datetime, now: datetime) -> Iterable[datetime]:
    day = first_day
    while day <= now:
        yield day
        day = shift(day, "day", 1)


def _observation(indicator: str, district: str | None, start: datetime, value: float) -> dict:
    row: dict[str, Any] = {
        "source_key": f"{indicator}|{district or ''}|{start.isoformat()}",
        "indicator": indicator,
        "district": district,
        "observed_at": start,
        "value": value,
    }
    return row
