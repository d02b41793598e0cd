"""Open311 GeoReport v2 (read-only) under `/open311/v2`: the 12345 hotline's tickets.

    GET /open311/v2/services.json|.xml
    GET /open311/v2/requests.json|.xml     start_date, end_date (on requested_datetime, at most
                                           90 days apart), updated_after, updated_before (on
                                           updated_datetime, the common extension), status,
                                           service_code, service_request_id (comma lists),
                                           jurisdiction_id (accepted, one jurisdiction)
    GET /open311/v2/requests/<id>.json|.xml

A call returns at most `page_cap` requests (1,000 by default), newest first by the time the
call filters on: updated time when only `updated_*` is given, else requested time (the last
90 days when no time is given). There is no paging, as in the spec: a client that gets
`page_cap` rows narrows its window. Bounds are inclusive. Times are Beijing time with
`+08:00`; the hotline's `accepted` state is `open`; `lat`/`long` are sent as stored (null or
0 when the caller gave no location); `district` (the adcode) is an extension field.
Errors are Open311 errors: `[{"code": 400, "description": "..."}]`, or `<errors>` in XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request
from sqlalchemy import Row, Select, select
from werkzeug.exceptions import NotFound

from simulator.hotline_grammar import TOPICS
from simulator.schema import hotline_tickets

from .db import FeedDatabase
from .paging import Window
from .params import ParameterError, list_param, time_param
from .responses import add_text, json_response, xml_response
from .timefmt import iso

PREFIX = "/open311/v2"
MAX_SPAN = timedelta(days=90)
FORMATS = frozenset({"json", "xml"})
STATUSES = {"open": ("open", "accepted"), "closed": ("closed",)}

bp = Blueprint("open311", __name__, url_prefix=PREFIX)
Record = dict[str, Any]


def error_response(status: int, message: str) -> Response:
    """An Open311 error, as XML when the path asks for XML, else JSON."""
    if request.path.endswith(".xml"):
        root = ET.Element("errors")
        error = ET.SubElement(root, "error")
        add_text(error, "code", status)
        add_text(error, "description", message)
        return xml_response(root, status)
    return json_response([{"code": status, "description": message}], status)


@bp.get("/services.<fmt>")
def services(fmt: str) -> Response:
    _format(fmt)
    records = [
        {
            "service_code": topic.code,
            "service_name": topic.name,
            "description": f"12345热线{topic.name}类诉求",
            "metadata": False,
            "type": "realtime",
            "keywords": topic.key.replace("_", " "),
            "group": "12345政务服务便民热线",
        }
        for topic in TOPICS
    ]
    return _render(fmt, "services", "service", records)


@bp.get("/requests.<fmt>")
def list_requests(fmt: str) -> Response:
    _format(fmt)
    cap = current_app.extensions["cityops_feed"].page_cap
    stmt = _query(request.args)
    rows = _database().read(lambda conn: Window(0, cap).select(conn, stmt)[0])
    return _render(fmt, "service_requests", "request", [_record(r) for r in rows])


@bp.get("/requests/<request_id>.<fmt>")
def one_request(request_id: str, fmt: str) -> Response:
    _format(fmt)
    stmt = select(hotline_tickets).where(hotline_tickets.c.service_request_id == request_id)
    row = _database().read(lambda conn: conn.execute(stmt).first())
    if row is None:
        raise NotFound(f"service request {request_id} does not exist")
    return _render(fmt, "service_requests", "request", [_record(row)])


# --- the query --------------------------------------------------------------------------------


def _query(args: Mapping[str, str]) -> Select[Any]:
    """The SELECT for a `requests` call, ordered newest first, not yet limited."""
    t = hotline_tickets.c
    ids = list_param(args, "service_request_id")
    if ids:  # the spec: this overrides every other parameter
        return (
            select(hotline_tickets)
            .where(t.service_request_id.in_(ids))
            .order_by(t.requested_at.desc(), t.service_request_id.desc())
        )
    start, end = time_param(args, "start_date"), time_param(args, "end_date")
    after, before = time_param(args, "updated_after"), time_param(args, "updated_before")
    _check_span(start, end, "start_date", "end_date", limit=MAX_SPAN)
    _check_span(after, before, "updated_after", "updated_before", limit=None)
    by_update = (after or before) is not None and (start or end) is None
    if (start, end, after, before) == (None, None, None, None):
        start = datetime.now(UTC) - MAX_SPAN
    conditions = []
    for column, low, high in ((t.requested_at, start, end), (t.updated_at, after, before)):
        if low is not None:
            conditions.append(column >= low)
        if high is not None:
            conditions.append(column <= high)
    statuses = list_param(args, "status", frozenset(STATUSES))
    if statuses:
        conditions.append(t.status.in_([s for name in statuses for s in STATUSES[name]]))
    codes = list_param(args, "service_code")
    if codes:
        conditions.append(t.service_code.in_(codes))
    cursor = t.updated_at if by_update else t.requested_at
    return (
        select(hotline_tickets)
        .where(*conditions)
        .order_by(cursor.desc(), t.service_request_id.desc())
    )


def _check_span(
    low: datetime | None,
    high: datetime | None,
    low_name: str,
    high_name: str,
    limit: timedelta | None,
) -> None:
    if low is None or high is None:
        return
    if high < low:
        raise ParameterError(f"{high_name} is before {low_name}")
    if limit is not None and high - low > limit:
        raise ParameterError(f"{low_name} and {high_name} may not span more than 90 days")


# --- records ----------------------------------------------------------------------------------


def _record(row: Row[Any]) -> Record:
    return {
        "service_request_id": row.service_request_id,
        "status": "closed" if row.status == "closed" else "open",
        "status_notes": row.status_notes,
        "service_name": row.service_name,
        "service_code": row.service_code,
        "description": row.description,
        "agency_responsible": row.agency_responsible,
        "service_notice": None,
        "requested_datetime": iso(row.requested_at),
        "updated_datetime": iso(row.updated_at),
        "expected_datetime": iso(row.expected_at),
        "address": row.address,
        "address_id": None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lon,
        "media_url": None,
        "district": row.district_code,
    }


def _render(fmt: str, root_tag: str, item_tag: str, records: list[Record]) -> Response:
    if fmt == "json":
        return json_response(records)
    root = ET.Element(root_tag)
    for record in records:
        item = ET.SubElement(root, item_tag)
        for name, value in record.items():
            add_text(item, name, value)
    return xml_response(root)


def _format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise NotFound(f"unknown format {fmt!r}: use .json or .xml")


def _database() -> FeedDatabase:
    return current_app.extensions["cityops_feed"].database
