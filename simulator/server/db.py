"""The feed server's read-only access to the simulated data centre's database.

SQLite (the demo): the file is put in WAL mode if it is not already, so that readers and the
simulator's writer never block each other; every connection is `query_only` with a busy
timeout, and each request reads inside one short deferred transaction (one consistent
snapshot for its count and its rows, released at once so checkpoints are never held back).
A read that still meets "database is locked" (a checkpoint truncating the WAL, a schema
change at a rebuild) is retried a few times after a short pause. PostgreSQL: read-only
transactions. Tables come from `simulator.schema`: the server reads what the simulator writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError

log = logging.getLogger("cityops.simulator.server")

T = TypeVar("T")

BUSY_TIMEOUT_MS = 3_000
READ_ATTEMPTS = 4
RETRY_PAUSE_SECONDS = 0.05


class FeedDatabase:
    """An engine on the data centre's database and `read()`, the one way views query it."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = make_read_engine(database_url)

    def read(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one short read transaction, retried if the file is locked."""
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                with self.engine.connect() as conn:
                    return work(conn)
            except OperationalError as exc:
                if attempt == READ_ATTEMPTS or not _is_lock(exc):
                    raise
                log.debug("database busy (attempt %d); retrying: %s", attempt, exc)
                time.sleep(RETRY_PAUSE_SECONDS * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.engine.dispose()


def make_read_engine(url: str) -> Engine:
    """A read-only engine: SQLite with WAL, query_only and a busy timeout; else read-only."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options = {"options": "-c default_transaction_read_only=on"}
        connect_args = options if parsed.get_backend_name() == "postgresql" else {}
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    engine = create_engine(url, pool_size=8, max_overflow=16, pool_timeout=10)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Explicit BEGIN from the "begin" event (the pysqlite recipe): one snapshot per request.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()
        if mode and str(mode[0]).lower() not in ("wal", "memory"):
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except Exception as exc:  # a writer holds the file: it will set WAL itself
                log.debug("could not switch the database to WAL: %s", exc)
        for pragma in ("query_only=ON", "temp_store=MEMORY", "cache_size=-65536"):
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def _is_lock(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text
