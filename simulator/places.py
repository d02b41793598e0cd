"""Random addresses with coordinates for events (tickets, incidents, posts), per district."""

from __future__ import annotations

import numpy as np
import shapely

from .gazetteer import Gazetteer, village_names
from .geography import Geography

URBAN_WEIGHT = {
    "320706": 1.5,
    "320703": 1.3,
    "320707": 1.0,
    "320722": 0.85,
    "320723": 0.8,
    "320724": 0.8,
}
RURAL_SHARE = {
    "320706": 0.04,
    "320703": 0.06,
    "320707": 0.15,
    "320722": 0.2,
    "320723": 0.2,
    "320724": 0.2,
}


def district_weights(geo: Geography) -> np.ndarray:
    """Where city life happens: population share, weighted towards the urban districts."""
    w = geo.population_shares() * np.array([URBAN_WEIGHT[c] for c in geo.codes])
    return w / w.sum()


def addresses(
    rng: np.random.Generator,
    geo: Geography,
    gaz: Gazetteer,
    codes: np.ndarray,
    jitter_deg: float = 0.002,
) -> dict[str, np.ndarray]:
    """One address per district code: text, its parts and a jittered coordinate.

    Kinds: a village in a town (rural share of the district), a house number on a road, a road
    junction, a building in a community, or near a landmark.
    """
    n = len(codes)
    u_kind, u_a, u_b, u_c = (rng.random(n) for _ in range(4))
    numbers = rng.integers(1, 400, n).tolist()
    buildings = rng.integers(1, 36, n).tolist()
    villages = village_names(rng.random(n), rng.random(n))
    jx, jy = rng.normal(0, jitter_deg, n), rng.normal(0, jitter_deg, n)
    d = np.array([geo.index(c) for c in codes.tolist()], dtype=np.int64)
    streets, si = _choose(gaz, "streets", d, u_a)
    roads, ri = _choose(gaz, "roads", d, u_b)
    _, r2i = _choose(gaz, "roads", d, (u_c + 0.37) % 1)
    communities, ci = _choose(gaz, "communities", d, u_c)
    landmarks, li = _choose(gaz, "landmarks", d, u_b)
    rural = np.array([RURAL_SHARE[c] for c in geo.codes])[d]
    kind = (
        (u_kind >= rural).astype(np.int64)
        + (u_kind >= rural + 0.38)
        + (u_kind >= rural + 0.5)
        + (u_kind >= rural + 0.88)
    )
    dn = np.array([x.name_zh for x in geo.districts], dtype=object)[d]
    street, road, road2 = streets.names[si], roads.names[ri], roads.names[r2i]
    community, landmark = communities.names[ci], landmarks.names[li]
    texts, places = [], []
    for i, k in enumerate(kind.tolist()):
        if k == 0:
            texts.append(f"{dn[i]}{street[i]}{villages[i]}")
            places.append(villages[i])
        elif k == 1:
            texts.append(f"{dn[i]}{road[i]}{numbers[i]}号")
            places.append(road[i])
        elif k == 2:
            a, b = road[i], road2[i]
            texts.append(f"{dn[i]}{a}与{b}交叉口" if a != b else f"{dn[i]}{a}中段")
            places.append(a)
        elif k == 3:
            texts.append(f"{dn[i]}{street[i]}{community[i]}{buildings[i]}号楼")
            places.append(community[i])
        else:
            texts.append(f"{dn[i]}{landmark[i]}附近")
            places.append(landmark[i])
    which = [kind == 0, kind <= 2, kind == 3]
    x = np.select(which, [streets.lon[si], roads.lon[ri], communities.lon[ci]], landmarks.lon[li])
    y = np.select(which, [streets.lat[si], roads.lat[ri], communities.lat[ci]], landmarks.lat[li])
    # the jitter must not carry a point out of its district
    inside = shapely.contains_xy(geo.geometries[d], x + jx, y + jy)
    lon, lat = np.where(inside, x + jx, x), np.where(inside, y + jy, y)
    out = {"address": texts, "place": places}
    out = {k: _objects(v) for k, v in out.items()}
    return {
        **out,
        "dn": dn,
        "street": street,
        "road": road,
        "community": community,
        "landmark": landmark,
        "lon": lon,
        "lat": lat,
    }


def _objects(values: list[str]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def _choose(gaz: Gazetteer, kind: str, d: np.ndarray, u: np.ndarray):
    """Places of ``kind`` chosen by uniforms ``u`` within each row's district ``d``."""
    table, offsets, sizes = gaz.table(kind)
    i = offsets[d] + np.minimum((u * sizes[d]).astype(np.int64), sizes[d] - 1)
    return table, i
