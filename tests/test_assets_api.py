"""The asset map's data routes on SQLite and PostgreSQL: points as geobuf (decoded and compared),
shapes as GeoJSON, the CSV and GeoJSON downloads, the ETag and 304, the body cache, and query
values the filter does not understand (ignored, never an error)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import threading
import time
from datetime import timedelta

import geobuf
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, update

import dashboard.api.assets as api
from dashboard.api.assets import BodyCache, body_cache, encode_points
from dashboard.app import create_app
from dashboard.data.assets import KIND_CODES, KINDS, STATUS_CODES, STATUSES
from data_adapters.settings import Settings
from data_adapters.store.schema import assets
from tests.test_assets_data import ASSETS, LINE, NOW, POLYGON, seed_assets

POINTS = "/api/assets/points.pbf"
HEADER = ["key", "kind", "status", "name", "district", "lon", "lat", "install_date", "owner"]


@pytest.fixture
def served(store: Engine, settings: Settings) -> tuple[FlaskClient, Engine]:
    seed_assets(store)
    app = create_app(settings, store)
    return app.server.test_client(), store


@pytest.fixture
def client(served: tuple[FlaskClient, Engine]) -> FlaskClient:
    return served[0]


def _points(body: bytes) -> dict[str, tuple]:
    """The decoded points by key: (kind, status, lon, lat)."""
    collection = geobuf.decode(body)
    assert collection["type"] == "FeatureCollection"
    found = {}
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "Point" and set(feature["properties"]) == {
            "k",
            "t",
            "s",
        }
        props, (lon, lat) = feature["properties"], feature["geometry"]["coordinates"]
        found[props["k"]] = (list(KINDS)[props["t"]], STATUSES[props["s"]], lon, lat)
    return found


def _expected_points(**where: str) -> dict[str, tuple]:
    return {
        row["source_key"]: (row["kind"], row["status"], row["lon"], row["lat"])
        for row in ASSETS
        if row["lon"] is not None and all(row[column] == value for column, value in where.items())
    }


def test_points_are_geobuf_that_decodes_to_the_filtered_points(client: FlaskClient) -> None:
    response = client.get(POINTS)
    assert response.status_code == 200
    assert response.mimetype == "application/x-protobuf"
    assert _points(response.data) == _expected_points()  # nine: 6 decimals are exact here
    assert len(_points(response.data)) == 9
    faults = client.get(f"{POINTS}?kinds=street_light,hospital&status=fault&v=whatever")
    assert _points(faults.data) == _expected_points(status="fault")
    lights = client.get(f"{POINTS}?kinds=street_light&district=320706")
    assert set(_points(lights.data)) == {"SL000001", "SL000002"}
    assert _points(client.get(f"{POINTS}?kinds=park").data) == {}


def test_coordinates_keep_six_decimals(served: tuple[FlaskClient, Engine]) -> None:
    client, store = served
    with store.begin() as connection:
        connection.execute(
            update(assets)
            .where(assets.c.source_key == "SC000001")
            .values(lon=119.123456789, lat=34.987654321, updated_at=NOW + timedelta(seconds=1))
        )
    points = _points(client.get(f"{POINTS}?kinds=school").data)
    assert points["SC000001"][2:] == (119.123457, 34.987654)


def test_shapes_are_geojson(client: FlaskClient) -> None:
    response = client.get("/api/assets/shapes.json")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.get_json(force=True)
    by_key = {f["properties"]["key"]: f for f in collection["features"]}
    assert by_key["WP000001"]["geometry"] == LINE and by_key["PK000001"]["geometry"] == POLYGON
    assert by_key["PK000001"]["properties"] == {
        "key": "PK000001",
        "kind": "park",
        "status": "normal",
        "name": "苍梧绿园",
    }
    faults = client.get("/api/assets/shapes.json?status=fault").get_json(force=True)
    assert [f["properties"]["key"] for f in faults["features"]] == ["WP000001"]
    none = client.get("/api/assets/shapes.json?kinds=street_light").get_json(force=True)
    assert none == {"type": "FeatureCollection", "features": []}


def test_an_unchanged_store_answers_304_and_a_change_a_new_body(
    served: tuple[FlaskClient, Engine],
) -> None:
    client, store = served
    first = client.get(POINTS)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(POINTS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "no-cache"
    assert client.get(f"{POINTS}?v=1", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"{POINTS}?status=fault").headers["ETag"] != etag
    assert client.get("/api/assets/shapes.json").headers["ETag"] != etag

    with store.begin() as connection:
        connection.execute(
            update(assets)
            .where(assets.c.source_key == "SL000001")
            .values(status="fault", updated_at=NOW + timedelta(minutes=1))
        )
    changed = client.get(POINTS, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _points(changed.data)["SL000001"][1] == "fault"


def test_a_body_is_built_once_per_filter_and_store_state(
    served: tuple[FlaskClient, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, store = served
    calls = []
    real = api.point_frame
    monkeypatch.setattr(api, "point_frame", lambda *args: calls.append(args) or real(*args))
    bodies = {client.get(POINTS).data for _ in range(3)}
    bodies.add(client.get(f"{POINTS}?kinds=nonsense&v=2").data)  # the same filter
    assert len(bodies) == 1 and len(calls) == 1
    client.get(f"{POINTS}?status=fault")
    assert len(calls) == 2
    with store.begin() as connection:
        connection.execute(
            update(assets)
            .where(assets.c.source_key == "HP000001")
            .values(status="normal", updated_at=NOW + timedelta(minutes=1))
        )
    client.get(POINTS)
    assert len(calls) == 3
    assert len(body_cache(client.application)) == 3


def test_body_cache_keeps_the_most_recently_used_within_its_bounds() -> None:
    cache = BodyCache(entries=2, max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now the most recent
    cache.put("c", b"12")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"12")
    cache.put("d", b"123456789")  # 15 bytes with "a" and "c": both go
    assert len(cache) == 1 and cache.size() == 9
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and cache.get("d") == b"123456789"


def _attachment(response, extension: str) -> None:
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(rf"attachment; filename=assets-\d{{4}}-\d\d-\d\d\.{extension}", disposition)


def test_csv_export_has_a_bom_a_header_and_every_filtered_asset(client: FlaskClient) -> None:
    response = client.get("/api/assets/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    _attachment(response, "csv")
    assert response.data.startswith(b"\xef\xbb\xbfkey,kind,status,name,")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADER and len(rows) == 13
    by_key = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert by_key["SL000001"] == {
        "key": "SL000001",
        "kind": "street_light",
        "status": "normal",
        "name": "海州路灯一号",
        "district": "320706",
        "lon": "119.2",
        "lat": "34.6",
        "install_date": "2019-05-01",
        "owner": "市政处",
    }
    assert by_key["WP000001"]["lon"] == "" and by_key["BS000001"]["district"] == ""
    narrowed = client.get("/api/assets/export.csv?district=320703").data.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(narrowed))][1:] == [
        "HY000002",
        "HP000001",
    ]  # by kind


def test_geojson_export_is_parseable_with_every_filtered_asset(client: FlaskClient) -> None:
    response = client.get("/api/assets/export.geojson")
    assert response.status_code == 200
    _attachment(response, "geojson")
    collection = json.loads(response.data)
    by_key = {f["properties"]["key"]: f for f in collection["features"]}
    assert len(by_key) == 12 and set(by_key["SL000001"]["properties"]) == set(HEADER)
    assert by_key["SL000001"]["geometry"] == {"type": "Point", "coordinates": [119.2, 34.6]}
    assert by_key["SL000001"]["properties"]["install_date"] == "2019-05-01"
    assert by_key["WP000001"]["geometry"] == LINE
    assert by_key["WP000001"]["properties"]["lon"] is None
    assert by_key["CC000002"]["geometry"] is None  # no coordinates: still exported


@pytest.mark.parametrize(
    "query",
    [
        "kinds=nonsense",
        "kinds=&status=&district=",
        "status=%27%3B%20drop%20table%20assets%3B--&district=abc",
        "district=3207060&district=%25&kinds=%00",
        "kinds[]=street_light&status[]=fault&status",
        "kinds=" + "x" * 5000,
    ],
)
def test_bad_query_values_are_ignored(client: FlaskClient, query: str) -> None:
    unfiltered = client.get(POINTS)
    for route in ("points.pbf", "shapes.json", "export.csv", "export.geojson"):
        response = client.get(f"/api/assets/{route}?{query}")
        assert response.status_code == 200, route
    response = client.get(f"{POINTS}?{query}")
    assert response.headers["ETag"] == unfiltered.headers["ETag"]
    assert response.data == unfiltered.data


def test_points_encode_byte_for_byte_as_geobuf_does() -> None:
    rows = [row for row in ASSETS if row["lon"] is not None]
    columns = [
        [row["source_key"] for row in rows],
        [KIND_CODES[row["kind"]] for row in rows],
        [STATUS_CODES[row["status"]] for row in rows],
    ]
    lons, lats = [row["lon"] + 1e-7 for row in rows], [-row["lat"] for row in rows]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"k": key, "t": kind, "s": status},
        }
        for key, kind, status, lon, lat in zip(*columns, lons, lats, strict=True)
    ]
    expected = geobuf.encode({"type": "FeatureCollection", "features": features}, 6)
    assert encode_points(*columns, lons, lats) == expected
    empty = geobuf.decode(encode_points([], [], [], [], []))
    assert empty == {"type": "FeatureCollection", "features": []}


def test_a_browser_that_accepts_gzip_gets_the_same_body_gzipped(client: FlaskClient) -> None:
    plain = client.get(POINTS)
    zipped = client.get(POINTS, headers={"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # two representations, two tags
    again = client.get(
        POINTS,
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_body_asked_for_at_once_is_built_once() -> None:
    cache = BodyCache()
    built: list[int] = []
    started = threading.Event()

    def build() -> bytes:
        built.append(1)
        started.set()
        time.sleep(0.2)
        return b"body"

    threads = [threading.Thread(target=cache.get_or_build, args=("k", build)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert started.is_set() and built == [1]
    assert cache.get_or_build("k", build) == b"body" and built == [1]
