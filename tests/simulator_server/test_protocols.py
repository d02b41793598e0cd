"""Each protocol of the feed server spoken directly over HTTP: documents, query options, paging
that returns every row exactly once, errors in each protocol's own format, health and faults.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from sqlalchemy import func, select

from simulator.schema import (
    cap_messages,
    emergency_incidents,
    hotline_tickets,
    public_posts,
    sensor_datastreams,
    sensor_observations,
    sim_state,
)
from simulator.server import FeedServer, close_feed_app, create_feed_app
from tests.simulator_server.support import START, TOKEN, Site, beijing, zulu
from tests.support.services import free_port

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=10) as http:
        yield http


def _walk_links(client: httpx.Client, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entity of a SensorThings collection, following @iot.nextLink."""
    values: list[dict[str, Any]] = []
    page = client.get(url, params=params).raise_for_status().json()
    while True:
        values += page["value"]
        link = page.get("@iot.nextLink")
        if not link:
            return values
        assert link.startswith(str(client.base_url).rstrip("/") + "/sta/v1.1/")
        page = client.get(link).raise_for_status().json()


# --- SensorThings -----------------------------------------------------------------------------


def test_sensorthings_root_and_entities(client: httpx.Client) -> None:
    root = client.get("/sta/v1.1").raise_for_status().json()
    assert [s["name"] for s in root["value"]] == [
        "Things",
        "Locations",
        "Datastreams",
        "ObservedProperties",
    ]
    assert all(s["url"].startswith("http://127.0.0.1:") for s in root["value"])

    stream = client.get("/sta/v1.1/Datastreams(1)", params={"$expand": "Thing"}).json()
    assert set(stream["unitOfMeasurement"]) == {"name", "symbol", "definition"}
    assert stream["observationType"].endswith("OM_Measurement")
    assert stream["@iot.selfLink"].endswith("/sta/v1.1/Datastreams(1)")
    assert stream["Thing"]["properties"]["district"] == stream["properties"]["district"]
    assert "ObservedProperty" not in stream

    gauge = client.get(
        "/sta/v1.1/Things", params={"$filter": "properties/kind eq 'water_level'", "$top": 1}
    ).json()["value"][0]
    assert {"warning_level_m", "guarantee_level_m", "district"} <= set(gauge["properties"])
    assert client.get("/sta/v1.1/Datastreams('1')").json()["@iot.id"] == 1
    observed = client.get("/sta/v1.1/ObservedProperties('pm25')").json()
    assert observed["definition"] == "urn:cityops:property:pm25"
    located = client.get(f"/sta/v1.1/Things({gauge['@iot.id']})/Locations").json()["value"]
    assert located[0]["location"]["type"] == "Point"


def test_sensorthings_datastream_filters_count_and_links(site: Site, client: httpx.Client) -> None:
    params = {
        "$filter": "Thing/properties/kind eq 'water_level' or properties/kind eq 'air_quality'",
        "$expand": "Thing,ObservedProperty",
        "$top": 7,
        "$count": "true",
    }
    first = client.get("/sta/v1.1/Datastreams", params=params).json()
    assert first["@iot.count"] == 115  # 20 air stations x 5 + 15 gauges
    values = _walk_links(client, "/sta/v1.1/Datastreams", params)
    ids = [v["@iot.id"] for v in values]
    assert len(ids) == len(set(ids)) == 115
    assert all(v["Thing"]["properties"]["kind"] in ("water_level", "air_quality") for v in values)

    by_id = client.get("/sta/v1.1/Datastreams", params={"$filter": "id eq 7"}).json()
    assert [v["@iot.id"] for v in by_id["value"]] == [7]
    district = client.get(
        "/sta/v1.1/Datastreams",
        params={"$filter": "properties/district eq '320706' and not (id le 3)", "$top": 1000},
    ).json()["value"]
    assert district and all(v["properties"]["district"] == "320706" for v in district)
    assert all(v["@iot.id"] > 3 for v in district)
    total = site.count(sensor_datastreams)
    everything = client.get("/sta/v1.1/Datastreams", params={"$count": "true", "$top": 0}).json()
    assert everything["@iot.count"] == total and everything["value"] == []


def test_sensorthings_observations_page_exactly_once(site: Site, client: httpx.Client) -> None:
    obs = sensor_observations.c
    since = START - timedelta(hours=20)
    expected = site.count(sensor_observations, obs.datastream_id == 3, obs.phenomenon_time >= since)
    params = {
        "$filter": f"phenomenonTime ge {zulu(since)}",
        "$orderby": "phenomenonTime asc",
        "$top": 25,
        "$count": "true",
    }
    values = _walk_links(client, "/sta/v1.1/Datastreams(3)/Observations", params)
    ids = [v["@iot.id"] for v in values]
    assert len(ids) == len(set(ids)) == expected > 25
    times = [v["phenomenonTime"] for v in values]
    assert times == sorted(times) and all(t.endswith("Z") for t in times)
    assert times[0] >= zulu(since)

    strict = client.get(
        "/sta/v1.1/Datastreams(3)/Observations",
        params={"$filter": f"phenomenonTime gt {times[0]}", "$count": "true", "$top": 1},
    ).json()
    assert strict["@iot.count"] == expected - 1

    latest = client.get("/sta/v1.1/Datastreams(3)/Observations", params={"$top": 1}).json()
    newest = site.scalar(select(func.max(obs.phenomenon_time)).where(obs.datastream_id == 3))
    assert latest["value"][0]["phenomenonTime"] == zulu(newest)
    one = client.get(f"/sta/v1.1/Observations({latest['value'][0]['@iot.id']})").json()
    assert one["Datastream@iot.navigationLink"].endswith("/Datastreams(3)")


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/sta/v1.1/Datastreams(99999)", {}, 404, "does not exist"),
        ("/sta/v1.1/Datastreams(99999)/Observations", {}, 404, "does not exist"),
        ("/sta/v1.1/Sensors", {}, 404, "no SensorThings resource"),
        ("/sta/v1.1/Datastreams", {"$filter": "properties/kind eq"}, 400, "$filter"),
        ("/sta/v1.1/Datastreams", {"$filter": "kind eq 'a' and"}, 400, "ends too early"),
        ("/sta/v1.1/Datastreams(1)/Observations", {"$top": 10001}, 400, "$top"),
        ("/sta/v1.1/Datastreams(1)/Observations", {"$filter": "name eq 'x'"}, 400, "cannot use"),
        ("/sta/v1.1/Datastreams(1)/Observations", {"$orderby": "result sideways"}, 400, "asc"),
        ("/sta/v1.1/Datastreams", {"$expand": "Sensor"}, 400, "$expand"),
        ("/sta/v1.1/Datastreams", {"$apply": "groupby"}, 400, "$apply"),
    ],
)
def test_sensorthings_errors(
    client: httpx.Client, path: str, params: dict[str, Any], status: int, words: str
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status
    body = answer.json()
    assert body["code"] == status and body["type"] == "error"
    assert words in body["message"]


# --- Open311 ----------------------------------------------------------------------------------


def test_open311_requests_fields_and_filters(site: Site, client: httpx.Client) -> None:
    low, high = START - timedelta(hours=20), START - timedelta(hours=18)
    window = {"start_date": beijing(low), "end_date": beijing(high)}
    tickets = client.get("/open311/v2/requests.json", params=window).raise_for_status().json()
    t = hotline_tickets.c
    assert len(tickets) == site.count(
        hotline_tickets, t.requested_at >= low, t.requested_at <= high
    )
    ticket = tickets[0]
    assert set(ticket) >= {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "lat",
        "long",
        "media_url",
        "district",
    }
    assert ticket["requested_datetime"].endswith("+08:00")
    assert ticket["requested_datetime"] >= tickets[-1]["requested_datetime"]  # newest first
    assert {x["status"] for x in tickets} <= {"open", "closed"}
    assert any(x["lat"] in (None, 0) for x in tickets)  # kept as the simulator stores them

    closed = client.get(
        "/open311/v2/requests.json", params={**window, "status": "closed", "service_code": "0101"}
    ).json()
    assert all(x["status"] == "closed" and x["service_code"] == "0101" for x in closed)
    ids = ",".join(x["service_request_id"] for x in tickets[:3])
    chosen = client.get("/open311/v2/requests.json", params={"service_request_id": ids}).json()
    assert sorted(x["service_request_id"] for x in chosen) == sorted(ids.split(","))
    one = client.get(f"/open311/v2/requests/{ticket['service_request_id']}.json").json()
    assert one == [ticket]

    as_xml = ET.fromstring(client.get("/open311/v2/requests.xml", params=window).content)
    assert as_xml.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in as_xml] == [
        x["service_request_id"] for x in tickets
    ]
    services = client.get("/open311/v2/services.json").json()
    assert {"service_code", "service_name", "metadata", "type"} <= set(services[0])
    assert ET.fromstring(client.get("/open311/v2/services.xml").content).tag == "services"


def test_open311_caps_each_call_and_orders_by_the_filtered_time(client: httpx.Client) -> None:
    wide = {"updated_after": zulu(START - timedelta(days=5))}
    tickets = client.get("/open311/v2/requests.json", params=wide).json()
    assert len(tickets) == 1000
    updated = [x["updated_datetime"] for x in tickets]
    assert updated == sorted(updated, reverse=True)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "yesterday"}, "start_date 'yesterday' is not an ISO 8601"),
        ({"updated_after": "2026-13-01T00:00:00Z"}, "updated_after"),
        (
            {"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
            "end_date is before start_date",
        ),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
            "90 days",
        ),
        ({"status": "pending"}, "status pending is not one of closed, open"),
    ],
)
def test_open311_bad_parameters_are_open311_errors(
    client: httpx.Client, params: dict[str, str], words: str
) -> None:
    answer = client.get("/open311/v2/requests.json", params=params)
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["code"] == 400 and words in error["description"]

    as_xml = client.get("/open311/v2/requests.xml", params=params)
    assert as_xml.status_code == 400
    root = ET.fromstring(as_xml.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"
    assert words in root.findtext("error/description")


def test_open311_unknown_request_and_format(client: httpx.Client) -> None:
    missing = client.get("/open311/v2/requests/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert client.get("/open311/v2/requests.csv").status_code == 404
    refused = client.post("/open311/v2/requests.json")
    assert refused.status_code == 405 and refused.json()[0]["code"] == 405


# --- exchange platform -----------------------------------------------------------------------


def test_exchange_envelope_and_page_walk(site: Site, client: httpx.Client) -> None:
    since = beijing(START - timedelta(hours=16))
    expected = site.count(public_posts, public_posts.c.updated_at >= START - timedelta(hours=16))
    seen: list[str] = []
    page = 1
    while True:
        answer = client.get(
            "/exchange/api/v1/posts",
            params={"updated_since": since, "page": page, "page_size": 97},
            headers=AUTH,
        )
        body = answer.raise_for_status().json()
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        assert body["code"] == 0 and body["message"] == "ok"
        data = body["data"]
        assert data["total"] == expected and data["page"] == page and data["page_size"] == 97
        seen += [r["post_id"] for r in data["records"]]
        if not data["has_more"]:
            assert data["next_cursor"] is None
            break
        page += 1
    assert len(seen) == len(set(seen)) == expected
    records = data["records"]
    assert set(records[0]) == {
        "post_id",
        "platform",
        "author",
        "text",
        "posted_at",
        "district_code",
        "lat",
        "lon",
        "likes",
        "reposts",
        "comments",
        "url",
        "updated_at",
    }
    assert all(r["updated_at"].endswith("+08:00") for r in records)
    assert "\\u" not in answer.text  # Chinese as characters
    after = client.get(
        "/exchange/api/v1/posts", params={"page": page + 1, "updated_since": since}, headers=AUTH
    ).json()["data"]
    assert after["records"] == [] and not after["has_more"]


def test_exchange_incidents_cursor_walk(site: Site, client: httpx.Client) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"page_size": 7}
    while True:
        data = client.get("/exchange/api/v1/incidents", params=params, headers=AUTH).json()["data"]
        seen += [r["incident_id"] for r in data["records"]]
        if not data["next_cursor"]:
            break
        params["cursor"] = data["next_cursor"]
    assert len(seen) == len(set(seen)) == site.count(emergency_incidents)
    record = data["records"][-1]
    assert record["reported_at"].endswith("+08:00")
    assert {"incident_id", "type_zh", "severity", "status", "district_code"} <= set(record)


@pytest.mark.parametrize(
    ("headers", "params", "status", "words"),
    [
        ({}, {}, 401, "missing bearer token"),
        ({"Authorization": "Bearer wrong"}, {}, 401, "invalid token"),
        ({"Authorization": f"Basic {TOKEN}"}, {}, 401, "missing bearer token"),
        (AUTH, {"page_size": 1001}, 400, "page_size must be between 1 and 1000"),
        (AUTH, {"page": 0}, 400, "page must be between 1 and"),
        (AUTH, {"updated_since": "last week"}, 400, "updated_since"),
        (AUTH, {"cursor": "!!"}, 400, "cursor"),
    ],
)
def test_exchange_errors(
    client: httpx.Client, headers: dict[str, str], params: dict[str, Any], status: int, words: str
) -> None:
    answer = client.get("/exchange/api/v1/posts", params=params, headers=headers)
    assert answer.status_code == status
    body = answer.json()
    assert body["code"] == status and words in body["message"]
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_exchange_without_a_token(site: Site) -> None:
    app = create_feed_app(site.centre.config.database_url, exchange_token=None)
    try:
        answer = app.test_client().get("/exchange/api/v1/incidents?page_size=1")
        assert answer.status_code == 200 and answer.json["code"] == 0
    finally:
        close_feed_app(app)


# --- CAP, health, faults, the server ---------------------------------------------------------


def test_cap_index_and_documents(site: Site, client: httpx.Client) -> None:
    answer = client.get("/cap/index.atom")
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(answer.content).findall(f"{atom}entry")
    assert len(entries) == site.count(cap_messages)
    first = entries[0]
    assert first.findtext(f"{atom}title").endswith("）") and "预警" in first.findtext(
        f"{atom}title"
    )
    assert first.findtext(f"{atom}updated").endswith("+08:00")
    link = first.find(f"{atom}link")
    assert link.get("rel") == "alternate" and link.get("type") == "application/cap+xml"
    document = client.get(link.get("href"))
    assert document.headers["content-type"] == "application/cap+xml; charset=utf-8"
    identifier = link.get("href").rsplit("/", 1)[1].removesuffix(".xml")
    stored = site.scalar(select(cap_messages.c.xml).where(cap_messages.c.identifier == identifier))
    assert document.text == stored
    assert client.get("/cap/no-such-alert.xml").status_code == 404


def test_healthz_reports_the_simulated_clock(site: Site, client: httpx.Client) -> None:
    body = client.get("/healthz").raise_for_status().json()
    assert body["status"] == "ok" and body["build"] == "ready"
    sim_now = int(site.scalar(select(sim_state.c.value).where(sim_state.c.key == "sim_now")))
    assert body["sim_now"] == beijing(datetime.fromtimestamp(sim_now, UTC))
    assert set(body["feeds"]) == {"sensorthings", "open311", "posts", "incidents", "cap"}
    assert all(feed["newest_update"].endswith("+08:00") for feed in body["feeds"].values())


def test_fault_admin(site: Site, client: httpx.Client) -> None:
    faults = "/admin/faults"
    assert client.post(faults, json={"path_prefix": "open311"}).status_code == 400
    assert client.post(faults, json={"path_prefix": "/x", "status": 200}).status_code == 400
    assert client.post(faults, json={"path_prefix": "/x", "colour": "red"}).status_code == 400
    created = client.post(
        faults, json={"path_prefix": "/cap", "status": 503, "retry_after": 7, "for_seconds": 30}
    )
    assert created.status_code == 201
    try:
        listed = client.get(faults).json()["faults"]
        assert [f["path_prefix"] for f in listed] == ["/cap"]
        failing = client.get("/cap/index.atom")
        assert failing.status_code == 503 and failing.headers["retry-after"] == "7"
        assert client.get("/healthz").status_code == 200
    finally:
        client.post(faults, json={"clear": True}).raise_for_status()
    assert client.get(faults).json() == {"faults": []}
    assert client.get("/cap/index.atom").status_code == 200

    outsider = site.server.app.test_client()
    far = outsider.get(faults, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert far.status_code == 403


def test_gzip_when_accepted(client: httpx.Client) -> None:
    raw = client.get(
        "/sta/v1.1/Datastreams", params={"$top": 50}, headers={"Accept-Encoding": "gzip"}
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.json()["value"]  # httpx decompresses
    plain = client.get(
        "/sta/v1.1/Datastreams", params={"$top": 50}, headers={"Accept-Encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    assert raw.json() == plain.json()


def test_a_taken_port_is_a_clear_oserror(site: Site) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen(1)
        server = FeedServer(site.centre.config.database_url, port=port)
        try:
            with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
                server.start()
        finally:
            server.stop()


def test_stop_is_prompt_even_with_a_stalled_request(site: Site) -> None:
    server = FeedServer(site.centre.config.database_url, port=0)
    server.start()
    stall = {"path_prefix": "/healthz", "status": None, "delay_seconds": 60}
    try:
        with httpx.Client(base_url=server.url, timeout=5) as http:
            http.post("/admin/faults", json=stall).raise_for_status()
            with pytest.raises(httpx.ReadTimeout):
                http.get("/healthz", timeout=0.2)
    finally:
        began = time.monotonic()
        server.stop()
    assert time.monotonic() - began < 2
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=1)
