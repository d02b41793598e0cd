"""The Open311 GeoReport v2 adapter: 12345 hotline tickets as `posts`.

GeoReport v2 servers answer `GET {url}/requests.json` (or `.xml`) with at most about 90 days
and about 1000 requests per call, and have no paging. So a poll walks date windows from the
watermark up to now, oldest first, `window_days` long:

    GET {url}/requests.json?start_date=2026-11-01T00:00:00Z&end_date=2026-11-08T00:00:00Z

A window that comes back with `page_cap` rows (the server's cap: more may exist) is split in
half and both halves are read, down to one minute, so nothing is missed. `max_pages` bounds the
requests of one poll; when it runs out, `Batch.more` is True and the watermark says how far the
windows got (`{"cursor": ..., "resume": true}`), so the next poll goes on from there.

Each request is parsed by `data_adapters.parsers.open311` (JSON or XML, GBK fallback, HTML kept
as text, long text cut) and becomes a `posts` record keyed by `service_request_id`: the channel
(a constant, "12345" by default), the text (the description, else the service name), the time
requested, the address, the location (converted to WGS-84 from GCJ-02 or BD-09 if `crs` says
so), open or closed, the time closed (the update time of a closed request) and the category
(the service name or code). The parser's rejected rows pass into the batch.

The watermark is `{"cursor": <newest updated_datetime, else requested_datetime, seen>}` in UTC,
never past the time the poll began and never moving back. The next poll starts
`overlap_minutes` before it; the rows read twice are deduplicated by key on upsert.

Note: GeoReport v2's `start_date`/`end_date` select by the time a request was made, so a later
status change of an old request is only seen while its window is read again. Servers that
support the common `updated_after`/`updated_before` extension should be configured with
`start_param = "updated_after"` and `end_param = "updated_before"`.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from data_adapters.contract import Batch, Health, Record, Rejected, Watermark
from data_adapters.geo.coords import to_wgs84
from data_adapters.parsers.open311 import ServiceRequest, parse_requests, parse_services
from data_adapters.sources.httpclient import (
    HttpSettings,
    HttpSource,
    code_text,
    cut_text,
    from_iso,
    iso_utc,
    query_time,
    secret_from,
    utc_now,
)

log = logging.getLogger("cityops.open311")

MIN_WINDOW = timedelta(minutes=1)
MAX_PLACE = 255  # PostRow.place
MAX_CATEGORY = 64  # PostRow.category

Window = tuple[datetime, datetime]


class Open311Options(BaseModel):
    """Options of a `kind = "open311"` source."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    format: Literal["json", "xml"] = "json"
    http: HttpSettings = Field(default_factory=HttpSettings)
    jurisdiction_id: str | None = None
    api_key_env: str | None = None
    timezone: str = "Asia/Shanghai"
    window_days: float = Field(default=7, gt=0, le=90)
    page_cap: int = Field(default=1000, ge=1)
    backfill_days: float = Field(default=90, gt=0)
    overlap_minutes: float = Field(default=10, ge=0)
    max_pages: int = Field(default=50, ge=20)
    start_param: str = "start_date"
    end_param: str = "end_date"
    channel: str = Field(default="12345", min_length=1, max_length=32)
    category_from: Literal["service_name", "service_code"] = "service_name"
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    district_field: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def root(self) -> str:
        return self.url.rstrip("/")


@dataclass
class _Run:
    """What a poll has gathered: records by key (newest update wins), rejects, newest time."""

    records: dict[str, tuple[Record, datetime | None]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    newest: datetime | None = None


class Open311Adapter(HttpSource):
    """Reads GeoReport v2 service requests by date windows, as 12345 hotline posts."""

    kind = "open311"

    options_model = Open311Options
    options: Open311Options

    # -- the contract -----------------------------------------------------------------------
    def poll(self, since: Watermark | None) -> Batch:
        signpost = utc_now()
        committed = from_iso(since["cursor"]) if since and since.get("cursor") else None
        start = self._start(since, committed, signpost)
        windows = deque(split_span(start, signpost, timedelta(days=self.options.window_days)))
        run = _Run()
        covered = start
        for _ in range(self.options.max_pages):
            if not windows:
                break
            window = windows.popleft()
            rows = self._read_window(window, run)
            if rows >= self.options.page_cap and window[1] - window[0] > MIN_WINDOW:
                windows.extendleft(reversed(halves(window)))
                continue
            if rows >= self.options.page_cap:
                log.warning("open311: %d rows (the cap) in one minute from %s", rows, window[0])
            covered = window[1]
        return Batch(
            records=[record for record, _ in run.records.values()],
            rejected=run.rejected,
            watermark=self._watermark(committed, run.newest, covered, signpost, bool(windows)),
            more=bool(windows),
        )

    def _probe(self) -> Health:
        url = f"{self.options.root}/services.{self.options.format}"
        body = self.client.get_bytes(url, self._params())
        services, rejected = parse_services(body, fmt=self.options.format)
        return Health(
            ok=True,
            message=f"the Open311 server lists {len(services)} service(s)",
            details={
                "url": self.client.safe_url(url),
                "services": len(services),
                "unreadable_services": len(rejected),
            },
        )

    def _secrets(self) -> list[str]:
        return [secret_from(self.options.api_key_env)] if self.options.api_key_env else []

    # -- windows ----------------------------------------------------------------------------
    def _start(
        self, since: Watermark | None, committed: datetime | None, now: datetime
    ) -> datetime:
        if committed is None:
            return now - timedelta(days=self.options.backfill_days)
        if since and since.get("resume"):
            return committed  # an unfinished walk goes on exactly where it stopped
        return committed - timedelta(minutes=self.options.overlap_minutes)

    def _read_window(self, window: Window, run: _Run) -> int:
        """Read the requests of one window into `run`; the number of rows the server sent."""
        params = {
            **self._params(),
            self.options.start_param: query_time(window[0]),
            self.options.end_param: query_time(window[1]),
        }
        url = f"{self.options.root}/requests.{self.options.format}"
        body = self.client.get_bytes(url, params)
        requests, rejected = parse_requests(
            body, fmt=self.options.format, default_timezone=self.options.timezone
        )
        run.rejected += rejected
        for request in requests:
            self._take(request, run)
        return len(requests) + len(rejected)

    def _params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.options.jurisdiction_id:
            params["jurisdiction_id"] = self.options.jurisdiction_id
        if self.options.api_key_env:
            params["api_key"] = secret_from(self.options.api_key_env)
        return params

    # -- records ----------------------------------------------------------------------------
    def _take(self, request: ServiceRequest, run: _Run) -> None:
        moment = request.updated_datetime or request.requested_datetime
        if moment is not None and (run.newest is None or moment > run.newest):
            run.newest = moment
        text = request.description or request.service_name or request.service_code
        if not text:
            raw = json.dumps(request.to_record(), ensure_ascii=False)
            run.rejected.append(Rejected(raw, "no description or service name to use as text"))
            return
        previous = run.records.get(request.service_request_id)
        if previous is not None and _rank(previous[1]) > _rank(request.updated_datetime):
            return  # an older copy from an overlapping window
        run.records.pop(request.service_request_id, None)
        run.records[request.service_request_id] = (
            self._record(request, text),
            request.updated_datetime,
        )

    def _record(self, request: ServiceRequest, text: str) -> Record:
        lon, lat = request.lon, request.lat
        if lon is not None and lat is not None and self.options.crs != "wgs84":
            lon, lat = to_wgs84(lon, lat, self.options.crs)
        category = getattr(request, self.options.category_from)
        fields: dict[str, Any] = {
            "channel": self.options.channel,
            "text": text,
            "posted_at": request.requested_datetime,
            "place": cut_text(request.address, MAX_PLACE),
            "lon": lon,
            "lat": lat,
            "status": request.status,
            "closed_at": request.updated_datetime if request.status == "closed" else None,
            "due_at": request.expected_datetime,
            "category": cut_text(category, MAX_CATEGORY),
            "department": cut_text(request.agency_responsible, MAX_CATEGORY),
        }
        if self.options.district_field:
            fields["district"] = code_text(request.extra.get(self.options.district_field))
        return Record(key=request.service_request_id, fields=fields)

    # -- watermark --------------------------------------------------------------------------
    @staticmethod
    def _watermark(
        committed: datetime | None,
        newest: datetime | None,
        covered: datetime,
        signpost: datetime,
        unfinished: bool,
    ) -> Watermark | None:
        if unfinished:
            return {"cursor": iso_utc(covered), "resume": True}
        cursor = min(newest, signpost) if newest is not None else None
        if committed is not None and (cursor is None or cursor < committed):
            cursor = committed
        return None if cursor is None else {"cursor": iso_utc(cursor)}


# --- pure helpers -----------------------------------------------------------------------------


def split_span(start: datetime, end: datetime, size: timedelta) -> list[Window]:
    """`start`..`end` as consecutive windows of at most `size`, oldest first."""
    windows: list[Window] = []
    while start < end:
        windows.append((start, min(start + size, end)))
        start = windows[-1][1]
    return windows


def halves(window: Window) -> tuple[Window, Window]:
    """A window cut in two at its middle (to the second)."""
    start, end = window
    middle = start + timedelta(seconds=int((end - start).total_seconds() // 2))
    return (start, middle), (middle, end)


def _rank(moment: datetime | None) -> datetime:
    return moment or datetime.min.replace(tzinfo=UTC)
