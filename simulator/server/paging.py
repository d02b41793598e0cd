"""The one pagination helper: a window of `limit` items from `offset`, and whether more follow.

SQL queries fetch one row more than the window to learn whether another page exists without
counting; in-memory lists (the few hundred sensor Things and Datastreams) are sliced the same
way, so SensorThings, Open311 and the exchange API page identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.engine import Connection

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """`limit` items starting at `offset`."""

    offset: int
    limit: int

    @classmethod
    def of_page(cls, page: int, size: int) -> Window:
        """Page `page` (from 1) of `size` items."""
        return cls((page - 1) * size, size)

    def select(self, conn: Connection, stmt: Select[Any]) -> tuple[list[Any], bool]:
        """The window's rows of `stmt` (which must be ordered) and whether more follow."""
        rows = conn.execute(stmt.limit(self.limit + 1).offset(self.offset)).all()
        return rows[: self.limit], len(rows) > self.limit

    def slice(self, items: Sequence[T]) -> tuple[list[T], bool]:
        """The window's items of `items` and whether more follow."""
        end = self.offset + self.limit
        return list(items[self.offset : end]), len(items) > end

    @property
    def following(self) -> int:
        """The offset of the next window."""
        return self.offset + self.limit
