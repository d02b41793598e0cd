"""One poll of one source, as a plain function returning a report (Redash's refresh style).

Load the watermark, poll, ingest in one transaction (only while this process holds the leader
lease), and repeat while the adapter says more rows are waiting, up to a page budget. A failure
is recorded on the source's status with the time of the next try (backoff); the last good data
stays in the store. Nothing here raises for a source's fault.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from data_adapters.clock.backoff import retry_delay
from data_adapters.contract import Adapter, AdapterError, SourceError
from data_adapters.cycles import poll_interval
from data_adapters.ingest import ingest, load_watermark, record_failure
from data_adapters.sources.config import SourceSpec
from data_adapters.store import schema

log = logging.getLogger("cityops.clock")
MAX_PAGES_PER_POLL = 50


class LeaseLost(RuntimeError):
    """This process no longer holds the leader lease: it must not write."""


@dataclass(frozen=True)
class PollReport:
    """What one poll of one source did."""

    source_id: str
    ok: bool
    pages: int
    stored: int
    quarantined: int
    next_due: datetime
    seconds: float
    error: str | None = None
    error_kind: str | None = None


def poll_source(
    engine: Engine,
    spec: SourceSpec,
    adapter: Adapter,
    *,
    guard: Callable[[Connection], None] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    max_pages: int = MAX_PAGES_PER_POLL,
    districts_file: Path | None = None,
) -> PollReport:
    """Poll `spec`'s source until it has nothing more (or the page budget is spent); rows
    placed without a district get theirs from `districts_file` (None: the shipped outlines)."""
    started = time.perf_counter()
    interval = poll_interval(spec.catalogue.update_cycle)
    since = load_watermark(engine, spec.id)
    pages = stored = quarantined = 0
    try:
        while True:
            now = clock()
            batch = adapter.poll(since)
            report = ingest(
                engine,
                source_id=spec.id,
                kind=spec.kind,
                table=spec.table,
                batch=batch,
                now=now,
                next_due=now + interval,
                guard=guard,
                districts_file=districts_file,
            )
            pages += 1
            stored += report.stored
            quarantined += report.quarantined
            since = batch.watermark
            if not batch.more or pages >= max_pages:
                break
    except AdapterError as exc:
        return _failed(engine, spec, exc, interval, pages, stored, quarantined, started, clock)
    except LeaseLost:
        raise
    except Exception as exc:  # our own bug: log it whole, show the operator one line
        log.exception("source %s: unexpected error", spec.id)
        error = SourceError(f"internal error while reading this source: {exc}", repr(exc))
        return _failed(engine, spec, error, interval, pages, stored, quarantined, started, clock)
    next_due = clock() + (timedelta(0) if batch.more else interval)
    log.info(
        "source %s: %d rows stored, %d quarantined in %d page(s)",
        spec.id,
        stored,
        quarantined,
        pages,
    )
    return PollReport(
        source_id=spec.id,
        ok=True,
        pages=pages,
        stored=stored,
        quarantined=quarantined,
        next_due=next_due,
        seconds=time.perf_counter() - started,
    )


def _failed(
    engine: Engine,
    spec: SourceSpec,
    error: AdapterError,
    interval: timedelta,
    pages: int,
    stored: int,
    quarantined: int,
    started: float,
    clock: Callable[[], datetime],
) -> PollReport:
    failures = _failures(engine, spec.id) + 1
    now = clock()
    next_due = now + timedelta(seconds=retry_delay(failures, interval.total_seconds(), error))
    record_failure(
        engine, source_id=spec.id, kind=spec.kind, error=error, now=now, next_due=next_due
    )
    log.warning(
        "source %s: %s error (%d in a row): %s", spec.id, error.kind, failures, error.detail
    )
    return PollReport(
        source_id=spec.id,
        ok=False,
        pages=pages,
        stored=stored,
        quarantined=quarantined,
        next_due=next_due,
        seconds=time.perf_counter() - started,
        error=error.operator_message,
        error_kind=error.kind,
    )


def _failures(engine: Engine, source_id: str) -> int:
    table = schema.source_status
    with engine.connect() as connection:
        value = connection.scalar(
            select(table.c.consecutive_failures).where(table.c.source_id == source_id)
        )
    return value or 0
