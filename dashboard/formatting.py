"""Formatting of values for display: times in the city's time zone, numbers, durations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def format_time(value: datetime | None, zone: str, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """An aware time shown in `zone` (Asia/Shanghai by default settings); '—' when absent."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(zone)).strftime(pattern)
