"""Post processing in the clock on SQLite and PostgreSQL: every column filled from the masked
text, idempotent, edits processed again, one transaction per batch, bounded per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select

from data_adapters.contract import Batch, Record
from data_adapters.derive.posts import process_posts
from data_adapters.ingest import ingest
from data_adapters.nlp.pipeline import process
from data_adapters.nlp.sentiment import LABELS
from data_adapters.store.schema import posts

NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
PHONE = "13812345678"
TEXTS = {
    "p1": f"海州区人民路井盖缺失，晚上骑电动车很容易摔倒，联系电话{PHONE}。",
    "p2": "通灌北路又堵死了，上班又要迟到了，太气人了",
    "p3": "花果山风景真美，服务也很好，点赞！",
}


def _record(key: str, text: str, minutes: int = 0, **fields: Any) -> Record:
    return Record(
        key=key,
        fields={
            "channel": "weibo",
            "text": text,
            "posted_at": NOW - timedelta(minutes=minutes),
            **fields,
        },
    )


def _ingest(store: Engine, records: list[Record]) -> None:
    ingest(
        store,
        source_id="posts",
        kind="sql",
        table="posts",
        batch=Batch(records=records, watermark=None),
        now=NOW,
    )


def _rows(store: Engine) -> dict[str, Any]:
    with store.connect() as connection:
        return {row.source_key: row for row in connection.execute(select(posts))}


def _waiting(store: Engine) -> int:
    with store.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(posts).where(posts.c.processed_at.is_(None))
        )


def test_the_pipeline_masks_first_and_reads_the_district_only_when_unknown() -> None:
    found = process([TEXTS["p1"], TEXTS["p1"]], [False, True], ["道路破损", "道路破损"])
    assert PHONE not in found[0].text_masked and "138****5678" in found[0].text_masked
    assert found[0].district == "320706" and found[1].district is None
    assert found[0].topic == "道路破损·井盖" and "井盖" in found[0].keywords
    assert found[0].sentiment in LABELS and 0.0 <= found[0].negativity <= 1.0
    assert process([], []) == []


def test_processing_fills_every_column(store: Engine) -> None:
    records = [_record(k, t, i) for i, (k, t) in enumerate(TEXTS.items())]
    records.append(_record("p4", "海州区路灯不亮", 9, district="320703"))  # known: kept
    _ingest(store, records)
    assert _waiting(store) == 4
    assert process_posts(store, NOW) == 4
    rows = _rows(store)
    for row in rows.values():
        assert row.processed_at == NOW
        assert row.text_masked and PHONE not in row.text_masked
        assert row.sentiment in LABELS and 0.0 <= row.negativity <= 1.0
        assert isinstance(row.keywords, list) and row.topic
    assert rows["p1"].district == "320706"  # from the text: 海州区
    assert rows["p4"].district == "320703"  # the source's, not the text's
    assert rows["p2"].topic.startswith("交通出行") and rows["p3"].sentiment == "positive"
    assert rows["p2"].sentiment == "negative" and rows["p1"].text == TEXTS["p1"]


def test_processing_is_idempotent(store: Engine) -> None:
    _ingest(store, [_record(k, t) for k, t in TEXTS.items()])
    assert process_posts(store, NOW) == 3
    before = _rows(store)
    assert process_posts(store, NOW + timedelta(minutes=1)) == 0
    _ingest(store, [_record(k, t) for k, t in TEXTS.items()])  # re-polled, unchanged
    assert _waiting(store) == 0
    assert _rows(store) == before


def test_an_edited_text_is_processed_again(store: Engine) -> None:
    _ingest(store, [_record(k, t) for k, t in TEXTS.items()])
    process_posts(store, NOW)
    _ingest(store, [_record("p2", "赣榆区青口镇的垃圾好几天没人清运，臭死了")])
    assert _waiting(store) == 1
    later = NOW + timedelta(minutes=1)
    assert process_posts(store, later) == 1
    row = _rows(store)["p2"]
    assert row.processed_at == later and row.district == "320707"
    assert "垃圾" in row.text_masked and row.topic != "交通出行·堵死"


def test_a_changed_category_is_processed_again(store: Engine) -> None:
    _ingest(store, [_record("p1", TEXTS["p1"])])
    process_posts(store, NOW)
    _ingest(store, [_record("p1", TEXTS["p1"], category="噪声扰民")])
    assert process_posts(store, NOW) == 1
    assert _rows(store)["p1"].topic.startswith("噪声扰民")


def test_batches_are_oldest_first_and_bounded_per_run(store: Engine) -> None:
    texts = list(TEXTS.values())
    _ingest(store, [_record(f"k{i}", texts[i % 3], minutes=i) for i in range(7)])
    assert process_posts(store, NOW, batch=2, max_batches=2) == 4
    rows = _rows(store)
    done = {k for k, row in rows.items() if row.processed_at is not None}
    assert done == {"k6", "k5", "k4", "k3"}  # the oldest
    assert process_posts(store, NOW, batch=2, max_batches=10) == 3
    assert _waiting(store) == 0


def test_a_failed_batch_writes_nothing_of_it(store: Engine) -> None:
    texts = list(TEXTS.values())
    _ingest(store, [_record(f"k{i}", texts[i % 3], minutes=i) for i in range(5)])
    calls = []

    def guard(connection: Connection) -> None:  # the lease lost before the second batch
        calls.append(connection)
        if len(calls) == 2:
            raise RuntimeError("lease lost")

    with pytest.raises(RuntimeError, match="lease lost"):
        process_posts(store, NOW, guard=guard, batch=2)
    assert _waiting(store) == 3  # the first batch is written, the second not at all
    rows = _rows(store)
    for row in rows.values():
        assert (row.processed_at is None) == (row.text_masked is None) == (row.topic is None)


def test_an_edit_between_read_and_write_is_not_overwritten(store: Engine) -> None:
    _ingest(store, [_record("p1", TEXTS["p1"])])

    def edit_meanwhile(connection: Connection) -> None:  # runs inside the write
        connection.execute(posts.update().where(posts.c.source_key == "p1").values(text="新的内容"))

    assert process_posts(store, NOW, guard=edit_meanwhile) == 0
    assert _rows(store)["p1"].processed_at is None


def test_a_post_inserted_without_ingest_waits_too(store: Engine) -> None:
    with store.begin() as connection:
        connection.execute(
            insert(posts).values(
                source_id="s",
                source_key="x",
                ingested_at=NOW,
                channel="forum",
                text="墟沟的海鲜真新鲜",
                posted_at=NOW,
            )
        )
    assert process_posts(store, NOW) == 1
    assert _rows(store)["x"].district == "320703"
