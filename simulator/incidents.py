"""Incidents from the integrated 110/119/120 command system (``emergency_incidents``).

A few to a few dozen a day (about 18 on an ordinary day, more in rain, fog and typhoons):
fires, traffic accidents, floods and ponding, hazardous chemicals (mostly around the chemical
parks of Guannan and Xuwei), public health, public order and rescues, mostly minor. Each
goes reported -> dispatched -> on_scene -> closed over minutes to hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .chinese_text import Grammar, Uniforms
from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .lifecycle import AT, Lifecycle, Stage
from .places import addresses, district_weights
from .rhythms import expected_in_hour
from .rng import pick
from .times import HOUR, MINUTE, NULL_TIME, local_hour, local_text

DAILY_INCIDENTS = 18
SEVERITIES = (
    ("minor", "一般", 0.85),
    ("moderate", "较大", 0.12),
    ("serious", "重大", 0.027),
    ("critical", "特别重大", 0.003),
)


@dataclass(frozen=True)
class IncidentType:
    key: str
    zh: str
    source: str
    share: float
    rain: float  # extra share per mm/h of rain
    fog: float  # factor in fog
    districts: dict[str, float]  # district weight boosts
    minutes: float  # median time on scene


TYPES = (
    IncidentType("fire", "火灾", "119", 22, 0.0, 1.0, {}, 60),
    IncidentType("traffic_accident", "交通事故", "122", 33, 0.04, 2.2, {}, 45),
    IncidentType("flood", "内涝积水", "119", 0.6, 2.5, 1.0, {}, 120),
    IncidentType("hazchem", "危化品泄漏", "119", 2, 0.0, 1.0, {"320724": 6, "320703": 4}, 180),
    IncidentType("public_health", "公共卫生", "120", 7, 0.0, 1.0, {}, 60),
    IncidentType("public_order", "治安事件", "110", 22, -0.02, 1.0, {}, 40),
    IncidentType("rescue", "抢险救援", "119", 8, 0.1, 1.0, {"320703": 1.5}, 90),
)
LIFECYCLE = Lifecycle(
    "emergency_incidents",
    (
        Stage("dispatched", "_dispatch", {"status": "dispatched", "dispatched_at": AT}),
        Stage("on_scene", "_arrive", {"status": "on_scene", "arrived_at": AT}),
        Stage("closed", "_close", {"status": "closed", "closed_at": AT}),
    ),
)
RULES = {
    "fire": [
        "{addr}{fire.what}起火，{fire.state}，{scene}",
        "{addr}一{fire.what}发生火灾，{fire.state}。",
    ],
    "fire.what": [
        "居民楼",
        "一处民房",
        "沿街商铺",
        "一辆电动车",
        "一辆轿车",
        "厂房",
        "仓库",
        "废品收购站",
        "饭店厨房",
        "高层住宅",
        "农田秸秆",
        "山林",
    ],
    "fire.state": [
        "现场浓烟滚滚",
        "明火已被扑灭",
        "火势较大",
        "有人员被困",
        "无人员伤亡",
        "正在扑救",
    ],
    "traffic_accident": [
        "{addr}发生{crash.what}，{crash.state}",
        "{addr}{crash.what}，{crash.state}，{scene}",
    ],
    "crash.what": [
        "两车追尾",
        "一辆货车侧翻",
        "电动车与轿车相撞",
        "多车连环追尾",
        "行人被撞",
        "渣土车与小客车碰撞",
        "车辆撞上护栏",
        "公交车与出租车剐蹭",
    ],
    "crash.state": [
        "造成道路拥堵",
        "有人员受伤",
        "现场无人员伤亡",
        "车辆受损严重",
        "交警已到场处置",
    ],
    "flood": ["{addr}{flood.what}，{flood.state}", "暴雨导致{addr}{flood.what}，{scene}"],
    "flood.what": ["积水严重", "多辆车被困积水中", "地下车库进水", "低洼处民房进水", "道路被淹"],
    "flood.state": ["需要排涝抢险", "有群众被困", "已设置警戒", "正在组织抽排"],
    "hazchem": [
        "{addr}一企业{chem.what}，{chem.state}",
        "{addr}一辆危化品运输车{chem.what2}，{chem.state}",
    ],
    "chem.what": ["储罐发生泄漏", "管道阀门泄漏", "反应釜温度异常", "发生闪爆"],
    "chem.what2": ["发生侧翻", "罐体泄漏", "发生交通事故"],
    "chem.state": ["现场有刺激性气味", "已疏散周边人员", "消防专业队伍正在处置", "已启动应急预案"],
    "public_health": ["{addr}{health.what}，{health.state}", "{addr}报告{health.what}，{scene}"],
    "health.what": [
        "多人出现食物中毒症状",
        "一家三口一氧化碳中毒",
        "一名老人突发疾病倒地",
        "工地工人中暑晕倒",
        "学生集体出现呕吐腹泻症状",
    ],
    "health.state": ["120已送医救治", "患者生命体征平稳", "疾控部门已介入调查"],
    "public_order": [
        "{addr}{order.what}，{order.state}",
        "{addr}有群众报警称{order.what}，{scene}",
    ],
    "order.what": [
        "发生打架斗殴",
        "有人醉酒滋事",
        "发生盗窃",
        "商户与顾客发生纠纷",
        "发生电信诈骗",
        "有人聚集讨薪",
        "发生邻里纠纷",
    ],
    "order.state": ["民警已到场处置", "嫌疑人已被控制", "现场秩序正常", "正在调查"],
    "rescue": ["{addr}{rescue.what}，{rescue.state}", "{addr}{rescue.what}，{scene}"],
    "rescue.what": [
        "有人员落水",
        "电梯困人",
        "游客在山上迷路",
        "渔船在海上遇险",
        "有人被困高处",
        "儿童被锁在车内",
        "树木倒伏压住车辆",
    ],
    "rescue.state": ["救援人员正在施救", "被困人员已获救", "已转送医院", "正在搜寻"],
    "scene": [
        "相关部门正在处置。",
        "救援力量已赶赴现场。",
        "现场已拉起警戒线。",
        "情况正在核实中。",
    ],
}


@lru_cache(maxsize=1)
def _grammar() -> Grammar:
    g = Grammar(RULES)
    g.check(("addr",))
    return g


class IncidentFeed(BlockFeed):
    name = "incidents"

    def generate(self, block: int, rng) -> Frame:
        world = self.world
        start = block * HOUR
        mid = np.array([start + HOUR // 2])
        rain = float(world.weather.rain_rate(mid)[0])
        day = world.weather.at(mid)
        fog = float(day["visibility_km"][0]) < 0.5 and local_hour(mid)[0] < 11
        typhoon = bool(day["typhoon"][0])
        weights = np.array(
            [max(t.share * (1 + t.rain * rain) * (t.fog if fog else 1.0), 0.1) for t in TYPES]
        )
        if typhoon:
            weights[[2, 6]] *= 4
        base = sum(t.share for t in TYPES)
        n = int(
            rng.poisson(
                expected_in_hour(DAILY_INCIDENTS, "incidents", "incidents", start)
                * weights.sum()
                / base
            )
        )
        if not n:
            return Frame()
        t = np.sort(start + rng.integers(0, HOUR, n)).astype(np.int64)
        kinds = pick(rng.random(n), weights)
        geo = world.geo
        base_w = district_weights(geo)
        codes = np.empty(n, dtype=object)
        for i, k in enumerate(kinds.tolist()):
            boost = np.array([TYPES[k].districts.get(c, 1.0) for c in geo.codes])
            codes[i] = geo.codes[int(pick(rng.random(1), base_w * boost)[0])]
        place = addresses(rng, geo, world.gazetteer, codes, jitter_deg=0.003)
        severity = pick(rng.random(n), [s[2] for s in SEVERITIES])
        u = Uniforms(rng)
        g = _grammar()
        descriptions, titles = [], []
        for i in range(n):
            kind = TYPES[kinds[i]]
            descriptions.append(g.expand(kind.key, {"addr": place["address"][i]}, u))
            titles.append(f"{place['dn'][i]}{place['place'][i]}{kind.zh}")
        minutes = np.array([TYPES[k].minutes for k in kinds.tolist()])
        dispatch = t + rng.integers(MINUTE, 6 * MINUTE, n)
        arrive = dispatch + rng.integers(6 * MINUTE, 25 * MINUTE, n)
        on_scene = np.exp(rng.normal(np.log(minutes), 0.6)) * (1 + severity) * MINUTE
        close = arrive + np.minimum(on_scene, 20 * HOUR).astype(np.int64)
        injured = np.where(
            severity == 0, rng.binomial(2, 0.3, n), rng.integers(1, 12, n) * severity
        )
        deaths = np.where(severity >= 2, rng.integers(0, 4, n) * (severity - 1), 0)
        units = 1 + rng.integers(0, 3, n) + severity * rng.integers(2, 6, n)
        hour = local_text(start, "%Y%m%d%H")
        return Frame(
            {
                "incident_id": strings([f"JQ{hour}{i:03d}" for i in range(n)]),
                "source_system": strings([TYPES[k].source for k in kinds.tolist()]),
                "incident_type": strings([TYPES[k].key for k in kinds.tolist()]),
                "type_zh": strings([TYPES[k].zh for k in kinds.tolist()]),
                "severity": strings([SEVERITIES[s][0] for s in severity.tolist()]),
                "level_zh": strings([SEVERITIES[s][1] for s in severity.tolist()]),
                "title": strings(titles),
                "description": strings(descriptions),
                "address": strings(place["address"]),
                "district_code": codes,
                "lon": np.round(place["lon"], 6),
                "lat": np.round(place["lat"], 6),
                "status": strings(["reported"] * n),
                "reported_at": t,
                "dispatched_at": np.full(n, NULL_TIME),
                "arrived_at": np.full(n, NULL_TIME),
                "closed_at": np.full(n, NULL_TIME),
                "injured": injured.astype(np.int64),
                "deaths": deaths.astype(np.int64),
                "units_dispatched": units.astype(np.int64),
                "updated_at": t,
                "_t": t,
                "_dispatch": dispatch.astype(np.int64),
                "_arrive": arrive.astype(np.int64),
                "_close": close,
            }
        )

    def emit(self, step: Step) -> None:
        LIFECYCLE.write(step, self.arrivals(step.a, step.b))
