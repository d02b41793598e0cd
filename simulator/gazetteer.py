"""Place names of Lianyungang per district (streets/towns, roads, communities, landmarks).

Road, town and landmark names are real or typical of the city; community names are typical
of Chinese estates. Every place gets one fixed location inside its district: a known
approximate coordinate when it falls inside the outline, else a deterministic sample near
the urban centres, so events at the same place cluster on the map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .frame import strings
from .geography import Geography
from .rng import generator

PLACES: dict[str, dict[str, tuple[str, ...]]] = {
    "320706": {
        "streets": (
            "新浦街道",
            "海州街道",
            "幸福路街道",
            "朐阳街道",
            "洪门街道",
            "宁海街道",
            "浦西街道",
            "新东街道",
            "新南街道",
            "路南街道",
            "新海街道",
            "南城街道",
            "郁州街道",
            "锦屏镇",
            "板浦镇",
            "新坝镇",
            "浦南镇",
        ),
        "roads": (
            "朝阳东路",
            "朝阳中路",
            "朝阳西路",
            "通灌北路",
            "通灌南路",
            "苍梧路",
            "海连东路",
            "海连中路",
            "海连西路",
            "解放东路",
            "解放中路",
            "解放西路",
            "人民路",
            "民主路",
            "建设东路",
            "盐河南路",
            "盐河北路",
            "郁州北路",
            "郁州南路",
            "瀛洲南路",
            "幸福南路",
            "巨龙北路",
            "巨龙南路",
            "凌州东路",
            "凌州西路",
            "孔望山路",
            "朐阳路",
            "海宁大道",
            "新浦路",
            "龙尾河路",
        ),
        "communities": (
            "新海花园",
            "朝阳小区",
            "苍梧小区",
            "陇东小区",
            "巨龙新村",
            "学院新村",
            "盐河新村",
            "解放新村",
            "幸福家园",
            "锦绣华城",
            "凤凰城",
            "万润花园",
            "东方花园",
            "绿城小区",
            "玉兰花园",
            "滨河小区",
            "府前花园",
            "海昌小区",
            "朐阳花园",
            "紫荆苑",
            "通灌新村",
            "民主小区",
            "郁州花园",
            "凌州小区",
        ),
        "landmarks": (
            "新浦公园",
            "苍梧绿园",
            "孔望山",
            "海州古城",
            "朐阳门",
            "白虎山",
            "陇海步行街",
            "连云港站",
            "市第一人民医院",
            "江苏海洋大学",
            "万达广场",
            "苏宁广场",
            "市民广场",
            "蔷薇河湿地公园",
            "月牙岛",
            "市政务服务中心",
        ),
    },
    "320703": {
        "streets": (
            "墟沟街道",
            "连云街道",
            "板桥街道",
            "连岛街道",
            "海州湾街道",
            "高公岛街道",
            "宿城街道",
            "云山街道",
            "徐圩街道",
            "中云街道",
        ),
        "roads": (
            "海滨大道",
            "中山西路",
            "中山中路",
            "中山东路",
            "海棠北路",
            "海棠南路",
            "平山路",
            "港城大道",
            "墟沟北路",
            "陇海中路",
            "北固山路",
            "连云路",
            "滨海大道",
            "金桥路",
            "港前大道",
            "云门路",
            "板桥路",
            "徐圩大道",
            "花果山大道",
            "黄河路",
            "长江路",
            "华山路",
        ),
        "communities": (
            "海港新村",
            "港城花园",
            "北固山庄",
            "海棠花园",
            "海滨新村",
            "云山小区",
            "连云新村",
            "碧海名苑",
            "望海小区",
            "渔湾新村",
            "板桥新村",
            "海州湾花园",
            "金海岸小区",
            "华山花园",
        ),
        "landmarks": (
            "连岛",
            "大沙湾浴场",
            "苏马湾",
            "渔湾景区",
            "花果山风景区",
            "北固山",
            "高公岛",
            "连云老街",
            "连云港港",
            "墟沟码头",
            "宿城景区",
            "海州湾",
            "徐圩港区",
            "东方港城",
        ),
    },
    "320707": {
        "streets": (
            "青口镇",
            "海头镇",
            "柘汪镇",
            "石桥镇",
            "金山镇",
            "黑林镇",
            "厉庄镇",
            "沙河镇",
            "墩尚镇",
            "班庄镇",
            "城头镇",
            "城西镇",
            "宋庄镇",
            "塔山镇",
            "赣马镇",
        ),
        "roads": (
            "黄海东路",
            "黄海西路",
            "华中北路",
            "华中南路",
            "青口路",
            "金海东路",
            "金海西路",
            "城南路",
            "环城北路",
            "沿海大道",
            "海头路",
            "柘汪大道",
            "赣马路",
            "宁海路",
        ),
        "communities": (
            "青口花园",
            "金海花园",
            "华中新村",
            "黄海小区",
            "滨河花园",
            "城南小区",
            "赣榆新城",
            "海州湾家园",
            "锦绣江南",
            "龙河小区",
        ),
        "landmarks": (
            "秦山岛",
            "海头海鲜市场",
            "赣榆港区",
            "夹谷山",
            "徐福祠",
            "抗日山",
            "小塔山水库",
            "区人民医院",
            "龙河公园",
            "海头电商直播基地",
        ),
    },
    "320722": {
        "streets": (
            "牛山街道",
            "石榴街道",
            "白塔埠镇",
            "黄川镇",
            "石梁河镇",
            "青湖镇",
            "温泉镇",
            "双店镇",
            "桃林镇",
            "洪庄镇",
            "安峰镇",
            "房山镇",
            "平明镇",
            "驼峰乡",
            "李埝乡",
            "山左口乡",
            "石湖乡",
            "曲阳乡",
            "张湾乡",
        ),
        "roads": (
            "晶都大道",
            "和平东路",
            "和平西路",
            "牛山北路",
            "牛山南路",
            "西湖路",
            "青松路",
            "东海大道",
            "水晶大道",
            "人民中路",
            "富华路",
            "健康路",
            "晶城路",
        ),
        "communities": (
            "晶都花园",
            "西湖小区",
            "和平新村",
            "水晶城小区",
            "牛山新村",
            "石榴花园",
            "东湖嘉园",
            "富华小区",
        ),
        "landmarks": (
            "中国东海水晶城",
            "东海水晶博物馆",
            "西双湖",
            "石梁河水库",
            "安峰山水库",
            "东海温泉度假区",
            "羽山",
            "房山",
            "县人民医院",
            "东海站",
        ),
    },
    "320723": {
        "streets": (
            "伊山镇",
            "杨集镇",
            "燕尾港镇",
            "同兴镇",
            "四队镇",
            "圩丰镇",
            "龙苴镇",
            "下车镇",
            "图河镇",
            "东王集镇",
            "小伊乡",
            "南岗乡",
            "侍庄街道",
            "伊芦乡",
        ),
        "roads": (
            "振兴北路",
            "振兴南路",
            "人民东路",
            "人民西路",
            "胜利路",
            "伊山路",
            "新港路",
            "临港大道",
            "大伊山路",
            "工业大道",
        ),
        "communities": ("伊山花园", "振兴小区", "胜利新村", "大伊山花园", "人民小区", "锦江小区"),
        "landmarks": (
            "大伊山景区",
            "潮河湾",
            "灌河大桥",
            "燕尾港",
            "花果山国际机场",
            "县人民医院",
            "伊芦山",
            "灌西盐场",
        ),
    },
    "320724": {
        "streets": (
            "新安镇",
            "堆沟港镇",
            "田楼镇",
            "北陈集镇",
            "张店镇",
            "三口镇",
            "孟兴庄镇",
            "汤沟镇",
            "百禄镇",
            "新集镇",
            "李集镇",
        ),
        "roads": (
            "人民中路",
            "人民东路",
            "新港大道",
            "北京路",
            "上海路",
            "硕湖路",
            "新安大道",
            "长江东路",
            "汤沟路",
            "淮河路",
        ),
        "communities": ("硕湖花园", "新安小区", "人民新村", "长江花园", "金港湾小区", "汤沟新村"),
        "landmarks": (
            "硕项湖",
            "二郎神文化公园",
            "县人民医院",
            "汤沟酒厂",
            "化工产业园区",
            "新沂河大堤",
            "灌南站",
        ),
    },
}

# Approximate WGS-84 positions of well-known places (used only if inside the district).
KNOWN_COORDS = {
    "花果山风景区": (119.290, 34.650),
    "孔望山": (119.210, 34.580),
    "新浦公园": (119.175, 34.600),
    "海州古城": (119.130, 34.570),
    "连岛": (119.460, 34.760),
    "大沙湾浴场": (119.470, 34.765),
    "连云老街": (119.420, 34.745),
    "墟沟码头": (119.380, 34.740),
    "中国东海水晶城": (118.770, 34.530),
    "西双湖": (118.740, 34.530),
    "石梁河水库": (118.850, 34.760),
    "安峰山水库": (118.790, 34.400),
    "秦山岛": (119.280, 34.870),
    "小塔山水库": (118.920, 34.930),
    "大伊山景区": (119.220, 34.320),
    "硕项湖": (119.320, 34.110),
    "燕尾港": (119.780, 34.480),
    "花果山国际机场": (119.130, 34.410),
}

VILLAGE_FIRST = tuple("张王李刘陈杨赵孙周吴徐朱高胡马东西南北前后大小新老沈韩蒋")
VILLAGE_LAST = (
    "庄",
    "湖",
    "河",
    "集",
    "营",
    "圩",
    "湾",
    "店",
    "楼",
    "沟",
    "墩",
    "岭",
    "埠",
    "套",
    "港",
    "洼",
    "岗",
    "塘",
    "桥",
    "圩子",
)

KIND_URBAN_SHARE = {"streets": 0.35, "roads": 0.9, "communities": 0.9, "landmarks": 0.6}


@dataclass
class PlaceSet:
    names: np.ndarray
    lon: np.ndarray
    lat: np.ndarray


class Gazetteer:
    """Places per (district, kind) with fixed coordinates; villages are generated names."""

    def __init__(self, geo: Geography, seed: int):
        self.geo = geo
        self._sets: dict[tuple[str, str], PlaceSet] = {}
        self._tables: dict[str, tuple[PlaceSet, np.ndarray, np.ndarray]] = {}
        for di, code in enumerate(geo.codes):
            for ki, (kind, names) in enumerate(PLACES[code].items()):
                rng = generator(seed, "gazetteer", di, ki)
                lon, lat = geo.sample(rng, code, len(names), KIND_URBAN_SHARE[kind])
                for i, name in enumerate(names):
                    if name in KNOWN_COORDS:
                        lon[i], lat[i] = geo.inside_or_sample(
                            rng, code, *KNOWN_COORDS[name], KIND_URBAN_SHARE[kind]
                        )
                self._sets[(code, kind)] = PlaceSet(strings(names), lon, lat)

    def table(self, kind: str) -> tuple[PlaceSet, np.ndarray, np.ndarray]:
        """All districts' places of one kind, concatenated in district order, with the offset
        and count of each district's slice (for vectorised picks across districts)."""
        cached = self._tables.get(kind)
        if cached is None:
            sets = [self._sets[(code, kind)] for code in self.geo.codes]
            sizes = np.array([len(s.names) for s in sets], dtype=np.int64)
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            merged = PlaceSet(
                np.concatenate([s.names for s in sets]),
                np.concatenate([s.lon for s in sets]),
                np.concatenate([s.lat for s in sets]),
            )
            cached = self._tables[kind] = (merged, offsets, sizes)
        return cached

    def places(self, code: str, kind: str) -> PlaceSet:
        return self._sets[(code, kind)]


def village_names(u1: np.ndarray, u2: np.ndarray) -> list[str]:
    """Generated village names such as 张庄村 / 后湖村."""
    a = (u1 * len(VILLAGE_FIRST)).astype(int)
    b = (u2 * len(VILLAGE_LAST)).astype(int)
    return [
        f"{VILLAGE_FIRST[i]}{VILLAGE_LAST[j]}村"
        for i, j in zip(a.tolist(), b.tolist(), strict=True)
    ]
