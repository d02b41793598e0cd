"""Common Alerting Protocol (CAP 1.2, 1.1 and 1.0): a pure, defensive parser.

Bytes in, frozen values out: nothing here touches the network, the store or the clock.

- :func:`parse_cap` reads one alert document into a :class:`CapAlert`.
- :func:`parse_cap_documents` reads a document holding any number of alerts (a single
  ``<alert>``, an Atom or RSS feed embedding them, an EDXL-DE distribution) into alerts and
  :class:`~data_adapters.contract.Rejected` rows: one bad alert never stops the others.
- :func:`feed_links` lists the CAP document URLs of an Atom or RSS index feed.
- :meth:`CapAlert.to_record` is the normalised JSON-able dict (``cityops inspect --kind cap``).

Anything unreadable raises :class:`~data_adapters.contract.SourceError` with a message for the
operator. Anything odd but readable is kept, and noted in :attr:`CapAlert.warnings`.

Reading
-------
- XML goes through ``defusedxml``: a document declaring entities (billion laughs, external
  entities reading local files or URLs) is refused, never expanded. Documents larger than
  ``max_bytes`` (5 MB by default) are refused before parsing.
- Encodings: documents in UTF-8, UTF-16 (with a BOM), ISO-8859-1 or US-ASCII go to expat as
  bytes, which reads their declaration itself. Expat cannot read multi-byte encodings such as
  GBK, so a document declaring any other encoding is decoded by Python's codec of that name
  (GB2312 and GBK as GB18030, their superset, as browsers do) and handed to expat as UTF-8.
- The alert may be the root or nested anywhere (an Atom ``<content>``, an EDXL-DE
  ``<embeddedXMLContent>``, a signature envelope); alert content escaped as text inside an
  element (seen in Atom and RSS feeds) is read too. Namespaces: CAP 1.2, 1.1, 1.0 (both the
  OASIS URN and ``http://www.incident.com/cap/1.0``), or none at all (read as CAP 1.2, with a
  warning). Anything inside the alert that is not CAP, such as an XML ``<Signature>``, is ignored.

Values
------
- Times become aware UTC datetimes. CAP writes ``YYYY-MM-DDThh:mm:ss±hh:mm``; ``Z``,
  fractional seconds, ``±hhmm`` and a missing offset are accepted too. A time without an
  offset is read in ``default_timezone`` (``"Asia/Shanghai"`` by default: our sources are
  Chinese) and noted in the warnings. ``<sent>`` is required: unreadable, it refuses the alert;
  any other unreadable time becomes None with a warning.
- ``identifier``, ``sender``, ``sent``, ``status`` and ``msgType`` are required: an alert without
  one is refused, naming it. Missing required ``<info>`` elements are only warned about.
- Code values (status, msgType, scope, category, urgency, severity, certainty, responseType)
  are put in their canonical case ("severe" -> "Severe"); unknown ones are kept as given.
- Text is trimmed. One-line fields (headline, event, areaDesc, ...) have runs of whitespace
  collapsed; description, instruction, note and parameter values keep their line breaks, each
  line trimmed (pretty-printed XML indents them). HTML is plain text here, never interpreted.

Geometry
--------
Areas become RFC 7946 GeoJSON in longitude/latitude order. ``<polygon>`` ("lat,lon" pairs):
the ring is closed if open, consecutive duplicate points are dropped and the exterior is made
counter-clockwise. ``<circle>`` ("lat,lon radius_km"): a 64-vertex geodesic polygon, or a Point
for radius 0, kept as given in :attr:`CapArea.circles` too. A shape that is empty, has fewer
than three distinct points, or has coordinates out of range is dropped with a warning, not the
alert. Several shapes in one area: MultiPolygon (or MultiPoint) when alike, else a
GeometryCollection. An area with only ``<geocode>`` values has geometry None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, tostring
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from data_adapters.contract import Rejected, SourceError

__all__ = [
    "CAP_NAMESPACES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEZONE",
    "CapAlert",
    "CapArea",
    "CapCircle",
    "CapInfo",
    "CapResource",
    "feed_links",
    "parse_cap",
    "parse_cap_documents",
]

#: CAP namespace URI -> version.
CAP_NAMESPACES: dict[str, str] = {
    "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    "urn:oasis:names:tc:emergency:cap:1.0": "1.0",
    "http://www.incident.com/cap/1.0": "1.0",
}
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_LANGUAGE = "en-US"
CIRCLE_VERTICES = 64
DEFAULT_PREFERRED_LANGUAGES = ("zh-CN", "en-US")

_ATOM = "http://www.w3.org/2005/Atom"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_CONTAINERS = frozenset({"feed", "entry", "rss", "RDF", "EDXLDistribution"})
_CAP_MEDIA_TYPES = frozenset({"application/cap+xml", "application/xml", "text/xml"})
_CAP_SUFFIXES = (".xml", ".cap")
_HTML_SUFFIXES = (".html", ".htm")

# fmt: off
_CANONICAL: dict[str, dict[str, str]] = {
    name: {value.casefold(): value for value in values}
    for name, values in {
        "status": ("Actual", "Exercise", "System", "Test", "Draft"),
        "msgType": ("Alert", "Update", "Cancel", "Ack", "Error"),
        "scope": ("Public", "Restricted", "Private"),
        "category": (
            "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health",
            "Env", "Transport", "Infra", "CBRNE", "Other",
        ),
        "responseType": (
            "Shelter", "Evacuate", "Prepare", "Execute", "Avoid",
            "Monitor", "Assess", "AllClear", "None",
        ),
        "urgency": ("Immediate", "Expected", "Future", "Past", "Unknown"),
        "severity": ("Extreme", "Severe", "Moderate", "Minor", "Unknown"),
        # "Very Likely" is CAP 1.0's, folded into "Likely" by 1.1; kept as given.
        "certainty": ("Observed", "Likely", "Possible", "Unlikely", "Unknown", "Very Likely"),
    }.items()
}
# fmt: on

# Expat reads these itself; any other declared encoding is decoded by Python first.
_EXPAT_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-16be", "utf-16le", "iso-8859-1", "us-ascii"})
_CODEC_FOR = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
_DECLARED_ENCODING = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][\w.:-]*)[\"']"
)
_ESCAPED_ALERT = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w.-]+:)?alert[\s>/]")
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_PAIR_SEPARATOR = re.compile(r"\s*,\s*")
_QUOTED_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')


# --- the values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CapCircle:
    """A ``<circle>`` as given: centre and radius in kilometres."""

    lon: float
    lat: float
    radius_km: float


@dataclass(frozen=True)
class CapArea:
    """One ``<area>``: its description, GeoJSON geometry (lon/lat) and geocodes."""

    desc: str
    geometry: dict[str, Any] | None
    geocodes: dict[str, list[str]]
    altitude: float | None = None
    ceiling: float | None = None
    circles: list[CapCircle] = field(default_factory=list)


@dataclass(frozen=True)
class CapResource:
    """One ``<resource>`` (without its inline ``derefUri`` content, which may be megabytes)."""

    description: str
    mime_type: str | None
    uri: str | None
    size: int | None
    digest: str | None


@dataclass(frozen=True)
class CapInfo:
    """One ``<info>`` block: the alert in one language."""

    language: str
    category: list[str]
    event: str
    response_type: list[str]
    urgency: str
    severity: str
    certainty: str
    audience: str | None
    event_codes: dict[str, list[str]]
    effective: datetime | None
    onset: datetime | None
    expires: datetime | None
    sender_name: str | None
    headline: str | None
    description: str | None
    instruction: str | None
    web: str | None
    contact: str | None
    parameters: dict[str, list[str]]
    areas: list[CapArea]
    resources: list[CapResource] = field(default_factory=list)


@dataclass(frozen=True)
class CapAlert:
    """One CAP ``<alert>``; its ``infos`` are translations of the same alert."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str | None
    source: str | None
    restriction: str | None
    addresses: str | None
    code: list[str]
    note: str | None
    references: list[tuple[str, str, datetime | None]]
    incidents: list[str]
    infos: list[CapInfo]
    version: str
    warnings: list[str] = field(default_factory=list)

    def info_for(self, preferred_languages: Sequence[str]) -> CapInfo | None:
        """The info in the first preferred language that matches, else the first info.

        A preference matches an info of the same tag (case-insensitive), failing that one of
        the same primary subtag ("zh" or "zh-TW" matches "zh-CN"). None when there is no info.
        """
        for wanted in preferred_languages:
            match = _info_in_language(self.infos, wanted)
            if match is not None:
                return match
        return self.infos[0] if self.infos else None

    def to_record(
        self, preferred_languages: Sequence[str] = DEFAULT_PREFERRED_LANGUAGES
    ) -> dict[str, Any]:
        """The alert as a JSON-able dict: the chosen info's fields at the top, every info below."""
        chosen = self.info_for(preferred_languages)
        infos = [_info_record(info) for info in self.infos]
        chosen_record = next(
            (r for i, r in zip(self.infos, infos, strict=True) if i is chosen), None
        )
        return {
            "identifier": self.identifier,
            "sender": self.sender,
            "sent": _iso(self.sent),
            "status": self.status,
            "msg_type": self.msg_type,
            "scope": self.scope,
            "source": self.source,
            "restriction": self.restriction,
            "addresses": self.addresses,
            "code": list(self.code),
            "note": self.note,
            "references": [
                {"sender": sender, "identifier": identifier, "sent": _iso(sent)}
                for sender, identifier, sent in self.references
            ],
            "incidents": list(self.incidents),
            "version": self.version,
            "language": chosen.language if chosen else None,
            "languages": [info.language for info in self.infos],
            **_chosen_info_fields(chosen_record),
            "infos": infos,
            "warnings": list(self.warnings),
        }


def _language_key(tag: str) -> str:
    return tag.strip().casefold().replace("_", "-")


def _info_in_language(infos: Sequence[CapInfo], wanted: str) -> CapInfo | None:
    key = _language_key(wanted)
    for info in infos:
        if _language_key(info.language) == key:
            return info
    primary = key.split("-")[0]
    for info in infos:
        if _language_key(info.language).split("-")[0] == primary:
            return info
    return None


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _info_record(info: CapInfo) -> dict[str, Any]:
    record = asdict(info)
    for name in ("effective", "onset", "expires"):
        record[name] = _iso(record[name])
    return record


# fmt: off
_CHOSEN_FIELDS = (
    "event", "category", "severity", "urgency", "certainty", "headline",
    "description", "instruction", "onset", "expires", "effective", "areas",
)
# fmt: on


def _chosen_info_fields(record: dict[str, Any] | None) -> dict[str, Any]:
    if record is None:
        return {name: [] if name in ("areas", "category") else None for name in _CHOSEN_FIELDS}
    return {name: record[name] for name in _CHOSEN_FIELDS}


# --- public entry points --------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    label: str
    timezone: tzinfo
    max_bytes: int


def _options(source_name: str, default_timezone: str | tzinfo, max_bytes: int) -> _Options:
    label = f"CAP document from {source_name}" if source_name else "CAP document"
    zone = ZoneInfo(default_timezone) if isinstance(default_timezone, str) else default_timezone
    return _Options(label, zone, max_bytes)


def parse_cap(
    data: bytes,
    *,
    source_name: str = "",
    default_timezone: str | tzinfo = DEFAULT_TIMEZONE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> CapAlert:
    """Read a document holding exactly one CAP alert (as root or nested anywhere).

    ``default_timezone`` (an IANA name or a tzinfo) is the zone of times written without a
    UTC offset. Raises SourceError for anything unreadable: not well-formed XML, entities,
    over ``max_bytes``, no alert or several, a required element missing, an unreadable sent.
    """
    options = _options(source_name, default_timezone, max_bytes)
    return _single_alert(_load(data, options), options)


def parse_cap_documents(
    data: bytes,
    *,
    source_name: str = "",
    default_timezone: str | tzinfo = DEFAULT_TIMEZONE,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[list[CapAlert], list[Rejected]]:
    """Read every alert of a document: a single alert, an Atom or RSS feed, an EDXL-DE wrapper.

    An alert that cannot be read becomes ``Rejected(raw, reason)`` and the others go on. A feed
    that only links to its alerts gives no alerts: read the links with :func:`feed_links`.
    Raises SourceError when the document itself is unreadable, or holds no alert and is not a
    feed or distribution.
    """
    options = _options(source_name, default_timezone, max_bytes)
    root = _load(data, options)
    candidates = list(_alert_candidates(root))
    if not candidates and _local_name(root.tag) not in _CONTAINERS:
        raise SourceError(
            f"{options.label} is neither a CAP alert nor a feed of alerts "
            f"(its root element is <{_local_name(root.tag)}>)"
        )
    alerts: list[CapAlert] = []
    rejected: list[Rejected] = []
    for candidate in candidates:
        try:
            alerts.append(_read_candidate(candidate, options))
        except SourceError as exc:
            rejected.append(Rejected(raw=_raw_text(candidate), reason=exc.operator_message))
    return alerts, rejected


def feed_links(
    data: bytes, *, source_name: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> list[str]:
    """The CAP document URLs of an Atom or RSS index feed, in feed order, without repeats.

    Per entry: its links that look like CAP (a CAP or XML media type, or a path ending in
    .xml or .cap); failing those, its first link with no media type whose path does not end in
    .html (the CAP document in many index feeds, e.g. ``capget.php?x=1``). A link declaring
    another type (text/html) is never taken, nor are the links of an entry that embeds its
    alert. Atom links count when their rel is absent, "alternate" or "enclosure"; relative
    URLs are resolved against ``xml:base``.
    """
    options = _options(source_name, DEFAULT_TIMEZONE, max_bytes)
    root = _load(data, options)
    local = _local_name(root.tag)
    if root.tag == f"{{{_ATOM}}}feed":
        links = _atom_links(root)
    elif local in ("rss", "RDF"):
        links = _rss_links(root)
    else:
        raise SourceError(f"{options.label} is not an Atom or RSS feed (root element <{local}>)")
    return list(dict.fromkeys(links))


# --- XML --------------------------------------------------------------------------------------


def _load(data: bytes, options: _Options, *, utf8: bool = False) -> Element:
    """Parse safely; ``utf8`` forces UTF-8 whatever the declaration says (for escaped text)."""
    if len(data) > options.max_bytes:
        raise SourceError(
            f"{options.label} is {_megabytes(len(data))}, over the "
            f"{_megabytes(options.max_bytes)} limit for one document: refused unread"
        )
    if not data.strip():
        raise SourceError(f"{options.label} is empty")
    data, encoding = (data, "utf-8") if utf8 else _expat_readable(data, options)
    try:
        parser = DefusedXMLParser(target=TreeBuilder(), encoding=encoding)
        parser.feed(data)
        return parser.close()
    except DefusedXmlException as exc:
        raise SourceError(
            f"{options.label} is refused: it declares XML entities, which could expand "
            "without limit or read local files",
            repr(exc),
        ) from None
    except ParseError as exc:
        raise SourceError(f"{options.label} is not well-formed XML: {exc}") from None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _expat_readable(data: bytes, options: _Options) -> tuple[bytes, str | None]:
    """The bytes and encoding override for expat: the same bytes unless expat cannot decode them."""
    match = _DECLARED_ENCODING.match(data[:512])
    declared = match.group(1).decode("ascii") if match else None
    if declared is None or declared.casefold() in _EXPAT_ENCODINGS:
        return data, None
    codec = _CODEC_FOR.get(declared.casefold(), declared)
    try:
        return data.decode(codec).encode("utf-8"), "utf-8"
    except LookupError:
        raise SourceError(f"{options.label} declares an unknown encoding {declared!r}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{options.label} declares encoding {declared} but byte {exc.start} is not {declared}"
        ) from None


def _namespace_and_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _local_name(tag: str) -> str:
    return _namespace_and_name(tag)[1]


def _is_alert(element: Element) -> bool:
    namespace, local = _namespace_and_name(element.tag)
    return local == "alert" and (namespace in CAP_NAMESPACES or namespace == "")


def _alert_candidates(root: Element) -> Iterator[Element | str]:
    """Alerts in document order: ``<alert>`` elements, or alert documents escaped as text."""
    stack = [root]
    while stack:
        element = stack.pop()
        if _is_alert(element):
            yield element
        elif len(element) == 0 and element.text and _ESCAPED_ALERT.match(element.text):
            yield element.text
        else:
            stack.extend(reversed(element))


def _single_alert(root: Element, options: _Options) -> CapAlert:
    candidates = list(_alert_candidates(root))
    if len(candidates) != 1:
        found = "no CAP alert" if not candidates else f"{len(candidates)} CAP alerts"
        raise SourceError(
            f"{options.label} holds {found} where one was expected "
            f"(root element <{_local_name(root.tag)}>)"
        )
    return _read_candidate(candidates[0], options)


def _read_candidate(candidate: Element | str, options: _Options) -> CapAlert:
    if isinstance(candidate, str):
        inner = replace(options, label=f"{options.label}: an alert escaped as text")
        return _single_alert(_load(candidate.encode("utf-8"), inner, utf8=True), inner)
    return _read_alert(candidate, options)


def _raw_text(candidate: Element | str) -> str:
    """The alert as text for the quarantine, in its own default namespace where possible."""
    if isinstance(candidate, str):
        return candidate
    namespace = _namespace_and_name(candidate.tag)[0] or None
    try:
        text = tostring(candidate, encoding="unicode", default_namespace=namespace)
    except ValueError:  # children without a namespace beside a default one: keep prefixes
        text = tostring(candidate, encoding="unicode")
    return text.strip()


# --- reading CAP elements ---------------------------------------------------------------------


@dataclass
class _Context:
    """What the reading of one alert shares: namespace, time zone, warnings, who to blame."""

    namespace: str
    options: _Options
    warnings: list[str] = field(default_factory=list)
    identifier: str | None = None

    def describe(self) -> str:
        if self.identifier is None:
            return self.options.label
        return f"{self.options.label}, alert {self.identifier!r}"


def _element_text(element: Element, *, multiline: bool) -> str:
    """The text, trimmed: line by line when ``multiline``, else with whitespace runs collapsed."""
    text = "".join(element.itertext())
    if multiline:
        return "\n".join(line.strip() for line in text.strip().splitlines())
    return " ".join(text.split())


class _Node:
    """One CAP element: its CAP children by local name, and warnings tagged with where it is."""

    def __init__(self, element: Element, context: _Context, where: str) -> None:
        self.context = context
        self.where = where
        self._children: dict[str, list[Element]] = {}
        for child in element:
            namespace, local = _namespace_and_name(child.tag)
            if namespace in (context.namespace, ""):
                self._children.setdefault(local, []).append(child)

    def warn(self, message: str) -> None:
        self.context.warnings.append(f"{self.where}: {message}" if self.where else message)

    def elements(self, name: str) -> list[Element]:
        return self._children.get(name, [])

    def nodes(self, name: str, where: str) -> list[_Node]:
        return [
            _Node(element, self.context, f"{where} {index}")
            for index, element in enumerate(self.elements(name), start=1)
        ]

    def texts(self, name: str, *, multiline: bool = False) -> list[str]:
        """Every non-empty text of the children called ``name``."""
        texts = (_element_text(e, multiline=multiline) for e in self.elements(name))
        return [text for text in texts if text]

    def text(self, name: str, *, multiline: bool = False) -> str | None:
        texts = self.texts(name, multiline=multiline)
        return texts[0] if texts else None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise SourceError(
                f"{self.context.describe()} has no <{name}>, which CAP requires",
                f"missing or empty <{name}>",
            )
        return value

    def wanted(self, name: str) -> str:
        """A value CAP requires but we can do without: '' and a warning when missing."""
        value = self.text(name)
        if value is None:
            self.warn(f"<{name}> is missing (CAP requires it)")
        return value or ""

    def code(self, name: str, value: str) -> str:
        known = _CANONICAL[name].get(value.casefold())
        if known is None:
            self.warn(f"<{name}> {value!r} is not a CAP {name} value: kept as given")
            return value
        return known

    def codes(self, name: str) -> list[str]:
        return [self.code(name, value) for value in self.texts(name)]

    def required_code(self, name: str) -> str:
        return self.code(name, self.required(name))

    def wanted_code(self, name: str) -> str:
        value = self.wanted(name)
        return self.code(name, value) if value else value

    def optional_code(self, name: str) -> str | None:
        value = self.text(name)
        return self.code(name, value) if value else None

    def read_time(self, text: str, what: str) -> datetime:
        """A time in UTC, noting when it had no offset; ValueError when unreadable."""
        moment, assumed = _parse_time(text, self.context.options.timezone)
        if assumed:
            self.warn(f"{what} {text!r} has no UTC offset: read as {self.context.options.timezone}")
        return moment

    def time_of(self, text: str, what: str) -> datetime | None:
        """A time that may be missing: None with a warning when unreadable."""
        try:
            return self.read_time(text, what)
        except ValueError as exc:
            self.warn(f"{what} ignored: {exc}")
            return None

    def time(self, name: str) -> datetime | None:
        text = self.text(name)
        return None if text is None else self.time_of(text, f"<{name}>")

    def required_time(self, name: str) -> datetime:
        try:
            return self.read_time(self.required(name), f"<{name}>")
        except ValueError as exc:
            raise SourceError(
                f"{self.context.describe()} has an unreadable <{name}>: {exc}"
            ) from None

    def number(self, name: str) -> float | None:
        text = self.text(name)
        if text is None:
            return None
        value = _finite_float(text)
        if value is None:
            self.warn(f"<{name}> {text!r} ignored: not a number")
        return value

    def value_map(self, name: str) -> dict[str, list[str]]:
        """``<name><valueName/><value/></name>`` pairs as valueName -> values, in order."""
        result: dict[str, list[str]] = {}
        for element in self.elements(name):
            pair = self._value_pair(element)
            if pair is None:
                self.warn(f"a <{name}> without <valueName> ignored")
            else:
                result.setdefault(pair[0], []).append(pair[1])
        return result

    def _value_pair(self, element: Element) -> tuple[str, str] | None:
        pair = _Node(element, self.context, self.where)
        key = pair.text("valueName")
        if key is not None:
            return key, pair.text("value", multiline=True) or ""
        # CAP 1.0 writes the pair as the element's text: "valueName=value".
        key, equals, value = _element_text(element, multiline=False).partition("=")
        return (key.strip(), value.strip()) if equals and key.strip() else None


def _finite_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_time(text: str, default_timezone: tzinfo) -> tuple[datetime, bool]:
    """A CAP date-time as aware UTC, and whether it lacked an offset (and got the default)."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date-time like 2024-07-10T08:30:00+08:00")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), microsecond
        )
        zone = _utc_offset(offset) if offset else default_timezone
        return naive.replace(tzinfo=zone).astimezone(UTC), offset is None
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{text!r} is not a valid date-time ({exc})") from None


def _utc_offset(offset: str) -> tzinfo:
    if offset in ("Z", "z"):
        return UTC
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(f"offset {offset} has {minutes} minutes")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


def _read_alert(element: Element, options: _Options) -> CapAlert:
    namespace = _namespace_and_name(element.tag)[0]
    context = _Context(namespace, options)
    node = _Node(element, context, "")
    if namespace == "":
        node.warn("the alert has no CAP namespace: read as CAP 1.2")
    context.identifier = node.required("identifier")
    return CapAlert(
        identifier=context.identifier,
        sender=node.required("sender"),
        sent=node.required_time("sent"),
        status=node.required_code("status"),
        msg_type=node.required_code("msgType"),
        scope=node.optional_code("scope"),
        source=node.text("source"),
        restriction=node.text("restriction"),
        addresses=node.text("addresses"),
        code=node.texts("code"),
        note=node.text("note", multiline=True),
        references=[_reference(token, node) for token in (node.text("references") or "").split()],
        incidents=[a or b for a, b in _QUOTED_OR_WORD.findall(node.text("incidents") or "")],
        infos=[_read_info(info) for info in node.nodes("info", "info")],
        version=CAP_NAMESPACES.get(namespace, "1.2"),
        warnings=context.warnings,
    )


def _reference(token: str, node: _Node) -> tuple[str, str, datetime | None]:
    """One "sender,identifier,sent" triple; a malformed one keeps what it can, with a warning."""
    parts = token.split(",")
    if len(parts) < 3:
        node.warn(f"<references> entry {token!r} is not 'sender,identifier,sent'")
        return ("", parts[0], None) if len(parts) == 1 else (parts[0], parts[1], None)
    if len(parts) > 3:
        node.warn(f"<references> entry {token!r} has more than three parts")
    sender, identifier, sent = parts[0], ",".join(parts[1:-1]), parts[-1]
    return sender, identifier, node.time_of(sent, f"<references> time of {identifier!r}")


def _read_info(node: _Node) -> CapInfo:
    category = node.codes("category")
    if not category:
        node.warn("<category> is missing (CAP requires it)")
    return CapInfo(
        language=node.text("language") or DEFAULT_LANGUAGE,
        category=category,
        event=node.wanted("event"),
        response_type=node.codes("responseType"),
        urgency=node.wanted_code("urgency"),
        severity=node.wanted_code("severity"),
        certainty=node.wanted_code("certainty"),
        audience=node.text("audience"),
        event_codes=node.value_map("eventCode"),
        effective=node.time("effective"),
        onset=node.time("onset"),
        expires=node.time("expires"),
        sender_name=node.text("senderName"),
        headline=node.text("headline"),
        description=node.text("description", multiline=True),
        instruction=node.text("instruction", multiline=True),
        web=node.text("web"),
        contact=node.text("contact"),
        parameters=node.value_map("parameter"),
        areas=[_read_area(area) for area in node.nodes("area", f"{node.where}, area")],
        resources=[_read_resource(r) for r in node.nodes("resource", f"{node.where}, resource")],
    )


def _read_resource(node: _Node) -> CapResource:
    size = node.number("size")
    return CapResource(
        description=node.text("resourceDesc") or "",
        mime_type=node.text("mimeType"),
        uri=node.text("uri"),
        size=None if size is None else int(size),
        digest=node.text("digest"),
    )


# --- geometry -----------------------------------------------------------------------------


class _BadShape(ValueError):
    """A polygon or circle that cannot be used; the message says why."""


def _read_area(node: _Node) -> CapArea:
    shapes: list[dict[str, Any]] = []
    circles: list[CapCircle] = []
    for element in node.elements("polygon"):
        try:
            shapes.append(_polygon(_element_text(element, multiline=False)))
        except _BadShape as exc:
            node.warn(f"<polygon> ignored: {exc}")
    for element in node.elements("circle"):
        try:
            circle = _circle(_element_text(element, multiline=False))
        except _BadShape as exc:
            node.warn(f"<circle> ignored: {exc}")
            continue
        circles.append(circle)
        shapes.append(_circle_geometry(circle))
    return CapArea(
        desc=node.wanted("areaDesc"),
        geometry=_combine(shapes),
        geocodes=node.value_map("geocode"),
        altitude=node.number("altitude"),
        ceiling=node.number("ceiling"),
        circles=circles,
    )


def _lon_lat(pair: str) -> tuple[float, float]:
    """A CAP "lat,lon" pair as (lon, lat)."""
    parts = pair.split(",")
    lat, lon = (
        (_finite_float(parts[0]), _finite_float(parts[1])) if len(parts) == 2 else (None, None)
    )
    if lat is None or lon is None:
        raise _BadShape(f"{pair!r} is not a 'lat,lon' pair")
    if abs(lat) > 90 or abs(lon) > 180:
        raise _BadShape(f"{pair!r} is out of range for 'lat,lon' (written 'lon,lat'?)")
    return lon, lat


def _polygon(text: str) -> dict[str, Any]:
    tokens = _PAIR_SEPARATOR.sub(",", text).split()
    if not tokens:
        raise _BadShape("it is empty")
    points = [_lon_lat(token) for token in tokens]
    ring = [point for i, point in enumerate(points) if i == 0 or point != points[i - 1]]
    distinct = len(set(ring))
    if distinct < 3:
        raise _BadShape(f"it has {distinct} distinct point(s); a polygon needs 3")
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [_counter_clockwise(ring)]}


def _counter_clockwise(ring: list[tuple[float, float]]) -> list[list[float]]:
    # Imported here: shapely (with numpy) costs ~150 ms, which only alerts with polygons pay.
    from shapely.geometry import Polygon
    from shapely.geometry.polygon import orient

    return [[x, y] for x, y in orient(Polygon(ring), sign=1.0).exterior.coords]


def _circle(text: str) -> CapCircle:
    tokens = _PAIR_SEPARATOR.sub(",", text).split()
    if len(tokens) != 2:
        raise _BadShape(f"{text!r} is not 'lat,lon radius'")
    lon, lat = _lon_lat(tokens[0])
    radius_km = _finite_float(tokens[1])
    if radius_km is None or radius_km < 0:
        raise _BadShape(f"radius {tokens[1]!r} is not a distance")
    return CapCircle(lon=lon, lat=lat, radius_km=radius_km)


def _circle_geometry(circle: CapCircle) -> dict[str, Any]:
    if circle.radius_km == 0:
        return {"type": "Point", "coordinates": [circle.lon, circle.lat]}
    return {"type": "Polygon", "coordinates": [_circle_ring(circle)]}


@cache
def _geod() -> Any:
    # Imported here: pyproj costs ~100 ms, which only alerts with circles pay.
    from pyproj import Geod

    return Geod(ellps="WGS84")


def _circle_ring(circle: CapCircle) -> list[list[float]]:
    """A closed counter-clockwise ring of geodesic points at the radius from the centre."""
    n = CIRCLE_VERTICES
    azimuths = [-360.0 * i / n for i in range(n)]  # decreasing azimuth: counter-clockwise
    lons, lats, _ = _geod().fwd(
        [circle.lon] * n, [circle.lat] * n, azimuths, [circle.radius_km * 1000.0] * n
    )
    ring = [[round(lon, 7), round(lat, 7)] for lon, lat in zip(lons, lats, strict=True)]
    return [*ring, ring[0]]


def _combine(shapes: list[dict[str, Any]]) -> dict[str, Any] | None:
    if len(shapes) <= 1:
        return shapes[0] if shapes else None
    kinds = {shape["type"] for shape in shapes}
    if kinds == {"Polygon"} or kinds == {"Point"}:
        multi = "MultiPolygon" if kinds == {"Polygon"} else "MultiPoint"
        return {"type": multi, "coordinates": [shape["coordinates"] for shape in shapes]}
    return {"type": "GeometryCollection", "geometries": shapes}


# --- feeds --------------------------------------------------------------------------------


def _embeds_alert(entry: Element) -> bool:
    return next(_alert_candidates(entry), None) is not None


def _looks_like_cap(href: str, media_type: str | None) -> bool:
    if media_type is not None and media_type.split(";")[0].strip().lower() in _CAP_MEDIA_TYPES:
        return True
    return media_type is None and urlsplit(href).path.lower().endswith(_CAP_SUFFIXES)


def _entry_cap_links(links: list[tuple[str, str | None]]) -> list[str]:
    """The CAP-looking links of one entry; failing those, its first untyped non-HTML link."""
    chosen = [href for href, media_type in links if _looks_like_cap(href, media_type)]
    untyped = [
        href
        for href, media_type in links
        if media_type is None and not urlsplit(href).path.lower().endswith(_HTML_SUFFIXES)
    ]
    return chosen or untyped[:1]


def _atom_links(feed: Element) -> Iterator[str]:
    feed_base = feed.get(_XML_BASE, "")
    for entry in feed.iterfind(f"{{{_ATOM}}}entry"):
        if _embeds_alert(entry):
            continue
        base = urljoin(feed_base, entry.get(_XML_BASE, ""))
        links = [
            (link.get("href", "").strip(), link.get("type"))
            for link in entry.iterfind(f"{{{_ATOM}}}link")
            if link.get("rel", "alternate") in ("alternate", "enclosure") and link.get("href")
        ]
        yield from (urljoin(base, href) for href in _entry_cap_links(links))


def _rss_links(root: Element) -> Iterator[str]:
    for item in root.iter():
        if _local_name(item.tag) != "item" or _embeds_alert(item):
            continue
        links: list[tuple[str, str | None]] = []
        for child in item:
            local = _local_name(child.tag)
            if local == "link" and child.text and child.text.strip():
                links.append((child.text.strip(), None))
            elif local == "enclosure" and child.get("url"):
                links.append((child.get("url", "").strip(), child.get("type")))
        yield from _entry_cap_links(links)
