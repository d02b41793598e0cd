"""Engines for the ops store: one factory, with SQLite tuned for one writer and many readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class StoreURLError(ValueError):
    """A database URL that cannot be used; the message says why, in plain words."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; for a SQLite file, create its folder and enable WAL.

    Raises `StoreURLError` for a URL that is malformed or names an unknown dialect.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreURLError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    elif parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, pool_pre_ping=True, **kwargs)
    except Exception as exc:  # NoSuchModuleError, ImportError of a missing driver
        name = parsed.render_as_string(hide_password=True)
        raise StoreURLError(f"cannot use database URL {name}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
