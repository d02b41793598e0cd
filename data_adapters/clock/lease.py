"""The leader lease: exactly one clock process polls; the others stand by.

A lease is a row (name, holder, expires_at). The leader renews it well before it expires; a
standby takes it over once it has expired, so a dead leader is replaced within two lease
periods. Every ingest also checks, inside its own transaction, that its process still holds
the lease (`holds`), so a leader that stalled past its expiry cannot write over its successor.
Hosts must keep their clocks in sync (NTP): the lease compares wall-clock times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, and_, case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from data_adapters.store.schema import clock_lease
from data_adapters.store.writer import write_transaction

LEASE_NAME = "clock"


def acquire(engine: Engine, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Take or renew the lease for `holder`; True when `holder` leads until `now + ttl`."""
    with write_transaction(engine) as connection:
        renewed = connection.execute(
            update(clock_lease)
            .where(
                clock_lease.c.name == LEASE_NAME,
                or_(clock_lease.c.holder == holder, clock_lease.c.expires_at < now),
            )
            .values(
                holder=holder,
                expires_at=now + ttl,
                acquired_at=case(
                    (clock_lease.c.holder == holder, clock_lease.c.acquired_at), else_=now
                ),
            )
        ).rowcount
        if renewed:
            return _holder(connection) == holder
        return _insert_if_absent(connection, holder, now, now + ttl)


def release(engine: Engine, holder: str) -> None:
    """Give the lease up at once (a clean shutdown), so a standby need not wait for expiry."""
    with write_transaction(engine) as connection:
        connection.execute(
            clock_lease.delete().where(
                clock_lease.c.name == LEASE_NAME, clock_lease.c.holder == holder
            )
        )


def holds(connection: Connection, holder: str, now: datetime) -> bool:
    """Whether `holder` holds an unexpired lease, read inside the caller's transaction."""
    found = connection.scalar(
        select(clock_lease.c.holder).where(
            and_(
                clock_lease.c.name == LEASE_NAME,
                clock_lease.c.holder == holder,
                clock_lease.c.expires_at >= now,
            )
        )
    )
    return found is not None


def current_holder(engine: Engine) -> tuple[str, datetime] | None:
    """Who holds the lease and until when, or None."""
    with engine.connect() as connection:
        row = connection.execute(
            select(clock_lease.c.holder, clock_lease.c.expires_at).where(
                clock_lease.c.name == LEASE_NAME
            )
        ).first()
    return (row.holder, row.expires_at) if row else None


def _holder(connection: Connection) -> str | None:
    return connection.scalar(select(clock_lease.c.holder).where(clock_lease.c.name == LEASE_NAME))


def _insert_if_absent(
    connection: Connection, holder: str, now: datetime, expires: datetime
) -> bool:
    insert_ = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    inserted = connection.execute(
        insert_(clock_lease)
        .values(name=LEASE_NAME, holder=holder, acquired_at=now, expires_at=expires)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(clock_lease.c.name)
    ).first()
    return inserted is not None
