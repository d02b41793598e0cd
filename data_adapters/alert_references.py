"""CAP Update and Cancel messages act on the alerts they reference.

An Update supersedes what it references (state `updated`); a Cancel cancels it (state
`cancelled`). Messages can arrive out of order, so this runs both ways inside the ingest's
transaction: the new rows' references are applied to stored alerts, and stored Updates and
Cancels that reference a newly arrived alert are applied to it. Alert keys are CAP's own
reference form, `sender,identifier`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from data_adapters.store.schema import alerts

LOOKBACK = timedelta(days=60)  # how far back stored Updates and Cancels are matched
EFFECT = {"Update": "updated", "Cancel": "cancelled"}
RANK = {"active": 0, "updated": 1, "cancelled": 2, "expired": 2}


def reference_key(reference: Mapping[str, Any]) -> str:
    """The key of the alert a reference points at."""
    return f"{reference.get('sender', '')},{reference.get('identifier', '')}"


def apply_references(
    connection: Connection, source_id: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Mark the alerts referenced by `rows`, and `rows` referenced by stored messages."""
    targets = _targets(rows)
    for state in ("updated", "cancelled"):
        keys = [key for key, effect in targets.items() if effect == state]
        if keys:
            connection.execute(
                update(alerts)
                .where(alerts.c.source_id == source_id, alerts.c.source_key.in_(keys))
                .where(alerts.c.state.in_(_weaker_than(state)))
                .values(state=state)
            )
    if not rows:
        return
    newest = max(row["sent"] for row in rows)
    stored = connection.execute(
        select(alerts.c.msg_type, alerts.c.references).where(
            alerts.c.source_id == source_id,
            alerts.c.msg_type.in_(list(EFFECT)),
            alerts.c.sent >= min(row["sent"] for row in rows) - LOOKBACK,
            alerts.c.sent <= newest + LOOKBACK,
        )
    ).all()
    earlier = _targets({"msg_type": m, "references": r} for m, r in stored)
    arrived = {row["source_key"] for row in rows}
    for key in arrived & set(earlier):
        connection.execute(
            update(alerts)
            .where(alerts.c.source_id == source_id, alerts.c.source_key == key)
            .where(alerts.c.state.in_(_weaker_than(earlier[key])))
            .values(state=earlier[key])
        )


def _targets(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Referenced key -> the strongest effect any of `rows` has on it."""
    found: dict[str, str] = {}
    for row in rows:
        effect = EFFECT.get(row.get("msg_type") or "")
        if effect is None:
            continue
        for reference in row.get("references") or []:
            key = reference_key(reference)
            if RANK[effect] > RANK.get(found.get(key, "active"), 0):
                found[key] = effect
    return found


def _weaker_than(state: str) -> list[str]:
    return [s for s, rank in RANK.items() if rank < RANK[state]]
