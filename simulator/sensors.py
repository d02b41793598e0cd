"""Sensor feeds shaped for a SensorThings API server: Things (stations), Datastreams (one
observed property with its unit) and Observations (phenomenon time, result).

~20 air-quality stations (AQI, PM2.5, PM10, O3, NO2), 15 water-level gauges on rivers,
reservoirs and the tidal Guan River (with warning and guarantee levels), 8 water-quality
sections, 40 traffic detectors (flow, speed) and a congestion index / bus on-time rate per
district. Readings every 10 (traffic index: 5) simulated minutes, each a pure function of
(seed, stream, time) driven by the shared weather (rain raises rivers, calm winter days are
hazy) and daily rhythms (rush hours). Like real feeds they have gaps, a few nulls and rare
absurd values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .gazetteer import KNOWN_COORDS
from .rhythms import hour_curve, seasonal
from .rng import generator, smooth_noise, uniform
from .schema import sensor_datastreams, sensor_observations, sensor_things
from .times import DAY, HOUR, day_of_year, local_day, local_hour, local_weekday

OM_MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
UCUM = "http://unitsofmeasure.org/ucum.html#"

# property key: (name, name zh, unit name, symbol, UCUM code)
PROPERTIES = {
    "aqi": ("AQI", "空气质量指数", "index", "AQI", "1"),
    "pm25": ("PM2.5", "细颗粒物", "microgram per cubic metre", "μg/m³", "ug/m3"),
    "pm10": ("PM10", "可吸入颗粒物", "microgram per cubic metre", "μg/m³", "ug/m3"),
    "o3": ("O3", "臭氧", "microgram per cubic metre", "μg/m³", "ug/m3"),
    "no2": ("NO2", "二氧化氮", "microgram per cubic metre", "μg/m³", "ug/m3"),
    "water_level": ("Water level", "水位", "metre", "m", "m"),
    "do": ("Dissolved oxygen", "溶解氧", "milligram per litre", "mg/L", "mg/L"),
    "nh3n": ("Ammonia nitrogen", "氨氮", "milligram per litre", "mg/L", "mg/L"),
    "codmn": ("Permanganate index", "高锰酸盐指数", "milligram per litre", "mg/L", "mg/L"),
    "tp": ("Total phosphorus", "总磷", "milligram per litre", "mg/L", "mg/L"),
    "flow": (
        "Traffic flow",
        "车流量",
        "vehicles per 10 minutes",
        "veh/10min",
        "{vehicle}/(10.min)",
    ),
    "speed": ("Average speed", "平均车速", "kilometre per hour", "km/h", "km/h"),
    "congestion_index": ("Congestion index", "交通拥堵指数", "index", "", "1"),
    "bus_on_time": ("Bus on-time rate", "公交准点率", "percent", "%", "%"),
}
KIND_PROPERTIES = {
    "air_quality": (("aqi", "pm25", "pm10", "o3", "no2"), 600),
    "water_level": (("water_level",), 600),
    "water_quality": (("do", "nh3n", "codmn", "tp"), 600),
    "traffic": (("flow", "speed"), 600),
    "traffic_index": (("congestion_index", "bus_on_time"), 300),
}
AQ_STATIONS = (
    ("市监测站", "320706", 1.05),
    ("洪门", "320706", 1.1),
    ("新浦", "320706", 1.1),
    ("海州古城", "320706", 1.0),
    ("朐阳", "320706", 1.05),
    ("墟沟", "320703", 0.95),
    ("连云港港", "320703", 1.15),
    ("板桥", "320703", 1.1),
    ("徐圩", "320703", 1.2),
    ("宿城", "320703", 0.85),
    ("青口", "320707", 1.05),
    ("海头", "320707", 0.95),
    ("柘汪", "320707", 1.15),
    ("牛山", "320722", 1.05),
    ("温泉", "320722", 0.9),
    ("白塔埠", "320722", 1.0),
    ("伊山", "320723", 1.05),
    ("燕尾港", "320723", 1.1),
    ("新安", "320724", 1.05),
    ("堆沟港", "320724", 1.15),
)
# name, water body, district, kind, normal level, warning level, guarantee level (m)
GAUGES = (
    ("蔷薇河临洪闸", "蔷薇河", "320706", "river", 2.2, 4.5, 5.3),
    ("新沭河太平庄闸", "新沭河", "320707", "river", 2.0, 4.8, 5.8),
    ("石梁河水库", "石梁河水库", "320722", "reservoir", 22.0, 24.5, 26.0),
    ("安峰山水库", "安峰山水库", "320722", "reservoir", 14.5, 16.5, 17.8),
    ("小塔山水库", "小塔山水库", "320707", "reservoir", 30.5, 32.8, 34.0),
    ("西双湖", "西双湖水库", "320722", "reservoir", 9.0, 10.5, 11.5),
    ("盐河新浦", "盐河", "320706", "river", 2.5, 3.9, 4.6),
    ("玉带河", "玉带河", "320706", "river", 2.3, 3.6, 4.2),
    ("龙尾河", "龙尾河", "320706", "river", 2.4, 3.7, 4.3),
    ("烧香河", "烧香河", "320703", "river", 1.8, 3.4, 4.0),
    ("排淡河", "排淡河", "320703", "river", 1.9, 3.3, 3.9),
    ("青口河", "青口河", "320707", "river", 2.1, 3.8, 4.5),
    ("善后河", "古泊善后河", "320723", "river", 1.7, 3.2, 3.9),
    ("燕尾港潮位站", "灌河", "320723", "tidal", 0.5, 3.5, 4.2),
    ("新沂河灌南段", "新沂河", "320724", "river", 3.0, 6.0, 7.2),
)
# name, water body, district, NH3-N, CODMn, TP baselines (mg/L)
SECTIONS = (
    ("蔷薇河临洪闸断面", "蔷薇河", "320706", 0.45, 4.8, 0.12),
    ("新沭河墩尚断面", "新沭河", "320707", 0.35, 4.2, 0.10),
    ("石梁河水库断面", "石梁河水库", "320722", 0.25, 3.6, 0.05),
    ("安峰山水库断面", "安峰山水库", "320722", 0.22, 3.4, 0.04),
    ("善后河断面", "古泊善后河", "320723", 0.6, 5.5, 0.16),
    ("盐河灌南段断面", "盐河", "320724", 0.55, 5.2, 0.15),
    ("灌河燕尾港断面", "灌河", "320723", 0.5, 4.9, 0.14),
    ("新沂河断面", "新沂河", "320724", 0.4, 4.5, 0.11),
)
DETECTORS = {"320706": 15, "320703": 8, "320707": 5, "320722": 5, "320723": 4, "320724": 3}
CONGESTION = {
    "320706": 1.2,
    "320703": 0.9,
    "320707": 0.7,
    "320722": 0.55,
    "320723": 0.5,
    "320724": 0.5,
}
IAQI = np.array([0, 50, 100, 150, 200, 300, 400, 500])
BREAKPOINTS = {
    "pm25": np.array([0, 35, 75, 115, 150, 250, 350, 500]),
    "pm10": np.array([0, 50, 150, 250, 350, 420, 500, 600]),
    "o3": np.array([0, 160, 200, 300, 400, 800, 1000, 1200]),
    "no2": np.array([0, 100, 200, 700, 1200, 2340, 3090, 3840]),
}


@dataclass(frozen=True)
class Thing:
    thing_id: int
    code: str
    name: str
    kind: str
    district: str
    lon: float
    lat: float
    params: dict


def aqi(values: dict[str, np.ndarray]) -> np.ndarray:
    """China HJ 633-2012 AQI: the largest individual index (IAQI) of the pollutants."""
    sub = [np.interp(values[p], BREAKPOINTS[p], IAQI) for p in BREAKPOINTS]
    return np.ceil(np.max(sub, axis=0))


class SensorFeed(BlockFeed):
    name = "sensors"
    block_seconds = 6 * HOUR  # fewer, larger numpy batches
    max_delay = 300

    def __init__(self, world):
        super().__init__(world)
        self.things = self._things()
        self.datastreams: list[tuple[int, Thing, str, int]] = []
        ds = 1
        for thing in self.things:
            props, interval = KIND_PROPERTIES[thing.kind]
            for prop in props:
                self.datastreams.append((ds, thing, prop, interval))
                ds += 1

    def _things(self) -> list[Thing]:
        world = self.world
        geo, gaz = world.geo, world.gazetteer
        rng = generator(self.seed, "sensors.things", 0)
        things: list[Thing] = []

        def locate(code: str, name: str, urban: float) -> tuple[float, float]:
            for kind in ("streets", "landmarks", "roads"):
                places = gaz.places(code, kind)
                for i, place in enumerate(places.names.tolist()):
                    if name in place or place.removesuffix("街道").removesuffix("镇") in name:
                        return float(places.lon[i]), float(places.lat[i])
            if name in KNOWN_COORDS:
                return geo.inside_or_sample(rng, code, *KNOWN_COORDS[name], urban)
            x, y = geo.sample(rng, code, 1, urban)
            return float(x[0]), float(y[0])

        def add(code, name, kind, district, lon, lat, params):
            things.append(
                Thing(
                    len(things) + 1,
                    code,
                    name,
                    kind,
                    district,
                    round(lon, 6),
                    round(lat, 6),
                    params,
                )
            )

        for i, (name, district, factor) in enumerate(AQ_STATIONS):
            lon, lat = locate(district, name, 0.9)
            add(
                f"AQ{i + 1:03d}",
                f"{name}空气质量监测站",
                "air_quality",
                district,
                lon,
                lat,
                {"station_type": ("国控", "省控", "市控")[i % 3], "factor": factor},
            )
        for i, (name, body, district, kind, normal, warning, guarantee) in enumerate(GAUGES):
            lon, lat = locate(district, name, 0.3)
            add(
                f"WL{i + 1:03d}",
                f"{name}水位站",
                "water_level",
                district,
                lon,
                lat,
                {
                    "waterbody": body,
                    "gauge_kind": kind,
                    "normal_level_m": normal,
                    "warning_level_m": warning,
                    "guarantee_level_m": guarantee,
                    "datum": "废黄河高程",
                },
            )
        for i, (name, body, district, nh3, cod, tp) in enumerate(SECTIONS):
            lon, lat = locate(district, name.removesuffix("断面"), 0.3)
            add(
                f"WQ{i + 1:03d}",
                f"{name}水质自动监测站",
                "water_quality",
                district,
                lon,
                lat,
                {"waterbody": body, "target_class": "III", "nh3n": nh3, "codmn": cod, "tp": tp},
            )
        n = 0
        for district, count in DETECTORS.items():
            places = gaz.places(district, "roads")
            for _ in range(count):
                a, b = rng.choice(len(places.names), 2, replace=False)
                n += 1
                add(
                    f"TD{n:03d}",
                    f"{places.names[a]}与{places.names[b]}交叉口检测器",
                    "traffic",
                    district,
                    float(places.lon[a]) + rng.normal(0, 0.003),
                    float(places.lat[a]) + rng.normal(0, 0.003),
                    {
                        "road": places.names[a],
                        "lanes": int(rng.integers(2, 5)),
                        "free_speed_kmh": int(rng.integers(40, 71)),
                    },
                )
        for district in geo.codes:
            d = geo.by_code(district)
            x, y = d.centres[0, 0], d.centres[0, 1]
            add(
                f"TI{district}",
                f"{d.name_zh}交通运行指数",
                "traffic_index",
                district,
                x,
                y,
                {"district": d.name_zh},
            )
        # keep every thing inside its district
        for i, thing in enumerate(things):
            if not geo.contains(thing.district, np.array([thing.lon]), np.array([thing.lat]))[0]:
                x, y = geo.sample(rng, thing.district, 1, 0.8)
                things[i] = Thing(
                    thing.thing_id,
                    thing.code,
                    thing.name,
                    thing.kind,
                    thing.district,
                    round(float(x[0]), 6),
                    round(float(y[0]), 6),
                    thing.params,
                )
        return things

    def build(self, step: Step) -> None:
        t = self.world.t0 - 180 * DAY
        step.insert(
            sensor_things,
            Frame(
                {
                    "thing_id": np.array([x.thing_id for x in self.things]),
                    "code": strings([x.code for x in self.things]),
                    "name": strings([x.name for x in self.things]),
                    "description": strings([f"{x.name}（{x.kind}）" for x in self.things]),
                    "kind": strings([x.kind for x in self.things]),
                    "district_code": strings([x.district for x in self.things]),
                    "lon": np.array([x.lon for x in self.things]),
                    "lat": np.array([x.lat for x in self.things]),
                    "properties": strings(
                        [
                            json.dumps(
                                {k: v for k, v in x.params.items() if k != "factor"},
                                ensure_ascii=False,
                            )
                            for x in self.things
                        ]
                    ),
                    "updated_at": np.full(len(self.things), t, dtype=np.int64),
                }
            ),
        )
        rows = self.datastreams
        step.insert(
            sensor_datastreams,
            Frame(
                {
                    "datastream_id": np.array([r[0] for r in rows]),
                    "thing_id": np.array([r[1].thing_id for r in rows]),
                    "name": strings([f"{r[1].name} {PROPERTIES[r[2]][0]}" for r in rows]),
                    "description": strings(
                        [f"{r[1].name}{PROPERTIES[r[2]][1]}，每{r[3] // 60}分钟" for r in rows]
                    ),
                    "observed_property": strings([r[2] for r in rows]),
                    "property_name_zh": strings([PROPERTIES[r[2]][1] for r in rows]),
                    "property_definition": strings([f"urn:cityops:property:{r[2]}" for r in rows]),
                    "unit_name": strings([PROPERTIES[r[2]][2] for r in rows]),
                    "unit_symbol": strings([PROPERTIES[r[2]][3] for r in rows]),
                    "unit_definition": strings([UCUM + PROPERTIES[r[2]][4] for r in rows]),
                    "observation_type": strings([OM_MEASUREMENT] * len(rows)),
                    "interval_seconds": np.array([r[3] for r in rows]),
                    "updated_at": np.full(len(rows), t, dtype=np.int64),
                }
            ),
        )

    # --- values --------------------------------------------------------------------------
    def _grid(self, kind: str, start: int):
        things = [x for x in self.things if x.kind == kind]
        _, interval = KIND_PROPERTIES[kind]
        times = start + np.arange(0, self.block_seconds, interval, dtype=np.int64)
        return things, times, np.array([x.thing_id for x in things])[:, None], times[None, :]

    def _air(self, start: int) -> dict[str, np.ndarray]:
        things, times, tid, t = self._grid("air_quality", start)
        s, w = self.seed, self.world.weather
        days = local_day(times)
        daily = w.daily(np.arange(days.min(), days.max() + 2))
        i = days - days.min()
        frac = local_hour(times) / 24
        regional = daily["pm25_day"][i] * (1 - frac) + daily["pm25_day"][i + 1] * frac
        factor = np.array([x.params["factor"] for x in things])[:, None]
        hour = local_hour(t)
        diurnal = 1 + 0.22 * np.cos(2 * np.pi * (hour - 7) / 24)
        noise = (
            1
            + 0.12 * smooth_noise(s, "aq.pm", tid, t, 2 * HOUR)
            + 0.05 * smooth_noise(s, "aq.pm2", tid, t, 20 * 60)
        )
        pm25 = np.maximum(regional[None, :] * factor * diurnal * noise, 2)
        pm10 = pm25 * (1.55 + 0.25 * smooth_noise(s, "aq.pm10", tid, t, 6 * HOUR))
        doy = day_of_year(local_day(t))
        wind = daily["wind"][i][None, :]
        traffic = hour_curve("traffic_workday", t)
        no2 = (
            (14 + 26 * traffic * factor)
            * np.exp(-0.08 * (wind - 3))
            * (1 + 0.25 * (seasonal(doy, 0, 1, 15) > 0))
            * (1 + 0.1 * smooth_noise(s, "aq.no2", tid, t, HOUR))
        )
        sun = np.clip(np.sin(np.pi * (hour - 8) / 14), 0, None) ** 1.3
        rainy = daily["rain_mm"][i][None, :] > 2
        o3 = np.maximum(
            seasonal(doy, 72, 42, 170) * (0.3 + 1.0 * sun) * np.where(rainy, 0.7, 1.0) - 0.25 * no2,
            4,
        ) * (1 + 0.08 * smooth_noise(s, "aq.o3", tid, t, 2 * HOUR))
        values = {
            "pm25": np.round(pm25),
            "pm10": np.round(pm10),
            "o3": np.round(o3),
            "no2": np.round(no2),
        }
        values["aqi"] = aqi(values)
        return {"things": things, "times": times, **values}

    def _water_level(self, start: int) -> dict[str, np.ndarray]:
        things, times, _, _ = self._grid("water_level", start)
        w = self.world.weather
        out = np.empty((len(things), len(times)))
        doy = day_of_year(local_day(times))
        summer = (seasonal(doy, 0, 1, 200) > 0.5).astype(float)
        rain = {
            "reservoir": w.rain_index(times, tau_days=8.0, back=20),
            "other": w.rain_index(times, tau_days=1.5, back=8),
        }
        for j, x in enumerate(things):
            p = x.params
            kind = p["gauge_kind"]
            scale = 260.0 if kind == "reservoir" else 140.0
            span = p["warning_level_m"] - p["normal_level_m"]
            level = p["normal_level_m"] + span * 1.05 * rain.get(kind, rain["other"]) / scale
            level += (-0.35 if kind == "reservoir" else 0.12) * summer
            if kind == "tidal":
                level += 1.6 * np.sin(2 * np.pi * times / 44_712 + j)
            level += 0.03 * smooth_noise(self.seed, "wl", x.thing_id, times, 6 * HOUR)
            out[j] = level
        return {"things": things, "times": times, "water_level": np.round(out, 2)}

    def _water_quality(self, start: int) -> dict[str, np.ndarray]:
        things, times, tid, t = self._grid("water_quality", start)
        s, w = self.seed, self.world.weather
        doy = day_of_year(local_day(times))
        rain = w.rain_index(times, tau_days=2.0, back=6)[None, :]
        hour = local_hour(t)
        base = lambda key: np.array([x.params[key] for x in things])[:, None]  # noqa: E731
        noise = lambda key, amp: 1 + amp * smooth_noise(s, f"wq.{key}", tid, t, 3 * HOUR)  # noqa: E731
        do = (
            9.2
            - 2.6 * seasonal(doy, 0, 1, 200)[None, :]
            + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)
        ) * noise("do", 0.05)
        return {
            "things": things,
            "times": times,
            "do": np.round(do, 2),
            "nh3n": np.round(base("nh3n") * (1 + rain / 60) * noise("nh3n", 0.12), 3),
            "codmn": np.round(base("codmn") * (1 + rain / 120) * noise("cod", 0.08), 2),
            "tp": np.round(base("tp") * (1 + rain / 90) * noise("tp", 0.1), 3),
        }

    def _traffic_level(self, t) -> np.ndarray:
        weekend = local_weekday(t) >= 5
        return np.where(weekend, hour_curve("traffic_weekend", t), hour_curve("traffic_workday", t))

    def _traffic(self, start: int) -> dict[str, np.ndarray]:
        things, times, tid, t = self._grid("traffic", start)
        s, w = self.seed, self.world.weather
        level = self._traffic_level(times)[None, :]
        rain = w.rain_rate(times)[None, :]
        fog = ((w.at(times)["visibility_km"] < 0.5) & (local_hour(times) < 10))[None, :]
        lanes = np.array([x.params["lanes"] for x in things])[:, None]
        free = np.array([x.params["free_speed_kmh"] for x in things])[:, None]
        capacity = lanes * 1700 / 6  # vehicles per 10 minutes
        flow = capacity * 0.48 * level * (1 + 0.08 * smooth_noise(s, "td.flow", tid, t, 30 * 60))
        flow = flow * np.where(rain > 8, 0.85, 1.0)
        ratio = flow / capacity
        speed = (
            free
            * (1 - 0.6 * ratio**2.5)
            * (1 - np.minimum(rain, 30) * 0.01)
            * np.where(fog, 0.7, 1.0)
        )
        speed = speed * (1 + 0.05 * smooth_noise(s, "td.speed", tid, t, 20 * 60))
        return {
            "things": things,
            "times": times,
            "flow": np.round(flow),
            "speed": np.round(speed, 1),
        }

    def _traffic_index(self, start: int) -> dict[str, np.ndarray]:
        things, times, tid, t = self._grid("traffic_index", start)
        s, w = self.seed, self.world.weather
        level = self._traffic_level(times)[None, :]
        rain = w.rain_rate(times)[None, :]
        fog = ((w.at(times)["visibility_km"] < 0.5) & (local_hour(times) < 10))[None, :]
        factor = np.array([CONGESTION[x.district] for x in things])[:, None]
        ci = (
            1.0
            + 0.55 * factor * np.clip(level - 0.6, 0, None) ** 1.5
            + 0.03 * np.minimum(rain, 20)
            + 0.3 * fog
            + 0.03 * smooth_noise(s, "ti", tid, t, HOUR)
        )
        bus = np.clip(
            97 - 18 * (ci - 1) + 1.5 * smooth_noise(s, "ti.bus", tid, t, 2 * HOUR), 60, 99.5
        )
        return {
            "things": things,
            "times": times,
            "congestion_index": np.round(ci, 2),
            "bus_on_time": np.round(bus, 1),
        }

    # --- observations --------------------------------------------------------------------
    def generate(self, block: int, rng) -> Frame:
        start = block * self.block_seconds
        ds_of = {(thing.thing_id, prop): ds for ds, thing, prop, _ in self.datastreams}
        parts = []
        for group in (
            self._air(start),
            self._water_level(start),
            self._water_quality(start),
            self._traffic(start),
            self._traffic_index(start),
        ):
            things, times = group["things"], group["times"]
            for prop, values in group.items():
                if prop in ("things", "times"):
                    continue
                ds = np.array([ds_of[(x.thing_id, prop)] for x in things])
                parts.append(
                    (
                        np.repeat(ds, len(times)),
                        np.tile(times, len(things)),
                        values.ravel().astype(np.float64),
                        np.repeat([x.thing_id for x in things], len(times)),
                    )
                )
        ds = np.concatenate([p[0] for p in parts])
        t = np.concatenate([p[1] for p in parts])
        result = np.concatenate([p[2] for p in parts])
        thing = np.concatenate([p[3] for p in parts])
        s = self.seed
        u = uniform(s, "obs.quality", ds, t)
        offline = smooth_noise(s, "obs.outage", thing, t, 6 * HOUR) > 0.92
        keep = (u >= 0.004) & ~offline
        result = np.where((u >= 0.004) & (u < 0.005), np.nan, result)  # reported without value
        result = np.where((u >= 0.005) & (u < 0.0053), -999.0, result)  # sensor error code
        ds, t, result = ds[keep], t[keep], result[keep]
        # the collector polls the stations every 10 s: readings arrive 20-210 s after they are taken
        arrive = t + 20 + 10 * (uniform(s, "obs.latency", ds, t) * 20).astype(np.int64)
        order = np.lexsort((ds, arrive))
        ds, t, result, arrive = ds[order], t[order], result[order], arrive[order]
        return Frame(
            {
                "observation_id": (t // 60) * 1000 + ds,
                "datastream_id": ds,
                "phenomenon_time": t,
                "result": result,
                "updated_at": arrive,
                "_t": arrive,
            }
        )

    def emit(self, step: Step) -> None:
        step.insert(sensor_observations, self.arrivals(step.a, step.b))
