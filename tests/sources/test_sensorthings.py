"""The SensorThings adapter against a fake service built on the real sample responses in
`shared/samples/sensorthings/` (see its SOURCES.md: SensorThings 1.0 responses of
scratchpad.sensorup.com wrapped in TypeScript by indoor-analytics/sensorthings-client).

The samples hold Things and Locations, not Datastreams or Observations: the real Things (ids
that are numbers, `@iot.selfLink`, navigation links, properties with nulls) are expanded into
the Datastreams, the real `@iot.count`/`@iot.nextLink` shape (absolute links on another host)
drives the paging, and the real empty collection ends it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from data_adapters.contract import ConfigError, SourceError, TransientError
from data_adapters.domain import validate_row
from data_adapters.sources.sensorthings import SensorThingsAdapter
from tests.sources.httpserver import LoopbackServer, Recorder, Reply, Seen, Sleeps
from tests.support.samples import sample_bytes
from tests.support.services import free_port

ROOT = "http://sta.lyg.example/v1.0"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
_RETURNED_OBJECT = re.compile(
    r"static (?:get )?(\w+)\([^)]*\)[^{]*\{\s*return (\{.*?\n\s*\});", re.S
)


@cache
def sample_objects(name: str) -> dict[str, Any]:
    """The JSON object literals a sample's TypeScript class returns, by method name."""
    text = sample_bytes(f"sensorthings/{name}").decode("utf-8")
    objects = {}
    for match in _RETURNED_OBJECT.finditer(text):
        try:
            objects[match.group(1)] = json.loads(match.group(2))
        except json.JSONDecodeError:
            continue  # a literal built with TypeScript expressions
    return objects


def real_things() -> dict[int, dict[str, Any]]:
    things = sample_objects("indoor-analytics_ThingAPIResponses.ts")["things"]
    return {thing["@iot.id"]: thing for thing in things["value"]}


def real_collection(name: str) -> dict[str, Any]:
    return sample_objects("indoor-analytics_LocationAPIResponses.ts")[name]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class FakeService:
    """A SensorThings service: Datastreams and their Observations, paged by `$top`/`$skip`
    with absolute `@iot.nextLink`s on `link_host` (the real samples' host by default)."""

    datastreams: list[dict[str, Any]]
    observations: dict[str, list[dict[str, Any]]]
    link_host: str = "https://scratchpad.sensorup.com/OGCSensorThings/v1.0"
    expand: bool = True
    related: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, seen: Seen) -> Reply:
        path = unquote(seen.path)
        if path.endswith("/Datastreams"):
            return Reply(self._page(self.datastreams, seen, "Datastreams"))
        found = re.search(r"Datastreams\(([^)]*)\)/(\w+)$", path)
        if not found:
            return Reply("not found", status=404)
        literal, what = found.group(1), found.group(2)
        key = literal[1:-1].replace("''", "'") if literal.startswith("'") else literal
        if what == "Observations":
            rows = self._since(self.observations.get(key, []), seen.query.get("$filter"))
            return Reply(self._page(rows, seen, f"Datastreams({found.group(1)})/Observations"))
        return Reply(self.related[f"{key}/{what}"])

    def _page(self, rows: list[dict], seen: Seen, where: str) -> dict[str, Any]:
        top, skip = int(seen.query.get("$top", 100)), int(seen.query.get("$skip", 0))
        if not self.expand:
            rows = [
                {k: v for k, v in r.items() if k not in ("Thing", "ObservedProperty")} for r in rows
            ]
        if skip >= len(rows) and skip:
            return real_collection("getEmptyResponse")
        page: dict[str, Any] = {"@iot.count": len(rows), "value": rows[skip : skip + top]}
        if skip + top < len(rows):
            query = "&".join(f"{k}={v}" for k, v in {**seen.query, "$skip": skip + top}.items())
            page["@iot.nextLink"] = f"{self.link_host}/{where}?{query}"
        return page

    @staticmethod
    def _since(rows: list[dict], condition: str | None) -> list[dict]:
        if not condition:
            return rows
        start = datetime.fromisoformat(condition.split(" ge ")[1].replace("Z", "+00:00"))
        return [r for r in rows if _start(r["phenomenonTime"]) >= start]


def _start(value: str) -> datetime:
    return datetime.fromisoformat(value.split("/")[0].replace("Z", "+00:00"))


def datastream(ds_id: int | str, thing: dict, prop: str = "PM2.5", **extra: Any) -> dict:
    return {
        "@iot.id": ds_id,
        "@iot.selfLink": f"{ROOT}/Datastreams({ds_id})",
        "name": f"{prop} at {thing.get('name')}",
        "unitOfMeasurement": {"name": "microgram per cubic meter", "symbol": "µg/m³"},
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "Thing": thing,
        "ObservedProperty": {"@iot.id": 1, "name": prop, "definition": f"urn:lyg:{prop}"},
        **extra,
    }


def observation(obs_id: int | str, minutes: int, result: Any = None) -> dict:
    return {
        "@iot.id": obs_id,
        "phenomenonTime": iso(T0 + timedelta(minutes=minutes)),
        "resultTime": iso(T0 + timedelta(minutes=minutes)),
        "result": float(minutes) if result is None else result,
    }


LYG_THING = {"@iot.id": "thing-haizhou", "name": "海州区 空气站", "properties": {"adcode": 320706}}


@pytest.fixture
def opened():
    adapters: list[SensorThingsAdapter] = []
    yield adapters
    for adapter in adapters:
        adapter.close()


@pytest.fixture
def make(opened):
    def build(service: FakeService, **options: Any) -> tuple[SensorThingsAdapter, Recorder]:
        recorder = Recorder({"*": service})
        adapter = SensorThingsAdapter.from_options(
            {"url": ROOT, **options}, transport=recorder.transport(), sleep=Sleeps()
        )
        opened.append(adapter)
        return adapter, recorder

    return build


def observation_requests(recorder: Recorder) -> list[Seen]:
    return [s for s in recorder.seen if s.path.endswith("/Observations")]


# --- on the real samples ----------------------------------------------------------------------


def test_real_things_expanded_into_datastreams_with_paging_on_the_real_link_shape(make) -> None:
    things = real_things()
    station = things[2708436]  # "Environment Canada Station CYWG", properties with a null
    streams = [datastream(7, station, "Temperature"), datastream(8, things[2708535], "PM2.5")]
    service = FakeService(
        streams,
        {"7": [observation(i, i) for i in range(1, 6)], "8": [observation(100, 3)]},
    )
    adapter, recorder = make(
        service,
        page_size=2,
        district_from_thing_property="MSC_ID",
        indicator_map={"Temperature": "air_temperature"},
    )
    batch = adapter.poll(None)
    assert [r.key for r in batch.records] == ["7:1", "7:2", "7:3", "7:4", "7:5", "8:100"]
    first = batch.records[0].fields
    assert first == {
        "indicator": "air_temperature",
        "district": "5023227",
        "observed_at": T0 + timedelta(minutes=1),
        "value": 1.0,
    }
    assert batch.records[-1].fields["indicator"] == "PM2.5"
    assert batch.records[-1].fields["district"] is None, "that Thing has no MSC_ID"
    assert batch.watermark == {
        "datastreams": {"7": iso_plus(5), "8": iso_plus(3)},
    }
    assert {s.headers.get("host") for s in recorder.seen} == {"sta.lyg.example"}, (
        "next links on scratchpad.sensorup.com are rebased onto the configured server"
    )
    pages = observation_requests(recorder)
    assert [s.query.get("$skip") for s in pages[:3]] == [None, "2", "4"]


def iso_plus(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def test_check_reports_the_real_count(opened) -> None:
    collection = real_collection("locations")  # a real collection: @iot.count 26693
    recorder = Recorder({"/v1.0/Datastreams": Reply(collection)})
    probe = SensorThingsAdapter.from_options({"url": ROOT}, transport=recorder.transport())
    opened.append(probe)
    health = probe.check()
    assert health.ok and health.details["datastreams"] == 26693
    assert recorder.seen[0].query == {"$top": "1", "$count": "true"}


# --- incremental reading ----------------------------------------------------------------------


def test_observation_queries_and_the_next_poll_from_the_watermark(make) -> None:
    service = FakeService([datastream(7, LYG_THING)], {"7": [observation(1, 1)]})
    adapter, recorder = make(service, district_from_thing_property="adcode", page_size=50)
    first = adapter.poll(None)
    assert first.records[0].fields["district"] == "320706"
    validate_row("observations", dict(first.records[0].fields))  # fits the domain table
    query = observation_requests(recorder)[0].query
    assert query == {"$orderby": "phenomenonTime asc", "$top": "50"}
    service.observations["7"] += [observation(2, 2), observation(3, 3)]
    second = adapter.poll(first.watermark)
    query = observation_requests(recorder)[1].query
    assert query["$filter"] == "phenomenonTime ge 2026-11-01T00:01:00Z"
    assert [r.key for r in second.records] == ["7:1", "7:2", "7:3"], "ge reads the boundary"
    assert second.watermark == {"datastreams": {"7": iso_plus(3)}}
    listing = next(s for s in recorder.seen if s.path.endswith("/Datastreams"))
    assert listing.query["$expand"] == "Thing,ObservedProperty"


def test_a_datastreams_filter_is_passed_on(make) -> None:
    service = FakeService([], {})
    adapter, recorder = make(service, datastreams_filter="Thing/properties/kind eq 'air_quality'")
    assert adapter.poll(None).records == []
    assert recorder.seen[0].query["$filter"] == "Thing/properties/kind eq 'air_quality'"


def test_time_going_backwards_does_not_move_a_cursor_back(make) -> None:
    service = FakeService([datastream(7, LYG_THING)], {"7": [observation(1, 1)]})
    adapter, _ = make(service)
    later = {"datastreams": {"7": iso_plus(60), "99": iso_plus(5)}}
    service.observations["7"].append(observation(2, 90))
    service.observations["7"].insert(0, observation(0, 30))
    batch = adapter.poll(later)
    assert batch.watermark == {"datastreams": {"7": iso_plus(90), "99": iso_plus(5)}}
    stale = FakeService([datastream(7, LYG_THING)], {"7": []})
    adapter2, _ = make(stale)
    assert adapter2.poll(later).watermark == later, "an empty datastream keeps its cursor"


def test_the_cursor_never_passes_the_signpost(make) -> None:
    future = datetime.now(UTC) + timedelta(days=2)
    forecast = {"@iot.id": 1, "phenomenonTime": iso(future), "result": 3}
    adapter, _ = make(FakeService([datastream(7, LYG_THING)], {"7": [forecast]}))
    batch = adapter.poll(None)
    assert datetime.fromisoformat(batch.watermark["datastreams"]["7"]) <= datetime.now(UTC)
    assert batch.records[0].fields["observed_at"] == future, "the value itself is kept"


def test_max_pages_sets_more_and_the_next_poll_goes_on(make) -> None:
    streams = [datastream(7, LYG_THING), datastream(8, LYG_THING, "NO2")]
    service = FakeService(
        streams, {"7": [observation(i, i) for i in range(1, 8)], "8": [observation(50, 5)]}
    )
    adapter, _ = make(service, page_size=2, max_pages=3)
    first = adapter.poll(None)
    assert first.more and [r.key for r in first.records] == [f"7:{i}" for i in range(1, 7)]
    assert first.watermark == {"datastreams": {"7": iso_plus(6)}}
    second = adapter.poll(first.watermark)
    assert not second.more
    assert [r.key for r in second.records] == ["7:6", "7:7", "8:50"]


def test_backfill_days_bounds_the_first_poll(make) -> None:
    adapter, recorder = make(FakeService([datastream(7, LYG_THING)], {"7": []}), backfill_days=2)
    adapter.poll(None)
    condition = observation_requests(recorder)[0].query["$filter"]
    start = datetime.fromisoformat(condition.split(" ge ")[1].replace("Z", "+00:00"))
    assert timedelta(days=2) <= datetime.now(UTC) - start < timedelta(days=2, minutes=1)


# --- payload shapes ---------------------------------------------------------------------------


def test_sensorthings_1_1_shapes_string_ids_and_intervals(make) -> None:
    stream = datastream("ds-'a'", LYG_THING, "Water level", properties={"river": "蔷薇河"})
    stream["ObservedProperty"]["properties"] = {}
    rows = [
        {
            "@iot.id": "o-1",
            "phenomenonTime": "2026-11-01T00:00:00Z/2026-11-01T01:00:00Z",
            "result": "3.25",
        },
        {"@iot.id": 2, "phenomenonTime": "2026-11-01T09:00:00+08:00", "result": 3},
    ]
    service = FakeService([stream], {"ds-'a'": rows}, link_host=ROOT.replace("1.0", "1.1"))
    adapter, recorder = make(service, indicator_map={"urn:lyg:Water level": "water_level"})
    batch = adapter.poll(None)
    assert observation_requests(recorder)[0].path == "/v1.0/Datastreams('ds-''a''')/Observations"
    fields = {r.key: r.fields for r in batch.records}
    assert fields["ds-'a':o-1"]["observed_at"] == T0 + timedelta(hours=1), "an interval's end"
    assert fields["ds-'a':o-1"]["value"] == 3.25
    assert fields["ds-'a':2"]["indicator"] == "water_level", "mapped by the definition"
    assert batch.watermark == {"datastreams": {"ds-'a'": iso_plus(60)}}, "an interval's start"


def test_non_numeric_results_are_rejected_with_the_reason(make) -> None:
    rows = [
        observation(1, 1, result="offline"),
        observation(2, 2, result={"x": 1}),
        observation(3, 3, result=True),
        observation(4, 4, result=None) | {"result": None},
        {"@iot.id": 5, "phenomenonTime": "whenever", "result": 1},
        {"phenomenonTime": iso(T0), "result": 1},
        observation(6, 6),
    ]
    adapter, _ = make(FakeService([datastream(7, LYG_THING)], {"7": rows}))
    batch = adapter.poll(None)
    assert [r.key for r in batch.records] == ["7:6"]
    reasons = [r.reason for r in batch.rejected]
    assert reasons[0] == 'datastream 7: result "offline" is not a number'
    assert "is not a number" in reasons[1] and "is not a number" in reasons[2]
    assert "null is not a number" in reasons[3]
    assert "phenomenonTime" in reasons[4]
    assert "without an @iot.id" in reasons[5]
    assert json.loads(batch.rejected[0].raw)["result"] == "offline"


def test_duplicate_observations_in_one_poll_keep_the_last(make) -> None:
    rows = [observation(1, 1, result=1), observation(1, 1, result=2)]
    adapter, _ = make(FakeService([datastream(7, LYG_THING)], {"7": rows}))
    batch = adapter.poll(None)
    assert [(r.key, r.fields["value"]) for r in batch.records] == [("7:1", 2.0)]


def test_a_server_ignoring_expand_is_asked_for_the_related_entities(make) -> None:
    service = FakeService(
        [datastream(7, LYG_THING)],
        {"7": [observation(1, 1)]},
        expand=False,
        related={
            "7/ObservedProperty": {"@iot.id": 1, "name": "PM10", "definition": "urn:x"},
            "7/Thing": LYG_THING,
        },
    )
    adapter, _ = make(service, district_from_thing_property="adcode")
    fields = adapter.poll(None).records[0].fields
    assert fields["indicator"] == "PM10" and fields["district"] == "320706"


def test_indicator_from_datastream_name_or_a_constant(make) -> None:
    service = FakeService([datastream(7, LYG_THING)], {"7": [observation(1, 1)]})
    by_name, _ = make(service, indicator_from="datastream_name")
    assert by_name.poll(None).records[0].fields["indicator"] == "PM2.5 at 海州区 空气站"
    constant, _ = make(service, indicator_from="constant", indicator="aqi")
    assert constant.poll(None).records[0].fields["indicator"] == "aqi"
    with pytest.raises(ConfigError, match="needs indicator"):
        SensorThingsAdapter.from_options({"url": ROOT, "indicator_from": "constant"})


# --- faults -----------------------------------------------------------------------------------


def test_a_repeated_next_link_stops_with_a_source_error(make) -> None:
    looping = {
        "value": [observation(1, 1)],
        "@iot.nextLink": f"{ROOT}/Datastreams(7)/Observations?$skip=1",
    }
    service = FakeService([datastream(7, LYG_THING)], {})
    recorder = Recorder({"/v1.0/Datastreams": lambda seen: service(seen), "*": Reply(looping)})
    adapter = SensorThingsAdapter.from_options({"url": ROOT}, transport=recorder.transport())
    try:
        with pytest.raises(SourceError, match=r"same @iot\.nextLink twice"):
            adapter.poll(None)
    finally:
        adapter.close()


def test_not_a_collection_is_a_source_error(make) -> None:
    recorder = Recorder({"*": Reply({"error": "maintenance"})})
    adapter = SensorThingsAdapter.from_options({"url": ROOT}, transport=recorder.transport())
    try:
        with pytest.raises(SourceError, match="not a SensorThings collection"):
            adapter.poll(None)
        assert not adapter.check().ok
    finally:
        adapter.close()


def test_server_errors_are_retried_then_transient() -> None:
    sleeps = Sleeps()
    recorder = Recorder({"*": Reply("busy", status=500)})
    adapter = SensorThingsAdapter.from_options(
        {"url": ROOT, "http": {"max_retries": 2}}, transport=recorder.transport(), sleep=sleeps
    )
    try:
        with pytest.raises(TransientError):
            adapter.poll(None)
    finally:
        adapter.close()
    assert len(recorder.seen) == 3 and len(sleeps) == 2


def test_a_source_that_is_down_is_transient_and_unhealthy() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1.1"
    adapter = SensorThingsAdapter.from_options({"url": url, "http": {"max_retries": 0}})
    try:
        with pytest.raises(TransientError, match="could not be reached"):
            adapter.poll(None)
        health = adapter.check()
    finally:
        adapter.close()
    assert not health.ok and "could not be reached" in health.message


def test_a_real_server_on_loopback() -> None:
    service = FakeService([datastream(7, LYG_THING)], {"7": [observation(i, i) for i in range(5)]})
    with LoopbackServer({"*": service}) as server:
        service.link_host = server.url + "/v1.0"
        adapter = SensorThingsAdapter.from_options(
            {"url": server.url + "/v1.0", "page_size": 2, "http": {"timeout_seconds": 5}}
        )
        try:
            batch = adapter.poll(None)
        finally:
            adapter.close()
    assert [r.key for r in batch.records] == [f"7:{i}" for i in range(5)]
    assert len([s for s in server.seen if s.path.endswith("/Observations")]) == 3


def test_values_relative_to_a_thing_property() -> None:
    """A water gauge's level as metres above its warning line."""
    thing = {
        "@iot.id": 1,
        "name": "WL001",
        "properties": {"district": "320706", "warning_level_m": 4.5},
    }
    stream = {
        "@iot.id": 7,
        "name": "WL001 level",
        "Thing": thing,
        "ObservedProperty": {"name": "Water level", "definition": "x"},
    }
    observations = [
        {"@iot.id": 1, "phenomenonTime": "2026-07-20T01:00:00Z", "result": 4.1},
        {"@iot.id": 2, "phenomenonTime": "2026-07-20T02:00:00Z", "result": 4.9},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Datastreams"):
            return httpx.Response(200, json={"value": [stream]})
        return httpx.Response(200, json={"value": observations})

    adapter = SensorThingsAdapter.from_options(
        {
            "url": "http://sta.test/v1.1",
            "relative_to_thing_property": "warning_level_m",
            "district_from_thing_property": "district",
            "indicator_map": {"Water level": "water_level_over_warning"},
        },
        transport=httpx.MockTransport(handler),
    )
    batch = adapter.poll(None)
    adapter.close()
    values = [round(r.fields["value"], 2) for r in batch.records]
    assert values == [-0.4, 0.4]
    assert {r.fields["indicator"] for r in batch.records} == {"water_level_over_warning"}
