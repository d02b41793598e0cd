"""Tests for data_adapters.geo.coords: WGS-84 / GCJ-02 / BD-09 conversions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data_adapters.geo import coords

# (lon, lat): points in Lianyungang, then elsewhere in mainland China.
LIANYUNGANG_POINTS = [
    (119.2214, 34.5966),  # municipal government, Haizhou
    (119.163, 34.573),  # Haizhou
    (119.45, 34.74),  # Lianyun port area
    (119.13, 34.88),  # Ganyu
    (118.77, 34.52),  # Donghai
    (119.25, 34.30),  # Guanyun
    (119.35, 34.09),  # Guannan
]
CHINA_POINTS = [
    (116.3975, 39.9087),  # Beijing
    (121.4737, 31.2304),  # Shanghai
    (113.2644, 23.1291),  # Guangzhou
    (104.0665, 30.5723),  # Chengdu
    (87.6168, 43.8256),  # Urumqi
    (91.1409, 29.6456),  # Lhasa
    (126.6424, 45.7567),  # Harbin
    (110.3312, 20.0311),  # Haikou
]
ALL_POINTS = LIANYUNGANG_POINTS + CHINA_POINTS
OUTSIDE_POINTS = [
    (2.3522, 48.8566),  # Paris
    (-74.0060, 40.7128),  # New York
    (151.2093, -33.8688),  # Sydney
    (37.6173, 55.7558),  # Moscow (west of the box)
    (120.0, 60.0),  # north of the box
]

ROUND_TRIP_TOLERANCE = 1e-6  # degrees, as required
EXACT_TOLERANCE = 1e-9  # what the fixed-point inverse actually achieves


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance in metres (good enough for offsets of a few hundred metres)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def _close(a: tuple[float, float], b: tuple[float, float], tol: float) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


@pytest.mark.parametrize(("lon", "lat"), ALL_POINTS)
def test_wgs84_gcj02_round_trip(lon: float, lat: float) -> None:
    gcj = coords.wgs84_to_gcj02(lon, lat)
    assert _close(coords.gcj02_to_wgs84(*gcj), (lon, lat), ROUND_TRIP_TOLERANCE)
    assert _close(coords.gcj02_to_wgs84(*gcj), (lon, lat), EXACT_TOLERANCE)
    # and the other way round: treat the point as GCJ-02
    wgs = coords.gcj02_to_wgs84(lon, lat)
    assert _close(coords.wgs84_to_gcj02(*wgs), (lon, lat), EXACT_TOLERANCE)


@pytest.mark.parametrize(("lon", "lat"), ALL_POINTS)
def test_gcj02_bd09_round_trip(lon: float, lat: float) -> None:
    bd = coords.gcj02_to_bd09(lon, lat)
    assert _close(coords.bd09_to_gcj02(*bd), (lon, lat), EXACT_TOLERANCE)
    gcj = coords.bd09_to_gcj02(lon, lat)
    assert _close(coords.gcj02_to_bd09(*gcj), (lon, lat), EXACT_TOLERANCE)


@pytest.mark.parametrize(("lon", "lat"), ALL_POINTS)
def test_wgs84_bd09_round_trip(lon: float, lat: float) -> None:
    bd = coords.wgs84_to_bd09(lon, lat)
    assert _close(coords.bd09_to_wgs84(*bd), (lon, lat), ROUND_TRIP_TOLERANCE)
    assert _close(coords.bd09_to_wgs84(*bd), (lon, lat), EXACT_TOLERANCE)


def test_known_gcj02_value() -> None:
    # Reference pair from the widely used public implementations (eviltransform).
    gcj = coords.wgs84_to_gcj02(121.5272106, 31.1774276)
    assert _close(gcj, (121.531541859215, 31.17530398364597), 1e-9)


def test_inverse_is_better_than_the_crude_one_step_inverse() -> None:
    lon, lat = 119.2214, 34.5966
    gcj = coords.wgs84_to_gcj02(lon, lat)
    shifted = coords.wgs84_to_gcj02(*gcj)
    crude = (2 * gcj[0] - shifted[0], 2 * gcj[1] - shifted[1])
    crude_error = max(abs(crude[0] - lon), abs(crude[1] - lat))
    exact = coords.gcj02_to_wgs84(*gcj)
    exact_error = max(abs(exact[0] - lon), abs(exact[1] - lat))
    assert crude_error > 1e-6
    assert exact_error < 1e-9


@pytest.mark.parametrize(("lon", "lat"), LIANYUNGANG_POINTS)
def test_gcj02_offset_in_lianyungang_is_a_few_hundred_metres(lon: float, lat: float) -> None:
    gcj = coords.wgs84_to_gcj02(lon, lat)
    offset = _metres(lon, lat, *gcj)
    assert 300 < offset < 700
    # Mostly eastward here: GCJ-02 points lie east of (and slightly south of) WGS-84.
    assert gcj[0] > lon


@pytest.mark.parametrize(("lon", "lat"), LIANYUNGANG_POINTS)
def test_bd09_offset_from_gcj02(lon: float, lat: float) -> None:
    bd = coords.gcj02_to_bd09(lon, lat)
    assert 0.005 < bd[0] - lon < 0.008
    assert 0.004 < bd[1] - lat < 0.008
    assert 500 < _metres(lon, lat, *bd) < 1200


@pytest.mark.parametrize(("lon", "lat"), OUTSIDE_POINTS)
def test_out_of_china_points_unchanged(lon: float, lat: float) -> None:
    assert coords.out_of_china(lon, lat)
    for convert in (
        coords.wgs84_to_gcj02,
        coords.gcj02_to_wgs84,
        coords.gcj02_to_bd09,
        coords.bd09_to_gcj02,
        coords.bd09_to_wgs84,
        coords.wgs84_to_bd09,
    ):
        assert convert(lon, lat) == (lon, lat)
    for crs in coords.SUPPORTED_CRS:
        assert coords.to_wgs84(lon, lat, crs) == (lon, lat)


@pytest.mark.parametrize(("lon", "lat"), ALL_POINTS)
def test_points_in_china_are_in_the_box(lon: float, lat: float) -> None:
    assert not coords.out_of_china(lon, lat)


def test_to_wgs84_dispatches() -> None:
    lon, lat = 119.2214, 34.5966
    gcj = coords.wgs84_to_gcj02(lon, lat)
    bd = coords.wgs84_to_bd09(lon, lat)
    assert coords.to_wgs84(lon, lat, "wgs84") == (lon, lat)
    assert _close(coords.to_wgs84(*gcj, "gcj02"), (lon, lat), EXACT_TOLERANCE)
    assert _close(coords.to_wgs84(*bd, "bd09"), (lon, lat), EXACT_TOLERANCE)
    # case-insensitive
    assert coords.to_wgs84(*gcj, "GCJ02") == coords.to_wgs84(*gcj, "gcj02")
    assert coords.to_wgs84(*bd, "BD09") == coords.to_wgs84(*bd, "bd09")
    assert coords.to_wgs84(lon, lat, "WGS84") == (lon, lat)


@pytest.mark.parametrize("crs", ["utm", "epsg:4326", "", "wgs-84x", "bd-09x"])
def test_to_wgs84_rejects_unknown_crs(crs: str) -> None:
    with pytest.raises(ValueError, match="unknown coordinate system") as excinfo:
        coords.to_wgs84(119.2, 34.6, crs)
    assert repr(crs) in str(excinfo.value)
    with pytest.raises(ValueError, match="unknown coordinate system"):
        coords.to_wgs84_array([119.2], [34.6], crs)


def test_scalar_functions_return_plain_floats() -> None:
    lon, lat = coords.gcj02_to_wgs84(119.2, 34.6)
    assert type(lon) is float
    assert type(lat) is float
    assert type(coords.out_of_china(119.2, 34.6)) is bool


ARRAY_PAIRS = [
    (coords.wgs84_to_gcj02_array, coords.wgs84_to_gcj02),
    (coords.gcj02_to_wgs84_array, coords.gcj02_to_wgs84),
    (coords.gcj02_to_bd09_array, coords.gcj02_to_bd09),
    (coords.bd09_to_gcj02_array, coords.bd09_to_gcj02),
    (coords.bd09_to_wgs84_array, coords.bd09_to_wgs84),
    (coords.wgs84_to_bd09_array, coords.wgs84_to_bd09),
]


@pytest.mark.parametrize(("array_fn", "scalar_fn"), ARRAY_PAIRS)
def test_arrays_equal_scalars(array_fn, scalar_fn) -> None:
    points = ALL_POINTS + OUTSIDE_POINTS
    lons = np.array([p[0] for p in points])
    lats = np.array([p[1] for p in points])
    lons_before, lats_before = lons.copy(), lats.copy()
    out_lons, out_lats = array_fn(lons, lats)
    assert out_lons.shape == lons.shape
    assert out_lats.shape == lats.shape
    expected = np.array([scalar_fn(lon, lat) for lon, lat in points])
    np.testing.assert_allclose(out_lons, expected[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(out_lats, expected[:, 1], rtol=0, atol=1e-12)
    # pure: inputs untouched
    np.testing.assert_array_equal(lons, lons_before)
    np.testing.assert_array_equal(lats, lats_before)


def test_array_functions_keep_shape_and_broadcast() -> None:
    lons = np.full((3, 4), 119.2)
    lats = np.linspace(34.0, 35.0, 4)  # broadcasts against (3, 4)
    out_lons, out_lats = coords.gcj02_to_wgs84_array(lons, lats)
    assert out_lons.shape == (3, 4)
    assert out_lats.shape == (3, 4)
    back_lons, back_lats = coords.wgs84_to_gcj02_array(out_lons, out_lats)
    np.testing.assert_allclose(back_lons, lons, rtol=0, atol=EXACT_TOLERANCE)
    np.testing.assert_allclose(back_lats, np.broadcast_to(lats, (3, 4)), atol=EXACT_TOLERANCE)


def test_array_round_trip_on_a_polygon_sized_grid() -> None:
    lons, lats = np.meshgrid(np.linspace(118.4, 119.85, 200), np.linspace(33.95, 35.15, 200))
    gcj_lons, gcj_lats = coords.wgs84_to_gcj02_array(lons, lats)
    back_lons, back_lats = coords.gcj02_to_wgs84_array(gcj_lons, gcj_lats)
    assert np.max(np.abs(back_lons - lons)) < EXACT_TOLERANCE
    assert np.max(np.abs(back_lats - lats)) < EXACT_TOLERANCE


def test_non_finite_values_pass_through() -> None:
    out_lons, out_lats = coords.gcj02_to_wgs84_array([np.nan, 119.2], [34.6, 34.6])
    assert np.isnan(out_lons[0])
    assert np.isfinite(out_lons[1])
    assert np.isfinite(out_lats[1])


def test_to_wgs84_array_matches_scalar() -> None:
    lons = np.array([p[0] for p in LIANYUNGANG_POINTS])
    lats = np.array([p[1] for p in LIANYUNGANG_POINTS])
    for crs in ("wgs84", "GCJ02", "bd09"):
        out_lons, out_lats = coords.to_wgs84_array(lons, lats, crs)
        for i, (lon, lat) in enumerate(LIANYUNGANG_POINTS):
            assert _close((out_lons[i], out_lats[i]), coords.to_wgs84(lon, lat, crs), 1e-12)
