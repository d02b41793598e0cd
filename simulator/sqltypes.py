"""Column types shared by all tables: an aware-UTC DateTime that behaves the same on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.types import DateTime, TypeDecorator


class UtcDateTime(TypeDecorator):
    """``DateTime(timezone=True)`` that stores UTC and always returns aware UTC datetimes.

    PostgreSQL gets ``timestamptz``. SQLite has no time zones, so the value is stored as naive
    UTC text ('YYYY-MM-DD HH:MM:SS.ffffff', which sorts in time order) and read back as aware UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime needs a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("UtcDateTime refuses naive datetimes; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
