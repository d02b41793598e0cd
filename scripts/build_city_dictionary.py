"""Build the city's text-processing data files in data_adapters/nlp/ from the lists below.

Run from the repository root::

    python scripts/build_city_dictionary.py          # write the files
    python scripts/build_city_dictionary.py --check  # exit 1 if a committed file is stale

It writes three files, read by `data_adapters.nlp.segment` and `data_adapters.nlp.keywords`:

- `city_dictionary.txt`: a jieba user dictionary (`word freq tag` a line, no comments, so
  jieba's own `load_userdict` reads it too) of the city's place names (tag `ns`), landmarks
  (`nz`), departments and organisations (`nt`) and local terms (`n`), so that segmentation
  keeps 连云港经济技术开发区, 新浦街道, 市城市管理局 or 12345热线 whole.
- `place_districts.tsv`: place name, tab, district adcode; the adcode is empty for a name that
  belongs to no single district (the city itself, a name used in several districts): such a
  name still wins over the shorter names inside it (连云港港 over 连云).
- `topic_terms.tsv`: term, tab, area: the vocabulary topics are refined by, each term with the
  area (a 12345 service category, or a post subject) it tells when a text has no category.

Sources and assumptions:

- Districts and counties: the six of Lianyungang with their 2020 adcodes (as in
  `assets/geo/lianyungang-districts.geojson`).
- Streets (街道), towns (镇) and townships (乡), roads, communities and landmarks: the demo data
  centre's gazetteer (`simulator.gazetteer.PLACES`), which is the ground truth of the demo's
  tickets and posts. Its towns and streets are the real divisions of each district as the
  author knows them (about 2020; the 2014 merger of 新浦区 into 海州区 included); its roads and
  landmarks are real or typical of the city, and its communities typical of Chinese estates.
  A real deployment should replace roads and communities with the city's own address register.
- Streets managed by the development zones whose district the author is not sure of
  (花果山街道, 云台街道, 猴嘴街道, 朝阳街道) and the function zones themselves are dictionary
  words only, with no district.
- Short forms that are only districts in this city (海州, 赣榆, 东海, 灌云, 灌南; 新浦 for
  the former 新浦区, now in 海州区) and a few unmistakable town short forms (墟沟, 青口...) map
  to their district; 连云 does not (it is in 连云港 and 山海连云), nor do generic short forms
  (石桥, 城西, 温泉...).
- Departments: the agencies the demo's 12345 tickets are assigned to
  (`simulator.hotline_grammar.TOPICS`, district placeholders filled in for each district) and
  the standard municipal bodies of a prefecture-level city after the 2019 reform, with the
  short forms people write (城管, 住建局, 交警支队...).
- Local terms and topic terms: written for this project from the demo's ticket and post
  grammar (`simulator.hotline_grammar`, `simulator.posts`) and common 12345 vocabulary.
- A few words of jieba's dictionary that glue a topic term to its neighbour (灯不亮, which
  made 路灯不亮 路/灯不亮) are removed, written with frequency 0 as jieba's format allows.
- Frequencies are chosen, not counted: high enough that jieba keeps each name whole (the
  tests check every word of the dictionary), the same within a kind. Words jieba's own
  dictionary already knows are not repeated unless they need a tag here (places, departments).

Only this script imports the simulator; the product reads the committed files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from simulator import hotline_grammar, posts  # noqa: E402
from simulator.gazetteer import PLACES  # noqa: E402

OUT_DIR = REPO_ROOT / "data_adapters" / "nlp"
DICTIONARY_FILE = OUT_DIR / "city_dictionary.txt"
PLACES_FILE = OUT_DIR / "place_districts.tsv"
TOPICS_FILE = OUT_DIR / "topic_terms.tsv"

PLACE_FREQ = 5000
DEPARTMENT_FREQ = 5000
TERM_FREQ = 3000

DISTRICTS = {
    "320706": "海州区",
    "320703": "连云区",
    "320707": "赣榆区",
    "320722": "东海县",
    "320723": "灌云县",
    "320724": "灌南县",
}
SHORT_FORMS = {
    "320706": ("海州", "新浦", "新浦区", "朐阳", "板浦"),
    "320703": ("墟沟",),
    "320707": ("赣榆", "青口", "柘汪", "海头"),
    "320722": ("东海", "白塔埠"),
    "320723": ("灌云", "燕尾港"),
    "320724": ("灌南", "堆沟港", "汤沟"),
}
# Names that belong to no single district; kept so that they win over shorter names inside.
CITY_NAMES = (
    "连云港",
    "连云港市",
    "港城",
    "江苏省连云港市",
    "连云港经济技术开发区",
    "连云港开发区",
    "连云港高新技术产业开发区",
    "连云港高新区",
    "经济技术开发区",
    "开发区",
    "高新区",
    "徐圩新区",
    "云台山风景名胜区",
    "云台山风景区",
    "云台山",
    "海上云台山",
    "花果山",
    "海州湾",
    "花果山街道",
    "云台街道",
    "猴嘴街道",
    "朝阳街道",
    "山海连云",
    "我的连云港",
)
# Names of no single district that are landmarks (tag nz: they stay keywords).
CITY_LANDMARKS = ("花果山", "云台山", "海上云台山", "云台山风景区", "云台山风景名胜区", "海州湾")
# Gazetteer names that are generic (the same kind of place in every district).
GENERIC_PLACES = ("县人民医院", "区人民医院")

DEPARTMENTS = (
    "市人民政府",
    "市政府",
    "市政府办公室",
    "市发展和改革委员会",
    "市发改委",
    "市教育局",
    "市科学技术局",
    "市工业和信息化局",
    "市公安局",
    "市公安局交通警察支队",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市城市管理局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化广电和旅游局",
    "市卫生健康委员会",
    "市卫健委",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
    "市行政审批局",
    "市数据局",
    "市信访局",
    "市住房公积金管理中心",
    "市消防救援支队",
    "市政务服务中心",
    "市水务集团",
    "市公交集团",
    "市热力公司",
    "港华燃气公司",
    "国网连云港供电公司",
    "供电公司",
    "燃气公司",
    "水务集团",
    "公交集团",
    "市12345政务服务便民热线",
    "12345政务服务便民热线",
    "城市管理局",
    "生态环境局",
    "住房和城乡建设局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "交通警察支队",
    "交警支队",
    "交警大队",
    "城管局",
    "城管",
    "住建局",
    "环保局",
    "市监局",
    "人社局",
    "公积金中心",
    "派出所",
    "居委会",
    "村委会",
    "街道办",
    "街道办事处",
    "社区居委会",
    "物业公司",
)
# District bodies, for every district (the demo's agencies and their usual siblings).
DISTRICT_DEPARTMENTS = (
    "{dn}人民政府",
    "{dn}城市管理局",
    "{dn}住房和城乡建设局",
    "{dn}教育局",
    "{dn}市场监督管理局",
    "市生态环境局{dn}分局",
    "市公安局{dn}分局",
)

# Words of jieba's dictionary that cut a topic term apart; frequency 0 removes them.
REMOVED_WORDS = ("灯不亮",)

LOCAL_TERMS = (
    "来电人",
    "来电者",
    "12345热线",
    "12345政务服务热线",
    "政务服务热线",
    "便民热线",
    "网格员",
    "社区网格员",
    "网格化管理",
    "一网通办",
    "政务服务",
    "工单",
    "共享电动车",
    "外卖电动车",
    "电动自行车",
    "老旧小区改造",
    "口袋公园",
    "文明城市",
    "防汛防台",
    "灯光秀",
)

# Topic terms by area. Areas are the demo's 12345 service categories, plus subjects of posts
# (文化旅游, 港口航运, 天气, 美食, 市容秩序). A term may serve several areas; the first area it
# is listed under is the one it tells when a text has no category.
TOPIC_TERMS: dict[str, tuple[str, ...]] = {
    "噪声扰民": (
        "噪音",
        "噪声",
        "噪音扰民",
        "噪声扰民",
        "夜间施工",
        "广场舞",
        "装修",
        "烧烤摊",
        "KTV",
        "酒吧",
        "大喇叭",
        "音响",
        "音乐声",
        "吵闹声",
        "喧哗",
        "电钻",
        "敲击声",
        "轰鸣声",
        "加工厂",
        "改装车",
        "空调外机",
        "卸货",
        "装卸",
        "施工",
        "工地",
    ),
    "道路破损": (
        "道路破损",
        "路面",
        "大坑",
        "坑洼",
        "塌陷",
        "裂缝",
        "井盖",
        "窨井盖",
        "人行道",
        "地砖",
        "沥青",
        "施工",
    ),
    "路灯故障": ("路灯", "路灯杆", "路灯故障", "线路"),
    "供水问题": (
        "停水",
        "水压",
        "自来水",
        "水管",
        "水表井",
        "供水",
        "漏水",
        "杂质",
        "水质",
        "时断时续",
    ),
    "燃气供暖": ("燃气", "燃气味", "暖气", "供暖", "集中供暖", "燃气费", "燃气灶", "燃气公司"),
    "供电问题": ("停电", "跳闸", "电压", "电线杆", "变压器", "电线", "供电"),
    "物业管理": (
        "物业",
        "物业费",
        "停车费",
        "电梯",
        "门禁",
        "楼道灯",
        "地下车库",
        "二次供水",
        "监控",
        "私搭乱建",
        "公共收益",
        "公共绿地",
        "消防通道",
    ),
    "违章停车": (
        "违章停车",
        "违停",
        "乱停乱放",
        "乱停",
        "消防通道",
        "盲道",
        "人行道",
        "大货车",
        "共享单车",
        "共享电动车",
        "小区门口",
    ),
    "交通出行": (
        "红绿灯",
        "交通标线",
        "交通秩序",
        "渣土车",
        "堵车",
        "堵死",
        "拥堵",
        "公交车",
        "公交",
        "班次",
        "出租车",
        "拒载",
        "网约车",
        "高架",
        "早高峰",
        "车祸",
        "高铁",
        "绕行",
        "停车位",
        "一路畅通",
    ),
    "环境卫生": (
        "垃圾",
        "建筑垃圾",
        "生活垃圾",
        "垃圾桶",
        "清运",
        "焚烧",
        "垃圾中转站",
        "环卫车",
        "下水道",
        "臭气熏天",
    ),
    "环境污染": (
        "油烟",
        "油烟直排",
        "油烟扰民",
        "化工异味",
        "异味",
        "死鱼",
        "废气",
        "偷排",
        "排污",
        "污水",
        "扬尘",
        "养殖场",
        "臭味",
    ),
    "园林绿化": ("大树", "行道树", "绿化带", "杂草", "树枝", "健身器材", "口袋公园"),
    "积水内涝": ("积水", "内涝", "倒灌", "排水", "熄火", "井盖"),
    "食品安全": (
        "食品安全",
        "过期食品",
        "拉肚子",
        "外卖",
        "异物",
        "猪肉",
        "后厨",
        "无证经营",
        "过期食材",
        "健康证",
    ),
    "消费维权": (
        "预付卡",
        "质量问题",
        "服务费",
        "虚假宣传",
        "价格标签",
        "网购",
        "发货",
        "年卡",
        "跑路",
        "定金",
        "退费",
        "培训机构",
        "退换",
    ),
    "劳动保障": (
        "拖欠工资",
        "欠薪",
        "工资",
        "社保",
        "加班费",
        "试用期",
        "包工头",
        "工钱",
        "工地",
    ),
    "教育": (
        "入学",
        "划片",
        "校外培训",
        "资料费",
        "放学",
        "入园",
        "幼儿园",
        "学位",
        "校车",
        "学区",
        "学校",
    ),
    "医疗卫生": (
        "医保",
        "异地就医",
        "报销",
        "医保卡",
        "慢性病",
        "挂号",
        "看病",
        "医生",
        "医护人员",
        "检查",
    ),
    "房屋建设": (
        "延期交房",
        "交房",
        "不动产证",
        "墙体开裂",
        "维修资金",
        "安置房",
        "拆迁",
        "开发商",
        "老旧小区改造",
        "外墙",
        "保温层",
    ),
    "养犬管理": ("遛狗", "拴绳", "流浪狗", "大型犬", "养犬", "狂叫"),
    "政策咨询": (
        "公积金",
        "社保",
        "医保",
        "落户",
        "营业执照",
        "居住证",
        "失业金",
        "优待证",
        "驾驶证",
        "不动产登记",
        "消费券",
        "津贴",
        "养老保险",
        "身份证",
        "补贴",
        "契税",
        "人才公寓",
        "创业担保贷款",
        "一网通办",
        "学区",
    ),
    "表扬感谢": ("表扬", "感谢", "点赞", "感动", "暖心", "抢修", "效率"),
    "市容秩序": ("占道经营", "流动摊贩", "小广告", "违章建筑", "乱贴乱画"),
    "文化旅游": (
        "景区",
        "门票",
        "风景",
        "拍照",
        "游客",
        "人山人海",
        "排队",
        "停车位",
        "花果山",
        "海上云台山",
        "连岛",
        "渔湾",
        "孔望山",
        "海州古城",
        "东海水晶城",
        "大沙湾",
        "苏马湾",
        "秦山岛",
        "大伊山",
        "东海温泉",
    ),
    "港口航运": (
        "港口",
        "集装箱",
        "货轮",
        "邮轮",
        "码头",
        "龙门吊",
        "中欧班列",
        "矿石船",
        "滚装船",
        "航线",
        "吞吐量",
    ),
    "天气": (
        "天气",
        "台风",
        "暴雨",
        "大雨",
        "小雨",
        "下雨",
        "大雾",
        "能见度",
        "高温",
        "气温",
        "零下",
        "大风",
    ),
    "美食": (
        "美食",
        "海鲜",
        "豆丹",
        "灌云豆丹",
        "板浦凉粉",
        "赣榆煎饼",
        "东海老淮猪",
        "老淮猪",
        "海州湾大虾",
        "大虾",
        "梭子蟹",
        "羊肉汤",
        "海头海鲜大排档",
        "大排档",
        "烧烤",
    ),
}


@dataclass(frozen=True)
class Word:
    """A line of the user dictionary."""

    text: str
    freq: int
    tag: str

    def line(self) -> str:
        return f"{self.text} {self.freq} {self.tag}" if self.tag else f"{self.text} {self.freq}"


def jieba_words() -> frozenset[str]:
    """The words jieba's own dictionary knows (jieba is MIT licensed)."""
    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


def gazetteer_places() -> dict[str, set[str]]:
    """Every gazetteer name (towns, roads, communities, landmarks) with its districts."""
    found: dict[str, set[str]] = {}
    for code, kinds in PLACES.items():
        for names in kinds.values():
            for name in names:
                found.setdefault(name, set()).add(code)
    return found


def place_rows() -> list[tuple[str, str]]:
    """(name, adcode) for every place name; adcode "" for names of no single district."""
    rows: dict[str, str] = {name: "" for name in CITY_NAMES}
    for code, name in DISTRICTS.items():
        rows[name] = code
        for short in SHORT_FORMS[code]:
            rows[short] = code
    for name, codes in gazetteer_places().items():
        if name not in rows:
            rows[name] = codes.pop() if len(codes) == 1 and name not in GENERIC_PLACES else ""
    return sorted(rows.items(), key=lambda row: (row[1] or "999999", row[0]))


def departments() -> list[str]:
    agencies = {a for topic in hotline_grammar.TOPICS for a in topic.agencies}
    names = set(DEPARTMENTS)
    for template in agencies | set(DISTRICT_DEPARTMENTS):
        if "{street}" in template:
            continue
        names.update(template.replace("{dn}", dn) for dn in DISTRICTS.values())
    names.update(hotline_grammar.HOSPITALS)
    return sorted(names)


def dictionary_words() -> list[Word]:
    """The user dictionary: places, landmarks, departments, then local and topic terms."""
    known = jieba_words()
    landmarks = {n for kinds in PLACES.values() for n in kinds["landmarks"]}
    landmarks |= set(CITY_LANDMARKS)
    scenic = set(posts.RULES["scenic"]) | set(posts.RULES["food.item"])
    words: dict[str, Word] = {}
    for name, _code in place_rows():
        tag = "nz" if name in landmarks or name in scenic else "ns"
        words[name] = Word(name, PLACE_FREQ, tag)
    for name in departments():
        words.setdefault(name, Word(name, DEPARTMENT_FREQ, "nt"))
    terms = [*LOCAL_TERMS, *sorted(scenic)]
    terms += [term for area in TOPIC_TERMS.values() for term in area]
    terms = list(dict.fromkeys(terms))
    for term in terms:
        if term not in known and len(term) > 1:
            words.setdefault(term, Word(term, TERM_FREQ, "nz" if term in scenic else "n"))
    for word in REMOVED_WORDS:
        words[word] = Word(word, 0, "")
    return sorted(words.values(), key=lambda w: (_TAG_ORDER[w.tag], w.text))


_TAG_ORDER = {"ns": 0, "nz": 1, "nt": 2, "n": 3, "": 4}


def topic_rows() -> list[tuple[str, str]]:
    """(term, area) for every term of every area, in the order of TOPIC_TERMS."""
    rows = [(term, area) for area, terms in TOPIC_TERMS.items() for term in terms]
    if len(set(rows)) != len(rows):
        raise ValueError("a topic term is listed twice under the same area")
    return rows


def render_dictionary() -> str:
    return "".join(f"{word.line()}\n" for word in dictionary_words())


def render_places() -> str:
    header = (
        "# Place names of Lianyungang and the district (adcode) each is in; an empty adcode is\n"
        "# a name of no single district. Written by scripts/build_city_dictionary.py.\n"
    )
    return header + _tsv(place_rows())


def render_topics() -> str:
    header = (
        "# Topic terms of each area; a term listed under several areas tells the first one\n"
        "# when a text has no category.\n"
        "# Written by scripts/build_city_dictionary.py.\n"
    )
    return header + _tsv(topic_rows())


def _tsv(rows: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{a}\t{b}\n" for a, b in rows)


def outputs() -> dict[Path, str]:
    return {
        DICTIONARY_FILE: render_dictionary(),
        PLACES_FILE: render_places(),
        TOPICS_FILE: render_topics(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(REPO_ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
