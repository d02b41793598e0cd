"""Ingest: validate a batch, upsert its rows, quarantine the rest and save the watermark, in
one transaction, so a crash between poll and commit loses nothing and duplicates nothing.

Rows are upserted by `(source_id, source_key)`: polling the same window again changes nothing.
Two rows with the same key in one batch keep the later one; the earlier is quarantined as
superseded, so every row received is accounted for. A post upserted with a changed text,
category or district waits to be processed again (`processed_at` back to NULL; see
`derive/posts.py`); a re-polled post that did not change keeps its processing, and the
district read from its text. Before the
transaction, a table's rows may be enriched (`ENRICH`): assets, posts and resources with a
position and no district get the district that holds them (`places.fill_districts`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from data_adapters.alert_references import apply_references
from data_adapters.contract import AdapterError, Batch, Rejected, Watermark
from data_adapters.domain import InvalidRow, validate_row
from data_adapters.places import fill_districts
from data_adapters.store import schema
from data_adapters.store.writer import write_transaction

CHUNK = 2_000
#: Work a domain table's validated rows need before they are stored, given the district
#: outlines file (None: the shipped one). It reads no store, so it runs before the transaction.
ENRICH: dict[str, Callable[[list[dict[str, Any]], Path | None], object]] = dict.fromkeys(
    ("assets", "posts", "resources"), fill_districts
)
#: Work a domain table needs after its rows are upserted, in the same transaction.
POST_UPSERT = {"alerts": apply_references}
MAX_RAW = 65_536  # characters of a rejected record kept in quarantine
#: Tables whose rows are processed after ingest (`processed_at`): the columns processing
#: reads, and the column it fills when the source leaves it empty (see `_keep_processing`).
PROCESSED: dict[str, tuple[tuple[str, ...], str]] = {"posts": (("text", "category"), "district")}


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did, for logs, `sources check` and benchmarks."""

    source_id: str
    received: int
    stored: int
    quarantined: int
    watermark: Watermark | None
    seconds: float


def ingest(
    engine: Engine,
    *,
    source_id: str,
    kind: str,
    table: str,
    batch: Batch,
    now: datetime,
    next_due: datetime | None = None,
    guard: Callable[[Connection], None] | None = None,
    districts_file: Path | None = None,
) -> IngestReport:
    """Store `batch` for `source_id` into the domain `table` and move its watermark.

    `guard` runs first inside the transaction and may raise to write nothing (the clock
    checks there that it still holds the leader lease). `districts_file` holds the outlines
    that place rows without a district (`Settings.districts_path`; None: the shipped ones);
    when it cannot be read, `ConfigError` is raised and nothing is written.
    """
    started = time.perf_counter()
    rows, rejected = _validated(table, batch)
    enrich = ENRICH.get(table)
    if enrich is not None:
        enrich(rows, districts_file)
    target = schema.metadata.tables[table]
    with write_transaction(engine) as connection:
        if guard is not None:
            guard(connection)
        for chunk in _chunks(rows, CHUNK):
            upsert(
                connection,
                target,
                [{**row, "source_id": source_id, "ingested_at": now} for row in chunk],
                keys=("source_id", "source_key"),
            )
        post_upsert = POST_UPSERT.get(table)
        if post_upsert is not None:
            post_upsert(connection, source_id, rows)
        _quarantine(connection, source_id, rejected, now)
        _save_status(
            connection,
            source_id,
            kind,
            now,
            success=True,
            rows_in=len(rows),
            quarantined=len(rejected),
            watermark=batch.watermark,
            next_due=next_due,
        )
    return IngestReport(
        source_id=source_id,
        received=len(batch.records) + len(batch.rejected),
        stored=len(rows),
        quarantined=len(rejected),
        watermark=batch.watermark,
        seconds=time.perf_counter() - started,
    )


def record_failure(
    engine: Engine,
    *,
    source_id: str,
    kind: str,
    error: AdapterError,
    now: datetime,
    next_due: datetime | None = None,
) -> None:
    """Note a failed poll: the error for the operator, the last good data stays as it is."""
    with write_transaction(engine) as connection:
        _save_status(
            connection,
            source_id,
            kind,
            now,
            success=False,
            error=error,
            next_due=next_due,
        )


def _validated(table: str, batch: Batch) -> tuple[list[dict[str, Any]], list[Rejected]]:
    rejected = list(batch.rejected)
    by_key: dict[str, dict[str, Any]] = {}
    for record in batch.records:
        try:
            row = validate_row(table, dict(record.fields))
        except InvalidRow as exc:
            rejected.append(Rejected(raw=_raw(record.key, record.fields), reason=str(exc)))
            continue
        if record.key in by_key:
            rejected.append(
                Rejected(
                    raw=_raw(record.key, by_key[record.key]),
                    reason=f"duplicate key {record.key!r} in one batch, superseded by a later row",
                )
            )
        by_key[record.key] = {**row, "source_key": record.key}
    return list(by_key.values()), rejected


def _raw(key: str, fields: Any) -> str:
    text = json.dumps({"key": key, "fields": fields}, ensure_ascii=False, default=str)
    if len(text) > MAX_RAW:
        return text[:MAX_RAW] + f"…[{len(text) - MAX_RAW:,} more characters not kept]"
    return text


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def upsert(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Iterable[str]
) -> None:
    """Insert `rows`, or update the existing row with the same `keys` (SQLite, PostgreSQL)."""
    if not rows:
        return
    keys = tuple(keys)
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        _upsert_portably(connection, table, rows, keys)
        return
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_(table)
    columns = set(rows[0])
    changes = {
        c.name: statement.excluded[c.name]
        for c in table.columns
        if c.name in columns and c.name not in keys and not c.primary_key
    }
    changes |= _keep_processing(table, statement.excluded, columns)
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes), rows)


def _keep_processing(table: Table, excluded: Any, columns: set[str]) -> dict[str, Any]:
    """For a processed table: what processing wrote stays while what it read is unchanged.

    `processed_at` is kept when the columns processing reads are unchanged and the source's
    value of the filled column (a post's district) is empty or the stored one; else it is NULL
    and the row is processed again. A district found in the text is kept when the source
    sends the same text with no district again, so a re-polled post is not processed again.
    """
    if table.name not in PROCESSED or "processed_at" in columns:
        return {}
    read, filled = PROCESSED[table.name]
    if not {*read, filled} <= columns:
        return {}
    same = and_(*(table.c[c].is_not_distinct_from(excluded[c]) for c in read))
    keep_filled = and_(same, excluded[filled].is_(None), table.c.processed_at.is_not(None))
    same_filled = or_(excluded[filled].is_(None), table.c[filled] == excluded[filled])
    return {
        filled: case((keep_filled, table.c[filled]), else_=excluded[filled]),
        "processed_at": case((and_(same, same_filled), table.c.processed_at), else_=None),
    }


def _upsert_portably(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: tuple[str, ...]
) -> None:
    """Update-then-insert for dialects without ON CONFLICT (one row at a time)."""
    reprocess = {"processed_at": None} if table.name in PROCESSED else {}
    for row in rows:
        condition = [table.c[k] == row[k] for k in keys]
        changed = connection.execute(
            update(table).where(*condition).values(**row, **reprocess)
        ).rowcount
        if not changed:
            connection.execute(insert(table).values(**row))


def _quarantine(
    connection: Connection, source_id: str, rejected: Sequence[Rejected], now: datetime
) -> None:
    if rejected:
        connection.execute(
            insert(schema.quarantine),
            [
                {"source_id": source_id, "at": now, "raw": r.raw[:MAX_RAW], "reason": r.reason}
                for r in rejected
            ],
        )


def _save_status(
    connection: Connection,
    source_id: str,
    kind: str,
    now: datetime,
    *,
    success: bool,
    rows_in: int = 0,
    quarantined: int = 0,
    watermark: Watermark | None = None,
    next_due: datetime | None = None,
    error: AdapterError | None = None,
) -> None:
    table = schema.source_status
    exists = connection.scalar(select(table.c.source_id).where(table.c.source_id == source_id))
    values: dict[str, Any] = {
        "kind": kind,
        "last_attempt_at": now,
        "next_due_at": next_due,
        "updated_at": now,
    }
    if success:
        values |= {"last_success_at": now, "last_error": None, "error_kind": None}
        counters = {
            "consecutive_failures": None,
            "rows_in": rows_in,
            "rows_quarantined": quarantined,
        }
        if watermark is not None:
            values["watermark"] = watermark
    else:
        assert error is not None
        values |= {"last_error": error.operator_message, "error_kind": error.kind}
        counters = {"consecutive_failures": 1}
    if exists is None:
        row = {name: amount or 0 for name, amount in counters.items()}
        connection.execute(insert(table).values(source_id=source_id, **values, **row))
        return
    for name, amount in counters.items():  # counters move in SQL: no read-modify-write
        values[name] = 0 if amount is None else table.c[name] + amount
    connection.execute(update(table).where(table.c.source_id == source_id).values(**values))


def load_watermark(engine: Engine, source_id: str) -> Watermark | None:
    """The watermark saved by the last successful ingest of `source_id`, if any."""
    table = schema.source_status
    with engine.connect() as connection:
        return connection.scalar(select(table.c.watermark).where(table.c.source_id == source_id))
