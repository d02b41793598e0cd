"""District outlines of Lianyungang and vectorised point sampling inside them.

Reads the districts GeoJSON (properties adcode, name_zh, name_en, kind, population; WGS-84),
prepares each outline once, and samples points by rejection with ``shapely.contains_xy``:
a share of points comes from Gaussian clusters around urban centres, the rest is uniform.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

CITY_CODE = "320700"
DISTRICT_CODES = ("320706", "320703", "320707", "320722", "320723", "320724")

# code: (name_zh, name_en, kind, fallback population: 2020 census resident population)
DISTRICT_DEFAULTS = {
    "320706": ("海州区", "Haizhou District", "district", 918_005),
    "320703": ("连云区", "Lianyun District", "district", 292_762),
    "320707": ("赣榆区", "Ganyu District", "district", 1_003_844),
    "320722": ("东海县", "Donghai County", "county", 1_047_357),
    "320723": ("灌云县", "Guanyun County", "county", 725_047),
    "320724": ("灌南县", "Guannan County", "county", 612_345),
}

# Urban centres (lon, lat, sigma km, weight): district seats and main towns, approximate.
# A centre outside the supplied outline is replaced by a point inside it.
URBAN_CENTRES = {
    "320706": (
        (119.175, 34.600, 3.5, 0.60),
        (119.135, 34.570, 2.0, 0.20),
        (119.225, 34.625, 2.5, 0.20),
    ),
    "320703": (
        (119.380, 34.735, 2.5, 0.55),
        (119.430, 34.750, 1.5, 0.20),
        (119.480, 34.600, 2.5, 0.25),
    ),
    "320707": (
        (119.130, 34.840, 3.0, 0.70),
        (119.150, 34.960, 2.0, 0.15),
        (119.180, 35.030, 2.0, 0.15),
    ),
    "320722": (
        (118.770, 34.540, 3.0, 0.75),
        (118.650, 34.600, 2.0, 0.10),
        (118.880, 34.560, 2.0, 0.15),
    ),
    "320723": ((119.250, 34.290, 2.5, 0.80), (119.400, 34.350, 2.0, 0.20)),
    "320724": ((119.350, 34.090, 2.5, 0.80), (119.500, 34.180, 2.0, 0.20)),
}

KM_PER_DEG = 111.32


@dataclass
class District:
    code: str
    name_zh: str
    name_en: str
    kind: str
    population: int
    geometry: BaseGeometry
    centres: np.ndarray  # (k, 4): lon, lat, sigma_km, weight

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return self.geometry.bounds


class Geography:
    """The six districts in a fixed order (``DISTRICT_CODES``) with sampling helpers."""

    def __init__(self, districts: list[District]):
        self.districts = districts
        self.codes = tuple(d.code for d in districts)
        self.geometries = np.array([d.geometry for d in districts], dtype=object)
        self._index = {d.code: i for i, d in enumerate(districts)}

    @classmethod
    def load(cls, path: Path) -> Geography:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(
                f"districts GeoJSON not found: {path} (a FeatureCollection of the six Lianyungang"
                " districts with properties adcode, name_zh, name_en, kind, population)"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        found: dict[str, dict] = {}
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = str(props.get("adcode", "")).strip()
            if code in DISTRICT_DEFAULTS and feature.get("geometry"):
                found[code] = feature
        missing = [c for c in DISTRICT_CODES if c not in found]
        if missing:
            raise ValueError(f"{path}: no feature for district adcode(s) {', '.join(missing)}")
        districts = []
        for code in DISTRICT_CODES:
            props = found[code]["properties"]
            name_zh, name_en, kind, population = DISTRICT_DEFAULTS[code]
            geom = shape(found[code]["geometry"])
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
            if geom.area <= 0:
                raise ValueError(f"{path}: district {code} has an empty outline")
            shapely.prepare(geom)
            districts.append(
                District(
                    code=code,
                    name_zh=str(props.get("name_zh") or name_zh),
                    name_en=str(props.get("name_en") or name_en),
                    kind=str(props.get("kind") or kind),
                    population=int(props.get("population") or population),
                    geometry=geom,
                    centres=_inside_centres(geom, URBAN_CENTRES[code]),
                )
            )
        return cls(districts)

    def by_code(self, code: str) -> District:
        return self.districts[self._index[code]]

    def index(self, code: str) -> int:
        return self._index[code]

    def names(self) -> dict[str, str]:
        return {d.code: d.name_zh for d in self.districts}

    def population_shares(self) -> np.ndarray:
        pops = np.array([d.population for d in self.districts], dtype=np.float64)
        return pops / pops.sum()

    def sample(
        self, rng: np.random.Generator, code: str, n: int, urban_share: float = 0.7
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points inside district ``code``; ``urban_share`` of them near urban centres."""
        district = self.by_code(code)
        n_urban = round(n * urban_share)
        xu, yu = _rejection(rng, district, n_urban, _urban_candidates)
        xr, yr = _rejection(rng, district, n - n_urban, _uniform_candidates)
        order = rng.permutation(n)
        return np.concatenate([xu, xr])[order], np.concatenate([yu, yr])[order]

    def sample_codes(
        self, rng: np.random.Generator, codes: np.ndarray, urban_share: float = 0.7
    ) -> tuple[np.ndarray, np.ndarray]:
        """One point per entry of ``codes`` (district codes), inside that district."""
        lon = np.empty(len(codes))
        lat = np.empty(len(codes))
        for code in self.codes:
            idx = np.nonzero(codes == code)[0]
            if len(idx):
                lon[idx], lat[idx] = self.sample(rng, code, len(idx), urban_share)
        return lon, lat

    def contains(self, code: str, lon, lat) -> np.ndarray:
        return shapely.contains_xy(self.by_code(code).geometry, lon, lat)

    def locate(self, lon, lat) -> np.ndarray:
        """District code of each point ('' outside all districts)."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        out = np.full(lon.shape, "", dtype=object)
        for d in self.districts:
            out[shapely.contains_xy(d.geometry, lon, lat)] = d.code
        return out

    def inside_or_sample(
        self, rng: np.random.Generator, code: str, lon: float, lat: float, urban_share: float
    ) -> tuple[float, float]:
        """Keep a known location if it lies in the district, else sample a plausible one."""
        if self.contains(code, np.array([lon]), np.array([lat]))[0]:
            return float(lon), float(lat)
        x, y = self.sample(rng, code, 1, urban_share)
        return float(x[0]), float(y[0])

    def cap_polygon(self, code: str, tolerance: float = 0.01) -> str:
        """Simplified outline as CAP 'lat,lon' pairs (closed ring, largest part)."""
        geom = self.by_code(code).geometry.simplify(tolerance, preserve_topology=True)
        parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon)]
        ring = max(parts, key=lambda p: p.area).exterior.coords
        return " ".join(f"{lat:.4f},{lon:.4f}" for lon, lat in ring)


def _inside_centres(geom: BaseGeometry, centres) -> np.ndarray:
    rows = []
    for lon, lat, sigma, weight in centres:
        if not geom.contains(Point(lon, lat)):
            p = geom.representative_point()
            lon, lat = p.x, p.y
        rows.append((lon, lat, sigma, weight))
    return np.array(rows, dtype=np.float64)


def _urban_candidates(rng: np.random.Generator, district: District, m: int):
    c = district.centres
    which = rng.choice(len(c), size=m, p=c[:, 3] / c[:, 3].sum())
    sigma_lat = c[which, 2] / KM_PER_DEG
    sigma_lon = sigma_lat / np.cos(np.radians(c[which, 1]))
    return (
        c[which, 0] + rng.standard_normal(m) * sigma_lon,
        c[which, 1] + rng.standard_normal(m) * sigma_lat,
    )


def _uniform_candidates(rng: np.random.Generator, district: District, m: int):
    x0, y0, x1, y1 = district.bounds
    return rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)


def _rejection(rng, district: District, n: int, candidates) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    need, rate = n, 0.5
    for _ in range(200):
        if need <= 0:
            break
        m = int(need / rate * 1.25) + 16
        x, y = candidates(rng, district, m)
        ok = shapely.contains_xy(district.geometry, x, y)
        rate = max(float(ok.mean()), 0.005)
        xs.append(x[ok][:need])
        ys.append(y[ok][:need])
        need -= len(xs[-1])
    if need > 0:
        raise RuntimeError(f"could not place {n} points inside district {district.code}")
    if not xs:
        return np.empty(0), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys)
