"""Legal-entity base database: enterprises and individual businesses with a unified social
credit code (统一社会信用代码, GB 32100-2015, valid check digits), Chinese names typical of
Lianyungang (东海县…水晶制品有限公司, 连云港…物流有限公司, 海州区…便利店), industry (GB/T 4754
sections), district, registration date, capital and status.

The base register (``config.enterprises`` entities, registered over the 30 years before
``t0``) is random-access by index: entity ``i`` is a pure function of (seed, i), which lets
the credit feed name real subjects and deregistrations happen at each entity's own time.
New registrations arrive through office hours (~180 a day).
"""

from __future__ import annotations

import numpy as np

from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .names import names_from_uniforms, trade_names
from .rhythms import expected_in_hour, poisson_times
from .rng import pick, uniform
from .schema import ent_enterprises
from .times import DAY, HOUR, NULL_TIME, day_start, local_day

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])
NEW_KEY_BASE = 10_000_000
MA_SPACE = 31**6
MA_FROM_DAY = 16802  # 2016-01-01: later registrations get 'MA…' subject codes
DAILY_REGISTRATIONS = 180

# (type, share, USCC category code, ~capital in 万元 or None)
ENTITY_TYPES = (
    ("个体工商户", 0.46, "2", None),
    ("有限责任公司", 0.44, "1", 100.0),
    ("个人独资企业", 0.04, "1", 20.0),
    ("农民专业合作社", 0.03, "3", 50.0),
    ("有限责任公司分公司", 0.02, "1", None),
    ("股份有限公司", 0.01, "1", 5000.0),
)
# (section, section name, company word, weight, district boosts {code: factor})
COMPANY_WORDS = (
    ("A", "农、林、牧、渔业", "水产养殖", 2, {"320707": 4, "320703": 3, "320723": 2}),
    ("A", "农、林、牧、渔业", "生态农业发展", 3, {"320722": 2, "320724": 2}),
    ("C", "制造业", "水晶制品", 2, {"320722": 25}),
    ("C", "制造业", "化工", 1, {"320724": 8, "320703": 6}),
    ("C", "制造业", "新材料科技", 2, {"320703": 3}),
    ("C", "制造业", "医药科技", 1, {"320703": 3, "320706": 2}),
    ("C", "制造业", "机械制造", 2, {}),
    ("C", "制造业", "食品", 2, {"320707": 2}),
    ("C", "制造业", "钢铁制品", 1, {"320707": 4}),
    ("C", "制造业", "纺织服装", 1, {"320723": 2}),
    ("D", "电力、热力、燃气及水生产和供应业", "新能源", 1, {"320723": 2, "320703": 2}),
    ("E", "建筑业", "建筑工程", 5, {}),
    ("E", "建筑业", "装饰工程", 4, {}),
    ("F", "批发和零售业", "贸易", 10, {}),
    ("F", "批发和零售业", "商贸", 6, {}),
    ("F", "批发和零售业", "海产品贸易", 2, {"320707": 5, "320703": 4}),
    ("F", "批发和零售业", "电子商务", 3, {"320707": 3}),
    ("F", "批发和零售业", "供应链管理", 2, {"320703": 2}),
    ("G", "交通运输、仓储和邮政业", "物流", 4, {"320703": 3}),
    ("G", "交通运输、仓储和邮政业", "船务", 1, {"320703": 6}),
    ("G", "交通运输、仓储和邮政业", "国际货运代理", 1, {"320703": 6}),
    ("H", "住宿和餐饮业", "餐饮管理", 3, {}),
    ("H", "住宿和餐饮业", "酒店管理", 1, {"320703": 2}),
    ("I", "信息传输、软件和信息技术服务业", "信息技术", 3, {"320706": 2}),
    ("I", "信息传输、软件和信息技术服务业", "网络科技", 3, {}),
    ("K", "房地产业", "房地产开发", 1, {}),
    ("K", "房地产业", "物业管理", 2, {"320706": 2}),
    ("L", "租赁和商务服务业", "企业管理咨询", 3, {}),
    ("L", "租赁和商务服务业", "广告传媒", 2, {}),
    ("M", "科学研究和技术服务业", "检测技术", 1, {}),
    ("M", "科学研究和技术服务业", "工程设计", 1, {}),
    ("O", "居民服务、修理和其他服务业", "家政服务", 1, {}),
    ("P", "教育", "教育咨询", 1, {}),
    ("R", "文化、体育和娱乐业", "文化旅游发展", 1, {"320703": 3}),
)
SHOP_WORDS = (
    ("F", "批发和零售业", "便利店", 6, {}),
    ("F", "批发和零售业", "超市", 4, {}),
    ("F", "批发和零售业", "水果店", 2, {}),
    ("F", "批发和零售业", "五金店", 2, {}),
    ("F", "批发和零售业", "服装店", 3, {}),
    ("F", "批发和零售业", "农资店", 2, {"320722": 2, "320723": 2, "320724": 2}),
    ("F", "批发和零售业", "手机店", 1, {}),
    ("F", "批发和零售业", "水晶饰品店", 1, {"320722": 20}),
    ("F", "批发和零售业", "海鲜店", 1, {"320707": 5, "320703": 5}),
    ("H", "住宿和餐饮业", "饭店", 5, {}),
    ("H", "住宿和餐饮业", "海鲜排档", 1, {"320703": 6, "320707": 4}),
    ("H", "住宿和餐饮业", "烧烤店", 2, {}),
    ("H", "住宿和餐饮业", "早餐店", 2, {}),
    ("H", "住宿和餐饮业", "煎饼店", 1, {"320707": 6}),
    ("H", "住宿和餐饮业", "面馆", 2, {}),
    ("O", "居民服务、修理和其他服务业", "理发店", 3, {}),
    ("O", "居民服务、修理和其他服务业", "美容店", 2, {}),
    ("O", "居民服务、修理和其他服务业", "汽车修理部", 2, {}),
    ("O", "居民服务、修理和其他服务业", "电动车维修部", 1, {}),
    ("G", "交通运输、仓储和邮政业", "货运部", 1, {}),
)
COOP_WORDS = (
    "果蔬种植专业合作社",
    "水稻种植专业合作社",
    "水产养殖专业合作社",
    "农机服务专业合作社",
)
DISTRICT_WEIGHT = {
    "320706": 1.5,
    "320703": 1.3,
    "320707": 1.0,
    "320722": 0.9,
    "320723": 0.7,
    "320724": 0.7,
}


def _scramble(x: np.ndarray, space: int, mult: int, add: int) -> np.ndarray:
    """Bijection on [0, space) (``mult`` coprime to ``space``): distinct keys, distinct codes."""
    return (x.astype(np.int64) * mult + add) % space


def org_check(body8: str) -> str:
    """GB 11714 organisation-code check character for an 8-character body."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    c = 11 - sum(v * w for v, w in zip(values, ORG_WEIGHTS.tolist(), strict=True)) % 11
    return "X" if c == 10 else ("0" if c == 11 else str(c))


def uscc_check(body17: str) -> str:
    """GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, USCC_WEIGHTS.tolist(), strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    return uscc_check(code[:17]) == code[17] and org_check(code[8:16]) == code[16]


_ORG_VALUE = np.zeros(128, dtype=np.int64)
_USCC_INDEX = np.zeros(128, dtype=np.int64)
for _i in range(128):
    _c = chr(_i)
    _ORG_VALUE[_i] = int(_c) if _c.isdigit() else (ord(_c) - 55 if _c.isupper() else 0)
    _USCC_INDEX[_i] = USCC_CHARS.find(_c) if _c in USCC_CHARS else 0


def _char_matrix(texts: list[str], width: int) -> np.ndarray:
    return np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(-1, width)


def make_uscc(
    keys: np.ndarray, category: list[str], district: list[str], reg_day: np.ndarray
) -> list[str]:
    """Unified social credit codes; distinct keys give distinct codes, check digits valid."""
    if not len(keys):
        return []
    digits = _scramble(keys, 10**8, 7919 * 13, 12345678)
    ma = _scramble(keys, MA_SPACE, 104_729, 1_234_567)
    use_ma = (reg_day >= MA_FROM_DAY) | (keys >= NEW_KEY_BASE)
    chars = np.array(list(USCC_CHARS))
    ma_digits = np.stack([(ma // 31**p) % 31 for p in range(6)], axis=1)
    ma_text = ["MA" + "".join(row) for row in chars[ma_digits].tolist()]
    bodies = [
        m if u else f"{d:08d}"
        for m, d, u in zip(ma_text, digits.tolist(), use_ma.tolist(), strict=True)
    ]
    org = 11 - (_ORG_VALUE[_char_matrix(bodies, 8)] @ ORG_WEIGHTS) % 11
    org_chars = ["X" if c == 10 else ("0" if c == 11 else str(c)) for c in org.tolist()]
    body17 = [
        f"9{c}{d}{b}{o}" for c, d, b, o in zip(category, district, bodies, org_chars, strict=True)
    ]
    check = (31 - (_USCC_INDEX[_char_matrix(body17, 17)] @ USCC_WEIGHTS) % 31) % 31
    return [b + USCC_CHARS[c] for b, c in zip(body17, check.tolist(), strict=True)]


def _word_choice(table, codes: np.ndarray, u: np.ndarray, geo_codes) -> np.ndarray:
    """Index into ``table`` per entity, with the table's district boosts."""
    out = np.zeros(len(u), dtype=np.int64)
    for code in geo_codes:
        m = codes == code
        if m.any():
            weights = np.array([w * boost.get(code, 1.0) for *_, w, boost in table])
            out[m] = pick(u[m], weights)
    return out


def profiles(world, keys: np.ndarray, registered_at: np.ndarray) -> Frame:
    """Entities with keys ``keys`` registered at ``registered_at`` (pure function of seed, key)."""
    seed, geo, gaz = world.seed, world.geo, world.gazetteer
    u = lambda name: uniform(seed, f"ent.{name}", keys)  # noqa: E731
    n = len(keys)
    weights = geo.population_shares() * np.array([DISTRICT_WEIGHT[c] for c in geo.codes])
    d_idx = pick(u("district"), weights)
    codes = np.array(geo.codes, dtype=object)[d_idx]
    dnames = [geo.districts[i].name_zh for i in d_idx.tolist()]
    t_idx = pick(u("type"), [t[1] for t in ENTITY_TYPES])
    trade = trade_names(u("trade1"), u("trade2"))
    reps = names_from_uniforms(u("rep1"), u("rep2"), u("rep3"), u("rep4"))
    word_u = u("word")
    shop = _word_choice(SHOP_WORDS, codes, word_u, geo.codes)
    company = _word_choice(COMPANY_WORDS, codes, word_u, geo.codes)
    coop = np.minimum((word_u * len(COOP_WORDS)).astype(np.int64), len(COOP_WORDS) - 1)
    prefix_u = u("prefix").tolist()
    road_u, number = u("road"), (u("number") * 300).astype(np.int64) + 1
    roads = np.empty(n, dtype=object)
    for code in geo.codes:
        m = codes == code
        names = gaz.places(code, "roads").names
        roads[m] = names[np.minimum((road_u[m] * len(names)).astype(np.int64), len(names) - 1)]
    cap_scale = np.exp(2.2 * (u("capital") - 0.5) * 2)
    names, sections, section_names, capital = [], [], [], []
    for i, t in enumerate(t_idx.tolist()):
        etype, _, _, cap = ENTITY_TYPES[t]
        dname = dnames[i]
        if etype == "个体工商户":
            sec, sec_name, word, *_ = SHOP_WORDS[shop[i]]
            name = f"{dname}{trade[i]}{word}"
        elif etype == "农民专业合作社":
            sec, sec_name = "A", "农、林、牧、渔业"
            name = f"{dname}{trade[i]}{COOP_WORDS[coop[i]]}"
        else:
            sec, sec_name, word, *_ = COMPANY_WORDS[company[i]]
            p = prefix_u[i]
            prefix = "连云港" if p < 0.45 else ("江苏" if p < 0.6 else dname)
            if etype == "有限责任公司分公司":
                name = f"江苏{trade[i]}{word}有限公司连云港{dname}分公司"
            else:
                suffix = {"个人独资企业": "中心", "股份有限公司": "股份有限公司"}.get(
                    etype, "有限公司"
                )
                name = f"{prefix}{trade[i]}{word}{suffix}"
        names.append(name)
        sections.append(sec)
        section_names.append(sec_name)
        capital.append(np.nan if cap is None else round(cap * float(cap_scale[i]), 1))
    category = [ENTITY_TYPES[t][2] for t in t_idx.tolist()]
    uscc = make_uscc(keys, category, codes.tolist(), local_day(registered_at))
    return Frame(
        {
            "uscc": strings(uscc),
            "name": strings(names),
            "entity_type": strings([ENTITY_TYPES[t][0] for t in t_idx.tolist()]),
            "industry_code": strings(sections),
            "industry": strings(section_names),
            "district_code": codes,
            "address": strings(
                [
                    f"江苏省连云港市{d}{r}{k}号"
                    for d, r, k in zip(dnames, roads.tolist(), number.tolist(), strict=True)
                ]
            ),
            "legal_representative": strings(reps),
            "registered_capital": np.array(capital, dtype=np.float64),
            "registered_at": registered_at.astype(np.int64),
        }
    )


class EnterpriseFeed(BlockFeed):
    """Base register at ``t0``, deregistrations at each entity's time, new registrations."""

    name = "enterprises"

    def __init__(self, world):
        super().__init__(world)
        self.n_base = int(world.config.enterprises)
        keys = np.arange(self.n_base, dtype=np.int64)
        s = self.seed
        # registration: truncated exponential over 30 years before t0 (more recent = denser)
        u = uniform(s, "ent.regtime", keys)
        years_ago = -np.log(1 - u * (1 - np.exp(-30 / 8))) * 8
        day = local_day(world.t0) - 1 - np.floor(years_ago * 365.25).astype(np.int64)
        self.base_registered = day_start(day) + (
            9 * HOUR + uniform(s, "ent.regsec", keys) * 8 * HOUR
        ).astype(np.int64)
        lifetime = -np.log1p(-uniform(s, "ent.life", keys)) * 11 * 365.25 * DAY
        self.base_cancel = self.base_registered + lifetime.astype(np.int64)
        self.base_revoked = uniform(s, "ent.revoked", keys) < 0.12
        self._uscc: np.ndarray | None = None

    def base_keys(self) -> np.ndarray:
        return np.arange(self.n_base, dtype=np.int64)

    def register(self) -> Frame:
        """Profiles of the whole base register (computed once per world)."""
        return self.world.shared(
            "enterprises.base",
            lambda: profiles(self.world, self.base_keys(), self.base_registered),
        )

    def base_profiles(self, keys: np.ndarray) -> Frame:
        return self.register().take(np.asarray(keys, dtype=np.int64))

    def build(self, step: Step) -> None:
        t0 = self.world.t0
        chunk = 20_000
        for lo in range(0, self.n_base, chunk):
            keys = np.arange(lo, min(lo + chunk, self.n_base), dtype=np.int64)
            frame = self.base_profiles(keys).copy()
            cancelled = self.base_cancel[keys] <= t0
            frame["status"] = strings(
                np.where(cancelled, np.where(self.base_revoked[keys], "吊销", "注销"), "存续")
            )
            frame["cancelled_at"] = np.where(cancelled, self.base_cancel[keys], NULL_TIME)
            frame["updated_at"] = np.where(
                cancelled, self.base_cancel[keys], self.base_registered[keys]
            )
            step.insert(ent_enterprises, frame)

    def generate(self, block: int, rng) -> Frame:
        t = poisson_times(
            rng,
            block * HOUR,
            expected_in_hour(DAILY_REGISTRATIONS, "office", "office", block * HOUR),
        )[:64]
        if not len(t):
            return Frame()
        keys = NEW_KEY_BASE + block * 64 + np.arange(len(t), dtype=np.int64)
        frame = profiles(self.world, keys, t)
        frame["status"] = strings(["存续"] * len(t))
        frame["cancelled_at"] = np.full(len(t), NULL_TIME)
        frame["updated_at"] = t
        frame["_t"] = t
        return frame

    def emit(self, step: Step) -> None:
        step.insert(ent_enterprises, self.arrivals(step.a, step.b))
        due = np.nonzero((self.base_cancel > step.a) & (self.base_cancel <= step.b))[0]
        if len(due):
            order = due[np.argsort(self.base_cancel[due], kind="stable")]
            status = np.where(self.base_revoked[order], "吊销", "注销")
            step.update(
                ent_enterprises,
                ("uscc",),
                Frame(
                    {
                        "uscc": self.base_profiles(order)["uscc"],
                        "status": strings(status.tolist()),
                        "cancelled_at": self.base_cancel[order],
                        "updated_at": self.base_cancel[order],
                    }
                ),
            )
