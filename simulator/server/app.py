"""The feed server's WSGI app: every protocol on one read-only Flask app.

`create_feed_app(database_url)` mounts SensorThings (`/sta/v1.1`), Open311 (`/open311/v2`),
the exchange platform (`/exchange/api/v1`), CAP (`/cap`), `/healthz` and fault injection
(`/admin/faults`). Each protocol reports errors in its own format; a database that cannot be
read gives 503 (clients retry). JSON and XML are UTF-8; bodies over 1 KB are gzipped for
clients that accept it. `close_feed_app(app)` releases the database connections.
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass

from flask import Flask, Response, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from . import cap, exchange, faults, health, open311, sensorthings
from .db import FeedDatabase
from .responses import ErrorRenderer, json_response, plain_error

log = logging.getLogger("cityops.simulator.server")

GZIP_MIN_BYTES = 1024
ERROR_RENDERERS: tuple[tuple[str, ErrorRenderer], ...] = (
    (sensorthings.PREFIX, sensorthings.error_response),
    (open311.PREFIX, open311.error_response),
    (exchange.PREFIX, exchange.error_response),
    (cap.PREFIX, cap.error_response),
)


@dataclass
class FeedContext:
    """What the views share, kept on `app.extensions["cityops_feed"]`."""

    database: FeedDatabase
    exchange_token: str | None
    page_cap: int

    def close(self) -> None:
        self.database.close()


def create_feed_app(
    database_url: str, *, exchange_token: str | None = "demo-exchange-token", page_cap: int = 1000
) -> Flask:
    """The feed server app on the data centre at `database_url` (read-only)."""
    if page_cap < 1:
        raise ValueError(f"page_cap must be at least 1, got {page_cap}")
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["cityops_feed"] = FeedContext(
        FeedDatabase(database_url), exchange_token or None, page_cap
    )
    faults.install(app, faults.FaultTable())
    for blueprint in (sensorthings.bp, open311.bp, exchange.bp, cap.bp, health.bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.after_request(_compress)
    return app


def close_feed_app(app: Flask) -> None:
    """Release the app's database connections."""
    app.extensions["cityops_feed"].close()


def _renderer(path: str) -> ErrorRenderer:
    for prefix, renderer in ERROR_RENDERERS:
        if path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "."):
            return renderer
    return _fallback


def _fallback(status: int, message: str) -> Response:
    if request.path.startswith(faults.ADMIN_PREFIX):
        return json_response({"code": status, "message": message}, status)
    return plain_error(status, message)


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = _renderer(request.path)(status, exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _database_error(exc: SQLAlchemyError) -> Response:
    log.warning("database error on %s: %s", request.path, exc)
    message = "the data centre's database is busy or unavailable; try again shortly"
    return _renderer(request.path)(503, message)


def _compress(response: Response) -> Response:
    if (
        response.direct_passthrough
        or response.status_code == 304
        or "Content-Encoding" in response.headers
        or request.accept_encodings["gzip"] <= 0
    ):
        return response
    data = response.get_data()
    if len(data) < GZIP_MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
