"""Conversions between the three coordinate systems met in Chinese location data.

Every function here takes and returns **longitude first**, in decimal degrees:
``(lon, lat)``, never ``(lat, lon)``.

The three systems
-----------------
WGS-84 (``"wgs84"``)
    The GPS datum (EPSG:4326). Our internal standard: everything stored or drawn by the
    operations centre is WGS-84, and GeoJSON (RFC 7946) requires it.

GCJ-02 (``"gcj02"``, "Mars coordinates", 火星坐标)
    The obfuscated datum mandated for published maps in mainland China and used by Amap
    (高德), Tencent and most Chinese map APIs. A GCJ-02 point is its WGS-84 point shifted by
    a smooth, non-linear offset of a few hundred metres (470-540 m across Lianyungang).
    The forward formula (WGS-84 to GCJ-02) is the well-known public reimplementation; the
    reverse has no closed form, so :func:`gcj02_to_wgs84` inverts it by fixed-point
    iteration to better than 1e-9 degrees (about 0.1 mm), not the crude one-step inverse
    that is off by about 1e-5 degrees (a metre or so).

BD-09 (``"bd09"``)
    Baidu's datum: GCJ-02 with a further small polar-coordinate distortion and an offset
    of about 0.006 degrees. The reverse (BD-09 to GCJ-02) starts from the usual closed-form
    approximation and is refined by the same fixed-point iteration, so that every pair of
    conversions here is an exact inverse of the other.

Outside China's bounding box (see :func:`out_of_china`) no offset is applied by any of the
conversions: the input comes back unchanged. The box is coarse, as in every public
implementation: points in Korea, most of Japan or Mongolia, for instance, are shifted too.

Implementation
--------------
The maths lives once, in the vectorised ``*_array`` functions that take numpy arrays (or
anything array-like, broadcast together) and return new float64 arrays of the broadcast
shape; use them to convert whole polygons at a time. The scalar functions are thin wrappers
that return plain ``float`` tuples. Everything is pure: inputs are never modified.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CHINA_BBOX",
    "SUPPORTED_CRS",
    "CoordinateSystem",
    "bd09_to_gcj02",
    "bd09_to_gcj02_array",
    "bd09_to_wgs84",
    "bd09_to_wgs84_array",
    "gcj02_to_bd09",
    "gcj02_to_bd09_array",
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_array",
    "out_of_china",
    "out_of_china_array",
    "to_wgs84",
    "to_wgs84_array",
    "wgs84_to_bd09",
    "wgs84_to_bd09_array",
    "wgs84_to_gcj02",
    "wgs84_to_gcj02_array",
]

FloatArray = NDArray[np.float64]
CoordinateSystem = Literal["wgs84", "gcj02", "bd09"]
SUPPORTED_CRS: Final[tuple[CoordinateSystem, ...]] = ("wgs84", "gcj02", "bd09")

#: (min_lon, min_lat, max_lon, max_lat): the box outside which no offset is applied.
CHINA_BBOX: Final[tuple[float, float, float, float]] = (72.004, 0.8293, 137.8347, 55.8271)

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
_A: Final = 6378245.0
_EE: Final = 0.00669342162296594323
_X_PI: Final = math.pi * 3000.0 / 180.0
_BD_DLON: Final = 0.0065
_BD_DLAT: Final = 0.006

# Fixed-point inversion: stop when every point moved by less than this (degrees).
_INVERSE_TOLERANCE: Final = 1e-10
_INVERSE_MAX_ITERATIONS: Final = 30

_ArrayPair = tuple[FloatArray, FloatArray]
_ArrayTransform = Callable[[FloatArray, FloatArray], _ArrayPair]


def _as_arrays(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Return float64 copies of the inputs, broadcast to a common shape."""
    lon_arr, lat_arr = np.broadcast_arrays(
        np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
    )
    return lon_arr.copy(), lat_arr.copy()


def out_of_china_array(lons: ArrayLike, lats: ArrayLike) -> NDArray[np.bool_]:
    """Return a boolean array, True where a point lies outside China's bounding box."""
    lon_arr, lat_arr = _as_arrays(lons, lats)
    min_lon, min_lat, max_lon, max_lat = CHINA_BBOX
    return (lon_arr < min_lon) | (lon_arr > max_lon) | (lat_arr < min_lat) | (lat_arr > max_lat)


def _gcj02_delta(lons: FloatArray, lats: FloatArray) -> _ArrayPair:
    """Return the GCJ-02 offset (dlon, dlat) in degrees at WGS-84 points."""
    x = lons - 105.0
    y = lats - 35.0
    pi = math.pi
    sqrt_abs_x = np.sqrt(np.abs(x))
    shared = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0

    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + shared
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0

    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + shared
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0

    rad_lat = np.radians(lats)
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return dlon, dlat


def _invert(
    forward: _ArrayTransform,
    lons: FloatArray,
    lats: FloatArray,
    start: _ArrayPair | None = None,
) -> _ArrayPair:
    """Solve ``forward(x, y) == (lons, lats)`` for (x, y) by fixed-point iteration.

    Works for any forward map that is the identity plus a slowly varying offset (GCJ-02
    and BD-09 both are): each step subtracts the residual, and the error shrinks by a
    factor of several hundred per step. Iteration starts at ``start`` (default: the
    target itself). Non-finite inputs stay non-finite.
    """
    x, y = (lons.copy(), lats.copy()) if start is None else (start[0].copy(), start[1].copy())
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        step_x = fx - lons
        step_y = fy - lats
        x -= step_x
        y -= step_y
        moved = np.maximum(np.abs(step_x), np.abs(step_y))
        if not np.any(moved[np.isfinite(moved)] >= _INVERSE_TOLERANCE):
            break
    return x, y


def wgs84_to_gcj02_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert WGS-84 arrays to GCJ-02 (Amap, Tencent); returns ``(lons, lats)``."""
    lon_arr, lat_arr = _as_arrays(lons, lats)
    dlon, dlat = _gcj02_delta(lon_arr, lat_arr)
    inside = ~out_of_china_array(lon_arr, lat_arr)
    return np.where(inside, lon_arr + dlon, lon_arr), np.where(inside, lat_arr + dlat, lat_arr)


def gcj02_to_wgs84_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert GCJ-02 arrays to WGS-84, exactly inverting :func:`wgs84_to_gcj02_array`."""
    lon_arr, lat_arr = _as_arrays(lons, lats)
    return _invert(wgs84_to_gcj02_array, lon_arr, lat_arr)


def gcj02_to_bd09_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert GCJ-02 arrays to BD-09 (Baidu); returns ``(lons, lats)``."""
    lon_arr, lat_arr = _as_arrays(lons, lats)
    radius = np.hypot(lon_arr, lat_arr) + 0.00002 * np.sin(lat_arr * _X_PI)
    theta = np.arctan2(lat_arr, lon_arr) + 0.000003 * np.cos(lon_arr * _X_PI)
    inside = ~out_of_china_array(lon_arr, lat_arr)
    bd_lon = np.where(inside, radius * np.cos(theta) + _BD_DLON, lon_arr)
    bd_lat = np.where(inside, radius * np.sin(theta) + _BD_DLAT, lat_arr)
    return bd_lon, bd_lat


def _bd09_to_gcj02_first_guess(lons: FloatArray, lats: FloatArray) -> _ArrayPair:
    """Return the usual closed-form approximation of BD-09 to GCJ-02 (about 1e-6 deg off)."""
    x = lons - _BD_DLON
    y = lats - _BD_DLAT
    radius = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    inside = ~out_of_china_array(lons, lats)
    return np.where(inside, radius * np.cos(theta), lons), np.where(
        inside, radius * np.sin(theta), lats
    )


def bd09_to_gcj02_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert BD-09 arrays to GCJ-02, exactly inverting :func:`gcj02_to_bd09_array`."""
    lon_arr, lat_arr = _as_arrays(lons, lats)
    start = _bd09_to_gcj02_first_guess(lon_arr, lat_arr)
    return _invert(gcj02_to_bd09_array, lon_arr, lat_arr, start)


def bd09_to_wgs84_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert BD-09 arrays to WGS-84 (via GCJ-02)."""
    return gcj02_to_wgs84_array(*bd09_to_gcj02_array(lons, lats))


def wgs84_to_bd09_array(lons: ArrayLike, lats: ArrayLike) -> _ArrayPair:
    """Convert WGS-84 arrays to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09_array(*wgs84_to_gcj02_array(lons, lats))


def _normalise_crs(crs: str) -> CoordinateSystem:
    """Return the canonical lower-case name of a supported CRS, or raise ValueError."""
    name = str(crs).strip().lower()
    for supported in SUPPORTED_CRS:
        if name == supported:
            return supported
    raise ValueError(
        f"unknown coordinate system {crs!r}: expected one of {', '.join(SUPPORTED_CRS)}"
    )


def to_wgs84_array(lons: ArrayLike, lats: ArrayLike, crs: str) -> _ArrayPair:
    """Convert arrays in ``crs`` ("wgs84", "gcj02" or "bd09", any case) to WGS-84."""
    name = _normalise_crs(crs)
    if name == "gcj02":
        return gcj02_to_wgs84_array(lons, lats)
    if name == "bd09":
        return bd09_to_wgs84_array(lons, lats)
    return _as_arrays(lons, lats)


def _scalar(transform: _ArrayTransform, lon: float, lat: float) -> tuple[float, float]:
    """Apply an array transform to one point and return plain floats."""
    out_lon, out_lat = transform(np.float64(lon), np.float64(lat))
    return float(out_lon), float(out_lat)


def out_of_china(lon: float, lat: float) -> bool:
    """Return True if the point lies outside China's bounding box (no offset applies)."""
    return bool(out_of_china_array(lon, lat))


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS-84 point to GCJ-02; returns ``(lon, lat)``."""
    return _scalar(wgs84_to_gcj02_array, lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert one GCJ-02 point to WGS-84 (exact inverse, to better than 1e-9 degrees)."""
    return _scalar(gcj02_to_wgs84_array, lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Convert one GCJ-02 point to BD-09; returns ``(lon, lat)``."""
    return _scalar(gcj02_to_bd09_array, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert one BD-09 point to GCJ-02 (exact inverse of :func:`gcj02_to_bd09`)."""
    return _scalar(bd09_to_gcj02_array, lon, lat)


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert one BD-09 point to WGS-84; returns ``(lon, lat)``."""
    return _scalar(bd09_to_wgs84_array, lon, lat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS-84 point to BD-09; returns ``(lon, lat)``."""
    return _scalar(wgs84_to_bd09_array, lon, lat)


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert one point in ``crs`` ("wgs84", "gcj02" or "bd09", any case) to WGS-84."""
    name = _normalise_crs(crs)
    return _scalar(lambda x, y: to_wgs84_array(x, y, name), lon, lat)
