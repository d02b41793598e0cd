"""Open311 GeoReport v2: services and service requests, from JSON or XML, bytes in.

`parse_services` and `parse_requests` take a whole response body and return the rows they
could read and, as `Rejected`, the rows they could not (with the raw row and the reason); the
rest of the document goes on. A document that cannot be read at all (not JSON or XML, not
well-formed, an XML bomb, an Open311 error response, an encoding we cannot decode) raises
`SourceError` with a message an operator understands. Everything here is pure: no I/O.

How it works: the JSON path and the XML path each turn the document into the same list of
rows (a dict of field name to value per `<request>`/`<service>` or JSON object); one set of
functions then normalises those dicts.

Choices made for feeds in the wild
----------------------------------
Document
    JSON is a top-level list (the standard) or an object wrapping it: ``{"service_requests":
    [...]}``, ``{"requests": [...]}``, ``{"service_requests": {"request": [...]}}`` (likewise
    ``services``/``service``). XML is ``<service_requests><request>`` (or ``<requests>``) and
    ``<services><service>``; namespaces are ignored, empty elements are None, and an element
    with mixed content (HTML written into a description) is kept as its inner XML text.
    The format is found from the content, never from a file name.
Encoding
    A BOM wins (UTF-8, UTF-16, UTF-32; also UTF-16/32 without a BOM, by the NUL pattern). XML
    otherwise uses its declared encoding (GB2312 and GBK are read as their superset GB18030).
    Otherwise, and when UTF-8 is declared, UTF-8 is tried first and then GB18030, which
    Chinese government systems still send; only if neither decodes is the document refused.
Status
    Case-insensitive. ``open`` and ``closed`` as in the standard; the common synonyms of
    `STATUS_SYNONYMS` are mapped (``acknowledged``, ``in_progress``, ``已受理`` -> open;
    ``resolved``, ``cancelled``, ``已办结`` -> closed) and the value as sent is kept in
    ``extra["status_raw"]``. A missing or unknown status rejects the row.
Times
    ISO 8601 / W3C: with an offset, ``Z``, fractional seconds (more than six digits are
    cut), a space instead of ``T``, ``/`` between the date parts; without an offset the
    time is local to ``default_timezone``. All come back aware, in UTC.
    ``requested_datetime`` is the poll cursor: missing or unparseable rejects the row. An
    unparseable optional time becomes None with a warning. Epoch numbers are not accepted.
Location
    ``lat``/``long``, numbers or numeric strings, in the source's own datum (the adapter
    converts GCJ-02/BD-09). A location is a pair: both are set or both are None. null, ""
    and 0 mean "no location" (Open311 servers send 0/0 for a request without a point); a
    pair with exactly one 0, one value missing, a non-number or a value out of range is
    dropped as a whole, with a warning in ``extra["warnings"]``.
Text
    CRLF and CR become LF, NUL characters are removed, surrounding whitespace is trimmed and
    empty text is None. HTML is kept as text, never interpreted. Text longer than
    ``max_text`` characters is cut to ``max_text`` characters ending in ``…[truncated]``,
    with a warning. Numbers in text fields (a zipcode sent as 47401) become strings.
Identifiers
    ``service_request_id`` and ``service_code`` are always strings (``123`` and ``123.0``
    give ``"123"``); a row without one is rejected. Within one document, duplicate
    requests keep the one with the newest ``updated_datetime`` (the later row when equal),
    duplicate services keep the later row, at the place of the first; the others are
    rejected as superseded.
Other fields
    Anything else a row carries is kept, as sent, in ``ServiceRequest.extra``.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import lru_cache, partial
from typing import Any, Final, TypeVar
from xml.etree.ElementTree import Element, ParseError, tostring
from xml.parsers.expat import ErrorString
from xml.parsers.expat import errors as expat_errors
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from data_adapters.contract import ConfigError, Rejected, SourceError

__all__ = [
    "DEFAULT_MAX_TEXT",
    "STATUS_SYNONYMS",
    "TRUNCATION_MARK",
    "Service",
    "ServiceRequest",
    "detect_format",
    "parse_requests",
    "parse_services",
]

DEFAULT_MAX_TEXT: Final = 20_000
TRUNCATION_MARK: Final = "…[truncated]"

_OPEN = (
    "open opened new submitted received acknowledged accepted assigned in_progress "
    "inprogress pending reopened 待受理 已受理 受理中 处理中 办理中 待处理 已派单 已转办"
)
_CLOSED = (
    "closed resolved completed complete done fixed archived cancelled canceled "
    "已办结 办结 已完成 已关闭 已处理"
)
STATUS_SYNONYMS: Final[dict[str, str]] = {
    **dict.fromkeys(_OPEN.split(), "open"),
    **dict.fromkeys(_CLOSED.split(), "closed"),
}

_REQUEST_FIELDS: Final = frozenset(
    {
        "service_request_id",
        "status",
        "status_notes",
        "service_code",
        "service_name",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
)
_TEXT_FIELDS: Final = (
    "status_notes",
    "service_code",
    "service_name",
    "description",
    "agency_responsible",
    "service_notice",
    "address",
    "address_id",
    "zipcode",
    "media_url",
)

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_GB_ALIASES: Final = frozenset({"gb2312", "gbk", "cp936", "x-gbk", "gb_2312-80", "euc-cn"})
_XML_DECLARATION = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z][\w.:-]*)[\"']")
_LEADING_SPACE = re.compile(rb"\s*")
_TRUNCATION_ERRORS: Final = frozenset(
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
    )
)
_KEYWORD_SEPARATORS = re.compile(r"[,，;；、]")

T = TypeVar("T")


@dataclass(frozen=True)
class Service:
    """One service type a city offers (GeoReport v2 ``services``)."""

    service_code: str
    service_name: str
    description: str | None
    metadata: bool
    type: str | None
    keywords: list[str]
    group: str | None


@dataclass(frozen=True)
class ServiceRequest:
    """One service request (GeoReport v2 ``requests``), normalised: ids as strings, UTC times."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_code: str | None
    service_name: str | None
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime | None
    updated_datetime: datetime | None
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lon: float | None
    lat: float | None
    media_url: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The JSON-able record (`cityops inspect --kind open311` prints one per line)."""
        return {
            "service_request_id": self.service_request_id,
            "status": self.status,
            "status_notes": self.status_notes,
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "agency_responsible": self.agency_responsible,
            "requested_datetime": _iso(self.requested_datetime),
            "updated_datetime": _iso(self.updated_datetime),
            "expected_datetime": _iso(self.expected_datetime),
            "address": self.address,
            "zipcode": self.zipcode,
            "lon": self.lon,
            "lat": self.lat,
            "media_url": self.media_url,
        }


def detect_format(data: bytes) -> str:
    """``"json"`` or ``"xml"``, from the first character after any BOM and whitespace."""
    return _detect(data, "the Open311 document")


def parse_services(
    data: bytes, *, fmt: str | None = None, max_text: int = DEFAULT_MAX_TEXT
) -> tuple[list[Service], list[Rejected]]:
    """The services of a GeoReport v2 ``services`` response, and the rows that were refused."""
    _check_max_text(max_text)
    rows = _rows(data, fmt, _SERVICES)
    build = partial(_service, max_text=max_text)
    return _normalise(rows, build, "service_code", lambda s: s.service_code, lambda s: 0)


def parse_requests(
    data: bytes,
    *,
    fmt: str | None = None,
    default_timezone: str = "Asia/Shanghai",
    max_text: int = DEFAULT_MAX_TEXT,
) -> tuple[list[ServiceRequest], list[Rejected]]:
    """The service requests of a GeoReport v2 ``requests`` response, and the refused rows.

    Times without an offset are read in `default_timezone`; texts are cut at `max_text`.
    """
    _check_max_text(max_text)
    build = partial(_request, zone=_zone(default_timezone), max_text=max_text)
    rows = _rows(data, fmt, _REQUESTS)
    return _normalise(rows, build, "service_request_id", _request_id, _freshness)


# --- the document: bytes -> rows ------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """What one kind of document looks like, in JSON and in XML."""

    noun: str
    id_field: str
    json_keys: tuple[str, ...]
    xml_roots: tuple[str, ...]
    xml_item: str


_REQUESTS: Final = _Shape(
    "service requests",
    "service_request_id",
    ("service_requests", "requests", "request"),
    ("service_requests", "requests"),
    "request",
)
_SERVICES: Final = _Shape(
    "services", "service_code", ("services", "service"), ("services",), "service"
)


@dataclass(frozen=True)
class _Row:
    """One row of a document: its fields (None if it is not a row at all) and its source node."""

    fields: dict[str, Any] | None
    node: Any
    problem: str = ""


class _Reject(Exception):
    """A row cannot be read; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _rows(data: bytes, fmt: str | None, shape: _Shape) -> list[_Row]:
    what = f"the Open311 {shape.noun} document"
    if fmt not in (None, "json", "xml"):
        raise ConfigError(f"unknown Open311 format {fmt!r}: use 'json' or 'xml'")
    if (fmt or _detect(data, what)) == "json":
        return _json_rows(data, shape, what)
    return _xml_rows(data, shape, what)


def _detect(data: bytes, what: str) -> str:
    codec, bom_length = _sniff_encoding(data)
    if codec in (None, "utf-8-sig"):
        start = _LEADING_SPACE.match(data, bom_length).end()
        head = data[start : start + 40].decode("utf-8", errors="replace")
    else:
        head = data.decode(codec, errors="replace").lstrip("\ufeff \t\r\n")[:40]
    if head.startswith("<"):
        return "xml"
    if head[:1] in ("[", "{"):
        return "json"
    if not head:
        raise SourceError(f"{what} is empty")
    raise SourceError(f"{what} is neither JSON nor XML: it starts with {head!r}")


def _json_rows(data: bytes, shape: _Shape, what: str) -> list[_Row]:
    text = _decode(data, what, declared=None)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            str(exc),
        ) from exc
    except RecursionError as exc:
        raise SourceError(f"{what} is not usable JSON: it is nested too deeply") from exc
    errors = _json_errors(document, shape)
    if errors is not None:
        raise SourceError(_error_message(errors, shape))
    items = _unwrap(document, shape.json_keys)
    if items is None:
        raise SourceError(f"{what} is JSON but not a list of {shape.noun}: {_outline(document)}")
    return [
        _Row(item, item) if isinstance(item, dict) else _Row(None, item, _not_an_object(item))
        for item in items
    ]


def _json_errors(document: Any, shape: _Shape) -> list[Any] | None:
    """The error objects of an Open311 error response, or None if it is not one."""
    if isinstance(document, dict) and (document.get("errors") or document.get("error")):
        found = _unwrap(document, ("errors", "error"))
        return found if found is not None else [document.get("errors") or document.get("error")]
    candidates = document if isinstance(document, list) else [document]
    if candidates and all(_is_error(item, shape) for item in candidates):
        return candidates
    return None


def _is_error(item: Any, shape: _Shape) -> bool:
    return (
        isinstance(item, dict)
        and "code" in item
        and "description" in item
        and shape.id_field not in item
    )


def _unwrap(document: Any, keys: tuple[str, ...]) -> list[Any] | None:
    """The list inside a document's wrapping objects; a lone wrapped object is a list of one."""
    wrapped = False
    for _ in range(len(keys) + 1):
        if isinstance(document, list):
            return document
        if not isinstance(document, dict):
            return [] if wrapped and document in (None, "") else None
        key = next((k for k in keys if k in document), None)
        if key is None:
            return [document] if wrapped else None
        document, wrapped = document[key], True
    return None


def _outline(document: Any) -> str:
    if isinstance(document, dict):
        return "an object with the keys " + ", ".join(list(document)[:10])
    return f"a {type(document).__name__}"


def _not_an_object(item: Any) -> str:
    return f"not an object but a JSON {type(item).__name__}"


def _xml_rows(data: bytes, shape: _Shape, what: str) -> list[_Row]:
    text = _decode(data, what, declared=_declared_encoding(data))
    try:
        root = fromstring(text)
    except DefusedXmlException as exc:
        raise SourceError(
            f"{what} was refused: it declares XML entities, which can expand without limit"
            " or read local files",
            repr(exc),
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        cut = " (the document looks truncated)" if exc.code in _TRUNCATION_ERRORS else ""
        raise SourceError(
            f"{what} is not well-formed XML: {ErrorString(exc.code)}"
            f" at line {line} column {column + 1}{cut}",
            str(exc),
        ) from exc
    tag = _local_name(root.tag)
    if tag == "errors":
        raise SourceError(_error_message([_element_fields(e) for e in root], shape))
    if tag not in shape.xml_roots:
        kind = "an HTML page" if tag.lower() == "html" else f"<{tag}>"
        raise SourceError(f"{what} is {kind}, not <{shape.xml_roots[0]}>")
    try:
        return [_xml_row(child, shape.xml_item) for child in root]
    except RecursionError as exc:
        raise SourceError(f"{what} is not usable XML: it is nested too deeply") from exc


def _xml_row(element: Element, item: str) -> _Row:
    tag = _local_name(element.tag)
    if tag != item:
        return _Row(None, element, f"unexpected element <{tag}>, not <{item}>")
    return _Row(_element_fields(element), element)


def _element_fields(element: Element) -> dict[str, Any]:
    """The children of an element as a dict; a repeated child becomes a list."""
    fields: dict[str, Any] = {}
    for child in element:
        name, value = _local_name(child.tag), _element_value(child)
        if name not in fields:
            fields[name] = value
        elif isinstance(fields[name], list):
            fields[name].append(value)
        else:
            fields[name] = [fields[name], value]
    return fields


def _element_value(element: Element) -> Any:
    if len(element) == 0:
        return element.text or None
    if _blank(element.text) and all(_blank(child.tail) for child in element):
        return _element_fields(element)
    inner = "".join(tostring(child, encoding="unicode") for child in element)
    return (element.text or "") + inner


def _local_name(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else str(tag)


def _error_message(errors: list[Any], shape: _Shape) -> str:
    parts = []
    for error in errors:
        if isinstance(error, dict):
            code, description = error.get("code"), error.get("description")
            parts.append(" ".join(str(p).strip() for p in (code, description) if p is not None))
        else:
            parts.append(str(error))
    detail = "; ".join(p for p in parts if p) or "no details given"
    return f"the Open311 server answered with an error instead of {shape.noun}: {detail}"


def _raw(node: Any) -> str:
    """A row as received: its XML text or its compact JSON."""
    if isinstance(node, Element):
        return tostring(node, encoding="unicode").strip()
    return json.dumps(node, ensure_ascii=False, separators=(",", ":"))


# --- encodings -------------------------------------------------------------------------------


def _sniff_encoding(data: bytes) -> tuple[str | None, int]:
    """The codec a BOM or a NUL pattern reveals (None if neither), and the BOM's length."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    head = data[:4]
    if len(head) == 4:
        if head[:3] == b"\0\0\0":
            return "utf-32-be", 0
        if head[1:] == b"\0\0\0":
            return "utf-32-le", 0
        if head[0] == 0:
            return "utf-16-be", 0
        if head[1] == 0:
            return "utf-16-le", 0
    return None, 0


def _declared_encoding(data: bytes) -> str | None:
    match = _XML_DECLARATION.match(data)
    return match.group(1).decode("ascii") if match else None


def _decode(data: bytes, what: str, declared: str | None) -> str:
    sniffed, _ = _sniff_encoding(data)
    declared = _codec_name(declared)
    if sniffed:
        candidates = [sniffed]
    elif declared and declared not in ("utf-8", "utf8"):
        candidates = [declared]
    else:
        candidates = ["utf-8", "gb18030"]
    for codec in candidates:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
        except LookupError as exc:
            raise SourceError(f"{what} declares an unknown encoding {codec!r}") from exc
    raise SourceError(f"{what} cannot be decoded as {' or '.join(candidates)}")


def _codec_name(declared: str | None) -> str | None:
    if declared is None:
        return None
    name = declared.lower()
    return "gb18030" if name in _GB_ALIASES else name


# --- rows -> records -------------------------------------------------------------------------


def _normalise(
    rows: list[_Row],
    build: Callable[[dict[str, Any]], T],
    key_name: str,
    key: Callable[[T], str],
    rank: Callable[[T], Any],
) -> tuple[list[T], list[Rejected]]:
    built: list[tuple[T, _Row]] = []
    rejected: list[Rejected] = []
    for row in rows:
        try:
            if row.fields is None:
                raise _Reject(row.problem)
            built.append((build(row.fields), row))
        except _Reject as exc:
            rejected.append(Rejected(raw=_raw(row.node), reason=exc.reason))
    kept, superseded = _deduplicate(built, key_name, key, rank)
    return kept, rejected + superseded


def _deduplicate(
    built: list[tuple[T, _Row]],
    key_name: str,
    key: Callable[[T], str],
    rank: Callable[[T], Any],
) -> tuple[list[T], list[Rejected]]:
    """One item per key: the highest rank wins, the later one on a tie, at the first's place."""
    kept: dict[str, tuple[T, _Row]] = {}
    superseded: list[Rejected] = []
    for item, row in built:
        name = key(item)
        previous = kept.get(name)
        if previous is None:
            kept[name] = (item, row)
            continue
        loser = (item, row)
        if rank(item) >= rank(previous[0]):
            loser, kept[name] = previous, (item, row)
        reason = f"duplicate {key_name} {name!r}, superseded by a newer row"
        superseded.append(Rejected(raw=_raw(loser[1].node), reason=reason))
    return [item for item, _ in kept.values()], superseded


def _request(fields: dict[str, Any], zone: tzinfo, max_text: int) -> ServiceRequest:
    warnings: list[str] = []
    request_id = _identifier(fields, "service_request_id")
    status, status_raw = _status(fields.get("status"))
    requested = _required_time(fields, "requested_datetime", zone)
    texts = {name: _text(fields.get(name), name, max_text, warnings) for name in _TEXT_FIELDS}
    lon, lat = _location(fields.get("long"), fields.get("lat"), warnings)
    extra = {name: value for name, value in fields.items() if name not in _REQUEST_FIELDS}
    if status_raw is not None:
        extra["status_raw"] = status_raw
    return ServiceRequest(
        service_request_id=request_id,
        status=status,
        requested_datetime=requested,
        updated_datetime=_optional_time(fields, "updated_datetime", zone, warnings),
        expected_datetime=_optional_time(fields, "expected_datetime", zone, warnings),
        lon=lon,
        lat=lat,
        extra={**extra, "warnings": warnings} if warnings else extra,
        **texts,
    )


def _request_id(request: ServiceRequest) -> str:
    return request.service_request_id


def _freshness(request: ServiceRequest) -> datetime:
    return request.updated_datetime or datetime.min.replace(tzinfo=UTC)


def _service(fields: dict[str, Any], max_text: int) -> Service:
    warnings: list[str] = []  # a Service has nowhere to keep them
    code = _identifier(fields, "service_code")
    text = partial(_text, max_text=max_text, warnings=warnings)
    return Service(
        service_code=code,
        service_name=text(fields.get("service_name"), "service_name") or code,
        description=text(fields.get("description"), "description"),
        metadata=_flag(fields.get("metadata")),
        type=text(fields.get("type"), "type"),
        keywords=_keywords(fields.get("keywords")),
        group=text(fields.get("group"), "group"),
    )


def _identifier(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if _blank(value):
        raise _Reject(f"missing {name}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Reject(f"{name} {_short(value)} is not a string or a number")
    identifier = _clean(str(value))
    if not identifier:
        raise _Reject(f"missing {name}")
    return identifier


def _status(value: Any) -> tuple[str, str | None]:
    """The status, open or closed, and the value as sent if it was a synonym."""
    if _blank(value):
        raise _Reject("missing status")
    key = str(value).strip().lower().replace("-", "_").replace(" ", "_")
    status = STATUS_SYNONYMS.get(key)
    if status is None:
        raise _Reject(f"unknown status {_short(value)}: expected open or closed")
    return status, (None if key == status else str(value))


def _required_time(fields: dict[str, Any], name: str, zone: tzinfo) -> datetime:
    value = fields.get(name)
    if _blank(value):
        raise _Reject(f"missing {name}")
    moment = _parse_time(value, zone)
    if moment is None:
        raise _Reject(f"{name} {_short(value)} is not an ISO 8601 date and time")
    return moment


def _optional_time(
    fields: dict[str, Any], name: str, zone: tzinfo, warnings: list[str]
) -> datetime | None:
    value = fields.get(name)
    if _blank(value):
        return None
    moment = _parse_time(value, zone)
    if moment is None:
        warnings.append(f"{name} {_short(value)} is not an ISO 8601 date and time; dropped")
    return moment


def _parse_time(value: Any, zone: tzinfo) -> datetime | None:
    """An ISO 8601 time as aware UTC; without an offset, local to `zone`. None if unreadable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[4:5] == "/" and text[7:8] == "/":
        text = text[:10].replace("/", "-") + text[10:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _location(
    long_value: Any, lat_value: Any, warnings: list[str]
) -> tuple[float | None, float | None]:
    """(lon, lat), both or neither; 0/0, null and "" are no location."""
    lon = _coordinate(long_value, "long", warnings)
    lat = _coordinate(lat_value, "lat", warnings)
    given = [v for v in (lon, lat) if v is not None and v != 0]
    if not given:
        return None, None
    if len(given) == 1 or lon is None or lat is None:
        warnings.append(f"incomplete location lat={lat} long={lon}; dropped")
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        swapped = " (lat and long swapped?)" if -90 <= lon <= 90 and -180 <= lat <= 180 else ""
        warnings.append(f"location lat={lat} long={lon} out of range{swapped}; dropped")
        return None, None
    return lon, lat


def _coordinate(value: Any, name: str, warnings: list[str]) -> float | None:
    if _blank(value):
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        warnings.append(f"{name} {_short(value)} is not a number; location dropped")
        return None
    return number


def _text(value: Any, name: str, max_text: int, warnings: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = _clean(text)
    if not text:
        return None
    if len(text) > max_text:
        warnings.append(f"{name} truncated from {len(text)} to {max_text} characters")
        text = text[: max_text - len(TRUNCATION_MARK)] + TRUNCATION_MARK
    return text


def _clean(text: str) -> str:
    """NULs removed, CRLF and CR as LF, trimmed."""
    if "\0" in text:
        text = text.replace("\0", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return isinstance(value, bool | int) and bool(value)


def _keywords(value: Any) -> list[str]:
    """Keywords from a comma-separated string, a JSON list or repeated XML elements."""
    return [word for word in (_clean(w) for w in _strings(value)) if word]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield from _KEYWORD_SEPARATORS.split(value)
    elif isinstance(value, list | tuple | dict):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)
    elif value is not None:
        yield str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _check_max_text(max_text: int) -> None:
    if max_text <= len(TRUNCATION_MARK):
        raise ValueError(f"max_text must be more than {len(TRUNCATION_MARK)} characters")


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r} for Open311 times") from exc
