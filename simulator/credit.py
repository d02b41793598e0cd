"""Social-credit base database: administrative licences, penalties and red/black list entries
published over time (双公示 style), each naming a real subject from the enterprise register.

Rates: ~150 licences and ~25 penalties per working day, about one red-list and one black-list
entry a day; decisions are published 0-5 days after they are taken.
"""

from __future__ import annotations

import numpy as np

from .enterprises import EnterpriseFeed
from .feeds import BlockFeed, Step
from .frame import Frame, strings
from .rhythms import expected_in_hour, poisson_times
from .schema import credit_records
from .times import HOUR, NULL_TIME, day_start, local_day, local_text

# record type: (zh, id prefix, per-day rate, rhythm, [(authority, abbreviation, title)])
RECORD_TYPES = {
    "licence": (
        "行政许可",
        "XK",
        150,
        "office",
        (
            ("市市场监督管理局", "市监", "食品经营许可证核发"),
            ("市市场监督管理局", "市监", "营业执照变更登记"),
            ("市生态环境局", "环", "排污许可证核发"),
            ("市住房和城乡建设局", "建", "建筑工程施工许可证核发"),
            ("市交通运输局", "交", "道路运输经营许可"),
            ("市卫生健康委员会", "卫", "公共场所卫生许可"),
            ("市应急管理局", "应急", "危险化学品经营许可证核发"),
            ("市城市管理局", "城管", "城市建筑垃圾处置核准"),
            ("市水利局", "水", "取水许可"),
            ("市行政审批局", "审批", "药品经营许可证核发"),
        ),
    ),
    "penalty": (
        "行政处罚",
        "CF",
        25,
        "office",
        (
            ("市市场监督管理局", "市监", "销售不符合食品安全标准的食品"),
            ("市市场监督管理局", "市监", "未按规定公示营业执照"),
            ("市生态环境局", "环", "超标排放大气污染物"),
            ("市生态环境局", "环", "建设项目未批先建"),
            ("市应急管理局", "应急", "未按规定开展安全生产教育培训"),
            ("市城市管理局", "城管", "未经批准设置户外广告"),
            ("市交通运输局", "交", "车辆超限运输"),
            ("市消防救援支队", "消", "消防设施未保持完好有效"),
            ("国家税务总局连云港市税务局", "税", "逾期未申报纳税"),
        ),
    ),
    "redlist": (
        "守信红名单",
        "HM",
        1.0,
        "office",
        (
            ("国家税务总局连云港市税务局", "税", "纳税信用A级纳税人"),
            ("市市场监督管理局", "市监", "守合同重信用企业"),
            ("连云港海关", "关", "海关高级认证企业"),
        ),
    ),
    "blacklist": (
        "失信黑名单",
        "HE",
        0.9,
        "office",
        (
            ("连云港市中级人民法院", "法", "失信被执行人"),
            ("市市场监督管理局", "市监", "严重违法失信主体"),
            ("国家税务总局连云港市税务局", "税", "重大税收违法失信主体"),
        ),
    ),
}


class CreditFeed(BlockFeed):
    name = "credit"

    def __init__(self, world):
        super().__init__(world)
        self.register = EnterpriseFeed(world)

    def generate(self, block: int, rng) -> Frame:
        parts = []
        start = block * HOUR
        hour = local_text(start, "%Y%m%d%H")
        n_base = max(self.register.n_base, 1)
        for rtype, (zh, prefix, per_day, rhythm, items) in RECORD_TYPES.items():
            t = poisson_times(rng, start, expected_in_hour(per_day, rhythm, rhythm, start))
            n = len(t)
            if not n or not self.register.n_base:
                continue
            keys = rng.integers(0, n_base, n)
            subjects = self.register.base_profiles(keys)
            which = rng.integers(0, len(items), n)
            decided = day_start(local_day(t) - rng.integers(0, 5, n)) + rng.integers(
                int(8.5 * HOUR), int(17.5 * HOUR), n
            )
            decided = np.minimum(decided, t - 60)
            amount = np.round(np.exp(rng.normal(9.3, 1.1, n)), -2) if rtype == "penalty" else None
            year = local_text(start, "%Y")
            seq = rng.integers(100, 9999, n)
            titles, contents, numbers, authorities = [], [], [], []
            for i in range(n):
                authority, abbr, title = items[which[i]]
                authorities.append(authority)
                titles.append(title)
                numbers.append(
                    f"连{abbr}{'罚' if rtype == 'penalty' else '字'}〔{year}〕{seq[i]}号"
                )
                name = subjects["name"][i]
                if rtype == "penalty":
                    contents.append(
                        f"{name}{title}，依据相关法律法规，{authority}决定给予警告并处罚款"
                        f"{amount[i]:.0f}元。"
                    )
                elif rtype == "licence":
                    contents.append(f"经审查，{name}申请的{title}事项符合法定条件，准予许可。")
                else:
                    contents.append(f"{name}经认定列入{title}名单，由{authority}依法公示。")
            years = {"licence": 5, "redlist": 2}.get(rtype)
            valid = (local_day(decided) + years * 365) if years else np.full(n, NULL_TIME)
            parts.append(
                Frame(
                    {
                        "record_id": strings([f"{prefix}{hour}{i:03d}" for i in range(n)]),
                        "record_type": strings([rtype] * n),
                        "record_type_zh": strings([zh] * n),
                        "subject_uscc": subjects["uscc"],
                        "subject_name": subjects["name"],
                        "title": strings(titles),
                        "content": strings(contents),
                        "decision_no": strings(numbers),
                        "authority": strings(authorities),
                        "district_code": subjects["district_code"],
                        "decided_at": decided,
                        "valid_until": strings(
                            [None if v == NULL_TIME else int(v) for v in valid.tolist()]
                        ),
                        "penalty_amount": amount if amount is not None else np.full(n, np.nan),
                        "published_at": t,
                        "updated_at": t,
                        "_t": t,
                    }
                )
            )
        frame = Frame.concat(parts)
        if frame.n:
            frame = frame.take(np.argsort(frame["_t"], kind="stable"))
        return frame

    def emit(self, step: Step) -> None:
        step.insert(credit_records, self.arrivals(step.a, step.b))
