"""Database access for the simulator: engine with SQLite pragmas, chunked inserts and updates.

SQLAlchemy Core only. On SQLite, rows go through the driver's ``executemany`` with values
pre-converted to exactly what the column types would store (UTC text for ``UtcDateTime``), which
is several times faster than per-row type processing; on other dialects (PostgreSQL) the
ordinary ``insert()`` / ``update()`` constructs are used with Python values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Date, Engine, Table, and_, bindparam, create_engine, event
from sqlalchemy.engine import Connection, make_url

from .sqltypes import UtcDateTime
from .times import NULL_TIME, datetimes, day_date, format_sqlite, to_datetime

CHUNK_ROWS = 20_000


def make_engine(url: str) -> Engine:
    """Engine for the data centre's database; SQLite files get their folder, WAL and pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # one connection may be handed to the build's writer thread
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN so transactions are explicit (pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=30000",
        "temp_store=MEMORY",
        "cache_size=-131072",
        "journal_size_limit=67108864",  # keep the WAL file small once checkpointed
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_datetime_text(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def column_values(conn: Connection, column, values) -> list:
    """Convert one column of values to what the driver should receive.

    ``UtcDateTime`` accepts int epoch seconds (numpy or Python, NULL_TIME for NULL) or aware
    datetimes; ``Date`` accepts local day indices or ``date`` objects; floats NaN become NULL.
    """
    sqlite = is_sqlite(conn)
    ctype = column.type
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        if isinstance(ctype, UtcDateTime):
            return format_sqlite(values) if sqlite else datetimes(values)
        if isinstance(ctype, Date):
            uniq, inverse = np.unique(values, return_inverse=True)
            table = np.empty(len(uniq), dtype=object)
            table[:] = [_date_value(day_date(d), sqlite) for d in uniq.tolist()]
            return table[inverse.ravel()].tolist()
        return values.tolist()
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            return values.tolist()
        out = values.astype(object)
        out[missing] = None
        return out.tolist()
    if isinstance(values, np.ndarray) and values.dtype.kind == "b":
        return [bool(v) for v in values.tolist()]
    values = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if isinstance(ctype, UtcDateTime):
        return [_time_value(v, sqlite) for v in values]
    if isinstance(ctype, Date):
        return [_date_value(v, sqlite) for v in values]
    return [None if isinstance(v, float) and v != v else v for v in values]


def _time_value(value, sqlite: bool):
    if value is None:
        return None
    if isinstance(value, int | np.integer):
        if value == NULL_TIME:
            return None
        value = to_datetime(int(value))
    return _sqlite_datetime_text(value) if sqlite else value


def _date_value(value, sqlite: bool):
    if value is None:
        return None
    if isinstance(value, int | np.integer):
        value = day_date(int(value))
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if sqlite and isinstance(value, date) else value


def _rows(conn: Connection, table: Table, columns: Mapping[str, object], names: Sequence[str]):
    converted = [column_values(conn, table.c[name], columns[name]) for name in names]
    return list(zip(*converted, strict=True))


def insert(conn: Connection, table: Table, columns: Mapping[str, object]) -> int:
    """Insert rows given as columns (name -> sequence); returns the number of rows."""
    names = [n for n in columns if not n.startswith("_")]
    rows = _rows(conn, table, columns, names)
    if not rows:
        return 0
    if is_sqlite(conn):
        q = conn.dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {q(table.name)} ({', '.join(q(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})"
        )
        for i in range(0, len(rows), CHUNK_ROWS):
            conn.exec_driver_sql(sql, rows[i : i + CHUNK_ROWS])
    else:
        stmt = table.insert()
        for i in range(0, len(rows), CHUNK_ROWS):
            conn.execute(stmt, [dict(zip(names, r, strict=True)) for r in rows[i : i + CHUNK_ROWS]])
    return len(rows)


def update(
    conn: Connection, table: Table, keys: Sequence[str], columns: Mapping[str, object]
) -> int:
    """Update rows by key; ``columns`` holds the key columns and the columns to set."""
    sets = [n for n in columns if n not in keys and not n.startswith("_")]
    rows = _rows(conn, table, columns, [*sets, *keys])
    if not rows or not sets:
        return 0
    if is_sqlite(conn):
        q = conn.dialect.identifier_preparer.quote
        sql = (
            f"UPDATE {q(table.name)} SET {', '.join(f'{q(n)} = ?' for n in sets)} "
            f"WHERE {' AND '.join(f'{q(k)} = ?' for k in keys)}"
        )
        for i in range(0, len(rows), CHUNK_ROWS):
            conn.exec_driver_sql(sql, rows[i : i + CHUNK_ROWS])
    else:
        stmt = (
            table.update()
            .where(and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys)))
            .values({n: bindparam(f"v_{n}") for n in sets})
        )
        params = [f"v_{n}" for n in sets] + [f"k_{k}" for k in keys]
        for i in range(0, len(rows), CHUNK_ROWS):
            conn.execute(
                stmt, [dict(zip(params, r, strict=True)) for r in rows[i : i + CHUNK_ROWS]]
            )
    return len(rows)
