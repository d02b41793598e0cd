"""From a parsed CAP alert to the fields of an `alerts` row (shared by the CAP feed and the
watched folder of CAP files).

The key is CAP's own reference form, `sender,identifier`. An Alert or Update of status Actual
is `active`; a Cancel is `cancelled`; Ack and Error messages, and Exercise, System, Test and
Draft messages, are kept but never `active`. The chosen language's info supplies the event,
headline and areas; every info block (the translations) is kept in `infos`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from data_adapters.parsers.cap import CapAlert

DEFAULT_LANGUAGES: tuple[str, ...] = ("zh-CN", "en-US")
FIELDS = (
    "origin",
    "sender",
    "sent",
    "msg_type",
    "cap_status",
    "references",
    "language",
    "event",
    "severity",
    "urgency",
    "certainty",
    "headline",
    "description",
    "areas",
    "onset",
    "expires",
    "state",
    "infos",
)


def alert_key(alert: CapAlert) -> str:
    """The store key of an alert: `sender,identifier`, as CAP references name it."""
    return f"{alert.sender},{alert.identifier}"


def alert_state(alert: CapAlert) -> str:
    """`active`, `cancelled` or `updated` (kept, but not a warning in force)."""
    if alert.msg_type == "Cancel":
        return "cancelled"
    if alert.status == "Actual" and alert.msg_type in ("Alert", "Update"):
        return "active"
    return "updated"


def alert_fields(alert: CapAlert, languages: Sequence[str] = DEFAULT_LANGUAGES) -> dict[str, Any]:
    """The `alerts` row fields of `alert`, in the preferred language."""
    record = alert.to_record(tuple(languages))
    info = alert.info_for(tuple(languages))
    return {
        "key": alert_key(alert),
        "origin": "cap",
        "sender": alert.sender,
        "sent": alert.sent,
        "msg_type": alert.msg_type,
        "cap_status": alert.status,
        "references": record["references"],
        "language": record["language"],
        "event": record["event"],
        "severity": record["severity"],
        "urgency": record["urgency"],
        "certainty": record["certainty"],
        "headline": record["headline"],
        "description": record["description"],
        "areas": record["areas"],
        "onset": info.onset if info else None,
        "expires": info.expires if info else None,
        "state": alert_state(alert),
        "infos": record["infos"],
    }
