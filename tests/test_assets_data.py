"""The asset map page's reads on SQLite and PostgreSQL: the filter and its URL, counts by kind
and status, points and shapes, one asset's detail and history, search (order and escaping),
fault rates by district and the worst district × kind cells, and incidents near a point (with
distances checked by hand); and `seed_assets`, the dozen assets the API tests serve too."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, insert, update

from dashboard.data.assets import (
    KINDS,
    POINT_KINDS,
    SHAPE_KINDS,
    STATUSES,
    AssetFilter,
    asset_detail,
    asset_history,
    assets_stamp,
    export_frame,
    fault_rates,
    incidents_near,
    kind_counts,
    point_frame,
    search_assets,
    shape_features,
    worst_cells,
)
from data_adapters.store.schema import asset_changes, assets, incidents

NOW = datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
LINE = {"type": "LineString", "coordinates": [[119.2, 34.6], [119.21, 34.61]]}
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[119.1, 34.85], [119.12, 34.85], [119.12, 34.87], [119.1, 34.85]]],
}


def asset(
    key: str,
    kind: str,
    status: str,
    district: str | None,
    lon: float | None = None,
    lat: float | None = None,
    name: str = "",
    geometry: dict | None = None,
    **extra: object,
) -> dict:
    """An assets row as a source would have stored it."""
    return {
        "source_id": "assets",
        "source_key": key,
        "ingested_at": NOW,
        "kind": kind,
        "name": name or KINDS[kind].name_zh,
        "status": status,
        "district": district,
        "lon": lon,
        "lat": lat,
        "geometry": json.dumps(geometry) if geometry else None,
        "install_date": extra.get("install_date"),
        "owner": extra.get("owner"),
        "attributes": extra.get("attributes", {}),
        "updated_at": extra.get("updated_at", NOW),
    }


#: A dozen assets: several kinds, statuses and districts, one without coordinates, one without
#: a district, a line and a polygon; names with LIKE wildcards in them.
ASSETS = [
    asset("SL000001", "street_light", "normal", "320706", 119.2, 34.6, "海州路灯一号",
          install_date=date(2019, 5, 1), owner="市政处", attributes={"watts": 150}),
    asset("SL000002", "street_light", "fault", "320706", 119.21, 34.61),
    asset("SL000001A", "street_light", "offline", "320707", 119.1, 34.85),
    asset("HY000001", "fire_hydrant", "normal", "320706", 119.22, 34.59, "消火栓 A_B"),
    asset("HY000002", "fire_hydrant", "maintenance", "320703", 119.45, 34.75, "消火栓 100%"),
    asset("CC000001", "cctv_camera", "offline", "320706", 119.23, 34.62),
    asset("CC000002", "cctv_camera", "fault", "320707", None, None, "无坐标的摄像头"),
    asset("BS000001", "bus_stop", "normal", None, 119.18, 34.58, "SL000001旁公交站"),
    asset("SC000001", "school", "normal", "320707", 119.11, 34.86),
    asset("HP000001", "hospital", "fault", "320703", 119.46, 34.76),
    asset("WP000001", "water_pipe", "fault", "320706", geometry=LINE, name="解放路供水管"),
    asset("PK000001", "park", "normal", "320707", geometry=POLYGON, name="苍梧绿园"),
]  # fmt: skip


def seed_assets(engine: Engine, rows: list[dict] = ASSETS) -> None:
    with engine.begin() as connection:
        connection.execute(insert(assets), rows)


@pytest.fixture
def seeded(store: Engine) -> Engine:
    seed_assets(store)
    return store


# --- the kinds and the filter -------------------------------------------------------------


def _luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_kinds_are_the_twelve_with_distinct_colours_readable_on_the_dark_map() -> None:
    assert list(KINDS)[:3] == ["street_light", "fire_hydrant", "cctv_camera"]
    assert len(KINDS) == 12 and len(set(kind.color for kind in KINDS.values())) == 12
    assert KINDS["manhole_cover"].name_zh == "井盖" and KINDS["park"].geometry == "polygon"
    assert SHAPE_KINDS == ("park", "water_pipe", "drainage_pipe") and len(POINT_KINDS) == 9
    background = _luminance("#07111f")  # the page's --bg
    for kind in KINDS.values():
        assert (_luminance(kind.color) + 0.05) / (background + 0.05) >= 4.5, kind.key
    assert STATUSES == ("normal", "fault", "maintenance", "offline")
    status_colours = {"#ff4d4f", "#f5a623", "#a0a0b4"}  # fault, maintenance, offline
    assert not status_colours & {kind.color for kind in KINDS.values()}


def test_filter_from_a_url_query_drops_what_it_does_not_know_and_round_trips() -> None:
    query = {
        "kinds": "street_light,nonsense,cctv_camera,street_light",
        "status": ["offline,fault", "broken"],
        "district": "320706",
        "v": "ignored",
    }
    flt = AssetFilter.from_query(query)
    assert flt == AssetFilter(("cctv_camera", "street_light"), ("fault", "offline"), "320706")
    assert flt.query() == {
        "kinds": "cctv_camera,street_light",
        "status": "fault,offline",
        "district": "320706",
    }
    assert AssetFilter.from_query(flt.query()) == flt
    assert AssetFilter().query() == {}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kinds": "", "status": "", "district": ""},
        {"kinds": ["'; drop table assets; --"], "status": "%", "district": "999999"},
        {"kinds": None, "status": 5, "district": ["32070", "abc"]},
        {"kinds": ",".join(KINDS), "status": ",".join(STATUSES)},  # everything is no filter
    ],
)
def test_filter_of_bad_or_empty_values_is_no_filter(query: dict) -> None:
    assert AssetFilter.from_query(query) == AssetFilter()


def test_filter_takes_the_first_known_district() -> None:
    flt = AssetFilter.from_query({"district": ["nowhere", "320707", "320706"]})
    assert flt.district == "320707"


# --- reads ----------------------------------------------------------------------------------


def test_stamp_changes_on_every_write_and_only_then(store: Engine) -> None:
    empty = assets_stamp(store)
    seed_assets(store)
    seeded = assets_stamp(store)
    assert seeded != empty and assets_stamp(store) == seeded
    later = NOW + timedelta(minutes=5)
    with store.begin() as connection:
        connection.execute(
            update(assets)
            .where(assets.c.source_key == "SL000001")
            .values(status="fault", updated_at=later)
        )
    updated = assets_stamp(store)
    assert updated != seeded
    with store.begin() as connection:
        connection.execute(delete(assets).where(assets.c.source_key == "HY000002"))
    deleted = assets_stamp(store)
    assert deleted not in (updated, seeded)
    with store.begin() as connection:
        connection.execute(insert(asset_changes), [change("c1", "SL000002", "fault", NOW)])
    assert assets_stamp(store) != deleted


def test_kind_counts_ignore_the_kinds_filter_and_fill_zeros(seeded: Engine) -> None:
    counts = kind_counts(seeded, AssetFilter(kinds=("school",)))
    assert list(counts) == list(KINDS)
    assert counts["street_light"] == {"normal": 1, "fault": 1, "maintenance": 0, "offline": 1}
    assert counts["drainage_pipe"] == dict.fromkeys(STATUSES, 0)
    assert sum(sum(by_status.values()) for by_status in counts.values()) == 12
    narrowed = kind_counts(seeded, AssetFilter(statuses=("fault",), district="320706"))
    assert {kind: c["fault"] for kind, c in narrowed.items() if any(c.values())} == {
        "street_light": 1,
        "water_pipe": 1,
    }


def _keys(frame) -> list[str]:
    return sorted(frame["key"])


def test_point_frame_has_the_filtered_points_with_coordinates(seeded: Engine) -> None:
    frame = point_frame(seeded, AssetFilter())
    assert list(frame.columns) == ["key", "kind", "status", "name", "lon", "lat"]
    # CC000002 has no coordinates; the pipe and the park are shapes
    assert len(frame) == 9 and _keys(frame) == [
        "BS000001",
        "CC000001",
        "HP000001",
        "HY000001",
        "HY000002",
        "SC000001",
        "SL000001",
        "SL000001A",
        "SL000002",
    ]
    row = frame.set_index("key").loc["SL000001"]
    assert (row["kind"], row["status"], row["name"], row["lon"], row["lat"]) == (
        "street_light",
        "normal",
        "海州路灯一号",
        119.2,
        34.6,
    )
    assert _keys(point_frame(seeded, AssetFilter(statuses=("fault",)))) == [
        "HP000001",
        "SL000002",
    ]
    assert _keys(point_frame(seeded, AssetFilter(kinds=("park", "street_light")))) == [
        "SL000001",
        "SL000001A",
        "SL000002",
    ]
    assert _keys(point_frame(seeded, AssetFilter(district="320707"))) == ["SC000001", "SL000001A"]
    shapes_only = point_frame(seeded, AssetFilter(kinds=("park",)))
    assert shapes_only.empty and list(shapes_only.columns) == list(frame.columns)


def test_shape_features_are_geojson_lines_and_polygons(seeded: Engine) -> None:
    features = shape_features(seeded, AssetFilter())
    by_key = {f["properties"]["key"]: f for f in features}
    assert set(by_key) == {"WP000001", "PK000001"}
    assert by_key["WP000001"] == {
        "type": "Feature",
        "geometry": LINE,
        "properties": {
            "key": "WP000001",
            "kind": "water_pipe",
            "status": "fault",
            "name": "解放路供水管",
        },
    }
    assert by_key["PK000001"]["geometry"] == POLYGON
    faults = shape_features(seeded, AssetFilter(statuses=("fault",)))
    assert [f["properties"]["key"] for f in faults] == ["WP000001"]
    assert shape_features(seeded, AssetFilter(kinds=("street_light",))) == []


def test_export_frame_has_every_filtered_asset(seeded: Engine) -> None:
    frame = export_frame(seeded, AssetFilter(district="320707"))
    assert list(frame["key"]) == ["CC000002", "PK000001", "SC000001", "SL000001A"]  # kind, key
    park = frame.set_index("key").loc["PK000001"]
    assert park["geometry"] == POLYGON and park["district"] == "320707"
    assert len(export_frame(seeded, AssetFilter())) == 12


def test_asset_detail_has_every_column(seeded: Engine) -> None:
    detail = asset_detail(seeded, "SL000001")
    assert detail is not None
    assert set(detail) == {column.name for column in assets.columns}
    assert detail["attributes"] == {"watts": 150} and detail["geometry"] is None
    assert detail["install_date"] == date(2019, 5, 1) and detail["owner"] == "市政处"
    assert detail["updated_at"] == NOW and detail["source_key"] == "SL000001"
    assert asset_detail(seeded, "WP000001")["geometry"] == LINE
    assert asset_detail(seeded, "no-such-asset") is None
    assert asset_detail(seeded, "sl000001") is None  # the detail's key is exact


def change(
    key: str, asset_key: str, to_status: str, at: datetime, from_status: str | None = None
) -> dict:
    """An asset_changes row as the status-changes source stores it."""
    return {
        "source_id": "asset-status-changes",
        "source_key": key,
        "ingested_at": at,
        "asset_key": asset_key,
        "kind": "street_light",
        "from_status": from_status,
        "to_status": to_status,
        "reason": f"reason {key}",
        "changed_at": at,
    }


def test_asset_history_is_newest_first(seeded: Engine) -> None:
    hour = timedelta(hours=1)
    with seeded.begin() as connection:
        connection.execute(
            insert(asset_changes),
            [
                change("c2", "SL000002", "fault", NOW - hour, "normal"),
                change("c1", "SL000002", "normal", NOW - 3 * hour),
                change("c3", "SL000002", "maintenance", NOW, "fault"),
                change("c4", "SL000001", "fault", NOW - 2 * hour, "normal"),
            ],
        )
    history = asset_history(seeded, "SL000002")
    assert history == [
        {"changed_at": NOW, "from_status": "fault", "to_status": "maintenance",
         "reason": "reason c3"},
        {"changed_at": NOW - hour, "from_status": "normal", "to_status": "fault",
         "reason": "reason c2"},
        {"changed_at": NOW - 3 * hour, "from_status": None, "to_status": "normal",
         "reason": "reason c1"},
    ]  # fmt: skip
    assert asset_history(seeded, "SL000002", limit=1) == history[:1]
    assert asset_history(seeded, "no-such-asset") == []


def _found(engine: Engine, text: str, limit: int = 10) -> list[str]:
    return [row["key"] for row in search_assets(engine, text, limit)]


def test_search_puts_the_key_first_then_key_prefixes_then_names(seeded: Engine) -> None:
    assert _found(seeded, "sl000001") == ["SL000001", "SL000001A", "BS000001"]
    assert _found(seeded, "  SL ") == ["SL000001", "SL000001A", "SL000002", "BS000001"]
    assert _found(seeded, "sl", limit=2) == ["SL000001", "SL000001A"]
    assert _found(seeded, "绿园") == ["PK000001"]
    assert _found(seeded, "") == [] and _found(seeded, "   ") == []
    (row,) = search_assets(seeded, "hp000001")
    assert row == {
        "key": "HP000001",
        "name": "医院",
        "kind": "hospital",
        "status": "fault",
        "lon": 119.46,
        "lat": 34.76,
        "district": "320703",
    }


def test_search_matches_wildcards_literally(seeded: Engine) -> None:
    assert _found(seeded, "%") == ["HY000002"]
    assert _found(seeded, "_") == ["HY000001"]
    assert _found(seeded, "A_B") == ["HY000001"]
    assert _found(seeded, "A%B") == []
    assert _found(seeded, "SL00000_") == []  # not a one-character wildcard in a key either


def test_fault_rates_per_district(seeded: Engine) -> None:
    rates = fault_rates(seeded)
    assert list(rates.columns) == ["district", "assets", "faults", "per_1000"]
    # 320703: a hydrant in maintenance, a hospital at fault; 320706: two faults (a street
    # light and the water pipe) among five; 320707: the camera without coordinates among
    # four; the bus stop has no district.
    assert rates.to_dict("records") == [
        {"district": "320703", "assets": 2, "faults": 1, "per_1000": 500.0},
        {"district": "320706", "assets": 5, "faults": 2, "per_1000": 400.0},
        {"district": "320707", "assets": 4, "faults": 1, "per_1000": 250.0},
    ]
    lights = fault_rates(seeded, kinds=("street_light",))
    assert lights.to_dict("records") == [
        {"district": "320706", "assets": 2, "faults": 1, "per_1000": 500.0},
        {"district": "320707", "assets": 1, "faults": 0, "per_1000": 0.0},
    ]
    assert fault_rates(seeded, kinds=("drainage_pipe",)).empty


def _cell(district: str, kind: str, count: int, faults: int) -> list[dict]:
    return [
        asset(f"{district}-{kind}-{i}", kind, "fault" if i < faults else "normal", district)
        for i in range(count)
    ]


def test_worst_cells_rank_faulty_cells_by_rate_then_faults_with_twenty_assets(
    store: Engine,
) -> None:
    seed_assets(
        store,
        _cell("320706", "street_light", 25, 3)  # 120 per 1,000
        + _cell("320707", "manhole_cover", 20, 2)  # 100, 2 faults
        + _cell("320703", "cctv_camera", 30, 3)  # 100, 3 faults: before the manholes
        + _cell("320706", "fire_hydrant", 19, 10)  # too few to rank
        + _cell("320724", "bus_stop", 40, 0),  # no fault: not among the worst
    )
    cells = worst_cells(store)
    assert list(cells.columns) == ["district", "kind", "assets", "faults", "per_1000"]
    assert cells.to_dict("records") == [
        {"district": "320706", "kind": "street_light", "assets": 25, "faults": 3,
         "per_1000": 120.0},
        {"district": "320703", "kind": "cctv_camera", "assets": 30, "faults": 3,
         "per_1000": 100.0},
        {"district": "320707", "kind": "manhole_cover", "assets": 20, "faults": 2,
         "per_1000": 100.0},
    ]  # fmt: skip
    assert list(worst_cells(store, limit=2)["kind"]) == ["street_light", "cctv_camera"]


def test_no_assets_no_rates(store: Engine) -> None:
    assert fault_rates(store).empty and worst_cells(store).empty
    assert point_frame(store, AssetFilter()).empty and shape_features(store, AssetFilter()) == []
    assert kind_counts(store, AssetFilter())["park"] == dict.fromkeys(STATUSES, 0)


# --- incidents near an asset ------------------------------------------------------------------


def incident(ref: str, state: str, lon: float | None, lat: float | None) -> dict:
    """An incidents row at (lon, lat)."""
    return {
        "ref": ref,
        "type": "fire",
        "severity": "minor",
        "title": f"incident {ref}",
        "lon": lon,
        "lat": lat,
        "state": state,
        "origin": "manual",
        "created_at": NOW,
        "updated_at": NOW,
    }


#: Distances from (119.2, 34.6) on the WGS-84 ellipsoid, by hand: a thousandth of a degree
#: north is M·Δφ with M = a(1−e²)/(1−e²sin²φ)^1.5 = 6,356,009 m at 34.6005° (110.93 m); east it
#: is N·cosφ·Δλ with N = a/(1−e²sin²φ)^0.5 = 6,385,032 m at 34.6° (91.73 m; 27.52 m for 0.0003°).
NORTH_0_001 = 110.93
EAST_0_001 = 91.73
EAST_0_0003 = 27.52
NORTH_0_0005 = 55.47


@pytest.fixture
def with_incidents(store: Engine) -> Engine:
    with store.begin() as connection:
        connection.execute(
            insert(incidents),
            [
                incident("north", "open", 119.2, 34.601),
                incident("east", "open", 119.201, 34.6),
                incident("dispatched", "dispatched", 119.2003, 34.6),
                incident("resolved", "resolved", 119.2, 34.6005),
                incident("far", "open", 119.2, 34.61),  # 1.1 km
                incident("corner", "open", 119.201, 34.6008),  # in the box, 127.6 m away
                incident("nowhere", "open", None, None),
            ],
        )
    return store


def test_incidents_near_are_open_ones_in_the_radius_nearest_first(with_incidents: Engine) -> None:
    near = incidents_near(with_incidents, 119.2, 34.6, 120)
    assert [row["ref"] for row in near] == ["dispatched", "east", "north"]
    expected = [EAST_0_0003, EAST_0_001, NORTH_0_001]
    assert [row["distance_m"] for row in near] == pytest.approx(expected, abs=1.0)
    assert near[0]["title"] == "incident dispatched" and near[0]["state"] == "dispatched"
    assert [row["ref"] for row in incidents_near(with_incidents, 119.2, 34.6, 130)][-1] == (
        "corner"
    )


def test_incidents_near_in_chosen_states(with_incidents: Engine) -> None:
    (resolved,) = incidents_near(with_incidents, 119.2, 34.6, 500, states=("resolved",))
    assert resolved["ref"] == "resolved"
    assert resolved["distance_m"] == pytest.approx(NORTH_0_0005, abs=1.0)
    assert incidents_near(with_incidents, 119.2, 34.6, 10) == []
    assert len(incidents_near(with_incidents, 119.2, 34.6, 2000)) == 5
