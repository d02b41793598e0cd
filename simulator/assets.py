"""Spatial base database: city assets (``geo_assets``) and their status changes.

Point kinds (street lights dominate), line kinds (water and drainage pipes, GeoJSON
LineStrings) and polygons (parks), each inside its district's outline, clustered around the
urban centres, with kind-specific attributes. Faults, maintenance and outages are episodes
drawn per local day from ``generator(seed, "asset.episodes", day)``; an asset already in an
episode during the previous days is not picked again, so the status of every asset at any
time is a pure function of the seed - the live clock only writes the transitions it passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import shapely

from .feeds import Feed, Step
from .frame import Frame, strings
from .places import district_weights
from .rng import generator
from .schema import geo_asset_status_changes, geo_assets
from .times import DAY, HOUR, day_start, local_day


@dataclass(frozen=True)
class Kind:
    key: str
    prefix: str
    geometry: str  # point | line | polygon
    share: float  # of config.assets for points; per 1,000 assets for lines/polygons
    urban: float
    owner: str
    fault_rate: float  # episodes per asset per day
    hours: float  # median episode length
    outcomes: tuple[tuple[str, float, tuple[str, ...]], ...]  # (status, weight, reasons)


KINDS = (
    Kind(
        "street_light",
        "SL",
        "point",
        0.62,
        0.85,
        "市城市管理局",
        0.0009,
        30,
        (
            ("fault", 0.85, ("灯具损坏", "线路故障", "灯杆倾斜", "光源老化")),
            ("maintenance", 0.15, ("计划检修", "灯具更换")),
        ),
    ),
    Kind(
        "manhole_cover",
        "MH",
        "point",
        0.15,
        0.85,
        "市城市管理局",
        0.00025,
        20,
        (("fault", 1.0, ("井盖破损", "井盖缺失", "井盖沉陷", "井盖松动异响")),),
    ),
    Kind(
        "cctv_camera",
        "CC",
        "point",
        0.085,
        0.8,
        "市公安局",
        0.002,
        14,
        (
            ("offline", 0.6, ("网络中断", "设备掉线", "供电中断")),
            ("fault", 0.3, ("画面模糊", "云台故障", "镜头遮挡")),
            ("maintenance", 0.1, ("例行维护",)),
        ),
    ),
    Kind(
        "fire_hydrant",
        "FH",
        "point",
        0.075,
        0.8,
        "市消防救援支队",
        0.0004,
        60,
        (
            ("fault", 0.7, ("漏水", "压力不足", "被车辆撞损")),
            ("maintenance", 0.3, ("防冻检修", "例行保养")),
        ),
    ),
    Kind(
        "bus_stop",
        "BS",
        "point",
        0.035,
        0.7,
        "市交通运输局",
        0.0005,
        40,
        (("fault", 0.8, ("候车亭破损", "电子站牌黑屏")), ("maintenance", 0.2, ("站台改造",))),
    ),
    Kind(
        "traffic_signal",
        "TS",
        "point",
        0.012,
        0.9,
        "市公安局交通警察支队",
        0.0015,
        5,
        (("fault", 0.7, ("信号灯不亮", "黄闪", "配时故障")), ("offline", 0.3, ("通信中断",))),
    ),
    Kind(
        "school",
        "SC",
        "point",
        0.006,
        0.55,
        "市教育局",
        0.00005,
        72,
        (("maintenance", 1.0, ("校舍维修", "设施改造")),),
    ),
    Kind(
        "hospital",
        "HP",
        "point",
        0.0017,
        0.6,
        "市卫生健康委员会",
        0.00002,
        48,
        (("maintenance", 1.0, ("设备检修",)),),
    ),
    Kind(
        "park",
        "PK",
        "polygon",
        2.0,
        0.8,
        "市住房和城乡建设局",
        0.0003,
        60,
        (("maintenance", 1.0, ("绿化养护", "设施维修", "园路改造")),),
    ),
    Kind(
        "water_pipe",
        "WP",
        "line",
        16.0,
        0.8,
        "市水务集团",
        0.0006,
        10,
        (("fault", 0.7, ("爆管", "漏水")), ("maintenance", 0.3, ("计划停水检修",))),
    ),
    Kind(
        "drainage_pipe",
        "DP",
        "line",
        20.0,
        0.8,
        "市城市管理局",
        0.0005,
        20,
        (("fault", 1.0, ("管道堵塞", "管道破损", "检查井满溢")),),
    ),
)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
EXCLUSION_DAYS = 6
MAX_EPISODE = EXCLUSION_DAYS * DAY - HOUR
RESTORED = {"fault": "维修完成", "maintenance": "检修完成", "offline": "恢复在线"}
SHOP = ("小学", "中学", "实验小学", "幼儿园", "初级中学", "高级中学")
HOSPITALS = (
    "市第一人民医院",
    "市第二人民医院",
    "市中医院",
    "市妇幼保健院",
    "市东方医院",
    "市第四人民医院",
    "市口腔医院",
)
DISTRICT_BOOST = {
    "320706": 1.6,
    "320703": 1.5,
    "320707": 1.0,
    "320722": 0.8,
    "320723": 0.8,
    "320724": 0.8,
}


def kind_counts(total: int) -> np.ndarray:
    """Number of assets of each kind for ``config.assets`` point assets."""
    counts = []
    for kind in KINDS:
        share = kind.share if kind.geometry == "point" else kind.share / 1000
        counts.append(max(1, round(total * share)) if total else 0)
    counts = np.array(counts, dtype=np.int64)
    points = np.array([k.geometry == "point" for k in KINDS])
    if total:  # street lights take the remainder (tiny totals still get one of each kind)
        counts[0] = max(1, counts[0] + total - counts[points].sum())
    return counts


def _split(n: int, weights: np.ndarray) -> np.ndarray:
    """Integer split of n by weights (largest remainder)."""
    raw = n * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(-(raw - out), kind="stable")[: n - out.sum()]] += 1
    return out


class AssetFeed(Feed):
    name = "assets"

    def __init__(self, world):
        super().__init__(world)
        self.counts = kind_counts(int(world.config.assets))
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)])
        self._episodes: dict[int, dict[str, np.ndarray]] = {}

    # --- identities ----------------------------------------------------------------------
    def asset_ids(self, index: np.ndarray) -> tuple[list[str], list[str]]:
        k = np.searchsorted(self.offsets, index, side="right") - 1
        local = index - self.offsets[k]
        ids = [f"{KINDS[a].prefix}{b:06d}" for a, b in zip(k.tolist(), local.tolist(), strict=True)]
        return ids, [KINDS[a].key for a in k.tolist()]

    # --- episodes ------------------------------------------------------------------------
    def _raw(self, day: int) -> dict[str, np.ndarray]:
        cached = self._episodes.get(day)
        if cached is not None:
            return cached
        rng = generator(self.seed, "asset.episodes", day)
        w = self.world.weather.daily(np.array([day]))
        wet = float(w["rain_mm"][0])
        windy = int(w["wind"][0])
        cold = float(w["tmin"][0]) < -3
        parts = {k: [] for k in ("index", "start", "end", "status", "reason")}
        for ki, kind in enumerate(KINDS):
            rate = kind.fault_rate * self.counts[ki]
            if kind.key == "drainage_pipe":
                rate *= 1 + wet / 8
            if kind.key in ("street_light", "traffic_signal", "cctv_camera"):
                rate *= 1 + 0.15 * max(windy - 5, 0) + wet / 60
            if kind.key in ("water_pipe", "fire_hydrant") and cold:
                rate *= 2.5
            n = int(rng.poisson(rate)) if self.counts[ki] else 0
            index = self.offsets[ki] + rng.integers(0, max(self.counts[ki], 1), n)
            start = day_start(day) + rng.integers(0, DAY, n)
            hours = np.exp(rng.normal(np.log(kind.hours), 0.7, n))
            length = np.clip(hours * HOUR, 20 * 60, MAX_EPISODE).astype(np.int64)
            weights = np.array([o[1] for o in kind.outcomes])
            which = rng.choice(len(kind.outcomes), n, p=weights / weights.sum())
            reason_u = rng.random(n)
            parts["index"].append(index)
            parts["start"].append(start)
            parts["end"].append(start + length)
            parts["status"].append(np.array([kind.outcomes[o][0] for o in which], dtype=object))
            reasons = [
                kind.outcomes[o][2][int(r * len(kind.outcomes[o][2]))]
                for o, r in zip(which.tolist(), reason_u.tolist(), strict=True)
            ]
            parts["reason"].append(np.array(reasons, dtype=object))
        raw = {k: np.concatenate(v) if v else np.empty(0) for k, v in parts.items()}
        if len(self._episodes) > 64:
            self._episodes.pop(min(self._episodes))
        self._episodes[day] = raw
        return raw

    def episodes(self, day: int) -> dict[str, np.ndarray]:
        """Episodes starting on ``day``: no asset twice, none already picked in the last days."""
        raw = self._raw(day)
        recent = np.concatenate([self._raw(day - k)["index"] for k in range(1, EXCLUSION_DAYS + 1)])
        _, first = np.unique(raw["index"], return_index=True)
        keep = np.zeros(len(raw["index"]), dtype=bool)
        keep[first] = True
        keep &= ~np.isin(raw["index"], recent)
        return {k: v[keep] for k, v in raw.items()}

    def transitions(self, a: int, b: int) -> Frame:
        """Status changes with times in (a, b], in time order."""
        parts = []
        for day in range(int(local_day(a)) - EXCLUSION_DAYS, int(local_day(b)) + 1):
            ep = self.episodes(day)
            for when, frm, to, reason in (
                (
                    ep["start"],
                    np.full(len(ep["start"]), "normal", dtype=object),
                    ep["status"],
                    ep["reason"],
                ),
                (
                    ep["end"],
                    ep["status"],
                    np.full(len(ep["end"]), "normal", dtype=object),
                    np.array([RESTORED[s] for s in ep["status"]], dtype=object),
                ),
            ):
                m = (when > a) & (when <= b)
                if m.any():
                    parts.append(
                        Frame(
                            {
                                "index": ep["index"][m],
                                "changed_at": when[m],
                                "from_status": frm[m],
                                "to_status": to[m],
                                "reason": reason[m],
                            }
                        )
                    )
        frame = Frame.concat(parts)
        if frame.n:
            frame = frame.take(np.lexsort((frame["index"], frame["changed_at"])))
        return frame

    def status_at(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(status, time of last change or -1) of every asset at time ``t``."""
        status = np.full(int(self.offsets[-1]), "normal", dtype=object)
        last = np.full(int(self.offsets[-1]), -1, dtype=np.int64)
        for day in range(int(local_day(t)) - EXCLUSION_DAYS, int(local_day(t)) + 1):
            ep = self.episodes(day)
            active = (ep["start"] <= t) & (ep["end"] > t)
            status[ep["index"][active]] = ep["status"][active]
            for when in (ep["start"], ep["end"]):
                m = when <= t
                np.maximum.at(last, ep["index"][m], when[m])
        return status, last

    # --- build ---------------------------------------------------------------------------
    def build(self, step: Step) -> None:
        t0 = self.world.t0
        status, last = self.status_at(t0)
        for ki, kind in enumerate(KINDS):
            n = int(self.counts[ki])
            if not n:
                continue
            frame = self._kind_rows(ki, kind, n)
            lo = int(self.offsets[ki])
            frame["status"] = status[lo : lo + n]
            surveyed = t0 - (generator(self.seed, "asset.survey", ki).integers(1, 365, n) * DAY)
            frame["updated_at"] = np.maximum(last[lo : lo + n], surveyed)
            step.insert(geo_assets, frame)

    def _kind_rows(self, ki: int, kind: Kind, n: int) -> Frame:
        world = self.world
        geo, gaz = world.geo, world.gazetteer
        rng = generator(self.seed, "assets", ki)
        weights = district_weights(geo) * np.array([DISTRICT_BOOST[c] for c in geo.codes])
        per_district = _split(n, weights)
        codes = np.repeat(np.array(geo.codes, dtype=object), per_district)
        lon = np.empty(n)
        lat = np.empty(n)
        geometry = np.full(n, None, dtype=object)
        pos = 0
        for code, m in zip(geo.codes, per_district.tolist(), strict=True):
            if not m:
                continue
            sl = slice(pos, pos + m)
            if kind.geometry == "point":
                lon[sl], lat[sl] = geo.sample(rng, code, m, kind.urban)
            else:
                lon[sl], lat[sl], geometry[sl] = _shapes(rng, geo, code, m, kind)
            pos += m
        roads = [gaz.places(c, "roads").names for c in geo.codes]
        road_of = {c: r for c, r in zip(geo.codes, roads, strict=True)}
        road_u = rng.random((n, 2))
        number = rng.integers(1, 300, n)
        names = []
        for i in range(n):
            r = road_of[codes[i]]
            road = r[int(road_u[i, 0] * len(r))]
            road2 = r[int(road_u[i, 1] * len(r))]
            names.append(_name(kind.key, i, road, road2, number[i], codes[i], geo, gaz, rng))
        install = local_day(world.t0) - rng.integers(60, 25 * 365, n)
        return Frame(
            {
                "asset_id": strings([f"{kind.prefix}{i:06d}" for i in range(n)]),
                "kind": strings([kind.key] * n),
                "name": strings(names),
                "district_code": codes,
                "lon": np.round(lon, 6),
                "lat": np.round(lat, 6),
                "geometry": geometry,
                "install_date": install,
                "owner_department": strings([kind.owner] * n),
                "attributes": strings(_attributes(kind.key, rng, n)),
            }
        )

    # --- live ----------------------------------------------------------------------------
    def emit(self, step: Step) -> None:
        changes = self.transitions(step.a, step.b)
        if not changes.n:
            return
        ids, kinds = self.asset_ids(changes["index"])
        changed_at = changes["changed_at"]
        step.insert(
            geo_asset_status_changes,
            Frame(
                {
                    "change_id": strings(
                        [
                            f"{a}-{t}-{'s' if s == 'normal' else 'e'}"
                            for a, t, s in zip(
                                ids,
                                changed_at.tolist(),
                                changes["from_status"].tolist(),
                                strict=True,
                            )
                        ]
                    ),
                    "asset_id": strings(ids),
                    "kind": strings(kinds),
                    "from_status": changes["from_status"],
                    "to_status": changes["to_status"],
                    "reason": changes["reason"],
                    "changed_at": changed_at,
                    "updated_at": changed_at,
                }
            ),
        )
        # last transition per asset wins (rows are in time order)
        _, last = np.unique(changes["index"][::-1], return_index=True)
        last = changes.n - 1 - last
        step.update(
            geo_assets,
            ("asset_id",),
            Frame(
                {
                    "asset_id": strings([ids[i] for i in last.tolist()]),
                    "status": changes["to_status"][last],
                    "updated_at": changed_at[last],
                }
            ),
        )


def _shapes(rng, geo, code: str, m: int, kind: Kind):
    """Lines (random walks along a heading) or polygons (jittered rings) inside the district."""
    district = geo.by_code(code)
    lon = np.empty(m)
    lat = np.empty(m)
    texts = np.empty(m, dtype=object)
    todo = np.arange(m)
    for _ in range(50):
        if not len(todo):
            break
        k = len(todo)
        cx, cy = geo.sample(rng, code, k, kind.urban)
        if kind.geometry == "line":
            vertices = int(rng.integers(3, 7))
            step_m = rng.uniform(60, 350, (k, vertices - 1))
            heading = rng.uniform(0, 2 * np.pi, k)[:, None] + np.cumsum(
                rng.normal(0, 0.35, (k, vertices - 1)), axis=1
            )
            dx = (
                np.cumsum(step_m * np.cos(heading), axis=1)
                / (111_320 * np.cos(np.radians(cy)))[:, None]
            )
            dy = np.cumsum(step_m * np.sin(heading), axis=1) / 110_574
            xs = np.concatenate([cx[:, None], cx[:, None] + dx], axis=1)
            ys = np.concatenate([cy[:, None], cy[:, None] + dy], axis=1)
        else:
            vertices = int(rng.integers(7, 11))
            radius = rng.uniform(60, 450, k)[:, None] * rng.uniform(0.75, 1.25, (k, vertices))
            angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)[None, :]
            xs = cx[:, None] + radius * np.cos(angle) / (111_320 * np.cos(np.radians(cy)))[:, None]
            ys = cy[:, None] + radius * np.sin(angle) / 110_574
        inside = shapely.contains_xy(district.geometry, xs, ys).all(axis=1)
        for j in np.nonzero(inside)[0].tolist():
            i = todo[j]
            x, y = np.round(xs[j], 6).tolist(), np.round(ys[j], 6).tolist()
            if kind.geometry == "line":
                coords = ",".join(f"[{a},{b}]" for a, b in zip(x, y, strict=True))
                texts[i] = f'{{"type":"LineString","coordinates":[{coords}]}}'
                mid = len(x) // 2
                lon[i], lat[i] = x[mid], y[mid]
            else:
                ring = [*zip(x, y, strict=True), (x[0], y[0])]
                coords = ",".join(f"[{a},{b}]" for a, b in ring)
                texts[i] = f'{{"type":"Polygon","coordinates":[[{coords}]]}}'
                lon[i], lat[i] = float(cx[j]), float(cy[j])
        todo = todo[~inside]
    if len(todo):
        raise RuntimeError(f"could not place {len(todo)} {kind.key} shapes in district {code}")
    return lon, lat, texts


def _name(kind: str, i: int, road: str, road2: str, number: int, code: str, geo, gaz, rng) -> str:
    dn = geo.by_code(code).name_zh
    if kind == "street_light":
        return f"{road}{number}号灯杆"
    if kind == "manhole_cover":
        return f"{road}{('雨水', '污水', '电力', '通信', '燃气')[number % 5]}井{number}号"
    if kind == "cctv_camera":
        return f"{road}与{road2}交叉口监控" if road != road2 else f"{road}{number}号监控"
    if kind == "fire_hydrant":
        return f"{road}{number}号消火栓"
    if kind == "bus_stop":
        return f"{road}{('东', '西', '南', '北', '中')[number % 5]}站"
    if kind == "traffic_signal":
        return f"{road}与{road2}路口信号机" if road != road2 else f"{road}{number}号人行横道信号机"
    if kind == "school":
        place = gaz.places(code, ("streets", "roads", "communities")[number % 3]).names
        base = place[number % len(place)].removesuffix("街道").removesuffix("路").removesuffix("镇")
        return f"{dn}{base}{SHOP[i % len(SHOP)]}"
    if kind == "hospital":
        if i < len(HOSPITALS):
            return f"连云港{HOSPITALS[i]}"
        towns = gaz.places(code, "streets").names
        town = towns[number % len(towns)]
        suffix = "卫生院" if town.endswith(("镇", "乡")) else "社区卫生服务中心"
        return f"{dn}{town}{suffix}"
    if kind == "park":
        place = gaz.places(code, ("communities", "landmarks", "roads")[number % 3]).names
        return f"{place[number % len(place)]}{('游园', '公园', '街头绿地')[number % 3]}"
    if kind == "water_pipe":
        return f"{road}给水管(DN{(100, 150, 200, 300, 400, 600)[number % 6]})"
    return f"{road}{('雨水', '污水', '合流')[number % 3]}管"


def _attributes(kind: str, rng, n: int) -> list[str]:
    u = rng.random((n, 4))
    out = []
    for a, b, c, d in u.tolist():
        if kind == "street_light":
            attrs = {
                "wattage": (60, 100, 150, 250)[int(a * 4)],
                "lamp_type": "LED" if b < 0.7 else "高压钠灯",
                "pole_height_m": (6, 8, 10, 12)[int(c * 4)],
                "smart": d < 0.3,
            }
        elif kind == "manhole_cover":
            attrs = {
                "utility": ("雨水", "污水", "电力", "通信", "燃气")[int(a * 5)],
                "material": "球墨铸铁" if b < 0.7 else "复合材料",
                "diameter_mm": 700,
                "sensor": c < 0.2,
            }
        elif kind == "cctv_camera":
            attrs = {
                "resolution": ("1080p", "400万像素", "4K")[int(a * 3)],
                "ptz": b < 0.4,
                "network": "视频专网" if c < 0.7 else "公安网",
                "ai": d < 0.35,
            }
        elif kind == "fire_hydrant":
            attrs = {
                "type": "地上式" if a < 0.7 else "地下式",
                "pressure_mpa": round(0.14 + b * 0.36, 2),
                "diameter_mm": 100 if c < 0.6 else 150,
            }
        elif kind == "bus_stop":
            attrs = {
                "routes": sorted({1 + int(a * 60), 1 + int(b * 60), 1 + int(c * 90)}),
                "shelter": d < 0.7,
                "e_board": d < 0.4,
            }
        elif kind == "traffic_signal":
            attrs = {"phases": 2 + int(a * 3), "adaptive": b < 0.35, "countdown": c < 0.8}
        elif kind == "school":
            attrs = {
                "level": ("幼儿园", "小学", "初中", "高中")[int(a * 4)],
                "students": 200 + int(b * 2800),
                "public": c < 0.85,
            }
        elif kind == "hospital":
            attrs = {
                "grade": ("三级甲等", "二级甲等", "一级", "社区")[int(a * 4)],
                "beds": 50 + int(b * 1500),
                "emergency": c < 0.6,
            }
        elif kind == "park":
            attrs = {
                "area_ha": round(0.5 + a * 40, 1),
                "open_hours": "06:00-22:00" if b < 0.7 else "全天开放",
                "toilets": int(c * 6),
            }
        elif kind == "water_pipe":
            attrs = {
                "diameter_mm": (100, 150, 200, 300, 400, 600)[int(a * 6)],
                "material": ("球墨铸铁", "PE", "钢管")[int(b * 3)],
                "pressure_mpa": round(0.2 + c * 0.3, 2),
                "buried_depth_m": round(0.8 + d * 1.5, 1),
            }
        else:
            attrs = {
                "diameter_mm": (300, 400, 600, 800, 1000)[int(a * 5)],
                "system": ("雨水", "污水", "合流")[int(b * 3)],
                "material": "钢筋混凝土",
            }
        out.append(_JSON.encode(attrs))
    return out
