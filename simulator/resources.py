"""Emergency resources (``geo_resources``): fire stations and engines, ambulances, hospitals
with free beds, police patrol units, rescue teams, shelters with capacity and supply depots.

Vehicles run missions in 3-hour slots (dispatched -> on_scene -> returning -> available),
moving to the scene and back; hospitals' free beds change hourly; shelters open on typhoon and
rainstorm days. Every state is a pure function of (seed, resource, time): a step writes the
resources whose state changed in (a, b], as they stand at b.
"""

from __future__ import annotations

import json

import numpy as np

from .feeds import Feed, Step
from .frame import Frame, strings
from .places import district_weights
from .rng import generator, smooth_noise, uniform
from .schema import geo_resources
from .times import DAY, HOUR, MINUTE, day_start, local_day

SLOT = 3 * HOUR
PREFIX = {
    "fire_station": "FS",
    "fire_engine": "FE",
    "ambulance": "AM",
    "hospital": "HO",
    "police_unit": "PU",
    "rescue_team": "RT",
    "shelter": "SH",
    "supply_depot": "SD",
}
# kind: (count, agency, mission probability per slot, capabilities)
KINDS = {
    "fire_station": (22, "市消防救援支队", 0.0, ("灭火", "抢险救援", "社会救助")),
    "fire_engine": (80, "市消防救援支队", 0.12, ("灭火", "抢险救援")),
    "ambulance": (72, "市急救中心", 0.45, ("院前急救", "转运")),
    "hospital": (18, "市卫生健康委员会", 0.0, ("急诊", "ICU", "手术")),
    "police_unit": (64, "市公安局", 0.5, ("巡逻", "处警", "交通管制")),
    "rescue_team": (12, "市应急管理局", 0.05, ("水上救援", "山地救援", "破拆", "搜救")),
    "shelter": (40, "市应急管理局", 0.0, ("临时安置", "物资发放")),
    "supply_depot": (8, "市应急管理局", 0.0, ("帐篷", "折叠床", "救生衣", "发电机", "抽水泵")),
}
ENGINE_TYPES = (
    "水罐消防车",
    "泡沫消防车",
    "抢险救援消防车",
    "举高喷射消防车",
    "化学事故抢险救援车",
)
TEAMS = (
    "蓝天救援队",
    "水上救援队",
    "山地救援队",
    "港口消防救援队",
    "化工园区专职消防队",
    "电力应急抢修队",
    "燃气抢险队",
    "地震救援队",
    "城市排涝抢险队",
    "海上搜救分队",
    "民兵应急连",
    "红十字救援队",
)
HOSPITAL_NAMES = (
    "市第一人民医院",
    "市第二人民医院",
    "市中医院",
    "市妇幼保健院",
    "市东方医院",
    "市第四人民医院",
    "市第一人民医院东院区",
    "市第二人民医院开发区院区",
    "赣榆区人民医院",
    "赣榆区中医院",
    "东海县人民医院",
    "东海县中医院",
    "灌云县人民医院",
    "灌云县中医院",
    "灌南县人民医院",
    "灌南县中医院",
    "连云区人民医院",
    "海州区人民医院",
)


class ResourceFeed(Feed):
    name = "resources"

    def __init__(self, world):
        super().__init__(world)
        self.base = self._base()

    def _base(self) -> Frame:
        geo, gaz = self.world.geo, self.world.gazetteer
        rng = generator(self.seed, "resources", 0)
        weights = district_weights(geo)
        rows = {
            k: []
            for k in (
                "resource_id",
                "kind",
                "name",
                "agency",
                "district_code",
                "lon",
                "lat",
                "capacity",
                "capabilities",
                "phone",
                "p",
            )
        }
        stations = []
        for kind, (count, agency, p, caps) in KINDS.items():
            codes = np.array(geo.codes, dtype=object)[rng.choice(len(geo.codes), count, p=weights)]
            lon, lat = geo.sample_codes(rng, codes, 0.75)
            for i in range(count):
                code = codes[i]
                dn = geo.by_code(code).name_zh
                streets = gaz.places(code, "streets").names
                street = streets[int(rng.integers(0, len(streets)))]
                capacity, x, y = None, float(lon[i]), float(lat[i])
                cap_list = list(caps)
                if kind == "fire_station":
                    place = street.removesuffix("街道").removesuffix("镇").removesuffix("乡")
                    name = f"{dn}{place}消防救援站"
                    stations.append((code, x, y, name))
                elif kind == "fire_engine":
                    code, x, y, station = stations[i % len(stations)]
                    kind_name = ENGINE_TYPES[int(rng.integers(0, len(ENGINE_TYPES)))]
                    name = f"{station}{kind_name}"
                    cap_list.append("危化品处置" if "化学" in kind_name else "供水")
                elif kind == "ambulance":
                    name = f"120急救车 苏G{int(rng.integers(10000, 99999))}"
                elif kind == "hospital":
                    name = HOSPITAL_NAMES[i % len(HOSPITAL_NAMES)]
                    capacity = int(rng.integers(300, 2500))
                elif kind == "police_unit":
                    name = f"{dn}公安分局{street.removesuffix('街道')}派出所巡逻车{i % 5 + 1}号"
                elif kind == "rescue_team":
                    name = f"连云港{TEAMS[i % len(TEAMS)]}"
                    capacity = int(rng.integers(15, 80))
                elif kind == "shelter":
                    name = f"{dn}{street}应急避难场所"
                    capacity = int(rng.integers(5, 80)) * 100
                else:
                    name = f"{dn}应急物资储备库{i + 1}号"
                    capacity = int(rng.integers(2000, 20000))
                rows["resource_id"].append(f"{PREFIX[kind]}{i + 1:04d}")
                rows["kind"].append(kind)
                rows["name"].append(name)
                rows["agency"].append(agency)
                rows["district_code"].append(code)
                rows["lon"].append(round(x, 6))
                rows["lat"].append(round(y, 6))
                rows["capacity"].append(capacity)
                rows["capabilities"].append(json.dumps(cap_list, ensure_ascii=False))
                rows["phone"].append("0518-" + str(int(rng.integers(80000000, 89999999))))
                rows["p"].append(p)
        frame = Frame(
            {
                k: strings(v)
                if k
                in (
                    "resource_id",
                    "kind",
                    "name",
                    "agency",
                    "district_code",
                    "capabilities",
                    "phone",
                )
                else np.array(v)
                for k, v in rows.items()
                if k != "capacity"
            }
        )
        frame["capacity"] = np.array([np.nan if c is None else c for c in rows["capacity"]])
        return frame

    def _mission(self, k: int) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Whether each resource has a mission in slot ``k`` and the times of its phases."""
        s, idx = self.seed, np.arange(self.base.n)
        on = uniform(s, "res.mission", idx, k) < self.base["p"]
        begin = k * SLOT + (uniform(s, "res.begin", idx, k) * 45 * MINUTE).astype(np.int64)
        scene = begin + (8 + 12 * uniform(s, "res.travel", idx, k)).astype(np.int64) * MINUTE
        leave = scene + (20 + 50 * uniform(s, "res.work", idx, k)).astype(np.int64) * MINUTE
        back = leave + (10 + 15 * uniform(s, "res.return", idx, k)).astype(np.int64) * MINUTE
        return on, (begin, scene, leave, back)

    def state(self, t: int) -> Frame:
        """Status, position, availability and time of the last change of every resource at t.

        Units change shift daily at 08:00 local (00:00 UTC, a slot boundary), so the last change
        of a vehicle is its shift change or a mission phase since then: an exact, increasing
        function of t, which makes the rows written by a step independent of earlier steps.
        """
        base, s = self.base, self.seed
        n, idx = base.n, np.arange(base.n)
        shift = (t // DAY) * DAY
        since = np.full(n, shift, dtype=np.int64)
        for k in range(shift // SLOT, t // SLOT + 1):
            on, phases = self._mission(k)
            for when in phases:
                m = on & (when <= t)
                since = np.where(m, np.maximum(since, when), since)
        on, phases = self._mission(t // SLOT)
        status = np.full(n, "available", dtype=object)
        for when, label in zip(
            phases, ("dispatched", "on_scene", "returning", "available"), strict=True
        ):
            status[on & (when <= t)] = label
        slot = t // SLOT
        dx = (uniform(s, "res.dx", idx, slot) - 0.5) * 0.08
        dy = (uniform(s, "res.dy", idx, slot) - 0.5) * 0.06
        factor = np.where(
            status == "on_scene",
            1.0,
            np.where(np.isin(status, ("dispatched", "returning")), 0.5, 0.0),
        )
        lon = base["lon"] + dx * factor
        lat = base["lat"] + dy * factor
        for code in self.world.geo.codes:  # a scene outside the unit's district: stay at base
            m = (base["district_code"] == code) & (factor > 0)
            if m.any():
                out = ~self.world.geo.contains(code, lon[m], lat[m])
                lon[np.nonzero(m)[0][out]] = base["lon"][m][out]
                lat[np.nonzero(m)[0][out]] = base["lat"][m][out]
        kind = base["kind"]
        available = np.full(n, np.nan)
        hospital = kind == "hospital"
        free = base["capacity"] * (0.09 + 0.07 * smooth_noise(s, "res.beds", idx, t, 8 * HOUR))
        available[hospital] = np.round(free[hospital])
        status[hospital & (available < 10)] = "full"
        since[hospital] = (t // HOUR) * HOUR
        shelter = kind == "shelter"
        report_day = local_day(t - 6 * HOUR)
        w = self.world.weather.daily(np.array([report_day]))
        open_day = bool(w["typhoon"][0] or w["rain_mm"][0] >= 100)
        status[shelter] = "open" if open_day else "standby"
        occupancy = 0.1 + 0.4 * uniform(s, "res.occ", idx, report_day) if open_day else 0.0
        available[shelter] = np.round(base["capacity"] * (1 - occupancy))[shelter]
        since[shelter] = day_start(report_day) + 6 * HOUR
        static = np.isin(kind, ("fire_station", "supply_depot"))
        since[static] = self.world.t0 - 30 * DAY
        keeps = np.isin(kind, ("fire_station", "supply_depot", "rescue_team"))
        available[keeps] = base["capacity"][keeps]
        return Frame(
            {
                "resource_id": base["resource_id"],
                "status": status,
                "lon": np.round(lon, 6),
                "lat": np.round(lat, 6),
                "available": available,
                "status_since": since,
                "updated_at": since,
            }
        )

    def build(self, step: Step) -> None:
        now = self.state(self.world.t0)
        frame = self.base.select(
            (
                "resource_id",
                "kind",
                "name",
                "agency",
                "district_code",
                "capacity",
                "capabilities",
                "phone",
            )
        )
        frame["base_lon"] = self.base["lon"]
        frame["base_lat"] = self.base["lat"]
        for col in ("status", "lon", "lat", "available", "status_since", "updated_at"):
            frame[col] = now[col]
        step.insert(geo_resources, frame)
        step.write_file("files/shelters.geojson", self._shelters_geojson(frame))

    @staticmethod
    def _shelters_geojson(frame: Frame) -> bytes:
        features = []
        for i in np.nonzero(frame["kind"] == "shelter")[0].tolist():
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(frame["base_lon"][i]), float(frame["base_lat"][i])],
                    },
                    "properties": {
                        "id": frame["resource_id"][i],
                        "name": frame["name"][i],
                        "district_code": frame["district_code"][i],
                        "lon": float(frame["base_lon"][i]),
                        "lat": float(frame["base_lat"][i]),
                        "capacity": int(frame["capacity"][i]),
                        "agency": frame["agency"][i],
                    },
                }
            )
        doc = {"type": "FeatureCollection", "features": features}
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")

    def emit(self, step: Step) -> None:
        now = self.state(step.b)
        changed = now["status_since"] > step.a
        if changed.any():
            step.update(geo_resources, ("resource_id",), now.take(changed))
