"""Ingest on SQLite and PostgreSQL: upsert, quarantine, watermark and status in one go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from data_adapters.contract import Batch, Record, Rejected, TransientError
from data_adapters.ingest import ingest, load_watermark, record_failure
from data_adapters.store import schema

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def _obs(key: str, value: float, minutes: int = 0) -> Record:
    return Record(
        key=key,
        fields={
            "indicator": "aqi",
            "district": "320706",
            "observed_at": NOW - timedelta(minutes=minutes),
            "value": value,
        },
    )


def _ingest(store: Engine, batch: Batch):
    return ingest(store, source_id="air", kind="sql", table="observations", batch=batch, now=NOW)


def _count(store: Engine, table) -> int:
    with store.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def test_repolling_a_window_adds_no_duplicates(store: Engine) -> None:
    batch = Batch(records=[_obs("a", 1), _obs("b", 2)], watermark={"cursor": "t1"})
    _ingest(store, batch)
    report = _ingest(store, Batch(records=[_obs("a", 1), _obs("b", 5)], watermark={"cursor": "t2"}))
    assert report.stored == 2
    assert _count(store, schema.observations) == 2
    with store.connect() as connection:
        value = connection.scalar(
            select(schema.observations.c.value).where(schema.observations.c.source_key == "b")
        )
    assert value == 5, "a re-polled row is updated in place"
    assert load_watermark(store, "air") == {"cursor": "t2"}


def test_bad_rows_are_quarantined_and_the_rest_go_in(store: Engine) -> None:
    bad = Record(key="c", fields={"indicator": "aqi", "observed_at": NOW, "value": "high"})
    naive = Record(
        key="d", fields={"indicator": "aqi", "observed_at": NOW.replace(tzinfo=None), "value": 1}
    )
    batch = Batch(
        records=[_obs("a", 1), bad, naive],
        rejected=[Rejected(raw="<row>", reason="not parseable")],
        watermark={"cursor": "t1"},
    )
    report = _ingest(store, batch)
    assert (report.stored, report.quarantined, report.received) == (1, 3, 4)
    with store.connect() as connection:
        reasons = connection.scalars(select(schema.quarantine.c.reason)).all()
        status = connection.execute(select(schema.source_status)).mappings().one()
    assert any("value" in r for r in reasons) and any("UTC offset" in r for r in reasons)
    assert (status["rows_in"], status["rows_quarantined"]) == (1, 3)


def test_duplicate_keys_in_one_batch_keep_the_last(store: Engine) -> None:
    report = _ingest(store, Batch(records=[_obs("a", 1), _obs("a", 9)], watermark=None))
    assert (report.stored, report.quarantined) == (1, 1)
    with store.connect() as connection:
        assert connection.scalar(select(schema.observations.c.value)) == 9
        assert "superseded" in connection.scalar(select(schema.quarantine.c.reason))


def test_failure_keeps_data_and_counts_and_success_clears_the_error(store: Engine) -> None:
    _ingest(store, Batch(records=[_obs("a", 1)], watermark={"cursor": "t1"}))
    for _ in range(2):
        record_failure(
            store,
            source_id="air",
            kind="sql",
            error=TransientError("the source timed out"),
            now=NOW,
        )
    with store.connect() as connection:
        status = connection.execute(select(schema.source_status)).mappings().one()
    assert status["last_error"] == "the source timed out" and status["error_kind"] == "transient"
    assert status["consecutive_failures"] == 2 and status["rows_in"] == 1
    assert status["watermark"] == {"cursor": "t1"}
    assert _count(store, schema.observations) == 1
    _ingest(store, Batch(records=[_obs("b", 2)], watermark={"cursor": "t2"}))
    with store.connect() as connection:
        status = connection.execute(select(schema.source_status)).mappings().one()
    assert status["last_error"] is None and status["consecutive_failures"] == 0
    assert status["rows_in"] == 2


def test_first_failure_creates_the_status_row(store: Engine) -> None:
    record_failure(store, source_id="x", kind="http", error=TransientError("down"), now=NOW)
    assert load_watermark(store, "x") is None
    with store.connect() as connection:
        status = connection.execute(select(schema.source_status)).mappings().one()
    assert status["consecutive_failures"] == 1 and status["rows_in"] == 0
    assert status["last_success_at"] is None


def test_a_large_batch_is_stored_in_chunks(store: Engine) -> None:
    records = [_obs(f"k{i}", float(i), minutes=i % 600) for i in range(5_500)]
    report = _ingest(store, Batch(records=records, watermark={"cursor": "t"}))
    assert report.stored == 5_500 and _count(store, schema.observations) == 5_500


def test_text_is_stored_as_text(store: Engine) -> None:
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> 路灯不亮'
    record = Record(key="p1", fields={"channel": "12345", "text": text, "posted_at": NOW})
    ingest(
        store,
        source_id="hotline",
        kind="open311",
        table="posts",
        batch=Batch(records=[record], watermark=None),
        now=NOW,
    )
    with store.connect() as connection:
        assert connection.scalar(select(schema.posts.c.text)) == text
