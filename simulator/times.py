"""Simulated time: integer epoch seconds (UTC), local (Asia/Shanghai, UTC+8) calendar helpers.

Generation works on ``int`` / ``numpy.int64`` epoch seconds so that it is exact and vectorised;
aware ``datetime`` objects appear only at the edges (config, database, XML).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

MINUTE = 60
HOUR = 3600
DAY = 86400
LOCAL_OFFSET = 8 * HOUR
LOCAL_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
NULL_TIME = np.int64(-(2**62))
"""Sentinel for a missing time in an int64 time column (stored as NULL)."""


def to_epoch(value: datetime) -> int:
    """Whole epoch seconds of an aware datetime (floored)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: simulated times must be timezone-aware")
    return int(value.timestamp() // 1)


def to_datetime(seconds: int | np.integer) -> datetime:
    """Aware UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(int(seconds), UTC)


def local_day(t):
    """Index of the local (UTC+8) calendar day, days since 1970-01-01."""
    return (t + LOCAL_OFFSET) // DAY


def day_start(d):
    """Epoch seconds of local midnight starting local day ``d``."""
    return d * DAY - LOCAL_OFFSET


def local_hour(t):
    """Local hour of day as a float in [0, 24)."""
    return ((np.asarray(t) + LOCAL_OFFSET) % DAY) / HOUR


def local_weekday(t):
    """Local weekday, 0 = Monday (1970-01-01 was a Thursday)."""
    return (local_day(t) + 3) % 7


def day_of_year(d):
    """Day of year (0-based) of local day index ``d``."""
    dates = np.asarray(d).astype("datetime64[D]")
    return (dates - dates.astype("datetime64[Y]")).astype(np.int64)


def month_of_day(d):
    """Month index (months since 1970-01) of local day index ``d``."""
    return np.asarray(d).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def calendar_month(m):
    """Calendar month 1..12 of month index ``m``."""
    return np.asarray(m) % 12 + 1


def calendar_year(m):
    """Calendar year of month index ``m``."""
    return np.asarray(m) // 12 + 1970


def month_first_day(m):
    """Local day index of the first day of month index ``m``."""
    return np.asarray(m).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def days_in_month(m):
    """Number of days in month index ``m``."""
    return month_first_day(np.asarray(m) + 1) - month_first_day(m)


def day_date(d: int) -> date:
    """Local calendar date of a day index."""
    return date(1970, 1, 1) + timedelta(days=int(d))


def _unique_map(t, convert) -> list:
    """Apply ``convert`` to each distinct epoch second once; NULL_TIME maps to None."""
    t = np.asarray(t, dtype=np.int64).ravel()
    if t.size == 0:
        return []
    uniq, inverse = np.unique(t, return_inverse=True)
    table = np.empty(len(uniq), dtype=object)
    table[:] = convert(uniq)
    table[uniq == NULL_TIME] = None
    return table[inverse.ravel()].tolist()


@lru_cache(maxsize=1)
def _clock_texts() -> list[str]:
    """' HH:MM:SS.000000' for every second of a day (built once)."""
    return [
        f" {h:02d}:{m:02d}:{s:02d}.000000" for h in range(24) for m in range(60) for s in range(60)
    ]


def _sqlite_text(uniq: np.ndarray) -> list[str]:
    safe = np.where(uniq == NULL_TIME, 0, uniq)
    days, seconds = np.divmod(safe, DAY)
    unique_days, which = np.unique(days, return_inverse=True)
    dates = [(date(1970, 1, 1) + timedelta(days=int(d))).isoformat() for d in unique_days]
    clock = _clock_texts()
    return [dates[i] + clock[s] for i, s in zip(which.tolist(), seconds.tolist(), strict=True)]


def format_sqlite(t) -> list:
    """Epoch seconds -> SQLAlchemy's SQLite DATETIME text ('YYYY-MM-DD HH:MM:SS.ffffff', UTC).

    Formats each distinct value once, so columns with many repeated times are cheap.
    NULL_TIME becomes None.
    """
    return _unique_map(t, _sqlite_text)


def datetimes(t) -> list:
    """Epoch seconds -> list of aware UTC datetimes (NULL_TIME -> None)."""
    return _unique_map(
        t, lambda uniq: [to_datetime(u) for u in np.where(uniq == NULL_TIME, 0, uniq)]
    )


def iso_local(t: int) -> str:
    """CAP-style local time with offset: '2026-11-28T17:30:00+08:00'."""
    return datetime.fromtimestamp(int(t), LOCAL_TZ).isoformat(timespec="seconds")


def local_text(t: int, fmt: str) -> str:
    """Format epoch seconds in local time with a strftime pattern."""
    return datetime.fromtimestamp(int(t), LOCAL_TZ).strftime(fmt)
