"""Write transactions: one writer at a time on SQLite, as many as the database allows elsewhere.

SQLite lets one connection write at a time; the clock polls several sources in parallel, so
its ingests queue on a lock of their own (per engine) instead of failing with "database is
locked" when one transaction outlasts the busy timeout. Readers (the web tier) are never
blocked: WAL mode lets them read while the writer writes. PostgreSQL needs no such lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

_LOCKS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_GUARD = threading.Lock()


def _lock_for(engine: Engine) -> threading.Lock:
    with _GUARD:
        lock = _LOCKS.get(engine)
        if lock is None:
            lock = _LOCKS[engine] = threading.Lock()
        return lock


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()`, taken one at a time per engine when the engine is SQLite."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with _lock_for(engine), engine.begin() as connection:
        yield connection
