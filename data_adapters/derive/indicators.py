"""Indicator snapshots: for each indicator, the latest value for the city and each district,
the previous period's value, a series for the sparkline and the status against thresholds.

Computed by the clock from the observations in the store and appended to `snapshots` (kind
`indicator`) with `computed_at`, the newest data they reflect (`source_freshness`) and the
time they took. Pages read the newest snapshot; they never aggregate observations themselves.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from data_adapters.derive.periods import period_start, window_start
from data_adapters.indicators import Indicator
from data_adapters.store.schema import observations, snapshots
from data_adapters.store.writer import write_transaction

KIND = "indicator"
_ROLLUPS = {"mean": fmean, "sum": sum, "max": max, "min": min}


def snapshot_payload(
    indicator: Indicator, rows: Iterable[tuple[str | None, datetime, float]], now: datetime
) -> dict[str, Any]:
    """The snapshot of one indicator from its observations `(district, observed_at, value)`."""
    buckets: dict[datetime, dict[str | None, list[tuple[datetime, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    newest: datetime | None = None
    for district, observed_at, value in rows:
        start = period_start(observed_at, indicator.period)
        buckets[start][district].append((observed_at, value))
        newest = observed_at if newest is None or observed_at > newest else newest
    series = []
    by_period: dict[datetime, tuple[float | None, dict[str, float]]] = {}
    for start in sorted(buckets):
        districts = {d: _roll(indicator, readings) for d, readings in buckets[start].items() if d}
        city = _city(indicator, buckets[start], districts)
        by_period[start] = (city, districts)
        if city is not None:
            series.append([start.isoformat(), round(city, indicator.decimals + 2)])
    periods = [p for p in sorted(by_period) if by_period[p][0] is not None]
    latest = periods[-1] if periods else None
    previous = periods[-2] if len(periods) > 1 else None
    value = by_period[latest][0] if latest else None
    prior = by_period[previous][0] if previous else None
    return {
        "indicator": indicator.id,
        "value": value,
        "period_start": latest.isoformat() if latest else None,
        "previous": prior,
        "change": None if value is None or prior is None else value - prior,
        "change_pct": None if value is None or not prior else (value - prior) / abs(prior),
        "status": indicator.status(value),
        "districts": {
            d: {"value": v, "status": indicator.status(v)}
            for d, v in (by_period[latest][1] if latest else {}).items()
        },
        "series": series,
        "newest_observation": newest.isoformat() if newest else None,
        "computed_for": now.isoformat(),
    }


def _roll(indicator: Indicator, readings: Sequence[tuple[datetime, float]]) -> float:
    if indicator.rollup == "last":
        return max(readings)[1]
    return float(_ROLLUPS[indicator.rollup]([v for _, v in readings]))


def _city(
    indicator: Indicator,
    bucket: dict[str | None, list[tuple[datetime, float]]],
    districts: dict[str, float],
) -> float | None:
    if indicator.city == "city_row" or (None in bucket and not districts):
        return _roll(indicator, bucket[None]) if None in bucket else None
    if not districts:
        return None
    return float(_ROLLUPS[indicator.city](list(districts.values())))


def refresh_indicator(
    connection: Connection, indicator: Indicator, now: datetime
) -> dict[str, Any]:
    """Compute one indicator's snapshot and append it; return the payload."""
    started = time.perf_counter()
    rows = connection.execute(
        select(observations.c.district, observations.c.observed_at, observations.c.value)
        .where(observations.c.indicator == indicator.observation)
        .where(observations.c.observed_at >= window_start(now, indicator.period))
        .where(observations.c.observed_at <= now)
    ).all()
    payload = snapshot_payload(indicator, rows, now)
    newest = payload["newest_observation"]
    connection.execute(
        insert(snapshots).values(
            kind=KIND,
            key=indicator.id,
            computed_at=now,
            source_freshness=datetime.fromisoformat(newest) if newest else None,
            runtime_ms=(time.perf_counter() - started) * 1000,
            payload=payload,
        )
    )
    return payload


def refresh_indicators(
    engine: Engine, indicators: Iterable[Indicator], now: datetime | None = None
) -> int:
    """Refresh every indicator in one transaction; return how many snapshots were written."""
    now = now or datetime.now(UTC)
    count = 0
    with write_transaction(engine) as connection:
        for indicator in indicators:
            refresh_indicator(connection, indicator, now)
            count += 1
    return count
