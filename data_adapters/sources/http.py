"""The generic JSON REST adapter: the data-sharing exchange platform's APIs (数据共享交换平台).

One GET per page, the list of records found at `records_path`, each record mapped by a
`FieldMap`. Five ways to page, as the platform's APIs do:

    none        one request
    page        ?page=1&page_size=500, then 2, 3, ...
    offset      ?offset=0&limit=500, then by the number of records received
    cursor      ?cursor=<value at next_cursor_path in the previous answer>
    next_link   the URL at next_link_path (absolute or relative), or, with "header",
                the RFC 8288 `Link: <...>; rel="next"` header

Paging stops on an empty page, on a missing next cursor or link, or after `max_pages`; a next
cursor or link seen before in the poll, or a page identical to the one before it (a server
ignoring the page parameter), is a `SourceError` rather than an endless loop.

Incremental reading: with `since_param`, the watermark's cursor is sent (an ISO time in UTC by
default, see `since_format`) and the next cursor is the newest `cursor_field` value seen, never
past the time the poll began (the signpost) and never behind the previous cursor. When
`max_pages` stops a poll early, `Batch.more` is True and the watermark keeps the committed
cursor plus a `resume` entry (the next page's position, the newest cursor so far and the
signpost), so the following poll continues with the same query where this one stopped:
nothing is skipped whatever order the API returns records in.

Within a poll, records are deduplicated by the map's key (the last one wins); a record that
does not fit the map is rejected with its raw JSON and the others go on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from data_adapters.contract import (
    Batch,
    Health,
    Record,
    Rejected,
    SourceError,
    Watermark,
)
from data_adapters.sources.httpclient import (
    HttpResponse,
    HttpSettings,
    HttpSource,
    from_iso,
    iso_utc,
    looks_secret,
    next_page_url,
    query_time,
    utc_now,
    without_params,
)
from data_adapters.sources.mapping import FieldMap, MappingError, lookup, parse_time

Cursor = datetime | int | float
_LINK = re.compile(r"<([^>]*)>([^,<]*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";]+)"?""", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_JSON_TYPES = (str, int, float, bool, list, dict)


class _Style(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoPages(_Style):
    """One request."""

    style: Literal["none"] = "none"


class PageNumbers(_Style):
    """`?page=1&page_size=500`, then the next page number."""

    style: Literal["page"]
    page_param: str = "page"
    size_param: str | None = "page_size"
    size: int = Field(default=500, ge=1)
    first_page: int = Field(default=1, ge=0)


class Offsets(_Style):
    """`?offset=0&limit=500`, then the offset moved by the records received."""

    style: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str | None = "limit"
    size: int = Field(default=500, ge=1)


class Cursors(_Style):
    """`?cursor=<token>`, the token read from each answer at `next_cursor_path`."""

    style: Literal["cursor"]
    cursor_param: str = "cursor"
    next_cursor_path: str = "meta.next_cursor"
    size_param: str | None = None
    size: int = Field(default=500, ge=1)


class NextLinks(_Style):
    """The next page's URL at `next_link_path`, or in the `Link` header with "header"."""

    style: Literal["next_link"]
    next_link_path: str = "links.next"


Pagination = Annotated[
    NoPages | PageNumbers | Offsets | Cursors | NextLinks, Field(discriminator="style")
]


class HttpOptions(BaseModel):
    """Options of a `kind = "http"` source."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    http: HttpSettings = Field(default_factory=HttpSettings)
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    records_path: str = ""
    pagination: Pagination = Field(default_factory=NoPages)
    since_param: str | None = None
    since_format: str = "iso"
    cursor_field: str | None = None
    max_pages: int = Field(default=20, ge=1)
    map: FieldMap

    @model_validator(mode="after")
    def _consistent(self) -> HttpOptions:
        if self.since_param and not self.cursor_field:
            raise ValueError("since_param needs cursor_field (where each record's cursor is)")
        if self.since_format not in ("iso", "epoch", "epoch_ms") and "%" not in self.since_format:
            raise ValueError("since_format must be iso, epoch, epoch_ms or a strftime pattern")
        return self


@dataclass(frozen=True)
class _Page:
    """One request to make, and the position a resume watermark would store to make it."""

    url: str
    params: dict[str, Any]
    position: Any


@dataclass
class _Run:
    """What a poll has gathered so far."""

    records: dict[str, Record] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    high: Cursor | None = None
    positions: set[str] = field(default_factory=set)
    last_page: str | None = None


class HttpAdapter(HttpSource):
    """Reads a paged JSON list from a REST API, incrementally by a cursor field."""

    kind = "http"

    options_model = HttpOptions
    options: HttpOptions

    # -- the contract -----------------------------------------------------------------------
    def poll(self, since: Watermark | None) -> Batch:
        resume = (since or {}).get("resume") or {}
        signpost = from_iso(resume["signpost"]) if resume else utc_now()
        run = _Run(high=_stored_cursor(resume.get("high")))
        page: _Page | None = self._first_page(since, resume.get("position"))
        for _ in range(self.options.max_pages):
            if page is None:
                break
            page = self._read_page(page, run)
        return Batch(
            records=list(run.records.values()),
            rejected=run.rejected,
            watermark=self._watermark(since, run.high, signpost, page),
            more=page is not None,
        )

    def _probe(self) -> Health:
        page = self._first_page(None, None)
        response = self.client.get(page.url, page.params)
        items = self._items(response.json())
        return Health(
            ok=True,
            message=f"the API answered; its first page has {len(items)} record(s)",
            details={"url": self.client.safe_url(self.options.url), "records": len(items)},
        )

    def _secrets(self) -> list[str]:
        return [str(v) for k, v in self.options.params.items() if looks_secret(k)]

    # -- pages ------------------------------------------------------------------------------
    def _read_page(self, page: _Page, run: _Run) -> _Page | None:
        """Read `page` into `run`; the next page, or None when the list is finished."""
        response = self.client.get(page.url, page.params)
        body = response.json()
        items = self._items(body)
        self._guard_repeats(items, run)
        for item in items:
            self._take(item, run)
        following = self._next_page(page, response, body, items)
        if following is not None:
            self._guard_position(following, run)
        return following

    def _first_page(self, since: Watermark | None, position: Any) -> _Page:
        params: dict[str, Any] = dict(self.options.params)
        committed = _stored_cursor((since or {}).get("cursor"))
        if self.options.since_param and committed is not None:
            params[self.options.since_param] = self._since_value(committed)
        style = self.options.pagination
        url = self.options.url
        match style:
            case PageNumbers():
                number = style.first_page if position is None else int(position)
                params[style.page_param] = number
                _set_size(params, style.size_param, style.size)
                return _Page(url, params, number)
            case Offsets():
                offset = 0 if position is None else int(position)
                params[style.offset_param] = offset
                _set_size(params, style.limit_param, style.size)
                return _Page(url, params, offset)
            case Cursors():
                _set_size(params, style.size_param, style.size)
                if position is not None:
                    params[style.cursor_param] = position
                return _Page(url, params, position)
            case NextLinks() if position is not None:
                return _Page(str(position), dict(self.options.params), position)
        return _Page(url, params, None)

    def _next_page(
        self, page: _Page, response: HttpResponse, body: Any, items: list[Any]
    ) -> _Page | None:
        if not items:
            return None
        style = self.options.pagination
        match style:
            case PageNumbers():
                number = page.position + 1
                return _Page(page.url, {**page.params, style.page_param: number}, number)
            case Offsets():
                offset = page.position + len(items)
                return _Page(page.url, {**page.params, style.offset_param: offset}, offset)
            case Cursors():
                token = _text(json_at(body, style.next_cursor_path))
                if token is None:
                    return None
                return _Page(page.url, {**page.params, style.cursor_param: token}, token)
            case NextLinks():
                link = self._next_link(style, response, body)
                if link is None:
                    return None
                url = next_page_url(link, response.url, self.options.url)
                return _Page(url, dict(self.options.params), url)
        return None

    @staticmethod
    def _next_link(style: NextLinks, response: HttpResponse, body: Any) -> str | None:
        if style.next_link_path == "header":
            return next_link_header(response.headers.get("link", ""))
        return _text(json_at(body, style.next_link_path))

    def _guard_position(self, page: _Page, run: _Run) -> None:
        """A next cursor or link seen before in this poll would loop for ever."""
        if not isinstance(self.options.pagination, Cursors | NextLinks):
            return
        position = str(page.position)
        if position in run.positions:
            what = "cursor" if isinstance(self.options.pagination, Cursors) else "link"
            shown = self.client.safe_url(position) if what == "link" else position[:100]
            raise SourceError(
                f"the source sent the same next-page {what} twice ({shown}); "
                "paging was stopped to avoid a loop"
            )
        run.positions.add(position)

    def _guard_repeats(self, items: list[Any], run: _Run) -> None:
        """A page identical to the one before: the server ignores the page parameter."""
        if not items or not isinstance(self.options.pagination, PageNumbers | Offsets):
            return
        digest = hashlib.sha256(
            json.dumps(items, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()
        if digest == run.last_page:
            raise SourceError(
                "the source sent the same page twice (does it ignore the "
                f"{_page_param(self.options.pagination)} parameter?); paging was stopped"
            )
        run.last_page = digest

    # -- records ----------------------------------------------------------------------------
    def _items(self, body: Any) -> list[Any]:
        path = self.options.records_path
        found = json_at(body, path) if path else body
        if isinstance(found, list):
            return found
        if path and _is_map(body) and _has_null_at(body, path):
            return []  # `"data": null` on an empty result
        where = f"at records_path {path!r}" if path else "at the top (records_path is empty)"
        raise SourceError(f"the source's answer has no list of records {where}: {_outline(body)}")

    def _take(self, item: Any, run: _Run) -> None:
        if not _is_map(item):
            raw = json.dumps(item, ensure_ascii=False, default=str)
            run.rejected.append(Rejected(raw=raw, reason=f"not a JSON object: {raw[:80]}"))
            return
        result = self.options.map.apply(item)
        if isinstance(result, Rejected):
            run.rejected.append(result)
            return
        run.records.pop(result.key, None)  # the last one wins
        run.records[result.key] = result
        if self.options.cursor_field:
            run.high = newer(run.high, self._cursor_of(item))

    def _cursor_of(self, item: Mapping[str, Any]) -> Cursor | None:
        assert self.options.cursor_field is not None
        return read_cursor(json_at(item, self.options.cursor_field), self.options.map.timezone)

    # -- watermark --------------------------------------------------------------------------
    def _watermark(
        self,
        since: Watermark | None,
        high: Cursor | None,
        signpost: datetime,
        pending: _Page | None,
    ) -> Watermark | None:
        committed = (since or {}).get("cursor")
        if pending is not None:
            position = pending.position
            if isinstance(self.options.pagination, NextLinks):  # static params come back
                position = without_params(str(position), self.options.params)
            resume = {
                "position": position,
                "high": _encode(high),
                "signpost": iso_utc(signpost),
            }
            return (
                {"cursor": committed, "resume": resume}
                if committed is not None
                else {"resume": resume}
            )
        if isinstance(high, datetime):
            high = min(high, signpost)
        newest = newer(_stored_cursor(committed), high)
        return None if newest is None else {"cursor": _encode(newest)}

    def _since_value(self, cursor: Cursor) -> str:
        if not isinstance(cursor, datetime):
            return str(cursor)
        form = self.options.since_format
        if form == "iso":
            return query_time(cursor)
        if form == "epoch":
            return str(int(cursor.timestamp()))
        if form == "epoch_ms":
            return str(int(cursor.timestamp() * 1000))
        return cursor.astimezone(ZoneInfo(self.options.map.timezone)).strftime(form)


# --- pure helpers -----------------------------------------------------------------------------


def read_cursor(value: Any, zone: str) -> Cursor | None:
    """A record's cursor: a number (also a numeric string) or a time; None if neither."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        text = value.strip()
        return float(text) if "." in text else int(text)
    try:
        return parse_time(value, zone)
    except MappingError:
        return None


def json_at(body: Any, path: str) -> Any:
    """The JSON value at a dotted `path` in `body`, or None when there is none."""
    if not _is_map(body):
        return None
    value = lookup(body, path)
    return value if value is None or isinstance(value, _JSON_TYPES) else None


def _has_null_at(body: Mapping[str, Any], path: str) -> bool:
    parent, _, name = path.rpartition(".")
    holder = json_at(body, parent) if parent else body
    return _is_map(holder) and name in holder and holder[name] is None


def newer(current: Cursor | None, candidate: Cursor | None) -> Cursor | None:
    """The later of two cursors; a candidate of another kind (a number against a time) is
    ignored."""
    if candidate is None:
        return current
    if current is None:
        return candidate
    if isinstance(current, datetime) != isinstance(candidate, datetime):
        return current
    return max(current, candidate)  # type: ignore[type-var]


def next_link_header(header: str) -> str | None:
    """The `rel="next"` target of an RFC 8288 `Link` header, if any."""
    for target, parameters in _LINK.findall(header or ""):
        rel = _REL.search(parameters)
        if rel and "next" in rel.group(1).lower().split():
            return target.strip() or None
    return None


def _stored_cursor(value: Any) -> Cursor | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    return from_iso(str(value))


def _encode(cursor: Cursor | None) -> Any:
    return iso_utc(cursor) if isinstance(cursor, datetime) else cursor


def _set_size(params: dict[str, Any], name: str | None, size: int) -> None:
    if name:
        params[name] = size


def _page_param(style: PageNumbers | Offsets) -> str:
    return style.page_param if isinstance(style, PageNumbers) else style.offset_param


def _is_map(value: Any) -> bool:
    return isinstance(value, Mapping)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _outline(body: Any) -> str:
    if isinstance(body, Mapping):
        keys = ", ".join(list(body)[:10])
        return f"it is an object with the keys {keys}" if keys else "it is an empty object"
    return f"it is a JSON {type(body).__name__}"
