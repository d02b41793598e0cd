"""Chinese personal names, nicknames, mobile numbers and trade names (字号), vectorised."""

from __future__ import annotations

import numpy as np

SURNAMES = tuple(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
# Weights roughly follow the national frequency ranking (top surnames much commoner).
_SURNAME_W = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
GIVEN_CHARS = tuple(
    dict.fromkeys(
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华海燕红梅玉兰志强"
        "晓东晨浩宇子涵梓萱欣怡俊杰雨轩文博一诺思远佳琪婷婷鹏飞立新长青春华卫东"
    )
)
NICK_PARTS_A = (
    "港城",
    "海州",
    "连云港",
    "花果山",
    "连岛",
    "墟沟",
    "东海",
    "赣榆",
    "灌云",
    "灌南",
    "苍梧",
    "孔望山",
    "海边的",
    "爱吃",
    "快乐",
    "奔跑的",
    "小",
    "老",
    "大",
    "追风",
)
NICK_PARTS_B = (
    "小猴",
    "大圣",
    "渔夫",
    "阿杰",
    "吃货",
    "老王",
    "宝妈",
    "骑手",
    "摄影师",
    "打工人",
    "水晶控",
    "海鲜控",
    "小鱼",
    "老张",
    "阳光",
    "晴天",
    "游客",
    "市民",
    "少年",
    "姐姐",
)
TRADE_CHARS = tuple(
    dict.fromkeys(
        "宏鑫盛华泰恒瑞达远兴海港晶润锦德信嘉通联创新源丰佳利鼎正明辉航洋诚和福安祥凯元金银宝天"
        "中大永昌隆升荣益邦汇鸿腾飞博睿智优精尚美乐康顺平耀晟昊铭东方连云苍梧"
    )
)
MOBILE_PREFIX = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
)


def _idx(u: np.ndarray, n: int) -> np.ndarray:
    return np.minimum((np.asarray(u) * n).astype(np.int64), n - 1)


def surnames(u: np.ndarray) -> np.ndarray:
    cum = np.cumsum(_SURNAME_W)
    idx = np.minimum(np.searchsorted(cum / cum[-1], u, side="right"), len(SURNAMES) - 1)
    return np.array(SURNAMES, dtype=object)[idx]


def full_names(rng: np.random.Generator, n: int) -> list[str]:
    """Two- or three-character personal names."""
    return names_from_uniforms(rng.random(n), rng.random(n), rng.random(n), rng.random(n))


def names_from_uniforms(u1, u2, u3, u4) -> list[str]:
    """Personal names from four uniforms each (random access by hashed uniforms)."""
    sur = surnames(u1)
    g1 = _idx(u2, len(GIVEN_CHARS))
    g2 = _idx(u3, len(GIVEN_CHARS))
    two = np.asarray(u4) < 0.3
    return [
        s + GIVEN_CHARS[a] + ("" if t else GIVEN_CHARS[b])
        for s, a, b, t in zip(sur.tolist(), g1.tolist(), g2.tolist(), two.tolist(), strict=True)
    ]


def mobiles(rng: np.random.Generator, n: int) -> list[str]:
    """Mainland mobile numbers (11 digits, 13x/15x/18x/19x...)."""
    pre = _idx(rng.random(n), len(MOBILE_PREFIX))
    tail = rng.integers(0, 100_000_000, n)
    return [f"{MOBILE_PREFIX[p]}{t:08d}" for p, t in zip(pre.tolist(), tail.tolist(), strict=True)]


def nicknames(rng: np.random.Generator, n: int) -> list[str]:
    a = _idx(rng.random(n), len(NICK_PARTS_A))
    b = _idx(rng.random(n), len(NICK_PARTS_B))
    num = rng.integers(0, 10000, n)
    with_num = rng.random(n) < 0.45
    return [
        NICK_PARTS_A[i] + NICK_PARTS_B[j] + (str(k) if w else "")
        for i, j, k, w in zip(a.tolist(), b.tolist(), num.tolist(), with_num.tolist(), strict=True)
    ]


def trade_names(u1: np.ndarray, u2: np.ndarray) -> list[str]:
    """Two-character trade names (字号) such as 宏达 / 鑫源."""
    a = _idx(u1, len(TRADE_CHARS))
    b = _idx(u2, len(TRADE_CHARS))
    b = np.where(a == b, (b + 7) % len(TRADE_CHARS), b)
    return [TRADE_CHARS[i] + TRADE_CHARS[j] for i, j in zip(a.tolist(), b.tolist(), strict=True)]
