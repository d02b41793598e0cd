"""`GET /healthz`: is the database readable, and how far has each simulated feed got.

The answer names the simulated clock (`sim_now`, the time up to which the simulator has
written everything) and, per feed, the newest update time of its table (read from the end of
its `(updated_at, key)` index, so it costs nothing on a full database). 503 when the database
cannot be read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, current_app
from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from simulator.schema import (
    cap_messages,
    emergency_incidents,
    hotline_tickets,
    public_posts,
    sensor_observations,
    sim_state,
)

from .responses import json_response
from .timefmt import iso

FEEDS: dict[str, tuple[str, Table]] = {
    "sensorthings": ("/sta/v1.1", sensor_observations),
    "open311": ("/open311/v2", hotline_tickets),
    "posts": ("/exchange/api/v1/posts", public_posts),
    "incidents": ("/exchange/api/v1/incidents", emergency_incidents),
    "cap": ("/cap/index.atom", cap_messages),
}

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    try:
        body = current_app.extensions["cityops_feed"].database.read(_state)
    except SQLAlchemyError as exc:
        message = f"the data centre's database cannot be read: {type(exc).__name__}"
        return json_response({"status": "unavailable", "message": message}, 503)
    return json_response(body)


def _state(conn: Connection) -> dict[str, object]:
    state = dict(conn.execute(select(sim_state.c.key, sim_state.c.value)).all())
    sim_now = state.get("sim_now")
    feeds = {}
    for name, (path, table) in FEEDS.items():
        newest = conn.execute(select(func.max(table.c.updated_at))).scalar_one()
        feeds[name] = {"path": path, "table": table.name, "newest_update": iso(newest)}
    return {
        "status": "ok",
        "build": state.get("status"),
        "sim_now": iso(datetime.fromtimestamp(int(sim_now), UTC)) if sim_now else None,
        "server_time": iso(datetime.now(UTC)),
        "feeds": feeds,
    }
