"""Observations derived from the store: tickets per day, closed in time, warnings in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select

from data_adapters.derive.derived import derive_observations
from data_adapters.derive.run import run_derive
from data_adapters.indicators import default_indicators
from data_adapters.store.schema import alerts, observations, posts, snapshots

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # 12:00 in Lianyungang


def _ticket(key: str, hours_ago: float, district: str | None, due_in: float, closed: float | None):
    posted = NOW - timedelta(hours=hours_ago)
    return {
        "source_id": "hotline",
        "source_key": key,
        "ingested_at": NOW,
        "channel": "12345",
        "text": "路灯不亮",
        "posted_at": posted,
        "district": district,
        "due_at": posted + timedelta(hours=due_in),
        "closed_at": None if closed is None else posted + timedelta(hours=closed),
    }


def _derived(store: Engine) -> dict[tuple[str, str | None, str], float]:
    with store.connect() as connection:
        rows = connection.execute(
            select(
                observations.c.indicator,
                observations.c.district,
                observations.c.observed_at,
                observations.c.value,
            ).where(observations.c.source_id == "derived")
        ).all()
    return {(i, d, at.astimezone(UTC).isoformat()): v for i, d, at, v in rows}


def test_tickets_per_local_day_with_a_city_total(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(
            insert(posts),
            [
                _ticket("a", 1, "320706", 24, None),
                _ticket("b", 2, "320706", 24, None),
                _ticket("c", 3, None, 24, None),  # no district: counts for the city only
                _ticket("d", 13, "320703", 24, None),  # 23:00 yesterday, local time
            ],
        )
        derive_observations(connection, NOW)
    derived = _derived(store)
    today, yesterday = "2026-11-27T16:00:00+00:00", "2026-11-26T16:00:00+00:00"
    assert derived[("hotline_tickets", None, today)] == 3
    assert derived[("hotline_tickets", "320706", today)] == 2
    assert derived[("hotline_tickets", None, yesterday)] == 1
    assert derived[("hotline_tickets", None, "2026-11-20T16:00:00+00:00")] == 0


def test_closed_in_time_counts_only_tickets_already_due(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(
            insert(posts),
            [
                _ticket("a", 10, "320706", 2, 1),  # due 04:00 local... closed in time
                _ticket("b", 10, "320706", 3, 5),  # closed late
                _ticket("c", 10, "320706", 4, None),  # overdue, still open
                _ticket("d", 1, "320706", 48, None),  # not due yet: not counted
            ],
        )
        derive_observations(connection, NOW)
    value = _derived(store)[("hotline_closed_in_time", None, "2026-11-27T16:00:00+00:00")]
    assert round(value, 1) == 33.3


def test_warnings_in_force_and_expiry(store: Engine) -> None:
    def alert(key: str, state: str, expires_in: float | None, status: str = "Actual") -> dict:
        return {
            "source_id": "cap",
            "source_key": key,
            "ingested_at": NOW,
            "origin": "cap",
            "sent": NOW - timedelta(hours=3),
            "msg_type": "Alert",
            "cap_status": status,
            "state": state,
            "expires": None if expires_in is None else NOW + timedelta(hours=expires_in),
        }

    with store.begin() as connection:
        connection.execute(
            insert(alerts),
            [
                alert("in-force", "active", 6),
                alert("no-expiry", "active", None),
                alert("expired", "active", -1),
                alert("exercise", "active", 6, status="Exercise"),
                alert("cancelled", "cancelled", 6),
            ],
        )
        derive_observations(connection, NOW)
        states = dict(connection.execute(select(alerts.c.source_key, alerts.c.state)).all())
    assert _derived(store)[("active_warnings", None, "2026-11-28T04:00:00+00:00")] == 2
    assert states["expired"] == "expired" and states["in-force"] == "active"


def test_run_derive_snapshots_every_indicator(store: Engine) -> None:
    report = run_derive(store, default_indicators(), now=NOW)
    assert report.snapshots == len(default_indicators()) and report.observations > 0
    with store.connect() as connection:
        keys = set(connection.scalars(select(snapshots.c.key)))
    assert keys == {i.id for i in default_indicators()}
