"""CAP Update and Cancel act on the alerts they reference, in either order of arrival."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from data_adapters.contract import Batch, Record
from data_adapters.ingest import ingest
from data_adapters.store.schema import alerts

T0 = datetime(2026, 7, 20, 1, 0, tzinfo=UTC)
SENDER = "lyg-qxt@weather.lyg.gov.cn"


def _alert(identifier: str, msg_type: str, minutes: int, refs: tuple[str, ...] = ()) -> Record:
    return Record(
        key=f"{SENDER},{identifier}",
        fields={
            "origin": "cap",
            "sender": SENDER,
            "sent": T0 + timedelta(minutes=minutes),
            "msg_type": msg_type,
            "cap_status": "Actual",
            "event": "暴雨",
            "severity": "Severe",
            "state": "cancelled" if msg_type == "Cancel" else "active",
            "references": [
                {"sender": SENDER, "identifier": ref, "sent": T0.isoformat()} for ref in refs
            ],
        },
    )


def _store(store: Engine, *records: Record) -> None:
    ingest(
        store,
        source_id="cap",
        kind="cap",
        table="alerts",
        batch=Batch(records=list(records), watermark=None),
        now=T0 + timedelta(hours=1),
    )


def _states(store: Engine) -> dict[str, str]:
    with store.connect() as connection:
        rows = connection.execute(select(alerts.c.source_key, alerts.c.state)).all()
    return {key.split(",", 1)[1]: state for key, state in rows}


def test_update_supersedes_and_cancel_cancels(store: Engine) -> None:
    _store(store, _alert("A1", "Alert", 0))
    _store(store, _alert("A2", "Update", 30, refs=("A1",)))
    assert _states(store) == {"A1": "updated", "A2": "active"}
    _store(store, _alert("A3", "Cancel", 60, refs=("A1", "A2")))
    assert _states(store) == {"A1": "cancelled", "A2": "cancelled", "A3": "cancelled"}


def test_a_cancel_that_arrives_first_still_cancels(store: Engine) -> None:
    _store(store, _alert("B2", "Cancel", 60, refs=("B1",)))
    _store(store, _alert("B1", "Alert", 0))
    assert _states(store)["B1"] == "cancelled"


def test_update_and_its_target_in_one_batch(store: Engine) -> None:
    _store(store, _alert("C1", "Alert", 0), _alert("C2", "Update", 10, refs=("C1",)))
    assert _states(store) == {"C1": "updated", "C2": "active"}


def test_a_later_update_never_revives_a_cancelled_alert(store: Engine) -> None:
    _store(store, _alert("D1", "Alert", 0), _alert("D9", "Cancel", 5, refs=("D1",)))
    _store(store, _alert("D2", "Update", 10, refs=("D1",)))
    assert _states(store)["D1"] == "cancelled"
