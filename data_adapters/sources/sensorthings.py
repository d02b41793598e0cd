"""The OGC SensorThings API adapter (1.0 and 1.1): sensor observations as indicator values.

A poll lists the Datastreams (with `$expand=Thing,ObservedProperty`, following
`@iot.nextLink`), then reads each Datastream's Observations oldest first:

    GET {root}/Datastreams(7)/Observations?$filter=phenomenonTime ge 2026-11-01T00:00:00Z
        &$orderby=phenomenonTime asc&$top=100          (then @iot.nextLink, page by page)

Each Observation becomes an `observations` record keyed `<datastream id>:<observation id>`:
the indicator is the ObservedProperty's name (or definition) or the Datastream's name, through
`indicator_map`, or a constant; the district comes from a property of the Thing; `observed_at`
is the phenomenonTime (the end of an interval "a/b"); the value is the result, which must be a
number (numeric text is accepted), else the observation is rejected with the reason. With
`relative_to_thing_property`, the value is the result minus that property of the Thing (a water
gauge's `warning_level_m`: the value is then metres above the warning line).

The watermark holds one cursor per Datastream, `{"datastreams": {"7": "<ISO time>"}}`: the
start of the newest phenomenonTime read, never past the time the poll began (the signpost).
`$filter=... ge` reads the boundary again; the store deduplicates by key. `max_pages` bounds the
Observation pages of one poll; when it runs out `Batch.more` is True and the next poll goes on
from each Datastream's cursor.

Both versions' payloads are read: ids that are numbers or strings (`Datastreams('a-1')`),
`@iot.count`, absolute or relative `@iot.nextLink` (a link naming another server, as servers
behind a proxy announce, is rebased onto the configured one), and servers that ignore `$expand`
(the Thing or ObservedProperty is then fetched on its own).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from data_adapters.contract import Batch, Health, Record, Rejected, SourceError, Watermark
from data_adapters.sources.httpclient import (
    HttpSettings,
    HttpSource,
    code_text,
    decode_json,
    from_iso,
    iso_utc,
    next_page_url,
    query_time,
    utc_now,
)
from data_adapters.sources.mapping import MappingError, parse_time

MAX_LIST_PAGES = 200  # pages of Datastreams: a loop guard, not a budget


class SensorThingsOptions(BaseModel):
    """Options of a `kind = "sensorthings"` source."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://")
    http: HttpSettings = Field(default_factory=HttpSettings)
    datastreams_filter: str | None = None
    indicator_from: Literal["observed_property", "datastream_name", "constant"] = (
        "observed_property"
    )
    indicator: str | None = None
    indicator_map: dict[str, str] = Field(default_factory=dict)
    district_from_thing_property: str | None = None
    relative_to_thing_property: str | None = None
    page_size: int = Field(default=100, ge=1, le=10_000)
    max_pages: int = Field(default=20, ge=1)
    backfill_days: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _constant_needs_a_value(self) -> SensorThingsOptions:
        if self.indicator_from == "constant" and not self.indicator:
            raise ValueError('indicator_from = "constant" needs indicator')
        return self

    @property
    def root(self) -> str:
        return self.url.rstrip("/")


@dataclass(frozen=True)
class Stream:
    """A Datastream as we read it: its id, and the indicator and district of its values."""

    id: int | str
    indicator: str | None
    district: str | None
    offset: float = 0.0  # subtracted from every result (a Thing's reference level)

    @property
    def key(self) -> str:
        return str(self.id)


@dataclass
class _Run:
    records: dict[str, Record] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)


class SensorThingsAdapter(HttpSource):
    """Reads the Observations of every Datastream of a SensorThings service, incrementally."""

    kind = "sensorthings"

    options_model = SensorThingsOptions
    options: SensorThingsOptions

    # -- the contract -----------------------------------------------------------------------
    def poll(self, since: Watermark | None) -> Batch:
        signpost = utc_now()
        cursors: dict[str, str] = dict((since or {}).get("datastreams") or {})
        run = _Run()
        budget = self.options.max_pages
        more = False
        for stream in self._streams():
            if budget == 0:
                more = True
                break
            start = self._start(cursors.get(stream.key), signpost)
            used, finished, newest = self._read_stream(stream, start, budget, run)
            budget -= used
            more = more or not finished
            if newest is not None:
                newest = min(newest, signpost)
                cursors[stream.key] = iso_utc(max(newest, start) if start else newest)
        return Batch(
            records=list(run.records.values()),
            rejected=run.rejected,
            watermark={"datastreams": cursors},
            more=more,
        )

    def _probe(self) -> Health:
        params: dict[str, Any] = {"$top": 1, "$count": "true"}
        if self.options.datastreams_filter:
            params["$filter"] = self.options.datastreams_filter
        body = self.client.get_json(f"{self.options.root}/Datastreams", params)
        values = _values(body)
        count = body.get("@iot.count") if isinstance(body, Mapping) else None
        count = count if isinstance(count, int) else len(values)
        return Health(
            ok=True,
            message=f"the SensorThings service answered: {count} datastream(s)",
            details={"url": self.client.safe_url(self.options.root), "datastreams": count},
        )

    # -- datastreams ------------------------------------------------------------------------
    def _streams(self) -> list[Stream]:
        params: dict[str, Any] = {
            "$expand": "Thing,ObservedProperty",
            "$top": self.options.page_size,
        }
        if self.options.datastreams_filter:
            params["$filter"] = self.options.datastreams_filter
        url: str | None = f"{self.options.root}/Datastreams"
        streams: list[Stream] = []
        seen: set[str] = set()
        for _ in range(MAX_LIST_PAGES):
            if url is None:
                return streams
            values, url = self._page(url, params, seen)
            params = {}
            streams += [self._stream(entity) for entity in values if _id(entity) is not None]
        raise SourceError(f"the source lists more than {MAX_LIST_PAGES} pages of datastreams")

    def _stream(self, entity: Mapping[str, Any]) -> Stream:
        stream_id = _id(entity)
        assert stream_id is not None
        district, offset = None, 0.0
        options = self.options
        if options.district_from_thing_property or options.relative_to_thing_property:
            thing = self._related(entity, "Thing", stream_id)
            properties = thing.get("properties") or {}
            if options.district_from_thing_property:
                district = code_text(properties.get(options.district_from_thing_property))
            if options.relative_to_thing_property:
                offset = _reference_level(properties, options.relative_to_thing_property)
        return Stream(stream_id, self._indicator(entity, stream_id), district, offset)

    def _indicator(self, entity: Mapping[str, Any], stream_id: int | str) -> str | None:
        options = self.options
        if options.indicator_from == "constant":
            return options.indicator
        if options.indicator_from == "datastream_name":
            names = [entity.get("name")]
        else:
            observed = self._related(entity, "ObservedProperty", stream_id)
            names = [observed.get("name"), observed.get("definition")]
        for name in names:
            if isinstance(name, str) and name in options.indicator_map:
                return options.indicator_map[name]
        return next((n.strip() for n in names if isinstance(n, str) and n.strip()), None)

    def _related(self, entity: Mapping[str, Any], name: str, stream_id: int | str) -> Mapping:
        """An expanded entity, or fetched on its own when the server ignored `$expand`."""
        related = entity.get(name)
        if isinstance(related, Mapping):
            return related
        body = self.client.get_json(f"{self.options.root}/{_path('Datastreams', stream_id)}/{name}")
        if isinstance(body, Mapping) and isinstance(body.get("value"), list):
            body = body["value"][0] if body["value"] else {}
        return body if isinstance(body, Mapping) else {}

    # -- observations -----------------------------------------------------------------------
    def _start(self, cursor: str | None, signpost: datetime) -> datetime | None:
        if cursor:
            return from_iso(cursor)
        if self.options.backfill_days:
            return signpost - timedelta(days=self.options.backfill_days)
        return None

    def _read_stream(
        self, stream: Stream, start: datetime | None, budget: int, run: _Run
    ) -> tuple[int, bool, datetime | None]:
        """Read one Datastream's Observations into `run`, at most `budget` pages.

        Returns the pages used, whether the Datastream was read to its end, and the start of
        the newest phenomenonTime read.
        """
        url: str | None = f"{self.options.root}/{_path('Datastreams', stream.id)}/Observations"
        params: dict[str, Any] = {"$orderby": "phenomenonTime asc", "$top": self.options.page_size}
        if start is not None:
            params["$filter"] = f"phenomenonTime ge {query_time(start)}"
        newest: datetime | None = None
        seen: set[str] = set()
        used = 0
        while url is not None:
            if used == budget:
                return used, False, newest
            values, url = self._page(url, params, seen)
            params, used = {}, used + 1
            for observation in values:
                moment = self._take(stream, observation, run)
                if moment is not None and (newest is None or moment > newest):
                    newest = moment
        return used, True, newest

    def _take(self, stream: Stream, observation: Any, run: _Run) -> datetime | None:
        """Add one Observation to `run`; the start of its phenomenonTime, if readable."""
        raw = json.dumps(observation, ensure_ascii=False, default=str)
        if not isinstance(observation, Mapping):
            run.rejected.append(Rejected(raw, f"datastream {stream.key}: not a JSON object"))
            return None
        try:
            start, end = _phenomenon(observation.get("phenomenonTime"))
        except MappingError as exc:
            run.rejected.append(Rejected(raw, f"datastream {stream.key}: {exc}"))
            return None
        try:
            record = self._record(stream, observation, end)
        except MappingError as exc:
            run.rejected.append(Rejected(raw, f"datastream {stream.key}: {exc}"))
        else:
            run.records.pop(record.key, None)
            run.records[record.key] = record
        return start

    @staticmethod
    def _record(stream: Stream, observation: Mapping[str, Any], moment: datetime) -> Record:
        observation_id = _id(observation)
        if observation_id is None:
            raise MappingError("observation without an @iot.id")
        if not stream.indicator:
            raise MappingError("no observed property name or datastream name for the indicator")
        return Record(
            key=f"{stream.key}:{observation_id}",
            fields={
                "indicator": stream.indicator,
                "district": stream.district,
                "observed_at": moment,
                "value": _number(observation.get("result")) - stream.offset,
            },
        )

    # -- plumbing ---------------------------------------------------------------------------
    def _page(
        self, url: str, params: Mapping[str, Any], seen: set[str]
    ) -> tuple[list[Any], str | None]:
        """One page of a collection: its entities and the next page's URL (None at the end)."""
        response = self.client.get(url, params or None)
        body = response.json()
        values = _values(body)
        link = body.get("@iot.nextLink") if isinstance(body, Mapping) else None
        if not values or not isinstance(link, str) or not link.strip():
            return values, None
        following = next_page_url(link, response.url, self.options.root)
        if following in seen:
            raise SourceError(
                "the source sent the same @iot.nextLink twice "
                f"({self.client.safe_url(following)}); paging was stopped to avoid a loop"
            )
        seen.add(following)
        return values, following


# --- pure helpers -----------------------------------------------------------------------------


def _values(body: Any) -> list[Any]:
    """The entities of a collection response (`{"value": [...]}`, or a bare list)."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping) and isinstance(body.get("value"), list):
        return body["value"]
    shape = f"an object with {', '.join(list(body)[:8])}" if isinstance(body, Mapping) else "not"
    raise SourceError(f"the source's answer is not a SensorThings collection ({shape})")


def _id(entity: Any) -> int | str | None:
    if not isinstance(entity, Mapping):
        return None
    value = entity.get("@iot.id", entity.get("id"))
    if isinstance(value, bool) or value is None or value == "":
        return None
    return value if isinstance(value, int | str) else str(value)


def _path(collection: str, entity_id: int | str) -> str:
    """`Datastreams(7)` or `Datastreams('a''b')`: OData's key syntax for numbers and text."""
    if isinstance(entity_id, int):
        return f"{collection}({entity_id})"
    return f"{collection}('{entity_id.replace(chr(39), chr(39) * 2)}')"


def _phenomenon(value: Any) -> tuple[datetime, datetime]:
    """The start and end of a phenomenonTime: an instant, or an interval `start/end`."""
    if not isinstance(value, str) or not value.strip():
        raise MappingError(f"phenomenonTime {value!r} is missing or not text")
    first, _, last = value.strip().partition("/")
    start = parse_time(first, "UTC", "phenomenonTime")
    return start, parse_time(last, "UTC", "phenomenonTime") if last else start


def _reference_level(properties: Mapping[str, Any], name: str) -> float:
    """A Thing's reference level (a warning line) that results are measured against."""
    try:
        return _number(properties.get(name))
    except MappingError:
        raise SourceError(
            f"a Thing has no numeric property {name!r} to measure its results against"
        ) from None


def _number(result: Any) -> float:
    """A numeric result as a float; `MappingError` saying why anything else is refused."""
    number: float | None = None
    if isinstance(result, int | float) and not isinstance(result, bool):
        number = float(result)
    elif isinstance(result, str):
        try:
            number = float(result.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        shown = json.dumps(result, ensure_ascii=False, default=str)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise MappingError(f"result {shown} is not a number")
    return number


def read_observations(document: bytes) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """The Observations of a saved SensorThings response, checked as the adapter checks them:
    `{"id", "phenomenon_time", "result"}` each, or a rejection with the reason."""
    rows: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for entity in _values(decode_json(document, None, "the file")):
        raw = json.dumps(entity, ensure_ascii=False, default=str)
        try:
            identifier = _id(entity)
            if identifier is None:
                raise MappingError("observation without an @iot.id")
            _, end = _phenomenon(entity.get("phenomenonTime"))
            result = _number(entity.get("result"))
        except MappingError as exc:
            rejected.append(Rejected(raw, str(exc)))
            continue
        rows.append({"id": identifier, "phenomenon_time": end.isoformat(), "result": result})
    return rows, rejected
