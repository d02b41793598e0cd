"""The data-sharing exchange platform's REST API (数据共享交换平台) under `/exchange/api/v1`.

    GET /exchange/api/v1/posts        collected public posts (网络舆情采集)
    GET /exchange/api/v1/incidents    110/119/120 incidents (联动警情)

Both take `updated_since` (ISO 8601; rows updated at or after it), `page` (from 1) and
`page_size` (1..1000, default 100), and list rows by update time, then key, oldest first.
They also take `cursor`, the `next_cursor` of the previous answer: keyset paging that stays
exact while rows change between pages (with `page`, a row updated during the walk moves to the
end and shifts the others back by one). Every answer is the gateway's envelope:

    {"code": 0, "message": "ok", "data": {"records": [...], "page": 1, "page_size": 100,
     "total": 1234, "has_more": true, "next_cursor": "..."}}

With a token configured, every call needs `Authorization: Bearer <token>`; without it or with
another one the answer is 401 `{"code": 401, "message": "..."}`. Times are Beijing time with
`+08:00`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy import Column, Row, Table, and_, func, or_, select
from sqlalchemy.engine import Connection
from werkzeug.exceptions import Unauthorized

from simulator.schema import emergency_incidents, public_posts

from .db import FeedDatabase
from .paging import Window
from .params import ParameterError, int_param, time_param
from .responses import json_response
from .timefmt import iso, parse_time

PREFIX = "/exchange/api/v1"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000

bp = Blueprint("exchange", __name__, url_prefix=PREFIX)


def error_response(status: int, message: str) -> Response:
    """The gateway's error envelope: `{"code": 401, "message": "...", "data": null}`."""
    headers = {"WWW-Authenticate": 'Bearer realm="exchange"'} if status == 401 else None
    return json_response({"code": status, "message": message, "data": None}, status, headers)


@bp.before_request
def _authorise() -> None:
    token = current_app.extensions["cityops_feed"].exchange_token
    if token is None:
        return
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("missing bearer token: send Authorization: Bearer <token>")
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("invalid token")


@dataclass(frozen=True)
class Resource:
    """One table served by the exchange: its cursor, key and how a row becomes a record."""

    table: Table
    key: str
    record: Callable[[Row[Any]], dict[str, Any]]

    @property
    def cursor_column(self) -> Column[Any]:
        return self.table.c.updated_at

    @property
    def key_column(self) -> Column[Any]:
        return self.table.c[self.key]


def _post(row: Row[Any]) -> dict[str, Any]:
    return {
        "post_id": row.post_id,
        "platform": row.platform,
        "author": row.author,
        "text": row.text,
        "posted_at": iso(row.posted_at),
        "district_code": row.district_code,
        "lat": row.lat,
        "lon": row.lon,
        "likes": row.likes,
        "reposts": row.reposts,
        "comments": row.comments,
        "url": row.url,
        "updated_at": iso(row.updated_at),
    }


def _incident(row: Row[Any]) -> dict[str, Any]:
    return {
        name: iso(value) if isinstance(value, datetime) else value
        for name, value in row._mapping.items()
    }


RESOURCES = {
    "posts": Resource(public_posts, "post_id", _post),
    "incidents": Resource(emergency_incidents, "incident_id", _incident),
}


@bp.get("/<name>")
def listing(name: str) -> Response:
    resource = RESOURCES.get(name)
    if resource is None:
        return error_response(404, f"no resource {name!r}; try {', '.join(RESOURCES)}")
    since = time_param(request.args, "updated_since")
    page = int_param(request.args, "page", 1, 1, MAX_PAGE)
    size = int_param(request.args, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    after = _decode_cursor(request.args.get("cursor"))
    window = Window(0, size) if after is not None else Window.of_page(page, size)

    def work(conn: Connection) -> tuple[list[Row[Any]], bool, int]:
        return _page(conn, resource, since, after, window)

    rows, more, total = _database().read(work)
    records = [resource.record(row) for row in rows]
    last = rows[-1] if rows else None
    next_cursor = _encode_cursor(last, resource) if more and last is not None else None
    data = {
        "records": records,
        "page": page,
        "page_size": size,
        "total": total,
        "has_more": more,
        "next_cursor": next_cursor,
    }
    return json_response({"code": 0, "message": "ok", "data": data})


def _page(
    conn: Connection,
    resource: Resource,
    since: datetime | None,
    after: tuple[datetime, str] | None,
    window: Window,
) -> tuple[list[Row[Any]], bool, int]:
    cursor, key = resource.cursor_column, resource.key_column
    base = [cursor >= since] if since is not None else []
    total = conn.execute(select(func.count()).select_from(resource.table).where(*base)).scalar_one()
    conditions = list(base)
    if after is not None:
        moment, last_key = after
        conditions += [
            cursor >= moment,
            or_(cursor > moment, and_(cursor == moment, key > last_key)),
        ]
    stmt = select(resource.table).where(*conditions).order_by(cursor, key)
    rows, more = window.select(conn, stmt)
    return rows, more, total


def _encode_cursor(row: Row[Any], resource: Resource) -> str:
    moment = row._mapping[resource.cursor_column.name]
    raw = json.dumps([iso(moment), row._mapping[resource.key]], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def _decode_cursor(text: str | None) -> tuple[datetime, str] | None:
    if text is None or not text.strip():
        return None
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        moment, key = json.loads(raw.decode("utf-8"))
        return parse_time(moment), str(key)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise ParameterError("cursor is not a next_cursor this server gave") from None


def _database() -> FeedDatabase:
    return current_app.extensions["cityops_feed"].database
