"""Spatial questions of the asset map and of emergency dispatch: which district, what is near.

Three tools, all on WGS-84 longitude/latitude (``lon`` first, decimal degrees):

:class:`DistrictIndex`
    Which district a point lies in (``district_of``, vectorised ``districts_of``) and which
    points lie in a district (``contains``), from the district outlines (a GeoJSON
    FeatureCollection or a GeoDataFrame whose features carry an ``adcode``).

:class:`PointIndex`
    Assets, vehicles or any keyed points: those within a radius, the ``k`` nearest
    (optionally of some kinds only, leaving some keys out) and those within a polygon.

:func:`clean_geometry`
    Reads a GeoJSON geometry, repairs an invalid one when the repair keeps its type family,
    and otherwise says in a sentence why it was refused.

Distances
---------
Distances are **geodesic, on the WGS-84 ellipsoid** (:class:`pyproj.Geod`), exact to well
under a millimetre at any range. A projected CRS was rejected: UTM zone 50N (EPSG:32650) is
centred on 117°E, and across Lianyungang (118.4-119.8°E) its scale error reaches 4 parts in
10,000, i.e. 4 m over 10 km.

The spatial index never measures: both indexes are :class:`shapely.STRtree` trees on plain
lon/lat coordinates, and cheap proven bounds on the geodesic distance (see :class:`_Reach`)
decide which candidates are worth measuring. A radius search asks the tree for the lon/lat
box that holds every point within the radius, drops the candidates whose lower bound
exceeds it, and measures the rest geodesically in one vectorised call. A nearest search
grows a box until ``k`` qualifying candidates have upper bounds within it; the ``k``-th
smallest upper bound then caps the distance of the ``k``-th nearest, and only candidates
whose lower bound is within that cap are measured. Boxes are clipped at the poles and at
the antimeridian, which no Chinese city is near (points across it are not found).

Boundaries
----------
Outlines and query polygons are read planar in lon/lat, as GeoJSON (RFC 7946) is. A point on
a polygon's boundary is *in* it (``covers``). A point on the border shared by several
districts belongs to exactly one: the district with the **lowest adcode** among those whose
outline covers it (adcodes compared as text; Chinese adcodes all have six digits, so that is
also numeric order). :meth:`DistrictIndex.contains` follows the same rule, so the districts'
point sets partition the points inside the city.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["DistrictIndex", "Hit", "PointIndex", "clean_geometry"]

_GEOD: Final = Geod(ellps="WGS84")
_A: Final = _GEOD.a  # semi-major axis (m)
_E2: Final = _GEOD.es  # first eccentricity squared
# The smallest meridional radius of curvature of WGS-84 (at the equator), a * (1 - e²).
_M_MIN: Final = _A * (1.0 - _E2)
# Relative slack on search boxes, far above floating-point error, far below a millimetre.
_BOX_SLACK: Final = 1e-9
# Twice the longest geodesic on WGS-84 (half a meridian): a search box this wide is the globe.
_MAX_RADIUS_M: Final = 2 * 20_003_931.5
_MIN_START_RADIUS_M: Final = 10.0

_FAMILIES: Final[dict[str, str]] = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "GeometryCollection": "collection",
}

IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]


# --------------------------------------------------------------------------- coordinates


def _valid_positions(lons: ArrayLike, lats: ArrayLike) -> tuple[NDArray, NDArray, BoolArray]:
    """Return lons, lats as float64 arrays and the mask of finite, in-range positions.

    Anything that is not a number (None, text) counts as missing, not as an error.
    """
    lon_arr, lat_arr = _floats(lons), _floats(lats)
    if lon_arr.size != lat_arr.size:
        raise ValueError(f"{lon_arr.size} longitudes but {lat_arr.size} latitudes.")
    with np.errstate(invalid="ignore"):
        ok = (np.abs(lon_arr) <= 180.0) & (np.abs(lat_arr) <= 90.0)
    return lon_arr, lat_arr, ok


def _floats(values: ArrayLike) -> NDArray[np.float64]:
    """Return values as a flat float64 array; None and non-numbers become NaN."""
    try:
        return np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        series = pd.Series(np.asarray(values, dtype=object).ravel())
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _check_position(lon: float, lat: float) -> None:
    """Raise ValueError unless (lon, lat) is a finite WGS-84 position."""
    if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
        raise ValueError(f"({lon}, {lat}) is not a WGS-84 longitude/latitude position.")


def _geodesic_metres(lon: float, lat: float, lons: NDArray, lats: NDArray) -> NDArray:
    """Return the geodesic distances in metres from (lon, lat) to every (lons, lats)."""
    if lons.size == 0:
        return np.empty(0, dtype=np.float64)
    _, _, metres = _GEOD.inv(np.full(lons.size, lon), np.full(lons.size, lat), lons, lats)
    return np.asarray(metres, dtype=np.float64)


def _radii(lat: float) -> tuple[float, float]:
    """Return the meridional and prime-vertical radii of curvature (m) at a latitude."""
    w2 = 1.0 - _E2 * math.sin(math.radians(lat)) ** 2
    return _A * (1.0 - _E2) / w2**1.5, _A / math.sqrt(w2)


def _wrapped_radians(delta_degrees: NDArray) -> NDArray:
    """Return absolute longitude differences in radians, the short way round (at most pi)."""
    return np.radians(np.abs((delta_degrees + 180.0) % 360.0 - 180.0))


@dataclass(frozen=True, slots=True)
class _Reach:
    """Proven bounds on the geodesic distance from (lon, lat), for searches out to ``metres``.

    On the ellipsoid ``ds² = M² dlat² + (N cos lat)² dlon²``, where the radii of curvature M
    and N grow with ``|lat|``. A path no longer than ``metres`` stays in the latitude band
    ``|dlat| <= metres / M_min``; within it M, N and cos(lat) lie between their values at
    the band's smallest and largest ``|lat|``. So, for any point:

    * ``lower``: if its distance is at most ``metres``, it is at least the flat distance
      ``hypot(M_lo dlat, N_lo cos_hi dlon)`` (the straight line is shortest in a flat metric);
    * ``upper``: if it lies in the band, its distance is at most the length of the path
      straight in (lat, lon), which is at most ``hypot(M_hi dlat, N_hi cos_lo dlon)``.

    ``box`` is the lon/lat box outside which ``lower`` exceeds ``metres``.
    """

    lon: float
    lat: float
    metres: float
    south: float
    north: float

    @classmethod
    def of(cls, lon: float, lat: float, metres: float) -> _Reach:
        reach = metres * (1.0 + _BOX_SLACK) + 1e-6
        dlat = math.degrees(reach / _M_MIN)
        return cls(lon, lat, reach, max(lat - dlat, -90.0), min(lat + dlat, 90.0))

    @property
    def _abs_lat_range(self) -> tuple[float, float]:
        nearest = 0.0 if self.south <= 0.0 <= self.north else min(abs(self.south), abs(self.north))
        return nearest, max(abs(self.south), abs(self.north))

    def _scales(self, *, lower: bool) -> tuple[float, float]:
        """Return the (north-south, east-west) metres per radian of the lower/upper bound."""
        low, high = self._abs_lat_range
        m, n = _radii(low if lower else high)
        return m, n * max(math.cos(math.radians(high if lower else low)), 0.0)

    def box(self) -> tuple[float, float, float, float]:
        """Return (west, south, east, north), clipped to the globe (no antimeridian wrap)."""
        east_west = self._scales(lower=True)[1]
        dlon = math.degrees(self.metres / east_west) if east_west > 1e-6 else 360.0
        if dlon >= 180.0:
            return -180.0, self.south, 180.0, self.north
        return max(self.lon - dlon, -180.0), self.south, min(self.lon + dlon, 180.0), self.north

    def lower(self, lons: NDArray, lats: NDArray) -> NDArray:
        return self._flat_distance(lons, lats, lower=True)

    def upper(self, lons: NDArray, lats: NDArray) -> NDArray:
        return self._flat_distance(lons, lats, lower=False)

    def _flat_distance(self, lons: NDArray, lats: NDArray, *, lower: bool) -> NDArray:
        north_south, east_west = self._scales(lower=lower)
        return np.hypot(
            north_south * np.radians(lats - self.lat),
            east_west * _wrapped_radians(lons - self.lon),
        )


# --------------------------------------------------------------------------- geometry


def _family(geometry: BaseGeometry) -> str:
    return _FAMILIES.get(geometry.geom_type, geometry.geom_type)


def _distinct_positions(positions: object) -> int:
    """Return how many distinct positions a GeoJSON coordinate list holds."""
    if not isinstance(positions, list):
        return 0
    return len({tuple(p) for p in positions if isinstance(p, list) and len(p) >= 2})


def _parts_problem(kind: str, parts: list[tuple[str, object]]) -> str | None:
    """Return why one of the (subject, positions) parts has too few distinct positions."""
    polygonal = "Polygon" in kind
    least, noun = (3, "a ring") if polygonal else (2, "a line")
    for subject, positions in parts:
        count = _distinct_positions(positions)
        if count < least:
            points = "point" if count == 1 else "points"
            return (
                f"{subject} has {count} distinct {points}; {noun} needs at least "
                f"{'three' if polygonal else 'two'}."
            )
    return None


def _structure_problem(kind: str, coordinates: object) -> str | None:
    """Return why a line or polygon has too few points to be one, or None."""
    if kind in ("Point", "MultiPoint"):
        return None
    if not isinstance(coordinates, list) or not coordinates:
        return f"The {kind} has no coordinates."
    multi = kind.startswith("Multi")
    parts: list[tuple[str, object]] = []
    for number, member in enumerate(coordinates if multi else [coordinates], start=1):
        owner = f"part {number} of the {kind}" if multi else f"the {kind}"
        if "Polygon" in kind:
            rings = member if isinstance(member, list) and member else [None]
            parts += [(f"Ring {n} of {owner}", ring) for n, ring in enumerate(rings, start=1)]
        else:
            parts.append((owner[0].upper() + owner[1:], member))
    return _parts_problem(kind, parts)


def _sentence(text: object) -> str:
    """Return text stripped, as a sentence ending with a full stop."""
    text = str(text).strip()
    return text if text.endswith(".") else f"{text}."


def _parse_collection(geojson: Mapping[str, Any]) -> tuple[BaseGeometry | None, str | None]:
    members = geojson.get("geometries")
    if not isinstance(members, list):
        return None, "The GeometryCollection has no list of geometries."
    parsed = []
    for number, member in enumerate(members, start=1):
        geometry, reason = _parse(member)
        if reason:
            return None, f"Geometry {number} of the GeometryCollection: {reason}"
        parsed.append(geometry)
    return shapely.geometrycollections(parsed), None


def _parse(geojson: object) -> tuple[BaseGeometry | None, str | None]:
    """Turn a GeoJSON geometry dict into a shapely geometry, or say why it is not one."""
    if not isinstance(geojson, Mapping):
        return None, f"A GeoJSON geometry is a JSON object, not {type(geojson).__name__}."
    kind = geojson.get("type")
    if kind is None:
        return None, "The object has no 'type', so it is not a GeoJSON geometry."
    if kind in ("Feature", "FeatureCollection"):
        return None, f"This is a GeoJSON {kind}, not a geometry; pass its geometry instead."
    if kind not in _FAMILIES or kind == "LinearRing":
        return None, f"The type {kind!r} is not a GeoJSON geometry type."
    if kind == "GeometryCollection":
        return _parse_collection(geojson)
    problem = _structure_problem(kind, geojson.get("coordinates"))
    if problem:
        return None, problem
    try:
        return shape(geojson), None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        return None, _sentence(f"The {kind} could not be read: {exc}")
    except shapely.errors.GEOSException as exc:
        return None, _sentence(f"The {kind} could not be read: {exc}")


def _coordinate_problem(geometry: BaseGeometry) -> str | None:
    """Return why a geometry's coordinates are not WGS-84 lon/lat, or None if they are."""
    coords = shapely.get_coordinates(geometry)
    if not np.isfinite(coords).all():
        return f"The {geometry.geom_type} has a coordinate that is not a finite number."
    if (np.abs(coords[:, 0]) > 180).any() or (np.abs(coords[:, 1]) > 90).any():
        return (
            f"The {geometry.geom_type} has coordinates outside longitude -180..180 and "
            "latitude -90..90; it is probably not in WGS-84."
        )
    return None


def _repair(geometry: BaseGeometry) -> tuple[BaseGeometry | None, str | None]:
    """Return a valid geometry of the same type family as ``geometry``, or why there is none."""
    if geometry.is_valid:
        return geometry, None
    why = shapely.is_valid_reason(geometry)
    repaired = shapely.make_valid(geometry)
    if repaired.is_empty or _family(repaired) != _family(geometry):
        return None, (
            f"The {geometry.geom_type} is invalid ({why}) and repairing it gives a "
            f"{repaired.geom_type}, which is not the same kind of geometry."
        )
    return repaired, None


def _clean_shape(geometry: BaseGeometry | None) -> tuple[BaseGeometry | None, str | None]:
    """Check a shapely geometry (not empty, lon/lat, valid or repairable), as clean_geometry."""
    if geometry is None:
        return None, "There is no geometry."
    if geometry.is_empty:
        return None, f"The {geometry.geom_type} is empty."
    problem = _coordinate_problem(geometry)
    if problem:
        return None, problem
    return _repair(geometry)


def clean_geometry(geojson: dict) -> tuple[BaseGeometry | None, str | None]:
    """Read a GeoJSON geometry: ``(geometry, None)``, or ``(None, reason)`` if unusable.

    An invalid geometry (a self-intersecting "bow-tie" polygon, say) is repaired with
    :func:`shapely.make_valid` when the repair is of the same family (points, lines or
    polygons); a bow-tie becomes a MultiPolygon of its two triangles. Refused, with the reason
    as an English sentence: anything that is not a GeoJSON geometry (a Feature, a list, an
    unknown type), a polygon ring with fewer than three distinct points, a line with fewer
    than two, an empty geometry, coordinates that are not finite or not lon/lat, and invalid
    geometries whose repair changes family. Rings need not be closed; they are closed for you.
    """
    geometry, reason = _parse(geojson)
    if reason:
        return None, reason
    return _clean_shape(geometry)


# --------------------------------------------------------------------------- districts


def _district_features(
    source: Mapping[str, Any] | gpd.GeoDataFrame,
) -> list[tuple[str, BaseGeometry | None]]:
    """Return (adcode, geometry) of every feature of a FeatureCollection or GeoDataFrame."""
    if isinstance(source, Mapping):
        if source.get("type") != "FeatureCollection":
            raise ValueError("District outlines must be a GeoJSON FeatureCollection.")
        features = []
        for feature in source.get("features", []):
            adcode = (feature.get("properties") or {}).get("adcode")
            geometry, reason = _parse(feature.get("geometry"))
            if reason:
                raise ValueError(f"District {adcode}: {reason}")
            features.append((adcode, geometry))
    else:
        if "adcode" not in source.columns:
            raise ValueError("District outlines need an 'adcode' column.")
        if source.crs is not None and not source.crs.equals("EPSG:4326"):
            source = source.to_crs("EPSG:4326")
        features = list(zip(source["adcode"], source.geometry, strict=True))
    return [(_adcode_text(adcode), geometry) for adcode, geometry in features]


def _adcode_text(adcode: object) -> str:
    if adcode is None or (isinstance(adcode, float) and math.isnan(adcode)) or adcode == "":
        raise ValueError("A district outline has no adcode.")
    return str(adcode)


def _district_outline(adcode: str, geometry: BaseGeometry | None) -> BaseGeometry:
    """Return the cleaned polygonal outline of one district, or raise ValueError."""
    cleaned, reason = _clean_shape(geometry)
    if reason:
        raise ValueError(f"District {adcode}: {reason}")
    if _family(cleaned) != "polygon":
        raise ValueError(f"District {adcode}: a {cleaned.geom_type} is not a district outline.")
    return cleaned


class DistrictIndex:
    """Point-in-district lookup over district outlines keyed by adcode.

    Features sharing an adcode are merged into one district. See the module docstring for
    the border rule (lowest adcode wins). Outlines that are invalid but repairable are
    repaired; anything else raises ValueError when the index is built.
    """

    def __init__(self, source: Mapping[str, Any] | gpd.GeoDataFrame) -> None:
        """Build from a GeoJSON FeatureCollection dict or a GeoDataFrame with ``adcode``."""
        outlines: dict[str, list[BaseGeometry]] = {}
        for adcode, geometry in _district_features(source):
            outlines.setdefault(adcode, []).append(_district_outline(adcode, geometry))
        self._adcodes = np.array(sorted(outlines), dtype=object)
        geometries = [shapely.union_all(outlines[adcode]) for adcode in self._adcodes]
        self._geometries = np.array(geometries, dtype=object)
        shapely.prepare(self._geometries)
        self._tree = shapely.STRtree(self._geometries)

    @classmethod
    def from_file(cls, path: str | Path) -> DistrictIndex:
        """Build from a GeoJSON file of district outlines."""
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    @property
    def adcodes(self) -> tuple[str, ...]:
        """The districts' adcodes, in ascending order."""
        return tuple(self._adcodes)

    def outline(self, adcode: str) -> BaseGeometry:
        """Return the (cleaned, merged) outline of a district; KeyError if unknown."""
        return self._geometries[self._position(adcode)]

    def districts_of(self, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.object_]:
        """Return the adcode (or None) of each point; missing positions give None too."""
        lon, lat, ok = _valid_positions(lons, lats)
        best = np.full(lon.size, len(self._adcodes), dtype=np.intp)
        rows = np.flatnonzero(ok)
        if rows.size and self._adcodes.size:
            points = shapely.points(lon[rows], lat[rows])
            # Boxes first, then the exact test on the prepared outlines (much faster than
            # a query predicate, which would prepare the points instead).
            point, district = self._tree.query(points)
            covered = shapely.covers(self._geometries[district], points[point])
            np.minimum.at(best, rows[point[covered]], district[covered])
        lookup = np.append(self._adcodes, None)
        return lookup[best]

    def district_of(self, lon: float, lat: float) -> str | None:
        """Return the adcode of the district holding (lon, lat), or None if none does."""
        return self.districts_of([lon], [lat])[0]

    def contains(self, adcode: str, lons: ArrayLike, lats: ArrayLike) -> BoolArray:
        """Return a mask: True where the point belongs to the district (border rule applied)."""
        self._position(adcode)
        return self.districts_of(lons, lats) == str(adcode)

    def _position(self, adcode: str) -> int:
        matches = np.flatnonzero(self._adcodes == str(adcode))
        if not matches.size:
            raise KeyError(f"No district has adcode {adcode!r}.")
        return int(matches[0])


# --------------------------------------------------------------------------- points


@dataclass(frozen=True, slots=True)
class Hit:
    """One point found by a search: its key, its kind (or None) and its distance in metres."""

    key: str
    kind: str | None
    metres: float


def _text_set(values: Iterable[str] | str | None) -> frozenset[str] | None:
    """Return kinds or keys as a set of text; a single string is one value, not letters."""
    if values is None:
        return None
    return frozenset([values] if isinstance(values, str) else (str(v) for v in values))


def _clean_keys(keys: Iterable[object], size: int) -> tuple[NDArray[np.object_], BoolArray]:
    """Return the keys as an object array of str, and the mask of present (non-empty) keys."""
    series = pd.Series(list(keys) if not isinstance(keys, np.ndarray | pd.Series) else keys)
    if len(series) != size:
        raise ValueError(f"{len(series)} keys but {size} positions.")
    present = series.notna().to_numpy()
    text = series.astype(str).to_numpy(dtype=object)
    return text, present & (text != "")


def _kind_codes(kinds: Iterable[object] | None, size: int) -> tuple[IntArray, tuple[str, ...]]:
    """Return each row's kind as a code (-1: no kind) and the kind names the codes index."""
    if kinds is None:
        return np.full(size, -1, dtype=np.intp), ()
    series = pd.Series(list(kinds) if not isinstance(kinds, np.ndarray | pd.Series) else kinds)
    if len(series) != size:
        raise ValueError(f"{len(series)} kinds but {size} positions.")
    codes, names = pd.factorize(series.where(series.isna(), series.astype(str)))
    return codes.astype(np.intp), tuple(str(name) for name in names)


class PointIndex:
    """Keyed WGS-84 points with radius, nearest-k and polygon searches (metres are geodesic).

    Build it with :meth:`from_arrays` or :meth:`from_frame`. Rows without a key or with a
    missing or out-of-range position are left out and counted in :attr:`skipped`; when a key
    appears more than once the last row wins and the earlier ones are counted in
    :attr:`duplicates`. Results are ordered by distance, ties by input order.
    """

    def __init__(
        self,
        keys: NDArray[np.object_],
        lons: NDArray[np.float64],
        lats: NDArray[np.float64],
        kind_codes: IntArray,
        kind_names: tuple[str, ...],
        *,
        skipped: int = 0,
        duplicates: int = 0,
    ) -> None:
        """Index already-clean arrays; prefer :meth:`from_arrays` or :meth:`from_frame`."""
        self._keys = keys
        self._lons = lons
        self._lats = lats
        self._kind_codes = kind_codes
        self._kind_names = kind_names
        self._tree = shapely.STRtree(shapely.points(lons, lats))
        self.skipped = skipped
        self.duplicates = duplicates

    @classmethod
    def from_arrays(
        cls,
        keys: Iterable[object],
        lons: ArrayLike,
        lats: ArrayLike,
        kinds: Iterable[object] | None = None,
    ) -> PointIndex:
        """Build from parallel sequences; keys become text, kinds text or None."""
        lon, lat, ok = _valid_positions(lons, lats)
        key_text, has_key = _clean_keys(keys, lon.size)
        codes, names = _kind_codes(kinds, lon.size)
        usable = np.flatnonzero(ok & has_key)
        keep = usable[~pd.Series(key_text[usable]).duplicated(keep="last").to_numpy()]
        return cls(
            key_text[keep],
            lon[keep],
            lat[keep],
            codes[keep],
            names,
            skipped=int(lon.size - usable.size),
            duplicates=int(usable.size - keep.size),
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> PointIndex:
        """Build from a DataFrame with columns ``key``, ``lon``, ``lat`` and optional ``kind``."""
        kinds = frame["kind"] if "kind" in frame.columns else None
        return cls.from_arrays(frame["key"], frame["lon"], frame["lat"], kinds)

    def __len__(self) -> int:
        return int(self._keys.size)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds met in the index, in order of first appearance."""
        return self._kind_names

    def within_radius(
        self, lon: float, lat: float, metres: float, kinds: Iterable[str] | None = None
    ) -> list[Hit]:
        """Return the points at most ``metres`` from (lon, lat), nearest first."""
        _check_position(lon, lat)
        if not metres >= 0:
            raise ValueError(f"A search radius must be zero or more metres, not {metres}.")
        reach = _Reach.of(lon, lat, metres)
        rows = self._candidates(reach, _text_set(kinds))
        rows = rows[reach.lower(self._lons[rows], self._lats[rows]) <= reach.metres]
        return self._closest(lon, lat, rows, metres)

    def nearest(
        self,
        lon: float,
        lat: float,
        k: int = 5,
        kinds: Iterable[str] | None = None,
        exclude: Iterable[str] = (),
    ) -> list[Hit]:
        """Return the ``k`` points nearest (lon, lat), of ``kinds`` if given, not in ``exclude``.

        Fewer than ``k`` come back when fewer qualify.
        """
        _check_position(lon, lat)
        kinds = _text_set(kinds)
        excluded = self._rows_of(_text_set(exclude) or frozenset())
        eligible = self._count(kinds, excluded)
        wanted = min(operator.index(k), eligible)
        if wanted <= 0:
            return []
        bound = self._kth_upper_bound(lon, lat, wanted, eligible, kinds, excluded)
        reach = _Reach.of(lon, lat, bound)
        rows = self._candidates(reach, kinds, excluded)
        rows = rows[reach.lower(self._lons[rows], self._lats[rows]) <= reach.metres]
        return self._closest(lon, lat, rows, reach.metres, limit=k)

    def within_polygon(
        self, geometry: BaseGeometry | dict, kinds: Iterable[str] | None = None
    ) -> list[str]:
        """Return the keys of the points the geometry covers (boundary included), input order.

        ``geometry`` is a shapely geometry or a GeoJSON geometry dict in lon/lat; a dict
        :func:`clean_geometry` refuses raises ValueError with its reason.
        """
        if isinstance(geometry, Mapping):
            geometry, reason = clean_geometry(dict(geometry))
            if reason:
                raise ValueError(reason)
        rows = np.sort(self._tree.query(geometry, predicate="covers"))
        rows = rows[self._of_kinds(rows, _text_set(kinds))]
        return [str(key) for key in self._keys[rows]]

    # -- internals

    def _candidates(
        self, reach: _Reach, kinds: frozenset[str] | None, excluded: IntArray | None = None
    ) -> IntArray:
        """Return, in input order, the rows in the reach's box of ``kinds``, not ``excluded``."""
        rows = np.sort(self._tree.query(shapely.box(*reach.box())))
        keep = self._of_kinds(rows, kinds)
        if excluded is not None and excluded.size:
            keep &= ~np.isin(rows, excluded)
        return rows[keep]

    def _kth_upper_bound(
        self,
        lon: float,
        lat: float,
        wanted: int,
        eligible: int,
        kinds: frozenset[str] | None,
        excluded: IntArray,
    ) -> float:
        """Return a distance that at least ``wanted`` qualifying rows are provably within.

        Grows a search radius until the upper bounds of ``wanted`` candidates fit in it;
        nothing is measured geodesically.
        """
        radius = self._start_radius(wanted, eligible)
        while True:
            reach = _Reach.of(lon, lat, radius)
            rows = self._candidates(reach, kinds, excluded)
            upper = reach.upper(self._lons[rows], self._lats[rows])
            found = int((upper <= radius).sum())
            if found >= wanted or radius >= _MAX_RADIUS_M:
                return float(np.partition(upper, wanted - 1)[wanted - 1])
            radius = min(radius * max(2.0, math.sqrt(wanted / max(found, 1))), _MAX_RADIUS_M)

    def _count(self, kinds: frozenset[str] | None, excluded: IntArray) -> int:
        """Return how many rows are of ``kinds`` and not ``excluded``."""
        if kinds is None:
            return len(self) - excluded.size
        of_kinds = int(self._kind_counts[self._codes_of(kinds)].sum())
        return of_kinds - int(self._of_kinds(excluded, kinds).sum())

    @cached_property
    def _kind_counts(self) -> IntArray:
        return np.bincount(self._kind_codes[self._kind_codes >= 0], minlength=len(self._kind_names))

    def _of_kinds(self, rows: IntArray, kinds: frozenset[str] | None) -> BoolArray:
        if kinds is None:
            return np.ones(rows.size, dtype=bool)
        return np.isin(self._kind_codes[rows], self._codes_of(kinds))

    def _codes_of(self, kinds: frozenset[str]) -> list[int]:
        return [code for code, name in enumerate(self._kind_names) if name in kinds]

    @cached_property
    def _key_index(self) -> pd.Index:
        return pd.Index(self._keys)

    def _rows_of(self, keys: frozenset[str]) -> IntArray:
        if not keys:
            return np.empty(0, dtype=np.intp)
        rows = self._key_index.get_indexer(sorted(keys))
        return rows[rows >= 0]

    def _closest(
        self, lon: float, lat: float, rows: IntArray, metres: float, limit: int | None = None
    ) -> list[Hit]:
        """Measure ``rows`` (in input order) and return those within ``metres``, nearest first."""
        distances = _geodesic_metres(lon, lat, self._lons[rows], self._lats[rows])
        inside = distances <= metres
        rows, distances = rows[inside], distances[inside]
        order = np.argsort(distances, kind="stable")[:limit]
        return [
            Hit(str(self._keys[row]), self._kind_name(row), float(distance))
            for row, distance in zip(rows[order], distances[order], strict=True)
        ]

    def _kind_name(self, row: int) -> str | None:
        code = self._kind_codes[row]
        return self._kind_names[code] if code >= 0 else None

    @cached_property
    def _bounds(self) -> tuple[float, float, float, float]:
        return (
            float(self._lons.min()),
            float(self._lats.min()),
            float(self._lons.max()),
            float(self._lats.max()),
        )

    def _start_radius(self, wanted: int, eligible: int) -> float:
        """Guess the radius holding ``wanted`` of ``eligible`` points spread over the data's box."""
        min_lon, min_lat, max_lon, max_lat = self._bounds
        mid_lat = (min_lat + max_lat) / 2
        height = _M_MIN * math.radians(max_lat - min_lat)
        width = _A * math.cos(math.radians(mid_lat)) * math.radians(max_lon - min_lon)
        radius = math.sqrt(wanted * max(width, 1.0) * max(height, 1.0) / (math.pi * eligible))
        return min(max(radius, _MIN_START_RADIUS_M), _MAX_RADIUS_M)
