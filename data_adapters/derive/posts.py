"""Post processing in the clock: fill the masked text, sentiment, keywords, topic and (from the
text) district of the posts waiting for it.

A post waits while `processed_at IS NULL`: when it is first stored, and again when ingest
upserts it with a changed text, category or district (`data_adapters.ingest.upsert`). The
waiting posts are read oldest first (`posted_at`, by the partial index `ix_posts_unprocessed`,
which holds only them), in batches of `batch`. Oldest first matters for spike detection: a
backlog (a first run over months of history) is worked off from the past towards now, so a
window is never processed before the days that form its baseline.

Each batch is read, processed outside any transaction (`nlp.pipeline.process`, one sentiment
call per batch) and written in one write transaction (`store.writer.write_transaction`), after
the clock's `guard` (the leader lease): all of a batch or none of it. A post whose text,
category or district changed between the read and the write is not written (the update
requires them unchanged) and stays waiting, so an edit is never overwritten by the processing
of the text before it. A run processes at most `max_batches` batches, so a large backlog is
worked off over several runs without holding up the rest of the derive step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, func, select, update

from data_adapters.nlp.pipeline import Processed, process
from data_adapters.store.schema import posts
from data_adapters.store.writer import write_transaction

BATCH = 2_000
#: Batches per run: 20,000 posts, about 5 s of one core.
MAX_BATCHES = 10

Guard = Callable[[Connection], None]

_WRITE = (
    update(posts)
    .where(
        posts.c.id == bindparam("b_id"),
        posts.c.processed_at.is_(None),
        posts.c.text == bindparam("b_text"),
        posts.c.category.is_not_distinct_from(bindparam("b_category")),
        posts.c.district.is_not_distinct_from(bindparam("b_district_read")),
    )
    .values(
        text_masked=bindparam("b_masked"),
        sentiment=bindparam("b_sentiment"),
        negativity=bindparam("b_negativity"),
        keywords=bindparam("b_keywords", type_=posts.c.keywords.type),
        topic=bindparam("b_topic"),
        district=func.coalesce(posts.c.district, bindparam("b_district")),
        processed_at=bindparam("b_now", type_=posts.c.processed_at.type),
    )
)


def process_posts(
    engine: Engine,
    now: datetime,
    guard: Guard | None = None,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Process up to `batch * max_batches` waiting posts, oldest first; return how many were
    written."""
    done = 0
    for _ in range(max_batches):
        rows = waiting(engine, batch)
        if not rows:
            break
        done += write_batch(engine, rows, process_rows(rows), now, guard)
        if len(rows) < batch:
            break
    return done


def waiting(engine: Engine, limit: int) -> list[Row[Any]]:
    """The oldest `limit` posts waiting for processing."""
    query = (
        select(posts.c.id, posts.c.text, posts.c.category, posts.c.district)
        .where(posts.c.processed_at.is_(None))
        .order_by(posts.c.posted_at, posts.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return list(connection.execute(query))


def process_rows(rows: Sequence[Row[Any]]) -> list[Processed]:
    """Process the posts `rows` (id, text, category, district) as one batch."""
    return process(
        [row.text for row in rows],
        [row.district is not None for row in rows],
        [row.category for row in rows],
    )


def write_batch(
    engine: Engine,
    rows: Sequence[Row[Any]],
    found: Sequence[Processed],
    now: datetime,
    guard: Guard | None = None,
) -> int:
    """Write one batch's results in one transaction; return how many posts were updated."""
    params = [_params(row, result, now) for row, result in zip(rows, found, strict=True)]
    with write_transaction(engine) as connection:
        if guard is not None:
            guard(connection)
        result = connection.execute(_WRITE, params)
    return max(result.rowcount or 0, 0)


def _params(row: Row[Any], result: Processed, now: datetime) -> dict[str, Any]:
    return {
        "b_id": row.id,
        "b_text": row.text,
        "b_category": row.category,
        "b_district_read": row.district,
        "b_masked": result.text_masked,
        "b_sentiment": result.sentiment,
        "b_negativity": result.negativity,
        "b_keywords": result.keywords,
        "b_topic": result.topic,
        "b_district": result.district,
        "b_now": now,
    }
