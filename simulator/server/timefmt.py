"""Times on the wire: the one formatter and the one parser of the feed server.

Every time the server sends is ISO 8601 with an offset: `+08:00` (Beijing time) where Chinese
systems use local time (Open311, the exchange platform, CAP), `Z` where the standard is UTC
(SensorThings). Query parameters are parsed leniently: `Z`, any offset, a space instead of `T`,
and a `+` that a client forgot to encode (it arrives as a space) are all accepted; a time
without an offset is Beijing time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_UNENCODED_PLUS = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def iso(moment: datetime | None, *, utc: bool = False) -> str | None:
    """`moment` as ISO 8601: Beijing time with `+08:00`, or UTC with `Z` when `utc`.

    Whole seconds are written without a fraction; None stays None.
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("refusing to format a naive datetime")
    local = moment.astimezone(UTC if utc else BEIJING)
    text = local.isoformat(timespec="seconds" if not local.microsecond else "microseconds")
    return text.replace("+00:00", "Z") if utc else text


def parse_time(text: str, name: str = "time") -> datetime:
    """An aware UTC datetime from an ISO 8601 query value; `ValueError` naming `name`."""
    value = text.strip()
    value = _UNENCODED_PLUS.sub(r"\1+\2", value)
    if value[-1:] in ("z", "Z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{name} {text!r} is not an ISO 8601 date and time (e.g. 2026-11-28T08:00:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(UTC)
