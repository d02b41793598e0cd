"""Calendar periods in the city's time zone: the bucket a time falls in, and how far back to
look for a sparkline of each period."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

CITY_ZONE = ZoneInfo("Asia/Shanghai")

#: How many periods a snapshot's series holds.
SERIES_LENGTH = {"hour": 48, "day": 30, "month": 24, "quarter": 12}


def period_start(moment: datetime, period: str, zone: ZoneInfo = CITY_ZONE) -> datetime:
    """The start (aware, in `zone`) of the period containing `moment`."""
    local = moment.astimezone(zone)
    if period == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return day
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(day=1, month=(local.month - 1) // 3 * 3 + 1)
    raise ValueError(f"unknown period {period!r}")


def shift(start: datetime, period: str, count: int) -> datetime:
    """The start of the period `count` periods after (or before) the one starting at `start`."""
    if period == "hour":
        return start + timedelta(hours=count)
    if period == "day":
        return (start.replace(tzinfo=None) + timedelta(days=count)).replace(tzinfo=start.tzinfo)
    months = {"month": 1, "quarter": 3}[period] * count
    index = start.year * 12 + start.month - 1 + months
    return start.replace(year=index // 12, month=index % 12 + 1)


def window_start(now: datetime, period: str) -> datetime:
    """The start of the oldest period a snapshot's series covers."""
    return shift(period_start(now, period), period, -(SERIES_LENGTH[period] - 1))
