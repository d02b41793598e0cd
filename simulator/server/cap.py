"""Early warnings (CAP 1.2) under `/cap`: an Atom index and the CAP documents themselves.

    GET /cap/index.atom            the newest 200 messages, newest first; each entry links to
                                   its document with rel="alternate" type="application/cap+xml"
    GET /cap/<identifier>.xml      the message exactly as the issuing office wrote it

Entry titles say the event, colour and action in Chinese ("暴雨黄色预警（发布）"), from the
stored event and CAP severity (Minor blue, Moderate yellow, Severe orange, Extreme red).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request
from sqlalchemy import Row, select
from werkzeug.exceptions import NotFound

from simulator.schema import cap_messages

from .db import FeedDatabase
from .paging import Window
from .responses import add_text, plain_error, xml_response
from .timefmt import iso

PREFIX = "/cap"
FEED_SIZE = 200
FEED_ID = "tag:lyg.example,2026:cap"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
COLOUR_ZH = {"Minor": "蓝色", "Moderate": "黄色", "Severe": "橙色", "Extreme": "红色"}
ACTION_ZH = {"Alert": "发布", "Update": "更新", "Cancel": "解除"}

bp = Blueprint("cap", __name__, url_prefix=PREFIX)


def error_response(status: int, message: str) -> Response:
    """A plain-text error (CAP clients only look at the status)."""
    return plain_error(status, message)


@bp.get("/index.atom")
def index() -> Response:
    stmt = select(
        cap_messages.c.identifier,
        cap_messages.c.sender_name,
        cap_messages.c.sent,
        cap_messages.c.msg_type,
        cap_messages.c.event,
        cap_messages.c.severity,
        cap_messages.c.area_desc,
    ).order_by(cap_messages.c.sent.desc(), cap_messages.c.identifier.desc())
    rows, _ = _database().read(lambda conn: Window(0, FEED_SIZE).select(conn, stmt))
    base = request.url_root.rstrip("/") + PREFIX
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _atom(feed, "id", FEED_ID)
    _atom(feed, "title", "连云港市突发事件预警信息")
    _atom(feed, "updated", iso(rows[0].sent) if rows else "1970-01-01T08:00:00+08:00")
    author = ET.SubElement(feed, "author")
    _atom(author, "name", "连云港市突发事件预警信息发布中心")
    ET.SubElement(feed, "link", rel="self", href=f"{base}/index.atom")
    for row in rows:
        _entry(feed, row, base)
    return xml_response(feed, content_type=ATOM_TYPE)


@bp.get("/<identifier>.xml")
def document(identifier: str) -> Response:
    stmt = select(cap_messages.c.xml).where(cap_messages.c.identifier == identifier)
    xml = _database().read(lambda conn: conn.execute(stmt).scalar_one_or_none())
    if xml is None:
        raise NotFound(f"no CAP message {identifier!r}")
    return Response(xml.encode("utf-8"), content_type=CAP_TYPE)


def title(row: Row[Any]) -> str:
    """ "暴雨黄色预警（发布）": the event, the colour of its severity and the action."""
    colour = COLOUR_ZH.get(row.severity, "")
    action = ACTION_ZH.get(row.msg_type, row.msg_type)
    return f"{row.event}{colour}预警（{action}）"


def _entry(feed: ET.Element, row: Row[Any], base: str) -> None:
    href = f"{base}/{row.identifier}.xml"
    entry = ET.SubElement(feed, "entry")
    _atom(entry, "id", f"{FEED_ID}:{row.identifier}")
    _atom(entry, "title", title(row))
    _atom(entry, "updated", iso(row.sent))
    _atom(entry, "summary", f"{row.sender_name}：{row.area_desc}")
    author = ET.SubElement(entry, "author")
    _atom(author, "name", row.sender_name)
    ET.SubElement(entry, "link", rel="alternate", type="application/cap+xml", href=href)


def _atom(parent: ET.Element, tag: str, text: Any) -> ET.Element:
    return add_text(parent, tag, text)


def _database() -> FeedDatabase:
    return current_app.extensions["cityops_feed"].database
