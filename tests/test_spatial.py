"""Hand-checked cases for data_adapters.geo.spatial: districts, point searches, geometry repair."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, box, shape

from data_adapters.geo.spatial import DistrictIndex, Hit, PointIndex, clean_geometry

ROOT = Path(__file__).resolve().parent.parent
DISTRICTS_FILE = ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
GEOD = Geod(ellps="WGS84")
CENTRE = (119.2, 34.6)  # near Haizhou, Lianyungang

# Two unit squares sharing the edge lon = 1; the EAST one has the lower adcode, so the border
# rule (lowest adcode wins) is visibly not "first feature wins" nor "westernmost wins".
WEST, EAST = "320799", "320701"


def _feature(adcode: str | None, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"adcode": adcode}, "geometry": geometry}


def _square(x0: float, y0: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]],
    }


def _collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def squares() -> DistrictIndex:
    return DistrictIndex(_collection(_feature(WEST, _square(0, 0)), _feature(EAST, _square(1, 0))))


def _offset(azimuth: float, metres: float, origin: tuple[float, float] = CENTRE) -> tuple:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, metres)
    return lon, lat


# --------------------------------------------------------------------------- districts


def test_a_point_inside_each_square_gets_that_square(squares: DistrictIndex) -> None:
    assert squares.district_of(0.5, 0.5) == WEST
    assert squares.district_of(1.5, 0.5) == EAST


@pytest.mark.parametrize("point", [(1.0, 0.5), (1.0, 0.0), (1.0, 1.0)])
def test_a_point_on_the_shared_border_gets_the_lowest_adcode(
    squares: DistrictIndex, point: tuple[float, float]
) -> None:
    assert squares.district_of(*point) == EAST


def test_the_border_answer_does_not_depend_on_feature_order() -> None:
    reversed_order = DistrictIndex(
        _collection(_feature(EAST, _square(1, 0)), _feature(WEST, _square(0, 0)))
    )
    assert reversed_order.district_of(1.0, 0.5) == EAST
    assert reversed_order.adcodes == (EAST, WEST)


@pytest.mark.parametrize(
    ("point", "adcode"), [((0.0, 0.0), WEST), ((0.0, 1.0), WEST), ((2.0, 0.0), EAST)]
)
def test_an_outer_corner_belongs_to_its_only_square(
    squares: DistrictIndex, point: tuple[float, float], adcode: str
) -> None:
    assert squares.district_of(*point) == adcode


@pytest.mark.parametrize("point", [(3.0, 3.0), (-1e-9, 0.5), (1.0, 1.0 + 1e-9), (2.5, -0.5)])
def test_a_point_outside_every_district_gets_none(
    squares: DistrictIndex, point: tuple[float, float]
) -> None:
    assert squares.district_of(*point) is None


def test_vectorised_lookup_equals_the_scalar_one(squares: DistrictIndex) -> None:
    grid = np.arange(-0.5, 2.75, 0.25)
    lons, lats = (a.ravel() for a in np.meshgrid(grid, grid[grid <= 1.5]))
    vectorised = squares.districts_of(lons, lats)
    assert list(vectorised) == [squares.district_of(x, y) for x, y in zip(lons, lats, strict=True)]
    assert set(vectorised) == {WEST, EAST, None}


def test_missing_or_impossible_positions_get_none(squares: DistrictIndex) -> None:
    result = squares.districts_of([0.5, float("nan"), None, 500.0, 1.5], [0.5, 0.5, 0.5, 0.5, 0.5])
    assert list(result) == [WEST, None, None, None, EAST]


def test_contains_applies_the_border_rule_so_districts_partition_points(
    squares: DistrictIndex,
) -> None:
    lons = [0.5, 1.0, 1.5, 3.0, 0.0]
    lats = [0.5, 0.5, 0.5, 0.5, 0.0]
    assert list(squares.contains(WEST, lons, lats)) == [True, False, False, False, True]
    assert list(squares.contains(EAST, lons, lats)) == [False, True, True, False, False]
    with pytest.raises(KeyError, match="No district has adcode"):
        squares.contains("999999", lons, lats)


def test_a_geodataframe_gives_the_same_answers_and_is_reprojected() -> None:
    frame = gpd.GeoDataFrame(
        {"adcode": [320799, 320701]}, geometry=[box(119, 34, 120, 35), box(120, 34, 121, 35)]
    ).set_crs("EPSG:4326")
    for source in (frame, frame.to_crs("EPSG:32650")):
        index = DistrictIndex(source)
        assert index.district_of(119.5, 34.5) == WEST
        assert index.district_of(120.5, 34.5) == EAST
        assert index.district_of(121.5, 34.5) is None


def test_features_sharing_an_adcode_are_one_district() -> None:
    index = DistrictIndex(_collection(_feature(WEST, _square(0, 0)), _feature(WEST, _square(5, 5))))
    assert index.adcodes == (WEST,)
    assert index.district_of(5.5, 5.5) == WEST
    assert isinstance(index.outline(WEST), MultiPolygon)


def test_an_invalid_outline_is_repaired_and_unusable_ones_are_refused() -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert DistrictIndex(_collection(_feature(WEST, bow_tie))).district_of(0.2, 0.5) == WEST
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    with pytest.raises(ValueError, match="not a district outline"):
        DistrictIndex(_collection(_feature(WEST, line)))
    with pytest.raises(ValueError, match="no adcode"):
        DistrictIndex(_collection(_feature(None, _square(0, 0))))


def test_an_empty_collection_knows_no_district() -> None:
    index = DistrictIndex(_collection())
    assert index.adcodes == ()
    assert index.district_of(0.5, 0.5) is None


def test_the_real_districts_file() -> None:
    index = DistrictIndex.from_file(DISTRICTS_FILE)
    collection = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))
    names = {f["properties"]["name_zh"]: f["properties"]["adcode"] for f in collection["features"]}
    haizhou = names["海州区"]
    assert index.district_of(119.17, 34.60) == haizhou  # Haizhou's old town
    assert index.district_of(121.5, 34.6) is None  # the Yellow Sea, far east
    for feature in collection["features"]:
        inside = shape(feature["geometry"]).representative_point()
        assert index.district_of(inside.x, inside.y) == feature["properties"]["adcode"]


# --------------------------------------------------------------------------- radius


@pytest.fixture
def ring() -> PointIndex:
    """Points at known geodesic offsets from CENTRE, just inside and outside 1000 m."""
    offsets = {
        "ne500": (45, 500),
        "n999": (0, 999),
        "e999": (90, 999),
        "s999": (180, 999),
        "w999": (270, 999),
        "n1001": (0, 1001),
        "e1001": (90, 1001),
        "sw1001": (225, 1001),
        "far": (30, 5000),
    }
    positions = [_offset(*offsets[key]) for key in offsets]
    lons, lats = zip(*positions, strict=True)
    return PointIndex.from_arrays(list(offsets), lons, lats)


def test_within_radius_keeps_999_m_and_drops_1001_m(ring: PointIndex) -> None:
    hits = ring.within_radius(*CENTRE, 1000)
    assert hits[0].key == "ne500"
    assert {hit.key for hit in hits} == {"ne500", "n999", "e999", "s999", "w999"}
    assert hits[0].metres == pytest.approx(500, abs=1e-6)
    assert all(hit.metres == pytest.approx(999, abs=1e-6) for hit in hits[1:])
    assert [hit.metres for hit in hits] == sorted(hit.metres for hit in hits)


def test_within_radius_of_zero_finds_only_a_point_exactly_there() -> None:
    index = PointIndex.from_arrays(["here", "near"], [119.2, 119.2], [34.6, 34.600001])
    assert index.within_radius(119.2, 34.6, 0) == [Hit("here", None, 0.0)]


def test_distances_match_the_radii_of_curvature_by_hand() -> None:
    # One arc-minute of latitude at 34.6 N is M * pi / 10800 with the meridional radius of
    # curvature M = a (1 - e²) / (1 - e² sin² lat)^1.5 (6,355,996 m): 1848.89 m. One
    # arc-minute of longitude is N cos(lat) * pi / 10800, N = a / sqrt(1 - e² sin² lat):
    # 1528.84 m (the geodesic is shorter than the parallel by well under a millimetre).
    index = PointIndex.from_arrays(
        ["north", "east"], [119.2, 119.2 + 1 / 60], [34.6 + 1 / 60, 34.6]
    )
    hits = {hit.key: hit.metres for hit in index.within_radius(*CENTRE, 2000)}
    assert hits["north"] == pytest.approx(1848.89, abs=0.01)
    assert hits["east"] == pytest.approx(1528.84, abs=0.01)


def test_a_bad_query_is_refused(ring: PointIndex) -> None:
    with pytest.raises(ValueError, match="zero or more metres"):
        ring.within_radius(*CENTRE, -1)
    with pytest.raises(ValueError, match="not a WGS-84"):
        ring.within_radius(float("nan"), 34.6, 10)
    with pytest.raises(ValueError, match="not a WGS-84"):
        ring.nearest(34.6, 119.2)  # latitude and longitude swapped


# --------------------------------------------------------------------------- nearest


@pytest.fixture
def fleet() -> PointIndex:
    """Five resources on a line north-east of CENTRE, 100 m apart."""
    rows = [("h1", "hydrant", 100), ("a1", "ambulance", 200), ("h2", "hydrant", 300)]
    rows += [("a2", "ambulance", 400), ("c1", "camera", 500)]
    keys, kinds, metres = zip(*rows, strict=True)
    lons, lats = zip(*(_offset(60, m) for m in metres), strict=True)
    return PointIndex.from_arrays(keys, lons, lats, kinds)


def _keys(hits: list[Hit]) -> list[str]:
    return [hit.key for hit in hits]


def test_nearest_in_distance_order(fleet: PointIndex) -> None:
    hits = fleet.nearest(*CENTRE, k=2)
    assert _keys(hits) == ["h1", "a1"]
    assert hits[0] == Hit("h1", "hydrant", pytest.approx(100, abs=1e-6))


def test_nearest_of_some_kinds(fleet: PointIndex) -> None:
    assert _keys(fleet.nearest(*CENTRE, k=5, kinds=["ambulance"])) == ["a1", "a2"]
    assert _keys(fleet.nearest(*CENTRE, k=1, kinds="camera")) == ["c1"]
    assert fleet.nearest(*CENTRE, k=3, kinds=["fire engine"]) == []


def test_nearest_excluding_keys(fleet: PointIndex) -> None:
    # E.g. the resources nearest an asset, not counting the asset itself.
    asset = _offset(60, 100)
    assert _keys(fleet.nearest(*asset, k=2, exclude=["h1"])) == ["a1", "h2"]
    found = fleet.nearest(*CENTRE, k=5, kinds=["ambulance", "camera"], exclude=["a1", "zz"])
    assert _keys(found) == ["a2", "c1"]


def test_k_larger_than_the_index_returns_everything_sorted(fleet: PointIndex) -> None:
    hits = fleet.nearest(*CENTRE, k=50)
    assert _keys(hits) == ["h1", "a1", "h2", "a2", "c1"]
    assert [round(hit.metres, 6) for hit in hits] == [100, 200, 300, 400, 500]
    assert fleet.nearest(*CENTRE, k=0) == []


def test_nearest_from_far_away_and_ties_by_input_order() -> None:
    index = PointIndex.from_arrays(["b", "a", "c"], [119.2, 119.2, 119.3], [34.6, 34.6, 34.6])
    from_sea = index.nearest(121.5, 34.6, k=2)
    assert _keys(from_sea) == ["c", "b"]
    assert from_sea[0].metres == pytest.approx(GEOD.inv(121.5, 34.6, 119.3, 34.6)[2], abs=1e-6)
    assert _keys(index.nearest(119.2, 34.6, k=2)) == ["b", "a"]


def test_hits_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Hit("k", None, 1.0).metres = 2.0  # type: ignore[misc]


# --------------------------------------------------------------------------- building


def test_an_empty_index_answers_every_question_with_nothing() -> None:
    index = PointIndex.from_arrays([], [], [])
    assert (len(index), index.skipped) == (0, 0)
    assert index.within_radius(*CENTRE, 10_000) == []
    assert index.nearest(*CENTRE, k=3) == []
    assert index.within_polygon(box(-180, -90, 180, 90)) == []


def test_rows_without_a_usable_position_or_key_are_skipped_and_counted() -> None:
    keys = ["ok1", "nan", "none", "lon200", "lat-95", "inf", None, "", "ok2"]
    lons = [119.2, float("nan"), 119.2, 200.0, 119.2, float("inf"), 119.2, 119.2, 119.3]
    lats = [34.6, 34.6, None, 34.6, -95.0, 34.6, 34.6, 34.6, 34.6]
    index = PointIndex.from_arrays(keys, lons, lats)
    assert (len(index), index.skipped, index.duplicates) == (2, 7, 0)
    assert _keys(index.nearest(*CENTRE, k=10)) == ["ok1", "ok2"]


def test_all_rows_unusable_gives_an_empty_index() -> None:
    index = PointIndex.from_arrays(["a", "b"], [float("nan"), 181], [0, 0], ["x", "y"])
    assert (len(index), index.skipped) == (0, 2)
    assert index.nearest(0, 0, kinds=["x"]) == []


def test_a_repeated_key_keeps_its_last_row() -> None:
    index = PointIndex.from_arrays(["a", "b", "a"], [119.2, 119.3, 119.4], [34.6, 34.6, 34.6])
    assert (len(index), index.duplicates) == (2, 1)
    assert index.nearest(119.4, 34.6, k=1)[0] == Hit("a", None, 0.0)


def test_from_frame_reads_key_lon_lat_and_kind() -> None:
    frame = pd.DataFrame(
        {"key": [1, 2], "lon": [119.2, 119.3], "lat": [34.6, 34.6], "kind": ["pump", None]}
    )
    index = PointIndex.from_frame(frame)
    assert index.kinds == ("pump",)
    assert [(h.key, h.kind) for h in index.nearest(*CENTRE, k=2)] == [("1", "pump"), ("2", None)]


# --------------------------------------------------------------------------- polygons


def test_within_polygon_includes_the_boundary_and_keeps_input_order() -> None:
    index = PointIndex.from_arrays(
        ["out", "edge", "in", "corner"], [1.5, 1.0, 0.5, 0.0], [0.5, 0.5, 0.5, 0.0], list("abab")
    )
    assert index.within_polygon(box(0, 0, 1, 1)) == ["edge", "in", "corner"]
    assert index.within_polygon(_square(0, 0), kinds=["a"]) == ["in"]
    with pytest.raises(ValueError, match="distinct points"):
        index.within_polygon({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]})


# --------------------------------------------------------------------------- geometry


def _is_sentence(reason: str | None) -> bool:
    return bool(reason) and reason[0].isupper() and reason.endswith(".")


def test_a_valid_geometry_comes_back_unchanged() -> None:
    geometry, reason = clean_geometry(_square(119, 34))
    assert reason is None
    assert geometry.equals(box(119, 34, 120, 35))


def test_a_bow_tie_is_repaired_into_its_two_triangles() -> None:
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    geometry, reason = clean_geometry(bow_tie)
    assert reason is None
    assert isinstance(geometry, MultiPolygon) and geometry.is_valid
    assert len(geometry.geoms) == 2
    assert geometry.area == pytest.approx(0.5)  # two triangles of 1/4 each


def test_a_polygon_with_too_few_points_is_refused() -> None:
    geometry, reason = clean_geometry(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}
    )
    assert geometry is None
    assert reason == "Ring 1 of the Polygon has 2 distinct points; a ring needs at least three."


def test_a_repair_that_changes_the_kind_of_geometry_is_refused() -> None:
    flat = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}
    geometry, reason = clean_geometry(flat)
    assert geometry is None
    assert "invalid" in reason and "not the same kind of geometry" in reason
    assert _is_sentence(reason)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"foo": 1}, "no 'type'"),
        ({"type": "Feature", "geometry": _square(0, 0), "properties": {}}, "not a geometry"),
        ({"type": "Circle", "radius": 3}, "not a GeoJSON geometry type"),
        ([[0, 0], [1, 1]], "JSON object"),
        ({"type": "LineString", "coordinates": [[0, 0]]}, "a line needs at least two"),
        ({"type": "Point", "coordinates": []}, "empty"),
        ({"type": "Point", "coordinates": [float("nan"), 1]}, "not a finite number"),
        ({"type": "Point", "coordinates": [500_000, 3_800_000]}, "probably not in WGS-84"),
        ({"type": "Polygon"}, "no coordinates"),
    ],
)
def test_non_geometries_are_refused_with_a_sentence(value: object, words: str) -> None:
    geometry, reason = clean_geometry(value)  # type: ignore[arg-type]
    assert geometry is None
    assert words in reason
    assert _is_sentence(reason)


def test_points_and_lines_pass_through() -> None:
    assert clean_geometry({"type": "Point", "coordinates": [119.2, 34.6]}) == (
        Point(119.2, 34.6),
        None,
    )
    line, reason = clean_geometry({"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
    assert reason is None and line.equals(LineString([(0, 0), (1, 1)]))


# --------------------------------------------------------------------------- against brute force


@pytest.mark.parametrize("centre", [CENTRE, (0.0, 0.0), (25.0, 70.0)])
def test_searches_agree_with_measuring_every_point(centre: tuple[float, float]) -> None:
    rng = np.random.default_rng(20260601)
    n = 1500
    lons = centre[0] + rng.uniform(-0.6, 0.6, n)
    lats = centre[1] + rng.uniform(-0.5, 0.5, n)
    keys = np.array([f"p{i}" for i in range(n)], dtype=object)
    kinds = rng.choice(["common", "rare"], n, p=[0.97, 0.03])
    index = PointIndex.from_arrays(keys, lons, lats, kinds)
    queries = [centre, (centre[0] + 0.55, centre[1] - 0.45), (centre[0] + 2.0, centre[1])]
    for lon, lat in queries:
        _, _, metres = GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)
        order = np.argsort(metres, kind="stable")
        assert _keys(index.nearest(lon, lat, k=7)) == list(keys[order[:7]])
        rare = order[kinds[order] == "rare"]
        found = index.nearest(lon, lat, k=4, kinds=["rare"], exclude=[keys[rare[0]]])
        assert _keys(found) == list(keys[rare[1:5]])
        radius = float(metres[order[40]])  # a radius exactly at a point's distance
        hits = index.within_radius(lon, lat, radius)
        assert _keys(hits) == list(keys[order[:41]])
        assert [h.metres for h in hits] == pytest.approx(metres[order[:41]], abs=1e-6)
        assert math.isclose(hits[-1].metres, radius, abs_tol=1e-9)
