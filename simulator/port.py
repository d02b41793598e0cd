"""Port of Lianyungang: ships at berth (hourly snapshots) and daily cargo / container throughput.

Magnitudes: about 3.2 亿 tonnes of cargo and 6 M TEU a year around 2023 (the order of the
port's published figures), growing a few per cent a year, lower around the Spring Festival
and when typhoons, gales or fog close the port. The monthly port series in ``macro_values``
are sums of these daily figures, so the two agree.
"""

from __future__ import annotations

import numpy as np

from .feeds import BlockFeed, Feed, Step
from .frame import Frame, strings
from .periodic import released_between
from .rng import normal, uniform
from .schema import port_berth_snapshots, port_daily
from .times import HOUR, calendar_month, day_start, local_day, local_text, month_of_day
from .weather import Weather

ANCHOR_DAY = 19358  # 2023-01-01
CARGO_2023_T = 3.2e8
TEU_2023 = 6.1e6
CARGO_GROWTH = 0.035
TEU_GROWTH = 0.08
# relative monthly level (Spring Festival dip in Jan/Feb, busy autumn)
MONTH_LEVEL = np.array([0.94, 0.82, 1.0, 1.0, 1.02, 1.0, 0.98, 0.98, 1.03, 1.04, 1.06, 1.1])


def daily_throughput(seed: int, weather: Weather, days: np.ndarray) -> dict[str, np.ndarray]:
    """Cargo (t), containers (TEU) and vessel calls for local days ``days``."""
    days = np.asarray(days, dtype=np.int64)
    years = (days - ANCHOR_DAY) / 365.25
    w = weather.daily(days)
    closed = np.where(w["typhoon"], 0.35, np.where(w["wind"] >= 8, 0.7, 1.0))
    closed = closed * np.where(w["visibility_km"] < 0.5, 0.85, 1.0)
    level = MONTH_LEVEL[calendar_month(month_of_day(days)) - 1] / MONTH_LEVEL.mean() * closed
    cargo = CARGO_2023_T / 365.25 * (1 + CARGO_GROWTH) ** years * level
    cargo = cargo * (1 + 0.07 * normal(seed, "port.cargo", days))
    teu = TEU_2023 / 365.25 * (1 + TEU_GROWTH) ** years * level
    teu = teu * (1 + 0.08 * normal(seed, "port.teu", days))
    calls = 95 * (1 + CARGO_GROWTH) ** years * level * (1 + 0.1 * normal(seed, "port.calls", days))
    return {
        "cargo_tonnes": np.round(cargo, -2),
        "containers_teu": np.round(teu),
        "vessel_calls": np.maximum(np.round(calls), 0).astype(np.int64),
    }


def daily_release(days) -> np.ndarray:
    """A day's port figures are published at 08:00 local the next morning."""
    return day_start(np.asarray(days) + 1) + 8 * HOUR


class PortDailyFeed(Feed):
    name = "port.daily"
    history_days = 400

    def _write(self, step: Step, a: int | None) -> None:
        first = int(local_day(self.world.t0)) - self.history_days
        days = np.arange(first, int(local_day(step.b)) + 1)
        days = days[released_between(daily_release(days), a, step.b)]
        if not len(days):
            return
        values = daily_throughput(self.seed, self.world.weather, days)
        step.insert(
            port_daily, Frame({"stat_date": days, **values, "updated_at": daily_release(days)})
        )

    def build(self, step: Step) -> None:
        self._write(step, None)

    def emit(self, step: Step) -> None:
        self._write(step, step.a)


# (port area, terminal, berth kind, number of berths)
TERMINALS = (
    ("连云港区", "新东方集装箱码头", "container", 6),
    ("连云港区", "庙岭作业区", "container", 3),
    ("连云港区", "墟沟作业区", "bulk", 6),
    ("连云港区", "马腰作业区", "general", 4),
    ("连云港区", "旗台作业区", "bulk", 4),
    ("赣榆港区", "赣榆散货码头", "bulk", 6),
    ("徐圩港区", "徐圩液体散货码头", "liquid", 6),
    ("徐圩港区", "徐圩通用码头", "general", 3),
    ("灌河港区", "燕尾港作业区", "general", 3),
    ("灌河港区", "堆沟港作业区", "liquid", 3),
)
CARGO = {
    "container": ("集装箱",),
    "bulk": ("铁矿石", "煤炭", "粮食", "红土镍矿", "氧化铝", "硫磺"),
    "liquid": ("原油", "成品油", "甲醇", "乙二醇", "液化石油气"),
    "general": ("钢材", "机械设备", "商品汽车", "木材", "化肥"),
}
SHIP_TYPE = {"container": "集装箱船", "bulk": "散货船", "liquid": "油化船", "general": "杂货船"}
FLAGS = ("中国", "中国", "中国", "巴拿马", "利比里亚", "马绍尔群岛", "新加坡", "中国香港", "韩国")
EN_WORDS = (
    "OCEAN",
    "STAR",
    "PACIFIC",
    "GLORY",
    "FORTUNE",
    "HARMONY",
    "PEARL",
    "BRIGHT",
    "EASTERN",
    "GRACE",
    "VICTORY",
    "PROSPER",
    "JADE",
    "WIND",
    "SEA",
    "DRAGON",
)
ZH_WORDS = (
    "中远海运",
    "连港",
    "华顺",
    "鑫海",
    "宁安",
    "新海",
    "苏连",
    "恒通",
    "长航",
    "中外运",
    "海丰",
    "安盛",
    "瑞宁",
    "兴港",
)
SLOT = 36 * HOUR


def berths() -> list[tuple[str, str, str, str]]:
    """(berth code, port area, terminal, berth kind) for every berth."""
    out = []
    for t, (area, terminal, kind, count) in enumerate(TERMINALS):
        for n in range(count):
            out.append((f"B{t + 1:02d}{n + 1:02d}", area, terminal, kind))
    return out


class BerthFeed(BlockFeed):
    """Hourly snapshot of the ships at berth (only occupied berths), published 2 min later."""

    name = "port.berths"

    def __init__(self, world):
        super().__init__(world)
        table = berths()
        self.codes = [b[0] for b in table]
        self.areas = [b[1] for b in table]
        self.terminals = [b[2] for b in table]
        self.kinds = [b[3] for b in table]

    def generate(self, block: int, rng) -> Frame:
        s = self.seed
        t = block * HOUR
        j = np.arange(len(self.codes))
        slot = t // SLOT
        occupied = uniform(s, "berth.occ", j, slot) < 0.72
        arrive = slot * SLOT + (uniform(s, "berth.arr", j, slot) * 8 * HOUR).astype(np.int64)
        container = np.array([k == "container" for k in self.kinds])
        stay = np.where(
            container,
            10 + 10 * uniform(s, "berth.stay", j, slot),
            18 + 15 * uniform(s, "berth.stay", j, slot),
        )
        depart = arrive + (stay * HOUR).astype(np.int64)
        here = np.nonzero(occupied & (arrive <= t) & (depart > t))[0]
        if not len(here):
            return Frame()
        u = [uniform(s, f"berth.ship{k}", here, slot) for k in range(6)]
        names, ship_types, cargo, flags = [], [], [], []
        for n, i in enumerate(here.tolist()):
            kind = self.kinds[i]
            flag = FLAGS[int(u[0][n] * len(FLAGS))]
            if flag == "中国":
                names.append(f"{ZH_WORDS[int(u[1][n] * len(ZH_WORDS))]}{int(u[2][n] * 90) + 8}")
            else:
                a, b = int(u[1][n] * len(EN_WORDS)), int(u[2][n] * len(EN_WORDS))
                names.append(f"{EN_WORDS[a]} {EN_WORDS[(b + 3) % len(EN_WORDS)]}")
            flags.append(flag)
            ship_types.append(SHIP_TYPE[kind])
            cargo.append(CARGO[kind][int(u[3][n] * len(CARGO[kind]))])
        hour = local_text(t, "%Y%m%d%H")
        return Frame(
            {
                "snapshot_id": strings([f"{hour}-{self.codes[i]}" for i in here.tolist()]),
                "snapshot_at": np.full(len(here), t, dtype=np.int64),
                "port_area": strings([self.areas[i] for i in here.tolist()]),
                "terminal": strings([self.terminals[i] for i in here.tolist()]),
                "berth_code": strings([self.codes[i] for i in here.tolist()]),
                "ship_name": strings(names),
                "ship_type": strings(ship_types),
                "flag": strings(flags),
                "length_m": np.round(np.where(container[here], 200 + 160 * u[4], 120 + 180 * u[4])),
                "cargo": strings(cargo),
                "operation": strings(["卸船" if x < 0.55 else "装船" for x in u[5].tolist()]),
                "arrived_at": arrive[here],
                "expected_departure": depart[here],
                "updated_at": np.full(len(here), t + 120, dtype=np.int64),
                "_t": np.full(len(here), t + 120, dtype=np.int64),
            }
        )

    def emit(self, step: Step) -> None:
        step.insert(port_berth_snapshots, self.arrivals(step.a, step.b))
