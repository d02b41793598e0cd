"""Update cycles of the data centre's resource catalogue, as poll intervals and freshness limits.

The catalogue states how often a resource is updated (实时, 每日, 每月 ...). The clock polls a
source at its cycle, and a value is stale once it is older than its cycle allows: the limit is
the cycle plus a grace (late publication is normal for monthly statistics).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

UpdateCycle = Literal[
    "realtime",
    "1min",
    "5min",
    "15min",
    "hourly",
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "yearly",
]

#: How often the clock polls a source of each cycle.
POLL_INTERVAL: dict[str, timedelta] = {
    "realtime": timedelta(seconds=30),
    "1min": timedelta(minutes=1),
    "5min": timedelta(minutes=5),
    "15min": timedelta(minutes=15),
    "hourly": timedelta(minutes=15),
    "daily": timedelta(hours=1),
    "weekly": timedelta(hours=6),
    "monthly": timedelta(hours=12),
    "quarterly": timedelta(days=1),
    "yearly": timedelta(days=1),
}

#: How old data of each cycle may be before it is shown as stale.
FRESHNESS_LIMIT: dict[str, timedelta] = {
    "realtime": timedelta(minutes=5),
    "1min": timedelta(minutes=5),
    "5min": timedelta(minutes=20),
    "15min": timedelta(minutes=45),
    "hourly": timedelta(hours=3),
    "daily": timedelta(days=2),
    "weekly": timedelta(days=10),
    "monthly": timedelta(days=45),
    "quarterly": timedelta(days=120),
    "yearly": timedelta(days=400),
}

#: The catalogue's Chinese names of the cycles.
CYCLE_NAMES_ZH: dict[str, str] = {
    "realtime": "实时",
    "1min": "每分钟",
    "5min": "每5分钟",
    "15min": "每15分钟",
    "hourly": "每小时",
    "daily": "每日",
    "weekly": "每周",
    "monthly": "每月",
    "quarterly": "每季度",
    "yearly": "每年",
}


def poll_interval(cycle: str) -> timedelta:
    """The poll interval for a catalogue update cycle."""
    return POLL_INTERVAL[cycle]


def freshness_limit(cycle: str) -> timedelta:
    """The age beyond which data of this cycle is stale."""
    return FRESHNESS_LIMIT[cycle]
